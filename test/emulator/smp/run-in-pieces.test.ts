/**
 * A run cut into pieces by step limits takes the same schedule as one run (Machine.run carries a
 * decision the limit cut short into the next run): what a debugger relies on to step through a
 * race's schedule and still reach the same failure at the same step.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/machine.js';
import type { MemoryModel } from '../../../emulator/config.js';
import type { ScheduleConfig } from '../../../emulator/scheduler.js';
import { buildGuest } from '../../../guest/image.js';
import { Prng } from '../../../emulator/scheduler.js';
import { raceMachine } from '../../../tools/race/schedule.js';

const elf = buildGuest({ scenario: 'R1', version: 'v2', harts: 4, ipi: 'clint', iterations: 2 });

function machine(model: MemoryModel, schedule: ScheduleConfig, seed: number): Machine {
  const m = new Machine({ harts: 4, memoryModel: model, wmoEngine: 'views', ramSize: 4 << 20, seed, schedule }, { putchar: () => {} });
  m.load(elf, 'R1-v2');
  return m;
}

function summary(m: Machine, stop: { kind: string }) {
  return { stop: stop.kind, steps: m.steps, schedule: m.scheduleHash(), state: Buffer.from(m.stateHash()).toString('hex') };
}

describe('a run in pieces', () => {
  const schedules: ScheduleConfig[] = [{ kind: 'rr', quantum: 100 }, { kind: 'random' }, { kind: 'random', burst: 16 }, { kind: 'pct', depth: 3, horizon: 60_000 }];
  for (const model of ['sc', 'tso', 'wmo'] as const) {
    for (const schedule of schedules) {
      it(`${model}, ${JSON.stringify(schedule)}: pieces of 1..300 steps end exactly where one run does`, () => {
        for (const seed of [1, 2]) {
          const whole = machine(model, schedule, seed);
          const one = summary(whole, whole.run(5_000_000));
          expect(one.stop).toBe('exit');
          const cut = machine(model, schedule, seed);
          const sizes = new Prng(seed);
          let stop = cut.run(cut.used() + 1);
          for (let pieces = 0; stop.kind === 'max-insns' && pieces < 5_000_000; pieces++) stop = cut.run(cut.used() + 1 + sizes.below(300));
          expect(summary(cut, stop), `seed ${seed}`).toEqual(one);
        }
      });
    }
  }

  it('race schedules with injected delays, IPIs and traps: the first WARN at the same step, in the same state', () => {
    const r1 = buildGuest({ scenario: 'R1', version: 'v1', harts: 4, ipi: 'clint', iterations: 5 });
    const stopAtWarn = { putchar: () => {}, guestEvent: (e: { kind: number }) => e.kind === 1 };
    for (const model of ['sc', 'tso', 'wmo'] as const) {
      // Seeds 1..8 draw random runs of 1..16 steps (1, 2, 6, 7, 8) and PCT; 5 under wmo reports its WARN
      // in the middle of a decision, where the hart's run must end at once.
      for (let seed = 1; seed <= 8; seed++) {
        const whole = raceMachine(r1, 4, model, seed, 'views', stopAtWarn);
        const one = summary(whole, whole.run(3_000_000));
        const cut = raceMachine(r1, 4, model, seed, 'views', stopAtWarn);
        const sizes = new Prng(seed);
        let stop = cut.run(cut.used() + 1);
        while (stop.kind === 'max-insns' && cut.used() < 3_000_000) stop = cut.run(Math.min(3_000_000, cut.used() + 1 + sizes.below(300)));
        expect(summary(cut, stop), `${model} seed ${seed}`).toEqual(one);
      }
    }
  });
});
