import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseLab } from '../../runner/lab/parse.js';
import { appendOutput, EMPTY_OUTPUT, outputLines } from '../../runner/tutor/output.js';
import { loadProgress, progressLabel, saveProgress, withLab } from '../../runner/tutor/progress.js';
import { Debouncer, EventFilter } from '../../runner/tutor/relevance.js';
import { highlightShell, lineText, renderMarkdown } from '../../runner/tutor/terminal-markdown.js';
import { Tutor, type TutorEvent } from '../../runner/tutor/tutor.js';
import { initialLabView, reduceLabView } from '../../runner/tutor/view-state.js';
import { type LabAction, LAB_KEYS, labAction } from '../../runner/ui/start/keys.js';
import { BOX_LAB } from './box-lab.js';
import { judgeShell } from '../../runner/checks/kinds/shell.js';
import { runProcess } from '../../runner/host/run.js';
import { containerFacts, FakeDocker } from './fake-docker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress file', () => {
  let state: string;
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'll-progress-'));
  });

  it('round-trips through an atomic write and labels each lab', () => {
    const p = withLab(loadProgress(state).progress, 'boxes', { step: 1, hints: { a: 1 }, completed: ['a'], updatedAt: 1 });
    saveProgress(state, p);
    expect(readdirSync(state)).toEqual(['progress.json']);
    const back = loadProgress(state).progress;
    expect(back.labs.boxes).toEqual(p.labs.boxes);
    expect(progressLabel(back.labs.boxes, ['a', 'b', 'c'])).toBe('step 2 of 3');
    expect(progressLabel(back.labs.boxes, ['a'])).toBe('done');
    expect(progressLabel(undefined, ['a'])).toBe('not started');
  });

  it('sets a damaged file aside instead of failing or overwriting it', () => {
    writeFileSync(join(state, 'progress.json'), '{"version":1,"labs":{"boxes":{"step":-3}}');
    const loaded = loadProgress(state, 42);
    expect(loaded.progress.labs).toEqual({});
    expect(loaded.setAside).toBe(join(state, 'progress.json.damaged-42'));
    expect(readFileSync(loaded.setAside!, 'utf8')).toContain('"step":-3');
    writeFileSync(join(state, 'progress.json'), '{"version":1,"labs":{"boxes":{"step":-3,"hints":{},"completed":[]}}}');
    expect(loadProgress(state, 43).setAside).toMatch(/damaged-43$/);
  });
});

describe('command output', () => {
  it('shows colours, cursor moves, screen clears and titles as visible text that does nothing', () => {
    const raw = '\u001b[31mred\u001b[0m \u001b]0;title\u0007done\ttab';
    expect(outputLines(appendOutput(EMPTY_OUTPUT, raw))).toEqual(['^[[31mred^[[0m ^[]0;title^Gdone  tab']);
  });

  it('settles carriage returns as a terminal shows them and keeps only the last lines', () => {
    let out = appendOutput(EMPTY_OUTPUT, 'progress 10%\rprogress 99%\rprogress done\nnext');
    expect(outputLines(out)).toEqual(['progress done', 'next']);
    for (let i = 0; i < 500; i++) out = appendOutput(out, `line ${i}\n`, 50);
    expect(out.lines).toHaveLength(50);
    expect(out.lines.at(-1)).toBe('line 499');
    expect(out.dropped).toBe(451);
  });
});

