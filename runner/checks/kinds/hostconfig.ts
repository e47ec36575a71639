import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { formatSize } from '../values.js';
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
  readOnly?: boolean;
  restartPolicy?: string;
  logDriver?: string;
}

/** Names and IDs of containers a `container:<x>` mode may point at, resolved by the caller. */
export type Resolver = (nameOrId: string) => Promise<{ id: string; name: string } | null>;

const normCap = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

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
    const dests = c.mounts.map((m) => m.destination);
    for (const want of f.mounts)
      facts.push(fact(dests.includes(want), `a volume mounted at ${want}`, `mounts at ${dests.join(', ') || 'nothing'}`));
  }
  if (f.capAdd) {
    const have = h.capAdd.map(normCap);
    for (const want of f.capAdd)
      facts.push(fact(have.includes(normCap(want)), `capability ${normCap(want)} added`, `added capabilities: ${have.join(', ') || 'none'}`));
  }
  if (f.readOnly !== undefined)
    facts.push(
      fact(h.readonlyRootfs === f.readOnly, f.readOnly ? 'a read-only root filesystem' : 'a writable root filesystem',
        h.readonlyRootfs ? 'the root filesystem is read-only' : 'the root filesystem is writable'),
    );
  if (f.restartPolicy !== undefined)
    facts.push(fact(h.restartPolicy === f.restartPolicy, `restart policy ${f.restartPolicy}`, `restart policy ${h.restartPolicy || 'no'}`));
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
    mounts: { type: 'strings', doc: 'mount destinations inside the container' },
    capAdd: { type: 'strings', doc: '--cap-add capabilities' },
    readOnly: { type: 'boolean', doc: '--read-only' },
    restartPolicy: { type: 'string', doc: '--restart policy name' },
    logDriver: { type: 'string', doc: '--log-driver' },
  },
  oneOf: ['memory', 'memorySwap', 'cpus', 'cpuShares', 'cpusetCpus', 'networkMode', 'pidMode', 'ipcMode', 'volumesFrom', 'mounts', 'capAdd', 'readOnly', 'restartPolicy', 'logDriver'],
  describe: (f) => `container ${f.container} is configured as asked`,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as HostConfigFields;
    const resolve: Resolver = async (x) => {
      const c = await ctx.docker.inspectContainer(x);
      return c ? { id: c.id, name: c.name } : null;
    };
    return judgeHostConfig(fields, await ctx.docker.inspectContainer(fields.container), resolve);
  },
};
