import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { StdioOptions } from 'node:child_process';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors.js';

/**
 * The one place lean-labs runs an external program (lab blocks, the shell check, apt, debootstrap, the docker CLI
 * for doctor), through zx. One policy for all of them:
 * - each runs in its own process group, and stopping it (a timeout, Ctrl-C) stops the whole group, so nothing it
 *   started (`sleep 9 | cat`) outlives it;
 * - output is collected as it comes, both streams in order, and each chunk can be watched;
 * - a program that exits non-zero is a result, not an exception; `mustRun` turns it into a CommandError.
 */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Stop the whole process group (SIGKILL) after this long; the result says `timedOut`. */
  readonly timeoutMs?: number;
  /** Stop the whole process group (SIGTERM) when this aborts. */
  readonly signal?: AbortSignal;
  /** Each decoded piece of output as it comes. */
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Output lines beyond this many characters are dropped from the front of `output` (default 1 MB). */
  readonly keepChars?: number;
}

export interface RunResult {
  /** The exit code; 128 + n when a signal ended it, 127 when it could not start. */
  readonly code: number;
  readonly signal?: string;
  readonly timedOut: boolean;
  /** stdout and stderr, in the order they came. */
  readonly output: string;
}

function stopGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** zx keeps every chunk of output by default; the output here is kept once, by runProcess, within its bound. */
class Discard<T> extends Array<T> {
  override push(): number {
    return 0;
  }
}

type Zx = typeof import('zx/core');
let zx: Promise<Zx> | undefined;

/**
 * zx, loaded for the first program run: it and node:child_process take ~18 ms to load, and most commands (and the
 * runner's first screen) run no program.
 */
function loadZx(): Promise<Zx> {
  return (zx ??= import('zx/core'));
}

/** Loads zx now, while a command waits for something else (the engine), so that its first program starts at once. */
export function preparePrograms(): void {
  void loadZx().catch(() => undefined);
}

/** What to start: a program with its arguments, or a bash script (run by zx's own bash, with no second shell). */
type Launch = { readonly file: string; readonly args: readonly string[] } | { readonly script: string };

/**
 * zx as every program here is started: quiet, a failing exit a result rather than a throw, in its own process group
 * (what a timeout, Ctrl-C or a destroyed stream stops), and no output kept by zx (callers keep what they need).
 * Wrapped in an object: the process is itself a promise, which `await` would wait for.
 */
async function startInGroup(launch: Launch, o: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly stdio: StdioOptions }) {
  const { $ } = await loadZx();
  const run = $({
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: o.stdio,
    quiet: true,
    verbose: false,
    nothrow: true,
    detached: true,
    store: { stdout: new Discard(), stderr: new Discard(), stdall: new Discard() } as never,
    ...('script' in launch ? { shell: 'bash', prefix: 'set -e -o pipefail\n' } : {}),
  });
  // A script is the whole command line, as written; a program's arguments are quoted by zx.
  const p = 'script' in launch ? run(Object.assign([launch.script], { raw: [launch.script] })) : run`${launch.file} ${[...launch.args]}`;
  return { p };
}

/** Runs `file args` and resolves when it and its output are done. Never rejects for a failing program. */
export function runProcess(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return startProcess({ file, args }, opts).done;
}

/**
 * Starts `file args` and hands out its standard output as a stream (a tar of a root filesystem, say) besides
 * watching it; `done` resolves as runProcess does, with stderr (and stdout, unless `streamOnly`) collected. The
 * stream carries the output only with `streamOnly` (otherwise it is collected, and the stream ends empty).
 */
export function streamProcess(file: string, args: readonly string[], opts: RunOptions & { readonly streamOnly?: boolean } = {}): { readonly stdout: Readable; readonly done: Promise<RunResult> } {
  return startProcess({ file, args }, opts);
}

function startProcess(launch: Launch, opts: RunOptions & { readonly streamOnly?: boolean }): { readonly stdout: Readable; readonly done: Promise<RunResult> } {
  const keep = opts.keepChars ?? 1_000_000;
  const stdout = new PassThrough();
  let output = '';
  let timedOut = false;
  const collect = (stream: 'stdout' | 'stderr') => {
    const decoder = new StringDecoder('utf8');
    return (d: Buffer) => {
      const text = decoder.write(d);
      if (!text) return;
      output += text;
      if (output.length > keep * 2) output = output.slice(-keep);
      opts.onOutput?.(stream, text);
    };
  };
  const done = (async (): Promise<RunResult> => {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const { p } = await startInGroup(launch, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (opts.streamOnly) p.stdout.pipe(stdout);
      else {
        p.stdout.on('data', collect('stdout'));
        stdout.end();
      }
      p.stderr.on('data', collect('stderr'));
      if (opts.timeoutMs !== undefined)
        timer = setTimeout(() => {
          timedOut = true;
          stopGroup(p.pid, 'SIGKILL');
        }, opts.timeoutMs);
      onAbort = () => stopGroup(p.pid, 'SIGTERM');
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      const out = await p;
      const signal = out.signal ?? undefined;
      const code = out.exitCode ?? (signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 1) : 1);
      return { code, signal, timedOut, output: output.length > keep ? output.slice(-keep) : output };
    } catch (err) {
      if (!stdout.writableEnded) stdout.end();
      return { code: 127, timedOut, output: `${output}${(err as Error).message}\n` };
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    }
  })();
  return { stdout, done };
}

