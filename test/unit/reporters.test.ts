import type { TestCase } from '../../runner/reporters/tally.js';
import { changedCases } from '../../runner/commands/watch.js';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../runner/engine/events.js';
import { parseLab } from '../../runner/lab/parse.js';
import { JsonReporter, type JsonReport } from '../../runner/reporters/json.js';
import { JunitReporter, junitXml } from '../../runner/reporters/junit.js';
import { PlainReporter } from '../../runner/reporters/plain.js';
import { TapReporter } from '../../runner/reporters/tap.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lab = parseLab(
  '---\nformat: 1\nid: demo\ntitle: Demo\nsummary: S\nduration: 1m\n---\n\n## Run it\n\n```sh\ndocker run x\n```\n\n```check\n- kind: container\n  container: x\n  state: running\n- kind: container\n  container: y\n  state: running\n  message: Start y with -d.\n```\n',
  'demo/lab.md',
);
const step = lab.steps[0]!;
const [c1, c2] = step.checks;
const no = { pass: false, expected: 'container x exists', found: 'there is no container named x' };
const yes = { pass: true, expected: 'container x is running', found: 'it is running' };

/** A scripted run: check 1 proves its step, check 2 never passes. */
const script: LabEvent[] = [
  { kind: 'images-ready', lab, images: [], ms: 5 },
  { kind: 'lab-start', lab, session: 's' },
  { kind: 'step-start', lab, step },
  { kind: 'check', lab, step, check: c1!, index: 0, phase: 'before', outcome: no, ms: 2 },
  { kind: 'check', lab, step, check: c2!, index: 1, phase: 'before', outcome: no, ms: 2 },
  { kind: 'command', lab, step, phase: 'solution', text: 'docker run x' },
  { kind: 'output', lab, step, stream: 'stdout', text: 'abc123\n' },
  { kind: 'check', lab, step, check: c1!, index: 0, phase: 'after', outcome: yes, ms: 3 },
  { kind: 'check', lab, step, check: c2!, index: 1, phase: 'after', outcome: { ...no, expected: 'container y exists', found: 'there is no container named y' }, ms: 2000 },
  { kind: 'step-end', lab, step, ok: false, commandProblems: [], ms: 2100 },
  { kind: 'cleanup', lab, removed: [], residue: [] },
  { kind: 'lab-end', lab, ok: false, ms: 2200 },
];

function play(reporter: { onEvent(e: LabEvent): void; finish(): number }): number {
  script.forEach((e) => reporter.onEvent(e));
  return reporter.finish();
}

describe('reporters', () => {
  it('plain streams each verdict, shows failing output, and ends with the count line', () => {
    let out = '';
    const failed = play(new PlainReporter({ write: (s) => (out += s), color: false }));
    expect(failed).toBe(1);
    expect(out).toContain('  1. Run it');
    expect(out).toContain('    ✓ container x is running');
    expect(out).toContain('    ✗ container y is running');
    expect(out).toContain('expected container y exists, but there is no container named y');
    expect(out).toContain('| abc123');
    expect(out.trim().split('\n').at(-1)).toBe('2 passed, 1 failed');
  });

  it('tap numbers the tests and ends with the plan', () => {
    let out = '';
    play(new TapReporter({ write: (s) => (out += s), color: false }));
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('TAP version 13');
    expect(lines).toContain('ok 1 - demo › 1. Run it › container x is running');
    expect(lines).toContain('not ok 2 - demo › 1. Run it › container y is running');
    expect(lines).toContain('1..3');
  });

  it('junit writes a file with one suite per lab and the failure text', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'll-junit-')), 'out', 'report.xml');
    let out = '';
    play(new JunitReporter({ write: (s) => (out += s), color: false, outFile: file }));
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('<testsuite name="demo" tests="3" failures="1" skipped="0"');
    expect(xml).toContain('<failure message="expected container y exists, but there is no container named y">');
    expect(out).toContain(`JUnit report written to ${file}`);
  });

  it('junit escapes what XML cannot hold', () => {
    expect(junitXml([{ lab: 'a', name: 'x <&> "y"', status: 'passed', ms: 1 }])).toContain('name="x &lt;&amp;&gt; &quot;y&quot;"');
  });
});

describe('verify --watch: what changed since the last run', () => {
  const c = (name: string, status: TestCase['status'], message?: string): TestCase => ({ lab: 'l', name, status, message, ms: 1 });
  it('names fixed, broken, still-failing-differently, new and gone cases, and nothing else', () => {
    const before = [c('a', 'passed'), c('b', 'failed', 'x'), c('c', 'failed', 'old'), c('d', 'passed'), c('gone', 'passed')];
    const after = [c('a', 'passed'), c('b', 'passed'), c('c', 'failed', 'new'), c('d', 'failed', 'why'), c('e', 'passed')];
    expect(changedCases(before, after)).toEqual(['  fixed  ✓ b', '  still  ✗ c, now:\n      new', '  broken ✗ d\n      why', '  new    ✓ e', '  gone     gone']);
    expect(changedCases(after, after)).toEqual([]);
  });
});

describe("the author's message in every report", () => {
  it('plain, TAP and JUnit all show the message of a failing check', () => {
    let plain = '';
    play(new PlainReporter({ write: (t) => (plain += t), color: false }));
    let tap = '';
    play(new TapReporter({ write: (t) => (tap += t), color: false }));
    const out = join(mkdtempSync(join(tmpdir(), 'll-junit-')), 'r.xml');
    play(new JunitReporter({ write: () => {}, color: false, outFile: out }));
    for (const text of [plain, tap, readFileSync(out, 'utf8')]) {
      expect(text).toContain('there is no container named y');
      expect(text).toContain('Start y with -d.');
    }
  });

  it('json writes one verdict per lab with each failure, and says when an engine cannot run a lab', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'll-json-')), 'out', 'report.json');
    let out = '';
    const reporter = new JsonReporter({ write: (s) => (out += s), color: false, outFile: file });
    script.forEach((e) => reporter.onEvent(e));
    const other = { ...lab, id: 'other' };
    reporter.onEvent({ kind: 'lab-end', lab: other, ok: false, ms: 3, error: 'This host cannot run lab other', unsupported: ['it needs cgroup v2'] });
    // An engine that cannot run a lab still fails the run (exit code 1), as before.
    expect(reporter.finish()).toBe(2);
    const report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
    expect(report.labs.map((l) => [l.lab, l.status])).toEqual([
      ['demo', 'failed'],
      ['other', 'unsupported'],
    ]);
    expect(report.labs[0]!.failures).toEqual([{ name: '1. Run it › container y is running', message: 'expected container y exists, but there is no container named y\nStart y with -d.' }]);
    expect(report.labs[1]!.reasons).toEqual(['it needs cgroup v2']);
    expect(report.counts.passed).toBe(2);
    expect(out).toContain(`JSON report written to ${file}`);
  });
});
