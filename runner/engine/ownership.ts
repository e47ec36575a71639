import type { SessionRecord } from './session.js';
import { windowEnd } from './session.js';
import { LAB_LABEL } from './labels.js';

/**
 * The one place that decides whether something on the engine is the lab's (safe to judge, reset and remove) or
 * the learner's own (never judged, never removed). verify, reset and the runner all ask here.
 *
 * Something is the lab's when lean-labs labelled it for the lab, when the learner confirmed it as the lab's
 * (adopted), or when the engine made it while a live session of the lab was open: after the session began and
 * not among the same-named things already there then, and no later than the session's last heartbeat when its
 * process has gone. Anything else that carries one of the lab's names belongs to the learner.
 */

/** Engine clocks and ours may differ a little; anything made this close before a session began still counts. */
export const CLOCK_SLACK_MS = 2000;

export interface Candidate {
  readonly labels: Readonly<Record<string, string>>;
  /** When the engine made it (ms, the engine's clock). */
  readonly created: number;
}

/** How a resource is named in a session's lists: its kind, what the engine knows it by, and when it was made. */
export function resourceKey(type: string, ref: string, created: number): string {
  return `${type}:${ref}@${created}`;
}

export type Verdict = { readonly owned: true } | { readonly owned: false; readonly why: 'no-session' | 'before' | 'closed' | 'other-lab' };

export function judgeOwnership(c: Candidate, key: string, lab: string, session: SessionRecord | undefined): Verdict {
  if (c.labels[LAB_LABEL] === lab) return { owned: true };
  if (c.labels[LAB_LABEL] !== undefined) return { owned: false, why: 'other-lab' };
  if (!session) return { owned: false, why: 'no-session' };
  if (session.adopted.includes(key)) return { owned: true };
  const made = c.created - session.skewMs;
  // Already there when a window of the session opened: before the lab began, or made while it was closed.
  if (session.preexisting.includes(key)) return { owned: false, why: made < session.startedAt ? 'before' : 'closed' };
  if (made < session.startedAt - CLOCK_SLACK_MS) return { owned: false, why: 'before' };
  const inWindow = session.windows.some((w) => made >= w.from - CLOCK_SLACK_MS && made <= windowEnd(w));
  return inWindow ? { owned: true } : { owned: false, why: 'closed' };
}

/** Why a same-named thing is the learner's, in words. */
export function foreignReason(why: Exclude<Verdict, { owned: true }>['why']): string {
  switch (why) {
    case 'before':
      return 'it was there before the lab began';
    case 'closed':
      return 'it was made while no session of the lab was open';
    case 'other-lab':
      return 'another lab made it';
    default:
      return 'no session of the lab made it';
  }
}
