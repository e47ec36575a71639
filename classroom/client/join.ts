/**
 * `lean-labs class join URL`: a learner's terminal on their class sandbox. It joins (join code and display name,
 * asked for when not given), keeps the learner's token for that class so coming back needs neither, and connects
 * the terminal to the sandbox's shell over a WebSocket. A lost connection is dialled again for up to two minutes
 * and comes back to the same shell (tmux redraws the screen once). Ctrl-] leaves; the shell keeps running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { WebSocket, type RawData } from 'ws';
import { writeFileAtomic } from '../../runner/atomic-file.js';
import { UserError } from '../../runner/errors.js';
import { isFinalClose, RECONNECT_FOR_MS, reconnectingLine, readTerminalStatus, redialDelayMs, resizeMessage } from '../protocol.js';

export interface JoinOptions {
  readonly code?: string;
  readonly name?: string;
  readonly stateDir: string;
  readonly out: (s: string) => void;
  /** Give up reconnecting after this long (ms). */
  readonly reconnectForMs?: number;
}

const LEAVE_KEY = 0x1d; // Ctrl-]
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The class server's base address, or a message saying what is wrong with what was typed. */
/** The address without a trailing slash, to put paths after. */
const base = (url: URL): string => url.href.replace(/\/+$/, '');

export function classUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UserError(`"${text}" is not an address. Type the one your instructor gave, like http://10.0.0.5:7420.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`A class address starts with http:// or https://, not ${url.protocol}//.`);
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

const joinsFile = (stateDir: string) => join(stateDir, 'class-joins.json');

/** The learner's token per class address; a missing or damaged file is no tokens. */
function savedTokens(stateDir: string): Record<string, string> {
  try {
    const all = JSON.parse(readFileSync(joinsFile(stateDir), 'utf8')) as unknown;
    return typeof all === 'object' && all !== null && !Array.isArray(all) ? (all as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function saveToken(stateDir: string, url: URL, token: string): void {
  writeFileAtomic(joinsFile(stateDir), `${JSON.stringify({ ...savedTokens(stateDir), [url.href]: token }, null, 2)}\n`, 0o600);
}

async function post(url: URL, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(`${base(url)}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UserError(
      `No class server answers at ${url.href} (${(err as Error).cause ? String(((err as Error).cause as Error).message) : (err as Error).message}). Check the address with your instructor.`,
    );
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new UserError(`${url.href} answered, but it is not a lean-labs class (HTTP ${res.status}).`);
  }
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Joins (or comes back), returning the learner's token. */
export async function joinClass(url: URL, o: JoinOptions): Promise<{ token: string; name: string }> {
  const saved = savedTokens(o.stateDir)[url.href];
  if (saved) {
    const r = await post(url, { token: saved });
    if (r.status === 200) return { token: String(r.body.token), name: String(r.body.name) };
    o.out(`Your earlier place in this class is gone (${String(r.body.error ?? r.status)}); joining afresh.\n`);
  }
  const code = o.code ?? (process.stdin.isTTY ? await ask('Join code: ') : '');
  const name = o.name ?? (process.stdin.isTTY ? await ask('Your name (shown to the instructor): ') : '');
  if (!code || !name) throw new UserError('Joining needs the class code and your name: --code ABC123 --name "Ada", or type them when asked.');
  for (let waited = 0; ; waited += 3000) {
    const r = await post(url, { code, name });
    if (r.status === 201 || r.status === 200) {
      saveToken(o.stateDir, url, String(r.body.token));
      return { token: String(r.body.token), name: String(r.body.name) };
    }
    const why = String(r.body.error ?? `HTTP ${r.status}`);
    if (r.status === 503 && r.body.retry && waited < 180_000) {
      if (waited === 0) o.out(`${why[0]!.toUpperCase()}${why.slice(1)}…\n`);
      await sleep(3000);
      continue;
    }
    throw new UserError(`Could not join: ${why}.`);
  }
}

/** Connects this terminal to the sandbox's shell until the learner leaves or the server closes it for good. */
export async function attachTerminal(url: URL, token: string, o: JoinOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const wsBase = base(url).replace(/^http/, 'ws');
  let leaving = false;
  let lostAt: number | undefined;
  const raw = (on: boolean) => stdin.isTTY && stdin.setRawMode(on);
  raw(true);
  stdin.resume();
  try {
    for (;;) {
      const ws = new WebSocket(`${wsBase}/term?token=${encodeURIComponent(token)}&cols=${stdout.columns ?? 80}&rows=${stdout.rows ?? 24}`, { handshakeTimeout: 10_000 });
      const outcome = await new Promise<{ code: number; reason: string; opened: boolean }>((resolve) => {
        let opened = false;
        const onKey = (d: Buffer) => {
          if (d.includes(LEAVE_KEY)) {
            leaving = true;
            ws.close(1000, 'left');
            return;
          }
          if (ws.readyState === WebSocket.OPEN) ws.send(d, { binary: true });
        };
        const onResize = () => ws.readyState === WebSocket.OPEN && ws.send(resizeMessage(stdout.columns, stdout.rows));
        ws.on('open', () => {
          opened = true;
          if (lostAt !== undefined) o.out('\r\n[lean-labs] Connected again.\r\n');
          lostAt = undefined;
          stdin.on('data', onKey);
          stdout.on('resize', onResize);
        });
        ws.on('message', (data: RawData, binary: boolean) => {
          if (binary) {
            stdout.write(data as Buffer);
            return;
          }
          const m = readTerminalStatus(data.toString());
          if (m && m.state !== 'ready' && m.message) o.out(`\r\n[lean-labs] ${m.message}\r\n`);
        });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, reason: body.trim(), opened: false }));
        });
        ws.on('error', () => undefined);
        ws.on('close', (code, reason) => {
          stdin.off('data', onKey);
          stdout.off('resize', onResize);
          resolve({ code, reason: reason.toString(), opened });
        });
      });
      if (leaving) {
        o.out('\r\n[lean-labs] You left the class terminal; your shell keeps running. The same command brings you back.\r\n');
        return 0;
      }
      // The server closed it on purpose: another window took over, the learner is unknown, the shell ended.
      if (outcome.code === 401 || outcome.code === 403) throw new UserError(`The class refused this terminal: ${outcome.reason || outcome.code}. Join again.`);
      if (isFinalClose(outcome.code)) {
        o.out(`\r\n[lean-labs] ${outcome.reason || 'The shell ended.'}\r\n`);
        return 0;
      }
      const now = Date.now();
      lostAt ??= now;
      if (now - lostAt > (o.reconnectForMs ?? RECONNECT_FOR_MS))
        throw new UserError(
          `Lost the class server at ${url.href} for over ${Math.round((o.reconnectForMs ?? RECONNECT_FOR_MS) / 1000)} s. Run the same command again when the network is back: your shell is still there.`,
        );
      if (outcome.opened || now === lostAt) o.out(`\r\n[lean-labs] ${reconnectingLine(outcome.reason)}\r\n`);
      await sleep(redialDelayMs(outcome.code));
    }
  } finally {
    raw(false);
    stdin.pause();
  }
}

export async function runClassJoin(target: string, o: JoinOptions): Promise<number> {
  const url = classUrl(target);
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UserError("`class join` opens your sandbox's shell in this terminal, and this is not a terminal (a pipe or a script).");
  const { token, name } = await joinClass(url, o);
  o.out(`Joined as ${name}. Connecting to your sandbox (Ctrl-] leaves; the shell keeps running)…\n`);
  return attachTerminal(url, token, o);
}
