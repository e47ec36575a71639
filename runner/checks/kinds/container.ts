import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import type { CheckContext, CheckKind, CheckOutcome } from '../types.js';
import { dockerSize, formatSize, matches } from '../values.js';
import type { ContainerFacts } from '../../docker/port.js';
import { flapping } from '../flapping.js';

export interface ContainerFields {
  container: string;
  state?: 'absent' | 'present' | 'running' | 'exited';
  exitCode?: number;
  oomKilled?: boolean;
  image?: string;
  command?: string;
  maxWritable?: number;
  minWritable?: number;
  maxLifetime?: number;
  labels?: string[];
  detached?: boolean;
  commandIsPid1?: boolean;
}

/** Facts a container check may need besides inspect: only measured when a field asks. */
export interface ContainerExtras {
  readonly writable?: number | null;
  /** PID 1's argument list inside the container (/proc/1/cmdline), or why it could not be read. */
  readonly pid1?: readonly string[] | string;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * Whether PID 1 inside is the command the container was started with: the same program, or, for `sh -c 'prog …'`,
 * the program the shell replaced itself with. `--init` puts docker-init there instead.
 */
export function isCommandPid1(cmd: readonly string[], pid1: readonly string[]): boolean {
  if (!cmd.length || !pid1.length) return false;
  if (base(pid1[0]!) === base(cmd[0]!)) return true;
  const [shell, flag, script] = cmd;
  return SHELLS.has(base(shell!)) && flag === '-c' && script !== undefined && pid1.join(' ') === script.trim();
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** An image reference as written by hand: without the default registry's name (Podman reports docker.io/…). */
const shortRef = (ref: string): string => ref.replace(/^(docker\.io|localhost)\//, '').replace(/^library\//, '');

const sameImage = (wantRef: string, foundRef: string): boolean => {
  const [want, found] = [shortRef(wantRef), shortRef(foundRef)];
  return found === want || found === `${want}:latest` || want === `${found}:latest`;
};

/** Judges a container's existence, state, exit code, OOM kill, image and command. */
export function judgeContainer(f: ContainerFields, c: ContainerFacts | null, extras: ContainerExtras = {}, now = Date.now()): CheckOutcome {
  const name = `container ${f.container}`;
  if (f.state === 'absent') return combine([fact(c === null, `${name} is gone`, `${name} still exists (${c?.state.status})`)]);
  if (!c) return { pass: false, expected: `${name} exists`, found: `there is no container named ${f.container}` };
  const facts: Fact[] = [];
  if (f.state === 'running') {
    const restarting = flapping(c, now);
    facts.push(fact(c.state.running && !restarting, `${name} is running`, restarting ?? `it is ${c.state.status}`));
  }
  if (f.state === 'exited') facts.push(fact(c.state.status === 'exited', `${name} has exited`, `it is ${c.state.status}`));
  if (f.state === 'present') facts.push(fact(true, `${name} exists`, 'it exists'));
  if (f.exitCode !== undefined) {
    const done = c.state.status === 'exited';
    facts.push(fact(done && c.state.exitCode === f.exitCode, `it exited with code ${f.exitCode}`, done ? `it exited with code ${c.state.exitCode}` : `it has not exited (${c.state.status})`));
  }
  if (f.oomKilled !== undefined)
    facts.push(
      fact(
        c.state.oomKilled === f.oomKilled,
        f.oomKilled ? 'the kernel killed it for running out of memory' : 'it was not OOM-killed',
        c.state.oomKilled ? 'it was OOM-killed' : 'it was not OOM-killed',
      ),
    );
  if (f.image !== undefined) facts.push(fact(sameImage(f.image, c.image), `it runs image ${f.image}`, `it runs image ${c.image}`));
  if (f.command !== undefined) {
    const cmd = c.cmd.join(' ');
    facts.push(fact(matches(f.command, cmd), `its command matches ${f.command}`, `its command is \`${cmd}\``));
  }
  if (f.maxWritable !== undefined || f.minWritable !== undefined) {
    const w = extras.writable ?? 0;
    if (f.maxWritable !== undefined) facts.push(fact(w <= f.maxWritable, `its own writable layer holds at most ${formatSize(f.maxWritable)}`, `it holds ${dockerSize(w)} as docker ps -s shows it`));
    if (f.minWritable !== undefined) facts.push(fact(w >= f.minWritable, `its own writable layer holds at least ${formatSize(f.minWritable)}`, `it holds ${dockerSize(w)} as docker ps -s shows it`));
  }
  for (const want of f.labels ?? []) {
    const i = want.indexOf('=');
    const [key, value] = i < 0 ? [want, undefined] : [want.slice(0, i), want.slice(i + 1)];
    const have = c.labels[key];
    facts.push(
      fact(
        have !== undefined && (value === undefined || have === value),
        `it carries the label ${want}`,
        have === undefined ? `it has no label ${key}` : `its label ${key} is ${JSON.stringify(have)}`,
      ),
    );
  }
  if (f.detached !== undefined)
    facts.push(
      fact(
        c.attachedOutput !== f.detached,
        f.detached ? 'it was started detached (-d)' : 'docker run stayed attached to its output (no -d)',
        c.attachedOutput ? 'it ran attached to the terminal' : 'it was started detached (-d): docker run returned before the command ran',
      ),
    );
  if (f.commandIsPid1) {
    const cmd = c.cmd.join(' ');
    const p = extras.pid1;
    facts.push(
      typeof p === 'string' || p === undefined
        ? fact(false, `PID 1 inside is its command (${cmd})`, p ?? "PID 1's command line could not be read")
        : fact(isCommandPid1(c.cmd, p), `PID 1 inside is its command (${cmd})`, `PID 1 is \`${p.join(' ')}\`${c.hostConfig.init ? ' (--init puts a tiny init first)' : ''}`),
    );
  }
  if (f.maxLifetime !== undefined) {
    const end = Date.parse(c.state.finishedAt);
    const life = c.state.status === 'exited' && end > 0 ? end - c.created : undefined;
    facts.push(
      fact(
        life !== undefined && life <= f.maxLifetime,
        `it went from created to exited within ${seconds(f.maxLifetime)}`,
        life === undefined ? `it has not exited (${c.state.status})` : `it took ${seconds(life)} from created to exited`,
      ),
    );
  }
  return combine(facts);
}

async function readPid1(ctx: CheckContext, c: ContainerFacts): Promise<readonly string[] | string> {
  if (!c.state.running) return `it is not running (${c.state.status})`;
  const r = await ctx.docker.exec(c.name, ['cat', '/proc/1/cmdline'], 10_000).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
  if (r.exitCode !== 0) return `PID 1's command line could not be read (${r.stderr.trim() || `exit ${r.exitCode}`})`;
  return r.stdout.split('\0').filter(Boolean);
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
    maxWritable: { type: 'size', doc: 'largest size of its own writable layer (docker ps -s)' },
    minWritable: { type: 'size', doc: 'smallest size of its own writable layer' },
    maxLifetime: { type: 'duration', doc: 'longest time from created to exited (measured by the engine)' },
    labels: { type: 'strings', doc: 'labels it carries: `key=value`, or `key` with any value (who made it: a sidekick its watcher labelled)' },
    detached: { type: 'boolean', doc: 'true: started with -d; false: docker run stayed attached to its output' },
    commandIsPid1: { type: 'boolean', doc: 'true: PID 1 inside the (running) container is its own command, not an init or another program' },
  },
  oneOf: ['state', 'exitCode', 'oomKilled', 'image', 'command', 'maxWritable', 'minWritable', 'maxLifetime', 'labels', 'detached', 'commandIsPid1'],
  describe: (f) => withFields(`container ${f.container}${f.state ? ` is ${f.state}` : ''}`, f, ['container', 'state']),
  // Running is judged only when no restart loop is bringing it back for a moment; a size limit waits for writes to stop.
  settles: (f) => ({ containers: f.state === 'running' || f.commandIsPid1 ? [String(f.container)] : [], repeat: f.maxWritable !== undefined || f.minWritable !== undefined }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ContainerFields;
    const measure = fields.maxWritable !== undefined || fields.minWritable !== undefined;
    const [facts, writable] = await Promise.all([ctx.docker.inspectContainer(fields.container), measure ? ctx.docker.writableSize(fields.container) : Promise.resolve(undefined)]);
    const pid1 = fields.commandIsPid1 && facts ? await readPid1(ctx, facts) : undefined;
    return judgeContainer(fields, facts, { writable, pid1 });
  },
};
