/**
 * Runs fuzz cases in this process, one after another: each case's files go into a fresh folder,
 * `main` (the whole command line) runs on its arguments with its output captured, and the outcome
 * is classified. The parent (campaign.ts) reads the results on file descriptor 3 and watches the
 * time each case takes, so a hang is caught however it happens.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../cli.js';
import { LIMITS } from '../limits.js';
import { Debugger } from '../../emulator/debugger/debugger.js';
import { Machine } from '../../emulator/machine.js';
import { GdbSession } from '../debug/gdb-session.js';
import { fuzzCase, type FuzzCase, type Surface } from './cases.js';
import { assemble, writeElf } from '../../assembler/index.js';

export type Outcome = 'success' | 'clean-error' | 'internal-error' | 'hang';

export interface CaseResult {
  readonly outcome: Outcome;
  readonly code: number;
  /** The first line of what the case printed on stderr (or why it is an internal error). */
  readonly message: string;
}

/**
 * Text that only a host exception produces: a message carrying it is an internal error even when
 * the command exits as for bad input.
 */
export const HOST_EXCEPTION = /internal error|please report|Cannot read propert|Cannot set propert|is not a function|is not iterable|ReferenceError|TypeError|RangeError|Invalid (typed )?array length|Array buffer allocation|Maximum call stack|out of memory|Invalid string length|\n\s+at .+:\d+:\d+\)?/;

const DEFAULT_LIMITS = Object.fromEntries(Object.entries(LIMITS).map(([k, l]) => [k, l.value]));

function writeFiles(dir: string, files: FuzzCase['files']): void {
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}

/** One case of the command line, in this process. */
async function runCommandLine(c: FuzzCase, dir: string): Promise<CaseResult> {
  const argv = c.argv.map((a) => (a === '@' ? dir : a.startsWith('@/') ? join(dir, a.slice(2)) : a));
  for (const [k, v] of Object.entries(DEFAULT_LIMITS)) LIMITS[k as keyof typeof LIMITS].value = v;
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => {
    if (into.length < 2000) into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    return { outcome: 'internal-error', code: -1, message: `uncaught: ${(e as Error).stack ?? String(e)}`.slice(0, 2000) };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  const stderr = err.join('');
  const text = stderr + out.join('');
  const first = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
  if (code === 70 || HOST_EXCEPTION.test(text)) return { outcome: 'internal-error', code, message: (HOST_EXCEPTION.exec(text)?.[0] ?? '') + ': ' + first };
  // 1 and 2: a message for bad input or usage; anything else is a status of the guest's or of the
  // run itself (124: --max-insns, 125: deadlock), a run that ended as asked.
  if (code === 1 || code === 2) return { outcome: text.trim() ? 'clean-error' : 'internal-error', code, message: first || '(no message)' };
  return { outcome: 'success', code, message: first };
}

let gdbImage: Uint8Array | undefined;

/** Packets into a gdb stub on a spinning guest; an exception or a malformed reply is an internal error. */
async function runGdb(c: FuzzCase): Promise<CaseResult> {
  gdbImage ??= writeElf(assemble('  .globl _start\n_start:\n  nop\nspin: j spin\n'));
  const dbg = new Debugger((onEvent) => {
    const m = new Machine({ harts: 2, ramSize: 1 << 20 }, { putchar: () => {}, guestEvent: onEvent });
    m.load(gdbImage!, 'gdb-fuzz');
    return m;
  });
  const replies: string[] = [];
  const session = new GdbSession(dbg, (d) => replies.push(d));
  const pending: Promise<void>[] = [];
  try {
    for (const p of c.packets ?? []) {
      const done = session.receive(p);
      pending.push(done);
      // A continue runs until interrupted: go on feeding packets meanwhile.
      await Promise.race([done, new Promise((r) => setTimeout(r, 20))]);
      if (session.ended) break;
    }
    // Stop whatever runs: 0x03, then kill; the stub must settle.
    pending.push(session.receive('\x03'));
    pending.push(session.receive('$k#6b'));
    await Promise.all(pending);
  } catch (e) {
    return { outcome: 'internal-error', code: -1, message: `uncaught: ${(e as Error).stack ?? String(e)}`.slice(0, 2000) };
  }
  for (const r of replies) {
    if (r === '+' || r === '-') continue;
    const m = /^\$([^#]*)#([0-9a-f]{2})$/s.exec(r);
    const sum = m ? [...m[1]!].reduce((a, ch) => (a + ch.charCodeAt(0)) & 0xff, 0) : -1;
    if (!m || sum !== parseInt(m[2]!, 16)) return { outcome: 'internal-error', code: -1, message: `malformed reply ${JSON.stringify(r.slice(0, 60))}` };
  }
  return { outcome: 'success', code: 0, message: `${replies.length} replies` };
}

export async function runCase(c: FuzzCase): Promise<CaseResult> {
  if (c.surface === 'gdb') return runGdb(c);
  const dir = mkdtempSync(join(tmpdir(), 'rvsmp-fuzz-'));
  try {
    writeFiles(dir, c.files);
    return await runCommandLine(c, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The child's loop: cases start..start+count-1, a line on fd 3 as each starts and ends. */
export async function childMain(surface: Surface, seed: number, start: number, count: number): Promise<void> {
  // Worker threads (race, litmus) start the command-line bundle beside this one.
  process.argv[1] = join(dirname(fileURLToPath(import.meta.url)), 'cli.js');
  for (let i = start; i < start + count; i++) {
    writeSync(3, JSON.stringify({ start: i }) + '\n');
    const r = await runCase(fuzzCase(surface, seed, i));
    writeSync(3, JSON.stringify({ done: i, ...r }) + '\n');
  }
}
