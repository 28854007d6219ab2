/**
 * `rvsmp litmus <file|dir>... [--model wmo|tso|sc] [--runs N] [--expect expected.json]
 * [--states states.json] [--jobs N] [--json]`: runs herd-format litmus tests on the emulator, prints
 * each test's histogram of final states, and with --expect checks soundness (no forbidden outcome,
 * no state outside herd's list) and completeness (allowed outcomes reached), with a summary by
 * family. A broken file is reported with file and line and skipped; the others still run, and the
 * command exits 1 (as it does when a test is unsound).
 */
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { MemoryModel, WmoEngine } from '../../emulator/config.js';
import { readUserText, UsageError } from '../errors.js';
import { workerPool } from '../pool.js';
import { buildLitmus } from './build.js';
import { LitmusError, parseLitmus } from './parse.js';
import { runLitmus } from './run.js';
import { exploreLitmus } from './exhaustive.js';

export interface LitmusOptions {
  paths: string[];
  model: MemoryModel;
  wmoEngine: WmoEngine;
  runs: number;
  expect?: string;
  states?: string;
  jobs: number;
  json: boolean;
  seed: number;
  exhaustive: boolean;
}

/** What one test produced, as it crosses from a worker. */
export interface TestOutcome {
  file: string;
  test?: string;
  error?: string;
  runs?: number;
  reached?: number;
  kept?: number;
  timeouts?: number;
  states?: [string, number][];
  /** Exhaustive mode: machine states explored, and whether the search finished. */
  explored?: number;
  complete?: boolean;
}

interface Expectation {
  rvwmo: 'allowed' | 'forbidden';
  rvtso: 'allowed' | 'forbidden';
  quantifier: 'exists' | '~exists' | 'forall';
  rvwmo_always?: boolean;
  family?: string;
  min_mechanism?: string;
}

function listFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`cannot read ${p}: no such file or directory`);
    }
    if (st.isDirectory()) for (const f of readdirSync(p).sort()) if (f.endsWith('.litmus')) out.push(join(p, f));
    if (st.isFile()) out.push(p);
  }
  return out;
}

/** Run one file (in this thread). */
export function runOne(file: string, model: MemoryModel, runs: number, seed: number, exhaustive = false, wmoEngine: WmoEngine = 'window'): TestOutcome {
  let text: string;
  try {
    text = readUserText(file);
  } catch (e) {
    return { file, error: (e as Error).message };
  }
  try {
    const test = parseLitmus(text, basename(file));
    const built = buildLitmus(test);
    if (exhaustive) {
      const r = exploreLitmus(built, model);
      return { file, test: r.test, runs: r.runs, reached: r.reached, kept: r.kept, timeouts: 0, states: [...r.states], explored: r.explored, complete: r.complete };
    }
    const r = runLitmus(built, model, runs, seed, wmoEngine);
    return { file, test: r.test, runs: r.runs, reached: r.reached, kept: r.kept, timeouts: r.timeouts, states: [...r.states] };
  } catch (e) {
    if (e instanceof LitmusError) return { file, error: e.message };
    const msg = (e as Error).message.split('\n')[0];
    return { file, error: `${basename(file)}: ${msg}` };
  }
}

/** Run every file, on `jobs` worker threads when there is more than one job. */
async function runAll(files: string[], o: LitmusOptions, workerScript: string | undefined): Promise<TestOutcome[]> {
  if (o.jobs <= 1 || files.length < 2 || !workerScript) return files.map((f) => runOne(f, o.model, o.runs, o.seed, o.exhaustive, o.wmoEngine));
  return workerPool<object, TestOutcome>(
    workerScript,
    { litmusWorker: true },
    files.map((file) => ({ file, model: o.model, runs: o.runs, seed: o.seed, exhaustive: o.exhaustive, wmoEngine: o.wmoEngine })),
    o.jobs,
  );
}

const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);

