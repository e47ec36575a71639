/**
 * Pure judgements of the hostconfig settings that several spellings reach: capabilities as the container really
 * holds them, published ports with their host address, devices, ulimits, security options and the user.
 */
import { fact, type Fact } from '../outcome.js';
import type { ContainerFacts } from '../../docker/port.js';

type HostConfig = ContainerFacts['hostConfig'];

/** The capabilities Docker gives every container unless told otherwise (moby's default set). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

export const normCap = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

/** What the container's processes hold: the default set, less what was dropped, plus what was added. */
export function effectiveCapabilities(h: HostConfig): { all: boolean; caps: string[] } {
  const add = h.capAdd.map(normCap);
  const drop = h.capDrop.map(normCap);
  if (h.privileged || add.includes('ALL')) return { all: true, caps: [] };
  const base = drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  return { all: false, caps: [...new Set([...base, ...add])].sort() };
}

/**
 * `capAdd: [NET_RAW, NET_ADMIN]`: the container holds each of these, and nothing beyond Docker's defaults and
 * these. `--cap-add NET_ADMIN` alone passes (NET_RAW is a default), one more capability or `--cap-add ALL` fails.
 */
export function judgeCapAdd(want: readonly string[], h: HostConfig): Fact {
  const wanted = [...new Set(want.map(normCap))].sort();
  const eff = effectiveCapabilities(h);
  const expected = `it holds ${wanted.join(', ')}, and no capability beyond Docker's defaults and ${wanted.length === 1 ? 'that one' : 'those'}`;
  if (eff.all) return fact(false, expected, h.privileged ? 'it runs with --privileged: every capability' : 'it was given every capability (--cap-add ALL)');
  const missing = wanted.filter((c) => !eff.caps.includes(c));
  const extra = eff.caps.filter((c) => !DEFAULT_CAPABILITIES.includes(c) && !wanted.includes(c));
  const added = [...new Set(h.capAdd.map(normCap))].sort();
  const found = [
    `added capabilities: ${added.join(', ') || 'none'}`,
    missing.length ? `it lacks ${missing.join(', ')}${h.capDrop.length ? ` (dropped: ${h.capDrop.map(normCap).join(', ')})` : ''}` : '',
    extra.length ? `${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} more than the step needs` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return fact(missing.length === 0 && extra.length === 0, expected, found);
}

const isLoopback = (ip: string): boolean => /^127\./.test(ip) || ip === '::1' || ip === '[::1]';

/** `127.0.0.1:5111:5000`, `5111:5000`, `5111:5000/udp`: host address (optional), host port, container port. */
export function parsePort(spec: string): { ip?: string; hostPort: string; port: string } | undefined {
  const m = /^(?:(\[[0-9a-f:]+\]|[0-9.]+):)?(\d+):(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(spec.trim());
  if (!m) return undefined;
  return { ip: m[1]?.replace(/^\[|\]$/g, ''), hostPort: m[2]!, port: `${m[3]}/${(m[4] ?? 'tcp').toLowerCase()}` };
}

/**
 * Every binding of the container port is on that host port, and with an address, on that address only: a port
 * published on every interface where the step wants loopback fails. A loopback address accepts any loopback.
 */
export function judgePort(spec: string, h: HostConfig): Fact {
  const p = parsePort(spec)!;
  const bindings = h.portBindings[p.port] ?? [];
  const where = p.ip ? `${p.ip} port ${p.hostPort}` : `port ${p.hostPort}`;
  const expected = `container port ${p.port} published on ${where}${p.ip ? ' only' : ''}`;
  const shown = Object.entries(h.portBindings)
    .flatMap(([port, bs]) => bs.map((b) => `${b.hostIp || 'every interface'}:${b.hostPort || '(any port)'}->${port}`))
    .join(', ');
  const ipOk = (ip: string): boolean => !p.ip || ip === p.ip || (isLoopback(p.ip) && isLoopback(ip));
  const ok = bindings.length > 0 && bindings.every((b) => b.hostPort === p.hostPort && ipOk(b.hostIp));
  const allInterfaces = p.ip && bindings.some((b) => !b.hostIp || b.hostIp === '0.0.0.0' || b.hostIp === '::');
  return fact(ok, expected, `published: ${shown || 'nothing'}${allInterfaces ? ' (on every interface: anyone who reaches this machine reaches it)' : ''}`);
}

/** `/dev/zero:/dev/lab-zero` (host path, path inside; the inside path defaults to the host's). */
export function judgeDevice(spec: string, h: HostConfig): Fact {
  const [host, inside = host, perms] = spec.split(':');
  const ok = h.devices.some((d) => d.host === host && d.container === inside && (!perms || [...perms].every((x) => d.permissions.includes(x))));
  const shown = h.devices.map((d) => `${d.host}:${d.container}`).join(', ');
  return fact(ok, `device ${host} given as ${inside} (--device)`, `devices: ${shown || 'none (a bind mount of a device file is not --device)'}`);
}

/** `nofile=1024:2048` or `nofile=1024` (soft and hard the same). */
export function parseUlimit(spec: string): { name: string; soft: number; hard: number } | undefined {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(spec.trim());
  if (!m) return undefined;
  return { name: m[1]!, soft: Number(m[2]), hard: Number(m[3] ?? m[2]) };
}

export function judgeUlimit(spec: string, h: HostConfig): Fact {
  const want = parseUlimit(spec)!;
  const have = h.ulimits.find((u) => u.name === want.name);
  const shown = h.ulimits.map((u) => `${u.name}=${u.soft}:${u.hard}`).join(', ');
  return fact(Boolean(have && have.soft === want.soft && have.hard === want.hard), `ulimit ${want.name}=${want.soft}:${want.hard}`, `ulimits: ${shown || 'the engine defaults'}`);
}

/** A security option as key and value: `no-new-privileges`, `no-new-privileges:true` and `=true` are one. */
export function securityOption(opt: string): { key: string; value: string } {
  const i = opt.search(/[=:]/);
  const [key, value] = i < 0 ? [opt, ''] : [opt.slice(0, i), opt.slice(i + 1)];
  const k = key.trim().toLowerCase();
  return { key: k, value: k === 'no-new-privileges' && (value === '' || value === 'true') ? 'true' : value.trim() };
}

export function judgeSecurityOpt(want: string, h: HostConfig): Fact {
  const w = securityOption(want);
  const have = h.securityOpt.map(securityOption);
  // A seccomp profile is kept as its JSON text: `seccomp=custom` asks for any profile of the learner's own.
  const ok = have.some((o) => o.key === w.key && (o.value === w.value || (w.key === 'seccomp' && w.value === 'custom' && o.value.startsWith('{'))));
  const shown = have.map((o) => (o.value.startsWith('{') ? `${o.key}=(a profile)` : o.value ? `${o.key}=${o.value}` : o.key)).join(', ');
  return fact(ok, `security option ${want}`, `security options: ${shown || 'none'}`);
}

/** The user part of `--user` (`1000`, `1000:1000`, `nobody`, `nobody:nogroup`), as uid where /etc/passwd knows it. */
export function judgeUser(want: string, found: string, passwd: string | null): Fact {
  const uidOf = (u: string): string => {
    const name = u.split(':')[0] ?? '';
    if (/^\d+$/.test(name)) return name;
    const line = (passwd ?? '').split('\n').find((l) => l.split(':')[0] === name);
    return line?.split(':')[2] ?? name;
  };
  const groupAsked = want.includes(':');
  const ok = groupAsked ? want === found || (uidOf(want) === uidOf(found) && want.split(':')[1] === found.split(':')[1]) : uidOf(want) === uidOf(found || 'root');
  return fact(ok, `it runs as user ${want}`, `it runs as ${found ? `user ${found}` : 'root (no --user, and the image sets no USER)'}`);
}
