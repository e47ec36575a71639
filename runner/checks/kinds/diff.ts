import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';

export interface DiffFields {
  container: string;
  contains?: string[];
  empty?: boolean;
}

type Change = { kind: 'A' | 'C' | 'D'; path: string };
/** In path order: the engine lists changes in no fixed order, and a settled finding must read the same twice. */
const show = (unordered: readonly Change[]): string => {
  const cs = [...unordered].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return cs.length === 0
    ? 'no changes'
    : `${cs
        .slice(0, 8)
        .map((c) => `${c.kind} ${c.path}`)
        .join(', ')}${cs.length > 8 ? ` and ${cs.length - 8} more` : ''}`;
};

/** Judges `docker diff`: entries written like the CLI prints them (`A /root/new.txt`, `C /etc`, `D /etc/issue.net`). */
export function judgeDiff(f: DiffFields, changes: readonly Change[] | null): CheckOutcome {
  if (changes === null) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const facts: Fact[] = [];
  const listed = new Set(changes.map((c) => `${c.kind} ${c.path}`));
  for (const want of f.contains ?? []) facts.push(fact(listed.has(want), `docker diff ${f.container} lists ${want}`, `it lists ${show(changes)}`));
  if (f.empty !== undefined)
    facts.push(fact((changes.length === 0) === f.empty, f.empty ? `${f.container} changed nothing in its filesystem` : `${f.container} changed its filesystem`, `docker diff lists ${show(changes)}`));
  return combine(facts);
}

export const diff: CheckKind = {
  kind: 'diff',
  doc: 'What a container changed in its own writable layer (docker diff), read through the API.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    contains: { type: 'strings', doc: 'entries as docker diff prints them: A /path, C /path, D /path' },
    empty: { type: 'boolean', doc: 'true: nothing changed; false: something changed' },
  },
  oneOf: ['contains', 'empty'],
  describe: (f) => withFields(`docker diff ${f.container}`, f, ['container']),
  // Whether a container wrote nothing can change while its processes run: that reading must hold twice. A listed
  // entry only needs to be there (others may come and go beside it).
  settles: (f) => ({ containers: [], repeat: f.empty !== undefined }),
  evaluate: async (f, ctx) => judgeDiff(f as unknown as DiffFields, await ctx.docker.containerChanges(String(f.container))),
};