export async function litmusCommand(o: LitmusOptions, workerScript: string | undefined, out: (s: string) => void): Promise<number> {
  const files = listFiles(o.paths);
  if (files.length === 0) throw new UsageError('no .litmus files found');
  let expected: Record<string, Expectation> | undefined;
  let herdStates: Record<string, { rvwmo: string[]; rvtso: string[] }> | undefined;
  const readJson = <T>(path: string): T => {
    try {
      return JSON.parse(readUserText(path)) as T;
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
    }
  };
  if (o.expect) expected = readJson(o.expect);
  if (o.states) herdStates = readJson(o.states);
  const verdictKey = o.model === 'tso' ? 'rvtso' : 'rvwmo';
  const t0 = process.hrtime.bigint();
  const results = await runAll(files, o, workerScript);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  let broken = 0;
  const unsound: string[] = [];
  const incomplete: string[] = [];
  const families = new Map<string, { tests: number; forbidden: number; forall: number; allowed: number; reached: number; unsound: number }>();
  for (const r of results) {
    if (r.error) {
      broken++;
      process.stderr.write(`rvsmp: skipping ${r.error}\n`);
      continue;
    }
    const states = r.states!;
    if (o.json) out(JSON.stringify({ test: r.test, model: o.model, runs: r.runs, reached: r.reached, states: Object.fromEntries(states) }));
    else if (o.exhaustive) {
      out(`Test ${r.test}: exhaustive, ${r.explored} machine states, ${states.length} final states, condition ${r.reached ? 'reachable' : 'unreachable'}${r.complete ? '' : ' (search stopped at the state bound: incomplete)'}`);
      for (const [k] of states) out(`  ${k}`);
    } else {
      out(`Test ${r.test}: ${r.runs} runs, condition reached ${r.reached} times${r.timeouts ? `, ${r.timeouts} runs did not finish` : ''}`);
      for (const [k, n] of [...states].sort((a, b) => b[1] - a[1])) out(`  ${String(n).padStart(7)}  ${k}`);
    }
    const e = expected?.[r.test!];
    if (!e) continue;
    const fam = families.get(e.family ?? 'misc') ?? { tests: 0, forbidden: 0, forall: 0, allowed: 0, reached: 0, unsound: 0 };
    families.set(e.family ?? 'misc', fam);
    fam.tests++;
    const verdict = e[verdictKey];
    let bad = false;
    if (e.quantifier === 'forall') {
      // forall P: unsound if some run ends where P is false while the model says P always holds.
      if (e.rvwmo_always && r.reached! < r.kept!) bad = true;
    } else if (verdict === 'forbidden' && r.reached! > 0) bad = true;
    const allowedStates = herdStates?.[r.test!]?.[verdictKey];
    if (allowedStates) for (const [k] of states) if (!allowedStates.includes(k)) bad = true;
    // A forall test states a property of every execution: it can only be unsound, never "reached".
    if (e.quantifier === 'forall') fam.forall++;
    else if (verdict === 'forbidden') fam.forbidden++;
    else {
      fam.allowed++;
      if (r.reached! > 0) fam.reached++;
      else incomplete.push(r.test!);
    }
    if (bad) {
      fam.unsound++;
      unsound.push(r.test!);
    }
  }
  const ran = results.length - broken;
  if (expected) {
    const totals = [...families.values()].reduce(
      (t, f) => ({ tests: t.tests + f.tests, forbidden: t.forbidden + f.forbidden, forall: t.forall + f.forall, allowed: t.allowed + f.allowed, reached: t.reached + f.reached, unsound: t.unsound + f.unsound }),
      { tests: 0, forbidden: 0, forall: 0, allowed: 0, reached: 0, unsound: 0 },
    );
    if (o.json) {
      out(JSON.stringify({ summary: true, model: o.model, tests: ran, broken, seconds, unsound: unsound.length, allowed: totals.allowed, reached: totals.reached, families: Object.fromEntries(families) }));
    } else {
      out(`\nSummary (${o.model}, ${o.exhaustive ? 'exhaustive' : `${o.runs} runs per test`}, ${ran} tests, ${broken} skipped, ${seconds.toFixed(1)} s):`);
      out(`  ${'family'.padEnd(10)} ${'tests'.padStart(6)} ${'forbidden'.padStart(9)} ${'forall'.padStart(6)} ${'unsound'.padStart(8)} ${'allowed'.padStart(8)} ${'reached'.padStart(8)} ${'complete'.padStart(9)}`);
      const row = (name: string, f: typeof totals) =>
        out(`  ${name.padEnd(10)} ${String(f.tests).padStart(6)} ${String(f.forbidden).padStart(9)} ${String(f.forall).padStart(6)} ${String(f.unsound).padStart(8)} ${String(f.allowed).padStart(8)} ${String(f.reached).padStart(8)} ${pct(f.reached, f.allowed).padStart(9)}`);
      for (const [name, f] of [...families].sort()) row(name, f);
      row('total', totals);
      if (unsound.length) out(`UNSOUND (${unsound.length}): ${unsound.slice(0, 50).join(', ')}${unsound.length > 50 ? ', ...' : ''}`);
      if (incomplete.length && o.model !== 'sc') out(`allowed but not reached (${incomplete.length}): ${incomplete.slice(0, 50).join(', ')}${incomplete.length > 50 ? ', ...' : ''}`);
    }
  } else if (!o.json) out(`\n${ran} tests, ${broken} skipped, ${seconds.toFixed(1)} s`);
  if (broken) process.stderr.write(`rvsmp: ${broken} broken litmus file${broken === 1 ? '' : 's'} skipped\n`);
  return unsound.length || broken ? 1 : 0;
}

export function defaultJobs(): number {
  return availableParallelism();
}
