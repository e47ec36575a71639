/**
 * Where a learner stands, folded from their progress events (pure): the lab and step they are on, the last
 * judgement of that step, and per step when it was entered and done, hints revealed and whether it was solved with
 * `s`. The store keeps the result; `status`, `export` and the dashboard read it.
 */
import type { CheckSummary, ClassEvent } from '../events.js';

export interface Position {
  readonly lab: string;
  readonly labTitle: string;
  readonly step: string;
  readonly stepIndex: number;
  readonly steps: number;
  /** Checks of the current step that passed at its last judgement, and how many it has. */
  readonly passed: number;
  readonly total: number;
  readonly checks: readonly CheckSummary[];
  /** When the learner reached the current step. */
  readonly stepSince: number;
  readonly lastActivity: number;
  /**
   * When the learner last moved forward: reached a step, finished one, or passed more of the current step's checks
   * than before. Failing the same checks again is activity, not progress; the dashboard calls a learner stuck by this.
   */
  readonly progressAt?: number;
  /** Steps done in the current lab. */
  readonly done: number;
}

export interface StepRecord {
  readonly lab: string;
  readonly step: string;
  readonly stepIndex: number;
  readonly enteredAt: number;
  readonly doneAt?: number;
  readonly hints: number;
  readonly solved: boolean;
}

export function applyEvent(pos: Position | undefined, record: StepRecord | undefined, e: ClassEvent): { position: Position; step?: StepRecord } {
  const sameLab = pos?.lab === e.lab;
  const base: Position =
    sameLab && pos
      ? pos
      : { lab: e.lab, labTitle: e.labTitle ?? e.lab, step: '', stepIndex: 0, steps: e.steps ?? 0, passed: 0, total: 0, checks: [], stepSince: e.at, lastActivity: e.at, progressAt: e.at, done: 0 };
  let position: Position = { ...base, labTitle: e.labTitle ?? base.labTitle, steps: e.steps ?? base.steps, lastActivity: Math.max(base.lastActivity, e.at) };
  const movedTo = e.step !== undefined && e.step !== position.step && (e.type === 'lab' || e.type === 'step');
  if (movedTo)
    position = { ...position, step: e.step!, stepIndex: e.stepIndex ?? position.stepIndex, passed: 0, total: 0, checks: [], stepSince: e.at, progressAt: Math.max(position.progressAt ?? 0, e.at) };
  if (e.type === 'judged' && e.step === position.step && e.checks) {
    const passed = e.checks.filter((c) => c.pass).length;
    const forward = passed > position.passed;
    position = { ...position, passed, total: e.checks.length, checks: e.checks, progressAt: forward ? Math.max(position.progressAt ?? 0, e.at) : position.progressAt };
  }
  if (!e.step) return { position };
  const rec: StepRecord = record ?? { lab: e.lab, step: e.step, stepIndex: e.stepIndex ?? position.stepIndex, enteredAt: e.at, hints: 0, solved: false };
  let step: StepRecord = rec;
  if (e.type === 'done' && rec.doneAt === undefined) {
    step = { ...rec, doneAt: e.at };
    position = { ...position, done: position.done + 1, progressAt: Math.max(position.progressAt ?? 0, e.at) };
  }
  if (e.type === 'hint') step = { ...step, hints: Math.max(step.hints, e.hints ?? step.hints + 1) };
  if (e.type === 'solve') step = { ...step, solved: true };
  return { position, step: step === record ? undefined : step };
}
