import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import type { PastEvent } from '../../docker/port.js';

export interface EventsFields {
  container?: string;
  image?: string;
  action: string;
  signal?: string;
  count?: number;
  minCount?: number;
  starts?: number;
  after?: string;
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

/** An image reference as the engine names it: `busybox` is `docker.io/library/busybox:latest`. */
export function fullReference(ref: string): string {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hosted = first.includes('.') || first.includes(':') || first === 'localhost';
  const full = hosted ? name : `docker.io/${slash >= 0 ? name : `library/${name}`}`;
  if (at >= 0) return `${full}${ref.slice(at)}`;
  return full.lastIndexOf(':') > full.lastIndexOf('/') ? full : `${full}:latest`;
}

/**
 * The events about one image. The engine names an image event by reference (pull, push, tag) or by image id
 * (untag, delete on the classic store): both count, the id being the one the reference names now.
 */
export function aboutImage(events: readonly PastEvent[], ref: string, id: string | undefined): PastEvent[] {
  const want = fullReference(ref);
  const named = (s: string | undefined) => !!s && !s.startsWith('sha256:') && fullReference(s) === want;
  return events.filter((e) => e.type === 'image' && (named(e.id) || named(e.name) || (!!id && (e.id === id || e.name === id))));
}

/** Counts what the engine recorded for a container or an image since the lab began: starts, kills (by signal), OOMs, pulls, … */
export function judgeEvents(f: EventsFields, events: readonly PastEvent[]): CheckOutcome {
  const subject = f.container ?? f.image ?? '';
  const wantSignal = f.signal ? (SIGNALS[f.signal.toUpperCase().replace(/^SIG/, '')] ?? f.signal) : undefined;
  const ordered = [...events].sort((a, b) => a.time - b.time);
  const first = f.after === undefined ? -1 : ordered.findIndex((e) => sameAction(f.after!, e.action));
  if (f.after !== undefined && first < 0)
    return combine([fact(false, `${f.action} events of ${subject} after its first ${f.after}`, `the engine recorded no ${f.after} event of ${subject} since the lab began`)]);
  const counted = ordered.slice(first + 1);
  const what = `${f.action}${f.signal ? ` (${f.signal})` : ''} events of ${subject}${f.after ? ` after its first ${f.after}` : ''}`;
  const n = counted.filter((e) => sameAction(f.action, e.action) && (wantSignal === undefined || e.attributes.signal === wantSignal)).length;
  const found = `the engine recorded ${n} since the lab began`;
  const facts: Fact[] = [];
  if (f.count !== undefined) facts.push(fact(n === f.count, `exactly ${f.count} ${what}`, found));
  if (f.minCount !== undefined || f.count === undefined) facts.push(fact(n >= (f.minCount ?? 1), `at least ${f.minCount ?? 1} ${what}`, found));
  if (f.starts !== undefined) {
    const starts = events.filter((e) => sameAction('start', e.action)).length;
    facts.push(fact(starts === f.starts, `${subject} was started ${f.starts} time${f.starts === 1 ? '' : 's'}`, `it was started ${starts} times since the lab began`));
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
  doc: 'How many events of one kind (start, die, kill, oom, … of a container; pull, push, untag, delete of an image) the engine recorded since the lab began.',
  fields: {
    container: { type: 'string', doc: 'container name' },
    image: { type: 'string', doc: 'image reference (its events named by reference or by the id it names now)' },
    action: { type: 'string', required: true, doc: 'event action: start, die, kill, oom, restart, pull, untag, …; with its detail where the engine gives one (health_status: healthy)' },
    signal: { type: 'string', doc: 'for kill: the signal, e.g. HUP' },
    count: { type: 'number', doc: 'exact number of such events' },
    minCount: { type: 'number', doc: 'smallest number (default 1 when count is not given)' },
    starts: { type: 'number', doc: 'and the container was started exactly this many times (not restarted)' },
    after: { type: 'string', doc: 'count only the events after the first event of this action (pull after untag: removed, then fetched again)' },
  },
  targets: [['container'], ['image']],
  describe: (f) => withFields(`${f.action} events of ${f.container ?? f.image}`, f, ['action', 'container', 'image']),
  settles: (f) => (f.count !== undefined || f.starts !== undefined ? { containers: f.container ? [String(f.container)] : [], repeat: true } : FIXED),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as EventsFields;
    if (fields.container) return judgeEvents(fields, ofThisSession(await ctx.docker.pastEvents(fields.container, ctx.since), ctx.opened));
    const image = fields.image ?? '';
    const [history, now] = await Promise.all([ctx.docker.history('image', ctx.since), ctx.docker.inspectImage(image)]);
    // An image keeps its id across runs (a cached build makes the same one): the removal of the last run's copy, a
    // moment before this session opened, is not this session's.
    const ours = ctx.opened === undefined ? history : history.filter((e) => e.time >= ctx.opened!);
    return judgeEvents(fields, aboutImage(ours, image, now?.id));
  },
};
