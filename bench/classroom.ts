/**
 * Classroom figures, on this machine's engine as a one-node swarm: a class of N learners (30 by default) started
 * cold, a warm sandbox claimed to a usable terminal, memory of a sandbox idle and with the runner open, and progress
 * events from every sandbox to the server's store. Every request goes to this machine (loopback, and the sandboxes'
 * own bridge); every loop is bounded in count and time.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { ClassStore } from '../classroom/server/store.js';
import { packageRoot } from '../runner/paths.js';
import { figure, median, percentile } from './stats.js';

const CLI = join(packageRoot(), 'dist/lean-labs.cjs');
const NAME = 'bench';
const PORT = 7499;
const BASE = `http://127.0.0.1:${PORT}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function lean(state: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, LEAN_LABS_STATE_DIR: state, CI: '1' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lean-labs ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** "151.2MiB / 1GiB" -> MB. */
function memMb(usage: string): number {
  const m = /^([\d.]+)\s*([KMG]i?B)/.exec(usage.trim());
  if (!m) return NaN;
  const f = { KiB: 1 / 1024, KB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 }[m[2]!] ?? NaN;
  return Number(m[1]) * f;
}

function containerOf(sandbox: string): string {
  return docker('ps', '-q', '--filter', `label=com.docker.swarm.service.name=${sandbox}`, '--filter', 'status=running');
}

async function rows(token: string): Promise<Array<{ sandbox: string; state: string; message: string }>> {
  const res = await fetch(`${BASE}/api/instructor/status`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { rows: Array<{ sandbox: string; state: string; message: string }> }).rows;
}

type Term = { text(): string; connected(): boolean };

/**
 * A shell command, run in a sandbox, that drops one progress event into its outbox as the runner does (a file
 * renamed into place), stamped with the sandbox's clock. `fields` is the rest of the event, as JavaScript.
 */
const dropInSandbox = (fields: string): string =>
  `node -e 'const fs=require("fs");const d=process.env.LEAN_LABS_CLASS_OUTBOX;fs.mkdirSync(d,{recursive:true});const n=d+"/new-"+String(Date.now()).padStart(15,"0")+"-"+process.pid+"-000001.json";fs.writeFileSync(n+".tmp",JSON.stringify({at:Date.now(),${fields}}));fs.renameSync(n+".tmp",n)'`;

/**
 * Warm claim to a usable terminal in the browser; then every learner connected (a terminal each, the runner open in
 * each sandbox) and the dashboard open in Chromium: each sandbox's runner reports a step and then its check passing,
 * and the figure is from the check's judgement (the runner's clock) to the dashboard drawing that row (the page's;
 * both this machine's clock).
 */
