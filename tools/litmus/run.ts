/**
 * Running litmus tests on the emulator: N executions under randomised schedules, each a fresh
 * machine with a seed of its own; the final state of every run that finishes (all harts back in
 * their final wfi) is projected and counted.
 */
import { Machine } from '../../emulator/machine.js';
import type { MemoryModel, WmoEngine } from '../../emulator/config.js';
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

export function runLitmus(built: BuiltTest, model: MemoryModel, runs: number, seedBase = 1, wmoEngine: WmoEngine = 'window'): LitmusResult {
  const tally = newTally();
  let timeouts = 0;
  const m = new Machine({ harts: built.harts, ramSize: 1 << 20, schedule: { kind: 'random' }, seed: seedBase, memoryModel: model, wmoEngine }, { putchar: () => {} });
  m.load(built.elf, built.test.file);
  for (let i = 0; i < runs; i++) {
    if (i > 0) m.restart(seedBase + i);
    startHarts(built, m);
    const stop = m.run(STEP_LIMIT);
    if (stop.kind !== 'deadlock') {
      timeouts++;
      continue;
    }
    countFinalState(built, m, tally);
  }
  return { test: built.test.name, model, runs, ...tally, timeouts };
}

/** Final states seen so far: the histogram, and how many passed the filter and met the condition. */
export interface Tally {
  states: Map<string, number>;
  reached: number;
  kept: number;
}

export function newTally(): Tally {
  return { states: new Map(), reached: 0, kept: 0 };
}

/** Adds the machine's final state to the tally, unless the test's filter rejects it. */
export function countFinalState(built: BuiltTest, m: Machine, tally: Tally): void {
  const s = finalState(built, m);
  if (built.test.filter && !evalCond(built.test.filter, s, built)) return;
  tally.kept++;
  if (evalCond(built.test.condition, s, built)) tally.reached++;
  const key = stateKey(built, s);
  tally.states.set(key, (tally.states.get(key) ?? 0) + 1);
}
