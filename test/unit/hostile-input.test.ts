import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBugReport } from '../../runner/bug-report.js';
import { parseDockerHost } from '../../runner/docker/endpoint.js';
import { EngineUnreachableError } from '../../runner/docker/errors.js';
import { UserError } from '../../runner/errors.js';
import { loadLabs, LabsFormatError, loadSomeLabs } from '../../runner/lab/load.js';
import { escapeAllControls, escapeControls, hasControls, settleLine } from '../../runner/text/controls.js';
import { fitProgress } from '../../runner/tutor/progress.js';
import { Tally } from '../../runner/reporters/tally.js';
import { HOSTILE, HOSTILE_TEXT } from '../fixtures/hostile.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('control sequences from containers', () => {
  it.each(Object.entries(HOSTILE))('%s is shown as visible text that a terminal does not act on', (_name, seq) => {
    const shown = escapeControls(`before ${seq} after`);
    expect(hasControls(shown)).toBe(false);
    expect(shown.startsWith('before ')).toBe(true);
    expect(shown.endsWith(' after')).toBe(true);
    // Nothing is dropped: every character of the sequence is still there to read, ESC as ^[.
    if (seq.includes('\u001b')) expect(shown).toContain('^[');
  });

  it('keeps text, newlines and tabs, and spells C1 controls and DEL out', () => {
    expect(escapeControls('a\tb\nc')).toBe('a\tb\nc');
    expect(escapeControls('\u009b31m\u007f')).toBe('<U+009B>31m^?');
    expect(escapeControls('grüße 🐳')).toBe('grüße 🐳');
  });

  it('shows a carriage return as a terminal would on screen, and visibly in reports', () => {
    expect(settleLine('secret-command\rharmless')).toBe('harmlessommand');
    expect(escapeAllControls('secret\rshown\r\nnext')).toBe('secret^Mshown\r\nnext');
  });

  it('reaches no reporter raw: a check message quoting container logs is escaped in the tally', () => {
    const cases: string[] = [];
    const tally = new Tally((c) => cases.push(c.message ?? ''));
    const lab = { id: 'x', steps: [] } as never;
    tally.feed({ kind: 'lab-end', lab, ok: false, ms: 1, error: `logs said ${HOSTILE_TEXT}` });
    expect(cases).toHaveLength(1);
    expect(hasControls(cases[0]!)).toBe(false);
    expect(cases[0]).toContain('OSC 52 clipboard write: [^[]52;c;');
  });
});

