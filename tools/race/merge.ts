/**
 * `rvsmp race --merge`: the JSON Lines of several runs (the shards of one campaign, on one machine
 * or many) read back and checked before they are combined. Every line must be a cell result or the
 * summary that a run writes last (a file cut short has none, and is refused); runs must agree on
 * what they ran (harts, IPIs, calls per hart, wmo engine); a shard given twice is refused, and the
 * shards not given are named.
 */
import type { MemoryModel, WmoEngine } from '../../emulator/config.js';
import type { IpiKind } from '../../guest/arch/riscv/boot.js';
import { isWhole as whole, readUserText, UsageError } from '../errors.js';
import { ALL_SCENARIOS, ALL_VERSIONS, type CellResult, mergeResults, RACE_MODELS } from './matrix.js';

/** What a run ran: the same for every shard of a campaign. */
export interface RunSetup {
  readonly harts: number;
  readonly ipi: IpiKind;
  readonly iterations: number;
  readonly wmoEngine: WmoEngine;
}

/** Which shards of how many a result file holds (an unsharded run is shard 1 of 1). */
export interface Shards {
  readonly n: number;
  readonly k: readonly number[];
}

/** The last line of a run's --json output. */
export interface RunSummary {
  readonly summary: true;
  readonly cells: number;
  readonly reproduced: number;
  readonly surprises: number;
  readonly run: RunSetup;
  readonly shards: Shards;
}

export interface MergedRuns {
  readonly results: CellResult[];
  /** The setup the files agree on (undefined: none of them says). */
  readonly run: RunSetup | undefined;
  /** The shards merged (undefined: none of the files says which it holds). */
  readonly shards: Shards | undefined;
  /** Files whose summary does not say what they ran (written before rvsmp recorded it). */
  readonly unlabelled: readonly string[];
}


function checkResult(v: Record<string, unknown>, bad: (field: string, want: string) => Error): CellResult {
  if (!ALL_SCENARIOS.includes(v.scenario as never)) throw bad('scenario', `one of ${ALL_SCENARIOS.join(', ')}`);
  if (!ALL_VERSIONS.includes(v.version as string)) throw bad('version', `one of ${ALL_VERSIONS.join(', ')}`);
  if (!RACE_MODELS.includes(v.model as MemoryModel)) throw bad('model', `one of ${RACE_MODELS.join(', ')}`);
  if (v.status !== 'REPRODUCED' && v.status !== 'HELD') throw bad('status', 'REPRODUCED or HELD');
  if (!whole(v.schedules)) throw bad('schedules', 'a whole number');
  if (typeof v.seconds !== 'number' || !(v.seconds >= 0)) throw bad('seconds', 'a number of seconds');
  if (!['REPRODUCED', 'HELD', 'EITHER'].includes(v.expected as string)) throw bad('expected', 'REPRODUCED, HELD or EITHER');
  if (v.status === 'REPRODUCED') {
    if (!whole(v.seed)) throw bad('seed', 'the failing seed');
    if (!whole(v.steps)) throw bad('steps', 'the step of the failure');
    if (typeof v.symptom !== 'string') throw bad('symptom', 'the symptom seen');
  }
  return v as unknown as CellResult;
}

function checkSummary(v: Record<string, unknown>, bad: (field: string, want: string) => Error): Partial<RunSummary> & { cells: number } {
  if (!whole(v.cells)) throw bad('cells', 'the number of cell results before it');
  if (v.run !== undefined) {
    const r = v.run as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) throw bad('run', 'an object');
    if (!whole(r.harts, 1)) throw bad('run.harts', 'a whole number');
    if (r.ipi !== 'clint' && r.ipi !== 'imsic') throw bad('run.ipi', 'clint or imsic');
    if (!whole(r.iterations, 1)) throw bad('run.iterations', 'a whole number');
    if (r.wmoEngine !== 'views' && r.wmoEngine !== 'window') throw bad('run.wmoEngine', 'views or window');
  }
  if (v.shards !== undefined) {
    const s = v.shards as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || !whole(s.n, 1)) throw bad('shards.n', 'a whole number >= 1');
    const n = s.n as number;
    if (!Array.isArray(s.k) || s.k.length === 0 || !s.k.every((k) => whole(k, 1) && k <= n) || new Set(s.k).size !== s.k.length) throw bad('shards.k', `a list of distinct shard numbers from 1 to ${n}`);
  }
  return v as Partial<RunSummary> & { cells: number };
}

