/**
 * Limits on every size a user controls, so that bad or hostile input ends in a message, never in an
 * exhausted heap, a blown stack or a run that does not stop. Each limit has a default and, where a
 * larger value can be honoured, a flag that raises it; messages name both (`limitMessage`).
 *
 * The values are read by the tools as they work; a command's flags set them (tools/flags.ts parse).
 */
import { UsageError } from './errors.js';

export interface Limit {
  /** What is limited, as a message says it ("input file size"). */
  readonly what: string;
  /** The flag that raises it (every command that reads the limited thing accepts it). */
  readonly flag: string;
  /** The unit of the flag's value. */
  readonly unit: 'MiB' | 'count';
  value: number;
}

const MiB = 1 << 20;

export const LIMITS = {
  /** Bytes of one input file (images, sources, litmus tests, records, command files, shard files). */
  input: { what: 'input file size', flag: '--max-input', unit: 'MiB', value: 64 * MiB } as Limit,
  /** Bytes of one section an assembly source builds (also bounds alignment and .space). */
  section: { what: 'section size', flag: '--max-section', unit: 'MiB', value: 64 * MiB } as Limit,
  /** Threads of one litmus test. */
  litmusThreads: { what: 'threads in a litmus test', flag: '--max-threads', unit: 'count', value: 64 } as Limit,
  /** Instructions of one litmus thread. */
  litmusInsns: { what: 'instructions in a litmus thread', flag: '--max-thread-insns', unit: 'count', value: 1000 } as Limit,
  /** Machine steps one debugger command may take when commands come from a file or a pipe. */
  batchSteps: { what: 'steps of one debugger command in batch mode', flag: '--max-steps', unit: 'count', value: 10_000_000 } as Limit,
  /** Machine steps of one schedule of a regression ROM check (rvsmp test); past them the schedule is a hang. */
  romSteps: { what: 'steps of one ROM schedule', flag: '--max-rom-steps', unit: 'count', value: 20_000_000 } as Limit,
  /** Schedules one hold check of a regression ROM may ask for. */
  romSchedules: { what: 'schedules of one ROM check', flag: '--max-rom-schedules', unit: 'count', value: 100_000 } as Limit,
  /** Entries of the debugger's history (runs of actions and schedule decisions), which reverse execution replays. */
  history: { what: "entries in the debugger's history", flag: '--max-history', unit: 'count', value: 2_000_000 } as Limit,
};

/** Nesting of operators and parentheses in one expression (assembly and litmus conditions); a fixed limit. */
export { MAX_EXPRESSION_DEPTH } from '../assembler/expr.js';

/** "the limit on input file size (64 MiB; --max-input MiB raises it)". */
export function limitMessage(l: Limit): string {
  const v = l.unit === 'MiB' ? `${(l.value / MiB).toLocaleString('en')} MiB` : l.value.toLocaleString('en');
  return `the limit on ${l.what} (${v}; ${l.flag} ${l.unit === 'MiB' ? 'MiB' : 'N'} raises it)`;
}

/** Set a limit from its flag's text: a whole number, at least 1 (MiB or a count). */
export function setLimit(l: Limit, text: string): void {
  const t = text.replace(/_/g, '');
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${l.flag} needs a whole number of ${l.unit === 'MiB' ? 'MiB' : l.what} (at least 1), got "${text}"`);
  if (l.unit === 'MiB' && n > 1 << 20) throw new UsageError(`${l.flag} ${text}: at most 1048576 MiB (1 TiB)`);
  l.value = l.unit === 'MiB' ? n * MiB : n;
}