async function browserFigures(out: string[], browser: Browser, config: { joinCode: string; instructorToken: string }, learners: number, open: WebSocket[], state: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${BASE}/`);
  await page.fill('#code', config.joinCode);
  await page.fill('#name', 'browser');
  const b0 = performance.now();
  await page.click('#join-button');
  await page.waitForFunction(
    () => {
      const t = (window as unknown as { leanTerm: Term }).leanTerm;
      return t.connected() && /step 1 of 9/.test(t.text());
    },
    null,
    { timeout: 60_000, polling: 20 },
  );
  out.push(figure('  warm sandbox claimed to a usable terminal in the browser', (performance.now() - b0) / 1000, 's', { max: 5 }));

  // Every other learner joins and opens their terminal (the runner starts in each sandbox).
  const terms = [...open];
  const screens = new Map<WebSocket, string>();
  for (let i = terms.length + 1; i < learners; i++) {
    const res = await fetch(`${BASE}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: config.joinCode, name: `learner ${i}` }) });
    if (res.status !== 201) break;
    const claim = (await res.json()) as { token: string };
    const t = new WebSocket(`${BASE.replace('http', 'ws')}/term?token=${claim.token}&cols=160&rows=45`);
    screens.set(t, '');
    t.on('message', (d: Buffer, binary: boolean) => binary && screens.set(t, (screens.get(t)! + d.toString()).slice(-20_000)));
    terms.push(t);
  }
  const until = performance.now() + 240_000;
  const showing = () => [...screens.values()].filter((s) => /step 1 of 9/.test(s)).length;
  while (showing() < screens.size && performance.now() < until) await sleep(500);
  out.push(figure('  learners connected, each with the runner open', showing() + 1 + open.length, `/${learners}`));

  const dash = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await dash.goto(`${BASE}/dashboard?token=${encodeURIComponent(config.instructorToken)}`);
  await dash.waitForSelector('tbody tr[data-sandbox]');
  const claimed = (await rows(config.instructorToken)).filter((r) => r.state === 'claimed').map((r) => r.sandbox);
  const drop = (type: string, step: string, pass: boolean) => dropInSandbox(`type:"${type}",lab:"namespaces",step:"${step}",stepIndex:1,steps:9,passed:${pass},checks:[{title:"bench",pass:${pass}}]`);
  // Rounds far enough apart that a judgement is drawn before the next step replaces it on the row.
  const rounds = 5;
  const script = Array.from({ length: rounds }, (_, i) => `${drop('step', `bench-${i}`, false)}; sleep 0.5; ${drop('judged', `bench-${i}`, true)}; sleep 3`).join('; ');
  await Promise.all(claimed.map((s) => promisify(execFile)('docker', ['exec', containerOf(s), 'bash', '-c', script], { timeout: 180_000 })));
  // Every judgement counts, the slow ones too: wait (at most two minutes) until all are stored, then a moment more.
  let judged: Array<{ sandbox: string; event: { step?: string; at: number } }> = [];
  for (const end = performance.now() + 120_000; performance.now() < end; await sleep(1000)) {
    const store = await ClassStore.open(join(state, 'classes', NAME, 'class.db'));
    judged = store.eventsOfType('judged').filter((e) => e.event.step?.startsWith('bench-') && e.event.checks?.length === 1);
    store.close();
    if (judged.length >= claimed.length * rounds) break;
  }
  await sleep(3000);
  if (judged.length < claimed.length * rounds) out.push(`  only ${judged.length} of ${claimed.length * rounds} judgements reached the store within two minutes`);
  const drawn = await dash.evaluate(() => (window as unknown as { leanDashboard: { firstDrawn: Record<string, number> } }).leanDashboard.firstDrawn);
  const delays = judged.map((j) => drawn[`${j.sandbox} ${j.event.step} 1/1`]! - j.event.at);
  const missing = delays.filter((d) => !Number.isFinite(d)).length;
  const seen = delays.filter(Number.isFinite);
  if (missing) out.push(`  ${missing} of ${judged.length} stored judgements were never drawn (a later step replaced them on the row first); counted as over the target`);
  out.push(figure(`  check judged to the dashboard row drawn (${seen.length} judgements, ${claimed.length} learners connected): p50`, median(seen), 'ms'));
  out.push(figure('  check judged to the dashboard row: p95', percentile(missing ? [...seen, Infinity] : seen, 95), 'ms', { max: 2000 }));
  for (const t of terms.slice(open.length)) t.close();
}

