/**
 * The instructor's dashboard: one row per sandbox (learner, lab, step, the step's checks and the first failing
 * one's message, time on the step, stuck highlighted), where the class stands per step, a learner's checks on a
 * click, and export. The server pushes the class's status on every change over a WebSocket; the page only redraws.
 * Learner names are the learners' own text: they are only ever set as text, never as markup.
 */
import { type DashboardSnapshot, DEFAULT_STUCK_AFTER_MINUTES, type StatusRow } from '../protocol.js';
import { checkSummary, duration, histogramLine, isStuck, stepHistogram } from './overview.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const token = new URLSearchParams(location.search).get('token') ?? '';
const STUCK_KEY = 'lean-labs-dashboard-stuck-minutes';

let snap: DashboardSnapshot | undefined;
/** Server clock minus this page's clock, so times on the page count from the server's. */
let skew = 0;
let selected: string | undefined;
/** When each (sandbox, step, checks) was first drawn: the benchmark reads it. */
const firstDrawn: Record<string, number> = {};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function stuckAfterMs(): number {
  const own = Number(localStorage.getItem(STUCK_KEY));
  return own > 0 ? own * 60_000 : (snap?.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MINUTES * 60_000);
}

function setConn(state: 'on' | 'wait' | 'off', text: string): void {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = text;
}

let drawnHistogram = '';

function renderHistogram(rows: readonly StatusRow[]): void {
  const box = $('histogram');
  const counts = stepHistogram(rows);
  const key = JSON.stringify(counts);
  if (key === drawnHistogram) return;
  drawnHistogram = key;
  box.replaceChildren();
  if (!counts.length) {
    box.append(el('p', 'Nobody has opened a lab yet.', 'line'));
    return;
  }
  const most = Math.max(...counts.map((c) => c.count));
  for (const lab of [...new Set(counts.map((c) => c.lab))]) {
    const mine = counts.filter((c) => c.lab === lab);
    const section = el('div', undefined, 'lab');
    section.dataset.lab = lab;
    section.append(el('h2', mine[0]!.labTitle));
    for (const c of mine) {
      const bar = el('div', undefined, 'bar');
      bar.title = c.step;
      const fill = el('div', undefined, 'fill');
      fill.style.width = `${(100 * c.count) / most}%`;
      const track = el('div');
      track.append(fill);
      bar.append(el('span', `step ${c.stepNumber}/${c.steps}`), track, el('span', String(c.count)));
      section.append(bar);
    }
    section.append(el('div', histogramLine(mine), 'line'));
    box.append(section);
  }
}

function stateText(r: StatusRow): string {
  if (r.state === 'claimed') return r.node ? `${r.sandbox} on ${r.node}` : r.sandbox;
  return `${r.sandbox}: ${r.state}${r.message ? ` (${r.message})` : ''}`;
}

/** Sets a cell's text only when it changed: rows stay in place between updates, so hovering and clicking work. */
function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

const rowsBySandbox = new Map<string, { tr: HTMLTableRowElement; cells: HTMLTableCellElement[]; count: HTMLSpanElement; why: HTMLSpanElement }>();

function rowFor(sandbox: string): { tr: HTMLTableRowElement; cells: HTMLTableCellElement[]; count: HTMLSpanElement; why: HTMLSpanElement } {
  let row = rowsBySandbox.get(sandbox);
  if (row) return row;
  const tr = el('tr');
  tr.dataset.sandbox = sandbox;
  const cells = ['learner', 'sandbox', 'lab', 'step', 'checks', 'on-step', 'last'].map((c) => el('td', '', c));
  const count = el('span', '', 'count');
  const why = el('span', '', 'why');
  cells[4]!.append(count, why);
  tr.append(...cells);
  tr.onclick = () => {
    selected = selected === sandbox ? undefined : sandbox;
    render();
  };
  row = { tr, cells, count, why };
  rowsBySandbox.set(sandbox, row);
  return row;
}

function renderTable(rows: readonly StatusRow[], now: number): void {
  const body = ($('learners') as HTMLTableElement).tBodies[0]!;
  const stuckMs = stuckAfterMs();
  const wanted = rows.map((r) => {
    const { tr, cells, count, why } = rowFor(r.sandbox);
    tr.classList.toggle('stuck', isStuck(r, now, stuckMs));
    tr.classList.toggle('waiting', !r.learner);
    tr.classList.toggle('selected', r.sandbox === selected);
    const sum = checkSummary(r);
    cells[4]!.dataset.state = sum.state;
    setText(cells[0]!, r.learner || '(free)');
    setText(cells[1]!, stateText(r));
    setText(cells[2]!, r.labTitle || r.lab);
    setText(cells[3]!, r.lab ? `${r.stepNumber}/${r.steps} ${r.step}` : '');
    setText(count, sum.text);
    setText(why, sum.failing);
    setText(cells[5]!, r.lab ? duration(r.onStepMs) : '');
    setText(cells[6]!, r.lastActivity ? `${duration(now - r.lastActivity)} ago` : '');
    if (r.learner && r.lab) firstDrawn[`${r.sandbox} ${r.step} ${r.passed}/${r.total}`] ??= Date.now();
    return tr;
  });
  const order = [...body.children];
  if (order.length !== wanted.length || wanted.some((tr, i) => order[i] !== tr)) body.replaceChildren(...wanted);
}

