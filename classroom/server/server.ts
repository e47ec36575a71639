/**
 * The class server: HTTP for joining, status and export, WebSockets for the terminals (learner <-> server <->
 * sandbox agent) and for the agents' progress events. Three kinds of secret open three doors, never another's:
 * - the join code (and then the learner's own token) opens the learner's terminal and nothing else;
 * - a sandbox's token (a Swarm secret inside it) lets its agent report and serve that sandbox's terminal only;
 * - the instructor token opens status and export.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { invalidEvent, type ClassEvent } from '../events.js';
import { IMAGES_TURN_PATH } from '../sandbox-spec.js';
import { WAITING_TURN } from './sandbox-keeper.js';
import { DashboardFeed } from './dashboard-feed.js';
import { ImageScheduler } from './image-scheduler.js';
import { exportRows, statusRows } from './report.js';
import type { ClassSettings } from './settings.js';
import type { ClassStore } from './store.js';
import { WebFiles } from './web-files.js';
import { JoinLimit } from './join-limit.js';
import { type ClassStatus, Close, type DashboardSnapshot, DEFAULT_STUCK_AFTER_MINUTES, readAgentMessage, readTerminalControl, type ServerMessage, type TerminalStatus } from '../protocol.js';

export interface ServerOptions {
  readonly store: ClassStore;
  readonly settings: ClassSettings;
  /** The lab images for sandboxes, as one `docker save` tar. */
  readonly imagesTar?: string;
  /** The class image as a `docker save` stream, for machines added to the swarm (`class add-machine`). */
  readonly classImage?: () => Promise<NodeJS.ReadableStream>;
  /** Seconds a learner's terminal waits for a sandbox that is restarting before giving up. */
  readonly waitForSandboxMs?: number;
  /** Image transfers to sandboxes at once (default 3). */
  readonly imageTransfers?: number;
  /** How long a spare's image transfer waits at most for the sandboxes still starting (default IMAGE_HOLD_MS). */
  readonly imageHoldMs?: number;
  /** How long a turn to load images keeps its place for the loading process (default TURN_KEPT_MS). */
  readonly turnKeptMs?: number;
  readonly log?: (line: string) => void;
  /** Where the built web pages are (default: dist/web of this package). */
  readonly webDir?: string;
  /** An agent connected, left, or said its sandbox became ready or failed: time to look at the sandboxes again. */
  readonly onAgentChange?: (sandbox: string) => void;
}

/** The agent of one sandbox: its control socket, and terminals it was asked to open. */
interface AgentLink {
  readonly ws: WebSocket;
  ready: boolean;
  /** What the agent last said of its engine and images ("loading lab images", "dockerd did not start: …"). */
  message: string;
  readonly pipes: Map<string, (pipe: WebSocket) => void>;
}

const MAX_NAME = 40;
/** How often an open terminal is sent a beat (the learner's page calls a connection silent for 3 beats lost). */
export const BEAT_MS = 15_000;
const MAX_BATCH = 500;
/** A spare sandbox's images wait at most this long for the others to start. */
export const IMAGE_HOLD_MS = 120_000;
/** How long a turn given keeps its transfer's place for the loading process to come. */
export const TURN_KEPT_MS = 30_000;

export const newToken = (): string => randomBytes(18).toString('base64url');
/** Six characters a class can read aloud: no 0/O or 1/I/L. */
export function newJoinCode(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearer(req: IncomingMessage, url: URL): string {
  const h = req.headers.authorization ?? '';
  return h.startsWith('Bearer ') ? h.slice(7).trim() : (url.searchParams.get('token') ?? '');
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage, limit = 16_384): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  return parsed as Record<string, unknown>;
}

