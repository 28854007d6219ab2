/**
 * Regression ROMs: `npm run build:roms` writes each scenario image as an ELF file with its
 * expectations beside it (name.expect.json); `rvsmp test <rom or dir>... [--junit out.xml]` runs
 * them. A ROM expected to fail replays its known failing seed and must show the named symptom at
 * once; a ROM expected to hold must pass a number of schedules. Any other outcome is a surprise and
 * makes the command exit non-zero.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MemoryModel } from '../../emulator/config.js';
import { buildGuest, type ScenarioName } from '../../guest/image.js';
import { isWhole as whole, readUserFile, readUserText, UsageError } from '../errors.js';
import { LIMITS, limitMessage } from '../limits.js';
import { ScheduleRunner } from './schedule.js';
import { MAX_HARTS } from '../../emulator/config.js';
import { LoadError } from '../../emulator/loader/elf.js';
import { ElfError } from '../../assembler/index.js';
import { RACE_MODELS } from './matrix.js';

export interface RomCheck {
  readonly model: MemoryModel;
  /** 'fail': replay `seed`, expect `symptom`; 'hold': `schedules` schedules from seed 1 all pass. */
  readonly expect: 'fail' | 'hold';
  readonly seed?: number;
  readonly symptom?: string;
  readonly schedules?: number;
}

export interface RomExpectation {
  readonly scenario: ScenarioName;
  readonly version: string;
  readonly harts: number;
  readonly ipi: 'clint';
  readonly iterations: number;
  readonly checks: readonly RomCheck[];
}

interface KnownFailure {
  scenario: ScenarioName;
  version: string;
  model: MemoryModel;
  harts: number;
  /** Calls per hart (default 5). */
  iterations?: number;
  seed: number;
  symptom: string;
}

/** The fixed side of each race (held under every model) and the known failures of the buggy side. */
const HOLDS: readonly { scenario: ScenarioName; version: string; harts: number; iterations?: number }[] = [
  { scenario: 'R1', version: 'v2', harts: 4 },
  { scenario: 'R1', version: 'v4', harts: 4 },
  { scenario: 'R1c', version: 'v3b', harts: 4 },
  { scenario: 'R2', version: 'v3', harts: 4 },
  { scenario: 'R2', version: 'v3', harts: 5, iterations: 10 },
  { scenario: 'R3', version: 'v4', harts: 4 },
  { scenario: 'R4a', version: 'v6-peterz', harts: 4 },
  { scenario: 'R4b', version: 'v6-peterz', harts: 2 },
];

export function buildRoms(outDir: string, knownFile: string, holdSchedules = 20): string[] {
  const known = (JSON.parse(readFileSync(knownFile, 'utf8')) as { failures: KnownFailure[] }).failures;
  if (outDir === '') throw new UsageError('--out needs a folder name, got ""');
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--out ${outDir}: cannot make the folder: ${code === 'EEXIST' || code === 'ENOTDIR' ? 'a file of that name (or on its path) is in the way' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  if (!statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir}: a file of that name is in the way`);
  const roms = new Map<string, { scenario: ScenarioName; version: string; harts: number; iterations: number; checks: RomCheck[] }>();
  const rom = (scenario: ScenarioName, version: string, harts: number, iterations = 5) => {
    const name = `${scenario}-${version}-${harts}h${iterations === 5 ? '' : `-${iterations}calls`}`;
    let r = roms.get(name);
    if (!r) roms.set(name, (r = { scenario, version, harts, iterations, checks: [] }));
    return r;
  };
  for (const f of known) rom(f.scenario, f.version, f.harts, f.iterations).checks.push({ model: f.model, expect: 'fail', seed: f.seed, symptom: f.symptom });
  for (const h of HOLDS) for (const model of ['sc', 'tso', 'wmo'] as const) rom(h.scenario, h.version, h.harts, h.iterations).checks.push({ model, expect: 'hold', schedules: model === 'sc' ? holdSchedules : Math.ceil(holdSchedules / 4) });
  const written: string[] = [];
  for (const [name, r] of roms) {
    const expectation: RomExpectation = { scenario: r.scenario, version: r.version, harts: r.harts, ipi: 'clint', iterations: r.iterations, checks: r.checks };
    const write = (path: string, data: string | Uint8Array) => {
      try {
        writeFileSync(path, data);
      } catch (e) {
        throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code === 'EISDIR' ? 'a folder of that name is in the way' : (e as Error).message}`);
      }
    };
    write(join(outDir, `${name}.elf`), buildGuest({ version: r.version, scenario: r.scenario, harts: r.harts, ipi: 'clint', iterations: r.iterations }));
    write(join(outDir, `${name}.expect.json`), JSON.stringify(expectation, null, 2) + '\n');
    written.push(name);
  }
  return written;
}

