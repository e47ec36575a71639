import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { formatRestartPolicy, formatSize, type RestartPolicy } from '../values.js';
import type { ContainerFacts } from '../../docker/port.js';
import { judgeCapAdd, judgeDevice, judgePort, judgeSecurityOpt, judgeUlimit, judgeUser, normCap, parsePort, parseUlimit } from './hostconfig-settings.js';

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
  devices?: string[];
  ports?: string[];
  pidsLimit?: number;
  ulimits?: string[];
  securityOpt?: string[];
  init?: boolean;
  user?: string;
}

/** Names and IDs of containers a `container:<x>` mode may point at, resolved by the caller. */
export type Resolver = (nameOrId: string) => Promise<{ id: string; name: string } | null>;

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

export async function judgeHostConfig(f: HostConfigFields, c: ContainerFacts | null, resolve: Resolver, passwd: string | null = null): Promise<CheckOutcome> {
  if (!c) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const h = c.hostConfig;
  const facts: Fact[] = [];
  const size = (n: number): string => (n === 0 ? 'no limit' : n === -1 ? 'unlimited' : formatSize(n));
  if (f.memory !== undefined) facts.push(fact(h.memory === f.memory, `memory limit ${size(f.memory)}`, `memory limit is ${size(h.memory)}`));
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
  if (f.cpus !== undefined) facts.push(fact(Math.abs(cpusOf(h) - f.cpus) < 1e-6, `${f.cpus} CPUs`, `${cpusOf(h) || 'no CPU quota'} CPUs`));
  if (f.cpuShares !== undefined) facts.push(fact(h.cpuShares === f.cpuShares, `cpu-shares ${f.cpuShares}`, `cpu-shares ${h.cpuShares || 'default (1024)'}`));
  if (f.cpusetCpus !== undefined) facts.push(fact(h.cpusetCpus === f.cpusetCpus, `pinned to CPUs ${f.cpusetCpus}`, `cpuset is ${h.cpusetCpus || 'all CPUs'}`));
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
    const names = await Promise.all(h.volumesFrom.map(async (v) => (await resolve(v.split(':')[0] ?? v))?.name ?? v.split(':')[0]));
    for (const want of f.volumesFrom) facts.push(fact(names.includes(want), `volumes from ${want}`, `volumes from ${names.join(', ') || 'no container'}`));
  }
  if (f.mounts) {
    const shown = c.mounts.map(
      (m) =>
        `${m.type === 'volume' && !isAnonymous(m.name) ? `${m.name}:` : m.type === 'bind' ? `${m.source}:` : ''}${m.destination}${m.type === 'volume' && isAnonymous(m.name) ? ' (anonymous volume)' : ''}`,
    );
    for (const want of f.mounts) {
      // `/dest` asks for any mount there; `name:/dest` for that named volume, `/host/path:/dest` for that bind
      // mount; `name:*` for that named volume wherever it is mounted (--volumes-from brings it at the same place).
      const i = want.endsWith(':*') ? want.length - 2 : want.lastIndexOf(':/');
      const [source, dest] = i > 0 ? [want.slice(0, i), want.slice(i + 1)] : [undefined, want];
      const ok = c.mounts.some(
        (m) => (dest === '*' || m.destination === dest) && (source === undefined || (source.startsWith('/') ? m.type === 'bind' && m.source === source : m.type === 'volume' && m.name === source)),
      );
      const at = dest === '*' ? 'anywhere' : `at ${dest}`;
      const what = source === undefined ? `a volume mounted at ${dest}` : source.startsWith('/') ? `${source} bind-mounted ${at}` : `volume ${source} mounted ${at}`;
      facts.push(fact(ok, what, `mounts: ${shown.join(', ') || 'none'}`));
    }
  }
  if (f.capAdd) facts.push(judgeCapAdd(f.capAdd, h));
  if (f.capDrop) {
    const have = h.capDrop.map(normCap);
    for (const want of f.capDrop) facts.push(fact(have.includes(normCap(want)), `capability ${normCap(want)} dropped`, `dropped capabilities: ${have.join(', ') || 'none'}`));
  }
  if (f.privileged !== undefined)
    facts.push(fact(h.privileged === f.privileged, f.privileged ? 'a privileged container' : 'not privileged', h.privileged ? 'it runs with --privileged' : 'it is not privileged'));
  if (f.readOnly !== undefined)
    facts.push(
      fact(
        h.readonlyRootfs === f.readOnly,
        f.readOnly ? 'a read-only root filesystem' : 'a writable root filesystem',
        h.readonlyRootfs ? 'the root filesystem is read-only' : 'the root filesystem is writable',
      ),
    );
  if (f.restartPolicy !== undefined) {
    const found: RestartPolicy = { name: (h.restartPolicy || 'no') as RestartPolicy['name'], maxRetries: h.restartPolicy === 'on-failure' ? h.restartRetries : undefined };
    const ok = found.name === f.restartPolicy.name && (f.restartPolicy.maxRetries === undefined || found.maxRetries === f.restartPolicy.maxRetries);
    facts.push(
      fact(
        ok,
        `restart policy ${formatRestartPolicy(f.restartPolicy)}`,
        `restart policy ${found.name === 'on-failure' && !found.maxRetries ? 'on-failure (no retry limit)' : formatRestartPolicy(found)}`,
      ),
    );
  }
  if (f.logDriver !== undefined) facts.push(fact(h.logDriver === f.logDriver, `log driver ${f.logDriver}`, `log driver ${h.logDriver}`));
  for (const d of f.devices ?? []) facts.push(judgeDevice(d, h));
  for (const p of f.ports ?? []) facts.push(judgePort(p, h));
  if (f.pidsLimit !== undefined)
    facts.push(fact(h.pidsLimit === f.pidsLimit, `a limit of ${f.pidsLimit} processes (--pids-limit)`, h.pidsLimit > 0 ? `the limit is ${h.pidsLimit}` : 'no process limit'));
  for (const u of f.ulimits ?? []) facts.push(judgeUlimit(u, h));
  for (const o of f.securityOpt ?? []) facts.push(judgeSecurityOpt(o, h));
  if (f.init !== undefined) facts.push(fact(h.init === f.init, f.init ? 'an init process as PID 1 (--init)' : 'no --init', h.init ? 'it runs with --init' : 'it runs without --init'));
  if (f.user !== undefined) facts.push(judgeUser(f.user, c.user, passwd));
  return combine(facts);
}

