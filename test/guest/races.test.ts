/**
 * R2 (list delete vs add), R3 (a caller's mask cleared under it), R4a (two callers on one csd) and
 * R4b (the store-buffering lost update) on the guest kernel: each fails on the last buggy version within a small budget and
 * holds on its fix; R4b needs a store buffer, so it holds under sc.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGuest, type ScenarioName } from '../../guest/image.js';
import { runSchedule } from '../../tools/race/schedule.js';
import type { MemoryModel } from '../../emulator/config.js';

function firstFailure(scenario: ScenarioName, version: string, harts: number, budget: number, model: MemoryModel = 'sc'): { seed: number; symptom: string } | undefined {
  const elf = buildGuest({ version, scenario, harts, ipi: 'clint', iterations: 5 });
  for (let seed = 1; seed <= budget; seed++) {
    const r = runSchedule(elf, harts, model, seed);
    if (r.failed) return { seed, symptom: r.symptom };
  }
  return undefined;
}

describe('races on the guest kernel', () => {
  it('R3: v3b perma-spins within 100 schedules, v4 holds for 40', () => {
    const bad = firstFailure('R3', 'v3b', 4, 100);
    expect(bad?.symptom).toMatch(/perma-spin/);
    expect(firstFailure('R3', 'v4', 4, 40)).toBeUndefined();
  }, 300_000);

  it('R2 fails on v2 (list corruption) and holds on the llist code of v6, where smp_call_function_many queues per-cpu csds', () => {
    const known = (JSON.parse(readFileSync(new URL('../../guest/known-failures.json', import.meta.url), 'utf8')) as { failures: { scenario: string; version: string; model: string; seed: number }[] }).failures;
    const seed = known.find((f) => f.scenario === 'R2' && f.version === 'v2' && f.model === 'sc')!.seed;
    const elf = buildGuest({ version: 'v2', scenario: 'R2', harts: 4, ipi: 'clint', iterations: 5 });
    expect(runSchedule(elf, 4, 'sc', seed).symptom).toMatch(/list corruption/);
    expect(firstFailure('R2', 'v6', 4, 40)).toBeUndefined();
    expect(firstFailure('R1', 'v6', 4, 20, 'wmo')).toBeUndefined();
  }, 300_000);

  it('R4a: v6 corrupts its llist within 100 schedules, Peter Zijlstra\'s cmpxchg holds for 60', () => {
    const bad = firstFailure('R4a', 'v6', 3, 100);
    expect(bad?.symptom).toMatch(/list corruption|lost or doubled|check/);
    expect(firstFailure('R4a', 'v6-peterz', 3, 60)).toBeUndefined();
  }, 300_000);

  it('R4b: v6 loses an update under tso on its known schedule, never under sc; Peter Zijlstra\'s smp_mb pair holds', () => {
    const known = (JSON.parse(readFileSync(new URL('../../guest/known-failures.json', import.meta.url), 'utf8')) as { failures: { scenario: string; model: string; seed: number }[] }).failures;
    const seed = known.find((f) => f.scenario === 'R4b' && f.model === 'tso')!.seed;
    const v6 = buildGuest({ version: 'v6', scenario: 'R4b', harts: 2, ipi: 'clint', iterations: 5 });
    expect(runSchedule(v6, 2, 'tso', seed).symptom).toMatch(/lost update/);
    expect(runSchedule(v6, 2, 'sc', seed).failed).toBe(false);
    expect(firstFailure('R4b', 'v6', 2, 60, 'sc')).toBeUndefined();
    const peterz = buildGuest({ version: 'v6-peterz', scenario: 'R4b', harts: 2, ipi: 'clint', iterations: 5 });
    expect(runSchedule(peterz, 2, 'tso', seed).failed).toBe(false);
    expect(firstFailure('R4b', 'v6-peterz', 2, 60, 'tso')).toBeUndefined();
  }, 300_000);
});
