import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { matches } from '../values.js';
import type { ContainerFacts } from '../../docker/port.js';

export interface ContainerFields {
  container: string;
  state?: 'absent' | 'present' | 'running' | 'exited';
  exitCode?: number;
  oomKilled?: boolean;
  image?: string;
  command?: string;
}

const sameImage = (want: string, found: string): boolean =>
  found === want || found === `${want}:latest` || want === `${found}:latest`;

/** Judges a container's existence, state, exit code, OOM kill, image and command. */
export function judgeContainer(f: ContainerFields, c: ContainerFacts | null): CheckOutcome {
  const name = `container ${f.container}`;
  if (f.state === 'absent') return combine([fact(c === null, `${name} is gone`, `${name} still exists (${c?.state.status})`)]);
  if (!c) return { pass: false, expected: `${name} exists`, found: `there is no container named ${f.container}` };
  const facts: Fact[] = [];
  if (f.state === 'running') facts.push(fact(c.state.running, `${name} is running`, `it is ${c.state.status}`));
  if (f.state === 'exited')
    facts.push(fact(c.state.status === 'exited', `${name} has exited`, `it is ${c.state.status}`));
  if (f.state === 'present') facts.push(fact(true, `${name} exists`, 'it exists'));
  if (f.exitCode !== undefined) {
    const done = c.state.status === 'exited';
    facts.push(
      fact(
        done && c.state.exitCode === f.exitCode,
        `it exited with code ${f.exitCode}`,
        done ? `it exited with code ${c.state.exitCode}` : `it has not exited (${c.state.status})`,
      ),
    );
  }
  if (f.oomKilled !== undefined)
    facts.push(
      fact(
        c.state.oomKilled === f.oomKilled,
        f.oomKilled ? 'the kernel killed it for running out of memory' : 'it was not OOM-killed',
        c.state.oomKilled ? 'it was OOM-killed' : 'it was not OOM-killed',
      ),
    );
  if (f.image !== undefined)
    facts.push(fact(sameImage(f.image, c.image), `it runs image ${f.image}`, `it runs image ${c.image}`));
  if (f.command !== undefined) {
    const cmd = c.cmd.join(' ');
    facts.push(fact(matches(f.command, cmd), `its command matches ${f.command}`, `its command is \`${cmd}\``));
  }
  return combine(facts);
}

export const container: CheckKind = {
  kind: 'container',
  doc: 'A container exists, runs, exited (with a code), was OOM-killed, runs an image or command.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    state: { type: { oneOf: ['absent', 'present', 'running', 'exited'] }, doc: 'expected state' },
    exitCode: { type: 'number', doc: 'exit code once exited' },
    oomKilled: { type: 'boolean', doc: 'State.OOMKilled' },
    image: { type: 'string', doc: 'image the container was created from' },
    command: { type: 'pattern', doc: 'pattern the command (entrypoint + cmd) matches' },
  },
  oneOf: ['state', 'exitCode', 'oomKilled', 'image', 'command'],
  describe: (f) => `container ${f.container}${f.state ? ` is ${f.state}` : ''}`,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ContainerFields;
    return judgeContainer(fields, await ctx.docker.inspectContainer(fields.container));
  },
};
