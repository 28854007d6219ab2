/**
 * The race matrix: for each scenario x kernel version x memory model, search schedules (seeds)
 * until the scenario's invariants break (REPRODUCED: first failing seed, its step, wall time and
 * symptom) or the budget runs out (HELD: how many schedules). The expected outcome of every cell
 * follows from ../shared/notes/race-catalog.md; a cell that differs is flagged.
 */
import type { MemoryModel, WmoEngine } from '../../emulator/config.js';
import { applies, buildGuest, type ScenarioName, SCENARIOS, VERSIONS } from '../../guest/image.js';
import type { IpiKind } from '../../guest/arch/riscv/boot.js';
import { describeEvent } from '../events.js';
import { readElf } from '../../assembler/elf/reader.js';
import { elfSymbolizer } from '../../assembler/symbolize.js';
import type { Symbolizer } from '../../assembler/disassemble.js';

/** Names for guest addresses: functions and data of the image (not local labels). */
function symbolizer(elf: Uint8Array): Symbolizer {
  return elfSymbolizer(readElf(elf).symbols);
}
import { runSchedule, ScheduleRunner } from './schedule.js';

export interface Cell {
  readonly scenario: ScenarioName;
  readonly version: string;
  readonly model: MemoryModel;
}

export interface Budget {
  /** At most this many schedules per cell (per shard). */
  readonly schedules: number;
  /** At most this many seconds per cell (Infinity: no limit). */
  readonly seconds: number;
}

export interface SearchOptions {
  readonly harts: number;
  readonly ipi: IpiKind;
  /** How wmo cells run (default views: the fast engine; window: the issue window). */
  readonly wmoEngine?: WmoEngine;
  readonly iterations: number;
  readonly budget: Budget;
  /**
   * The budget of cells the catalog expects to fail (they stop at the first failure, so a larger
   * one costs only where a race is rare); default: `budget`.
   */
  readonly findBudget?: Budget;
  /** Shard k of n (1-based): this process tries seeds k, k+n, k+2n, ... */
  readonly shard: { readonly k: number; readonly n: number };
  /**
   * This search is part j of a cell's search split `of` ways (when workers outnumber cells): it
   * takes positions j, j+of, j+2*of, ... of the shard's seeds, and stops once some part has failed
   * at an earlier position (`first[0]`, shared by the parts), so the parts together find the
   * first failing seed that one search would, and stop soon after it.
   */
  readonly part?: { readonly j: number; readonly of: number; readonly first: Int32Array };
}

/** No part has failed yet (SearchOptions.part.first). */
export const NO_FAILURE = 0x7fffffff;

/** A part failed at `position`: keep the earliest position any part failed at. */
function noteFailure(first: Int32Array, position: number): void {
  for (;;) {
    const cur = Atomics.load(first, 0);
    if (position >= cur || Atomics.compareExchange(first, 0, cur, position) === cur) return;
  }
}

export interface CellResult extends Cell {
  readonly status: 'REPRODUCED' | 'HELD';
  readonly schedules: number;
  readonly seconds: number;
  readonly seed?: number;
  readonly steps?: number;
  readonly symptom?: string;
  readonly event?: string;
  readonly expected: Expected;
}

/**
 * What the catalog predicts: a scenario fails on every version older than the fix of its race,
 * under each model the race needs; it holds on the fix and later.
 */
/** A cell's expected outcome; EITHER: its own race is fixed there, but an older race it can show is not. */
export type Expected = 'REPRODUCED' | 'HELD' | 'EITHER';

/** Does the cell's result differ from its expectation? */
export function surprising(r: { status: 'REPRODUCED' | 'HELD'; expected: Expected }): boolean {
  return r.expected !== 'EITHER' && r.status !== r.expected;
}

/** Why a cell may fail although its own race is fixed there (for EITHER cells). */
export const EITHER_REASON = "R1c's race (fixed by v3b) is in these versions under wmo, and this scenario's distinct infos show it";

export function expectation(scenario: ScenarioName, version: string, model: MemoryModel): Expected {
  const own = ownExpectation(scenario, version, model);
  // R1 and R2 pass a distinct info per call, so a stale func/info pair (R1c) breaks their checks too.
  const r1c = model === 'wmo' && (version === 'v3' || version === 'v3-seed001');
  return own === 'HELD' && r1c && (scenario === 'R1' || scenario === 'R2') ? 'EITHER' : own;
}

function ownExpectation(scenario: ScenarioName, version: string, model: MemoryModel): 'REPRODUCED' | 'HELD' {
  const order = ['v1', 'v2', 'v2-normb', 'v3', 'v3-seed001', 'v3b', 'v4', 'v6', 'v6-peterz'];
  const before = (fix: string) => order.indexOf(version) < order.indexOf(fix);
  switch (scenario) {
    case 'R1':
      // R1 needs no reordering; v2 without its smp_rmb needs load->load reordering (wmo).
      if (version === 'v1') return 'REPRODUCED';
      if (version === 'v2-normb') return model === 'wmo' ? 'REPRODUCED' : 'HELD';
      return 'HELD';
    case 'R1c':
      // v1 shows R1 under every model, v2 without its smp_rmb R1 under wmo; v3 brings R1c (func/info
      // no longer ordered before the cpumask), which needs store->store or load->load reordering
      // (wmo), until v3b. v2 orders them before refs with its smp_wmb: the catalog's v3 -> v3b.
      if (version === 'v1') return 'REPRODUCED';
      if (version === 'v2-normb' || version === 'v3' || version === 'v3-seed001') return model === 'wmo' ? 'REPRODUCED' : 'HELD';
      return 'HELD';
    case 'R2':
      // No reordering needed; fixed by v3 (v2-normb is v2 minus a barrier).
      return before('v3') ? 'REPRODUCED' : 'HELD';
    case 'R3':
      // No reordering needed; fixed by v4.
      return before('v4') ? 'REPRODUCED' : 'HELD';
    case 'R4a':
      // Two callers on one csd: no reordering needed; Peter's cmpxchg fixes it.
      return version === 'v6' ? 'REPRODUCED' : 'HELD';
    case 'R4b':
      // Store buffering on both harts: tso and wmo, never sc.
      return version === 'v6' && model !== 'sc' ? 'REPRODUCED' : 'HELD';
  }
  return 'HELD';
}

