/**
 * Turns what the runner's tutor reports into the class's progress events (pure, apart from the clock passed in):
 * a lab opened, a step entered, a step's checks judged (only when the verdict changed: the runner re-judges on
 * every engine event), a step done, a hint revealed, a step solved with `s`. The failing check's message is the one
 * the runner shows.
 */
import { checkTitle } from '../runner/checks/title.js';
import type { Lab } from '../runner/lab/types.js';
import type { TutorEvent } from '../runner/tutor/tutor.js';
import type { CheckSummary, UnnumberedEvent } from './events.js';

export class ProgressMapper {
  private lastVerdict = '';
  private completed = new Set<string>();
  private hints: Record<string, number> = {};
  /** The step the learner is on: where a solution runs. */
  private index = 0;

  constructor(
    private readonly lab: Lab,
    private readonly now: () => number = Date.now,
  ) {}

  private where(index: number): Pick<UnnumberedEvent, 'lab' | 'step' | 'stepIndex' | 'steps'> {
    const step = this.lab.steps[index];
    return { lab: this.lab.id, step: step?.id, stepIndex: index, steps: this.lab.steps.length };
  }

  map(e: TutorEvent): UnnumberedEvent[] {
    const at = this.now();
    switch (e.kind) {
      case 'opened':
        this.completed = new Set(e.progress.completed);
        this.hints = { ...e.progress.hints };
        this.lastVerdict = '';
        this.index = e.progress.step;
        return [{ at, type: 'lab', labTitle: this.lab.title, ...this.where(e.progress.step) }];
      case 'step':
        this.lastVerdict = '';
        this.index = e.index;
        return [{ at, type: 'step', ...this.where(e.index) }];
      case 'judged': {
        const checks: CheckSummary[] = e.results.map((r) => ({
          title: checkTitle(r.check),
          pass: r.outcome.pass,
          ...(r.outcome.pass ? {} : { message: `expected ${r.outcome.expected}, but ${r.outcome.found}`.slice(0, 1000) }),
        }));
        const verdict = JSON.stringify([e.index, checks]);
        if (verdict === this.lastVerdict) return [];
        this.lastVerdict = verdict;
        return [{ at, type: 'judged', ...this.where(e.index), passed: e.passed, checks }];
      }
      case 'progress': {
        const out: UnnumberedEvent[] = [];
        for (const id of e.progress.completed)
          if (!this.completed.has(id)) {
            this.completed.add(id);
            out.push({ at, type: 'done', ...this.where(this.lab.steps.findIndex((s) => s.id === id)) });
          }
        for (const [id, n] of Object.entries(e.progress.hints))
          if (n > (this.hints[id] ?? 0)) {
            this.hints[id] = n;
            out.push({ at, type: 'hint', ...this.where(this.lab.steps.findIndex((s) => s.id === id)), hints: n });
          }
        if (e.progress.completed.length < this.completed.size) this.completed = new Set(e.progress.completed); // a reset
        return out;
      }
      case 'command':
        return e.what === 'solution' ? [{ at, type: 'solve', ...this.where(this.index) }] : [];
      default:
        return [];
    }
  }
}
