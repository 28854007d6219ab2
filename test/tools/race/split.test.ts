/**
 * With more workers than cells, `rvsmp race` splits a cell's search into parts on several workers
 * (SearchOptions.part): the result is the one search's, found sooner - the same first failing seed
 * and schedule count for a race, the same number of schedules for a fixed cell.
 */
import { describe, expect, it } from 'vitest';
import { rvsmpAsync } from '../../helpers/cli.js';
import { joinParts, type CellResult } from '../../../tools/race/matrix.js';

const result = async (args: string[], jobs: number) => {
  const r = await rvsmpAsync(['race', ...args, '--jobs', String(jobs), '--json'], { timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => !l.summary)
    .map(({ seconds: _, ...rest }) => rest);
};

describe('a cell searched in parts on several workers', () => {
  it('finds the same first failing seed as one search, with the same schedule count', async () => {
    const cell = ['--scenario', 'R2', '--version', 'v2-normb', '--model', 'wmo', '--budget', '400'];
    const one = await result(cell, 1);
    expect(one[0]).toMatchObject({ status: 'REPRODUCED' });
    expect(await result(cell, 3)).toEqual(one);
    expect(await result(cell, 4)).toEqual(one);
  }, 120_000);

  it('explores the same number of schedules of a fixed cell', async () => {
    const cell = ['--scenario', 'R4a', '--version', 'v6-peterz', '--model', 'sc', '--budget', '101'];
    const one = await result(cell, 1);
    expect(one[0]).toMatchObject({ status: 'HELD', schedules: 101 });
    expect(await result(cell, 3)).toEqual(one);
  }, 120_000);

  it('joins parts: the earliest failure counts the schedules as one search would, the slowest part gives the time', () => {
    const base = { scenario: 'R2', version: 'v2', model: 'sc', expected: 'REPRODUCED' } as const;
    const parts: CellResult[] = [
      { ...base, status: 'HELD', schedules: 40, seconds: 2.5 },
      { ...base, status: 'REPRODUCED', schedules: 90, seconds: 1.5, seed: 90, steps: 10, symptom: 'late' },
      { ...base, status: 'REPRODUCED', schedules: 81, seconds: 1.2, seed: 81, steps: 20, symptom: 'early' },
    ];
    expect(joinParts(parts)).toMatchObject({ status: 'REPRODUCED', schedules: 81, seed: 81, symptom: 'early', seconds: 2.5 });
    expect(joinParts([parts[0]!, { ...parts[0]!, schedules: 39, seconds: 3 }])).toMatchObject({ status: 'HELD', schedules: 79, seconds: 3 });
  });

  it('--medians --split runs each search split across the workers: the same failures as searches on one worker each', async () => {
    const medians = async (extra: string[]) => {
      const r = await rvsmpAsync(['race', '--medians', '3', '--scenario', 'R1', '--version', 'v1', '--model', 'sc', '--budget', '200', '--jobs', '2', '--json', ...extra]);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim()) as { found: number; medianSchedules: number; seconds: number[] };
    };
    const alone = await medians([]);
    const split = await medians(['--split']);
    expect(alone.found).toBe(3);
    expect(split).toMatchObject({ found: 3, medianSchedules: alone.medianSchedules });
    for (const s of split.seconds) expect(s).toBeGreaterThan(0);
    const text = await rvsmpAsync(['race', '--medians', '2', '--split', '--scenario', 'R1', '--version', 'v1', '--model', 'sc', '--budget', '200', '--jobs', '2']);
    expect(text.stdout).toMatch(/one after another, each split across 2 workers/);
    const bad = await rvsmpAsync(['race', '--split', '--scenario', 'R1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--split goes with --medians K/);
  }, 120_000);
});
