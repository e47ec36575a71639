import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { formatRestartPolicy, formatSize, type RestartPolicy } from '../values.js';
import type { ContainerFacts } from '../../docker/port.js';

export interface HostConfigFields {
  container: string;
  memory?: number;
  memorySwap?: number;
  cpus?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  networkMode?: string;
  pidMode?: string;
  ipcMode?: string;
  volumesFrom?: string[];
  mounts?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  restartPolicy?: RestartPolicy;
  logDriver?: string;
}

/** Names and IDs of containers a `container:<x>` mode may point at, resolved by the caller. */
export type Resolver = (nameOrId: string) => Promise<{ id: string; name: string } | null>;

const normCap = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');
const isAnonymous = (name: string | undefined): boolean => !name || /^[0-9a-f]{64}$/.test(name);

function cpusOf(h: ContainerFacts['hostConfig']): number {
  if (h.nanoCpus) return h.nanoCpus / 1e9;
  if (h.cpuQuota > 0) return h.cpuQuota / (h.cpuPeriod || 100_000);
  return 0;
}

/** `container:web` matches `container:<web's id>` and vice versa. */
async function sameMode(want: string, found: string, resolve: Resolver): Promise<boolean> {
  if (want === found) return true;
  const [wk, wv] = splitMode(want);
  const [fk, fv] = splitMode(found);
  if (wk !== 'container' || fk !== 'container' || !wv || !fv) return false;
  const [a, b] = await Promise.all([resolve(wv), resolve(fv)]);
  return a !== null && b !== null && a.id === b.id;
}

function splitMode(mode: string): [string, string | undefined] {
  const i = mode.indexOf(':');
  return i < 0 ? [mode, undefined] : [mode.slice(0, i), mode.slice(i + 1)];
}

async function describeMode(mode: string, resolve: Resolver): Promise<string> {
  const [k, v] = splitMode(mode);
  if (k !== 'container' || !v) return mode || '(default)';
  const target = await resolve(v);
  return `container:${target ? target.name : v}`;
}

export async function judgeHostConfig(
  f: HostConfigFields,
  c: ContainerFacts | null,
  resolve: Resolver,
): Promise<CheckOutcome> {
  if (!c) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const h = c.hostConfig;
  const facts: Fact[] = [];
  const size = (n: number): string => (n === 0 ? 'no limit' : n === -1 ? 'unlimited' : formatSize(n));
  if (f.memory !== undefined)
    facts.push(fact(h.memory === f.memory, `memory limit ${size(f.memory)}`, `memory limit is ${size(h.memory)}`));
  if (f.memorySwap !== undefined)
    facts.push(
      fact(
        h.memorySwap === f.memorySwap,
        `memory+swap limit ${size(f.memorySwap)}`,
        `memory+swap limit is ${size(h.memorySwap)}${
          h.memory > 0 && (h.memorySwap === 0 || h.memorySwap === 2 * h.memory) ? ' (swap adds as much again as the memory limit: --memory-swap was left out)' : ''
        }`,
      ),
    );
  if (f.cpus !== undefined)
    facts.push(fact(Math.abs(cpusOf(h) - f.cpus) < 1e-6, `${f.cpus} CPUs`, `${cpusOf(h) || 'no CPU quota'} CPUs`));
  if (f.cpuShares !== undefined)
    facts.push(fact(h.cpuShares === f.cpuShares, `cpu-shares ${f.cpuShares}`, `cpu-shares ${h.cpuShares || 'default (1024)'}`));
  if (f.cpusetCpus !== undefined)
    facts.push(fact(h.cpusetCpus === f.cpusetCpus, `pinned to CPUs ${f.cpusetCpus}`, `cpuset is ${h.cpusetCpus || 'all CPUs'}`));
  for (const [field, value, label] of [
    ['networkMode', h.networkMode, 'network mode'],
    ['pidMode', h.pidMode, 'pid mode'],
    ['ipcMode', h.ipcMode, 'ipc mode'],
  ] as const) {
    const want = f[field];
    if (want === undefined) continue;
    facts.push(fact(await sameMode(want, value, resolve), `${label} ${want}`, `${label} is ${await describeMode(value, resolve)}`));
  }
  if (f.volumesFrom) {
    const names = await Promise.all(
      h.volumesFrom.map(async (v) => (await resolve(v.split(':')[0] ?? v))?.name ?? v.split(':')[0]),
    );
    for (const want of f.volumesFrom)
      facts.push(fact(names.includes(want), `volumes from ${want}`, `volumes from ${names.join(', ') || 'no container'}`));
  }
  if (f.mounts) {
    const shown = c.mounts.map((m) => `${m.type === 'volume' && !isAnonymous(m.name) ? `${m.name}:` : m.type === 'bind' ? `${m.source}:` : ''}${m.destination}${m.type === 'volume' && isAnonymous(m.name) ? ' (anonymous volume)' : ''}`);
    for (const want of f.mounts) {
      // `/dest` asks for any mount there; `name:/dest` for that named volume, `/host/path:/dest` for that bind mount.
      const i = want.lastIndexOf(':/');
      const [source, dest] = i > 0 ? [want.slice(0, i), want.slice(i + 1)] : [undefined, want];
      const ok = c.mounts.some((m) =>
        m.destination === dest && (source === undefined || (source.startsWith('/') ? m.type === 'bind' && m.source === source : m.type === 'volume' && m.name === source)),
      );
      const what = source === undefined ? `a volume mounted at ${dest}` : source.startsWith('/') ? `${source} bind-mounted at ${dest}` : `volume ${source} mounted at ${dest}`;
      facts.push(fact(ok, what, `mounts: ${shown.join(', ') || 'none'}`));
    }
  }
  if (f.capAdd) {
    // Exactly these and no more: a capability the lesson did not ask for is a wrong answer, not a bonus.
    const have = [...new Set(h.capAdd.map(normCap))].sort();
    const want = [...new Set(f.capAdd.map(normCap))].sort();
    facts.push(fact(have.join() === want.join(), `exactly the capabilities ${want.join(', ')} added`, `added capabilities: ${have.join(', ') || 'none'}`));
  }
  if (f.capDrop) {
    const have = h.capDrop.map(normCap);
    for (const want of f.capDrop)
      facts.push(fact(have.includes(normCap(want)), `capability ${normCap(want)} dropped`, `dropped capabilities: ${have.join(', ') || 'none'}`));
  }
  if (f.privileged !== undefined)
    facts.push(fact(h.privileged === f.privileged, f.privileged ? 'a privileged container' : 'not privileged', h.privileged ? 'it runs with --privileged' : 'it is not privileged'));
  if (f.readOnly !== undefined)
    facts.push(
      fact(h.readonlyRootfs === f.readOnly, f.readOnly ? 'a read-only root filesystem' : 'a writable root filesystem',
        h.readonlyRootfs ? 'the root filesystem is read-only' : 'the root filesystem is writable'),
    );
  if (f.restartPolicy !== undefined) {
    const found: RestartPolicy = { name: (h.restartPolicy || 'no') as RestartPolicy['name'], maxRetries: h.restartPolicy === 'on-failure' ? h.restartRetries : undefined };
    const ok = found.name === f.restartPolicy.name && (f.restartPolicy.maxRetries === undefined || found.maxRetries === f.restartPolicy.maxRetries);
    facts.push(fact(ok, `restart policy ${formatRestartPolicy(f.restartPolicy)}`, `restart policy ${found.name === 'on-failure' && !found.maxRetries ? 'on-failure (no retry limit)' : formatRestartPolicy(found)}`));
  }
  if (f.logDriver !== undefined)
    facts.push(fact(h.logDriver === f.logDriver, `log driver ${f.logDriver}`, `log driver ${h.logDriver}`));
  return combine(facts);
}

