/**
 * The agent inside a learner's sandbox (the class image's command, `dist/class-agent.js`). It runs as the sandbox's
 * real root, outside the learner's cell (cell.ts), and:
 * - starts the cell, and in it the learner's own dockerd, again if the learner stops it (a cell that ends ends the
 *   agent: Swarm then starts the sandbox's task again);
 * - loads the class's lab images from the class server once (the sandbox has no registry to pull from);
 * - dials out to the class server (nothing listens inside a sandbox) and reports its state;
 * - opens a shell in the cell for the learner's terminal on request: a pseudo-terminal made by `script`, attached to
 *   one tmux session, so a dropped connection comes back to the same shell, redrawn once by tmux;
 * - answers the cell's name queries;
 * - sends the runner's progress events from the outbox, deleting each once the server has stored it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, watch, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { engineAnswers, loadImageTar } from '../../runner/docker/engine-socket.js';
import { dialProcess, runProcess, startDaemon } from '../../runner/host/run.js';
import { OUTBOX_ENV, Outbox } from '../outbox.js';
import { agentRedialDelayMs, readServerMessage, readTerminalControl, type AgentMessage } from '../protocol.js';
import { CELL_IDS_ENV, CELL_REFUSE_ENV, CLASS_LABS_ENV, IPV4, IMAGES_LOADING_FILE, IMAGES_TURN_PATH, TOKEN_FILE } from '../sandbox-spec.js';
import { CELL_ENTER, CELL_RUNC, cellEngineSocket, cellPid, inCellShell, learnerEnv, relayNames, sandboxNameServer, startCell } from './cell.js';

const DOCKERD_LOG = '/var/log/lean-labs-dockerd.log';
const TERM_DIR = '/run/lean-labs-term';
/** Marks the images loaded into this sandbox's engine (the engine's volume outlives a restarted task). */
const IMAGES_MARK = '/var/lib/docker/lean-labs-class-images';
/** The tag of the images this engine has loaded ('' when none): sent as If-None-Match. */
const loadedImagesTag = (): string => (existsSync(IMAGES_MARK) ? readFileSync(IMAGES_MARK, 'utf8').trim() : '');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A dockerd runs (or is coming up): a killed one not yet reaped (state Z) does not count. */
async function dockerdLives(): Promise<boolean> {
  return (await runProcess('sh', ['-c', "ps -C dockerd -o stat= | grep -qv '^Z'"], { timeoutMs: 5000 })).code === 0;
}

export interface AgentOptions {
  readonly url: string;
  readonly token: string;
  readonly sandbox: string;
  readonly outboxDir: string;
  /** The host id the cell's root is (see CELL_IDS_ENV). */
  readonly cellIds: number;
  /** Addresses the cell may not reach (see CELL_REFUSE_ENV). */
  readonly refuse: readonly string[];
  readonly log: (line: string) => void;
}

