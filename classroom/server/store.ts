/**
 * The class server's state: sandboxes, learners, their progress events and where each learner stands, in SQLite
 * (sql.js: SQLite compiled to WebAssembly, so the package keeps no native dependency). The database lives in memory
 * and is written whole to one file, atomically, after each batch of changes; whoever needs a change to be durable
 * (an acknowledgement to a sandbox, a claim) awaits `durable()`, so a server killed at any moment loses nothing it
 * has confirmed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { writeFileAtomic } from '../../runner/atomic-file.js';
import { commonJs } from '../../runner/common-js.js';
import { packageRoot } from '../../runner/paths.js';
import type { ClassEvent } from '../events.js';
import { applyEvent, type Position, type StepRecord } from './positions.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sandboxes (
  id TEXT PRIMARY KEY, slot INTEGER NOT NULL, service TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL, node TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
  restarts INTEGER NOT NULL DEFAULT 0, ready_at INTEGER, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS learners (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, token TEXT NOT NULL UNIQUE, sandbox TEXT NOT NULL UNIQUE,
  joined_at INTEGER NOT NULL, last_seen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  sandbox TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, received INTEGER NOT NULL,
  type TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (sandbox, epoch, seq));
CREATE TABLE IF NOT EXISTS positions (sandbox TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS steps (
  sandbox TEXT NOT NULL, lab TEXT NOT NULL, step TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (sandbox, lab, step));
`;

export type SandboxState = 'pending' | 'ready' | 'failed' | 'restarting';

export interface SandboxRow {
  readonly id: string;
  readonly slot: number;
  readonly service: string;
  readonly token: string;
  readonly state: SandboxState;
  readonly node: string;
  readonly message: string;
  readonly restarts: number;
  readonly readyAt: number | null;
  readonly updatedAt: number;
}

export interface LearnerRow {
  readonly id: string;
  readonly name: string;
  readonly token: string;
  readonly sandbox: string;
  readonly joinedAt: number;
  readonly lastSeen: number;
}

let sqlJs: Promise<SqlJsStatic> | undefined;
const SEEN_WRITE_MS = 10_000;

/** Where SQLite's WebAssembly is: beside the bundle in the package, in node_modules when run from source. */
function wasmFile(): string {
  const shipped = join(packageRoot(), 'dist', 'sql-wasm.wasm');
  if (existsSync(shipped)) return shipped;
  return createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
}

