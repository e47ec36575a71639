/**
 * The learner's page: join with the class code and a name, then a terminal (xterm.js) on the shell of the learner's
 * own sandbox, over the same WebSocket gateway `class join` uses. The learner's token stays in this browser, so a
 * reload comes back to the same sandbox and shell; a lost connection is dialled again for two minutes. On every
 * reconnection the sandbox's tmux redraws the screen once into a cleared terminal: nothing is shown twice.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { Close, RECONNECT_FOR_MS, reconnectingLine, readTerminalStatus, redialDelayMs, resizeMessage } from '../protocol.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const tokenKey = `lean-labs-class-token:${location.host}${location.pathname}`;
const SILENT_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface JoinAnswer {
  status: number;
  body: { token?: string; name?: string; error?: string; retry?: boolean };
}

async function post(body: object): Promise<JoinAnswer> {
  const res = await fetch('api/join', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let parsed: JoinAnswer['body'] = {};
  try {
    parsed = (await res.json()) as JoinAnswer['body'];
  } catch {
    parsed = { error: `the server answered HTTP ${res.status}, which is not a lean-labs class` };
  }
  return { status: res.status, body: parsed };
}

function setConn(state: 'on' | 'wait' | 'off', text: string): void {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = text;
}

// ---- joining ----

function showForm(message = '', error = false): void {
  $('term-wrap').hidden = true;
  $('join').hidden = false;
  $('keys').hidden = true;
  const m = $('join-message');
  m.textContent = message;
  m.classList.toggle('error', error);
  setConn('off', 'not joined');
  ($('code') as HTMLInputElement).focus();
}

async function submitJoin(ev: Event): Promise<void> {
  ev.preventDefault();
  const button = $('join-button') as HTMLButtonElement;
  const m = $('join-message');
  const code = ($('code') as HTMLInputElement).value.trim();
  const name = ($('name') as HTMLInputElement).value.trim();
  button.disabled = true;
  try {
    for (const until = Date.now() + 180_000; ; ) {
      let r: JoinAnswer;
      try {
        r = await post({ code, name });
      } catch {
        return showForm('The class server does not answer. Check your network, or the address with your instructor.', true);
      }
      if (r.status === 201 || r.status === 200) {
        localStorage.setItem(tokenKey, r.body.token!);
        return openTerminal(r.body.token!, r.body.name ?? name);
      }
      const why = r.body.error ?? `HTTP ${r.status}`;
      if (r.status === 503 && r.body.retry && Date.now() < until) {
        m.classList.remove('error');
        m.textContent = `${why[0]!.toUpperCase()}${why.slice(1)}. Trying again…`;
        await sleep(3000);
        continue;
      }
      const text =
        r.status === 403
          ? 'Wrong join code: check it with your instructor.'
          : r.status === 429
            ? `${why[0]!.toUpperCase()}${why.slice(1)}. The class allows 10 wrong codes a minute from one address.`
            : r.status === 409
              ? `${why[0]!.toUpperCase()}${why.slice(1)}.`
              : `Could not join: ${why}.`;
      return showForm(text, true);
    }
  } finally {
    button.disabled = false;
  }
}

// ---- the terminal ----

let term: Terminal | undefined;
let fit: FitAddon | undefined;
let ws: WebSocket | undefined;

function banner(text: string, kind: 'wait' | 'error' | 'none', action?: { label: string; run: () => void }): void {
  const b = $('banner');
  b.hidden = kind === 'none';
  b.classList.toggle('error', kind === 'error');
  $('banner-text').textContent = text;
  const button = $('banner-action') as HTMLButtonElement;
  button.hidden = !action;
  if (action) {
    button.textContent = action.label;
    button.onclick = () => {
      banner('', 'none');
      action.run();
    };
  }
}

/** Copies what is selected: through the clipboard API where the page may use it, else the browser's copy. */
async function copySelection(t: Terminal): Promise<void> {
  const text = t.getSelection();
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Pages served over plain http to another machine have no clipboard API; the copy command still works there.
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
    t.focus();
  }
}

