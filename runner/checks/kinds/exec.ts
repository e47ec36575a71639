import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { excerpt, matches } from '../values.js';
import type { ExecResult } from '../../docker/port.js';
import { runningReplicas } from './compose.js';
import { flapping } from '../flapping.js';

export interface ExecFields {
  container?: string;
  project?: string;
  service?: string;
  run: string;
  exitCode?: number;
  stdout?: string;
  notStdout?: string;
  stderr?: string;
}

const where = (f: ExecFields): string => f.container ?? `service ${f.service} of stack ${f.project}`;

/** Judges what a command run inside a container printed and how it exited. */
export function judgeExec(f: ExecFields, r: ExecResult | string): CheckOutcome {
  if (typeof r === 'string') return { pass: false, expected: `\`${f.run}\` runs in ${where(f)}`, found: r };
  const facts: Fact[] = [];
  // The exit code always holds (0 unless the check says otherwise): printing the right text and then failing is
  // no success.
  const wantCode = f.exitCode ?? 0;
  facts.push(fact(r.exitCode === wantCode, `\`${f.run}\` exits with ${wantCode}`, `it exited with ${r.exitCode}: ${excerpt(r.stderr || r.stdout)}`));
  if (f.stdout !== undefined) facts.push(fact(matches(f.stdout, r.stdout), `its output matches ${f.stdout}`, `it printed: ${excerpt(r.stdout)}`));
  if (f.notStdout !== undefined) facts.push(fact(!matches(f.notStdout, r.stdout), `its output does not match ${f.notStdout}`, `it printed: ${excerpt(r.stdout)}`));
  if (f.stderr !== undefined) facts.push(fact(matches(f.stderr, r.stderr), `its errors match ${f.stderr}`, `its errors were: ${excerpt(r.stderr)}`));
  return combine(facts);
}

export const exec: CheckKind = {
  kind: 'exec',
  doc: 'A command run inside a running container (with sh -c) exits with a code (0 unless `exitCode` says otherwise) and prints a pattern.',
  fields: {
    container: { type: 'string', doc: 'container name' },
    project: { type: 'string', doc: 'with service: a Compose project (instead of container)' },
    service: { type: 'string', doc: 'with project: a Compose service; the command runs in its first running container' },
    run: { type: 'string', required: true, doc: 'shell command run with sh -c inside the container' },
    exitCode: { type: 'number', doc: 'expected exit code (default 0, also when output patterns are given)' },
    stdout: { type: 'pattern', doc: 'pattern the standard output matches' },
    notStdout: { type: 'pattern', doc: 'pattern the standard output must not match' },
    stderr: { type: 'pattern', doc: 'pattern the standard error matches' },
  },
  oneOf: ['container', 'service'],
  targets: [['container'], ['project', 'service']],
  describe: (f) => `\`${f.run}\` in ${where(f as unknown as ExecFields)}`,
  // What a container in a restart loop answers in its moment up proves nothing; a command's own output is the author's to make steady.
  settles: (f) => ({ containers: f.container ? [String(f.container)] : [], repeat: false }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ExecFields;
    let name = fields.container;
    if (name === undefined) {
      if (!fields.project) return judgeExec(fields, 'the check names a service but no project: add `project:`');
      // Compose names containers differently in v1 and v2: find them by their labels.
      const running = await runningReplicas(ctx.docker, fields.project, fields.service!);
      if (!running.length) return judgeExec(fields, `no container of ${where(fields)} is running`);
      name = running[0]!.name;
    }
    const c = await ctx.docker.inspectContainer(name);
    if (!c) return judgeExec(fields, `there is no container named ${name}`);
    if (!c.state.running) return judgeExec(fields, `container ${name} is not running (${c.state.status})`);
    // What a container in a restart loop answers in its moment up proves nothing about it.
    const restarting = flapping(c);
    if (restarting) return judgeExec(fields, `container ${name}: ${restarting}`);
    return judgeExec(fields, await ctx.docker.exec(name, ['sh', '-c', fields.run]));
  },
};
