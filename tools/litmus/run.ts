/**
 * Running litmus tests on the emulator: N executions under randomised schedules, each a fresh
 * machine with a seed of its own; the final state of every run that finishes (all harts back in
 * their final wfi) is projected and counted.
 */
import { Machine } from '../../emulator/machine.js';
import type { MemoryModel } from '../../emulator/config.js';
import { type BuiltTest, evalCond, finalState, startHarts, stateKey } from './build.js';

export interface LitmusResult {
  readonly test: string;
  readonly model: MemoryModel;
  readonly runs: number;
  /** Runs whose final state satisfies the condition's formula P (and the filter, if any). */
  readonly reached: number;
  /** Runs that passed the filter. */
  readonly kept: number;
  /** Runs that did not finish within the step limit. */
  readonly timeouts: number;
  readonly states: Map<string, number>;
}

const STEP_LIMIT = 20_000;

export function runLitmus(built: BuiltTest, model: MemoryModel, runs: number, seedBase = 1): LitmusResult {
  const states = new Map<string, number>();
  let reached = 0;
  let kept = 0;
  let timeouts = 0;
  const m = new Machine({ harts: built.harts, ramSize: 1 << 20, schedule: { kind: 'random' }, seed: seedBase, memoryModel: model }, { putchar: () => {} });
  m.load(built.elf, built.test.file);
  for (let i = 0; i < runs; i++) {
    if (i > 0) m.restart(seedBase + i);
    startHarts(built, m);
    const stop = m.run(STEP_LIMIT);
    if (stop.kind !== 'deadlock') {
      timeouts++;
      continue;
    }
    const s = finalState(built, m);
    if (built.test.filter && !evalCond(built.test.filter, s, built)) continue;
    kept++;
    if (evalCond(built.test.condition, s, built)) reached++;
    const key = stateKey(built, s);
    states.set(key, (states.get(key) ?? 0) + 1);
  }
  return { test: built.test.name, model, runs, reached, kept, timeouts, states };
}
