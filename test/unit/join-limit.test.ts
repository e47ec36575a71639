import { describe, expect, it } from 'vitest';
import { JoinLimit, MAX_WRONG, WINDOW_MS } from '../../classroom/server/join-limit.js';

describe('wrong join codes, limited per address', () => {
  it('lets an address try until it has been wrong MAX_WRONG times in the window, then says how long to wait', () => {
    let now = 1_000_000;
    const limit = new JoinLimit(() => now);
    for (let i = 0; i < MAX_WRONG; i++) {
      expect(limit.waitFor('10.0.0.1')).toBe(0);
      limit.failed('10.0.0.1');
      now += 1000;
    }
    expect(limit.waitFor('10.0.0.1')).toBe((WINDOW_MS - MAX_WRONG * 1000) / 1000);
    expect(limit.waitFor('10.0.0.2'), 'another address is not held back').toBe(0);
    now += WINDOW_MS - MAX_WRONG * 1000 + 1;
    expect(limit.waitFor('10.0.0.1'), 'the oldest wrong try has left the window').toBe(0);
  });
});
