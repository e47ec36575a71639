import type { SessionRecord } from './session.js';
import { LAB_LABEL } from './labels.js';

/** Engine clocks and ours may differ a little; anything made this close before a session began is not ours. */
export const CLOCK_SLACK_MS = 2000;

export interface Candidate {
  readonly labels: Readonly<Record<string, string>>;
  readonly created: number;
}

/**
 * A resource is the lab's to remove when the runner labelled it for this lab, or when a session of this lab
 * was under way when it was created. Anything else with a declared name belongs to the learner.
 */
export function isOwned(c: Candidate, lab: string, session: SessionRecord | undefined): boolean {
  if (c.labels[LAB_LABEL] === lab) return true;
  return session !== undefined && c.created >= session.startedAt - CLOCK_SLACK_MS;
}
