import type { LabEvent } from '../engine/events.js';
import type { CheckOutcome } from '../checks/types.js';
import { checkTitle } from '../checks/title.js';
import { failureText } from '../engine/judge.js';
import { escapeAllControls } from '../text/controls.js';
import { describeResource } from '../engine/resources.js';
import type { CheckSpec, Step } from '../lab/types.js';

/** One verdict of a verify run, the unit every reporter counts. */
export interface TestCase {
  readonly lab: string;
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly message?: string;
  readonly ms: number;
}

/** The name of a check's test case, the same whether it ran or was skipped. */
function caseName(step: Step, check: CheckSpec): string {
  return `${step.index + 1}. ${step.title} › ${checkTitle(check)}`;
}

/**
 * Turns the event stream into test cases: each check is one test (it must fail before its step and pass
 * after), each lab's cleanup is one, and a lab that could not run is one failure.
 */
export class Tally {
  readonly cases: TestCase[] = [];
  private before = new Map<string, CheckOutcome>();
  private seenSteps = new Set<string>();

  constructor(private readonly onCase: (c: TestCase) => void = () => {}) {}

  /** Messages quote container output: every reporter gets them with control characters made visible. */
  private add(c: TestCase): void {
    const safe = c.message === undefined ? c : { ...c, message: escapeAllControls(c.message) };
    this.cases.push(safe);
    this.onCase(safe);
  }

  feed(e: LabEvent): void {
    switch (e.kind) {
      case 'step-start':
        this.seenSteps.add(`${e.lab.id}/${e.step.id}`);
        break;
      case 'check': {
        const key = `${e.lab.id}/${e.step.id}/${e.index}`;
        if (e.phase === 'before') {
          this.before.set(key, e.outcome);
          break;
        }
        const before = this.before.get(key);
        const name = caseName(e.step, e.check);
        const problems: string[] = [];
        if (before?.pass && !e.check.guard) problems.push(`${e.check.pos.file}:${e.check.pos.line}: already passed before the step, so it cannot tell the learner anything`);
        if (!e.outcome.pass) problems.push(failureText(e.check, e.outcome));
        this.add({ lab: e.lab.id, name, status: problems.length ? 'failed' : 'passed', message: problems.join('\n') || undefined, ms: e.ms });
        break;
      }
      case 'step-end': {
        if (e.commandProblems.length) this.add({ lab: e.lab.id, name: `${e.step.index + 1}. ${e.step.title} › commands`, status: 'failed', message: e.commandProblems.join('\n'), ms: e.ms });
        break;
      }
      case 'cleanup': {
        const problems = [
          ...(e.residue.length ? [`still there: ${e.residue.map(describeResource).join(', ')}`] : []),
          ...(e.orphaned?.length
            ? [
                `the lab's commands left ${e.orphaned.length} anonymous volume${e.orphaned.length === 1 ? '' : 's'} behind (${e.orphaned.map((r) => r.name.slice(0, 12)).join(', ')}): remove containers with \`docker rm -v\` (\`docker compose down -v\` for a stack)`,
              ]
            : []),
        ];
        this.add({ lab: e.lab.id, name: 'cleanup leaves nothing behind', status: problems.length ? 'failed' : 'passed', message: problems.join('\n') || undefined, ms: 0 });
        break;
      }
      case 'lab-end': {
        for (const step of e.lab.steps) {
          if (this.seenSteps.has(`${e.lab.id}/${step.id}`)) continue;
          for (const check of step.checks) this.add({ lab: e.lab.id, name: caseName(step, check), status: 'skipped', ms: 0 });
        }
        if (e.error) this.add({ lab: e.lab.id, name: 'lab runs', status: 'failed', message: e.error, ms: e.ms });
        break;
      }
      default:
        break;
    }
  }

  counts(): { passed: number; failed: number; skipped: number } {
    const n = (s: TestCase['status']) => this.cases.filter((c) => c.status === s).length;
    return { passed: n('passed'), failed: n('failed'), skipped: n('skipped') };
  }
}

/** The closing line CI systems read. */
export function summaryLine(c: { passed: number; failed: number; skipped: number }): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}
