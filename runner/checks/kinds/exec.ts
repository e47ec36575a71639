import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { excerpt, matches } from '../values.js';
import type { ExecResult } from '../../docker/port.js';

export interface ExecFields {
  container: string;
  run: string;
  exitCode?: number;
  stdout?: string;
  notStdout?: string;
  stderr?: string;
}

/** Judges what a command run inside a container printed and how it exited. */
export function judgeExec(f: ExecFields, r: ExecResult | string): CheckOutcome {
  if (typeof r === 'string') return { pass: false, expected: `\`${f.run}\` runs in ${f.container}`, found: r };
  const facts: Fact[] = [];
  const wantCode = f.exitCode ?? (f.stdout === undefined && f.stderr === undefined && f.notStdout === undefined ? 0 : undefined);
  if (wantCode !== undefined)
    facts.push(fact(r.exitCode === wantCode, `\`${f.run}\` exits with ${wantCode}`, `it exited with ${r.exitCode}: ${excerpt(r.stderr || r.stdout)}`));
  if (f.stdout !== undefined)
    facts.push(fact(matches(f.stdout, r.stdout), `its output matches ${f.stdout}`, `it printed: ${excerpt(r.stdout)}`));
  if (f.notStdout !== undefined)
    facts.push(fact(!matches(f.notStdout, r.stdout), `its output does not match ${f.notStdout}`, `it printed: ${excerpt(r.stdout)}`));
  if (f.stderr !== undefined)
    facts.push(fact(matches(f.stderr, r.stderr), `its errors match ${f.stderr}`, `its errors were: ${excerpt(r.stderr)}`));
  return combine(facts);
}

export const exec: CheckKind = {
  kind: 'exec',
  doc: 'A command run inside a running container (with sh -c) exits with a code and prints a pattern.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    run: { type: 'string', required: true, doc: 'shell command run with sh -c inside the container' },
    exitCode: { type: 'number', doc: 'expected exit code (0 when no output pattern is given)' },
    stdout: { type: 'pattern', doc: 'pattern the standard output matches' },
    notStdout: { type: 'pattern', doc: 'pattern the standard output must not match' },
    stderr: { type: 'pattern', doc: 'pattern the standard error matches' },
  },
  describe: (f) => `\`${f.run}\` in ${f.container}`,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ExecFields;
    const c = await ctx.docker.inspectContainer(fields.container);
    if (!c) return judgeExec(fields, `there is no container named ${fields.container}`);
    if (!c.state.running) return judgeExec(fields, `container ${fields.container} is not running (${c.state.status})`);
    return judgeExec(fields, await ctx.docker.exec(fields.container, ['sh', '-c', fields.run]));
  },
};