export function agentOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AgentOptions {
  const url = env.LEAN_LABS_CLASS_URL;
  if (!url) throw new Error('LEAN_LABS_CLASS_URL is not set: the agent runs inside a class sandbox, started by `class up`.');
  const token = existsSync(TOKEN_FILE) ? readFileSync(TOKEN_FILE, 'utf8').trim() : (env.LEAN_LABS_SANDBOX_TOKEN ?? '');
  if (!token) throw new Error(`No sandbox token at ${TOKEN_FILE}.`);
  const cellIds = Number(env[CELL_IDS_ENV]);
  if (!Number.isInteger(cellIds) || cellIds < 65536)
    throw new Error(`${CELL_IDS_ENV} is not set to the first host id of the learner's cell: the agent runs inside a class sandbox, started by \`class up\`.`);
  return {
    cellIds,
    refuse: (env[CELL_REFUSE_ENV] ?? '').split(',').filter((a) => IPV4.test(a)),
    url: url.replace(/\/+$/, ''),
    token,
    sandbox: env.LEAN_LABS_SANDBOX ?? 'sandbox',
    outboxDir: env[OUTBOX_ENV] ?? '/root/.local/state/lean-labs/class-outbox',
    log: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`),
  };
}

export class SandboxAgent {
  private control: WebSocket | undefined;
  private state: { state: string; message: string } = { state: 'starting', message: 'starting its engine' };
  private outbox: Outbox | undefined;
  private sending = false;
  private stopped = false;

  /** A class of one lab opens it at once. */
  private readonly onlyLab = /^[a-z0-9-]+$/.test(process.env[CLASS_LABS_ENV] ?? '') ? process.env[CLASS_LABS_ENV] : undefined;

  constructor(private readonly opts: AgentOptions) {}

  async run(): Promise<void> {
    this.connect();
    let pid: number;
    try {
      pid = await startCell(this.opts.cellIds, this.opts.refuse, this.opts.log);
    } catch (err) {
      // The class sees why before Swarm starts the sandbox again.
      this.say('failed', (err as Error).message.slice(0, 300));
      await sleep(1000);
      throw err;
    }
    relayNames(sandboxNameServer(), this.opts.log);
    // The runner in the cell writes there: the folders are the cell root's, made by it.
    await inCellShell(`mkdir -p '${this.opts.outboxDir.replace(/'/g, '')}'`);
    this.outbox = new Outbox(this.opts.outboxDir);
    this.pumpOutbox();
    await this.startEngine();
    // The learner may come in as soon as the engine answers; the runner waits for the images (see IMAGES_LOADING_FILE).
    // Asking costs nothing when this engine has them already (the server answers 304).
    await inCellShell(`mkdir -p ${dirname(IMAGES_LOADING_FILE)} && echo loading > ${IMAGES_LOADING_FILE}`);
    this.say('ready', 'loading the lab images');
    await this.loadImages();
    await inCellShell(`rm -f ${IMAGES_LOADING_FILE}`);
    this.say('ready', '');
    // The learner may stop the engine (it is theirs): it is started again, and the class sees it meanwhile.
    // Asked every second (a ping on its socket): a learner who stopped it has it back within seconds.
    for (;;) {
      await sleep(1000);
      if (this.stopped) return;
      if (cellPid() !== pid) {
        this.say('failed', "the learner's cell ended; the sandbox starts again");
        throw new Error("the learner's cell ended");
      }
      if (!(await this.engineAnswers())) {
        this.say('starting', 'its engine stopped; starting it again');
        await this.startEngine();
        this.say('ready', this.state.message === 'loading the lab images' ? this.state.message : '');
      }
    }
  }

  private say(state: string, message: string): void {
    this.state = { state, message };
    this.opts.log(`state ${state}${message ? `: ${message}` : ''}`);
    this.sendControl({ type: 'state', ...this.state });
  }

  private sendControl(msg: AgentMessage): void {
    if (this.control?.readyState === WebSocket.OPEN) this.control.send(JSON.stringify(msg));
  }

  private engineAnswers(): Promise<boolean> {
    return engineAnswers(cellEngineSocket());
  }

  private async startEngine(): Promise<void> {
    if (await this.engineAnswers()) return;
    // A dockerd that lives but does not answer is going down (the learner stopped it; it waits for each container's
    // stop timeout) or is one the learner is starting by hand: it gets three seconds, then it goes, and so do the
    // containers it left running (the next dockerd would wait out each one's stop timeout again before answering).
    if (await dockerdLives())
      for (let i = 0; i < 6; i++) {
        if (await this.engineAnswers()) return;
        if (!(await dockerdLives())) break;
        await sleep(500);
      }
    await runProcess(
      'sh',
      [
        '-c',
        'pkill -x dockerd; pkill -x containerd; for i in $(seq 10); do pgrep -x dockerd >/dev/null || pgrep -x containerd >/dev/null || exit 0; sleep 0.1; done; pkill -9 -x dockerd; pkill -9 -x containerd; for i in $(seq 20); do pgrep -x dockerd >/dev/null || pgrep -x containerd >/dev/null || break; sleep 0.1; done; cat /sys/fs/cgroup/cell/docker/*/cgroup.procs /sys/fs/cgroup/pids/cell/docker/*/cgroup.procs 2>/dev/null | xargs -r kill -9; pkill -9 -x containerd-shim-runc-v2; true',
      ],
      { timeoutMs: 15_000 },
    );
    // Removed in the cell, as its root: paths there are the learner's, links included.
    await inCellShell('rm -f /run/docker.pid /run/docker/containerd/containerd.pid');
    const log = openSync(DOCKERD_LOG, 'a');
    // Its containers run through cell-runc (a device given under another name works in the cell too).
    await startDaemon(CELL_ENTER, ['dockerd', '--host=unix:///run/docker.sock', `--add-runtime=cell=${CELL_RUNC}`, '--default-runtime=cell'], log, learnerEnv(process.env));
    closeSync(log);
    for (let i = 0; i < 120; i++) {
      if (await this.engineAnswers()) return;
      await sleep(500);
    }
    const tail = existsSync(DOCKERD_LOG) ? readFileSync(DOCKERD_LOG, 'utf8').trim().split('\n').slice(-3).join(' / ') : '';
    this.say('failed', `its dockerd did not start within 60 s: ${tail}`.slice(0, 300));
    throw new Error('dockerd did not start');
  }

  /**
   * Loads the class's lab images in a child process (`class-agent.js load-images`): hundreds of MB pass through it,
   * and the buffers a Node process grows for that stay with it; the agent lives as long as the sandbox and stays small.
   */
  private async loadImages(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // The child starts only when the server gives this sandbox its turn: while a whole class starts, thirty
      // processes waiting for theirs would cost the machine seconds of CPU it needs for the engines.
      if ((await waitForImagesTurn(this.opts)) === 'have') return;
      const r = await runProcess(process.execPath, [...process.execArgv, process.argv[1]!, LOAD_IMAGES], { onOutput: (_s, t) => process.stdout.write(t) });
      if (r.code === 0) return;
      this.opts.log(`loading images stopped (exit ${r.code}); trying again`);
      await sleep(Math.min(30_000, 2000 * attempt));
    }
  }

  private wsUrl(path: string): string {
    return `${this.opts.url.replace(/^http/, 'ws')}${path}`;
  }

  /** The control connection: kept open, dialled again after any loss. */
  private connect(): void {
    let losses = 0;
    const dial = () => {
      if (this.stopped) return;
      const ws = new WebSocket(this.wsUrl('/agent'), { headers: { authorization: `Bearer ${this.opts.token}` }, handshakeTimeout: 10_000 });
      ws.on('open', () => {
        losses = 0;
        this.control = ws;
        this.opts.log('connected to the class server');
        ws.send(JSON.stringify({ type: 'state', ...this.state } satisfies AgentMessage));
        this.sending = false;
        void this.sendPending();
      });
      ws.on('message', (data: RawData, binary: boolean) => {
        if (binary) return;
        const msg = readServerMessage(data.toString());
        if (msg?.type === 'open') this.openShell(msg.id, msg.cols ?? 80, msg.rows ?? 24);
        if (msg?.type === 'ack' && this.outbox && msg.epoch === this.outbox.epoch && this.outboxIsOwn()) {
          this.outbox.acknowledge(msg.seqs);
          this.sending = false;
          void this.sendPending();
        }
      });
      ws.on('error', (err) => this.opts.log(`class server: ${err.message}`));
      ws.on('close', () => {
        if (this.control === ws) this.control = undefined;
        this.sending = false;
        setTimeout(dial, agentRedialDelayMs(++losses));
      });
    };
    dial();
  }

  /** Numbers new events and sends what is unacknowledged, one batch in flight at a time. */
  private async sendPending(): Promise<void> {
    if (!this.outbox || this.sending || this.control?.readyState !== WebSocket.OPEN) return;
    // The folder is the learner's: one that leads elsewhere through a link is not read (nor anything deleted there).
    if (!this.outboxIsOwn()) return;
    this.outbox.numberNew();
    const events = this.outbox.pending(200);
    if (!events.length) return;
    this.sending = true;
    this.sendControl({ type: 'events', epoch: this.outbox.epoch, events });
    // An acknowledgement that never comes (a server killed mid-write) is covered by sending again after a while.
    setTimeout(() => {
      if (this.sending) {
        this.sending = false;
        void this.sendPending();
      }
    }, 10_000).unref();
  }

  /** Whether the outbox was last found not to be a plain folder (said once, not at every look). */
  private outboxElsewhere = false;

  private outboxIsOwn(): boolean {
    let own = false;
    try {
      own = realpathSync(this.opts.outboxDir) === this.opts.outboxDir;
    } catch {
      // gone: the runner makes it again
    }
    if (!own && !this.outboxElsewhere) this.opts.log(`the outbox ${this.opts.outboxDir} is not a plain folder; its events wait`);
    this.outboxElsewhere = !own;
    return own;
  }

  private pumpOutbox(): void {
    // The folder is there already, made in the cell by its root (see run()): one real root made could not be written by the runner.
    try {
      watch(this.opts.outboxDir, () => void this.sendPending());
    } catch {
      // polling below covers it
    }
    setInterval(() => void this.sendPending(), 1000).unref();
  }

  /** A shell for the learner: its own pseudo-terminal, attached to the sandbox's one tmux session. */
  private openShell(id: string, cols: number, rows: number): void {
    mkdirSync(TERM_DIR, { recursive: true });
    const ttyFile = join(TERM_DIR, id.replace(/[^a-zA-Z0-9-]/g, ''));
    const size = (n: number, max: number) => Math.max(2, Math.min(max, Math.floor(Number(n)) || 24));
    const inner = [
      `stty rows ${size(rows, 200)} cols ${size(cols, 500)} 2>/dev/null`,
      `tty > ${ttyFile}`,
      // The first shell opens the runner (on the class's lab, when it has one) with a shell pane beside it; later
      // ones attach to the same session. Both live in the learner's cell.
      `exec ${CELL_ENTER} tmux new-session -A -s lab "lean-labs start${this.onlyLab ? ` ${this.onlyLab}` : ''} --pane; exec bash -l"`,
    ].join('; ');
    const pipe = new WebSocket(this.wsUrl(`/agent/pipe?id=${encodeURIComponent(id)}`), {
      headers: { authorization: `Bearer ${this.opts.token}` },
      handshakeTimeout: 10_000,
    });
    let shell: Duplex | undefined;
    pipe.on('open', () => {
      shell = dialProcess('script', ['-qfec', inner, '/dev/null'], { env: learnerEnv(process.env) });
      shell.on('data', (d: Buffer) => pipe.readyState === WebSocket.OPEN && pipe.send(d, { binary: true }));
      shell.on('error', () => undefined);
      shell.on('close', () => pipe.readyState === WebSocket.OPEN && pipe.close(1000, 'The shell ended.'));
      shell.on('end', () => pipe.readyState === WebSocket.OPEN && pipe.close(1000, 'The shell ended.'));
    });
    pipe.on('message', (data: RawData, binary: boolean) => {
      if (binary) {
        shell?.write(data as Buffer);
        return;
      }
      const m = readTerminalControl(data.toString());
      if (m && existsSync(ttyFile)) {
        const tty = readFileSync(ttyFile, 'utf8').trim();
        if (/^\/dev\/pts\/\d+$/.test(tty)) void runProcess('stty', ['-F', tty, 'rows', String(size(m.rows, 200)), 'cols', String(size(m.cols, 500))], { timeoutMs: 5000 });
      }
    });
    pipe.on('close', () => {
      shell?.destroy();
      rmSync(ttyFile, { force: true });
    });
    pipe.on('error', (err) => this.opts.log(`terminal pipe: ${err.message}`));
  }
}