export class ClassServer {
  private http: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly agents = new Map<string, AgentLink>();
  /** The open terminal of each learner: a second one takes over and the first is told why it closed. */
  private readonly terminals = new Map<string, WebSocket>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly log: (line: string) => void;
  private readonly web: WebFiles;
  private readonly joinLimit = new JoinLimit();
  /** Every open dashboard, sent the class's status on each change. */
  readonly feed: DashboardFeed;
  /** Who loads the lab images next: a few at once, a learner's sandbox first. */
  private readonly scheduler: ImageScheduler;

  constructor(private readonly opts: ServerOptions) {
    this.log = opts.log ?? (() => undefined);
    this.web = new WebFiles(opts.webDir);
    this.feed = new DashboardFeed(() => JSON.stringify(this.snapshot()));
    this.scheduler = new ImageScheduler({
      slots: opts.imageTransfers ?? 3,
      holdMs: opts.imageHoldMs ?? IMAGE_HOLD_MS,
      view: () => ({
        claimed: new Set(this.store.learners().map((l) => l.sandbox)),
        starting: this.store.sandboxes().some((s) => (s.state === 'pending' || s.state === 'restarting') && (s.node !== '' || s.message === WAITING_TURN)),
      }),
    });
    opts.store.onChange(() => {
      this.feed.changed();
      this.scheduler.next();
    });
  }

  status(now = Date.now()): ClassStatus {
    return statusRows(this.store, this.opts.settings, now, (s) => this.agentReady(s));
  }

  snapshot(now = Date.now()): DashboardSnapshot {
    return { type: 'status', now, stuckAfterMs: this.opts.settings.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MINUTES * 60_000, status: this.status(now) };
  }

