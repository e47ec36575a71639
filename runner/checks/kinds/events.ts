import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import type { PastEvent } from '../../docker/port.js';

export interface EventsFields {
  container: string;
  action: string;
  signal?: string;
  count?: number;
  minCount?: number;
  starts?: number;
}

const SIGNALS: Record<string, string> = { HUP: '1', INT: '2', QUIT: '3', KILL: '9', USR1: '10', USR2: '12', TERM: '15' };

const squash = (a: string): string =>
  a
    .trim()
    .replace(/\s*:\s*/, ': ')
    .replace(/\s+/g, ' ');

/**
 * The engine spells some actions with a detail after a colon (`health_status: healthy`, `exec_start: sh -c ls`).
 * An action written without one matches any detail (`health_status` counts every health change); written with
 * one, it matches that detail only.
 */
export function sameAction(want: string, found: string): boolean {
  const w = squash(want);
  const f = squash(found);
  return w.includes(':') ? f === w : f.split(':')[0] === w;
}

/** Counts what the engine recorded for a container since the lab began: starts, kills (by signal), OOMs, … */
export function judgeEvents(f: EventsFields, events: readonly PastEvent[]): CheckOutcome {
  const wantSignal = f.signal ? (SIGNALS[f.signal.toUpperCase().replace(/^SIG/, '')] ?? f.signal) : undefined;
  const what = `${f.action}${f.signal ? ` (${f.signal})` : ''} events of ${f.container}`;
  const n = events.filter((e) => sameAction(f.action, e.action) && (wantSignal === undefined || e.attributes.signal === wantSignal)).length;
  const found = `the engine recorded ${n} since the lab began`;
  const facts: Fact[] = [];
  if (f.count !== undefined) facts.push(fact(n === f.count, `exactly ${f.count} ${what}`, found));
  if (f.minCount !== undefined || f.count === undefined) facts.push(fact(n >= (f.minCount ?? 1), `at least ${f.minCount ?? 1} ${what}`, found));
  if (f.starts !== undefined) {
    const starts = events.filter((e) => sameAction('start', e.action)).length;
    facts.push(fact(starts === f.starts, `${f.container} was started ${f.starts} time${f.starts === 1 ? '' : 's'}`, `it was started ${starts} times since the lab began`));
  }
  return combine(facts);
}

/**
 * The events read from a little before the session opened (clocks differ) can include an earlier container of the
 * same name: one that was gone before the session opened is not the lab's now, so its events do not count.
 */
export function ofThisSession(events: readonly PastEvent[], opened: number | undefined): PastEvent[] {
  if (opened === undefined) return [...events];
  const gone = new Set(events.filter((e) => e.action === 'destroy' && e.time < opened && e.id).map((e) => e.id));
  return events.filter((e) => !e.id || !gone.has(e.id));
}

export const events: CheckKind = {
  kind: 'events',
  doc: 'How many events of one kind (start, die, kill, oom, …) the engine recorded for a container since the lab began.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    action: { type: 'string', required: true, doc: 'event action: start, die, kill, oom, restart, …; with its detail where the engine gives one (health_status: healthy)' },
    signal: { type: 'string', doc: 'for kill: the signal, e.g. HUP' },
    count: { type: 'number', doc: 'exact number of such events' },
    minCount: { type: 'number', doc: 'smallest number (default 1 when count is not given)' },
    starts: { type: 'number', doc: 'and the container was started exactly this many times (not restarted)' },
  },
  describe: (f) => withFields(`${f.action} events of ${f.container}`, f, ['action', 'container']),
  settles: (f) => (f.count !== undefined || f.starts !== undefined ? { containers: [String(f.container)], repeat: true } : FIXED),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as EventsFields;
    return judgeEvents(fields, ofThisSession(await ctx.docker.pastEvents(fields.container, ctx.since), ctx.opened));
  },
};
