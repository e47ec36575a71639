/**
 * Wrong join codes (and wrong learner tokens) are limited per address: a class code is six letters, and an
 * unlimited guesser tries hundreds a second. Past MAX_WRONG within WINDOW_MS an address is answered 429, with how
 * long to wait, until its oldest wrong try leaves the window. Right answers are never limited.
 */
export const MAX_WRONG = 10;
export const WINDOW_MS = 60_000;

export class JoinLimit {
  private readonly wrong = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds this address must wait before it may try again; 0 when it may try now. */
  waitFor(address: string): number {
    const recent = this.recent(address);
    if (recent.length < MAX_WRONG) return 0;
    return Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - this.now()) / 1000));
  }

  /** A wrong code or token from this address. */
  failed(address: string): void {
    this.wrong.set(address, [...this.recent(address), this.now()]);
  }

  private recent(address: string): number[] {
    const cutoff = this.now() - WINDOW_MS;
    const kept = (this.wrong.get(address) ?? []).filter((t) => t > cutoff);
    if (kept.length) this.wrong.set(address, kept);
    else this.wrong.delete(address);
    return kept;
  }
}
