/**
 * Pushes the class's status to every open dashboard: a change in the store (an event, a join, a sandbox's state)
 * or an agent coming and going marks it changed, and one snapshot goes out shortly after, however many changes came
 * together. A slow tick sends one anyway, for what changes without a store write (last activity, agents' messages).
 */
import type { WebSocket } from 'ws';

export class DashboardFeed {
  private readonly clients = new Set<WebSocket>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;

  /**
   * @param snapshot the text every dashboard is sent
   * @param coalesceMs changes within this time go out as one snapshot
   */
  constructor(
    private readonly snapshot: () => string,
    private readonly coalesceMs = 100,
    tickMs = 5000,
  ) {
    this.tick = setInterval(() => this.changed(), tickMs);
    this.tick.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    ws.send(this.snapshot());
  }

  changed(): void {
    if (this.timer || this.clients.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.push();
    }, this.coalesceMs);
  }

  private push(): void {
    const text = this.snapshot();
    for (const ws of this.clients) {
      // A dashboard that stopped reading (a laptop asleep) is not sent more than it can take; it gets the next one.
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < 1 << 20) ws.send(text);
    }
  }

  close(): void {
    clearInterval(this.tick);
    if (this.timer) clearTimeout(this.timer);
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
  }
}
