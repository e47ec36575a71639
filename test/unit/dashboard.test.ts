import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ClassEvent } from '../../classroom/events.js';
import { applyEvent, type Position } from '../../classroom/server/positions.js';
import type { DashboardSnapshot, StatusRow } from '../../classroom/protocol.js';
import { ClassServer } from '../../classroom/server/server.js';
import { ClassStore } from '../../classroom/server/store.js';
import { checkSummary, duration, histogramLine, isStuck, stepHistogram } from '../../classroom/web/overview.js';

const MIN = 60_000;

function row(r: Partial<StatusRow>): StatusRow {
  return {
    sandbox: 'll-c-001',
    slot: 1,
    learner: 'Ada',
    node: 'n1',
    state: 'claimed',
    message: '',
    restarts: 0,
    lab: 'ns',
    labTitle: 'Namespaces',
    step: 's1',
    stepNumber: 1,
    steps: 9,
    passed: 0,
    total: 2,
    failing: 'no container ns-a',
    checks: [],
    onStepMs: 0,
    progressAt: 0,
    lastActivity: 0,
    ...r,
  };
}

describe('who is stuck', () => {
  it('is a learner on a failing step with no progress for the stuck time, and nobody else', () => {
    expect(isStuck(row({ progressAt: 0 }), 10 * MIN, 10 * MIN)).toBe(true);
    expect(isStuck(row({ progressAt: 0 }), 10 * MIN - 1, 10 * MIN)).toBe(false);
    // Their step passes: they are reading or done, not stuck.
    expect(isStuck(row({ progressAt: 0, passed: 2, total: 2 }), 60 * MIN, 10 * MIN)).toBe(false);
    // Not judged yet counts as not passing.
    expect(isStuck(row({ progressAt: 0, passed: 0, total: 0 }), 60 * MIN, 10 * MIN)).toBe(true);
    // A free sandbox, or a learner who opened no lab yet, is never stuck.
    expect(isStuck(row({ learner: '', progressAt: 0 }), 60 * MIN, 10 * MIN)).toBe(false);
    expect(isStuck(row({ lab: '', stepNumber: 0, progressAt: null }), 60 * MIN, 10 * MIN)).toBe(false);
  });

  it('counts from the last step forward, not from the last failing try', () => {
    const e = (seq: number, at: number, x: Partial<ClassEvent>): ClassEvent => ({ seq, at, type: 'judged', lab: 'ns', step: 's1', stepIndex: 0, steps: 9, ...x }) as ClassEvent;
    let pos: Position | undefined;
    const feed = (x: ClassEvent) => (pos = applyEvent(pos, undefined, x).position);
    feed(e(1, 1000, { type: 'lab' }));
    feed(
      e(2, 2000, {
        checks: [
          { title: 'a', pass: false },
          { title: 'b', pass: false },
        ],
      }),
    );
    expect(pos!.progressAt).toBe(1000);
    feed(
      e(3, 5000, {
        checks: [
          { title: 'a', pass: true },
          { title: 'b', pass: false },
        ],
      }),
    );
    expect(pos!.progressAt).toBe(5000); // one more check passes: progress
    feed(
      e(4, 9000, {
        checks: [
          { title: 'a', pass: false },
          { title: 'b', pass: false },
        ],
      }),
    );
    feed(
      e(5, 12000, {
        checks: [
          { title: 'a', pass: true },
          { title: 'b', pass: false },
        ],
      }),
    );
    expect(pos!.progressAt).toBe(12000); // back up from a fall counts again
    feed(
      e(6, 20000, {
        checks: [
          { title: 'a', pass: true },
          { title: 'b', pass: false },
        ],
      }),
    );
    expect(pos!.progressAt).toBe(12000); // the same verdict again is not progress
    expect(pos!.lastActivity).toBe(20000);
    feed(e(7, 30000, { type: 'step', step: 's2', stepIndex: 1 }));
    expect(pos!.progressAt).toBe(30000);
  });
});

