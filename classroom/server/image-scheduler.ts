/**
 * Who loads the lab images next (pure: the clock and the class's state are handed in, so it is tested with a fake
 * clock). Loading images takes far more CPU than starting an engine, so a few transfers run at once: a learner's
 * sandbox goes first, then the spares, oldest first. A spare's transfer also waits while other sandboxes are still
 * starting on their nodes (at most `holdMs`), and a class starting all at once is ready sooner that way.
 */

/** What the scheduler needs to know of the class, asked each time it decides. */
export interface ClassView {
  /** The sandboxes learners hold. */
  readonly claimed: ReadonlySet<string>;
  /** Whether some sandbox is still starting on its node. */
  readonly starting: boolean;
}

export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  later(fn: () => void, ms: number): () => void;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  later: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

interface Waiting {
  readonly sandbox: string;
  readonly at: number;
  readonly go: () => void;
}

export class ImageScheduler {
  private readonly queue: Waiting[] = [];
  private running = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly opts: { readonly slots: number; readonly holdMs: number; readonly view: () => ClassView; readonly clock?: Clock }) {}

  private get clock(): Clock {
    return this.opts.clock ?? REAL_CLOCK;
  }

  /** Transfers under way (or whose places are held). */
  get active(): number {
    return this.running;
  }

  /** Sandboxes waiting. */
  get waiting(): readonly string[] {
    return this.queue.map((w) => w.sandbox);
  }

  /** Queues a sandbox; `go` is called when its transfer may begin (it then holds a place until `release`). Returns a cancel. */
  enqueue(sandbox: string, go: () => void): () => void {
    const entry: Waiting = { sandbox, at: this.clock.now(), go };
    this.queue.push(entry);
    this.next();
    return () => {
      const i = this.queue.indexOf(entry);
      if (i >= 0) this.queue.splice(i, 1);
    };
  }

  /** A transfer ended (or gave its place back): the next may begin, unless `lookAgain` is false. */
  release(lookAgain = true): void {
    this.running = Math.max(0, this.running - 1);
    if (lookAgain) this.next();
  }

  /** Looks at the queue again: the class changed, a hold may be over. */
  next(): void {
    if (!this.queue.length) return;
    const { claimed, starting } = this.opts.view();
    const now = this.clock.now();
    this.queue.sort((a, b) => Number(claimed.has(b.sandbox)) - Number(claimed.has(a.sandbox)) || a.at - b.at);
    while (this.running < this.opts.slots) {
      const i = this.queue.findIndex((e) => claimed.has(e.sandbox) || !starting || now - e.at >= this.opts.holdMs);
      if (i < 0) break;
      const [next] = this.queue.splice(i, 1);
      this.running++;
      next!.go();
    }
    // Held ones are looked at again when the class changes (the caller says so) and when the oldest has waited enough.
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (!this.queue.length) return;
    const oldest = Math.min(...this.queue.map((e) => e.at));
    this.cancelTimer = this.clock.later(() => this.next(), Math.max(100, oldest + this.opts.holdMs - now));
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
