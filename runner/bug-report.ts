import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from './paths.js';

/**
 * An error nobody anticipated is a bug: its details (version, command, stack) go to a file the person can
 * attach to a report, and the screen gets one line. Returns the file, or undefined when it could not be written.
 */
export function writeBugReport(err: unknown, argv: readonly string[], stateDir: string, now = new Date()): string | undefined {
  const e = err as Error;
  const text = [
    `lean-labs ${safe(packageVersion)} bug report, ${now.toISOString()}`,
    `command: lean-labs ${argv.join(' ')}`,
    `node ${process.version} on ${process.platform} ${process.arch}`,
    '',
    e?.stack ?? String(err),
    '',
  ].join('\n');
  try {
    const dir = join(stateDir, 'bug-reports');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}.txt`);
    writeFileSync(file, text);
    return file;
  } catch {
    return undefined;
  }
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return 'unknown version';
  }
}
