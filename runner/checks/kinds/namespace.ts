import { combine, fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';

export const NAMESPACES = ['pid', 'net', 'ipc', 'uts', 'mnt', 'user', 'cgroup'] as const;

export interface NamespaceFields {
  a: string;
  b: string;
  namespaces: string[];
  shared: boolean;
}

/**
 * `pid:[4026532219]` → inode per namespace kind, as read from /proc/self/ns inside each container.
 * Not /proc/1: in a container that joined another's pid namespace, PID 1 is the other container's process.
 */
export function parseNsLinks(kinds: readonly string[], stdout: string): Map<string, string> {
  const lines = stdout.trim().split('\n');
  return new Map(kinds.map((k, i) => [k, (lines[i] ?? '').trim()]));
}

export function judgeNamespaces(f: NamespaceFields, a: Map<string, string> | string, b: Map<string, string> | string): CheckOutcome {
  const verb = f.shared ? 'shares' : 'does not share';
  if (typeof a === 'string' || typeof b === 'string')
    return { pass: false, expected: `${f.a} ${verb} its ${f.namespaces.join(', ')} namespace with ${f.b}`, found: typeof a === 'string' ? a : String(b) };
  return combine(
    f.namespaces.map((k) => {
      const same = a.get(k) !== '' && a.get(k) === b.get(k);
      return fact(
        same === f.shared,
        `${f.a} ${verb} its ${k} namespace with ${f.b}`,
        `${k}: ${f.a} is in ${a.get(k) || '?'}, ${f.b} in ${b.get(k) || '?'}${same ? ' (the same)' : ' (different)'}`,
      );
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
  evaluate: async (f, ctx) => {
    const fields = f as unknown as NamespaceFields;
    const read = async (name: string): Promise<Map<string, string> | string> => {
      const c = await ctx.docker.inspectContainer(name);
      if (!c) return `there is no container named ${name}`;
      if (!c.state.running) return `container ${name} is not running (${c.state.status})`;
      // One readlink per link: busybox's takes a single file. The shell's children share its namespaces.
      const script = fields.namespaces.map((k) => `readlink /proc/self/ns/${k}`).join(' && ');
      const r = await ctx.docker.exec(name, ['sh', '-c', script]);
      if (r.exitCode !== 0) return `cannot read /proc/self/ns in ${name}: ${r.stderr.trim()}`;
      return parseNsLinks(fields.namespaces, r.stdout);
    };
    const [a, b] = await Promise.all([read(fields.a), read(fields.b)]);
    return judgeNamespaces(fields, a, b);
  },
};
