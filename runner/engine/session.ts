import { randomBytes } from 'node:crypto';
import { processAlive, processStart } from '../host/process-identity.js';
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { clearMeasurements } from './measurements.js';

/**
 * A session record says "lab X was open, in these live windows". It is written before the first command runs and
 * removed after cleanup, so a run killed half-way leaves a record the next reset or verify reads to know which
 * same-named resources are the lab's to reclaim. What it proves (see ownership.ts):
 * - `preexisting`: same-named things that were already on the engine when the session began: never the lab's;
 * - `windows`: when a process of the session was alive. The live process rewrites `aliveAt` every second, so a
 *   session whose process is gone claims nothing made after its last heartbeat;
 * - `adopted`: things the learner confirmed as the lab's;
 * - `skewMs`: the engine's clock minus ours, so engine creation times compare with our windows.
 */
export interface SessionWindow {
  readonly from: number;
  /** Set when the process ended the window itself (quit, or handed over). */
  readonly to?: number;
  readonly aliveAt: number;
  readonly pid: number;
  readonly host: string;
  /** The process's start time (Linux /proc/<pid>/stat), so a reused pid is not taken for the session's process. */
  readonly procStart?: string;
}

export interface SessionRecord {
  readonly lab: string;
  readonly session: string;
  readonly startedAt: number;
  readonly mode: 'verify' | 'start';
  readonly windows: readonly SessionWindow[];
  readonly preexisting: readonly string[];
  readonly adopted: readonly string[];
  readonly skewMs: number;
}

/** How often a live session says so; a window ends this long (plus a margin) after its last word. */
export const HEARTBEAT_MS = 1000;
const GRACE_MS = HEARTBEAT_MS + 1000;

const dirOf = (state: string): string => join(state, 'sessions');
const fileOf = (state: string, lab: string): string => join(dirOf(state), `${lab}.json`);

export function readSession(state: string, lab: string): SessionRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(fileOf(state, lab), 'utf8')) as Partial<SessionRecord>;
    if (typeof r.startedAt !== 'number' || r.lab !== lab || typeof r.session !== 'string') return undefined;
    // A record from before windows were kept: one window that ended when it began, so it claims only what was
    // made within the clock slack of its start (plus the runner's labels), never what came later.
    const windows = Array.isArray(r.windows) ? r.windows : [{ from: r.startedAt, to: r.startedAt, aliveAt: r.startedAt, pid: 0, host: '' }];
    return { mode: 'verify', preexisting: [], adopted: [], skewMs: 0, ...r, windows } as SessionRecord;
  } catch {
    return undefined;
  }
}

/** Written atomically: a half-written record would be worse than none. */
export function writeSession(state: string, record: SessionRecord): void {
  writeFileAtomic(fileOf(state, record.lab), JSON.stringify(record, null, 2));
}

export function clearSession(state: string, lab: string): void {
  rmSync(fileOf(state, lab), { force: true });
  clearMeasurements(state, lab);
}

/** Whether a window is this process's own and still open. */
const ours = (w: SessionWindow): boolean => w.to === undefined && w.pid === process.pid && w.host === hostname();

/** A window of this process, opened now. */
export function openWindow(now = Date.now()): SessionWindow {
  return { from: now, aliveAt: now, pid: process.pid, host: hostname(), procStart: processStart(process.pid) };
}

/** Whether the window's process is still running (on this machine: a record from another host is not live). */
export function windowLive(w: SessionWindow): boolean {
  if (w.to !== undefined || w.host !== hostname() || !processAlive(w.pid)) return false;
  const started = processStart(w.pid);
  return w.procStart === undefined || started === undefined || started === w.procStart;
}

/** When a window ended, on our clock: Infinity while its process lives. */
export function windowEnd(w: SessionWindow): number {
  if (w.to !== undefined) return w.to;
  return windowLive(w) ? Infinity : w.aliveAt + GRACE_MS;
}

/** The engine's clock minus ours; differences below half a second are noise (the call's own latency). */
export function engineSkew(info: { readonly systemTime: number }, now = Date.now()): number {
  const skew = info.systemTime - now;
  return Math.abs(skew) < 500 ? 0 : skew;
}

export function newSession(lab: string, mode: SessionRecord['mode'], now = Date.now(), skewMs = 0): SessionRecord {
  return { lab, session: randomBytes(6).toString('hex'), startedAt: now, mode, windows: [openWindow(now)], preexisting: [], adopted: [], skewMs };
}

/**
 * Keeps one session's record current while this process works in it: a heartbeat every second, and the window
 * closed when the process is done. A record whose process died keeps its last heartbeat, which is what bounds it.
 */
export class SessionKeeper {
  private timer: NodeJS.Timeout | undefined;
  private current: SessionRecord;
  private stopped = false;

  constructor(
    private readonly stateDir: string,
    record: SessionRecord,
  ) {
    this.current = record;
  }

  get record(): SessionRecord {
    return this.current;
  }

  /** Writes the record (with this process's window open) and starts the heartbeat. */
  start(): SessionRecord {
    const now = Date.now();
    // Another process's open window is closed: where it still runs, this one takes the session over now.
    const windows = this.current.windows.map((w) => (w.to === undefined && !ours(w) ? { ...w, to: Math.min(windowEnd(w), now) } : w));
    this.current = { ...this.current, windows: windows.some(ours) ? windows : [...windows, openWindow(now)] };
    writeSession(this.stateDir, this.current);
    this.timer ??= setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref?.();
    return this.current;
  }

  /** Changes the record (preexisting names found, things adopted) and writes it at once. */
  update(change: (r: SessionRecord) => SessionRecord): SessionRecord {
    this.current = change(this.current);
    if (this.stopped) return this.current;
    writeSession(this.stateDir, this.current);
    return this.current;
  }

  private beat(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.current = { ...this.current, windows: this.current.windows.map((w) => (ours(w) ? { ...w, aliveAt: now } : w)) };
    try {
      writeSession(this.stateDir, this.current);
    } catch {
      // A full disk must not stop the lab; the record then bounds the window at the last heartbeat written.
    }
  }

  /** Ends this process's window; `keep` false also removes the record (the lab left nothing behind). */
  stop(keep: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!keep) {
      clearSession(this.stateDir, this.current.lab);
      return;
    }
    const now = Date.now();
    this.current = { ...this.current, windows: this.current.windows.map((w) => (ours(w) ? { ...w, aliveAt: now, to: now } : w)) };
    writeSession(this.stateDir, this.current);
  }
}
