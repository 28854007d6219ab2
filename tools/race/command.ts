/**
 * `rvsmp race`: the race matrix (tools/race/matrix.ts) on worker threads, printed as a table or
 * JSON Lines, with the command that replays each failure; `--seed S` replays one schedule;
 * `--merge` combines the JSON results of shards.
 */
import { UsageError } from '../errors.js';
import { workerPool } from '../pool.js';
import { type Cell, type CellResult, EITHER_REASON, joinParts, NO_FAILURE, replayCell, replayCommand, type SearchOptions, searchCell, surprising } from './matrix.js';
import { describeMerge, mergeRuns, type MergedRuns, type RunSetup, type Shards } from './merge.js';

export interface RaceOptions extends SearchOptions {
  readonly cells: readonly Cell[];
  readonly jobs: number;
  readonly json: boolean;
  /** Replay this one seed of the (single) cell. */
  readonly seed?: number;
  readonly merge?: readonly string[];
  /** K independent searches per cell, for the median time to the first failure. */
  readonly medians?: number;
  /** With medians: each search split across every worker, one search after another. */
  readonly splitMedians?: boolean;
}

/** The worker side: search cells as they come. */
export function raceWorkerMessage(m: { cell: Cell; options: SearchOptions }): CellResult {
  return searchCell(m.cell, m.options);
}

type Task = { cell: Cell; options: SearchOptions };

/**
 * Search each (cell, options) task, on worker threads when there are several. With more workers
 * than tasks (and `split`), each task's search is split into parts that share the workers
 * (SearchOptions.part): the same result as one search, sooner.
 */
async function searchAll(tasks: readonly Task[], o: RaceOptions, workerScript: string | undefined, progress: (done: number) => void, split = true): Promise<CellResult[]> {
  const ways = split ? Math.floor(o.jobs / tasks.length) : 1;
  if (o.jobs <= 1 || (tasks.length < 2 && ways < 2) || !workerScript) {
    return tasks.map((t, i) => {
      const r = searchCell(t.cell, t.options);
      progress(i + 1);
      return r;
    });
  }
  if (ways < 2) return workerPool<Task, CellResult>(workerScript, { raceWorker: true }, tasks, o.jobs, progress);
  const parts = tasks.flatMap((t) => {
    const first = new Int32Array(new SharedArrayBuffer(4)).fill(NO_FAILURE);
    return Array.from({ length: ways }, (_, j) => ({ cell: t.cell, options: { ...t.options, part: { j, of: ways, first } } }));
  });
  const left = tasks.map(() => ways);
  let done = 0;
  const results = await workerPool<Task, CellResult>(workerScript, { raceWorker: true }, parts, o.jobs, (_, i) => {
    if (--left[Math.floor(i / ways)]! === 0) progress(++done);
  });
  return tasks.map((_, t) => joinParts(results.slice(t * ways, (t + 1) * ways)));
}

/** The search options of a race command (without its cells and output flags). */
function searchOptions(o: RaceOptions, shard = o.shard): SearchOptions {
  return { harts: o.harts, ipi: o.ipi, iterations: o.iterations, budget: o.budget, findBudget: o.findBudget, shard, wmoEngine: o.wmoEngine };
}

function cellText(r: CellResult): string {
  const mark = surprising(r) ? ' (!)' : r.expected === 'EITHER' && r.status === 'REPRODUCED' ? ` (${EITHER_REASON})` : '';
  if (r.status === 'HELD') return `HELD ${r.schedules.toLocaleString('en')} schedules${mark}`;
  return `REPRODUCED seed ${r.seed}, step ${r.steps!.toLocaleString('en')}, ${r.seconds.toFixed(1)} s: ${r.symptom}${mark}`;
}