function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlJs) {
    const init = commonJs<(cfg: { wasmBinary: ArrayBuffer }) => Promise<SqlJsStatic>>(() => require('sql.js'), 'sql.js');
    const bytes = readFileSync(wasmFile());
    sqlJs = init({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
  }
  return sqlJs;
}

export class ClassStore {
  private flushTimer: NodeJS.Timeout | undefined;
  /** When each learner was last active, and when that was last written (see touchLearner). */
  private readonly seen = new Map<string, { at: number; written: number }>();
  private waiting: Array<() => void> = [];
  private closed = false;
  private readonly listeners: Array<() => void> = [];

  private constructor(
    private readonly db: Database,
    readonly file: string | undefined,
  ) {}

  /** Opens (or creates) the class database at `file`; without a file it lives in memory only (unit tests). */
  static async open(file?: string): Promise<ClassStore> {
    const SQL = await loadSqlJs();
    const db = file && existsSync(file) ? new SQL.Database(readFileSync(file)) : new SQL.Database();
    db.exec(SCHEMA);
    return new ClassStore(db, file);
  }

  private rows(sql: string, params: SqlValue[] = []): Array<Record<string, SqlValue>> {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const out: Array<Record<string, SqlValue>> = [];
      while (stmt.step()) out.push(stmt.getAsObject());
      return out;
    } finally {
      stmt.free();
    }
  }

  private first(sql: string, params: SqlValue[]): Record<string, SqlValue> | undefined {
    return this.rows(sql, params)[0];
  }

  private run(sql: string, params: SqlValue[] = []): number {
    this.db.run(sql, params);
    this.scheduleFlush();
    const modified = this.db.getRowsModified();
    if (modified) for (const l of this.listeners) l();
    return modified;
  }

  /** Calls `listener` after every change (the dashboard feed coalesces them). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once every change made so far is on disk. */
  durable(): Promise<void> {
    if (!this.file || (!this.flushTimer && this.waiting.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private scheduleFlush(): void {
    if (!this.file || this.flushTimer || this.closed) return;
    // Changes that come together (a batch of events, a claim) are written together: one file write per 20 ms at most.
    this.flushTimer = setTimeout(() => this.flush(), 20);
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.file) {
      writeFileAtomic(this.file, this.db.export(), 0o600);
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  addSandbox(s: { id: string; slot: number; service: string; token: string }, now = Date.now()): void {
    this.run('INSERT OR IGNORE INTO sandboxes (id, slot, service, token, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [s.id, s.slot, s.service, s.token, 'pending', now]);
  }

  sandboxes(): SandboxRow[] {
    return this.rows('SELECT * FROM sandboxes ORDER BY slot').map(toSandbox);
  }

  sandbox(id: string): SandboxRow | undefined {
    const r = this.first('SELECT * FROM sandboxes WHERE id = ?', [id]);
    return r && toSandbox(r);
  }

  sandboxByToken(token: string): SandboxRow | undefined {
    const r = this.first('SELECT * FROM sandboxes WHERE token = ?', [token]);
    return r && toSandbox(r);
  }

  /** Records what Swarm or the sandbox says; only a change is written. Returns whether anything changed. */
  updateSandbox(id: string, change: { state?: SandboxState; node?: string; message?: string; restarts?: number }, now = Date.now()): boolean {
    const cur = this.sandbox(id);
    if (!cur) return false;
    const next = { ...cur, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as SandboxRow;
    if (next.state === cur.state && next.node === cur.node && next.message === cur.message && next.restarts === cur.restarts) return false;
    const readyAt = next.state === 'ready' && cur.state !== 'ready' ? now : cur.readyAt;
    this.run('UPDATE sandboxes SET state = ?, node = ?, message = ?, restarts = ?, ready_at = ?, updated_at = ? WHERE id = ?', [next.state, next.node, next.message, next.restarts, readyAt, now, id]);
    return true;
  }

  learners(): LearnerRow[] {
    return this.rows('SELECT * FROM learners ORDER BY joined_at, id').map((r) => this.learner(r));
  }

  learnerByToken(token: string): LearnerRow | undefined {
    const r = this.first('SELECT * FROM learners WHERE token = ?', [token]);
    return r && this.learner(r);
  }

  learnerOfSandbox(sandbox: string): LearnerRow | undefined {
    const r = this.first('SELECT * FROM learners WHERE sandbox = ?', [sandbox]);
    return r && this.learner(r);
  }

  /**
   * Gives a learner the first ready sandbox nobody holds (lowest slot first), in one statement so two joins can
   * never get the same one. Returns undefined when none is free.
   */
  claim(learner: { id: string; name: string; token: string }, now = Date.now()): LearnerRow | undefined {
    const free = this.rows("SELECT id FROM sandboxes WHERE state = 'ready' AND id NOT IN (SELECT sandbox FROM learners) ORDER BY slot LIMIT 1")[0];
    if (!free) return undefined;
    this.run('INSERT INTO learners (id, name, token, sandbox, joined_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)', [learner.id, learner.name, learner.token, String(free.id), now, now]);
    return this.learnerByToken(learner.token);
  }

  /**
   * A learner was active (a key typed, a judgement). Every keystroke passes here, and each write of the database is
   * a write of the whole file: the time is kept in memory at once and written at most every 10 s per learner.
   */
  touchLearner(id: string, now = Date.now()): void {
    const seen = this.seen.get(id);
    if (seen && now - seen.written < SEEN_WRITE_MS) {
      seen.at = Math.max(seen.at, now);
      return;
    }
    this.seen.set(id, { at: now, written: now });
    this.run('UPDATE learners SET last_seen = ? WHERE id = ?', [now, id]);
  }

  /** A learner row, with the latest activity known in memory. */
  private learner(r: Record<string, SqlValue>): LearnerRow {
    const row = toLearner(r);
    const seen = this.seen.get(row.id);
    return seen && seen.at > row.lastSeen ? { ...row, lastSeen: seen.at } : row;
  }

  /**
   * Stores a sandbox's events; one already stored (same sandbox, outbox epoch and sequence number: a resend after
   * a lost acknowledgement) is ignored. Returns the sequence numbers now stored, for the acknowledgement.
   */
  addEvents(sandbox: string, epoch: string, events: readonly ClassEvent[], now = Date.now()): number[] {
    const stored: number[] = [];
    for (const e of events) {
      const added = this.run('INSERT OR IGNORE INTO events (sandbox, epoch, seq, at, received, type, body) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        sandbox,
        epoch,
        e.seq,
        e.at,
        now,
        e.type,
        JSON.stringify(e),
      ]);
      if (added) this.applyToPosition(sandbox, e);
      stored.push(e.seq);
    }
    return stored;
  }

  private applyToPosition(sandbox: string, e: ClassEvent): void {
    const pos = this.position(sandbox);
    const step = e.lab && e.step ? this.stepRecord(sandbox, e.lab, e.step) : undefined;
    const next = applyEvent(pos, step, e);
    this.run('INSERT INTO positions (sandbox, body) VALUES (?, ?) ON CONFLICT(sandbox) DO UPDATE SET body = excluded.body', [sandbox, JSON.stringify(next.position)]);
    if (next.step && e.lab && e.step)
      this.run('INSERT INTO steps (sandbox, lab, step, body) VALUES (?, ?, ?, ?) ON CONFLICT(sandbox, lab, step) DO UPDATE SET body = excluded.body', [
        sandbox,
        e.lab,
        e.step,
        JSON.stringify(next.step),
      ]);
  }

  position(sandbox: string): Position | undefined {
    const r = this.first('SELECT body FROM positions WHERE sandbox = ?', [sandbox]);
    return r ? (JSON.parse(String(r.body)) as Position) : undefined;
  }

  stepRecord(sandbox: string, lab: string, step: string): StepRecord | undefined {
    const r = this.first('SELECT body FROM steps WHERE sandbox = ? AND lab = ? AND step = ?', [sandbox, lab, step]);
    return r ? (JSON.parse(String(r.body)) as StepRecord) : undefined;
  }

  stepRecords(): Array<{ sandbox: string; record: StepRecord }> {
    return this.rows('SELECT sandbox, body FROM steps ORDER BY sandbox, lab').map((r) => ({ sandbox: String(r.sandbox), record: JSON.parse(String(r.body)) as StepRecord }));
  }

  eventCount(sandbox?: string): number {
    const r = sandbox ? this.rows('SELECT COUNT(*) AS n FROM events WHERE sandbox = ?', [sandbox]) : this.rows('SELECT COUNT(*) AS n FROM events');
    return Number(r[0]?.n ?? 0);
  }

  /** When each event reached the store (for the benchmark): received minus the runner's own time. */
  eventDelays(step?: string): number[] {
    const all = this.rows('SELECT received - at AS d, body FROM events');
    return all.filter((r) => !step || (JSON.parse(String(r.body)) as ClassEvent).step === step).map((r) => Number(r.d));
  }

  /** The stored events of one type, with their sandbox (for the benchmark). */
  eventsOfType(type: ClassEvent['type']): Array<{ sandbox: string; event: ClassEvent }> {
    return this.rows('SELECT sandbox, body FROM events')
      .map((r) => ({ sandbox: String(r.sandbox), event: JSON.parse(String(r.body)) as ClassEvent }))
      .filter((r) => r.event.type === type);
  }
}

function toSandbox(r: Record<string, SqlValue>): SandboxRow {
  return {
    id: String(r.id),
    slot: Number(r.slot),
    service: String(r.service),
    token: String(r.token),
    state: String(r.state) as SandboxState,
    node: String(r.node),
    message: String(r.message),
    restarts: Number(r.restarts),
    readyAt: r.ready_at === null ? null : Number(r.ready_at),
    updatedAt: Number(r.updated_at),
  };
}

function toLearner(r: Record<string, SqlValue>): LearnerRow {
  return {
    id: String(r.id),
    name: String(r.name),
    token: String(r.token),
    sandbox: String(r.sandbox),
    joinedAt: Number(r.joined_at),
    lastSeen: Number(r.last_seen),
  };
}
