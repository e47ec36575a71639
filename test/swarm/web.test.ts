/**
 * The class in a real browser (Debian's Chromium): three learners join through the learner's page and work in its
 * terminal (xterm.js over the gateway) while the instructor's dashboard, in Chromium too, follows each check turning
 * green. Also: the page's messages for a wrong code, a full class and a sandbox restarting, copy and paste, resizing, a reload, a
 * minute offline and a server restart reconnecting to the same shell with nothing shown twice, the dashboard closed to a learner's token,
 * export from the page, a stuck learner highlighted, and no console errors. Every request goes to this machine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { cli } from '../integration/helpers.js';

const NAME = `w${process.pid % 100000}`;
const STATE = mkdtempSync(join(tmpdir(), 'll-web-class-'));
const env = { LEAN_LABS_STATE_DIR: STATE };
const PORT = 7000 + (process.pid % 350);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const config = (): { joinCode: string; instructorToken: string } => JSON.parse(readFileSync(join(STATE, 'classes', NAME, 'class.json'), 'utf8')) as { joinCode: string; instructorToken: string };

interface Learner {
  name: string;
  context: BrowserContext;
  page: Page;
  token: string;
  sandbox: string;
}

/**
 * Console errors of every page, by page. Pages sent a refusal on purpose say which ones to expect; while the test
 * has the server or the network away on purpose, the browser's own lines saying so are expected too, nothing else.
 */
const consoleErrors: string[] = [];
const awayOnPurpose = { now: false };
function watch(page: Page, label: string, expected: RegExp[] = []): Page {
  page.on('console', (m) => {
    if (m.type() !== 'error' || expected.some((e) => e.test(m.text()))) return;
    if (awayOnPurpose.now && /net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)/.test(m.text())) return;
    consoleErrors.push(`${label}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${label}: ${String(e)}`));
  return page;
}