/** The agent's argument for its child that loads the images. */
export const LOAD_IMAGES = 'load-images';

/** Loads the class's lab images when this engine does not have this version of them yet, trying until it has. */
export async function loadClassImages(opts: Pick<AgentOptions, 'url' | 'token' | 'log'>): Promise<void> {
  const have = loadedImagesTag();
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await get(opts, '/sandbox/images', have ? { 'if-none-match': have } : {});
      if (res.statusCode === 304 || res.statusCode === 404) {
        res.resume();
        return;
      }
      if (res.statusCode !== 200) throw new Error(`the class server answered ${res.statusCode}`);
      const etag = String(res.headers.etag ?? '');
      await loadImageTar(cellEngineSocket(), res);
      if (etag) writeFileSync(IMAGES_MARK, etag);
      return;
    } catch (err) {
      opts.log(`loading images failed (${(err as Error).message}); trying again`);
      await sleep(Math.min(30_000, 2000 * attempt));
    }
  }
}

/**
 * Waits for the class server to give this sandbox its turn to load the images: 'go', or 'have' when this engine has
 * them already (or the class serves none). Asks again after a failure, as the loading itself does.
 */
export async function waitForImagesTurn(opts: Pick<AgentOptions, 'url' | 'token' | 'log'>): Promise<'go' | 'have'> {
  const have = loadedImagesTag();
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await get(opts, IMAGES_TURN_PATH, have ? { 'if-none-match': have } : {});
      res.resume();
      if (res.statusCode === 304 || res.statusCode === 404) return 'have';
      if (res.statusCode === 204) return 'go';
      throw new Error(`the class server answered ${res.statusCode}`);
    } catch (err) {
      opts.log(`waiting for the turn to load images failed (${(err as Error).message}); trying again`);
      await sleep(Math.min(30_000, 2000 * attempt));
    }
  }
}

function get(opts: Pick<AgentOptions, 'url' | 'token'>, path: string, headers: Record<string, string>): Promise<import('node:http').IncomingMessage> {
  const url = new URL(opts.url + path);
  const send = url.protocol === 'https:' ? requestTls : request;
  return new Promise((resolve, reject) => {
    const req = send(url, { headers: { ...headers, authorization: `Bearer ${opts.token}` } }, resolve);
    req.on('error', reject);
    req.end();
  });
}
