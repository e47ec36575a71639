import type { EngineEvent } from '../docker/port.js';
import { SESSION_LABEL } from '../engine/labels.js';

/**
 * Decides which engine events should make the runner judge the step again. Judging itself makes events
 * (exec checks, helper containers for HTTP checks); reacting to those would judge forever. So the runner's own
 * helpers (labelled with its session) and exec events while it is judging are ignored; everything the learner
 * does (containers, networks, volumes, images, their own execs) counts.
 */
export class EventFilter {
  private readonly helpers = new Set<string>();

  constructor(private readonly session: string) {}

  relevant(e: EngineEvent, judging: boolean): boolean {
    if (e.type === 'container') {
      if (e.attributes[SESSION_LABEL] === this.session) {
        this.helpers.add(e.id);
        if (e.action === 'destroy') setTimeout(() => this.helpers.delete(e.id), 5000).unref?.();
        return false;
      }
      if (e.action.startsWith('exec_')) return !judging;
      return true;
    }
    if (e.type === 'network') return !this.helpers.has(e.attributes.container ?? '');
    return e.type === 'volume' || e.type === 'image';
  }
}

/**
 * Calls `fire` once events stop arriving for `ms`, and never runs two at once: events during a run mark it
 * dirty, and it fires again when the run ends.
 */
export class Debouncer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;

  constructor(
    private readonly ms: number,
    private readonly fire: () => Promise<void>,
  ) {}

  poke(): void {
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), this.ms);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      await this.fire();
    } finally {
      this.running = false;
      if (this.dirty) {
        this.dirty = false;
        this.poke();
      }
    }
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
  }
}
