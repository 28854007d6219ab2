/**
 * Determinism: a run is a pure function of (image, configuration, seed). The same seed gives the
 * same schedule and final state; a recorded schedule replays to the same final state; different
 * seeds give different interleavings (measured); a replay that does not fit is reported.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/machine.js';
import { decodeRecord, encodeRecord, Replayer, ReplayError } from '../../../emulator/record.js';
import { makeStrategy, type ScheduleConfig } from '../../../emulator/scheduler.js';
import { counterRom, pingPongRom } from './smp-roms.js';
import { buildGuest } from '../../../guest/image.js';
import { raceMachine, scheduleFor } from '../../../tools/race/schedule.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function runOnce(image: Uint8Array, harts: number, schedule: ScheduleConfig, seed: number, record = false) {
  const m = new Machine({ harts, schedule, seed }, { putchar: () => {} });
  m.load(image, 'rom');
  if (record) m.record();
  const stop = m.run(5_000_000);
  return { m, stop, schedule: m.scheduleHash(), state: hex(m.stateHash()) };
}

describe('determinism', () => {
  const racy = counterRom(4, 100, 'none').image();
  const pingpong = pingPongRom(4, 'imsic-topei').image();

  it.each([
    ['random', { kind: 'random' } as ScheduleConfig],
    ['PCT', { kind: 'pct', depth: 3, horizon: 20_000 } as ScheduleConfig],
    ['round-robin', { kind: 'rr', quantum: 7 } as ScheduleConfig],
  ])('the same seed gives the same trace hash and final state (%s)', (_name, schedule) => {
    const a = runOnce(racy, 4, schedule, 42);
    const b = runOnce(racy, 4, schedule, 42);
    expect(a.stop).toEqual(b.stop);
    expect(a.schedule).toBe(b.schedule);
    expect(a.state).toBe(b.state);
  });

  it('a recorded schedule replays to an identical final state', () => {
    for (const [image, seed] of [[racy, 3], [pingpong, 9]] as const) {
      const rec = runOnce(image, 4, { kind: 'random' }, seed, true);
      const bytes = encodeRecord(rec.m.log!, rec.m.configHash(), rec.m.stateHash());
      const record = decodeRecord(bytes, 'sched.bin');
      expect(record.total).toBe(rec.m.steps);
      // Replay under a different configured strategy and seed: the record decides everything.
      const m = new Machine({ harts: 4, schedule: { kind: 'rr', quantum: 1000 }, seed: 12345 }, { putchar: () => {} });
      m.load(image, 'rom');
      m.replay(new Replayer(record));
      expect(m.run(5_000_000)).toEqual(rec.stop);
      m.checkReplayEnd(record.finalHash);
      expect(hex(m.stateHash())).toBe(rec.state);
      expect(m.scheduleHash()).toBe(rec.schedule);
      // Run-length encoding keeps random schedules compact: well under 2 bytes per step here.
      expect(bytes.length).toBeLessThan(rec.m.steps * 2);
    }
  });

  it('random schedules with runs: every decision 1..burst steps, each length drawn, the same for the same seed', () => {
    const draw = (seed: number) => {
      const s = makeStrategy({ kind: 'random', burst: 16 }, seed, 4);
      return Array.from({ length: 2000 }, () => {
        const d = s.next([0, 1, 2, 3], 0);
        return [d.hart, d.steps] as const;
      });
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(new Set(a.map(([, n]) => n))).toEqual(new Set(Array.from({ length: 16 }, (_, i) => i + 1)));
    expect(new Set(a.map(([h]) => h))).toEqual(new Set([0, 1, 2, 3]));
    expect(draw(8)).not.toEqual(a);
  });

  it('under tso and wmo, a record replays the same turns: a race schedule with random runs of 1..16 steps', () => {
    // Each decision is a turn that counts toward a store's drain: a hart's consecutive decisions
    // stay separate entries, or the replay drains elsewhere and diverges.
    const elf = buildGuest({ scenario: 'R1', version: 'v1', harts: 4, ipi: 'clint', iterations: 5 });
    for (const model of ['tso', 'wmo'] as const) {
      for (const seed of [1, 6]) {
        const io = { putchar: () => {}, guestEvent: (e: { kind: number }) => e.kind === 1 };
        const m = raceMachine(elf, 4, model, seed, 'views', io);
        expect(scheduleFor(seed)).toEqual({ kind: 'random', burst: 16 });
        m.record();
        const stop = m.run(3_000_000);
        const record = decodeRecord(encodeRecord(m.log!, m.configHash(), m.stateHash(), seed), 'race.rec');
        const again = raceMachine(elf, 4, model, seed, 'views', io);
        again.replay(new Replayer(record));
        expect(again.run(3_000_000), `${model} seed ${seed}`).toEqual(stop);
        again.checkReplayEnd(record.finalHash);
        expect(again.scheduleHash()).toBe(m.scheduleHash());
      }
    }
  });

  it('different seeds give different interleavings (measured over 20 seeds)', () => {
    const schedules = new Set<bigint>();
    const counts = new Map<string, number>();
    for (let seed = 1; seed <= 20; seed++) {
      const r = runOnce(racy, 4, { kind: 'random' }, seed);
      schedules.add(r.schedule);
      counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    }
    console.log(`20 seeds: ${schedules.size} distinct schedules, ${counts.size} distinct final states`);
    expect(schedules.size).toBe(20);
    expect(counts.size).toBeGreaterThan(15);
  });

  it('reports a replay of another image, a cut record, and a record that runs out', () => {
    const rec = runOnce(racy, 4, { kind: 'random' }, 5, true);
    const bytes = encodeRecord(rec.m.log!, rec.m.configHash(), rec.m.stateHash());
    const other = new Machine({ harts: 4 }, { putchar: () => {} });
    other.load(pingpong, 'other');
    expect(Buffer.from(other.configHash()).equals(Buffer.from(decodeRecord(bytes, 'x').configHash))).toBe(false);
    expect(() => decodeRecord(bytes.subarray(0, bytes.length - 3), 'cut.bin')).toThrow(/cut\.bin: (truncated|\d+ trailing bytes)/);
    expect(() => decodeRecord(Buffer.from('not a record at all, not at all......................................................'), 'junk.bin')).toThrow(/junk\.bin: not an rvsmp schedule record/);
    // A record with its last decisions dropped: the run goes past its end.
    const rec2 = decodeRecord(bytes, 'x');
    const short = { ...rec2, harts: rec2.harts.slice(0, -5), steps: rec2.steps.slice(0, -5) };
    const m = new Machine({ harts: 4 }, { putchar: () => {} });
    m.load(racy, 'rom');
    m.replay(new Replayer(short));
    expect(() => m.run(5_000_000)).toThrow(ReplayError);
  });
});
