import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeRate, type RateFields } from '../../runner/checks/kinds/rate.js';
import { CHECK_KINDS } from '../../runner/checks/registry.js';
import type { CheckContext } from '../../runner/checks/types.js';
import { clearSession } from '../../runner/engine/session.js';
import { memoryMeasurements, sessionMeasurements } from '../../runner/engine/measurements.js';
import { containerFacts, FakeDocker } from './fake-docker.js';

const ctxOf = (docker: FakeDocker, measurements = memoryMeasurements()): CheckContext => ({
  docker,
  labels: { 'lean-labs.lab': 't' },
  helperImage: 'lean-labs/busybox:v1',
  since: 0,
  measurements,
});
const judge = (kind: string, fields: Record<string, unknown>, docker: FakeDocker, ctx = ctxOf(docker)) => CHECK_KINDS.get(kind)!.evaluate(fields, ctx);
const stack = (service: string, n: number, status = 'running', created = Date.now()) =>
  containerFacts(`coins-${service}-${n}`, {
    created,
    labels: { 'com.docker.compose.project': 'coins', 'com.docker.compose.service': service },
    state: { status, running: status === 'running' },
  });
const json = (hashes: number, now: number) => JSON.stringify({ hashes, now });
const MARK = '\n--lean-labs-second-reading--\n';
const base: RateFields = { url: 'http://webui/json', network: 'coins_default', field: 'hashes', clock: 'now', project: 'coins', service: 'worker' };

describe('rate check', () => {
  it('measures the growth of a counter by the server clock, and records it only when measured with the asked replicas', () => {
    const store = memoryMeasurements();
    const r = judgeRate({ ...base, replicas: 1, min: 1, record: 'one' }, { first: json(100, 10), second: json(130, 16), seconds: 6, runningBefore: 1, runningAfter: 1 }, store);
    expect(r.pass).toBe(true);
    expect(r.found).toContain('measured 5.00 hashes/s over 6.00 s with 1 worker');
    expect(store.get('one')).toBe(5);

    const wrong = judgeRate({ ...base, replicas: 2, record: 'two' }, { first: json(0, 0), second: json(60, 6), seconds: 6, runningBefore: 1, runningAfter: 1 }, store);
    expect(wrong.pass).toBe(false);
    expect(wrong.found).toContain('1 worker running');
    expect(store.get('two')).toBeUndefined();
  });

  it('compares with an earlier rate in both directions, and says when there is none', () => {
    const store = memoryMeasurements();
    store.set('one worker', 5);
    const ten = { first: json(0, 0), second: json(60, 6), seconds: 6, runningBefore: 10, runningAfter: 10 };
    expect(judgeRate({ ...base, replicas: 10, vs: 'one worker', maxRatio: 5 }, ten, store).pass).toBe(true);
    const notFaster = judgeRate({ ...base, replicas: 10, vs: 'one worker', minRatio: 5 }, ten, store);
    expect(notFaster.pass).toBe(false);
    expect(notFaster.expected).toContain('at least 5 times the rate of one worker (25.0 hashes/s)');
    expect(notFaster.found).toContain('2.00 times the 5.00 hashes/s of one worker');
    expect(judgeRate({ ...base, replicas: 10, vs: 'nothing', maxRatio: 5 }, ten, store).found).toContain('do the earlier step first');
  });

  it('fails when the replicas change during the window, or the answer has no counter', () => {
    const moving = judgeRate({ ...base, replicas: 2, min: 1 }, { first: json(0, 0), second: json(60, 6), seconds: 6, runningBefore: 2, runningAfter: 3 });
    expect(moving.found).toContain('went from 2 to 3 running during the measurement');
    const broken = judgeRate({ ...base, min: 1 }, { first: '{"error": "redis down"}', second: json(1, 1), seconds: 6 });
    expect(broken.pass).toBe(false);
    expect(broken.found).toContain('no number "hashes"');
  });

  it('reads twice from one helper on the network, and does not spend the window when the replicas are wrong', async () => {
    const d = new FakeDocker().add(stack('worker', 1));
    d.networks.set('coins_default', { name: 'coins_default', id: 'n1', created: 0, labels: {}, driver: 'bridge' });
    d.helperAnswers.push({ exitCode: 0, stdout: json(10, 100) + MARK + json(40, 106), stderr: '' });
    const ok = await judge('rate', { ...base, replicas: 1, min: 1, over: 10 }, d);
    expect(ok.pass).toBe(true);
    expect(d.helperRuns[0]!.networkMode).toBe('coins_default');
    const before = d.helperRuns.length;
    const r = await judge('rate', { ...base, replicas: 10, min: 1 }, d);
    expect(r.found).toBe('1 worker running');
    expect(d.helperRuns.length).toBe(before);
  });

  it('keeps measurements per session on disk, and drops them with the session', () => {
    const state = mkdtempSync(join(tmpdir(), 'll-measure-'));
    sessionMeasurements(state, 'lab', 's1').set('one', 4.5);
    expect(sessionMeasurements(state, 'lab', 's1').get('one')).toBe(4.5);
    expect(sessionMeasurements(state, 'lab', 's2').get('one')).toBeUndefined();
    clearSession(state, 'lab');
    expect(sessionMeasurements(state, 'lab', 's1').get('one')).toBeUndefined();
  });
});