function makeTerminal(): Terminal {
  const t = new Terminal({
    cursorBlink: true,
    fontFamily: '"DejaVu Sans Mono", "Liberation Mono", ui-monospace, monospace',
    fontSize: 14,
    scrollback: 5000,
    allowProposedApi: false,
  });
  fit = new FitAddon();
  t.loadAddon(fit);
  t.open($('term'));
  // Ctrl+C and Ctrl+V belong to the shell; copy and paste are Ctrl+Shift+C and Ctrl+Shift+V (and the Mac's Cmd keys,
  // which the browser handles). Returning false leaves the key to the browser, which pastes into the terminal.
  t.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
    if (e.code === 'KeyC') {
      void copySelection(t);
      e.preventDefault();
      return false;
    }
    return e.code !== 'KeyV';
  });
  const encoder = new TextEncoder();
  const sendBytes = (bytes: Uint8Array) => ws?.readyState === WebSocket.OPEN && ws.send(bytes);
  t.onData((d) => sendBytes(encoder.encode(d)));
  t.onBinary((d) => sendBytes(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
  t.onResize(({ cols, rows }) => ws?.readyState === WebSocket.OPEN && ws.send(resizeMessage(cols, rows)));
  new ResizeObserver(() => fit?.fit()).observe($('term'));
  fit.fit();
  return t;
}

function openTerminal(token: string, name: string): void {
  $('join').hidden = true;
  $('term-wrap').hidden = false;
  $('keys').hidden = false;
  $('who').textContent = name;
  term ??= makeTerminal();
  fit!.fit();
  term.focus();
  connect(token, undefined, false);
}

/**
 * One connection to the gateway. `lostAt` is when the connection was first lost (reconnecting until two minutes
 * after it); `again` says the terminal already showed a session, to be cleared before tmux redraws it.
 */
function connect(token: string, lostAt: number | undefined, again: boolean): void {
  const t = term!;
  const url = new URL(`term?token=${encodeURIComponent(token)}&cols=${t.cols}&rows=${t.rows}`, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url);
  ws = socket;
  socket.binaryType = 'arraybuffer';
  let ready = false;
  let opened = false;
  let heard = Date.now();
  setConn('wait', lostAt ? 'reconnecting' : 'connecting');
  socket.onopen = () => {
    opened = true;
  };
  // The server sends something at least every 15 s once the shell is open; a network that died without closing the
  // connection goes silent: after 45 s of that, this connection is given up and another dialled.
  const silence = setInterval(() => {
    if (ws !== socket) return clearInterval(silence);
    if (ready && Date.now() - heard > SILENT_MS) {
      clearInterval(silence);
      ws = undefined;
      socket.close();
      void lost(token, Date.now(), true, true, 'The connection went silent', 0);
    }
  }, 5000);
  socket.onmessage = (m: MessageEvent) => {
    heard = Date.now();
    if (typeof m.data !== 'string') {
      t.write(new Uint8Array(m.data as ArrayBuffer));
      return;
    }
    const msg = readTerminalStatus(m.data);
    if (!msg) return; // a beat
    if (msg.state === 'ready') {
      ready = true;
      // What the screen showed is redrawn by tmux now: the old copy goes, so nothing appears twice.
      if (again) t.reset();
      banner('', 'none');
      setConn('on', 'connected');
      socket.send(resizeMessage(t.cols, t.rows));
      t.focus();
    } else {
      banner(msg.message ?? (msg.state === 'restarting' ? 'Your sandbox is restarting; waiting for it…' : 'Your sandbox is starting; waiting for it…'), 'wait');
      setConn('wait', msg.state ?? 'waiting');
    }
  };
  socket.onclose = (ev: CloseEvent) => {
    clearInterval(silence);
    if (ws !== socket) return;
    ws = undefined;
    const reason = ev.reason;
    const reopen = () => connect(token, undefined, true);
    if (ev.code === Close.takenOver) {
      setConn('off', 'elsewhere');
      return banner(reason || 'Your sandbox was opened in another window.', 'error', { label: 'Use it here', run: reopen });
    }
    if (ev.code === Close.done) {
      setConn('off', 'closed');
      return banner(reason || 'The shell ended.', 'error', { label: 'Open a new shell', run: reopen });
    }
    // A connection that got as far as the shell starts the two minutes afresh when it is lost.
    void lost(token, ready ? Date.now() : (lostAt ?? Date.now()), ready || again, opened, reason, ev.code);
  };
}

/** The connection was lost (network, server restart, sandbox restart): dial again, or say why not. */
async function lost(token: string, lostAt: number, again: boolean, opened: boolean, reason: string, code: number): Promise<void> {
  // Refused before opening: perhaps the learner's place is gone (the class was set up again). Ask the server.
  if (!opened) {
    try {
      const r = await post({ token });
      if (r.status === 403) {
        localStorage.removeItem(tokenKey);
        return showForm('Your earlier place in this class is gone: join again with the code.', true);
      }
    } catch {
      // the server is away: keep dialling
    }
  }
  if (Date.now() - lostAt > RECONNECT_FOR_MS) {
    setConn('off', 'disconnected');
    return banner('Lost the class server for over two minutes. Your shell is still there.', 'error', { label: 'Reconnect', run: () => connect(token, undefined, true) });
  }
  setConn('wait', 'reconnecting');
  banner(reconnectingLine(reason), 'wait');
  await sleep(redialDelayMs(code));
  if (!ws) connect(token, lostAt, again);
}

// ---- start ----

async function start(): Promise<void> {
  $('join').addEventListener('submit', (e) => void submitJoin(e));
  try {
    const health = (await (await fetch('api/health')).json()) as { class?: string };
    $('class-name').textContent = health.class ? `class ${health.class}` : '';
  } catch {
    return showForm('The class server does not answer. Check your network, or the address with your instructor.', true);
  }
  const saved = localStorage.getItem(tokenKey);
  if (!saved) return showForm();
  let r: JoinAnswer;
  try {
    r = await post({ token: saved });
  } catch {
    return showForm('The class server does not answer. Check your network, or the address with your instructor.', true);
  }
  if (r.status === 200) return openTerminal(saved, r.body.name ?? '');
  localStorage.removeItem(tokenKey);
  showForm('Your earlier place in this class is gone: join again with the code.', true);
}

// Tests and the benchmark read the terminal's text through this (the page's own state, nothing more).
(window as unknown as { leanTerm: object }).leanTerm = {
  text: (): string => {
    if (!term) return '';
    const b = term.buffer.active;
    // A line the terminal wrapped is joined to the one before: the text reads as the shell wrote it.
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) {
      const line = b.getLine(i);
      const text = line?.translateToString(true) ?? '';
      if (line?.isWrapped && lines.length) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines.join('\n');
  },
  connected: (): boolean => ws?.readyState === WebSocket.OPEN && $('conn').dataset.state === 'on',
  size: (): { cols: number; rows: number } => ({ cols: term?.cols ?? 0, rows: term?.rows ?? 0 }),
  selectAll: (): void => term?.selectAll(),
};
window.addEventListener('online', () => {
  if (!ws && term && !$('term-wrap').hidden) {
    const saved = localStorage.getItem(tokenKey);
    if (saved) connect(saved, undefined, true);
  }
});
void start();
