/**
 * The small on-disk outbox between the runner and the class server, inside a learner's sandbox.
 *
 * The runner drops each progress event into the folder as its own file (`new-*.json`, written atomically), so no
 * network trouble ever reaches the learner's screen. The sandbox's agent numbers them in order (the number is made
 * durable by renaming the file to `seq-<n>.json`), sends everything numbered, and deletes a file only once the
 * server has acknowledged storing it. A server restart or a dropped connection therefore loses nothing, and a
 * resend is harmless: the server keeps one event per (sandbox, epoch, seq). The epoch is made with the folder, so a
 * sandbox that starts over with a new folder never collides with numbers used before.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../runner/atomic-file.js';
import type { ClassEvent, UnnumberedEvent } from './events.js';

export { OUTBOX_ENV } from './sandbox-spec.js';

let counter = 0;

/** The runner's side: drop one event into the outbox. Never throws (progress must not disturb the learner). */
export function dropEvent(dir: string, event: UnnumberedEvent): void {
  try {
    const name = `new-${Date.now().toString().padStart(15, '0')}-${process.pid}-${String(++counter).padStart(6, '0')}.json`;
    writeFileAtomic(join(dir, name), JSON.stringify(event));
  } catch {
    // A full disk or a removed folder: the class loses this event, the learner loses nothing.
  }
}

const SEQ_FILE = /^seq-(\d{12})\.json$/;
const NEW_FILE = /^new-.*\.json$/;

export class Outbox {
  readonly epoch: string;
  private next: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const epochFile = join(dir, 'epoch');
    if (!existsSync(epochFile)) writeFileAtomic(epochFile, randomBytes(8).toString('hex'));
    this.epoch = readFileSync(epochFile, 'utf8').trim();
    const nextFile = join(dir, 'next-seq');
    const recorded = existsSync(nextFile) ? Number(readFileSync(nextFile, 'utf8')) : 1;
    const highest = Math.max(0, ...this.numbered().map((f) => f.seq));
    this.next = Math.max(Number.isInteger(recorded) && recorded > 0 ? recorded : 1, highest + 1);
  }

  private numbered(): Array<{ seq: number; file: string }> {
    return readdirSync(this.dir)
      .map((n) => ({ m: SEQ_FILE.exec(n), n }))
      .filter((x) => x.m)
      .map((x) => ({ seq: Number(x.m![1]), file: join(this.dir, x.n) }))
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * Numbers the runner's new events in the order they were made. The next number is recorded before the file is
   * renamed: a crash in between leaves a gap in the numbers, never a number given twice.
   */
  numberNew(): void {
    const fresh = readdirSync(this.dir)
      .filter((n) => NEW_FILE.test(n))
      .sort();
    for (const name of fresh) {
      const seq = this.next++;
      writeFileAtomic(join(this.dir, 'next-seq'), String(this.next));
      renameSync(join(this.dir, name), join(this.dir, `seq-${String(seq).padStart(12, '0')}.json`));
    }
  }

  /** Everything numbered and not yet acknowledged, oldest first (at most `limit`). */
  pending(limit = 500): ClassEvent[] {
    const out: ClassEvent[] = [];
    for (const { seq, file } of this.numbered().slice(0, limit)) {
      try {
        out.push({ ...(JSON.parse(readFileSync(file, 'utf8')) as UnnumberedEvent), seq });
      } catch {
        rmSync(file, { force: true }); // damaged: it can never be sent
      }
    }
    return out;
  }

  /** The server stored these: their files go. */
  acknowledge(seqs: readonly number[]): void {
    for (const seq of seqs) rmSync(join(this.dir, `seq-${String(seq).padStart(12, '0')}.json`), { force: true });
  }
}
