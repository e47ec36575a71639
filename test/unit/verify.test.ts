import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../runner/engine/events.js';
import { readSession, writeSession, newSession } from '../../runner/engine/session.js';
import { verifyLab } from '../../runner/engine/verify.js';
import { parseLab } from '../../runner/lab/parse.js';
import { Tally, summaryLine } from '../../runner/reporters/tally.js';
import { containerFacts, FakeDocker } from './fake-docker.js';

/** A lab whose "engine state" is files in a folder, so the verify flow runs without Docker. */
function flagLab(steps: string): ReturnType<typeof parseLab> {
  const text = `---\nformat: 1\nid: flags\ntitle: Flags\nsummary: S\nduration: 1m\nresources:\n  containers: [flag-box]\n---\n\n${steps}`;
  return parseLab(text, 'flags/lab.md');
}

const step = (title: string, command: string, check: string) => `## ${title}\n\n\`\`\`sh\n${command}\n\`\`\`\n\n\`\`\`check\n- kind: shell\n  run: ${check}\n  within: 300ms\n\`\`\`\n\n`;

describe('verifyLab', () => {
  let dir: string;
  let state: string;
  let events: LabEvent[];
  const run = (lab: ReturnType<typeof parseLab>, docker = new FakeDocker(), extra: { bail?: boolean; keep?: boolean } = {}) =>
    verifyLab(lab, { docker, stateDir: state, emit: (e) => events.push(e), prepareImages: async () => 'busybox', ...extra });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'll-verify-'));
    state = mkdtempSync(join(tmpdir(), 'll-state-'));
    process.env.FLAGS = dir;
    events = [];
  });

  it('passes when every check fails before its step and passes after it', async () => {
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"') + step('Two', 'touch "$FLAGS/two"', 'test -e "$FLAGS/two"'));
    const result = await run(lab);
    expect(result).toEqual({ ok: true, failedSteps: 0 });
    const checks = events.filter((e) => e.kind === 'check').map((e) => (e.kind === 'check' ? `${e.step.id}:${e.phase}:${e.outcome.pass}` : ''));
    expect(checks).toEqual(['one:before:false', 'one:after:true', 'two:before:false', 'two:after:true']);
    expect(existsSync(join(dir, 'two'))).toBe(true);
  });

  it("judges a step's before-checks while the previous step's after-checks are judged (nothing runs between them)", async () => {
    const log = join(dir, 'log');
    const lab = flagLab(
      step('One', 'touch "$FLAGS/one"', `echo one >> ${log}; test -e "$FLAGS/one" && sleep 0.4; echo one-done >> ${log}; test -e "$FLAGS/one"`) +
        step('Two', 'touch "$FLAGS/two"', `echo two >> ${log}; test -e "$FLAGS/two"`),
    );
    expect(await run(lab)).toEqual({ ok: true, failedSteps: 0 });
    // one's before-check; then one's after-check (0.4 s long) and two's before-check, started together, two's over
    // before one's; then two's after-check.
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['one', 'one-done']);
    expect(lines.slice(2, 4).sort()).toEqual(['one', 'two']);
    expect(lines.slice(4)).toEqual(['one-done', 'two']);
    const checks = events.filter((e) => e.kind === 'check').map((e) => (e.kind === 'check' ? `${e.step.id}:${e.phase}:${e.outcome.pass}` : ''));
    expect(checks, 'the events keep the order of a step at a time').toEqual(['one:before:false', 'one:after:true', 'two:before:false', 'two:after:true']);
  });

  it("judges the next step's before-checks again when an after-check had to wait (the engine was still changing)", async () => {
    // Step one's command leaves a process that, 0.4 s later, makes one's check pass and two's too: two's check then
    // tells nothing, which a judgement taken at the start of one's wait would have missed.
    const lab = flagLab(
      step('One', '(sleep 0.4; touch "$FLAGS/one" "$FLAGS/two") >/dev/null 2>&1 &', 'test -e "$FLAGS/one"').replace('within: 300ms', 'within: 3s') +
        step('Two', 'touch "$FLAGS/two"', 'test -e "$FLAGS/two"'),
    );
    const result = await run(lab);
    expect(result).toEqual({ ok: false, failedSteps: 1 });
    const twoBefore = events.find((e) => e.kind === 'check' && e.step.id === 'two' && e.phase === 'before');
    expect(twoBefore?.kind === 'check' && twoBefore.outcome.pass).toBe(true);
    const tally = new Tally();
    events.forEach((e) => tally.feed(e));
    expect(tally.cases.find((c) => c.status === 'failed')).toMatchObject({ message: expect.stringContaining('already passed before the step') });
  });

  it('reports a check that already passes before its step as an authoring error', async () => {
    const lab = flagLab(step('Useless', 'true', 'true'));
    const result = await run(lab);
    expect(result.ok).toBe(false);
    const tally = new Tally();
    events.forEach((e) => tally.feed(e));
    expect(tally.cases[0]).toMatchObject({ status: 'failed', message: expect.stringContaining('already passed before the step') });
  });

  it('fails a step whose commands fail, and keeps going without --bail', async () => {
    const lab = flagLab(step('Broken', 'exit 3', 'test -e "$FLAGS/never"') + step('Fine', 'touch "$FLAGS/f"', 'test -e "$FLAGS/f"'));
    const result = await run(lab);
    expect(result).toEqual({ ok: false, failedSteps: 1 });
    const ends = events.filter((e) => e.kind === 'step-end');
    expect(ends.map((e) => e.kind === 'step-end' && e.ok)).toEqual([false, true]);
    expect(ends[0]!.kind === 'step-end' && ends[0]!.commandProblems[0]).toMatch(/failed with exit code 3/);
  });

  it('stops at the first failing step with --bail, and counts the rest as skipped', async () => {
    const lab = flagLab(step('Broken', 'exit 3', 'test -e "$FLAGS/never"') + step('Later', 'touch "$FLAGS/l"', 'test -e "$FLAGS/l"'));
    await run(lab, new FakeDocker(), { bail: true });
    expect(existsSync(join(dir, 'l'))).toBe(false);
    const tally = new Tally();
    events.forEach((e) => tally.feed(e));
    expect(summaryLine(tally.counts())).toBe('1 passed, 2 failed, 1 skipped');
  });

  it('refuses to start when a declared name belongs to the learner, and touches nothing', async () => {
    const docker = new FakeDocker().add(containerFacts('flag-box', { created: Date.now() - 3_600_000 }));
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"'));
    const result = await run(lab, docker);
    expect(result.ok).toBe(false);
    expect(existsSync(join(dir, 'one'))).toBe(false);
    expect(docker.removed).toEqual([]);
    const end = events.find((e) => e.kind === 'lab-end');
    expect(end?.kind === 'lab-end' && end.error).toMatch(
      /container flag-box \(no session of the lab made it\): free it with `docker rename flag-box flag-box-mine`.*lean-labs never judges or removes what you made yourself/s,
    );
  });

  it("reclaims what a killed earlier run left (its session record says it was the lab's)", async () => {
    const t = Date.now() - 60_000;
    const killed = newSession('flags', 'verify', t);
    // Its process is gone (pid 0 runs nothing); it last said it was alive 20 s after it began.
    writeSession(state, { ...killed, windows: [{ ...killed.windows[0]!, pid: 0, aliveAt: t + 20_000 }] });
    const docker = new FakeDocker().add(containerFacts('flag-box', { created: t + 10_000 }));
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"'));
    const result = await run(lab, docker);
    expect(result.ok).toBe(true);
    expect(docker.removed).toContain('container:flag-box');
    expect(events.some((e) => e.kind === 'reclaimed')).toBe(true);
    expect(readSession(state, 'flags')).toBeUndefined();
  });

  it("never reclaims what the learner made after a killed run's process died", async () => {
    const t = Date.now() - 60_000;
    const killed = newSession('flags', 'verify', t);
    writeSession(state, { ...killed, windows: [{ ...killed.windows[0]!, pid: 0, aliveAt: t + 20_000 }] });
    const docker = new FakeDocker().add(containerFacts('flag-box', { created: t + 40_000 }));
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"'));
    const result = await run(lab, docker);
    expect(result.ok).toBe(false);
    expect(docker.removed).toEqual([]);
    const end = events.find((e) => e.kind === 'lab-end');
    expect(end?.kind === 'lab-end' && end.error).toMatch(/container flag-box \(it was made while no session of the lab was open\)/);
  });

  it("counts and removes anonymous volumes the lab's commands orphaned, and fails the cleanup for them", async () => {
    const docker = new FakeDocker();
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"'));
    const anon = 'a'.repeat(64);
    const emit = (e: LabEvent) => {
      events.push(e);
      if (e.kind === 'step-start') {
        // `docker run --name flag-box -v /data …` then `docker rm -f flag-box` (no -v): the volume stays.
        const now = Date.now();
        docker.volumes.set(anon, { name: anon, id: anon, created: now, labels: { 'com.docker.volume.anonymous': '' }, driver: 'local' });
        docker.occur(
          { type: 'container', id: 'box-id', action: 'create', name: 'flag-box', time: now, attributes: { name: 'flag-box' } },
          { type: 'volume', id: anon, action: 'mount', name: '', time: now, attributes: { container: 'box-id' } },
          // Another container's volume in the same moment: not the lab's.
          { type: 'volume', id: 'b'.repeat(64), action: 'mount', name: '', time: now, attributes: { container: 'someone-else' } },
        );
        docker.volumes.set('b'.repeat(64), { name: 'b'.repeat(64), id: 'b'.repeat(64), created: now, labels: { 'com.docker.volume.anonymous': '' }, driver: 'local' });
      }
    };
    const result = await verifyLab(lab, { docker, stateDir: state, emit, prepareImages: async () => 'busybox' });
    expect(result.ok).toBe(false);
    expect(docker.removed).toEqual([`volume:${anon}`]);
    const tally = new Tally();
    events.forEach((e) => tally.feed(e));
    expect(tally.cases.find((c) => c.name === 'cleanup leaves nothing behind')?.message).toMatch(/left 1 anonymous volume behind \(aaaaaaaaaaaa\): remove containers with `docker rm -v`/);
  });

  it("reads the past from the session's own record of the engine's events, which the engine itself may have dropped", async () => {
    const docker = new FakeDocker();
    const lab = flagLab('## Start it\n\n```sh\ntrue\n```\n\n```check\n- kind: events\n  container: flag-box\n  action: start\n  count: 1\n  within: 300ms\n```\n\n');
    const emit = (e: LabEvent) => {
      events.push(e);
      // A busy engine: the start streams past the session's watch, and is gone from the engine's own last 256.
      if (e.kind === 'command' && e.phase === 'solution') docker.emitEvent({ type: 'container', id: 'box-id', action: 'start', name: 'flag-box', time: Date.now(), attributes: { name: 'flag-box' } });
    };
    expect(await verifyLab(lab, { docker, stateDir: state, emit, prepareImages: async () => 'busybox' })).toEqual({ ok: true, failedSteps: 0 });
    const after = events.find((e) => e.kind === 'check' && e.phase === 'after');
    expect(after?.kind === 'check' && after.outcome.found).toBe('the engine recorded 1 since the lab began');
  });

  it('removes what the lab made during the run and proves nothing is left', async () => {
    const docker = new FakeDocker();
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"'));
    // The "learner" creates the declared container while the step runs.
    const emit = (e: LabEvent) => {
      events.push(e);
      if (e.kind === 'step-start') docker.add(containerFacts('flag-box', { created: Date.now() }));
    };
    const result = await verifyLab(lab, { docker, stateDir: state, emit, prepareImages: async () => 'busybox' });
    expect(result.ok).toBe(true);
    expect(docker.removed).toEqual(['container:flag-box']);
    const cleanup = events.find((e) => e.kind === 'cleanup');
    expect(cleanup?.kind === 'cleanup' && cleanup.residue).toEqual([]);
  });

  it('with --keep leaves the resources and the session record for reset', async () => {
    const docker = new FakeDocker();
    const lab = flagLab(step('One', 'touch "$FLAGS/one"', 'test -e "$FLAGS/one"'));
    const emit = (e: LabEvent) => {
      events.push(e);
      if (e.kind === 'step-start') docker.add(containerFacts('flag-box', { created: Date.now() }));
    };
    await verifyLab(lab, { docker, stateDir: state, emit, keep: true, prepareImages: async () => 'busybox' });
    expect(docker.containers.has('flag-box')).toBe(true);
    expect(readSession(state, 'flags')?.lab).toBe('flags');
  });

  it('stops at an abort (Ctrl-C) and still cleans up', async () => {
    const abort = new AbortController();
    const docker = new FakeDocker();
    const lab = flagLab(step('Slow', 'sleep 20', 'test -e "$FLAGS/x"'));
    const emit = (e: LabEvent) => {
      events.push(e);
      if (e.kind === 'step-start') docker.add(containerFacts('flag-box', { created: Date.now() }));
      if (e.kind === 'command') setTimeout(() => abort.abort(), 100);
    };
    const t0 = Date.now();
    const result = await verifyLab(lab, { docker, stateDir: state, emit, signal: abort.signal, prepareImages: async () => 'busybox' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    expect(docker.removed).toEqual(['container:flag-box']);
    const end = events.find((e) => e.kind === 'lab-end');
    expect(end?.kind === 'lab-end' && end.error).toBe('interrupted');
  });
});

describe('guard checks', () => {
  it('may pass before their step, but must pass after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-guard-'));
    const state = mkdtempSync(join(tmpdir(), 'll-state-'));
    process.env.FLAGS = dir;
    const text = `---\nformat: 1\nid: flags\ntitle: Flags\nsummary: S\nduration: 1m\n---\n\n## One\n\n\`\`\`sh\ntouch "$FLAGS/one"\n\`\`\`\n\n\`\`\`check\n- kind: shell\n  run: test -e "$FLAGS/one"\n- kind: shell\n  run: test -d "$FLAGS"\n  guard: true\n\`\`\`\n`;
    const lab = parseLab(text, 'flags/lab.md');
    const events: LabEvent[] = [];
    const r = await verifyLab(lab, { docker: new FakeDocker(), stateDir: state, emit: (e) => events.push(e), prepareImages: async () => 'busybox' });
    expect(r.ok).toBe(true);
    const tally = new Tally();
    events.forEach((e) => tally.feed(e));
    expect(tally.counts()).toEqual({ passed: 3, failed: 0, skipped: 0 });
  });
});