export class CommandError extends UserError {
  constructor(cmd: string, code: number | null, tail: string) {
    super(`\`${cmd}\` failed${code === null ? '' : ` with exit code ${code}`}${tail ? `:\n${tail}` : ''}`);
  }
}

/** Runs a program that must succeed, feeding its output lines to onLine; rejects with its last lines otherwise. */
export async function mustRun(file: string, args: readonly string[], opts: { onLine?: (line: string) => void; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  let partial = '';
  const r = await runProcess(file, args, {
    env: { ...process.env, ...opts.env },
    timeoutMs: opts.timeoutMs,
    keepChars: 200_000,
    onOutput: opts.onLine
      ? (_stream, text) => {
          const lines = (partial + text).split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) opts.onLine!(l);
        }
      : undefined,
  });
  if (partial) opts.onLine?.(partial);
  if (r.code === 0) return r.output;
  const tail = `${r.output.trim().split('\n').slice(-15).join('\n')}${r.timedOut ? '\n(stopped: it ran too long)' : ''}`;
  throw new CommandError(`${file} ${args.join(' ')}`, r.code === 127 ? null : r.code, tail);
}

/** Finds a program on PATH (plus the sbin folders root programs live in). */
export async function which(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** A block of a lab's commands: bash, stopping at the first failing command (also inside a pipe). */
export function runBlock(text: string, opts: RunOptions): Promise<RunResult> {
  return startProcess({ script: text }, opts).done;
}

/**
 * Starts a program that outlives lean-labs (the dockerd of `engine up`): in its own session, its output appended
 * to `logFd`, nothing of it keeping this process alive. `exec` makes the pid the program's own, not a shell's.
 */
export async function startDaemon(file: string, args: readonly string[], logFd: number, env?: NodeJS.ProcessEnv): Promise<number | undefined> {
  const { p } = await startInGroup({ file: 'exec', args: [file, ...args] }, { env, stdio: ['ignore', logFd, logFd] });
  p.catch(() => undefined);
  p.child?.unref();
  return p.pid;
}

/**
 * Starts a program to talk to through its standard input and output (`ssh host docker system dial-stdio`): one
 * stream that writes to its stdin and reads its stdout. If it ends with a failure before the conversation does,
 * the stream fails with what the program said on stderr; destroying the stream stops its process group.
 */
export function dialProcess(file: string, args: readonly string[], opts: { readonly env?: NodeJS.ProcessEnv } = {}): Duplex {
  let stderr = '';
  const started = startInGroup({ file, args }, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  // Until the program has started (zx loading), what is written waits, in order, for it.
  const withProcess = (act: (p: Awaited<typeof started>['p']) => void, failed?: (err: Error) => void) =>
    void started.then(
      ({ p }) => act(p),
      (err: Error) => failed?.(err),
    );
  const stream: Duplex = new Duplex({
    write(chunk: Buffer, _enc, done) {
      withProcess((p) => p.stdin.write(chunk, done), done);
    },
    final(done) {
      withProcess((p) => {
        p.stdin.end();
        done();
      }, done);
    },
    read() {
      withProcess((p) => p.stdout.resume());
    },
    destroy(err, done) {
      withProcess((p) => stopGroup(p.pid, 'SIGTERM'));
      done(err);
    },
  });
  withProcess(
    (p) => {
      p.stdin.on('error', () => undefined);
      p.stdout.on('data', (d: Buffer) => {
        if (!stream.push(d)) p.stdout.pause();
      });
      p.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-4000);
      });
      // The end of its output is only known to be clean once the program has exited: until then, wait. A failure
      // carries the code ESSHDIAL, which the Docker adapter reads as "the way to the engine could not be opened".
      void p.then((out) => {
        if (out.exitCode === 0) stream.push(null);
        else if (!stream.destroyed)
          stream.destroy(
            Object.assign(new Error(`\`${file} ${args.join(' ')}\` ended with exit code ${out.exitCode ?? out.signal}${stderr.trim() ? `: ${stderr.trim()}` : ''}`), { code: 'ESSHDIAL' }),
          );
      });
    },
    (err) => stream.destroy(Object.assign(err, { code: 'ESSHDIAL' })),
  );
  return stream;
}
