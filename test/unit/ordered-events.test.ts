import { describe, expect, it } from 'vitest';
import { eachWithJobs, OrderedEvents } from '../../runner/engine/ordered-events.js';

describe('labs side by side, reported in order', () => {
  it('passes the first lab through live and holds a later one until the labs before it end', () => {
    const seen: string[] = [];
    const o = new OrderedEvents<string>(3, (e) => seen.push(e));
    const [a, b, c] = [o.emitter(0), o.emitter(1), o.emitter(2)];
    b('b1');
    a('a1');
    c('c1');
    expect(seen).toEqual(['a1']);
    b('b2');
    o.end(1); // b ends before a: still held
    expect(seen).toEqual(['a1']);
    a('a2');
    o.end(0); // a ends: b's events follow, then c's so far, and c goes live
    expect(seen).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    c('c2');
    o.end(2);
    expect(seen).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
  });

  it('runs at most N at once, starting them in order, and all of them', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await eachWithJobs([30, 5, 20, 5, 10], 2, async (ms, i) => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
    });
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    let serial = 0;
    await eachWithJobs([1, 1, 1], 1, async () => {
      serial++;
      expect(running).toBe(0);
    });
    expect(serial).toBe(3);
  });
});
