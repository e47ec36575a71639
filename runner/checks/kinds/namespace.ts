import { combine, fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';

export const NAMESPACES = ['pid', 'net', 'ipc', 'uts', 'mnt', 'user', 'cgroup'] as const;

export interface NamespaceFields {
  a: string;
  b: string;
  namespaces: string[];
  shared: boolean;
}

export function judgeNamespaces(f: NamespaceFields, a: Map<string, string> | string, b: Map<string, string> | string): CheckOutcome {
  const verb = f.shared ? 'shares' : 'does not share';
  if (typeof a === 'string' || typeof b === 'string')
    return { pass: false, expected: `${f.a} ${verb} its ${f.namespaces.join(', ')} namespace with ${f.b}`, found: typeof a === 'string' ? a : String(b) };
  return combine(
    f.namespaces.map((k) => {
      const same = a.get(k) !== '' && a.get(k) === b.get(k);
      return fact(same === f.shared, `${f.a} ${verb} its ${k} namespace with ${f.b}`, `${k}: ${f.a} is in ${a.get(k) || '?'}, ${f.b} in ${b.get(k) || '?'}${same ? ' (the same)' : ' (different)'}`);
    }),
  );
}

export const namespace: CheckKind = {
  kind: 'namespace',
  doc: 'Two running containers share (or do not share) namespaces, by comparing namespace inodes (/proc/self/ns/<kind>) seen inside each.',
  fields: {
    a: { type: 'string', required: true, doc: 'first container' },
    b: { type: 'string', required: true, doc: 'second container' },
    namespaces: { type: 'strings', required: true, doc: `namespace kinds: ${NAMESPACES.join(', ')}` },
    shared: { type: 'boolean', required: true, doc: 'true: same inodes; false: different inodes' },
  },
  describe: (f) => `${f.a} and ${f.b} ${f.shared ? 'share' : 'do not share'} ${(f.namespaces as string[]).join(', ')}`,
  // A container brought back by its restart policy gets new namespaces: judge only ones that stay up.
  settles: (f) => ({ containers: [String(f.a), String(f.b)], repeat: false }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as NamespaceFields;
    // Both must run before anything is read: a step's "before" judgement then costs two inspects.
    const [ca, cb] = await Promise.all([ctx.docker.inspectContainer(fields.a), ctx.docker.inspectContainer(fields.b)]);
    const problem = (name: string, c: typeof ca) => (!c ? `there is no container named ${name}` : !c.state.running ? `container ${name} is not running (${c.state.status})` : undefined);
    const early = problem(fields.a, ca) ?? problem(fields.b, cb);
    if (early) return judgeNamespaces(fields, early, early);
    const read = async (c: NonNullable<typeof ca>) => new Map(Object.entries(await ctx.docker.readNamespaces(c, fields.namespaces)));
    const [a, b] = await Promise.all([read(ca!), read(cb!)]);
    return judgeNamespaces(fields, a, b);
  },
};