describe('engine addresses', () => {
  const cases: Array<[string, RegExp]> = [
    ['tcp://[::1]:1', /^$/],
    ['tcp://localhost:99999', /has "99999" as its port, which is not a port number \(1 to 65535\)/],
    ['tcp://host:0', /has 0 as its port/],
    ['tcp://host:2375/v1.41', /has a path \(\/v1\.41\) after the port/],
    ['unix://run/docker.sock', /names no socket path \(it needs three slashes/],
    ['ssh://me:secret@box', /holds a password[\s\S]*never sends passwords/],
    ['ssh://me@box/var/run', /has a path \(\/var\/run\), which an ssh:\/\/ engine address does not take/],
    ['npipe:////./pipe/docker_engine', /Windows named pipe/],
    ['https://box:2376', /scheme https:\/\//],
    ['box:2375', /not an address \(it has no scheme/],
  ];
  it.each(cases)('%s', (value, message) => {
    if (message.source === '^$') {
      expect(parseDockerHost(value, 'DOCKER_HOST')).toMatchObject({ host: '::1', port: 1 });
      return;
    }
    let error: Error | undefined;
    try {
      parseDockerHost(value, 'DOCKER_HOST');
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(UserError);
    expect(error!.message).toContain(`DOCKER_HOST=${value}`);
    expect(error!.message).toMatch(message);
  });

  it('advises by where the address came from: no `engine up` for a DOCKER_HOST or a context', () => {
    expect(new EngineUnreachableError('tcp://h:1', 'connection refused', 'DOCKER_HOST').message).toMatch(/unset DOCKER_HOST/);
    expect(new EngineUnreachableError('tcp://h:1', 'connection refused', 'DOCKER_HOST').message).not.toMatch(/engine up/);
    expect(new EngineUnreachableError('tcp://h:1', 'x', 'docker context "remote"').message).toMatch(/docker context use default/);
    expect(new EngineUnreachableError('unix:///var/run/docker.sock', 'x', 'default socket').message).toMatch(/engine up/);
  });
});

describe('labs folders that are not what they should be', () => {
  it('an empty folder is an error, not a run that proves nothing', () => {
    const dir = tmp('ll-empty-');
    expect(() => loadSomeLabs(dir)).toThrow(/No labs in .*holds no <lab>\/lab\.md files/);
  });

  it('a file given as the folder, and a lab.md that is a folder, are named as such', () => {
    const dir = tmp('ll-odd-');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(() => loadSomeLabs(join(dir, 'notes.txt'))).toThrow(UserError);
    expect(() => loadSomeLabs(join(dir, 'notes.txt'))).toThrow(/is a file, not a folder of labs/);
    mkdirSync(join(dir, 'odd', 'lab.md'), { recursive: true });
    expect(() => loadSomeLabs(dir)).toThrow(LabsFormatError);
    expect(() => loadSomeLabs(dir)).toThrow(/lab\.md:1: lab\.md is not a file/);
  });

  it("one malformed lab leaves the others usable, and every lab's mistakes are reported at once", () => {
    const dir = tmp('ll-mixed-');
    const good = readFileSync(join(import.meta.dirname, '../fixtures/labs/tiny/lab.md'), 'utf8');
    for (const [id, text] of [
      ['tiny', good],
      ['broken-one', good.replace('id: tiny', 'id: broken-one').replace('title: A tiny lab', 'colour: red')],
      ['broken-two', good.replace('id: tiny', 'id: broken-two').replace('kind: container', 'kind: teleport')],
    ]) {
      mkdirSync(join(dir, id!));
      writeFileSync(join(dir, id!, 'lab.md'), text!);
    }
    const set = loadSomeLabs(dir);
    expect(set.labs.map((l) => l.id)).toEqual(['tiny']);
    expect(set.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/broken-one\/lab\.md:\d+: unknown front matter field "colour"/),
      expect.stringMatching(/broken-two\/lab\.md:\d+: unknown check kind "teleport"/),
    ]);
    expect(loadSomeLabs(dir, ['tiny']).labs.map((l) => l.id)).toEqual(['tiny']);
    expect(() => loadSomeLabs(dir, ['broken-two'])).toThrow(/unknown check kind "teleport"/);
    expect(() => loadLabs(dir)).toThrow(/2 labs have mistakes:\n.*colour[\s\S]*teleport/);
  });
});

describe('saved progress that no longer fits the lab', () => {
  const lab = { id: 'l', steps: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] };
  it('clamps a step past the last one, says so, and keeps the rest', () => {
    const saved = { version: 1 as const, labs: { l: { step: 7, hints: { a: 1, gone: 2 }, completed: ['a', 'b', 'gone'], updatedAt: 5 }, other: { step: 0, hints: {}, completed: [], updatedAt: 1 } } };
    const { progress, notes } = fitProgress(saved, [lab]);
    expect(progress.labs.l).toEqual({ step: 2, hints: { a: 1 }, completed: ['a', 'b'], updatedAt: 5 });
    expect(progress.labs.other).toEqual(saved.labs.other);
    expect(notes).toEqual(['l: your saved place (step 8) is past its last step now; you are on step 3.']);
  });
  it('leaves fitting progress alone and says nothing', () => {
    const saved = { version: 1 as const, labs: { l: { step: 1, hints: {}, completed: ['a'], updatedAt: 5 } } };
    expect(fitProgress(saved, [lab])).toEqual({ progress: saved, notes: [] });
  });
});

describe('bugs', () => {
  it('write a report with the version, the command and the stack to a file in the state folder', () => {
    const state = tmp('ll-bug-');
    const file = writeBugReport(new TypeError('boom'), ['start', 'namespaces'], state, new Date('2026-01-02T03:04:05Z'));
    expect(file).toMatch(new RegExp(`^${state}/bug-reports/2026-01-02T03-04-05-000Z-\\d+\\.txt$`));
    const text = readFileSync(file!, 'utf8');
    expect(text).toMatch(/^lean-labs \d+\.\d+\.\d+ bug report/);
    expect(text).toContain('command: lean-labs start namespaces');
    expect(text).toContain('TypeError: boom');
  });
});
