import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { excerpt, matches } from '../values.js';

export interface LogsFields {
  container: string;
  contains?: string;
  notContains?: string;
  countOf?: string;
  count?: number;
}

/** How many lines match a pattern. */
export function countLines(pattern: string, text: string): number {
  return text.split('\n').filter((l) => matches(pattern, l)).length;
}

export function judgeLogs(f: LogsFields, logs: string | null): CheckOutcome {
  if (logs === null) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const facts: Fact[] = [];
  if (f.contains !== undefined)
    facts.push(fact(matches(f.contains, logs), `its logs contain ${f.contains}`, `its logs end with: ${excerpt(logs.slice(-400))}`));
  if (f.notContains !== undefined)
    facts.push(fact(!matches(f.notContains, logs), `its logs do not contain ${f.notContains}`, `its logs end with: ${excerpt(logs.slice(-400))}`));
  if (f.countOf !== undefined) {
    const n = countLines(f.countOf, logs);
    facts.push(fact(n === (f.count ?? 1), `exactly ${f.count ?? 1} log lines match ${f.countOf}`, `${n} do`));
  }
  return combine(facts);
}

export const logs: CheckKind = {
  kind: 'logs',
  doc: "A container's logs (as the engine keeps them) contain, or do not contain, a pattern.",
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    contains: { type: 'pattern', doc: 'pattern the logs match' },
    notContains: { type: 'pattern', doc: 'pattern the logs must not match' },
    countOf: { type: 'pattern', doc: 'pattern whose matching lines are counted' },
    count: { type: 'number', doc: 'how many lines must match countOf (default 1)' },
  },
  oneOf: ['contains', 'notContains', 'countOf'],
  describe: (f) => withFields(`logs of ${f.container}`, f, ['container']),
  settles: (f) => (f.countOf !== undefined ? { containers: [String(f.container)], repeat: true } : FIXED),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as LogsFields;
    const c = await ctx.docker.inspectContainer(fields.container);
    return judgeLogs(fields, c ? await ctx.docker.logs(fields.container) : null);
  },
};
