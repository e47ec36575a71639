import { spawn } from 'node:child_process';

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
    child.stdout.on('data', (d: Buffer) => opts.onOutput('stdout', d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => opts.onOutput('stderr', d.toString('utf8')));
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