describe('terminal markdown', () => {
  it('lays out headings, emphasis, lists and code blocks within the width', () => {
    const lines = renderMarkdown('## Title\n\nSome **bold** and `code` in a sentence long enough to wrap around the edge.\n\n- one\n- two\n\n```sh\ndocker run -d --name x img # go\n```', 30);
    const text = lines.map(lineText);
    expect(text[0]).toBe('Title');
    expect(text[1]).toBe('─────');
    expect(text.every((l) => l.length <= 30)).toBe(true);
    expect(text).toContain('• one');
    expect(lines.flat().find((s) => s.text === 'bold')?.style).toBe('strong');
    expect(lines.flat().find((s) => s.text === 'code')?.style).toBe('code');
    expect(text.some((l) => l.startsWith('  docker run'))).toBe(true);
  });

  it('highlights commands, flags, strings and comments in shell blocks', () => {
    const segs = highlightShell(`docker run --name web -e A="x y" img | grep 'GET' # note`);
    const style = (t: string) => segs.find((s) => s.text === t)?.style;
    expect(style('docker')).toBe('command');
    expect(style('--name')).toBe('flag');
    expect(style('"x y"')).toBe('string');
    expect(style('grep')).toBe('command');
    expect(style('# note')).toBe('comment');
  });

  it('fits a table in columns, or one row per line when too wide', () => {
    const md = '| a | b |\n|---|---|\n| pid | process numbers |';
    expect(renderMarkdown(md, 60).map(lineText)).toContain('  pid │ process numbers');
    expect(renderMarkdown(md, 12).map(lineText).join('\n')).toContain('process');
  });

  it('measures in terminal columns: wide characters take two, so no line passes the width', () => {
    const cols = (l: string) => stringWidth(l);
    const prose = renderMarkdown('容器は名前空間と制御グループで作られます。'.repeat(4), 20).map(lineText);
    expect(prose.length).toBeGreaterThan(4);
    for (const l of prose) expect(cols(l)).toBeLessThanOrEqual(20);
    const code = renderMarkdown('```sh\necho "日本語のテキストがとても長い行になります"\n```', 24).map(lineText);
    for (const l of code) expect(cols(l)).toBeLessThanOrEqual(24);
    expect(code.join('').replace(/\s|↪/g, '')).toContain('日本語のテキストがとても長い行になります');
    // A table's columns line up by width, not by characters: the bars stand in one column.
    const table = renderMarkdown('| 名前 | x |\n|---|---|\n| ab | y |', 40).map(lineText);
    const bars = table.filter((l) => l.includes('│')).map((l) => cols(l.slice(0, l.indexOf('│'))));
    expect(new Set(bars).size).toBe(1);
  });
});

describe('key map', () => {
  it('maps keys to actions, and the help lists every action the map produces', () => {
    expect(labAction('r', {})).toBe('run');
    expect(labAction('c', { ctrl: true })).toBe('interrupt');
    expect(labAction('c', {})).toBe('check');
    expect(labAction('r', { ctrl: true })).toBeUndefined();
    expect(labAction('', { rightArrow: true })).toBe('next');
    expect(labAction('', { escape: true })).toBe('back');
    expect(labAction(' ', {})).toBe('pageDown');
    expect(labAction('z', {})).toBeUndefined();
    // One table: every press a help row names gives that row's action, and every action has a row.
    for (const row of LAB_KEYS)
      for (const [press, action] of row.presses) {
        const got = 'special' in press ? labAction('', { [press.special]: true }) : labAction(press.input, { ctrl: press.ctrl });
        expect(got, `${row.keys}`).toBe(action);
      }
    const actions: LabAction[] = [
      'run',
      'solve',
      'check',
      'hint',
      'next',
      'previous',
      'reset',
      'help',
      'back',
      'quit',
      'up',
      'down',
      'pageUp',
      'pageDown',
      'top',
      'bottom',
      'pane',
      'interrupt',
      'adopt',
    ];
    expect(new Set(LAB_KEYS.flatMap((r) => r.presses.map(([, a]) => a)))).toEqual(new Set(actions));
  });
});

describe('which engine events re-judge a step', () => {
  it("ignores the runner's own helpers and exec events while judging, and keeps the learner's", () => {
    const f = new EventFilter('s1');
    const helper = { type: 'container', action: 'create', id: 'h1', name: 'x', time: 0, attributes: { 'lean-labs.session': 's1' } };
    expect(f.relevant(helper, false)).toBe(false);
    expect(f.relevant({ type: 'network', action: 'connect', id: 'n', name: 'n', time: 0, attributes: { container: 'h1' } }, false)).toBe(false);
    expect(f.relevant({ type: 'container', action: 'start', id: 'c', name: 'bx-a', time: 0, attributes: {} }, true)).toBe(true);
    expect(f.relevant({ type: 'container', action: 'exec_die', id: 'c', name: 'bx-a', time: 0, attributes: {} }, true)).toBe(false);
    expect(f.relevant({ type: 'container', action: 'exec_die', id: 'c', name: 'bx-a', time: 0, attributes: {} }, false)).toBe(true);
    expect(f.relevant({ type: 'volume', action: 'create', id: 'v', name: 'v', time: 0, attributes: {} }, false)).toBe(true);
    expect(f.relevant({ type: 'plugin', action: 'x', id: 'v', name: 'v', time: 0, attributes: {} }, false)).toBe(false);
  });

  it('fires once for a burst, and again after a run when events came during it', async () => {
    let fired = 0;
    const d = new Debouncer(20, async () => {
      fired++;
      await sleep(40);
    });
    for (let i = 0; i < 10; i++) d.poke();
    await sleep(35);
    expect(fired).toBe(1);
    d.poke();
    await sleep(100);
    expect(fired).toBe(2);
  });
});