  get store(): ClassStore {
    return this.opts.store;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.http = createServer((req, res) => {
      this.route(req, res).catch((err: Error) => {
        this.log(`error on ${req.method} ${req.url}: ${err.message}`);
        if (!res.headersSent) send(res, 500, { error: 'the class server failed on this request; its log says why' });
        else res.destroy();
      });
    });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket as never, head));
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(port, host, () => resolve());
    });
    return (this.http.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.feed.close();
    this.scheduler.stop();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http?.closeAllConnections?.();
  }

  /** Whether the sandbox's agent is connected and has said its engine and images are ready. */
  agentReady(sandbox: string): boolean {
    return this.agents.get(sandbox)?.ready ?? false;
  }

  agentMessage(sandbox: string): string | undefined {
    return this.agents.get(sandbox)?.message;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://class');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/api/health') return send(res, 200, { ok: true, class: this.opts.settings.name });
    if (req.method === 'POST' && path === '/api/join') return this.join(req, res);
    if (req.method === 'GET' && path === '/sandbox/images') return this.images(req, res, url);
    if (req.method === 'GET' && path === IMAGES_TURN_PATH) return this.images(req, res, url, 'turn');
    if (req.method === 'GET' && path === '/machine/class-image') return void this.classImage(req, res, url);
    if (path.startsWith('/api/instructor/')) {
      if (!same(bearer(req, url), this.opts.settings.instructorToken)) return send(res, 401, { error: 'this needs the instructor token (`lean-labs class status` on the manager uses it)' });
      if (req.method === 'GET' && path === '/api/instructor/status') return send(res, 200, this.status());
      if (req.method === 'GET' && path === '/api/instructor/export') {
        const format = url.searchParams.get('format') ?? 'csv';
        if (format !== 'csv' && format !== 'jsonl') return send(res, 400, { error: 'format is csv or jsonl' });
        return send(res, 200, exportRows(this.store, format), format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      }
    }
    if (req.method === 'GET' && (path === '/' || path === '/dashboard' || path.startsWith('/web/'))) return this.page(req, res, url);
    send(res, 404, { error: `no ${req.method} ${path} here` });
  }

  /** The learner's page, the instructor's dashboard (only with the instructor token) and their files. */
  private page(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname;
    if (!this.web.present())
      return send(
        res,
        200,
        `lean-labs class "${this.opts.settings.name}": this build has no web pages (run \`npm run build\`). Join from a terminal: npx lean-labs class join <this address>\n`,
        'text/plain',
      );
    if (path === '/') return void this.web.send(res, 'learner.html');
    if (path === '/dashboard') {
      if (!same(bearer(req, url), this.opts.settings.instructorToken)) return void this.web.send(res, 'dashboard-locked.html', 401);
      return void this.web.send(res, 'dashboard.html');
    }
    if (!this.web.send(res, path.slice('/web/'.length))) send(res, 404, { error: `no ${path} here` });
  }

  private async join(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = req.socket.remoteAddress ?? '';
    const wait = this.joinLimit.waitFor(address);
    if (wait > 0) {
      res.setHeader('retry-after', String(wait));
      return send(res, 429, { error: `too many wrong join codes from this address: try again in ${wait} seconds`, retryAfter: wait });
    }
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch (err) {
      return send(res, 400, { error: `send {"code": "...", "name": "..."} as JSON (${(err as Error).message})` });
    }
    // Coming back: the learner's token names their sandbox; nothing else is needed.
    if (typeof body.token === 'string' && body.token) {
      const learner = this.store.learnerByToken(body.token);
      if (!learner) {
        this.joinLimit.failed(address);
        return send(res, 403, { error: 'this learner token is not from this class: join again with the code' });
      }
      return send(res, 200, { learner: learner.id, name: learner.name, token: learner.token, sandbox: learner.sandbox });
    }
    const code = typeof body.code === 'string' ? body.code.trim().toUpperCase() : '';
    const name = typeof body.name === 'string' ? body.name.trim().replace(/[\u0000-\u001f\u007f]/g, '') : '';
    if (!same(code, this.opts.settings.joinCode)) {
      this.joinLimit.failed(address);
      return send(res, 403, { error: 'wrong join code: ask your instructor for the class code' });
    }
    if (!name || name.length > MAX_NAME) return send(res, 400, { error: `give a display name of 1 to ${MAX_NAME} characters` });
    if (this.store.learners().length >= this.opts.settings.learners) return send(res, 409, { error: `the class is full (${this.opts.settings.learners} learners): ask your instructor for a place` });
    const learner = this.store.claim({ id: randomUUID(), name, token: newToken() });
    if (!learner) {
      const starting = this.store.sandboxes().filter((s) => s.state === 'pending' || s.state === 'restarting').length;
      return send(res, 503, {
        error: starting ? 'every sandbox is still starting: try again in a few seconds' : 'no sandbox is free: ask your instructor',
        retry: starting > 0,
      });
    }
    await this.store.durable();
    this.log(`${learner.name} joined on ${learner.sandbox}`);
    send(res, 201, { learner: learner.id, name: learner.name, token: learner.token, sandbox: learner.sandbox });
  }

  /** Turns given at IMAGES_TURN_PATH whose transfer has not begun yet: each holds a transfer's place for a while. */
  private readonly turns = new Map<string, NodeJS.Timeout>();

  /**
   * The lab images, as one tar. Many sandboxes starting at once would each load them at the same time and all be
   * slow: a few transfers run at once, a claimed sandbox first. An agent first waits for its turn at
   * IMAGES_TURN_PATH (answered 204 when it comes, 304 when the sandbox has these images), and only then starts the
   * process that loads them: a class starting all at once does not pay for 30 of those processes while it waits.
   * The turn holds a transfer's place for TURN_KEPT_MS; a request here without a turn waits in the queue itself.
   */
  private images(req: IncomingMessage, res: ServerResponse, url: URL, kind: 'tar' | 'turn' = 'tar'): void {
    const sandbox = this.store.sandboxByToken(bearer(req, url));
    if (!sandbox) return send(res, 401, { error: 'a sandbox token is needed' });
    const tag = this.imagesFile()?.tag;
    if (!tag) return send(res, 404, { error: 'this class serves no images' });
    if (req.headers['if-none-match'] === tag) {
      res.writeHead(304, { etag: tag });
      return void res.end();
    }
    const done = () => this.scheduler.release();
    // A turn already given (an agent asking again) is kept, and holds still one place.
    const keepTurn = () => {
      clearTimeout(this.turns.get(sandbox.id));
      this.turns.set(
        sandbox.id,
        setTimeout(() => {
          this.turns.delete(sandbox.id);
          done();
        }, this.opts.turnKeptMs ?? TURN_KEPT_MS).unref(),
      );
      res.writeHead(204, { etag: tag });
      res.end();
    };
    const turn = this.turns.get(sandbox.id);
    if (turn && kind === 'turn') return keepTurn();
    if (turn) {
      clearTimeout(turn);
      this.turns.delete(sandbox.id);
      res.on('close', done);
      return this.sendImages(res);
    }
    let started = false;
    const cancel = this.scheduler.enqueue(sandbox.id, () => {
      started = true;
      if (kind === 'tar') {
        res.on('close', done);
        return this.sendImages(res);
      }
      // Asked twice while queued: the turn given first already holds a place, so this one gives its place back.
      if (this.turns.has(sandbox.id)) this.scheduler.release(false);
      keepTurn();
    });
    res.on('close', () => {
      if (!started) cancel();
    });
  }

  /**
   * The images this class serves: their file, size and tag (which changes when the file does), or undefined when it
   * serves none. Read again when a transfer begins: a request may have waited minutes in the queue.
   */
  private imagesFile(): { path: string; size: number; tag: string } | undefined {
    const path = this.opts.imagesTar;
    const st = path ? statSync(path, { throwIfNoEntry: false }) : undefined;
    if (!path || !st) return undefined;
    return { path, size: st.size, tag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"` };
  }

  /** The class image for a machine joining the swarm: streamed from the manager's engine as it is saved. */
  private async classImage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const token = this.opts.settings.machineToken;
    if (!token || !this.opts.classImage || !same(bearer(req, url), token))
      return send(res, 401, { error: 'this needs the machine token: `npx lean-labs class add-machine` on the manager prints the command' });
    let tar: NodeJS.ReadableStream;
    try {
      tar = await this.opts.classImage();
    } catch (err) {
      this.log(`could not save the class image: ${(err as Error).message}`);
      return send(res, 500, { error: `the manager could not save the class image: ${(err as Error).message.split('\n')[0]}` });
    }
    this.log('sending the class image to a machine');
    res.writeHead(200, { 'content-type': 'application/x-tar', 'content-disposition': 'attachment; filename="lean-labs-class-image.tar"' });
    tar.on('error', () => res.destroy());
    res.on('close', () => (tar as unknown as { destroy?: () => void }).destroy?.());
    tar.pipe(res);
  }

  private sendImages(res: ServerResponse): void {
    const file = this.imagesFile();
    if (!file) return send(res, 404, { error: 'this class serves no images' });
    // The sandbox keeps the tag of what it loaded: the same images are never sent twice to the same engine.
    res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': file.size, etag: file.tag });
    createReadStream(file.path).pipe(res);
  }

  private upgrade(req: IncomingMessage, socket: import('node:net').Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://class');
    const token = bearer(req, url);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    };
    if (url.pathname === '/term') {
      const learner = this.store.learnerByToken(token);
      if (!learner) return refuse(401, 'not a learner of this class: join with the code first');
      return this.wss.handleUpgrade(req, socket, head, (ws) => void this.terminal(ws, learner.id, learner.sandbox, url));
    }
    if (url.pathname === '/dashboard/live') {
      if (!same(token, this.opts.settings.instructorToken)) return refuse(401, 'the dashboard needs the instructor token');
      return this.wss.handleUpgrade(req, socket, head, (ws) => this.feed.add(ws));
    }
    if (url.pathname === '/agent' || url.pathname === '/agent/pipe') {
      const sandbox = this.store.sandboxByToken(token);
      if (!sandbox) return refuse(401, 'not a sandbox of this class');
      if (url.pathname === '/agent') return this.wss.handleUpgrade(req, socket, head, (ws) => this.agent(ws, sandbox.id));
      const id = url.searchParams.get('id') ?? '';
      const wanted = this.agents.get(sandbox.id)?.pipes.get(id);
      if (!wanted) return refuse(404, 'no terminal is waiting for this pipe');
      return this.wss.handleUpgrade(req, socket, head, (ws) => wanted(ws));
    }
    refuse(404, 'no such socket');
  }

  /** A sandbox's agent: progress events in, acknowledgements out; terminals on request. */
  private agent(ws: WebSocket, sandbox: string): void {
    const old = this.agents.get(sandbox);
    if (old) old.ws.close(Close.agentReplaced, 'replaced by a newer connection of the same sandbox');
    const link: AgentLink = { ws, ready: false, message: 'its agent connected', pipes: new Map() };
    this.agents.set(sandbox, link);
    this.log(`agent of ${sandbox} connected`);
    this.agentChanged(sandbox);
    ws.on('message', (data: RawData, binary: boolean) => {
      if (binary) return;
      const msg = readAgentMessage(data.toString());
      if (msg?.type === 'state') {
        link.ready = msg.state === 'ready';
        link.message = msg.message.slice(0, 300);
        this.agentChanged(sandbox);
        if (link.ready) for (const w of this.waiters.get(sandbox)?.splice(0) ?? []) w();
      } else if (msg?.type === 'events') void this.takeEvents(ws, sandbox, msg.epoch, msg.events);
    });
    ws.on('close', () => {
      if (this.agents.get(sandbox) === link) {
        this.agents.delete(sandbox);
        this.log(`agent of ${sandbox} disconnected`);
        this.agentChanged(sandbox);
      }
    });
  }

  private agentChanged(sandbox: string): void {
    this.opts.onAgentChange?.(sandbox);
    this.feed.changed();
  }

  private async takeEvents(ws: WebSocket, sandbox: string, epoch: unknown, events: unknown): Promise<void> {
    if (typeof epoch !== 'string' || !/^[0-9a-f]{8,64}$/.test(epoch) || !Array.isArray(events)) return;
    const good: ClassEvent[] = [];
    const refused: number[] = [];
    for (const e of events.slice(0, MAX_BATCH)) {
      if (invalidEvent(e)) refused.push(Number((e as { seq?: unknown }).seq) || 0);
      else good.push(e as ClassEvent);
    }
    const stored = this.store.addEvents(sandbox, epoch, good);
    const learner = this.store.learnerOfSandbox(sandbox);
    if (learner) this.store.touchLearner(learner.id);
    await this.store.durable();
    // Refused events are acknowledged too: sending them again would never make them valid.
    ws.send(JSON.stringify({ type: 'ack', epoch, seqs: [...stored, ...refused.filter((s) => s > 0)] } satisfies ServerMessage));
  }

  /** Waits until the sandbox's agent is ready, up to the limit. */
  private waitForAgent(sandbox: string, ms: number): Promise<boolean> {
    if (this.agentReady(sandbox)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const list = this.waiters.get(sandbox) ?? [];
      this.waiters.set(sandbox, list);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = list.indexOf(done);
        if (i >= 0) list.splice(i, 1);
        resolve(false);
      }, ms);
      list.push(done);
    });
  }

  /** A learner's terminal: bytes both ways between the learner and a shell the sandbox's agent opens. */
  private async terminal(ws: WebSocket, learner: string, sandbox: string, url: URL): Promise<void> {
    const status = (state: string, message: string) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ type: 'status', state, message } satisfies TerminalStatus));
    const previous = this.terminals.get(learner);
    this.terminals.set(learner, ws);
    if (previous && previous !== ws) previous.close(Close.takenOver, 'This sandbox was opened in another window or terminal; this one is closed.');
    const size = (n: string | null, d: number, max: number) => Math.min(max, Math.max(2, Number(n) || d));
    let cols = size(url.searchParams.get('cols'), 80, 500);
    let rows = size(url.searchParams.get('rows'), 24, 200);
    // Keys typed while the sandbox comes up are kept (a bounded few) and passed on once the shell is open; a resize
    // before then only changes the size the shell opens with.
    const early: Array<{ data: RawData; binary: boolean }> = [];
    ws.on('message', (data: RawData, binary: boolean) => {
      if (binary) {
        if (early.length < 256) early.push({ data, binary });
        return;
      }
      const m = readTerminalControl(data.toString());
      if (m) {
        cols = size(String(m.cols), cols, 500);
        rows = size(String(m.rows), rows, 200);
      }
    });
    this.store.touchLearner(learner);
    if (!this.agentReady(sandbox)) {
      const s = this.store.sandbox(sandbox);
      status(s?.state === 'restarting' ? 'restarting' : 'starting', s?.state === 'restarting' ? 'Your sandbox is restarting; waiting for it…' : 'Your sandbox is starting; waiting for it…');
      if (!(await this.waitForAgent(sandbox, this.opts.waitForSandboxMs ?? 90_000))) {
        ws.close(Close.sandboxGone, 'Your sandbox did not come back in time: try again in a minute, or ask your instructor.');
        return;
      }
    }
    if (ws.readyState !== ws.OPEN || this.terminals.get(learner) !== ws) return;
    const link = this.agents.get(sandbox)!;
    const id = randomUUID();
    const pipe = await new Promise<WebSocket | undefined>((resolve) => {
      const timer = setTimeout(() => {
        link.pipes.delete(id);
        resolve(undefined);
      }, 15_000);
      link.pipes.set(id, (p) => {
        clearTimeout(timer);
        link.pipes.delete(id);
        resolve(p);
      });
      link.ws.send(JSON.stringify({ type: 'open', id, cols, rows } satisfies ServerMessage));
    });
    if (!pipe) {
      ws.close(Close.noShell, 'Your sandbox did not open a shell: try again, or ask your instructor.');
      return;
    }
    if (ws.readyState !== ws.OPEN) {
      pipe.close();
      return;
    }
    status('ready', 'connected');
    // From now on: learner to shell, shell to learner, as they come. Control messages (resize) pass as text.
    ws.removeAllListeners('message');
    for (const m of early) pipe.send(m.data, { binary: m.binary });
    ws.on('message', (data: RawData, binary: boolean) => {
      if (pipe.readyState === pipe.OPEN) pipe.send(data, { binary });
      this.store.touchLearner(learner);
    });
    pipe.on('message', (data: RawData, binary: boolean) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary });
    });
    const closeBoth = (code?: number, reason?: string) => {
      if (ws.readyState === ws.OPEN) ws.close(code ?? Close.done, reason ?? 'The shell ended.');
      if (pipe.readyState === pipe.OPEN) pipe.close();
      if (this.terminals.get(learner) === ws) this.terminals.delete(learner);
    };
    // A pipe that ends without a word (1006) lost its sandbox: the task died and Swarm is starting it again.
    pipe.on('close', (code, reason) =>
      closeBoth(code === Close.done ? Close.done : Close.sandboxStopped, reason.toString() || (code === 1006 ? 'Your sandbox stopped; waiting for it to come back…' : 'The sandbox closed the shell.')),
    );
    // A beat every 15 s, so a quiet shell is never silence: a page whose network died without a word notices and dials again.
    const beat = setInterval(() => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ type: 'beat' } satisfies TerminalStatus)), BEAT_MS);
    ws.on('close', () => {
      clearInterval(beat);
      closeBoth();
    });
  }
}
