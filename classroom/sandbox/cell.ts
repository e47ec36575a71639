/**
 * The agent's side of the learner's cell (images/sandbox/cell): starting it, finding it, and the paths through which
 * the agent, outside it, reaches what lives inside (its engine's socket, its /run). The learner's shell, runner and
 * dockerd run in the cell, as root of a user namespace that holds nothing on the host; the agent stays outside,
 * out of their reach, with the sandbox's token.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { CLASS_LABS_ENV, OUTBOX_ENV } from '../sandbox-spec.js';
import { runProcess, startDaemon } from '../../runner/host/run.js';

/** Real root's folder about the cell (0700): the cell's pid, once it is ready. */
const CELL_STATE = '/run/lean-labs-cell';
const PID_FILE = join(CELL_STATE, 'pid');
const CELL_LOG = '/var/log/lean-labs-cell.log';
/** The sandbox's end of the veth pair to the cell: where the cell asks for names (see cell-start). */
export const CELL_GATEWAY = '100.127.199.1';
/** The runtime the cell's dockerd runs containers with (runc, after giving devices their names: see cell-runc). */
export const CELL_RUNC = '/usr/local/lib/lean-labs-cell/cell-runc';
/** Runs a command in the cell, as its root, counted in its cgroup (see cell-enter). */
export const CELL_ENTER = 'lean-labs-cell-enter';

/**
 * What the cell is given of the agent's environment (its init, its dockerd, the learner's shells): the class's
 * settings for the runner, and nothing of the agent's (not the class server's address).
 */
export function learnerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const keep = ['PATH', 'LEAN_LABS_SANDBOX', CLASS_LABS_ENV, OUTBOX_ENV];
  return {
    ...Object.fromEntries(keep.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])),
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    HOME: '/root',
    USER: 'root',
    SHELL: '/bin/bash',
  };
}

/** The cell's pid in the sandbox, when it runs. */
export function cellPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  return Number.isInteger(pid) && pid > 1 && existsSync(`/proc/${pid}`) ? pid : undefined;
}

/** A path inside the cell, as the agent reaches it from outside (through the cell's root). */
function inCell(path: string, pid = cellPid()): string {
  if (pid === undefined) throw new Error("the learner's cell is not running");
  return `/proc/${pid}/root${path}`;
}

/** The cell's engine socket, from outside. */
export const cellEngineSocket = (pid?: number): string => inCell('/run/docker.sock', pid);

/**
 * Runs a short shell script in the cell, as its root. (Real root cannot make files on the cell's own filesystems:
 * their owners must be ids of the cell's.)
 */
export async function inCellShell(script: string): Promise<void> {
  const r = await runProcess(CELL_ENTER, ['sh', '-c', script], { timeoutMs: 15_000, env: learnerEnv() });
  if (r.code !== 0) throw new Error(`in the learner's cell: ${script}: ${r.output.trim().slice(0, 300)}`);
}

/** Starts the cell (its ids from `firstId` on; `refuse`: addresses it may not reach) and waits until it is ready; returns its pid. */
export async function startCell(firstId: number, refuse: readonly string[], log: (line: string) => void, timeoutMs = 30_000): Promise<number> {
  const already = cellPid();
  if (already) return already;
  const fd = openSync(CELL_LOG, 'a');
  const starter = await startDaemon('lean-labs-cell-start', [String(firstId), ...refuse], fd, learnerEnv());
  closeSync(fd);
  const until = Date.now() + timeoutMs;
  let ended = false;
  while (Date.now() < until) {
    const pid = cellPid();
    if (pid) {
      log(`the learner's cell is ready (pid ${pid}, ids from ${firstId})`);
      return pid;
    }
    // lean-labs-cell-start lives as long as the cell: once it has gone, no cell is coming.
    if (ended) break;
    ended = starter === undefined || !existsSync(`/proc/${starter}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = existsSync(CELL_LOG) ? readFileSync(CELL_LOG, 'utf8').trim().split('\n').slice(-3).join(' / ') : '';
  throw new Error(`${ended ? "the learner's cell could not start" : `the learner's cell did not start within ${timeoutMs / 1000} s`}: ${tail}`);
}

/** The first name server of the sandbox's own resolv.conf (the engine's resolver, 127.0.0.11, in a Swarm task). */
export function sandboxNameServer(resolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : ''): string {
  return /^\s*nameserver\s+(\S+)/m.exec(resolvConf)?.[1] ?? '127.0.0.11';
}

/**
 * Answers the cell's name queries (UDP) by asking the sandbox's resolver: the cell has its own network, where the
 * engine's resolver of the sandbox (on the sandbox's loopback) cannot be reached.
 */
export function relayNames(upstream: string, log: (line: string) => void, at: { address?: string; port?: number; upstreamPort?: number; maxInFlight?: number } = {}): () => void {
  const { address = CELL_GATEWAY, port = 53, upstreamPort = 53, maxInFlight = 64 } = at;
  const server = createSocket('udp4');
  let inFlight = 0;
  server.on('message', (query, from) => {
    // A cell that floods the relay is answered no faster than its resolver answers: the rest are dropped.
    if (inFlight >= maxInFlight) return;
    inFlight++;
    const ask = createSocket('udp4');
    const done = () => {
      inFlight--;
      ask.close();
    };
    const timer = setTimeout(done, 5000);
    ask.on('message', (answer) => {
      clearTimeout(timer);
      server.send(answer, from.port, from.address, () => undefined);
      done();
    });
    ask.on('error', () => {
      clearTimeout(timer);
      done();
    });
    ask.send(query, upstreamPort, upstream);
  });
  server.on('error', (err) => log(`name relay: ${err.message}`));
  server.bind(port, address);
  return () => server.close();
}
