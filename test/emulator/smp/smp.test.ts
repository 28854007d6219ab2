/**
 * SMP ROMs: IPI ping-pong between every ordered pair of harts (CLINT msip; IMSIC MSIs claimed
 * through mtopei or through the eip registers), locks protecting a counter across 8 harts
 * (amoswap.aq/.rl spinlock, LR/SC, ticket lock) with exact final counts, and timer interrupts on
 * every hart. Each runs under several schedules; the lock ROMs also run without their lock, where
 * a fine-grained schedule must lose updates (the test can fail).
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleConfig } from '../../../emulator/scheduler.js';
import { counterRom, pingPongRom, timerRom } from './smp-roms.js';

const SCHEDULES: { name: string; schedule: ScheduleConfig; seed: number }[] = [
  { name: 'round-robin q=1', schedule: { kind: 'rr', quantum: 1 }, seed: 0 },
  { name: 'round-robin q=100', schedule: { kind: 'rr', quantum: 100 }, seed: 0 },
  { name: 'random seed 1', schedule: { kind: 'random' }, seed: 1 },
  { name: 'random seed 2', schedule: { kind: 'random' }, seed: 2 },
  { name: 'random runs of 1..16 steps, seed 3', schedule: { kind: 'random', burst: 16 }, seed: 3 },
  { name: 'PCT depth 3 seed 5', schedule: { kind: 'pct', depth: 3, horizon: 200_000 }, seed: 5 },
];


describe('SMP ROMs', () => {
  for (const doorbell of ['clint', 'imsic-topei', 'imsic-eip'] as const) {
    it(`IPI ping-pong between every pair of 8 harts through ${doorbell}`, () => {
      const rom = pingPongRom(8, doorbell);
      // Not under PCT: its highest-priority hart spinning on `turn` starves the others, by design.
      for (const s of SCHEDULES.filter((x) => x.schedule.kind !== 'pct')) rom.expectPass({ schedule: s.schedule, seed: s.seed });
    });
  }

  for (const lock of ['amoswap', 'lrsc', 'ticket'] as const) {
    it(`a ${lock} lock keeps an exact count across 8 harts`, () => {
      const rom = counterRom(8, 200, lock);
      for (const s of SCHEDULES) rom.expectPass({ schedule: s.schedule, seed: s.seed }, 50_000_000);
    });
  }

  it('without a lock, fine-grained schedules lose updates (the count check can fail)', () => {
    const rom = counterRom(8, 200, 'none');
    const { stop } = rom.run({ schedule: { kind: 'random' }, seed: 1 });
    expect(stop).toEqual({ kind: 'exit', code: (7 << 1 | 1) >> 1, via: 'HTIF' });
  });

  it('timer interrupts on every hart, each at or after its own deadline', () => {
    const rom = timerRom(8);
    for (const s of SCHEDULES) rom.expectPass({ schedule: s.schedule, seed: s.seed });
  });
});
