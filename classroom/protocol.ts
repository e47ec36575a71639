/**
 * The class's wire protocol, shared by the server, the sandbox's agent, the learner's page and `class join`: the
 * messages on the agent's control connection, the terminal's control message, the close codes the server sends,
 * and how a learner's terminal dials again after a close. Pure: the browser's bundle takes it too.
 */
import type { CheckSummary, ClassEvent } from './events.js';

/** Why the server closed a connection (WebSocket close codes; 1000 is a shell that ended). */
export const Close = {
  /** A shell that ended (or a terminal closed on purpose). */
  done: 1000,
  /** An agent replaced by a newer connection of the same sandbox. */
  agentReplaced: 4000,
  /** The learner opened their sandbox in another window or terminal: this one is closed for good. */
  takenOver: 4001,
  /** The sandbox did not come back in time. */
  sandboxGone: 4002,
  /** The sandbox's agent did not open a shell. */
  noShell: 4003,
  /** The sandbox stopped (or closed the shell abnormally): it may come back. */
  sandboxStopped: 4004,
} as const;

/** A close after which a learner's terminal does not dial again by itself. */
export const isFinalClose = (code: number): boolean => code === Close.done || code === Close.takenOver;

/** How long a learner's terminal waits before dialling again: longer while the sandbox itself is away. */
export function redialDelayMs(code: number): number {
  return code === Close.sandboxGone || code === Close.noShell || code === Close.sandboxStopped ? 5000 : 1500;
}

/** How long a learner's terminal keeps dialling after losing the server, before it asks the learner. */
export const RECONNECT_FOR_MS = 120_000;

/** The agent's control connection: how long it waits before dialling again after the n-th loss in a row. */
export const agentRedialDelayMs = (losses: number): number => Math.min(500 * 2 ** Math.max(0, losses - 1), 5000);

/** The server's reason, when it says what happens next ("…waiting for it to come back…"), stands alone. */
export function reconnectingLine(reason: string): string {
  const why = (reason || 'Connection lost').replace(/\.$/, '');
  return why.endsWith('…') ? why : `${why}; reconnecting…`;
}

/** From the agent to the server, on its control connection. */
export type AgentMessage = { readonly type: 'state'; readonly state: string; readonly message: string } | { readonly type: 'events'; readonly epoch: string; readonly events: readonly ClassEvent[] };

/** From the server to the agent: open a shell for a terminal, or which events it has stored. */
export type ServerMessage =
  | { readonly type: 'open'; readonly id: string; readonly cols?: number; readonly rows?: number }
  | { readonly type: 'ack'; readonly epoch: string; readonly seqs: readonly number[] };

/** From a learner's terminal, beside its keystrokes (which go as binary frames). */
export type TerminalControl = { readonly type: 'resize'; readonly cols: number; readonly rows: number };
export const resizeMessage = (cols: number, rows: number): string => JSON.stringify({ type: 'resize', cols, rows } satisfies TerminalControl);

/** From the server to a learner's terminal, beside the shell's bytes: where the sandbox is, or a beat (no silence). */
export type TerminalStatus = { readonly type: 'status'; readonly state: string; readonly message: string } | { readonly type: 'beat' };

/** A status message to a terminal; a beat, or anything else, is nothing. */
export function readTerminalStatus(text: string): Extract<TerminalStatus, { type: 'status' }> | undefined {
  const m = record(text);
  return m?.type === 'status' && typeof m.state === 'string' ? { type: 'status', state: m.state, message: typeof m.message === 'string' ? m.message : '' } : undefined;
}

/** An agent's message as the server reads it; anything else is nothing (events are checked one by one later). */
export function readAgentMessage(text: string): AgentMessage | undefined {
  const m = record(text);
  if (m?.type === 'state' && typeof m.state === 'string') return { type: 'state', state: m.state, message: typeof m.message === 'string' ? m.message : '' };
  if (m?.type === 'events' && typeof m.epoch === 'string' && Array.isArray(m.events)) return { type: 'events', epoch: m.epoch, events: m.events as ClassEvent[] };
  return undefined;
}

const record = (text: string): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** A server message as the agent reads it; anything else is nothing. */
export function readServerMessage(text: string): ServerMessage | undefined {
  const m = record(text);
  if (m?.type === 'open' && typeof m.id === 'string') return { type: 'open', id: m.id, cols: typeof m.cols === 'number' ? m.cols : undefined, rows: typeof m.rows === 'number' ? m.rows : undefined };
  if (m?.type === 'ack' && typeof m.epoch === 'string' && Array.isArray(m.seqs) && m.seqs.every((n) => Number.isInteger(n))) return { type: 'ack', epoch: m.epoch, seqs: m.seqs as number[] };
  return undefined;
}

/** A terminal's control message; anything else is nothing. */
export function readTerminalControl(text: string): TerminalControl | undefined {
  const m = record(text);
  return m?.type === 'resize' && typeof m.cols === 'number' && typeof m.rows === 'number' ? { type: 'resize', cols: m.cols, rows: m.rows } : undefined;
}

/** One learner's sandbox as the instructor sees it (`class status`, the dashboard). */
export interface StatusRow {
  readonly sandbox: string;
  readonly slot: number;
  readonly learner: string;
  readonly node: string;
  /** ready (free), claimed, pending, restarting, failed. */
  readonly state: string;
  readonly message: string;
  readonly restarts: number;
  readonly lab: string;
  readonly labTitle: string;
  readonly step: string;
  readonly stepNumber: number;
  readonly steps: number;
  readonly passed: number;
  readonly total: number;
  readonly failing: string;
  /** The current step's checks at their last judgement, as the runner showed them. */
  readonly checks: readonly CheckSummary[];
  readonly onStepMs: number;
  /** When the learner last moved forward (see Position.progressAt); null before their first lab. */
  readonly progressAt: number | null;
  readonly lastActivity: number | null;
}

/** The class's status: a row per sandbox. */
export interface ClassStatus {
  readonly class: string;
  readonly learners: number;
  readonly joined: number;
  readonly rows: readonly StatusRow[];
}

/** Minutes without progress before a learner counts as stuck, unless the class (class up --stuck-after) says otherwise. */
export const DEFAULT_STUCK_AFTER_MINUTES = 10;

/** The snapshot the server pushes to every dashboard. */
export interface DashboardSnapshot {
  readonly type: 'status';
  /** The server's clock when the snapshot was made: times on the page count from it. */
  readonly now: number;
  /** The class's default for "stuck" (class up --stuck-after); the page may set its own. */
  readonly stuckAfterMs: number;
  readonly status: ClassStatus;
}