describe('where the class stands', () => {
  it('counts learners per step, lab by lab, steps in order, leaving out free sandboxes and those in no lab', () => {
    const rows = [
      row({ sandbox: 'a', stepNumber: 3 }),
      row({ sandbox: 'b', stepNumber: 4 }),
      row({ sandbox: 'c', stepNumber: 3 }),
      row({ sandbox: 'd', lab: 'cg', labTitle: 'Cgroups', stepNumber: 1, steps: 5 }),
      row({ sandbox: 'e', learner: '', stepNumber: 1 }),
      row({ sandbox: 'f', lab: '', stepNumber: 0 }),
    ];
    const h = stepHistogram(rows);
    expect(h.map((c) => [c.lab, c.stepNumber, c.count])).toEqual([
      ['ns', 3, 2],
      ['ns', 4, 1],
      ['cg', 1, 1],
    ]);
    expect(histogramLine(h.filter((c) => c.lab === 'ns'))).toBe('2 on step 3, 1 on step 4');
    expect(stepHistogram([])).toEqual([]);
  });

  it('reads durations and check summaries as the instructor does', () => {
    expect([duration(-5), duration(42_000), duration(7 * MIN + 5000), duration(65 * MIN)]).toEqual(['0 s', '42 s', '7 min', '1 h 05 min']);
    expect(checkSummary(row({ passed: 1, total: 2 }))).toEqual({ text: '1/2', state: 'fail', failing: 'no container ns-a' });
    expect(checkSummary(row({ passed: 2, total: 2 }))).toEqual({ text: '2/2', state: 'pass', failing: '' });
    expect(checkSummary(row({ total: 0 })).state).toBe('none');
  });
});

