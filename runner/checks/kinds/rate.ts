import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED, type Measurements } from '../types.js';
import { excerpt } from '../values.js';
import { runningReplicas } from './compose.js';

export interface RateFields {
  url: string;
  network: string;
  /** JSON field of the answer that counts up (work done). */
  field: string;
  /** JSON field holding the server's clock in seconds; without it the helper's sleep is the time base. */
  clock?: string;
  over?: number;
  project?: string;
  service?: string;
  replicas?: number;
  min?: number;
  record?: string;
  vs?: string;
  minRatio?: number;
  maxRatio?: number;
  unit?: string;
}

/** Two readings of a counter (none when the replicas were wrong to begin with), and how many ran before and after. */
export interface RateSample {
  readonly first?: string;
  readonly second?: string;
  readonly seconds: number;
  readonly runningBefore?: number;
  readonly runningAfter?: number;
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function reading(text: string, field: string): number | undefined {
  try {
    const v = (JSON.parse(text) as Record<string, unknown>)[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The rate a sample shows (per second), or why it shows none. */
export function rateOf(f: RateFields, s: RateSample): number | string {
  const first = s.first ?? '';
  const second = s.second ?? '';
  const a = reading(first, f.field);
  const b = reading(second, f.field);
  if (a === undefined || b === undefined) return `no number "${f.field}" in the answer (${excerpt(a === undefined ? first : second)})`;
  let seconds = s.seconds;
  if (f.clock) {
    const t0 = reading(first, f.clock);
    const t1 = reading(second, f.clock);
    if (t0 === undefined || t1 === undefined) return `no number "${f.clock}" (the clock) in the answer`;
    seconds = t1 - t0;
  }
  if (!(seconds > 0)) return 'the two readings were taken at the same time';
  return (b - a) / seconds;
}

/**
 * Judges a measured rate: at least `min`; with exactly `replicas` of a service running the whole time; and,
 * against a rate recorded by an earlier check (`vs`), within `minRatio`..`maxRatio` times it. Records it when valid.
 */
export function judgeRate(f: RateFields, s: RateSample | string, store?: Measurements): CheckOutcome {
  const unit = `${f.unit ?? f.field}/s`;
  const what = `the rate of ${f.field} at ${f.url}`;
  if (typeof s === 'string') return combine([fact(false, `${what} can be measured`, s)]);
  const facts: Fact[] = [];
  const scaled = f.replicas !== undefined;
  if (scaled) {
    const steady = s.runningBefore === s.runningAfter;
    facts.push(
      fact(
        steady && s.runningBefore === f.replicas,
        `it is measured with ${f.replicas} ${f.service} running`,
        steady ? `${s.runningBefore} ${f.service} running` : `${f.service} went from ${s.runningBefore} to ${s.runningAfter} running during the measurement`,
      ),
    );
  }
  if (scaled && !facts[0]!.ok && s.first === undefined) return combine(facts);
  const rate = rateOf(f, s);
  if (typeof rate === 'string') return combine([...facts, fact(false, `${what} can be measured`, rate)]);
  const measured = `measured ${fmt(rate)} ${unit} over ${fmt(s.seconds)} s${scaled ? ` with ${s.runningBefore} ${f.service}` : ''}`;
  if (f.min !== undefined) facts.push(fact(rate >= f.min, `at least ${fmt(f.min)} ${unit}`, measured));
  if (f.vs !== undefined) {
    const base = store?.get(f.vs);
    if (base === undefined) facts.push(fact(false, `a rate measured earlier (${f.vs}) to compare with`, `none was measured in this session: do the earlier step first`));
    else {
      const ratio = base > 0 ? rate / base : Number.POSITIVE_INFINITY;
      const found = `${measured}: ${fmt(ratio)} times the ${fmt(base)} ${unit} of ${f.vs}`;
      if (f.minRatio !== undefined) facts.push(fact(ratio >= f.minRatio, `at least ${f.minRatio} times the rate of ${f.vs} (${fmt(base * f.minRatio)} ${unit})`, found));
      if (f.maxRatio !== undefined) facts.push(fact(ratio <= f.maxRatio, `at most ${f.maxRatio} times the rate of ${f.vs} (${fmt(base * f.maxRatio)} ${unit})`, found));
    }
  }
  if (facts.length === (scaled ? 1 : 0)) facts.push(fact(true, `${what} can be measured`, measured));
  // A measurement taken with the wrong number running is no measurement of what the name says.
  if (f.record !== undefined && store && (!scaled || facts[0]!.ok)) store.set(f.record, rate);
  return combine(facts);
}

export const rate: CheckKind = {
  kind: 'rate',
  doc: 'A counter read twice over HTTP (on a network) grows at a rate: at least min, optionally compared with a rate recorded earlier.',
  fields: {
    url: { type: 'string', required: true, doc: 'URL answering JSON, e.g. http://webui/json' },
    network: { type: 'string', required: true, doc: 'network the requests are made on' },
    field: { type: 'string', required: true, doc: 'JSON field that counts up' },
    clock: { type: 'string', doc: "JSON field with the server's time in seconds (more exact than the helper's sleep)" },
    over: { type: 'duration', doc: 'time between the two readings (default 5s)' },
    project: { type: 'string', doc: 'with service and replicas: the Compose project whose service must stay at replicas while measuring' },
    service: { type: 'string', doc: 'Compose service counted during the measurement' },
    replicas: { type: 'number', doc: 'how many of service must run during the measurement' },
    min: { type: 'number', doc: 'smallest rate per second' },
    record: { type: 'string', doc: 'name under which this rate is kept for later steps' },
    vs: { type: 'string', doc: 'name of a rate recorded earlier in the session to compare with' },
    minRatio: { type: 'number', doc: 'with vs: the rate is at least this many times the earlier one' },
    maxRatio: { type: 'number', doc: 'with vs: the rate is at most this many times the earlier one' },
    unit: { type: 'string', doc: 'what is counted, for messages (default: the field name)' },
  },
  oneOf: ['min', 'minRatio', 'maxRatio', 'record'],
  describe: (f) => `rate of ${f.field} at ${f.url}`,
  // A rate is itself two readings over a window, with the replica count held at both ends.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as RateFields;
    if (!(await ctx.docker.inspectNetwork(fields.network))) return judgeRate(fields, `there is no network named ${fields.network}`);
    const count = async () => (fields.project && fields.service ? (await runningReplicas(ctx.docker, fields.project, fields.service)).length : undefined);
    const seconds = (fields.over ?? 5000) / 1000;
    const runningBefore = await count();
    // With the wrong number running, the measurement could not count; say so without spending the window.
    if (fields.replicas !== undefined && runningBefore !== fields.replicas) return judgeRate(fields, { seconds, runningBefore, runningAfter: runningBefore });
    const marker = '\n--lean-labs-second-reading--\n';
    const url = fields.url.replace(/'/g, "'\\''");
    const r = await ctx.docker.runHelper({
      image: ctx.helperImage,
      cmd: ['sh', '-c', `wget -q -O - '${url}' && printf '${marker.replace(/\n/g, '\\n')}' && sleep ${seconds} && wget -q -O - '${url}'`],
      labels: ctx.labels,
      networkMode: fields.network,
      timeoutMs: 15_000 + seconds * 1000,
    });
    const runningAfter = await count();
    const [first, second] = r.stdout.split(marker);
    if (r.exitCode !== 0 || second === undefined) return judgeRate(fields, `GET ${fields.url} on ${fields.network} failed: ${excerpt(r.stderr || r.stdout)}`);
    return judgeRate(fields, { first: first!, second, seconds, runningBefore, runningAfter }, ctx.measurements);
  },
};
