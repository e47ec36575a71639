/**
 * What the swarm tests do as an instructor and as learners: the class's settings, its API, a learner's terminal
 * through the gateway (the one `class join` uses), and a script run in a learner's cell (where their shell lives).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { docker } from '../integration/helpers.js';

const run = promisify(execFile);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClassConfig {
  joinCode: string;
  instructorToken: string;
}

export class TestClass {
  readonly base: string;
  constructor(
    readonly name: string,
    readonly state: string,
    readonly port: number,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }
  get env(): Record<string, string> {
    return { LEAN_LABS_STATE_DIR: this.state };
  }
  config(): ClassConfig {
    return JSON.parse(readFileSync(join(this.state, 'classes', this.name, 'class.json'), 'utf8')) as ClassConfig;
  }
  async join(body: object): Promise<{ status: number; body: Record<string, string> }> {
    const res = await fetch(`${this.base}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }
  instructor(path: string, token = this.config().instructorToken): Promise<Response> {
    return fetch(`${this.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  }
  async statusRows(): Promise<Array<Record<string, string | number>>> {
    return ((await (await this.instructor('/api/instructor/status')).json()) as { rows: Array<Record<string, string | number>> }).rows;
  }
  terminal(token: string): Promise<Terminal> {
    return Terminal.open(this.base, token);
  }
}

/** A learner's terminal over the gateway: what the shell printed so far, and a way to type. */
export class Terminal {
  output = '';
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer, binary: boolean) => {
      if (binary) this.output += d.toString('utf8');
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }
  static open(base: string, token: string): Promise<Terminal> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/term?token=${token}&cols=160&rows=45`);
    const t = new Terminal(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(t));
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  type(text: string): void {
    this.ws.send(Buffer.from(text), { binary: true });
  }
  async waitFor(pattern: RegExp, ms = 90_000): Promise<void> {
    const until = Date.now() + ms;
    while (!pattern.test(this.output)) {
      if (Date.now() > until) throw new Error(`terminal never showed ${pattern}; it showed:\n${this.output.slice(-2000)}`);
      if (this.closed) throw new Error(`terminal closed (${this.closed.code} ${this.closed.reason}) before showing ${pattern}`);
      await sleep(200);
    }
  }
}

export async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms / 1000} s; last: ${JSON.stringify(v).slice(0, 1500)}`);
    await sleep(500);
  }
}

/** The container of a sandbox's running task, on this (the only) node. */
export async function taskContainer(sandbox: string): Promise<string> {
  return docker('ps', '-q', '--filter', `label=com.docker.swarm.service.name=${sandbox}`, '--filter', 'status=running');
}

/** Runs a script as the learner would: in the sandbox's cell, where the learner's shell lives. */
export async function inSandbox(sandbox: string, script: string, timeout = 60_000): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('docker', ['exec', await taskContainer(sandbox), 'lean-labs-cell-enter', 'bash', '-c', script], { timeout, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