/** One file: its cell results and its summary, each line checked. */
function readRun(file: string): { results: CellResult[]; summary: Partial<RunSummary> } {
  const results: CellResult[] = [];
  let summary: (Partial<RunSummary> & { cells: number }) | undefined;
  readUserText(file)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const where = `${file}:${i + 1}`;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new UsageError(`${where}: not JSON`);
      }
      if (summary) throw new UsageError(`${where}: a line after the summary (the summary is a run's last line)`);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${where}: neither a cell result nor a summary`);
      const o = v as Record<string, unknown>;
      const bad = (field: string, want: string) => new UsageError(`${where}: ${field} must be ${want}`);
      if (o.summary === true) summary = checkSummary(o, bad);
      else if ('status' in o) results.push(checkResult(o, bad));
      else throw new UsageError(`${where}: neither a cell result nor a summary`);
    });
  if (!summary) throw new UsageError(`${file}: no summary line at its end: the run was cut short (or this is not rvsmp race --json output)`);
  if (summary.cells !== results.length) throw new UsageError(`${file}: its summary counts ${summary.cells} cells but ${results.length} cell results precede it`);
  return { results, summary };
}

const SETUP_FIELDS = ['harts', 'ipi', 'iterations', 'wmoEngine'] as const;

/** Shard numbers as ranges: 1-17, 28. */
export function shardRanges(ks: readonly number[]): string {
  const sorted = [...ks].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Read, check and combine result files. */
export function mergeRuns(files: readonly string[]): MergedRuns {
  const parts: CellResult[] = [];
  let run: { setup: RunSetup; file: string } | undefined;
  let n: { n: number; file: string } | undefined;
  const owner = new Map<number, string>();
  const unlabelled: string[] = [];
  for (const file of files) {
    const { results, summary } = readRun(file);
    parts.push(...results);
    if (!summary.run || !summary.shards) {
      unlabelled.push(file);
      continue;
    }
    if (!run) run = { setup: summary.run, file };
    for (const f of SETUP_FIELDS) {
      if (summary.run[f] !== run.setup[f]) throw new UsageError(`${file} ran with ${f} ${summary.run[f]}, ${run.file} with ${f} ${run.setup[f]}: results of different setups do not merge`);
    }
    if (!n) n = { n: summary.shards.n, file };
    if (summary.shards.n !== n.n) throw new UsageError(`${file} holds shards of ${summary.shards.n}, ${n.file} of ${n.n}: shards of different splits do not merge`);
    for (const k of summary.shards.k) {
      const other = owner.get(k);
      if (other !== undefined) throw new UsageError(`shard ${k}/${n.n} is in both ${other} and ${file}: its schedules would count twice`);
      owner.set(k, file);
    }
  }
  return { results: mergeResults(parts), run: run?.setup, shards: n ? { n: n.n, k: [...owner.keys()].sort((a, b) => a - b) } : undefined, unlabelled };
}

/** What was merged, in words: which shards, which are missing, which files did not say. */
export function describeMerge(m: MergedRuns, files: number): string[] {
  const lines = [`race matrix merged from ${files} result file${files === 1 ? '' : 's'}`];
  const u = m.unlabelled.length;
  const unsaid = `written before rvsmp recorded it: ${[...m.unlabelled].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(', ')}`;
  if (m.shards && u === 0) {
    const missing = Array.from({ length: m.shards.n }, (_, i) => i + 1).filter((k) => !m.shards!.k.includes(k));
    lines.push(`shards ${shardRanges(m.shards.k)} of ${m.shards.n}${missing.length ? `; not merged: ${shardRanges(missing)}` : ' (all)'}`);
  } else if (m.shards) {
    lines.push(`shards ${shardRanges(m.shards.k)} of ${m.shards.n}, and ${u} file${u === 1 ? '' : 's'} that do${u === 1 ? 'es' : ''} not say which shards ${u === 1 ? 'it holds' : 'they hold'}, so neither overlaps with ${u === 1 ? 'it' : 'them'} nor missing shards can be checked (${unsaid})`);
  } else if (u) {
    lines.push(`${u === 1 ? 'the file does' : `the ${u} files do`} not say which shards ${u === 1 ? 'it holds' : 'they hold'}, so overlaps cannot be checked (${unsaid})`);
  }
  return lines;
}
