/**
 * ScheduleRunner reuses one machine across schedules (restart instead of a new machine); a replay
 * command runs a fresh one. Both must give the same result for every seed, failing or not.
 */
import { describe, expect, it } from 'vitest';
import { breathe } from '../../helpers/breathe.js';
import { buildGuest } from '../../../guest/image.js';
import { runSchedule, ScheduleRunner } from '../../../tools/race/schedule.js';

describe('ScheduleRunner', () => {
  for (const model of ['sc', 'wmo'] as const) {
    it(`a reused machine gives what a fresh one gives (R1 on v1, ${model}, seeds 1-12 in a scrambled order)`, async () => {
      const elf = buildGuest({ scenario: 'R1', version: 'v1', harts: 4, ipi: 'clint', iterations: 2 });
      const runner = new ScheduleRunner(elf, 4, model);
      for (const seed of [7, 3, 12, 1, 9, 4, 11, 2, 8, 5, 10, 6]) {
        await breathe();
        const reused = runner.run(seed);
        const fresh = runSchedule(elf, 4, model, seed);
        expect({ seed, ...reused }).toEqual({ seed, ...fresh });
      }
    });
  }
});
