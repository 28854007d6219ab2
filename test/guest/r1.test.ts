/**
 * R1 (Anton Blanchard's race) on the guest kernel: the v1 code (c0f68c2) fails within a few
 * hundred schedules on 4 harts under sc, the replay of the failing seed shows the same symptom at
 * the same step, and Anton's fix (v2, 6dc19899) holds on the same schedules.
 */
import { describe, expect, it } from 'vitest';
import { buildGuest } from '../../guest/image.js';
import { runSchedule } from '../../tools/race/schedule.js';
import { expectNoStackTrace, rvsmp } from '../helpers/cli.js';

const harts = 4;
const image = (version: string) => buildGuest({ version, scenario: 'R1', harts, ipi: 'clint', iterations: 5 });

describe('R1 on the guest kernel', () => {
  let failingSeed = 0;

  it('v1 fails within 600 schedules under sc, and the failing seed replays exactly', () => {
    const elf = image('v1');
    for (let seed = 1; seed <= 600 && !failingSeed; seed++) {
      const r = runSchedule(elf, harts, 'sc', seed);
      if (r.failed) {
        failingSeed = seed;
        expect(r.symptom).toMatch(/WARN refs<0|lost or doubled call|perma-spin|entry left/);
        const again = runSchedule(elf, harts, 'sc', seed);
        expect(again).toEqual(r);
      }
    }
    console.log(`R1 on v1: first failing seed ${failingSeed}`);
    expect(failingSeed).toBeGreaterThan(0);
  }, 300_000);

  it('v2 holds on the schedules that broke v1, and on 150 more', () => {
    const elf = image('v2');
    const seeds = [...new Set([failingSeed || 1, ...Array.from({ length: 150 }, (_, i) => i + 1)])];
    for (const seed of seeds) {
      const r = runSchedule(elf, harts, 'sc', seed);
      expect(r.failed, `v2 seed ${seed}: ${r.symptom}`).toBe(false);
    }
  }, 300_000);

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
    ] as const) {
      const bad = rvsmp(['race', ...flags]);
      expect(bad.status, flags.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(msg);
      expectNoStackTrace(bad.stderr);
    }
  });
});
