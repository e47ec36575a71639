import type { LabEvent } from '../engine/events.js';
import { summaryLine, Tally, type TestCase } from './tally.js';
import type { Reporter, ReporterOptions } from './types.js';

/** TAP version 13: one line per test case as it happens, the plan at the end. */
export class TapReporter implements Reporter {
  private readonly tally: Tally;
  private n = 0;

  constructor(private readonly opts: ReporterOptions) {
    this.tally = new Tally((c) => this.onCase(c));
    opts.write('TAP version 13\n');
  }

  private onCase(c: TestCase): void {
    this.n++;
    const directive = c.status === 'skipped' ? ' # SKIP' : '';
    this.opts.write(`${c.status === 'failed' ? 'not ok' : 'ok'} ${this.n} - ${c.lab} › ${c.name.replace(/#/g, '\\#')}${directive}\n`);
    if (c.message) {
      this.opts.write('  ---\n  message: |\n');
      for (const l of c.message.split('\n')) this.opts.write(`    ${l}\n`);
      this.opts.write('  ...\n');
    }
  }

  onEvent(e: LabEvent): void {
    this.tally.feed(e);
  }

  finish(): number {
    const counts = this.tally.counts();
    this.opts.write(`1..${this.n}\n# ${summaryLine(counts)}\n`);
    return counts.failed;
  }
}
