import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseLab } from '../../runner/lab/parse.js';
import type { Lab } from '../../runner/lab/types.js';
import { EMPTY_PROGRESS, openingNotice, type ProgressFile } from '../../runner/tutor/progress.js';
import { Tutor } from '../../runner/tutor/tutor.js';
import { StartApp } from '../../runner/ui/start/StartApp.js';
import { BOX_LAB } from './box-lab.js';
import { containerFacts, FakeDocker } from './fake-docker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(frame: () => string | undefined, pattern: RegExp, ms = 2000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const f = frame() ?? '';
    if (pattern.test(f)) return f;
    await sleep(10);
  }
  throw new Error(`the screen never showed ${pattern}; last frame:\n${frame()}`);
}

describe('the interactive runner (Ink components)', () => {
  let docker: FakeDocker;
  let state: string;
  let saved: ProgressFile[];
  const boxes = () => parseLab(BOX_LAB, 'boxes/lab.md', '');
  const other = (): Lab => parseLab(BOX_LAB.replace('id: boxes', 'id: other').replace('title: Boxes', 'title: Other things').replace('bx-a]', 'ot-a]'), 'other/lab.md', '');

  const app = (props: { initialLab?: string; progress?: ProgressFile; notice?: string } = {}) =>
    render(
      <StartApp
        labs={[boxes(), other()]}
        progress={props.progress ?? EMPTY_PROGRESS}
        notice={props.notice}
        save={(p) => saved.push(p)}
        initialLab={props.initialLab}
        hasFiles={() => false}
        createSession={(lab, progress, emit, save) =>
          new Tutor({ docker, stateDir: state, lab, progress, saveProgress: save, emit, prepareImages: async () => 'busybox', pollMs: 0, debounceMs: 5, engineRetryMs: 20 })
        }
      />,
    );

  beforeEach(() => {
    docker = new FakeDocker();
    state = mkdtempSync(join(tmpdir(), 'll-app-'));
    saved = [];
  });

  it("lists the labs with each one's progress, and opens the chosen one with Enter", async () => {
    const progress: ProgressFile = { version: 1, labs: { other: { step: 1, hints: {}, completed: ['start-a-box'], updatedAt: 0 } } };
    const r = app({ progress });
    const list = await until(r.lastFrame, /Other things/);
    expect(list).toMatch(/boxes\s+5 min\s+not started\s+Boxes/);
    expect(list).toMatch(/other\s+5 min\s+step 2 of 2\s+Other things/);
    await sleep(50);
    r.stdin.write('\u001b[B');
    await sleep(20);
    r.stdin.write('\r');
    const screen = await until(r.lastFrame, /Stop the box/);
    expect(screen).toContain('Other things  step 2 of 2');
    r.unmount();
  });

  it('shows the step from its Markdown with a failing check saying what was expected and found', async () => {
    const r = app({ initialLab: 'boxes' });
    const screen = await until(r.lastFrame, /0\/1 pass/);
    expect(screen).toContain('Some words before the first step.');
    expect(screen).toContain('Start a box');
    expect(screen).toMatch(/✗ expected container bx-a .*but there is no container named bx-a/);
    expect(screen).toContain('Start bx-a detached.');
    r.unmount();
  });

  it("turns the check green when the engine reports the learner's container, and says the step is done", async () => {
    const r = app({ initialLab: 'boxes' });
    await until(r.lastFrame, /0\/1 pass/);
    docker.containers.set('bx-a', containerFacts('bx-a'));
    docker.emitEvent({ type: 'container', action: 'start', name: 'bx-a' });
    const screen = await until(r.lastFrame, /1\/1 pass/);
    expect(screen).toContain('✓ container bx-a is running');
    expect(screen).toContain('Step complete. Press n for the next step.');
    expect(saved.at(-1)?.labs.boxes?.completed).toEqual(['start-a-box']);
    r.unmount();
  });

  it('reveals hints one at a time, then says there are no more', async () => {
    const r = app({ initialLab: 'boxes' });
    await until(r.lastFrame, /0\/1 pass/);
    r.stdin.write('h');
    expect(await until(r.lastFrame, /Hint 1: Use docker run -d\./)).not.toContain('Hint 2');
    r.stdin.write('h');
    await until(r.lastFrame, /Hint 2: The name is bx-a\./);
    r.stdin.write('h');
    await until(r.lastFrame, /No more hints for this step/);
    r.unmount();
  });

  it('opens a help overlay listing the keys, closed by any key', async () => {
    const r = app({ initialLab: 'boxes' });
    await until(r.lastFrame, /0\/1 pass/);
    r.stdin.write('?');
    const help = await until(r.lastFrame, /Keys/);
    expect(help).toMatch(/R\s+reset the lab/);
    expect(help).toMatch(/q\s+quit; your place is saved/);
    r.stdin.write('x');
    const closed = await until(r.lastFrame, /^(?![\s\S]*any key closes it)[\s\S]*0\/1 pass/);
    expect(closed).toContain('Start a box');
    r.unmount();
  });

  it('shows an engine-down banner with the fix, and clears it when the engine is back', async () => {
    const r = app({ initialLab: 'boxes' });
    await until(r.lastFrame, /0\/1 pass/);
    docker.kill();
    const down = await until(r.lastFrame, /not answering/);
    expect(down).toContain('npx lean-labs doctor');
    expect(down).toContain('Your progress is saved');
    docker.down = false;
    await until(r.lastFrame, /^(?![\s\S]*not answering)[\s\S]*0\/1 pass/);
    r.unmount();
  });

  it("opens another lab from the list with a clean screen, not the last lab's command and checks", async () => {
    const r = app({ initialLab: 'boxes' });
    await until(r.lastFrame, /0\/1 pass/);
    r.stdin.write('r');
    await until(r.lastFrame, /\$ true[\s\S]*done/, 4000);
    r.stdin.write('\u001b');
    await until(r.lastFrame, /pick a lab/);
    await sleep(50);
    r.stdin.write('\u001b[B');
    await sleep(30);
    r.stdin.write('\r');
    const screen = await until(r.lastFrame, /Other things  step 1 of 2[\s\S]*0\/1 pass/);
    expect(screen).not.toContain('$ true');
    r.unmount();
  });

  it('tells the learner when a damaged progress file was set aside', async () => {
    const r = app({ notice: openingNotice('/state/progress.json.damaged-1', []) });
    expect(await until(r.lastFrame, /damaged/)).toContain('/state/progress.json.damaged-1');
    r.unmount();
  });
});
