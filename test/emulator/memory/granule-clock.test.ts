/** GranuleClock (emulator/memory/granule-clock.ts): the latest write per 8-byte granule, per page, for wmo by views. */
import { describe, expect, it } from 'vitest';
import { GranuleClock } from '../../../emulator/memory/granule-clock.js';

describe('GranuleClock', () => {
  const base = 0x8000_0000;

  it('reads 0 until a granule is set, and keeps granules apart', () => {
    const c = new GranuleClock(base, 1 << 20);
    expect(c.get(base)).toBe(0);
    c.set(base + 8, 5);
    c.set(base + 16, 7);
    expect(c.get(base)).toBe(0);
    expect(c.get(base + 8)).toBe(5);
    expect(c.get(base + 16)).toBe(7);
    // The last granule of a page and the first of the next are distinct.
    c.set(base + 4096 - 8, 11);
    c.set(base + 4096, 13);
    expect([c.get(base + 4096 - 8), c.get(base + 4096)]).toEqual([11, 13]);
  });

  it('holds numbers beyond 32 bits and clears every page it made', () => {
    const c = new GranuleClock(base, 1 << 30);
    const far = base + (1 << 30) - 8;
    c.set(far, 2 ** 40 + 3);
    c.set(base, 1);
    expect(c.get(far)).toBe(2 ** 40 + 3);
    c.clear();
    expect([c.get(far), c.get(base)]).toEqual([0, 0]);
    c.set(far, 9);
    expect(c.get(far)).toBe(9);
  });
});