export interface RomResult {
  readonly rom: string;
  readonly model: MemoryModel;
  readonly ok: boolean;
  readonly message: string;
  readonly seconds: number;
}

function romFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`cannot read ${p}: no such file or directory`);
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) if (f.endsWith('.elf')) out.push(join(p, f));
    if (statSync(p).isFile()) out.push(p);
  }
  if (out.length === 0) throw new UsageError(`no .elf ROMs in ${paths.join(', ')}`);
  return out;
}

/**
 * A ROM's expectations (name.expect.json), checked field by field: a broken file is named with the
 * field at fault rather than taken as a ROM with nothing to check.
 */
export function parseExpectation(text: string, file: string): RomExpectation {
  let e: unknown;
  try {
    e = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not JSON (${(err as Error).message})`);
  }
  const bad = (field: string, want: string) => new UsageError(`${file}: ${field} must be ${want}`);
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw bad('the file', 'an object with harts and checks');
  const o = e as Record<string, unknown>;
  if (!whole(o.harts, 1) || (o.harts as number) > MAX_HARTS) throw bad('harts', `a whole number from 1 to ${MAX_HARTS}`);
  if (!Array.isArray(o.checks) || o.checks.length === 0) throw bad('checks', 'a non-empty list');
  o.checks.forEach((c: unknown, i) => {
    const at = `checks[${i}]`;
    if (typeof c !== 'object' || c === null) throw bad(at, 'an object');
    const k = c as Record<string, unknown>;
    if (!RACE_MODELS.includes(k.model as MemoryModel)) throw bad(`${at}.model`, `one of ${RACE_MODELS.join(', ')}`);
    if (k.expect === 'fail') {
      if (!whole(k.seed, 0)) throw bad(`${at}.seed`, 'a whole number (the failing seed to replay)');
      if (typeof k.symptom !== 'string' || k.symptom === '') throw bad(`${at}.symptom`, 'the symptom the replay must show');
    } else if (k.expect === 'hold') {
      if (!whole(k.schedules, 1)) throw bad(`${at}.schedules`, 'a whole number >= 1 (how many schedules must pass)');
      if (k.schedules > LIMITS.romSchedules.value) throw bad(`${at}.schedules`, `at most ${LIMITS.romSchedules.value.toLocaleString('en')}: ${limitMessage(LIMITS.romSchedules)}`);
    } else throw bad(`${at}.expect`, '"fail" or "hold"');
  });
  return e as RomExpectation;
}

export function testRoms(paths: readonly string[]): RomResult[] {
  const results: RomResult[] = [];
  for (const file of romFiles(paths)) {
    const expectFile = file.replace(/\.elf$/, '.expect.json');
    if (!existsSync(expectFile)) throw new UsageError(`${file}: no expectations beside it (${expectFile})`);
    const e = parseExpectation(readUserText(expectFile), expectFile);
    const elf = readUserFile(file);
    const rom = basename(file, '.elf');
    for (const c of e.checks) {
      const t0 = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
      let runner: ScheduleRunner;
      try {
        runner = new ScheduleRunner(elf, e.harts, c.model, 'views', file);
      } catch (err) {
        if (err instanceof LoadError || err instanceof ElfError) throw new UsageError(err.message);
        throw err;
      }
      if (c.expect === 'fail') {
        const r = runner.run(c.seed!, LIMITS.romSteps.value);
        const ok = r.failed && r.symptom.includes(c.symptom!);
        results.push({ rom, model: c.model, ok, message: ok ? `expected race: seed ${c.seed} fails at step ${r.steps.toLocaleString('en')}: ${r.symptom}` : `seed ${c.seed} was expected to fail with "${c.symptom}" but ${r.failed ? `failed with "${r.symptom}"` : 'passed'}`, seconds: seconds() });
      } else {
        let bad: { seed: number; symptom: string } | undefined;
        for (let seed = 1; seed <= c.schedules! && !bad; seed++) {
          const r = runner.run(seed, LIMITS.romSteps.value);
          if (r.failed) bad = { seed, symptom: r.symptom };
        }
        results.push({ rom, model: c.model, ok: !bad, message: bad ? `expected to hold, but seed ${bad.seed} failed: ${bad.symptom}` : `held ${c.schedules} schedules`, seconds: seconds() });
      }
    }
  }
  return results;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function junit(results: readonly RomResult[]): string {
  const failures = results.filter((r) => !r.ok).length;
  const time = results.reduce((t, r) => t + r.seconds, 0);
  const cases = results.map((r) => `    <testcase classname="rvsmp.${xml(r.rom)}" name="${xml(r.model)}" time="${r.seconds.toFixed(3)}">${r.ok ? '' : `<failure message="${xml(r.message)}"/>`}</testcase>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.length}" failures="${failures}" time="${time.toFixed(3)}">\n  <testsuite name="rvsmp regression ROMs" tests="${results.length}" failures="${failures}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
