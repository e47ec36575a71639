import { runProcess, type RunResult } from '../../host/run.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { excerpt } from '../values.js';

/** How long a shell check may run before its whole process group is stopped. */
export const SHELL_CHECK_TIMEOUT_MS = 30_000;

/** The escape hatch: a host shell command; exit 0 passes and its output is what the learner reads. */
export function judgeShell(run: string, r: Pick<RunResult, 'code' | 'output' | 'timedOut'>): CheckOutcome {
  const output = r.timedOut ? `${r.output}\n(timed out)` : r.output;
  return {
    pass: r.code === 0 && !r.timedOut,
    expected: `\`${run}\` succeeds`,
    found: r.code === 0 && !r.timedOut ? excerpt(output, 300) || 'it succeeded' : `exit ${r.code}: ${excerpt(output, 300)}`,
  };
}

export const shell: CheckKind = {
  kind: 'shell',
  doc: "Escape hatch: a bash command on the host, run in the lab's working folder; exit 0 passes, its output is the message.",
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
  evaluate: async (f, ctx) => judgeShell(String(f.run), await runProcess('bash', ['-c', String(f.run)], { timeoutMs: SHELL_CHECK_TIMEOUT_MS, cwd: ctx.workDir })),
};