const termText = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { leanTerm: { text(): string } }).leanTerm.text());
const connected = (page: Page): Promise<boolean> => page.evaluate(() => (window as unknown as { leanTerm: { connected(): boolean } }).leanTerm.connected());

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms / 1000} s; last: ${String(typeof v === 'string' ? v.slice(-1500) : JSON.stringify(v)).slice(0, 1500)}`);
    await sleep(250);
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("the class in a browser: learners' pages and the instructor's dashboard", () => {
  let browser: Browser;
  let dash: Page;
  const learners: Learner[] = [];
  let movedOnAt = 0;

  /** The dashboard's row of a sandbox, as shown. */
  const row = (sandbox: string) =>
    dash.evaluate((s) => {
      const tr = document.querySelector(`tr[data-sandbox="${s}"]`);
      if (!tr) return undefined;
      const cell = (c: string) => tr.querySelector(`td.${c}`)?.textContent ?? '';
      return {
        learner: cell('learner'),
        step: cell('step'),
        checks: tr.querySelector('td.checks .count')?.textContent ?? '',
        state: (tr.querySelector('td.checks') as HTMLElement).dataset.state,
        why: tr.querySelector('td.checks .why')?.textContent ?? '',
        stuck: tr.classList.contains('stuck'),
        markup: tr.querySelector('td.learner *') !== null,
      };
    }, sandbox);

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const r = await cli(['class', 'up', '--name', NAME, '--learners', '3', '--reserve', '0', '--labs', 'namespaces', '--memory', '1g', '--port', String(PORT), '--stuck-after', '1', '--yes'], env);
    if (r.code !== 0) throw new Error(`class up failed:\n${r.stdout}${r.stderr}`);
  });

  afterAll(async () => {
    await browser?.close();
    await cli(['class', 'down', '--name', NAME], env);
  });

  it("class up prints the learners' page and the dashboard with the instructor token", async () => {
    const shown = readFileSync(join(STATE, 'classes', NAME, 'class.json'), 'utf8');
    expect(shown).toContain(config().instructorToken);
    const status = await cli(['class', 'status', '--name', NAME], env);
    expect(status.stdout).toContain(`Live, in a browser: ${BASE}/dashboard?token=${encodeURIComponent(config().instructorToken)}`);
    dash = watch(await browser.newPage({ viewport: { width: 1400, height: 900 } }), 'dashboard');
    await dash.goto(`${BASE}/dashboard?token=${encodeURIComponent(config().instructorToken)}`);
    await dash.waitForSelector('tbody tr[data-sandbox]');
    expect(await dash.locator('tbody tr').count()).toBe(3);
    expect(await dash.textContent('#summary')).toBe('0 of 3 joined');
  });

  it('the page says so when the join code is wrong', async () => {
    const page = watch(await browser.newPage(), 'wrong code', [/status of 403/]);
    await page.goto(`${BASE}/`);
    await page.fill('#code', 'NOPE00');
    await page.fill('#name', 'Mallory');
    await page.click('#join-button');
    await page.waitForFunction(() => (document.querySelector('#join-message')?.textContent ?? '') !== '');
    expect(await page.textContent('#join-message')).toBe('Wrong join code: check it with your instructor.');
    expect(await page.isVisible('#term')).toBe(false);
    await page.close();
  });

  it('three learners join through the page and do the first step in its terminal; the dashboard shows each check turn green', async () => {
    for (const name of ['Ada', '<b>Grace</b>', 'Linus']) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = watch(await context.newPage(), name);
      await page.goto(`${BASE}/`);
      await page.fill('#code', config().joinCode.toLowerCase());
      await page.fill('#name', name);
      await page.click('#join-button');
      await until(
        `${name}'s runner in the page`,
        () => termText(page),
        (t) => /step 1 of 9/.test(t) && /root@sandbox-\d+:/.test(t),
      );
      const token = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('lean-labs-class-token:'))?.[1] ?? '');
      const joined = (await (await fetch(`${BASE}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })).json()) as { sandbox: string };
      learners.push({ name, context, page, token, sandbox: joined.sandbox });
    }
    expect(new Set(learners.map((l) => l.sandbox)).size).toBe(3);
    for (const l of learners) {
      // Before the step: the runner judged it failing, and the dashboard shows that with the runner's message.
      const before = await until(
        `${l.name}'s row failing`,
        () => row(l.sandbox),
        (r) => r?.state === 'fail',
        30_000,
      );
      expect(before).toMatchObject({ learner: l.name, checks: '0/2', markup: false });
      expect(before!.why).toMatch(/ns-a/);
      await l.page.bringToFront();
      await l.page.keyboard.press('Control+b');
      await l.page.keyboard.press('o');
      await sleep(300);
      await l.page.keyboard.type('docker run -d --name ns-a lean-labs/toolbox sleep infinity && docker exec ns-a ps -e -o pid,comm\n');
      const after = await until(
        `${l.name}'s check green on the dashboard`,
        () => row(l.sandbox),
        (r) => r?.state === 'pass',
        90_000,
      );
      expect(after).toMatchObject({ learner: l.name, step: '1/9 start-a-long-running-container', checks: '2/2', why: '' });
    }
    expect(await dash.textContent('#summary')).toBe('3 of 3 joined');
    expect(await dash.textContent('#histogram .line')).toBe('3 on step 1');
  });

  it('a fourth learner finds the class full, said on the page', async () => {
    const context = await browser.newContext();
    const page = watch(await context.newPage(), 'full', [/status of 409/]);
    await page.goto(`${BASE}/`);
    await page.fill('#code', config().joinCode);
    await page.fill('#name', 'Late');
    await page.click('#join-button');
    await page.waitForFunction(() => (document.querySelector('#join-message')?.textContent ?? '') !== '');
    expect(await page.textContent('#join-message')).toBe('The class is full (3 learners): ask your instructor for a place.');
    await context.close();
  });

  it('clicking a learner on the dashboard shows their current checks', async () => {
    await dash.click(`tr[data-sandbox="${learners[0]!.sandbox}"]`);
    await dash.waitForSelector('#detail li');
    expect(await dash.textContent('#detail h2')).toBe('Ada');
    const items = await dash.locator('#detail li').evaluateAll((lis) => lis.map((li) => `${li.className} ${li.textContent}`));
    expect(items).toEqual(['pass container ns-a is running: image lean-labs/toolbox', 'pass PID 1 inside ns-a is the command you gave']);
  });

  it('copy and paste work in the terminal, and resizing the window resizes it', async () => {
    const { context, page } = learners[0]!;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    await page.bringToFront();
    await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((6*7))'));
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await until(
      'the pasted command ran',
      () => termText(page),
      (t) => t.includes('pasted-42'),
      20_000,
    );
    await page.evaluate(() => (window as unknown as { leanTerm: { selectAll(): void } }).leanTerm.selectAll());
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await page.keyboard.press('Control+Shift+C');
    expect(
      await until(
        'the selection copied',
        () => page.evaluate(() => navigator.clipboard.readText()),
        (t) => t.includes('pasted-42'),
        5000,
      ),
    ).toContain('step 1 of 9');

    const before = await page.evaluate(() => (window as unknown as { leanTerm: { size(): { cols: number; rows: number } } }).leanTerm.size());
    await page.setViewportSize({ width: 1000, height: 600 });
    const after = await until(
      'the terminal resized',
      () => page.evaluate(() => (window as unknown as { leanTerm: { size(): { cols: number; rows: number } } }).leanTerm.size()),
      (s) => s.cols < before.cols && s.rows < before.rows,
      5000,
    );
    // The sandbox's tmux sees the new size.
    await page.keyboard.type("tmux display -p 'client=#{client_width}x#{client_height}'\n");
    await until(
      'tmux has the new size',
      () => termText(page),
      (t) => t.includes(`client=${after.cols}x${after.rows}`),
      20_000,
    );
  });

  it('a reload comes back to the same shell, with its output shown once', async () => {
    const { page } = learners[0]!;
    await page.keyboard.type('clear; echo mark-$((40+2))-once\n');
    await until(
      'the mark',
      () => termText(page),
      (t) => count(t, 'mark-42-once') === 1,
      20_000,
    );
    await page.reload();
    await until(
      'connected again',
      () => connected(page),
      (c) => c,
      30_000,
    );
    const text = await until(
      'the shell redrawn',
      () => termText(page),
      (t) => t.includes('mark-42-once') && /step 1 of 9/.test(t),
      30_000,
    );
    await sleep(1500);
    expect(count(await termText(page), 'mark-42-once')).toBe(1);
    expect(text).not.toContain('Join the class');
  });

  it('learner 3 moves on to step 2 and does nothing', async () => {
    const { page } = learners[2]!;
    await page.bringToFront();
    await page.keyboard.press('Control+b');
    await page.keyboard.press('o'); // back to the runner's pane
    await sleep(300);
    await page.keyboard.press('n');
    await until(
      'the runner on step 2',
      () => termText(page),
      (t) => /step 2 of 9/.test(t),
      20_000,
    );
    movedOnAt = Date.now();
    await until(
      'the dashboard shows step 2',
      () => row(learners[2]!.sandbox),
      (r) => r?.step.startsWith('2/9') === true,
      20_000,
    );
    expect(await dash.textContent('#histogram .line')).toBe('2 on step 1, 1 on step 2');
  });

  it('a minute without network: the page comes back to the same shell, its output shown once', async () => {
    // (This minute also counts towards learner 3's stuck time.)
    const { context, page } = learners[0]!;
    await page.bringToFront();
    await page.keyboard.type('echo before-$((2*3))-offline\n');
    await until(
      'the line before',
      () => termText(page),
      (t) => count(t, 'before-6-offline') === 1,
      20_000,
    );
    awayOnPurpose.now = true;
    await context.setOffline(true);
    await sleep(60_000);
    await context.setOffline(false);
    await until(
      'connected after the network came back',
      () => connected(page),
      (c) => c,
      60_000,
    );
    await page.keyboard.type('echo after-$((3*3))-online\n');
    await until(
      'a command typed after it ran',
      () => termText(page),
      (t) => t.includes('after-9-online'),
      30_000,
    );
    awayOnPurpose.now = false;
    expect(count(await termText(page), 'before-6-offline')).toBe(1);
    expect(await page.isVisible('#banner')).toBe(false);
  });

  it('the server killed and started again: the page and the dashboard reconnect to the same shell, nothing shown twice', async () => {
    const { page } = learners[0]!;
    const pid = (JSON.parse(readFileSync(join(STATE, 'classes', NAME, 'server.pid'), 'utf8')) as { pid: number }).pid;
    awayOnPurpose.now = true;
    process.kill(pid, 'SIGKILL');
    await until(
      'the page says it lost the server',
      () => page.textContent('#banner-text'),
      (t) => /reconnecting/.test(t ?? ''),
      20_000,
    );
    expect(await page.isVisible('#banner')).toBe(true);
    await until(
      'the dashboard says it lost the server',
      () => dash.textContent('#message'),
      (t) => /Lost the class server/.test(t ?? ''),
      20_000,
    );
    await sleep(4000);
    const up = await cli(['class', 'up', '--name', NAME, '--no-wait'], env);
    expect(up.code).toBe(0);
    await until(
      'the page connected again',
      () => connected(page),
      (c) => c,
      60_000,
    );
    await until(
      'the dashboard live again',
      () => dash.textContent('#conn'),
      (t) => t === 'live',
      30_000,
    );
    awayOnPurpose.now = false;
    await until(
      'the shell redrawn',
      () => termText(page),
      (t) => t.includes('mark-42-once'),
      30_000,
    );
    await sleep(1500);
    expect(count(await termText(page), 'mark-42-once')).toBe(1);
    expect(await page.isVisible('#banner')).toBe(false);
    await until(
      'the dashboard live again',
      () => dash.textContent('#conn'),
      (t) => t === 'live',
      30_000,
    );
    expect(await dash.isVisible('#message')).toBe(false);
  });

  it('a sandbox that dies: the page says it is coming back, then its terminal is back on a fresh shell', async () => {
    const grace = learners[1]!;
    await grace.page.bringToFront();
    const banners = new Set<string>();
    const watchBanner = setInterval(() => {
      void grace.page
        .evaluate(() => ((document.querySelector('#banner') as HTMLElement | null)?.hidden ? '' : (document.querySelector('#banner-text')?.textContent ?? '')))
        .then((t) => t && banners.add(t))
        .catch(() => undefined);
    }, 100);
    try {
      const container = (await run('docker', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${grace.sandbox}`, '--filter', 'status=running'])).stdout.trim();
      await run('docker', ['kill', container]);
      await until(
        'the page says the sandbox is coming back',
        async () => [...banners],
        (b) => b.some((t) => /Your sandbox (stopped; waiting for it to come back|is restarting; waiting for it|is starting; waiting for it)…$/.test(t)),
        60_000,
      );
      await until(
        'the terminal back, with the runner',
        () => connected(grace.page),
        (c) => c,
        120_000,
      );
      await until(
        'the runner redrawn',
        () => termText(grace.page),
        (t) => /step 1 of 9/.test(t),
        60_000,
      );
    } finally {
      clearInterval(watchBanner);
    }
    expect(await grace.page.isVisible('#banner')).toBe(false);
  });

  it("a learner's token opens neither the dashboard nor its feed nor its export", async () => {
    const token = learners[1]!.token;
    const page = watch(await browser.newPage(), 'learner at the dashboard', [/status of 401/]);
    const res = await page.goto(`${BASE}/dashboard?token=${encodeURIComponent(token)}`);
    expect(res!.status()).toBe(401);
    expect(await page.textContent('h1')).toBe('This dashboard is for the instructor');
    expect((await fetch(`${BASE}/dashboard`)).status).toBe(401);
    expect((await fetch(`${BASE}/api/instructor/export`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const ws = new WebSocket(`${BASE.replace('http', 'ws')}/dashboard/live?token=${encodeURIComponent(token)}`);
    expect(await new Promise<number>((resolve) => ws.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0)))).toBe(401);
    // Nor does the join code.
    expect((await fetch(`${BASE}/dashboard?token=${config().joinCode}`)).status).toBe(401);
    await page.close();
  });

  it('the dashboard exports the same results as class export', async () => {
    const [csv] = await Promise.all([dash.waitForEvent('download'), dash.click('#export-csv')]);
    expect(csv.suggestedFilename()).toBe(`${NAME}-results.csv`);
    const fromPage = readFileSync((await csv.path())!, 'utf8');
    const fromCli = await cli(['class', 'export', '--name', NAME], env);
    expect(fromPage).toBe(fromCli.stdout);
    expect(fromPage.split('\n')[0]).toBe('learner,name,lab,step_number,step,entered_at,done_at,seconds,hints,solved');
    for (const l of learners) expect(fromPage).toContain(`,${l.name.includes(',') ? `"${l.name}"` : l.name},namespaces,1,start-a-long-running-container,`);
    const [jsonl] = await Promise.all([dash.waitForEvent('download'), dash.click('#export-jsonl')]);
    const lines = readFileSync((await jsonl.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string });
    expect(new Set(lines.map((l) => l.name))).toEqual(new Set(learners.map((l) => l.name)));
  });

  it('a learner without progress for the stuck time (1 minute here) is highlighted; one whose step passes is not', async () => {
    const [ada, grace, linus] = learners;
    await sleep(Math.max(0, movedOnAt + 62_000 - Date.now()));
    const r = await until(
      'the stuck highlight',
      () => row(linus!.sandbox),
      (x) => x?.stuck === true,
      10_000,
    );
    expect(r!.step.startsWith('2/9')).toBe(true);
    expect((await row(ada!.sandbox))!).toMatchObject({ state: 'pass', stuck: false });
    // Grace's sandbox died: its engine came back with ns-a stopped, so her step fails again, with no progress since.
    const g = (await row(grace!.sandbox))!;
    expect(g.stuck).toBe(g.state === 'fail');
    expect(await dash.textContent('#summary')).toBe(`3 of 3 joined · ${g.stuck ? 2 : 1} stuck`);
  });

  it('no page logged a console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
