import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED, type Measurements } from '../types.js';
import { excerpt, matches } from '../values.js';

export interface LogsFields {
  container: string;
  contains?: string;
  notContains?: string;
  countOf?: string;
  count?: number;
  minCount?: number;
  maxCount?: number;
  record?: string;
  since?: string;
  fewerThan?: string;
}

/** How many lines match a pattern. */
export function countLines(pattern: string, text: string): number {
  return text.split('\n').filter((l) => matches(pattern, l)).length;
}

export function judgeLogs(f: LogsFields, logs: string | null, measurements?: Measurements): CheckOutcome {
  if (logs === null) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const facts: Fact[] = [];
  if (f.contains !== undefined) facts.push(fact(matches(f.contains, logs), `its logs contain ${f.contains}`, `its logs end with: ${excerpt(logs.slice(-400))}`));
  if (f.notContains !== undefined) facts.push(fact(!matches(f.notContains, logs), `its logs do not contain ${f.notContains}`, `its logs end with: ${excerpt(logs.slice(-400))}`));
  if (f.countOf !== undefined) {
    const total = countLines(f.countOf, logs);
    const recorded = (name: string | undefined) => (name === undefined ? undefined : measurements?.get(`logs:${name}`));
    const base = recorded(f.since);
    if (f.since !== undefined && base === undefined)
      return combine([...facts, fact(false, `log lines matching ${f.countOf} since "${f.since}"`, `nothing was recorded as "${f.since}" in this session: do that step first`)]);
    const n = total - (base ?? 0);
    const lines = `log lines match ${f.countOf}${f.since !== undefined ? ` since "${f.since}"` : ''}`;
    const found = `${n} do${f.since !== undefined ? ` (${total} in all, ${base} before)` : ''}`;
    const ranged = f.minCount !== undefined || f.maxCount !== undefined || f.fewerThan !== undefined;
    if (!ranged) facts.push(fact(n === (f.count ?? 1), `exactly ${f.count ?? 1} ${lines}`, found));
    if (f.minCount !== undefined) facts.push(fact(n >= f.minCount, `at least ${f.minCount} ${lines}`, found));
    if (f.maxCount !== undefined) facts.push(fact(n <= f.maxCount, `at most ${f.maxCount} ${lines}`, found));
    if (f.fewerThan !== undefined) {
      const than = recorded(f.fewerThan);
      facts.push(
        fact(than !== undefined && n < than, `fewer ${lines} than "${f.fewerThan}" had`, than === undefined ? `nothing was recorded as "${f.fewerThan}" in this session` : `${found}, against ${than}`),
      );
    }
    // Only a passing count is kept: a later step compares with what the step really did.
    if (f.record !== undefined && measurements && facts.every((x) => x.ok)) measurements.set(`logs:${f.record}`, total);
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
    count: { type: 'number', doc: 'how many lines must match countOf (default 1, unless a range is given)' },
    minCount: { type: 'number', doc: 'at least this many lines match countOf' },
    maxCount: { type: 'number', doc: 'at most this many lines match countOf' },
    record: { type: 'string', doc: 'name under which the number of matching lines is kept for later steps (when the check passes)' },
    since: { type: 'string', doc: 'count only the lines after those recorded under this name' },
    fewerThan: { type: 'string', doc: 'fewer lines than recorded under this name (e.g. the second push uploads less than the first)' },
  },
  oneOf: ['contains', 'notContains', 'countOf'],
  describe: (f) => withFields(`logs of ${f.container}`, f, ['container']),
  settles: (f) => (f.countOf !== undefined ? { containers: [String(f.container)], repeat: true } : FIXED),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as LogsFields;
    const c = await ctx.docker.inspectContainer(fields.container);
    return judgeLogs(fields, c ? await ctx.docker.logs(fields.container) : null, ctx.measurements);
  },
};
