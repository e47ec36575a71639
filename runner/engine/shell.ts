import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { escapeControls } from '../text/controls.js';

export interface ShellRun {
  readonly code: number;
  readonly signal?: string;
}

/**
 * Runs one block of commands with bash, stopping at the first failing command, streaming output as it
 * comes. `signal` aborts the run (Ctrl-C): the whole process group is stopped.
 */
export function runCommands(
  text: string,
  opts: { cwd: string; onOutput: (stream: 'stdout' | 'stderr', text: string) => void; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<ShellRun> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', text], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    opts.signal?.addEventListener('abort', kill, { once: true });
    // Output is untrusted (containers print it): it leaves here with its control characters made visible.
    // A decoder per stream keeps a character split across two chunks whole.
    const forward = (stream: 'stdout' | 'stderr') => {
      const decoder = new StringDecoder('utf8');
      return (d: Buffer) => {
        const text = decoder.write(d);
        if (text) opts.onOutput(stream, escapeControls(text));
      };
    };
    child.stdout.on('data', forward('stdout'));
    child.stderr.on('data', forward('stderr'));
    child.on('error', (err) => {
      opts.onOutput('stderr', `${err.message}\n`);
      resolve({ code: 127 });
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', kill);
      resolve({ code: code ?? 128, signal: signal ?? undefined });
    });
  });
}
