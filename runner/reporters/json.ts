import { writeFileAtomic } from '../atomic-file.js';
import type { LabEvent } from '../engine/events.js';
import { summaryLine, Tally } from './tally.js';
import type { Reporter, ReporterOptions } from './types.js';

export const DEFAULT_JSON_FILE = 'lean-labs-verify.json';

/** One lab's verdict in the JSON report: how it went, how long it took, and each failure's message. */
export interface LabVerdict {
  readonly lab: string;
  /** `unsupported`: the engine cannot run it, told before anything ran (`reasons` says why). */
  readonly status: 'passed' | 'failed' | 'unsupported';
  readonly ms: number;
  readonly reasons?: readonly string[];
  readonly failures: readonly { readonly name: string; readonly message: string }[];
}

export interface JsonReport {
  readonly labs: readonly LabVerdict[];
  readonly counts: { readonly passed: number; readonly failed: number; readonly skipped: number };
}

/** Writes one verdict per lab (and every failed check's message) as JSON, for tools such as the engine matrix. */
export class JsonReporter implements Reporter {
  private readonly tally = new Tally();
  private readonly labs: LabVerdict[] = [];

  constructor(private readonly opts: ReporterOptions) {}

  onEvent(e: LabEvent): void {
    this.tally.feed(e);
    if (e.kind !== 'lab-end') return;
    const failures = this.tally.cases.filter((c) => c.lab === e.lab.id && c.status === 'failed').map((c) => ({ name: c.name, message: c.message ?? 'failed' }));
    const status = e.unsupported?.length ? 'unsupported' : e.ok ? 'passed' : 'failed';
    this.labs.push({ lab: e.lab.id, status, ms: e.ms, ...(e.unsupported?.length ? { reasons: e.unsupported } : {}), failures });
  }

  finish(): number {
    const file = this.opts.outFile ?? DEFAULT_JSON_FILE;
    const counts = this.tally.counts();
    const report: JsonReport = { labs: this.labs, counts };
    writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    this.opts.write(`JSON report written to ${file}\n${summaryLine(counts)}\n`);
    return counts.failed;
  }
}