export const hostconfig: CheckKind = {
  kind: 'hostconfig',
  doc: 'How a container was configured (HostConfig): limits, modes, volumes-from, mounts, capabilities, read-only.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    memory: { type: 'size', doc: '-m / --memory' },
    memorySwap: { type: 'size', doc: '--memory-swap (memory plus swap)' },
    cpus: { type: 'number', doc: '--cpus' },
    cpuShares: { type: 'number', doc: '--cpu-shares' },
    cpusetCpus: { type: 'string', doc: '--cpuset-cpus' },
    networkMode: { type: 'string', doc: '--net, e.g. container:web or none' },
    pidMode: { type: 'string', doc: '--pid, e.g. container:web or host' },
    ipcMode: { type: 'string', doc: '--ipc, e.g. container:a or shareable' },
    volumesFrom: { type: 'strings', doc: '--volumes-from containers' },
    mounts: { type: 'strings', doc: 'mounts: `/dest` (anything mounted there), `name:/dest` (that named volume), `/host:/dest` (that bind mount)' },
    capAdd: { type: 'strings', doc: '--cap-add: exactly these capabilities added, no more' },
    capDrop: { type: 'strings', doc: '--cap-drop: these capabilities dropped (e.g. ALL)' },
    privileged: { type: 'boolean', doc: '--privileged (write false to require it is not)' },
    readOnly: { type: 'boolean', doc: '--read-only' },
    restartPolicy: { type: 'restart', doc: '--restart: no, always, unless-stopped, on-failure or on-failure:N (or { name, maxRetries })' },
    logDriver: { type: 'string', doc: '--log-driver' },
  },
  oneOf: ['memory', 'memorySwap', 'cpus', 'cpuShares', 'cpusetCpus', 'networkMode', 'pidMode', 'ipcMode', 'volumesFrom', 'mounts', 'capAdd', 'capDrop', 'privileged', 'readOnly', 'restartPolicy', 'logDriver'],
  describe: (f) => withFields(`container ${f.container}`, f, ['container']),
  // Configuration fixed when the container was made: a container its restart policy keeps restarting still has it.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as HostConfigFields;
    const resolve: Resolver = async (x) => {
      const c = await ctx.docker.inspectContainer(x);
      return c ? { id: c.id, name: c.name } : null;
    };
    return judgeHostConfig(fields, await ctx.docker.inspectContainer(fields.container), resolve);
  },
};
