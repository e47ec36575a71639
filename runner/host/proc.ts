import { UserError } from '../errors.js';
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Finds a program on PATH (plus the sbin folders root programs live in). */
export async function which(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export class CommandError extends UserError {
  constructor(cmd: string, code: number | null, tail: string) {
    super(`\`${cmd}\` failed${code === null ? '' : ` with exit code ${code}`}${tail ? `:\n${tail}` : ''}`);
  }
}

/** Runs a program to completion, feeding its output lines to onLine; rejects with the last lines on failure. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { onLine?: (line: string) => void; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let out = '';
    let partial = '';
    const onData = (d: Buffer) => {
      const text = d.toString('utf8');
      out += text;
      if (out.length > 200_000) out = out.slice(-100_000);
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onLine?.(l);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new CommandError(`${cmd} ${args.join(' ')}`, null, err.message)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new CommandError(`${cmd} ${args.join(' ')}`, code, out.trim().split('\n').slice(-15).join('\n')));
    });
  });
}
