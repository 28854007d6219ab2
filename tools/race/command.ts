/**
 * `rvsmp race`: the race matrix (tools/race/matrix.ts) on worker threads, printed as a table or
 * JSON Lines, with the command that replays each failure; `--seed S` replays one schedule;
 * `--merge` combines the JSON results of shards.
 */
import { readFileSync } from 'node:fs';
import type { MemoryModel } from '../../emulator/config.js';
import { UsageError } from '../errors.js';
import { workerPool } from '../pool.js';
import { type Cell, type CellResult, mergeResults, replayCell, replayCommand, type SearchOptions, searchCell } from './matrix.js';

export interface RaceOptions extends SearchOptions {
  readonly cells: readonly Cell[];
  readonly jobs: number;
  readonly json: boolean;
  /** Replay this one seed of the (single) cell. */
  readonly seed?: number;
  readonly merge?: readonly string[];
}

/** The worker side: search cells as they come. */
export function raceWorkerMessage(m: { cell: Cell; options: SearchOptions }): CellResult {
  return searchCell(m.cell, m.options);
}

async function searchAll(o: RaceOptions, workerScript: string | undefined, progress: (done: number) => void): Promise<CellResult[]> {
  const results: CellResult[] = new Array(o.cells.length);
  let done = 0;
  if (o.jobs <= 1 || o.cells.length < 2 || !workerScript) {
    o.cells.forEach((c, i) => {
      results[i] = searchCell(c, o);
      progress(++done);
    });
    return results;
  }
  const options: SearchOptions = { harts: o.harts, ipi: o.ipi, iterations: o.iterations, budget: o.budget, shard: o.shard };
  return workerPool<object, CellResult>(workerScript, { raceWorker: true }, o.cells.map((cell) => ({ cell, options })), o.jobs, progress);
}

function cellText(r: CellResult): string {
  const mark = r.status === r.expected ? '' : ' (!)';
  if (r.status === 'HELD') return `HELD ${r.schedules.toLocaleString('en')} schedules${mark}`;
  return `REPRODUCED seed ${r.seed}, step ${r.steps!.toLocaleString('en')}, ${r.seconds.toFixed(1)} s: ${r.symptom}${mark}`;
}

export async function raceCommand(o: RaceOptions, workerScript: string | undefined, out: (s: string) => void): Promise<number> {
  if (o.seed !== undefined) {
    if (o.cells.length !== 1) throw new UsageError('--seed replays one schedule: give one --scenario, one --version and one --model');
    const c = o.cells[0]!;
    const r = replayCell(c, o, o.seed);
    out(`${c.scenario} on ${c.version} under ${c.model}, ${o.harts} harts, seed ${o.seed}: ${r.failed ? `FAILED at step ${r.steps.toLocaleString('en')}: ${r.symptom}` : `passed (${r.steps.toLocaleString('en')} steps)`}`);
    if (r.event) out(`  ${r.event}`);
    return r.failed ? 1 : 0;
  }
  let results: CellResult[];
  if (o.merge) {
    const parts: CellResult[] = [];
    for (const file of o.merge) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      text.split('\n').forEach((line, i) => {
        if (!line.trim()) return;
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          throw new UsageError(`${file}:${i + 1}: not JSON`);
        }
        if (typeof v === 'object' && v && 'status' in v) parts.push(v as CellResult);
      });
    }
    results = mergeResults(parts);
  } else {
    const tty = process.stderr.isTTY;
    const t0 = Date.now();
    results = await searchAll(o, workerScript, (done) => {
      if (tty) process.stderr.write(`\r  ${done}/${o.cells.length} cells searched, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    });
    if (tty) process.stderr.write('\n');
  }
  const surprises = results.filter((r) => r.status !== r.expected);
  if (o.json) {
    for (const r of results) out(JSON.stringify(r.status === 'REPRODUCED' ? { ...r, replay: replayCommand(r, o, r.seed!) } : r));
    out(JSON.stringify({ summary: true, cells: results.length, reproduced: results.filter((r) => r.status === 'REPRODUCED').length, surprises: surprises.length }));
  } else {
    const models = [...new Set(results.map((r) => r.model))];
    const rows = [...new Set(results.map((r) => `${r.scenario}|${r.version}`))];
    if (o.merge) out(`race matrix merged from ${o.merge.length} result file${o.merge.length === 1 ? '' : 's'}`);
    else out(`race matrix: ${o.harts} harts, IPIs through ${o.ipi}, ${o.iterations} calls per hart; budget ${Number.isFinite(o.budget.schedules) ? `${o.budget.schedules.toLocaleString('en')} schedules` : ''}${Number.isFinite(o.budget.seconds) ? ` ${o.budget.seconds} s` : ''} per cell${o.shard.n > 1 ? `, shard ${o.shard.k}/${o.shard.n}` : ''}`);
    for (const row of rows) {
      const [scenario, version] = row.split('|');
      out(`\n${scenario} on ${version}`);
      for (const m of models) {
        const r = results.find((x) => x.scenario === scenario && x.version === version && x.model === m);
        if (r) out(`  ${m.padEnd(4)} ${cellText(r)}`);
      }
    }
    const failures = results.filter((r) => r.status === 'REPRODUCED');
    if (failures.length) {
      out('\nreplay:');
      for (const r of failures) out(`  ${replayCommand(r, o, r.seed!)}`);
    }
    if (surprises.length) out(`\n${surprises.length} cell${surprises.length === 1 ? '' : 's'} differ from the expected matrix (!): ${surprises.map((r) => `${r.scenario}/${r.version}/${r.model} expected ${r.expected}`).join(', ')}`);
    else out(`\nevery cell as expected (${results.length} cells)`);
  }
  return surprises.length ? 1 : 0;
}

export const RACE_MODELS: readonly MemoryModel[] = ['sc', 'tso', 'wmo'];