describe('compose and label checks for stacks', () => {
  it('createdBefore: a service left alone by a rewrite is older than the new service; a recreated one is not', async () => {
    const t = Date.now();
    const d = new FakeDocker()
      .add(stack('rng', 1, 'running', t - 60_000))
      .add(stack('worker', 1, 'running', t))
      .add(stack('hasherproxy', 1, 'running', t - 1));
    expect((await judge('compose', { project: 'coins', service: 'rng', replicas: 1, createdBefore: 'hasherproxy' }, d)).pass).toBe(true);
    const recreated = await judge('compose', { project: 'coins', service: 'worker', replicas: 1, createdBefore: 'hasherproxy' }, d);
    expect(recreated.found).toContain('coins-worker-1 came after it: Compose recreated it');
    const none = await judge('compose', { project: 'coins', service: 'rng', replicas: 1, createdBefore: 'nothing' }, d);
    expect(none.found).toContain('there is no container of nothing to compare with');
  });

  it("createdOnce: counts the engine's create events for the service since the lab began", async () => {
    const labels = { 'com.docker.compose.project': 'coins', 'com.docker.compose.service': 'rng' };
    const ev = (action: string) => ({ type: 'container', action, name: 'coins-rng-1', time: 10, attributes: labels });
    const d = new FakeDocker().add(stack('rng', 1));
    d.pastEventsOf.set('coins-rng-1', [ev('create'), ev('start')]);
    expect((await judge('compose', { project: 'coins', service: 'rng', replicas: 1, createdOnce: true }, d)).pass).toBe(true);
    d.pastEventsOf.set('coins-rng-1', [ev('create'), ev('start'), ev('destroy'), ev('create'), ev('start')]);
    const r = await judge('compose', { project: 'coins', service: 'rng', replicas: 1, createdOnce: true }, d);
    expect(r.found).toBe('2 were created for the 1 there: Compose replaced 1');
  });

  it('exec finds a Compose service by its labels', async () => {
    const d = new FakeDocker().add(stack('worker', 2)).add(stack('worker', 1));
    d.answer('coins-worker-1', /true/, { stdout: 'same\n' });
    expect((await judge('exec', { project: 'coins', service: 'worker', run: 'true', stdout: 'same' }, d)).pass).toBe(true);
    expect((await judge('exec', { project: 'coins', service: 'nope', run: 'true' }, d)).found).toBe('no container of service nope of stack coins is running');
  });

  it('labelled counts containers by a label key or key=value, naming them', async () => {
    const d = new FakeDocker()
      .add(containerFacts('app-logs', { labels: { 'es.sidekick-for': 'app' } }))
      .add(containerFacts('old-logs', { labels: { 'es.sidekick-for': 'old' }, state: { status: 'exited', running: false } }));
    expect((await judge('labelled', { label: 'es.sidekick-for', running: 1, present: 2 }, d)).pass).toBe(true);
    const r = await judge('labelled', { label: 'es.sidekick-for=app', running: 0 }, d);
    expect(r.found).toBe('1 running: app-logs');
  });
});
