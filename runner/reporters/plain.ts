import type { LabEvent } from '../engine/events.js';
import { escapeAllControls } from '../text/controls.js';
import { summaryLine, Tally, type TestCase } from './tally.js';
import type { Reporter, ReporterOptions } from './types.js';

const MAX_OUTPUT_LINES = 40;

/** Streams progress line by line, shows command output only for steps that fail, ends with the count line. */
export class PlainReporter implements Reporter {
  private readonly tally: Tally;
  private output: string[] = [];
  private readonly paint: (code: number, s: string) => string;

  constructor(private readonly opts: ReporterOptions) {
    this.paint = opts.color ? (code, s) => `\x1b[${code}m${s}\x1b[0m` : (_c, s) => s;
    this.tally = new Tally((c) => this.onCase(c));
  }

  private line(s: string): void {
    this.opts.write(`${s}\n`);
  }

  private onCase(c: TestCase): void {
    const mark = c.status === 'passed' ? this.paint(32, '✓') : c.status === 'failed' ? this.paint(31, '✗') : this.paint(33, '-');
    const name = c.name.includes(' › ') ? c.name.slice(c.name.indexOf(' › ') + 3) : c.name;
    if (c.status === 'skipped') return;
    this.line(`    ${mark} ${name}${c.ms >= 1 ? this.paint(90, ` (${Math.round(c.ms)} ms)`) : ''}`);
    if (c.message) for (const l of c.message.split('\n')) this.line(`      ${this.paint(31, l)}`);
  }

  onEvent(e: LabEvent): void {
    this.tally.feed(e);
    switch (e.kind) {
      case 'images-ready':
        this.line(`▶ ${this.paint(1, e.lab.id)}: ${e.lab.title} (${e.lab.steps.length} steps)`);
        if (e.images.length) this.line(this.paint(90, `  images ready: ${e.images.join(', ')} (${(e.ms / 1000).toFixed(1)} s)`));
        break;
      case 'reclaimed':
        this.line(this.paint(90, `  removed what an earlier run left: ${e.resources.map((r) => `${r.type} ${r.name}`).join(', ')}`));
        break;
      case 'step-start':
        this.output = [];
        this.line(`  ${e.step.index + 1}. ${e.step.title}`);
        for (const why of e.step.notHere ?? []) this.line(this.paint(90, `    - not checked on this engine: ${why}`));
        break;
      case 'command':
        if (e.phase === 'solution') for (const l of e.text.split('\n')) this.line(this.paint(90, `     $ ${l}`));
        break;
      case 'output':
        this.output.push(...escapeAllControls(e.text.replace(/\n$/, '')).split('\n'));
        if (this.output.length > MAX_OUTPUT_LINES) this.output = this.output.slice(-MAX_OUTPUT_LINES);
        break;
      case 'step-end':
        if (!e.ok && this.output.length) {
          this.line(this.paint(90, "      output of the step's commands:"));
          for (const l of this.output) this.line(this.paint(90, `      | ${l}`));
        }
        break;
      case 'lab-end':
        if (e.ok) this.line(`${this.paint(32, '✔')} ${e.lab.id} passed in ${(e.ms / 1000).toFixed(1)} s`);
        else this.line(`${this.paint(31, '✘')} ${e.lab.id} failed in ${(e.ms / 1000).toFixed(1)} s`);
        this.line('');
        break;
      default:
        break;
    }
  }

  finish(): number {
    const counts = this.tally.counts();
    this.line(summaryLine(counts));
    return counts.failed;
  }
}
