/**
 * The expected race matrix (tools/race/matrix.ts expectation()), from the catalog: a scenario fails
 * before its race's fix under each model the race needs and holds from the fix on; R1 and R2 may
 * also show R1c's race (their infos are distinct) where it is still present, under wmo.
 */
import { describe, expect, it } from 'vitest';
import { expectation, surprising } from '../../../tools/race/matrix.js';

describe('the expected matrix', () => {
  it.each([
    ['R1', 'v1', 'sc', 'REPRODUCED'],
    ['R1', 'v2', 'sc', 'HELD'],
    ['R1', 'v2-normb', 'tso', 'HELD'],
    ['R1', 'v2-normb', 'wmo', 'REPRODUCED'],
    ['R1', 'v3', 'wmo', 'EITHER'],
    ['R1', 'v3b', 'wmo', 'HELD'],
    ['R1c', 'v2', 'wmo', 'HELD'],
    ['R1c', 'v2-normb', 'wmo', 'REPRODUCED'],
    ['R1c', 'v3', 'wmo', 'REPRODUCED'],
    ['R1c', 'v3-seed001', 'wmo', 'REPRODUCED'],
    ['R1', 'v2', 'wmo', 'HELD'],
    ['R2', 'v3', 'wmo', 'EITHER'],
    ['R1c', 'v3', 'tso', 'HELD'],
    ['R1c', 'v3b', 'wmo', 'HELD'],
    ['R2', 'v2', 'sc', 'REPRODUCED'],
    ['R2', 'v3', 'sc', 'HELD'],
    ['R2', 'v3-seed001', 'wmo', 'EITHER'],
    ['R2', 'v4', 'wmo', 'HELD'],
    ['R3', 'v3b', 'tso', 'REPRODUCED'],
    ['R3', 'v4', 'wmo', 'HELD'],
    ['R4a', 'v6', 'sc', 'REPRODUCED'],
    ['R4a', 'v6-peterz', 'wmo', 'HELD'],
    ['R4b', 'v6', 'sc', 'HELD'],
    ['R4b', 'v6', 'tso', 'REPRODUCED'],
  ] as const)('%s on %s under %s: %s', (scenario, version, model, want) => {
    expect(expectation(scenario, version, model)).toBe(want);
  });

  it('an EITHER cell is no surprise either way; the others are when they differ', () => {
    expect(surprising({ status: 'REPRODUCED', expected: 'EITHER' })).toBe(false);
    expect(surprising({ status: 'HELD', expected: 'EITHER' })).toBe(false);
    expect(surprising({ status: 'HELD', expected: 'REPRODUCED' })).toBe(true);
    expect(surprising({ status: 'REPRODUCED', expected: 'HELD' })).toBe(true);
  });
});
