import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabEvent } from '../engine/events.js';
import { summaryLine, Tally, type TestCase } from './tally.js';
import type { Reporter, ReporterOptions } from './types.js';

export const DEFAULT_JUNIT_FILE = 'lean-labs-junit.xml';

const esc = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/** Renders test cases as JUnit XML: one testsuite per lab. */
export function junitXml(cases: readonly TestCase[]): string {
  const labs = [...new Set(cases.map((c) => c.lab))];
  const suites = labs.map((lab) => {
    const mine = cases.filter((c) => c.lab === lab);
    const count = (s: TestCase['status']) => mine.filter((c) => c.status === s).length;
    const time = mine.reduce((t, c) => t + c.ms, 0) / 1000;
    const body = mine
      .map((c) => {
        const open = `    <testcase classname="lean-labs.${esc(lab)}" name="${esc(c.name)}" time="${(c.ms / 1000).toFixed(3)}"`;
        if (c.status === 'passed') return `${open}/>`;
        if (c.status === 'skipped') return `${open}>\n      <skipped/>\n    </testcase>`;
        const msg = c.message ?? 'failed';
        return `${open}>\n      <failure message="${esc(msg.split('\n')[0] ?? '')}">${esc(msg)}</failure>\n    </testcase>`;
      })
      .join('\n');
    return `  <testsuite name="${esc(lab)}" tests="${mine.length}" failures="${count('failed')}" skipped="${count('skipped')}" time="${time.toFixed(3)}">\n${body}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lean-labs verify">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Writes a JUnit file CI systems read, and prints the count line. */
export class JunitReporter implements Reporter {
  private readonly tally = new Tally();

  constructor(private readonly opts: ReporterOptions) {}

  onEvent(e: LabEvent): void {
    this.tally.feed(e);
  }

  finish(): number {
    const file = this.opts.outFile ?? DEFAULT_JUNIT_FILE;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, junitXml(this.tally.cases));
    const counts = this.tally.counts();
    this.opts.write(`JUnit report written to ${file}\n${summaryLine(counts)}\n`);
    return counts.failed;
  }
}