function renderDetail(rows: readonly StatusRow[]): void {
  const box = $('detail');
  const r = rows.find((x) => x.sandbox === selected);
  box.hidden = !r;
  if (!r) return;
  box.replaceChildren(el('h2', r.learner || r.sandbox));
  box.append(el('p', r.lab ? `${r.labTitle || r.lab}, step ${r.stepNumber} of ${r.steps}: ${r.step}` : 'No lab opened yet.'));
  if (r.lab && !r.checks.length) box.append(el('p', 'This step has not been checked yet.', 'line'));
  const list = el('ul');
  for (const c of r.checks) {
    const li = el('li', c.title, c.pass ? 'pass' : 'fail');
    if (!c.pass && c.message) li.append(el('span', c.message, 'why'));
    list.append(li);
  }
  box.append(list);
}

function render(): void {
  if (!snap) return;
  // The server's time now: its snapshot's time plus what passed here since.
  const now = Date.now() + skew;
  const rows = snap.status.rows.map((r) => ({ ...r, onStepMs: r.onStepMs + (now - snap!.now) }));
  const stuck = rows.filter((r) => isStuck(r, now, stuckAfterMs())).length;
  $('class-name').textContent = `class ${snap.status.class}`;
  $('summary').textContent = `${snap.status.joined} of ${snap.status.learners} joined${stuck ? ` · ${stuck} stuck` : ''}`;
  renderHistogram(rows);
  renderTable(rows, now);
  renderDetail(rows);
}

function message(text: string): void {
  const m = $('message');
  m.hidden = !text;
  m.textContent = text;
}

function connect(lostAt?: number): void {
  const url = new URL(`dashboard/live?token=${encodeURIComponent(token)}`, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  setConn('wait', lostAt ? 'reconnecting' : 'connecting');
  // The server sends the status at least every 5 s: 20 s of silence is a dead connection, given up for another.
  let heard = Date.now();
  let gone = false;
  /** Once this connection brought a status, a later loss counts from then, not from an earlier one. */
  let live = false;
  const silence = setInterval(() => {
    if (Date.now() - heard > 20_000) {
      clearInterval(silence);
      gone = true;
      ws.close();
      lostNow(live ? undefined : lostAt);
    }
  }, 5000);
  ws.onmessage = (m: MessageEvent) => {
    heard = Date.now();
    live = true;
    const next = JSON.parse(String(m.data)) as DashboardSnapshot;
    if (next.type !== 'status') return;
    snap = next;
    skew = next.now - Date.now();
    if (document.activeElement !== stuckInput) stuckInput.value = String(Math.round(stuckAfterMs() / 60_000));
    setConn('on', 'live');
    message('');
    render();
  };
  ws.onclose = () => {
    clearInterval(silence);
    if (!gone) lostNow(live ? undefined : lostAt);
  };
}

function lostNow(lostAt: number | undefined): void {
  const since = lostAt ?? Date.now();
  setConn('off', 'reconnecting');
  message(`Lost the class server ${duration(Date.now() - since)} ago; reconnecting… (the rows below are as they last were)`);
  setTimeout(() => connect(since), 2000);
}

async function exportAs(format: 'csv' | 'jsonl'): Promise<void> {
  const res = await fetch(`api/instructor/export?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return message(`Export failed: HTTP ${res.status}`);
  const blob = await res.blob();
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${snap?.status.class ?? 'class'}-results.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const stuckInput = $('stuck-after') as HTMLInputElement;
stuckInput.value = String(Math.round(stuckAfterMs() / 60_000));
stuckInput.onchange = () => {
  const v = Math.round(Number(stuckInput.value));
  if (v > 0) localStorage.setItem(STUCK_KEY, String(v));
  else localStorage.removeItem(STUCK_KEY);
  render();
};
$('export-csv').onclick = () => void exportAs('csv');
$('export-jsonl').onclick = () => void exportAs('jsonl');
(window as unknown as { leanDashboard: object }).leanDashboard = { firstDrawn, rows: () => snap?.status.rows ?? [] };
setInterval(render, 1000);
connect();
