/**
 * Flag values of the rvsmp command line, parsed and checked: each bad value is a UsageError that
 * names the flag, what it takes and what it got.
 */
import arg from 'arg';
import type { WmoEngine } from '../emulator/config.js';
import type { ScheduleConfig } from '../emulator/scheduler.js';
import { UsageError } from './errors.js';
import { LIMITS, setLimit } from './limits.js';

/** Flags every command accepts: the limits on what users give (tools/limits.ts). */
const LIMIT_FLAGS = Object.fromEntries(Object.values(LIMITS).map((l) => [l.flag, String])) as Record<string, StringConstructor>;

/** Parse a command's flags (and the limit flags, applied at once). */
export function parse<T extends arg.Spec>(spec: T, argv: string[], usage: string): arg.Result<T> {
  let a: arg.Result<T>;
  try {
    a = arg({ ...LIMIT_FLAGS, ...spec }, { argv }) as arg.Result<T>;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage}`);
  }
  for (const l of Object.values(LIMITS)) {
    const v = (a as Record<string, unknown>)[l.flag];
    if (typeof v === 'string') setLimit(l, v);
  }
  return a;
}

/** The one positional argument a command takes. */
export function singleInput(positional: string[], usage: string): string {
  const [input, ...extra] = positional;
  if (!input) throw new UsageError(`missing input file\nusage: ${usage}`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"\nusage: ${usage}`);
  return input;
}

export function parseAddress(text: string, flag: string): bigint {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new UsageError(`${flag} needs an address such as 0x80000000, got "${text}"`);
  const v = BigInt(text);
  if (v >= 1n << 64n) throw new UsageError(`${flag} ${text} is larger than 64 bits`);
  return v;
}

/** Largest PCT depth. */
export const MAX_PCT_DEPTH = 10_000;

/** --schedule rr|random|pct with --quantum, --pct-depth, --pct-steps (rvsmp run and rvsmp debug). */
export function parseSchedule(a: { '--schedule'?: string; '--quantum'?: string; '--pct-depth'?: string; '--pct-steps'?: string }, maxInsns: number | undefined): ScheduleConfig {
  const quantum = a['--quantum'] !== undefined ? parseCount(a['--quantum'], '--quantum') : 100;
  if (quantum < 1) throw new UsageError('--quantum must be at least 1');
  const kind = a['--schedule'] ?? (a['--pct-depth'] !== undefined ? 'pct' : 'rr');
  if (kind === 'rr') return { kind: 'rr', quantum };
  if (kind === 'random') return { kind: 'random' };
  if (kind !== 'pct') throw new UsageError(`--schedule: unknown strategy "${kind}" (rr, random or pct)`);
  const depth = a['--pct-depth'] !== undefined ? parseCount(a['--pct-depth'], '--pct-depth') : 3;
  if (depth < 1) throw new UsageError('--pct-depth must be at least 1');
  // PCT draws depth-1 change points up front; bugs of depth beyond a handful are out of its reach anyway.
  if (depth > MAX_PCT_DEPTH) throw new UsageError(`--pct-depth ${depth}: at most ${MAX_PCT_DEPTH.toLocaleString('en')} (a fixed limit: PCT draws depth-1 change points)`);
  const horizon = a['--pct-steps'] !== undefined ? parseCount(a['--pct-steps'], '--pct-steps') : (maxInsns ?? 1_000_000);
  return { kind: 'pct', depth, horizon: Math.max(1, horizon) };
}

/** A race budget: a number of schedules (2000) or of seconds (30s). */
export function parseBudget(text: string, flag: string): { schedules: number; seconds: number } {
  const m = /^(\d+)(s?)$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new UsageError(`${flag}: "${text}" is neither a number of schedules (2000) nor of seconds (30s)`);
  return m[2] ? { schedules: Number.POSITIVE_INFINITY, seconds: Number(m[1]) } : { schedules: Number(m[1]), seconds: Number.POSITIVE_INFINITY };
}

/** --wmo-engine: how wmo runs (emulator/config.ts WmoEngine). */
export function parseWmoEngine(text: string | undefined): WmoEngine {
  if (text === undefined) return 'window';
  if (text !== 'window' && text !== 'views') throw new UsageError(`--wmo-engine: unknown engine "${text}" (window or views)`);
  return text;
}

/** One coordinate of a race cell (--version, --model) for debug: given, and one of those that exist. */
export function cellPart<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T {
  if (value === undefined) throw new UsageError(`a race cell needs ${flag} (${allowed.join(', ')})`);
  if (!allowed.includes(value as T)) throw new UsageError(`${flag}: unknown "${value}" (${allowed.join(', ')})`);
  return value as T;
}

/** --jobs: worker threads, at least one (1: in this thread). */
export function parseJobs(text: string): number {
  const jobs = parseCount(text, '--jobs');
  if (jobs < 1) throw new UsageError(`--jobs needs at least 1 (1: no worker threads), got "${text}"`);
  return jobs;
}

export function parseCount(text: string, flag: string): number {
  const t = text.replace(/_/g, '');
  if (!/^\d+(e\d+)?$/i.test(t) || !Number.isSafeInteger(Number(t))) throw new UsageError(`${flag} needs a whole number, got "${text}"`);
  return Number(t);
}