/** The median of a sample where undefined (not found within the budget) counts as larger than everything. */
function median(xs: readonly (number | undefined)[]): number | undefined {
  const sorted = [...xs].sort((p, q) => (p ?? Infinity) - (q ?? Infinity));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** --medians K: K searches per cell on disjoint seeds (shards k/K), each to its first failure. */
async function mediansCommand(o: RaceOptions, k: number, workerScript: string | undefined, out: (s: string) => void): Promise<number> {
  const tasks = o.cells.flatMap((cell) => Array.from({ length: k }, (_, i) => ({ cell, options: searchOptions(o, { k: i + 1, n: k }) })));
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  const progress = (done: number) => {
    if (tty) process.stderr.write(`\r  ${done}/${tasks.length} searches, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  };
  let results: CellResult[];
  if (o.splitMedians) {
    // One search at a time, split across every worker: the time a user waits for one cell here.
    // Its time is the wall time around it, worker start and image build included.
    results = [];
    for (const task of tasks) {
      const start = process.hrtime.bigint();
      const [r] = await searchAll([task], o, workerScript, () => {});
      results.push({ ...r!, seconds: Number(process.hrtime.bigint() - start) / 1e9 });
      progress(results.length);
    }
  } else {
    // Each search on one worker (not split): the median is of one search's time.
    results = await searchAll(tasks, o, workerScript, progress, false);
  }
  if (tty) process.stderr.write('\n');
  const each = o.splitMedians ? `one after another, each split across ${o.jobs} worker${o.jobs === 1 ? '' : 's'}` : 'each on one worker';
  if (!o.json) out(`median time to the first failure: ${o.harts} harts, ${o.iterations} calls per hart, ${k} searches per cell on disjoint seeds, ${each}`);
  let surprises = 0;
  for (const cell of o.cells) {
    const mine = results.filter((r) => r.scenario === cell.scenario && r.version === cell.version && r.model === cell.model);
    const found = mine.filter((r) => r.status === 'REPRODUCED');
    const seconds = median(mine.map((r) => (r.status === 'REPRODUCED' ? r.seconds : undefined)));
    const schedules = median(mine.map((r) => (r.status === 'REPRODUCED' ? r.schedules : undefined)));
    const expected = mine[0]!.expected;
    const surprise = expected === 'HELD' ? found.length > 0 : expected === 'REPRODUCED' ? found.length === 0 : false;
    if (surprise) surprises++;
    const symptoms = [...new Set(found.map((r) => r.symptom))];
    if (o.json) {
      out(JSON.stringify({ ...cell, expected, searches: k, found: found.length, medianSeconds: seconds ?? null, medianSchedules: schedules ?? null, seconds: mine.map((r) => (r.status === 'REPRODUCED' ? r.seconds : null)), symptoms }));
      continue;
    }
    const head = `${cell.scenario} on ${cell.version} under ${cell.model}`.padEnd(32);
    const held = mine.reduce((n, r) => n + (r.status === 'HELD' ? r.schedules : 0), 0);
    const text =
      found.length === 0
        ? `no failure in ${k} searches (${held.toLocaleString('en')} schedules)`
        : `found in ${found.length} of ${k}; median ${seconds === undefined ? `over the budget` : `${seconds.toFixed(2)} s, ${schedules!.toLocaleString('en')} schedules`}: ${symptoms.join('; ')}`;
    out(`  ${head} ${text}${surprise ? ' (!)' : ''}`);
  }
  if (!o.json) out(surprises ? `\n${surprises} cell${surprises === 1 ? '' : 's'} differ from the expected matrix (!)` : `\nevery cell as expected (${o.cells.length} cells)`);
  return surprises ? 1 : 0;
}

export async function raceCommand(o: RaceOptions, workerScript: string | undefined, out: (s: string) => void): Promise<number> {
  if (o.medians !== undefined) return mediansCommand(o, o.medians, workerScript, out);
  if (o.seed !== undefined) {
    if (o.cells.length !== 1) throw new UsageError('--seed replays one schedule: give one --scenario, one --version and one --model');
    const c = o.cells[0]!;
    const r = replayCell(c, o, o.seed);
    out(`${c.scenario} on ${c.version} under ${c.model}, ${o.harts} harts, seed ${o.seed}: ${r.failed ? `FAILED at step ${r.steps.toLocaleString('en')}: ${r.symptom}` : `passed (${r.steps.toLocaleString('en')} steps)`}`);
    if (r.event) out(`  ${r.event}`);
    return r.failed ? 1 : 0;
  }
  let results: CellResult[];
  let merged: MergedRuns | undefined;
  if (o.merge) {
    merged = mergeRuns(o.merge);
    results = merged.results;
  } else {
    const tty = process.stderr.isTTY;
    const t0 = Date.now();
    const options = searchOptions(o);
    results = await searchAll(o.cells.map((cell) => ({ cell, options })), o, workerScript, (done) => {
      if (tty) process.stderr.write(`\r  ${done}/${o.cells.length} cells searched, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    });
    if (tty) process.stderr.write('\n');
  }
  const surprises = results.filter(surprising);
  // Replay commands name the setup the results came from (a merge: the one its files agree on).
  const setup: RunSetup = merged?.run ?? { harts: o.harts, ipi: o.ipi, iterations: o.iterations, wmoEngine: o.wmoEngine ?? 'views' };
  const replay = (r: CellResult) => replayCommand(r, { ...searchOptions(o), ...setup }, r.seed!);
  if (o.json) {
    for (const r of results) out(JSON.stringify(r.status === 'REPRODUCED' ? { ...r, replay: replay(r) } : r));
    const shards: Shards | undefined = merged ? merged.shards : { n: o.shard.n, k: [o.shard.k] };
    // A merge of files that do not all say what they ran cannot say it either.
    const labelled = !merged || merged.unlabelled.length === 0;
    out(JSON.stringify({ summary: true, cells: results.length, reproduced: results.filter((r) => r.status === 'REPRODUCED').length, surprises: surprises.length, ...(labelled && shards ? { run: setup, shards } : {}) }));
  } else {
    const models = [...new Set(results.map((r) => r.model))];
    const rows = [...new Set(results.map((r) => `${r.scenario}|${r.version}`))];
    if (merged) for (const line of describeMerge(merged, o.merge!.length)) out(line);
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
      for (const r of failures) out(`  ${replay(r)}`);
    }
    if (surprises.length) out(`\n${surprises.length} cell${surprises.length === 1 ? '' : 's'} differ from the expected matrix (!): ${surprises.map((r) => `${r.scenario}/${r.version}/${r.model} expected ${r.expected}`).join(', ')}`);
    else out(`\nevery cell as expected (${results.length} cells)`);
  }
  return surprises.length ? 1 : 0;
}

