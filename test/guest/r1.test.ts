/**
 * R1 (Anton Blanchard's race) on the guest kernel: the v1 code (c0f68c2) fails on the schedule
 * rvsmp race found (guest/known-failures.json), its replay shows the same symptom at the same step,
 * and Anton's fix (v2, 6dc19899) holds on that schedule and others.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGuest } from '../../guest/image.js';
import { runSchedule } from '../../tools/race/schedule.js';
import { expectNoStackTrace, rvsmp } from '../helpers/cli.js';

const harts = 4;
const image = (version: string) => buildGuest({ version, scenario: 'R1', harts, ipi: 'clint', iterations: 5 });

describe('R1 on the guest kernel', () => {
  // The failing schedule rvsmp race found for v1 (also a regression ROM).
  const known = (JSON.parse(readFileSync(new URL('../../guest/known-failures.json', import.meta.url), 'utf8')) as { failures: { scenario: string; version: string; model: string; seed: number; symptom: string }[] }).failures;
  const failingSeed = known.find((f) => f.scenario === 'R1' && f.version === 'v1' && f.model === 'sc')!.seed;

  it('v1 fails on its known schedule under sc, and the replay is exact', () => {
    const elf = image('v1');
    const r = runSchedule(elf, harts, 'sc', failingSeed);
    expect(r.failed, r.symptom).toBe(true);
    expect(r.symptom).toMatch(/WARN refs<0|lost or doubled call|lost call|perma-spin|entry left/);
    expect(runSchedule(elf, harts, 'sc', failingSeed)).toEqual(r);
  });

  it('v2 holds on the schedule that broke v1, and on 150 more', () => {
    const elf = image('v2');
    const seeds = [...new Set([failingSeed, ...Array.from({ length: 150 }, (_, i) => i + 1)])];
    for (const seed of seeds) {
      const r = runSchedule(elf, harts, 'sc', seed);
      expect(r.failed, `v2 seed ${seed}: ${r.symptom}`).toBe(false);
    }
  }, 300_000);

  it('IPIs through the IMSIC deliver every call too (v4, sc and wmo)', () => {
    const elf = buildGuest({ version: 'v4', scenario: 'R1', harts, ipi: 'imsic', iterations: 5 });
    for (const model of ['sc', 'wmo'] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const r = runSchedule(elf, harts, model, seed);
        expect(r.failed, `${model} seed ${seed}: ${r.symptom}`).toBe(false);
      }
    }
  }, 120_000);

  it('rvsmp race --seed replays one schedule; bad flags are usage errors', () => {
    const r = rvsmp(['race', '--scenario', 'R1', '--version', 'v2', '--model', 'sc', '--iterations', '2', '--seed', '3']);
    expect(r.stdout).toMatch(/R1 on v2 under sc, 4 harts, seed 3: passed/);
    expect(r.status).toBe(0);
    for (const [flags, msg] of [
      [['--scenario', 'R9'], /--scenario: unknown "R9"/],
      [['--budget', 'lots'], /--budget: "lots" is neither/],
      [['--shard', '3/2'], /--shard: "3\/2" is not K\/N/],
      [['--harts', '1'], /--harts takes 2 to 64/],
      [['--scenario', 'R2', '--harts', '3'], /R2 needs at least 4 harts/],
      [['--scenario', 'R4a', '--version', 'v1'], /none of the scenarios R4a runs on v1/],
      [['--seed', '1'], /--seed replays one schedule/],
      [['--medians', '4', '--shard', '1/2'], /--medians K takes K >= 1 and goes with neither/],
    ] as const) {
      const bad = rvsmp(['race', ...flags]);
      expect(bad.status, flags.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(msg);
      expectNoStackTrace(bad.stderr);
    }
  });

  it('rvsmp race --medians K runs K searches per cell on disjoint seeds and reports the median time to the first failure', () => {
    const r = rvsmp(['race', '--medians', '4', '--scenario', 'R4a', '--version', 'v6,v6-peterz', '--model', 'sc', '--budget', '40', '--json', '--jobs', '1']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { version: string; searches: number; found: number; medianSeconds: number | null; seconds: (number | null)[] });
    const buggy = lines.find((l) => l.version === 'v6')!;
    const fixed = lines.find((l) => l.version === 'v6-peterz')!;
    expect(buggy.searches).toBe(4);
    expect(buggy.found).toBeGreaterThan(2);
    expect(buggy.medianSeconds).toBeGreaterThan(0);
    expect(fixed.found).toBe(0);
    expect(fixed.medianSeconds).toBeNull();
  });
});