describe("the class server's pages and live feed", () => {
  let server: ClassServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<{ base: string; store: ClassStore }> {
    const web = mkdtempSync(join(tmpdir(), 'll-web-'));
    for (const f of ['learner.html', 'dashboard.html', 'dashboard-locked.html', 'learner.js']) writeFileSync(join(web, f), `<!-- ${f} -->`);
    const store = await ClassStore.open();
    store.addSandbox({ id: 'll-c-001', slot: 1, service: 'll-c-001', token: 'sandbox-token' });
    store.updateSandbox('ll-c-001', { state: 'ready', node: 'n1' });
    server = new ClassServer({
      store,
      settings: { name: 'c', learners: 2, joinCode: 'ABC234', instructorToken: 'instructor', machineToken: 'machine', stuckAfterMs: 3 * MIN },
      webDir: web,
      classImage: async () => Readable.from([Buffer.from('the class image tar')]),
    });
    const port = await server.listen(0, '127.0.0.1');
    return { base: `http://127.0.0.1:${port}`, store };
  }

  it("serves the learner's page to anyone and the dashboard only with the instructor token", async () => {
    const { base } = await start();
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<!-- learner.html -->');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${base}/web/learner.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const token of ['', 'ABC234', 'sandbox-token', 'instructo']) {
      const locked = await fetch(`${base}/dashboard?token=${token}`);
      expect(locked.status).toBe(401);
      expect(await locked.text()).toBe('<!-- dashboard-locked.html -->');
    }
    expect(await (await fetch(`${base}/dashboard?token=instructor`)).text()).toBe('<!-- dashboard.html -->');
    // Nothing outside the pages' folder, and no other names.
    for (const path of ['/web/../package.json', '/web/%2e%2e/package.json', '/web/missing.js', '/web/learner.js.map']) expect((await fetch(`${base}${path}`)).status).toBe(404);
  });

  it('answers wrong join codes from one address with 429 and how long to wait, and still lets the right code in', async () => {
    const { base } = await start();
    const join = (body: object) => fetch(`${base}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push((await join({ code: `WRONG${i}`, name: 'Mallory' })).status);
    expect(answers).toEqual([...Array(10).fill(403), 429, 429]);
    const limited = await join({ code: 'ABC234', name: 'Alice' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(((await limited.json()) as { error: string }).error).toMatch(/^too many wrong join codes from this address: try again in \d+ seconds$/);
  });

  it("holds a spare's lab images while other sandboxes are still starting, but never a learner's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-images-'));
    writeFileSync(join(dir, 'images.tar'), 'lab images');
    const store = await ClassStore.open();
    for (const [i, state, node] of [
      [1, 'ready', 'n1'],
      [2, 'ready', 'n1'],
      [3, 'pending', 'n1'],
      [4, 'pending', ''],
    ] as const) {
      store.addSandbox({ id: `s${i}`, slot: i, service: `s${i}`, token: `t${i}` });
      store.updateSandbox(`s${i}`, { state, node });
    }
    server = new ClassServer({ store, settings: { name: 'c', learners: 4, joinCode: 'ABC234', instructorToken: 'instructor' }, imagesTar: join(dir, 'images.tar'), imageHoldMs: 60_000 });
    const base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    const got: string[] = [];
    const fetchImages = (token: string) => fetch(`${base}/sandbox/images?token=${token}`).then(async (r) => got.push(`${token}:${r.status}:${await r.text()}`));
    const spare = fetchImages('t2');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([]); // s3 is starting on a node (s4, which no node took, does not count)
    // A learner claims s1: their images go at once, ahead of the held spare.
    expect(store.claim({ id: 'l1', name: 'Ada', token: 'learner' })?.sandbox).toBe('s1');
    await fetchImages('t1');
    expect(got).toEqual(['t1:200:lab images']);
    store.updateSandbox('s3', { state: 'ready', node: 'n1' });
    await spare;
    expect(got).toEqual(['t1:200:lab images', 't2:200:lab images']);
  });

  it('gives turns to load images one place at a time; a turn not used in time frees its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-images-'));
    writeFileSync(join(dir, 'images.tar'), 'lab images');
    const store = await ClassStore.open();
    for (const i of [1, 2, 3]) {
      store.addSandbox({ id: `s${i}`, slot: i, service: `s${i}`, token: `t${i}` });
      store.updateSandbox(`s${i}`, { state: 'ready', node: 'n1' });
    }
    server = new ClassServer({
      store,
      settings: { name: 'c', learners: 3, joinCode: 'ABC234', instructorToken: 'instructor' },
      imagesTar: join(dir, 'images.tar'),
      imageTransfers: 1,
      turnKeptMs: 400,
    });
    const base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    const got: string[] = [];
    const turn = (token: string, etag = '') =>
      fetch(`${base}/sandbox/images/turn?token=${token}`, { headers: etag ? { 'if-none-match': etag } : {} }).then((r) => {
        got.push(`${token} turn ${r.status}`);
        return r.headers.get('etag') ?? '';
      });
    const tar = (token: string) => fetch(`${base}/sandbox/images?token=${token}`).then(async (r) => got.push(`${token} tar ${r.status} ${await r.text()}`));
    const etag = await turn('t1');
    expect(etag).toMatch(/^".+"$/);
    const second = turn('t2');
    const third = turn('t3');
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toEqual(['t1 turn 204']); // the one place is t1's until its transfer ends
    await tar('t1');
    await second;
    expect(got).toEqual(['t1 turn 204', 't1 tar 200 lab images', 't2 turn 204']);
    // t2 never comes for its images: after the turn's time its place goes to t3.
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(3);
    await third;
    expect(got.at(-1)).toBe('t3 turn 204');
    // A sandbox that has these images is told so at once, turn or not.
    await turn('t1', etag);
    expect(got.at(-1)).toBe('t1 turn 304');
    expect((await fetch(`${base}/sandbox/images?token=t1`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/sandbox/images/turn?token=nobody`)).status).toBe(401);
  });

  it('sends the class image to a machine with the machine token only', async () => {
    const { base } = await start();
    const ok = await fetch(`${base}/machine/class-image?token=machine`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-tar');
    expect(await ok.text()).toBe('the class image tar');
    for (const token of ['', 'instructor', 'ABC234', 'sandbox-token', 'machin']) {
      const refused = await fetch(`${base}/machine/class-image?token=${token}`);
      expect(refused.status).toBe(401);
      expect(await refused.text()).toMatch(/class add-machine/);
    }
  });

  it("pushes the class's status to a dashboard at once and again after each change, closed to other tokens", async () => {
    const { base, store } = await start();
    const ws = new WebSocket(`${base.replace('http', 'ws')}/dashboard/live?token=instructor`);
    const got: DashboardSnapshot[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as DashboardSnapshot));
    const wait = async (n: number) => {
      for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      expect(got.length).toBeGreaterThanOrEqual(n);
    };
    await wait(1);
    expect(got[0]).toMatchObject({ type: 'status', stuckAfterMs: 3 * MIN, status: { class: 'c', joined: 0 } });
    const t0 = Date.now();
    store.claim({ id: 'l1', name: 'Ada', token: 'learner-token' });
    store.addEvents('ll-c-001', 'abcdef01', [{ seq: 1, at: Date.now(), type: 'lab', lab: 'ns', step: 's1', stepIndex: 0, steps: 9 }]);
    await wait(2);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Both changes came in one snapshot.
    expect(got).toHaveLength(2);
    expect(got[1]!.status.rows[0]).toMatchObject({ learner: 'Ada', lab: 'ns', stepNumber: 1 });
    ws.close();
    for (const token of ['learner-token', 'sandbox-token', 'ABC234']) {
      const other = new WebSocket(`${base.replace('http', 'ws')}/dashboard/live?token=${token}`);
      expect(await new Promise<number>((resolve) => other.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0)))).toBe(401);
    }
  });
});
