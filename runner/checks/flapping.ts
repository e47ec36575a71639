import type { ContainerFacts } from '../docker/port.js';

/** How long a container its policy restarted must stay up before it counts as running. */
export const RESTART_SETTLE_MS = 2000;

/**
 * A container its restart policy keeps bringing back runs for a moment at a time: restarting now, or restarted by
 * the policy and up for less than RESTART_SETTLE_MS. Returns why, or undefined when it is settled.
 */
export function flapping(c: ContainerFacts, now = Date.now()): string | undefined {
  if (c.state.status === 'restarting') return `it is restarting (restarted ${c.state.restarts} times by its policy)`;
  const upMs = now - Date.parse(c.state.startedAt || '1970-01-01T00:00:00Z');
  return c.state.running && c.state.restarts > 0 && upMs < RESTART_SETTLE_MS
    ? `it keeps restarting (restarted ${c.state.restarts} times by its policy, up ${Math.max(0, Math.round(upMs))} ms)`
    : undefined;
}