describe('Tutor on a scripted engine', () => {
  let state: string;
  let docker: FakeDocker;
  let events: TutorEvent[];
  let saved: unknown;
  const lab = () => parseLab(BOX_LAB, 'boxes/lab.md', '');
  const tutor = (over: Partial<ConstructorParameters<typeof Tutor>[0]> = {}) =>
    new Tutor({
      docker,
      stateDir: state,
      lab: lab(),
      saveProgress: (p) => {
        saved = p;
      },
      prepareImages: async () => 'busybox',
      emit: (e) => events.push(e),
      pollMs: 0,
      debounceMs: 5,
      engineRetryMs: 20,
      ...over,
    });
  const judged = () => events.filter((e): e is Extract<TutorEvent, { kind: 'judged' }> => e.kind === 'judged');

  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'll-tutor-'));
    docker = new FakeDocker();
    events = [];
    saved = undefined;
  });

  it('judges on open, re-judges on an engine event, and saves the step as done', async () => {
    const t = tutor();
    await t.open();
    expect(judged().at(-1)).toMatchObject({ cause: 'open', passed: false });
    docker.containers.set('bx-a', containerFacts('bx-a'));
    docker.emitEvent({ type: 'container', action: 'start', name: 'bx-a' });
    await sleep(40);
    expect(judged().at(-1)).toMatchObject({ cause: 'event', passed: true });
    expect(judged().at(-1)!.eventAt).toBeTypeOf('number');
    expect((saved as { completed: string[] }).completed).toEqual(['start-a-box']);
    t.close();
  });

  it('reveals hints one at a time and remembers how many', async () => {
    const t = tutor();
    await t.open();
    expect(t.revealHint()).toBe('Use docker run -d.');
    expect(t.revealHint()).toBe('The name is bx-a.');
    expect(t.revealHint()).toBeUndefined();
    expect((saved as { hints: Record<string, number> }).hints).toEqual({ 'start-a-box': 2 });
    t.close();
  });

  it("runs the step's commands with their output streamed, and moves between steps", async () => {
    const t = tutor();
    await t.open();
    await t.goTo(1);
    await t.run('commands');
    expect(
      events
        .filter((e) => e.kind === 'output')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('stopping\n');
    expect(events.find((e) => e.kind === 'command-end')).toMatchObject({ code: 0, interrupted: false });
    expect((saved as { step: number }).step).toBe(1);
    t.close();
  });

  it('says the engine is down, keeps progress, and recovers when it is back', async () => {
    const t = tutor({ progress: { step: 1, hints: {}, completed: ['start-a-box'], updatedAt: 0 } });
    await t.open();
    docker.kill();
    await sleep(10);
    expect(events.filter((e) => e.kind === 'engine').at(-1)).toMatchObject({ up: false });
    expect(t.current.completed).toEqual(['start-a-box']);
    docker.down = false;
    docker.containers.set('bx-a', containerFacts('bx-a', { state: { status: 'exited', running: false } }));
    await sleep(80);
    expect(events.filter((e) => e.kind === 'engine').at(-1)).toMatchObject({ up: true });
    expect(judged().at(-1)).toMatchObject({ cause: 'engine-back', passed: true, index: 1 });
    t.close();
  });

  it("never judges or resets a learner's same-named container made a moment before the lab opened", async () => {
    // `docker run --name bx-a … && lean-labs start boxes`: made one second before the session began.
    docker.containers.set('bx-a', containerFacts('bx-a', { created: Date.now() - 1000 }));
    const t = tutor();
    await t.open();
    expect(events.find((e) => e.kind === 'ready')).toMatchObject({ foreign: [{ type: 'container', name: 'bx-a', why: 'it was there before the lab began' }] });
    expect(judged()).toEqual([]);
    expect(await t.judge('key')).toBe(false);
    expect(t.current.completed).toEqual([]);
    await t.reset();
    expect(docker.removed).toEqual([]);
    expect(docker.containers.has('bx-a')).toBe(true);
    // The learner frees the name; the lab's own bx-a is then judged and passes.
    docker.containers.delete('bx-a');
    docker.containers.set('bx-a', containerFacts('bx-a', { id: 'bx-a-new-id' }));
    expect(await t.judge('key')).toBe(true);
    expect(events.filter((e) => e.kind === 'foreign').at(-1)).toMatchObject({ foreign: [] });
    t.close();
  });

  it("after the learner confirms, counts things made while the runner was closed as the lab's", async () => {
    const first = tutor();
    await first.open();
    first.close();
    await sleep(20);
    // Made by hand while no runner was open: the closed session does not claim it.
    docker.containers.set('bx-a', containerFacts('bx-a', { created: Date.now() + 5000 }));
    const t = tutor();
    await t.open();
    expect(events.filter((e) => e.kind === 'ready').at(-1)).toMatchObject({ foreign: [{ name: 'bx-a', why: 'it was made while no session of the lab was open' }] });
    expect(await t.judge('key')).toBe(false);
    await t.adopt();
    expect(judged().at(-1)).toMatchObject({ passed: true });
    await t.reset();
    expect(docker.removed).toEqual(['container:bx-a']);
    t.close();
  });

  it('applies judgings in the order they began: a slow stale red never replaces a newer green', async () => {
    const t = tutor();
    await t.open();
    // The first judging (its ownership survey and its check) reads the engine before the container exists and
    // answers late; the second reads it after, and answers at once.
    const inspect = docker.inspectContainer.bind(docker);
    let calls = 0;
    docker.inspectContainer = async (name: string) => {
      if (++calls > 2) return inspect(name);
      await sleep(150);
      return null;
    };
    const stale = t.judge('poll');
    await sleep(10);
    docker.containers.set('bx-a', containerFacts('bx-a'));
    const fresh = await t.judge('key');
    await stale;
    expect(fresh).toBe(true);
    expect(judged().at(-1)).toMatchObject({ cause: 'key', passed: true });
    expect(judged().some((j) => j.cause === 'poll')).toBe(false);
    t.close();
  });

  it("a shell check's timeout stops everything its command started", async () => {
    const t0 = Date.now();
    const r = await runProcess('bash', ['-c', 'sleep 6 | cat'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(judgeShell('sleep 6 | cat', r)).toMatchObject({ pass: false, found: expect.stringContaining('(timed out)') });
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('folds its events into what the screen shows', async () => {
    const t = tutor();
    await t.open();
    await t.run('commands');
    const view = events.reduce(reduceLabView, initialLabView());
    expect(view.ready).toBe(true);
    expect(view.command).toMatchObject({ text: 'true', exit: { code: 0, interrupted: false } });
    expect(view.results?.[0]?.outcome.pass).toBe(false);
    t.close();
  });
});

describe('parsed-lab cache', () => {
  it('returns the same lab from the cache, parses again when the text changes, and never caches a broken lab', async () => {
    const { loadLabs } = await import('../../runner/lab/load.js');
    const { mkdirSync } = await import('node:fs');
    const labs = mkdtempSync(join(tmpdir(), 'll-labs-'));
    const cache = mkdtempSync(join(tmpdir(), 'll-cache-'));
    mkdirSync(join(labs, 'boxes'));
    writeFileSync(join(labs, 'boxes', 'lab.md'), BOX_LAB);
    const fresh = loadLabs(labs, undefined);
    expect(loadLabs(labs, cache)).toEqual(fresh);
    expect(readdirSync(cache)).toHaveLength(1);
    expect(loadLabs(labs, cache)).toEqual(fresh);
    writeFileSync(join(labs, 'boxes', 'lab.md'), BOX_LAB.replace('title: Boxes', 'title: Crates'));
    expect(loadLabs(labs, cache)[0]!.title).toBe('Crates');
    writeFileSync(join(labs, 'boxes', 'lab.md'), BOX_LAB.replace('state: exited', 'state: sleepy'));
    expect(() => loadLabs(labs, cache)).toThrow(/lab\.md:\d+/);
    expect(readdirSync(cache)).toHaveLength(2);
  });
});
