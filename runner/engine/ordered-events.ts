/**
 * Labs verified side by side report in lab order, as if one ran after another: the first unfinished lab's events
 * pass straight through (its progress is live), a later lab's wait in its own queue until every lab before it has
 * ended. Reporters, which expect one lab at a time, see exactly what a serial run would show.
 */
export class OrderedEvents<E> {
  private readonly queues: E[][];
  private readonly done: boolean[];
  private head = 0;

  constructor(
    private readonly count: number,
    private readonly sink: (event: E) => void,
  ) {
    this.queues = Array.from({ length: count }, () => []);
    this.done = Array.from({ length: count }, () => false);
  }

  /** The emitter for lab number `index` (in the order given). */
  emitter(index: number): (event: E) => void {
    return (event) => {
      if (index === this.head) this.sink(event);
      else this.queues[index]!.push(event);
    };
  }

  /** Lab `index` has ended: the labs after it that are waiting pass their events on, up to the first still running. */
  end(index: number): void {
    this.done[index] = true;
    while (this.head < this.count && this.done[this.head]) {
      this.head++;
      if (this.head < this.count) for (const e of this.queues[this.head]!.splice(0)) this.sink(e);
    }
  }
}

/** Runs `work` over the items with at most `jobs` at once, each started in the items' order. */
export async function eachWithJobs<T>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}
