import { spawn } from 'node:child_process';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { excerpt } from '../values.js';

export interface ShellResult {
  readonly code: number;
  readonly output: string;
}

/** The escape hatch: a host shell command; exit 0 passes and its output is what the learner reads. */
export function judgeShell(run: string, r: ShellResult): CheckOutcome {
  return {
    pass: r.code === 0,
    expected: `\`${run}\` succeeds`,
    found: r.code === 0 ? excerpt(r.output, 300) || 'it succeeded' : `exit ${r.code}: ${excerpt(r.output, 300)}`,
  };
}

export function runShell(command: string, timeoutMs = 30_000): Promise<ShellResult> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout stops everything the command started (`sleep 9 | cat`), not only bash.
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: 127, output: err.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output: signal === 'SIGKILL' ? `${output}\n(timed out)` : output });
    });
  });
}

export const shell: CheckKind = {
  kind: 'shell',
  doc: 'Escape hatch: a bash command on the host; exit 0 passes, its output is the message.',
  fields: {
    run: { type: 'string', required: true, doc: 'bash command' },
  },
  // The first line only: a whole script is no title.
  describe: (f) => {
    const first = String(f.run).trim().split('\n')[0]!;
    return `host command \`${first.length > 60 ? `${first.slice(0, 59)}…` : first}${String(f.run).trim().includes('\n') ? ' …' : ''}\``;
  },
  // The author's script decides what it reads; it is judged as it answers.
  settles: () => FIXED,
  evaluate: async (f) => judgeShell(String(f.run), await runShell(String(f.run))),
};
