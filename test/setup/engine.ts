import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Integration tests need a real engine. `lean-labs engine up --yes` returns at once when one answers, and
 * otherwise installs and starts one the way a learner would. If it cannot, the whole run fails loudly:
 * these tests never skip.
 */
export default function setup(): void {
  const cli = join(process.cwd(), 'dist/lean-labs.js');
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test` (it builds first), not vitest alone.');
  try {
    execFileSync(process.execPath, [cli, 'engine', 'up', '--yes'], { stdio: 'inherit', timeout: 600_000 });
  } catch (err) {
    throw new Error(`The integration tests need a Docker engine and none could be started: ${(err as Error).message}`);
  }
}
