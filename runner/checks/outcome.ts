import type { CheckOutcome } from './types.js';

/** One asserted fact of a check: what the lab expects and what the engine shows. */
export interface Fact {
  readonly ok: boolean;
  readonly expected: string;
  readonly found: string;
}

/** A check passes when every fact holds; the learner sees the expectations and only the facts that are off. */
export function combine(facts: readonly Fact[]): CheckOutcome {
  const failed = facts.filter((f) => !f.ok);
  return {
    pass: failed.length === 0,
    expected: facts.map((f) => f.expected).join('; '),
    found: (failed.length ? failed : facts).map((f) => f.found).join('; '),
  };
}

export function fact(ok: boolean, expected: string, found: string): Fact {
  return { ok, expected, found };
}
