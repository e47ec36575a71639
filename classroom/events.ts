/**
 * Progress events: what the runner inside a learner's sandbox tells the class server. Each has a sequence number
 * given by the sandbox's outbox (per outbox epoch), so the server can store it exactly once however often it is
 * sent.
 */
export type ClassEventType = 'lab' | 'step' | 'judged' | 'done' | 'hint' | 'solve';

export interface CheckSummary {
  readonly title: string;
  readonly pass: boolean;
  /** What the runner shows for a failing check. */
  readonly message?: string;
}

export interface ClassEvent {
  readonly seq: number;
  /** When it happened, by the sandbox's clock (ms since the epoch). */
  readonly at: number;
  readonly type: ClassEventType;
  readonly lab: string;
  readonly labTitle?: string;
  readonly step?: string;
  readonly stepIndex?: number;
  readonly steps?: number;
  readonly passed?: boolean;
  readonly checks?: readonly CheckSummary[];
  readonly hints?: number;
}

/** An event before the outbox numbers it. */
export type UnnumberedEvent = Omit<ClassEvent, 'seq'>;

const TYPES: readonly string[] = ['lab', 'step', 'judged', 'done', 'hint', 'solve'];
const MAX_TEXT = 2000;

const isText = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 1e6;

/**
 * Checks an event from the network. A sandbox is the learner's own machine: what it sends is untrusted, so only
 * the known shape, bounded in size, is stored. Returns the reason it is refused, or undefined.
 */
export function invalidEvent(e: unknown): string | undefined {
  const ev = e as Partial<ClassEvent>;
  if (typeof ev !== 'object' || ev === null) return 'not an object';
  if (!isCount(ev.seq) || ev.seq === 0) return 'seq must be a positive integer';
  if (!Number.isFinite(ev.at)) return 'at must be a time';
  if (!TYPES.includes(ev.type as string)) return `unknown type ${JSON.stringify(ev.type)}`;
  if (!isText(ev.lab)) return 'lab is missing';
  if (ev.labTitle !== undefined && !isText(ev.labTitle)) return 'labTitle is not a short text';
  if (ev.step !== undefined && !isText(ev.step)) return 'step is not a short text';
  if (ev.type !== 'lab' && ev.step === undefined) return `a ${ev.type} event names its step`;
  for (const k of ['stepIndex', 'steps', 'hints'] as const) if (ev[k] !== undefined && !isCount(ev[k])) return `${k} is not a count`;
  if (ev.passed !== undefined && typeof ev.passed !== 'boolean') return 'passed is not true or false';
  if (ev.checks !== undefined) {
    if (!Array.isArray(ev.checks) || ev.checks.length > 100) return 'checks is not a list of at most 100';
    for (const c of ev.checks)
      if (!isText(c?.title, 500) || typeof c.pass !== 'boolean' || (c.message !== undefined && typeof c.message !== 'string') || (c.message?.length ?? 0) > MAX_TEXT) return 'a check is malformed';
  }
  return undefined;
}