export const hostconfig: CheckKind = {
  kind: 'hostconfig',
  doc: 'How a container was configured (HostConfig): limits, modes, volumes-from, mounts, capabilities, read-only.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    memory: { type: 'size', doc: '-m / --memory' },
    // An engine without swap accounting ignores --memory-swap (docker run warns), so there it is not judged.
    memorySwap: { type: 'size', doc: '--memory-swap (memory plus swap)', requires: 'swap-limit' },
    cpus: { type: 'number', doc: '--cpus' },
    cpuShares: { type: 'number', doc: '--cpu-shares' },
    cpusetCpus: { type: 'string', doc: '--cpuset-cpus' },
    networkMode: { type: 'string', doc: '--net, e.g. container:web or none' },
    pidMode: { type: 'string', doc: '--pid, e.g. container:web or host' },
    ipcMode: { type: 'string', doc: '--ipc, e.g. container:a or shareable' },
    volumesFrom: { type: 'strings', doc: '--volumes-from containers' },
    mounts: { type: 'strings', doc: 'mounts: `/dest` (anything mounted there), `name:/dest` (that named volume), `/host:/dest` (that bind mount)' },
    capAdd: { type: 'strings', doc: "--cap-add: it holds these capabilities, and none beyond Docker's defaults and these" },
    capDrop: { type: 'strings', doc: '--cap-drop: these capabilities dropped (e.g. ALL)' },
    privileged: { type: 'boolean', doc: '--privileged (write false to require it is not)' },
    readOnly: { type: 'boolean', doc: '--read-only' },
    restartPolicy: { type: 'restart', doc: '--restart: no, always, unless-stopped, on-failure or on-failure:N (or { name, maxRetries })' },
    logDriver: { type: 'string', doc: '--log-driver' },
    devices: {
      type: 'strings',
      valid: (v) => (/^\/[^:]+(?::\/[^:]+(?::[rwm]+)?)?$/.test(v) ? undefined : { error: `${JSON.stringify(v)} is not a device`, fix: 'Write e.g. /dev/zero:/dev/lab-zero.' }),
      doc: '--device: `/dev/host:/dev/inside` (a bind mount of the device file does not count)',
    },
    ports: {
      type: 'strings',
      valid: (v) => (parsePort(v) ? undefined : { error: `${JSON.stringify(v)} is not a published port`, fix: 'Write e.g. 127.0.0.1:5111:5000 or 8080:80.' }),
      doc: '-p: `127.0.0.1:5111:5000` (every binding of that container port on that address and host port), `5111:5000`',
    },
    pidsLimit: { type: 'number', doc: '--pids-limit' },
    ulimits: {
      type: 'strings',
      valid: (v) => (parseUlimit(v) ? undefined : { error: `${JSON.stringify(v)} is not a ulimit`, fix: 'Write e.g. nofile=1024:2048 or nproc=64.' }),
      doc: '--ulimit: `nofile=1024:2048` (soft:hard) or `nofile=1024`',
    },
    securityOpt: { type: 'strings', doc: '--security-opt: `no-new-privileges` (any spelling), `seccomp=unconfined`, `seccomp=custom` (a profile of your own)' },
    init: { type: 'boolean', doc: '--init (write false to require it is not)' },
    user: { type: 'string', doc: "--user: `1000`, `nobody` (names and uids compare through the image's /etc/passwd), `1000:1000`" },
  },
  oneOf: [
    'memory',
    'memorySwap',
    'cpus',
    'cpuShares',
    'cpusetCpus',
    'networkMode',
    'pidMode',
    'ipcMode',
    'volumesFrom',
    'mounts',
    'capAdd',
    'capDrop',
    'privileged',
    'readOnly',
    'restartPolicy',
    'logDriver',
    'devices',
    'ports',
    'pidsLimit',
    'ulimits',
    'securityOpt',
    'init',
    'user',
  ],
  describe: (f) => withFields(`container ${f.container}`, f, ['container']),
  // Configuration fixed when the container was made: a container its restart policy keeps restarting still has it.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as HostConfigFields;
    const resolve: Resolver = async (x) => {
      const c = await ctx.docker.inspectContainer(x);
      return c ? { id: c.id, name: c.name } : null;
    };
    const c = await ctx.docker.inspectContainer(fields.container);
    // Names and uids compare through the container's own user database, read only when they differ.
    const passwd = c && fields.user !== undefined && fields.user !== c.user ? await ctx.docker.readFile(fields.container, '/etc/passwd').catch(() => null) : null;
    return judgeHostConfig(fields, c, resolve, passwd);
  },
};