export async function classroomFigures(out: string[], learners: number): Promise<void> {
  const swarm = docker('info', '--format', '{{.Swarm.LocalNodeState}}');
  if (swarm === 'inactive') docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
  const state = mkdtempSync(join(tmpdir(), 'll-bench-class-'));
  spawnSync(process.execPath, [CLI, 'class', 'down', '--name', NAME], { env: { ...process.env, LEAN_LABS_STATE_DIR: state } });
  try {
    // Images and the class image are built before the clock starts: the figure is sandboxes starting.
    lean(state, ['class', 'up', '--name', NAME, '--learners', String(learners), '--reserve', '1', '--labs', 'namespaces', '--memory', '1g', '--port', String(PORT), '--no-wait', '--yes']);
    const t0 = performance.now();
    const config = JSON.parse(readFileSync(join(state, 'classes', NAME, 'class.json'), 'utf8')) as { joinCode: string; instructorToken: string };
    const readyAt = new Map<string, number>();
    const imagesAt = new Map<string, number>();
    const deadline = t0 + 15 * 60_000;
    let all: Array<{ sandbox: string; state: string; message: string }> = [];
    while (performance.now() < deadline) {
      all = await rows(config.instructorToken);
      const now = (performance.now() - t0) / 1000;
      for (const r of all) {
        if (r.state === 'ready' && !readyAt.has(r.sandbox)) readyAt.set(r.sandbox, now);
        if (r.state === 'ready' && !r.message && !imagesAt.has(r.sandbox)) imagesAt.set(r.sandbox, now);
      }
      if (imagesAt.size === all.length || all.some((r) => r.state === 'failed')) break;
      await sleep(250);
    }
    const times = [...readyAt.values()];
    out.push(figure(`class of ${learners}+1 on this machine: sandboxes ready`, readyAt.size, `/${all.length}`));
    if (times.length) {
      out.push(figure('  cold start, service made to sandbox ready: p50', median(times), 's'));
      out.push(figure('  cold start: p95', percentile(times, 95), 's', { max: 60 }));
    }
    const loaded = [...imagesAt.values()];
    if (loaded.length) {
      out.push(figure('  lab images loaded in the sandbox (3 at a time): p50', median(loaded), 's'));
      out.push(figure('  lab images loaded: p95', percentile(loaded, 95), 's'));
    }

    // Idle memory, then a learner claims a warm sandbox and opens the terminal with the runner.
    const idle = all.map((r) => memMb(docker('stats', '--no-stream', '--format', '{{.MemUsage}}', containerOf(r.sandbox)))).filter(Number.isFinite);
    out.push(figure('  memory of an idle sandbox (engine + agent): median', median(idle), 'MB'));
    const c0 = performance.now();
    const claim = (await (
      await fetch(`${BASE}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: config.joinCode, name: 'bench' }) })
    ).json()) as { token: string; sandbox: string };
    const ws = new WebSocket(`${BASE.replace('http', 'ws')}/term?token=${claim.token}&cols=160&rows=45`);
    let screen = '';
    ws.on('message', (d: Buffer, binary: boolean) => binary && (screen += d.toString()));
    const until = performance.now() + 60_000;
    while (!/step 1 of 9/.test(screen) && performance.now() < until) await sleep(20);
    out.push(figure('  warm sandbox claimed to the runner on screen', (performance.now() - c0) / 1000, 's', { max: 3 }));
    await sleep(5000);
    const withRunner = memMb(docker('stats', '--no-stream', '--format', '{{.MemUsage}}', containerOf(claim.sandbox)));
    out.push(figure('  memory of a sandbox with the runner open', withRunner, 'MB', { max: 150 }));
    const per = Math.max(withRunner, 1);
    out.push(`  sizing: a 16-core / 64 GB host, 4 GB kept for the system, holds (64 - 4) * 1024 / ${per.toFixed(0)} = ${Math.floor((60 * 1024) / per)} idle learners by memory;`);
    out.push('          labs add their containers (32-64 MB each in the memory labs), so plan for about half that per host.');

    // Progress events: each sandbox drops 10 events into its outbox, 300 ms apart, all sandboxes at once.
    const drop = `for i in $(seq 1 10); do ${dropInSandbox('type:"judged",lab:"namespaces",step:"bench",stepIndex:0,steps:9,passed:false,checks:[]')}; sleep 0.3; done`;
    const sandboxes = all.map((r) => r.sandbox);
    const containers = sandboxes.map(containerOf);
    await Promise.all(containers.map((c) => promisify(execFile)('docker', ['exec', c, 'lean-labs-cell-enter', 'bash', '-c', drop], { timeout: 60_000 })));
    // Every event counts, the slow ones too: wait (at most a minute) until all are stored.
    const expected = sandboxes.length * 10;
    let delays: number[] = [];
    for (const end = performance.now() + 60_000; performance.now() < end; await sleep(1000)) {
      const store = await ClassStore.open(join(state, 'classes', NAME, 'class.db'));
      delays = store.eventDelays('bench');
      store.close();
      if (delays.length >= expected) break;
    }
    if (delays.length < expected) out.push(`  only ${delays.length} of ${expected} events reached the store within a minute`);
    out.push(figure(`  runner event to the server's store (${delays.length} events, ${sandboxes.length} sandboxes): p50`, median(delays), 'ms'));
    out.push(figure('  runner event to the store: p95', percentile(delays, 95), 'ms', { max: 1000 }));

    // The browser: a learner joins through the class's page in Chromium, from the click on Join to the runner in the
    // page's terminal with the connection up.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      await browserFigures(out, browser, config, learners, [ws], state);
    } finally {
      await browser.close();
      ws.close();
    }
  } finally {
    spawnSync(process.execPath, [CLI, 'class', 'down', '--name', NAME], { env: { ...process.env, LEAN_LABS_STATE_DIR: state } });
  }
}