export function replayCommand(c: Cell, o: SearchOptions, seed: number): string {
  const engine = c.model === 'wmo' && o.wmoEngine === 'window' ? ' --wmo-engine window' : '';
  return `rvsmp race --scenario ${c.scenario} --version ${c.version} --model ${c.model}${engine} --harts ${o.harts} --ipi ${o.ipi} --iterations ${o.iterations} --seed ${seed}`;
}

/** Search one cell's schedules in this thread. */
export function searchCell(c: Cell, o: SearchOptions): CellResult {
  const elf = buildGuest({ version: c.version, scenario: c.scenario, harts: o.harts, ipi: o.ipi, iterations: o.iterations });
  const expected = expectation(c.scenario, c.version, c.model);
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
  let schedules = 0;
  const runner = new ScheduleRunner(elf, o.harts, c.model, o.wmoEngine);
  const budget = expected === 'REPRODUCED' ? (o.findBudget ?? o.budget) : o.budget;
  const part = o.part;
  const stride = part?.of ?? 1;
  // i: the position in the shard's sequence of seeds (one search takes every position in turn).
  for (let i = part?.j ?? 0; i < budget.schedules && elapsed() < budget.seconds; i += stride) {
    if (part && i > Atomics.load(part.first, 0)) break; // a part failed earlier: nothing to find here
    const seed = o.shard.k + i * o.shard.n;
    const r = runner.run(seed);
    schedules++;
    if (r.failed) {
      if (part) noteFailure(part.first, i);
      // What the replay command will run: a fresh machine. It must agree with the reused one.
      const fresh = runSchedule(elf, o.harts, c.model, seed, undefined, o.wmoEngine);
      if (fresh.steps !== r.steps || fresh.symptom !== r.symptom) throw new Error(`seed ${seed} does not replay on a fresh machine (${r.symptom} at step ${r.steps}, then ${fresh.symptom} at step ${fresh.steps}): a restart left state behind`);
      // Schedules: as one search counts them, up to and with the failing one.
      return { ...c, status: 'REPRODUCED', schedules: i + 1, seconds: elapsed(), seed, steps: r.steps, symptom: r.symptom, event: r.event ? describeEvent(r.event, symbolizer(elf)) : undefined, expected };
    }
  }
  return { ...c, status: 'HELD', schedules, seconds: elapsed(), expected };
}

/**
 * The parts of one cell's split search as one search's result: the earliest failure (its
 * position counts the schedules, as one search would), or HELD with the parts' schedules summed;
 * the time is the slowest part's (the answer is certain only when every part has stopped).
 */
export function joinParts(parts: readonly CellResult[]): CellResult {
  const seconds = Math.max(...parts.map((p) => p.seconds));
  const failed = parts.filter((p) => p.status === 'REPRODUCED').sort((a, b) => a.schedules - b.schedules)[0];
  if (failed) return { ...failed, seconds };
  return { ...parts[0]!, schedules: parts.reduce((n, p) => n + p.schedules, 0), seconds };
}

/** Run one schedule again (a replay): the same symptom at the same step. */
export function replayCell(c: Cell, o: SearchOptions, seed: number): { failed: boolean; symptom: string; steps: number; event?: string } {
  const elf = buildGuest({ version: c.version, scenario: c.scenario, harts: o.harts, ipi: o.ipi, iterations: o.iterations });
  const r = runSchedule(elf, o.harts, c.model, seed, undefined, o.wmoEngine);
  return { failed: r.failed, symptom: r.symptom, steps: r.steps, event: r.event ? describeEvent(r.event, symbolizer(elf)) : undefined };
}

/** Combine shards' results of the same cell: the smallest failing seed wins; HELD counts add up. */
export function mergeResults(parts: readonly CellResult[]): CellResult[] {
  const byCell = new Map<string, CellResult>();
  for (const r of parts) {
    const key = `${r.scenario}|${r.version}|${r.model}`;
    const prev = byCell.get(key);
    if (!prev) {
      byCell.set(key, r);
      continue;
    }
    const schedules = prev.schedules + r.schedules;
    const seconds = Math.max(prev.seconds, r.seconds);
    const repro = [prev, r].filter((x) => x.status === 'REPRODUCED').sort((a, b) => a.seed! - b.seed!)[0];
    byCell.set(key, repro ? { ...repro, schedules, seconds } : { ...prev, schedules, seconds });
  }
  return [...byCell.values()];
}

/** The memory models a race cell runs under. */
export const RACE_MODELS: readonly MemoryModel[] = ['sc', 'tso', 'wmo'];
export const ALL_SCENARIOS = Object.keys(SCENARIOS) as ScenarioName[];
export const ALL_VERSIONS = Object.keys(VERSIONS);

export { applies };
