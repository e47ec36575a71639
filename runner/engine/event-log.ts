/**
 * What the engine did during a session, as the session saw it. The engine keeps only its last 256 events, so on
 * an engine doing other work (a health check every second, other containers, a class) a lab's history is gone
 * before its checks read it. A session records every event from the moment it opens, and its checks read that
 * record; a session resumed later (the runner reopened) did not see its beginning and asks the engine instead.
 */
import type { DockerPort, EngineEvent, HistoryType, LabelFilter, PastEvent } from '../docker/port.js';
import { CLOCK_SLACK_MS } from './ownership.js';

/**
 * How late after a session opened its record may have begun and still cover it: a session's queries start the
 * clocks' slack before it opened, and nothing of the session happens before it opens.
 */
export const RECORD_SLACK_MS = 2 * CLOCK_SLACK_MS;

/** Far more than any lab makes; past it the oldest events go, and the record stops claiming it covers the session. */
export const EVENT_LOG_LIMIT = 50_000;

export class EventLog {
  private readonly events: EngineEvent[] = [];
  private incomplete = false;
  /** When recording began, on the engine's clock: never, until the stream is open. */
  private from = Number.POSITIVE_INFINITY;

  /** The stream is open: every event from now (engine time) on reaches the record. */
  begin(engineNow: number): void {
    this.from = engineNow;
  }

  /** The stream ended (the engine went away): what happened since is not in the record, which covers nothing now. */
  interrupt(): void {
    this.incomplete = true;
  }

  record(e: EngineEvent): void {
    this.events.push(e);
    if (this.events.length > EVENT_LOG_LIMIT) {
      this.events.splice(0, this.events.length - EVENT_LOG_LIMIT);
      this.incomplete = true;
    }
  }

  /** Whether the record holds every event since `sinceMs` (slack allowed: nothing of the session happens before it opens). */
  covers(sinceMs: number, slackMs: number): boolean {
    return !this.incomplete && this.from <= sinceMs + slackMs;
  }

  /** Container events since a time, of one container (by name or id) or of every container carrying the labels. */
  containerEvents(of: string | LabelFilter, sinceMs: number): PastEvent[] {
    const match =
      typeof of === 'string'
        ? (e: EngineEvent) => e.attributes.name === of || (of.length >= 12 && e.id.startsWith(of))
        : (e: EngineEvent) => Object.entries(of).every(([k, v]) => (v === '' ? k in e.attributes : e.attributes[k] === v));
    return this.events.filter((e) => e.type === 'container' && e.time >= sinceMs && match(e)).map(past);
  }

  /** Every event of one type since a time. */
  history(type: HistoryType, sinceMs: number): PastEvent[] {
    return this.events.filter((e) => e.type === type && e.time >= sinceMs).map(past);
  }
}

const past = (e: EngineEvent): PastEvent => ({ type: e.type, id: e.id, action: e.action, name: e.name, time: e.time, attributes: e.attributes });

/**
 * The Docker port a session's checks use: the engine for everything, but the past from the session's own record
 * (the one current now, if any) whenever that record covers the time asked about.
 */
export function withEventLog(docker: DockerPort, current: () => EventLog | undefined, slackMs = RECORD_SLACK_MS): DockerPort {
  return new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop === 'pastEvents')
        return (of: string | LabelFilter, sinceMs: number) => {
          const log = current();
          return log?.covers(sinceMs, slackMs) ? Promise.resolve(log.containerEvents(of, sinceMs)) : target.pastEvents(of, sinceMs);
        };
      if (prop === 'history')
        return (type: HistoryType, sinceMs: number) => {
          const log = current();
          return log?.covers(sinceMs, slackMs) ? Promise.resolve(log.history(type, sinceMs)) : target.history(type, sinceMs);
        };
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Starts recording the engine's events into a new record; `onEnd` is told if the stream ends. */
export async function recordEvents(
  docker: DockerPort,
  skewMs: number,
  onEvent: (e: EngineEvent) => void = () => undefined,
  onEnd: (err?: Error) => void = () => undefined,
): Promise<{ log: EventLog; stop: () => void }> {
  const log = new EventLog();
  const stop = await docker.watchEvents(
    (e) => {
      log.record(e);
      onEvent(e);
    },
    (err) => {
      log.interrupt();
      onEnd(err);
    },
  );
  log.begin(Date.now() + skewMs);
  return { log, stop };
}
