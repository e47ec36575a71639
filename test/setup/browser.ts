import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The browser tests drive Debian's Chromium (no browser download) against pages served on loopback. Without it the
 * run fails loudly: these tests never skip.
 */
export default function setup(): void {
  if (!existsSync(join(process.cwd(), 'dist/lean-labs.cjs'))) throw new Error('dist/ is missing: run `npm test` (it builds first), not vitest alone.');
  if (!existsSync('/usr/bin/chromium')) throw new Error("The browser tests need Debian's Chromium at /usr/bin/chromium: `apt-get install chromium` (.ci/run does).");
}
