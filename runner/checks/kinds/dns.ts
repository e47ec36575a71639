import { withFields } from '../describe.js';
import { combine, fact } from '../outcome.js';
import { vantage } from './vantage.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { excerpt } from '../values.js';
import type { ExecResult } from '../../docker/port.js';

export interface DnsFields {
  name: string;
  from?: string;
  network?: string;
  resolves?: boolean;
  to?: string;
}

/** The addresses busybox nslookup printed for the name (after its "Name:" line; the server's own comes before). */
export function answeredAddresses(output: string): string[] {
  const after = output.slice(Math.max(0, output.search(/^Name:/m)));
  return [...after.matchAll(/^Address(?: \d+)?:\s*([0-9a-f.:]+)/gim)].map((m) => m[1]!);
}

/** Whether a name resolves where it is asked from; with `to`, to that container's address there. */
export function judgeDns(f: DnsFields, r: ExecResult | string, target?: { name: string; ips: readonly string[] } | string): CheckOutcome {
  const where = f.from ? `from ${f.from}` : `on network ${f.network}`;
  const want = f.resolves ?? true;
  const expected = `${f.name} ${want ? 'resolves' : 'does not resolve'} ${where}${target && typeof target !== 'string' ? ` to ${target.name} (${target.ips.join(' or ')}) and nothing else` : ''}`;
  if (typeof r === 'string') return { pass: false, expected, found: r };
  const addresses = r.exitCode === 0 ? answeredAddresses(r.stdout) : [];
  const found = addresses.length ? `it resolves to ${addresses.join(', ')}` : `it does not resolve (${excerpt(r.stdout + r.stderr, 120)})`;
  if (!want) return combine([fact(addresses.length === 0, expected, found)]);
  if (typeof target === 'string') return { pass: false, expected, found: target };
  // Every answer must be the target's: a second container answering to the same name (an alias given twice) gets a
  // share of the lookups, so some clients would bypass the target.
  const others = target ? addresses.filter((a) => !target.ips.includes(a)) : [];
  return combine([
    fact(
      addresses.length > 0 && others.length === 0 && (!target || addresses.some((a) => target.ips.includes(a))),
      expected,
      others.length && addresses.length > others.length ? `${found}: ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} another container answering to the same name` : found,
    ),
  ]);
}

export const dns: CheckKind = {
  kind: 'dns',
  doc: "A name resolves (or not) from inside a container's network namespace, or on a network; optionally to a given container's address there.",
  fields: {
    name: { type: 'string', required: true, doc: 'the name to look up' },
    from: { type: 'string', doc: 'container whose network namespace (and resolver) asks' },
    network: { type: 'string', doc: 'network a helper container asks on (bridge: the default one, which has no DNS by name)' },
    resolves: { type: 'boolean', doc: 'false: the name must not resolve (default true)' },
    to: { type: 'string', doc: 'container whose address on that network it must resolve to, and to nothing else' },
  },
  oneOf: ['from', 'network'],
  describe: (f) => withFields(`${f.name} ${f.resolves === false ? 'does not resolve' : 'resolves'} ${f.from ? `from ${f.from}` : `on ${f.network}`}`, f, ['name', 'from', 'network', 'resolves']),
  settles: (f) => ({ containers: f.from ? [String(f.from)] : [], repeat: false }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as DnsFields;
    const at = await vantage(fields, ctx);
    if ('problem' in at) return judgeDns(fields, at.problem);
    const networkMode = at.networkMode;
    // The network whose address `to` must resolve to; a container that joined another's namespace has none of its own.
    const networkOf = at.from ? Object.keys(at.from.networks)[0] : fields.network;
    let target: { name: string; ips: string[] } | string | undefined;
    if (fields.to) {
      const t = await ctx.docker.inspectContainer(fields.to);
      const ips = !t
        ? []
        : networkOf
          ? [t.networks[networkOf]?.ip ?? ''].filter(Boolean)
          : Object.values(t.networks)
              .map((n) => n.ip)
              .filter(Boolean);
      target = ips.length ? { name: fields.to, ips } : t ? `${fields.to} has no address on ${networkOf ?? 'any network'}` : `there is no container named ${fields.to}`;
    }
    const r = await ctx.docker.runHelper({ image: ctx.helperImage, cmd: ['nslookup', fields.name], labels: ctx.labels, networkMode, timeoutMs: 15_000 });
    return judgeDns(fields, r, target);
  },
};
