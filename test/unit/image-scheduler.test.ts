import { describe, expect, it } from 'vitest';
import { type ClassView, type Clock, ImageScheduler } from '../../classroom/server/image-scheduler.js';

/** A clock that moves only when told, running what falls due. */
class FakeClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void }> = [];
  now = () => this.t;
  later = (fn: () => void, ms: number) => {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  };
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
  }
}

function setup(view: ClassView, slots = 2, holdMs = 1000) {
  const clock = new FakeClock();
  let current = view;
  const started: string[] = [];
  const s = new ImageScheduler({ slots, holdMs, clock, view: () => current });
  const add = (sandbox: string) => s.enqueue(sandbox, () => started.push(sandbox));
  return { clock, s, started, add, set: (v: ClassView) => (current = v) };
}

describe('the image scheduler', () => {
  it('runs a few transfers at once and the next when one ends', () => {
    const { s, started, add } = setup({ claimed: new Set(), starting: false });
    for (const x of ['a', 'b', 'c']) add(x);
    expect(started).toEqual(['a', 'b']);
    expect(s.waiting).toEqual(['c']);
    s.release();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(s.active).toBe(2);
  });

  it("puts a learner's sandbox before the spares, whoever came first", () => {
    const { started, add, s } = setup({ claimed: new Set(['learner']), starting: false }, 1);
    add('spare-1');
    add('spare-2');
    add('learner');
    s.release();
    expect(started).toEqual(['spare-1', 'learner']);
  });

  it('holds a spare while others are starting, until they are up or the hold is over', () => {
    const { clock, started, add, set, s } = setup({ claimed: new Set(), starting: true }, 3, 1000);
    add('spare-1');
    clock.advance(400);
    add('spare-2');
    expect(started).toEqual([]);
    // The class is up before the hold ends: the caller says so, and both go.
    set({ claimed: new Set(), starting: false });
    s.next();
    expect(started).toEqual(['spare-1', 'spare-2']);
  });

  it('lets a held spare go when it has waited the hold, by the clock alone', () => {
    const { clock, started, add } = setup({ claimed: new Set(), starting: true }, 3, 1000);
    add('spare-1');
    clock.advance(500);
    add('spare-2');
    clock.advance(499);
    expect(started).toEqual([]);
    clock.advance(1);
    expect(started).toEqual(['spare-1']);
    clock.advance(500);
    expect(started).toEqual(['spare-1', 'spare-2']);
  });

  it('forgets a sandbox that stopped waiting, and a place given back frees it', () => {
    const { started, add, s } = setup({ claimed: new Set(), starting: false }, 1);
    add('a');
    const cancel = add('b');
    add('c');
    cancel();
    s.release(false);
    expect(started).toEqual(['a']);
    s.next();
    expect(started).toEqual(['a', 'c']);
  });
});
