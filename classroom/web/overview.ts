/**
 * What the dashboard (and `class status`'s table) makes of the class's status rows (pure: no DOM, no network,
 * unit-tested): who is stuck, how the class spreads over the steps, and durations as an instructor reads them.
 */
import type { StatusRow } from '../protocol.js';

/** A learner in a sandbox, on a step of a lab. */
const onAStep = (r: StatusRow): boolean => r.learner !== '' && r.lab !== '' && r.stepNumber > 0;

/** Every check of the current step passes: the learner is done with it (reading, or at the lab's end). */
const stepPassed = (r: StatusRow): boolean => r.total > 0 && r.passed === r.total;

/**
 * A learner is stuck when they are on a step and have not moved forward (reached a step, finished one, passed one
 * more check) for `stuckAfterMs`. A learner whose step passes is waiting on nothing and is never stuck.
 */
export function isStuck(r: StatusRow, now: number, stuckAfterMs: number): boolean {
  if (!onAStep(r) || stepPassed(r) || r.progressAt === null) return false;
  return now - r.progressAt >= stuckAfterMs;
}

export interface StepCount {
  readonly lab: string;
  readonly labTitle: string;
  readonly stepNumber: number;
  readonly steps: number;
  readonly step: string;
  readonly count: number;
}

/** How many learners are on each step, per lab in the order labs first appear, steps in order. */
export function stepHistogram(rows: readonly StatusRow[]): StepCount[] {
  const counts = new Map<string, StepCount>();
  const labOrder: string[] = [];
  for (const r of rows) {
    if (!onAStep(r)) continue;
    if (!labOrder.includes(r.lab)) labOrder.push(r.lab);
    const key = `${r.lab}\u0000${r.stepNumber}`;
    const c = counts.get(key);
    counts.set(key, c ? { ...c, count: c.count + 1 } : { lab: r.lab, labTitle: r.labTitle || r.lab, stepNumber: r.stepNumber, steps: r.steps, step: r.step, count: 1 });
  }
  return [...counts.values()].sort((a, b) => labOrder.indexOf(a.lab) - labOrder.indexOf(b.lab) || a.stepNumber - b.stepNumber);
}

/** "18 on step 3, 4 on step 4" for one lab's counts. */
export function histogramLine(counts: readonly StepCount[]): string {
  return counts.map((c) => `${c.count} on step ${c.stepNumber}`).join(', ');
}

/** 42 s, 7 min, 1 h 05 min. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The check summary of a row: "2/3", and the first failing check's message as the runner showed it. */
export function checkSummary(r: StatusRow): { text: string; state: 'pass' | 'fail' | 'none'; failing: string } {
  if (r.total === 0) return { text: '', state: 'none', failing: '' };
  return { text: `${r.passed}/${r.total}`, state: stepPassed(r) ? 'pass' : 'fail', failing: stepPassed(r) ? '' : r.failing };
}
