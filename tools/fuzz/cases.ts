/**
 * Fuzz cases for every input surface of the rvsmp command line: assembly sources, ELF images
 * (disasm, run, debug, test), litmus files, debugger command scripts, regression ROM expectations,
 * flag combinations and gdb packets. Each case is a pure function of (surface, seed, index): the
 * same triple gives the same files and arguments, so every finding replays
 * (`npm run fuzz -- --surface S --seed N --case I`).
 *
 * Cases start from valid inputs and mutate them the ways that found bugs before: sizes and counts
 * at and past every limit, deep nesting, long lines, numbers beyond 64 bits, truncated and
 * bit-flipped headers, names of things that do not exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, writeElf } from '../../assembler/index.js';
import { Prng } from '../../emulator/scheduler.js';
import { DEMO_SOURCE } from '../demo.js';

export const SURFACES = ['asm', 'disasm', 'run', 'debug', 'litmus', 'test', 'flags', 'gdb'] as const;
export type Surface = (typeof SURFACES)[number];

/** One invocation: the files to write into a fresh folder (`@/` in argv names that folder), the arguments. */
export interface FuzzCase {
  readonly surface: Surface;
  readonly index: number;
  readonly argv: string[];
  readonly files: Record<string, string | Uint8Array>;
  /** gdb: packets to feed the stub instead of a command line. */
  readonly packets?: string[];
}

class Gen {
  readonly r: Prng;
  constructor(seed: number, surface: Surface, index: number) {
    let h = 0x811c9dc5;
    for (const c of `${surface}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    this.r = new Prng((BigInt(seed >>> 0) << 32n) | BigInt(h >>> 0));
  }
  int(lo: number, hi: number): number {
    return lo + this.r.below(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.r.below(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r.below(1_000_000) < p * 1_000_000;
  }
}

// ---- values that have broken parsers ----

const NUMBERS = [
  '0', '1', '-1', '2047', '2048', '-2049', '4096', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '0x300000000',
  '0x7fffffffffffffff', '0xffffffffffffffff', '0x10000000000000000', '9007199254740991', '9007199254740993',
  '99999999999999999999', '1<<40', '1<<63', '4000000000', '-9223372036854775808', '077', '0b101', '1e5', 'NaN', '0x', '',
];
const JUNK = ['\u0000', '\u00ff', '\u{1F600}', '\t', '"', "'", '\\', '%', '%hi(', ')', '(', ',', ';', '#', '$', '@', '~', '!', '|', '^'];

function deepParens(g: Gen, leaf: string): string {
  const n = g.pick([3, 50, 999, 1001, 5000]);
  return '('.repeat(n) + leaf + ')'.repeat(g.chance(0.8) ? n : g.int(0, n));
}
function chain(g: Gen, leaf: string, op: string): string {
  return Array.from({ length: g.pick([2, 100, 999, 1002, 10000]) }, () => leaf).join(op);
}

/** A mutated line of text: tokens replaced, junk inserted, cut, repeated. */
function mutateLine(g: Gen, line: string): string {
  switch (g.int(0, 7)) {
    case 0:
      return line.replace(/-?\b(0x[0-9a-f]+|\d+)\b/i, g.pick(NUMBERS));
    case 1: {
      const at = g.int(0, line.length);
      return line.slice(0, at) + g.pick(JUNK) + line.slice(at);
    }
    case 2:
      return line.slice(0, g.int(0, line.length));
    case 3:
      return line.repeat(g.pick([2, 3, 1000]));
    case 4:
      return line.replace(/\b[a-z][a-z0-9]*\b/, g.pick(['x99', 'nosuch', 'a0', 't7', 'zero', '.', '_start', '1f', '2b']));
    case 5:
      return line + ' ' + g.pick(NUMBERS);
    case 6:
      return line.replace(/\s+/g, g.pick(['', '  ', '\t', ',']));
    default:
      return line;
  }
}

/** Lines deleted, duplicated, swapped, mutated, or new ones inserted from `extra`. */
function mutateText(g: Gen, text: string, extra: () => string): string {
  const lines = text.split('\n');
  for (let k = g.int(1, 4); k > 0; k--) {
    const i = g.int(0, Math.max(0, lines.length - 1));
    switch (g.int(0, 5)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, ...Array.from({ length: g.pick([1, 2, 100, 3000]) }, () => lines[i] ?? ''));
        break;
      case 2: {
        const j = g.int(0, lines.length - 1);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      }
      case 3:
        lines[i] = mutateLine(g, lines[i] ?? '');
        break;
      default:
        lines.splice(i, 0, extra());
    }
  }
  return lines.join('\n');
}

function flipBytes(g: Gen, bytes: Uint8Array, headerBias: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let k = g.int(1, 8); k > 0 && out.length > 0; k--) {
    const i = g.chance(0.7) ? g.int(0, Math.min(out.length, headerBias) - 1) : g.int(0, out.length - 1);
    out[i] = g.chance(0.5) ? g.int(0, 255) : out[i]! ^ (1 << g.int(0, 7));
  }
  return out;
}

// ---- assembly ----

const ASM_CORPUS = [
  DEMO_SOURCE,
  `  .globl _start\n_start:\n  la a0, msg\n  li t0, 0x100000\n  li t1, 0x5555\n  sw t1, 0(t0)\n1: j 1b\n  .data\nmsg: .asciz "hi"\n  .bss\nbuf: .zero 64\n`,
  `  .option norvc\n_start:\n  lr.w t0, (a0)\n  sc.w t1, t0, (a0)\n  amoswap.d.aqrl t2, t1, (a1)\n  fence rw, w\n  csrr t0, mstatus\n  ecall\n  .equ K, 3*4+1\n  .word K, %lo(_start)\n  .balign 16\n`,
];

function asmLine(g: Gen): string {
  switch (g.int(0, 11)) {
    case 0:
      return `.word ${chain(g, '1', g.pick(['+', '*', '<<', '-', '|']))}`;
    case 1:
      return `.word ${deepParens(g, '1')}`;
    case 2:
      return `.word ${'-'.repeat(g.pick([2, 999, 1001, 5000]))}1`;
    case 3:
      return `.balign ${g.pick(NUMBERS)}`;
    case 4:
      return `${g.pick(['.space', '.zero', '.skip'])} ${g.pick(NUMBERS)}`;
    case 5:
      return `.p2align ${g.pick(['0', '12', '16', '17', '63', '64', '-1', '99999999999'])}`;
    case 6: {
      const n = g.pick([10, 999, 1001, 3000]);
      return Array.from({ length: n }, (_, i) => `.equ s${i}, ${i === 0 ? '1' : `s${i - 1}+s${i - 1}`}`).join('\n') + `\n.dword s${n - 1}`;
    }
    case 7:
      return `${g.pick(['addi', 'sw', 'lw', 'li', 'lui', 'jal', 'beq', 'csrw', 'slli'])} ${g.pick(['a0', 't0', 'x31', 'x32', 'sp'])}, ${g.pick(NUMBERS)}${g.pick(['', '(t1)', '(x40)', '(', ')'])}`;
    case 8:
      return `.section ${g.pick(['.text', '.data', '.bss', '.a', '.b', '.c'])}\n.zero ${g.pick(['40000000', '1', '70000000'])}`;
    case 9:
      return `.ascii "${'x'.repeat(g.pick([1, 100000]))}${g.pick(['', '\\x', '\\q', '\\777'])}"`;
    case 10:
      return `1: ${g.pick(['j 1b', 'j 1f', 'bnez a0, 9f', 'call nosuch', 'tail 1b'])}`;
    default:
      return `${g.pick(['.option', '.equ', '.set', '.globl', '.size', '.type', '.frob'])} ${g.pick(['rvc', 'norvc', 'push', 'pop', 'x, 1', 'x', ''])}`;
  }
}

function asmSource(g: Gen): string {
  if (g.chance(0.05)) return Buffer.from(Array.from({ length: g.int(0, 4000) }, () => g.int(0, 255))).toString('latin1');
  return mutateText(g, g.pick(ASM_CORPUS), () => asmLine(g));
}

// ---- ELF images ----

let elfCorpus: Uint8Array[] | undefined;
function elfs(): Uint8Array[] {
  elfCorpus ??= [
    writeElf(assemble(DEMO_SOURCE)),
    writeElf(assemble(`  .globl _start\n_start:\n  csrr a0, mhartid\n  bnez a0, 2f\n  li t0, 0x100000\n  li t1, 0x5555\n  sw t1, 0(t0)\n2: wfi\n  j 2b\n`)),
    writeElf(assemble(`  .globl _start\n_start:\n  nop\nspin: j spin\n  .data\n  .balign 64\n  .globl tohost\ntohost: .dword 0\n  .globl fromhost\nfromhost: .dword 0\n`)),
  ];
  return elfCorpus;
}

/** A mutated ELF: header fields set to extremes, bytes flipped, cut or grown. */
function elfImage(g: Gen): Uint8Array {
  let b: Uint8Array = new Uint8Array(g.pick(elfs()));
  const v = new DataView(b.buffer);
  const phoff = Number(v.getBigUint64(32, true));
  switch (g.int(0, 6)) {
    case 0: {
      // A header field set to an extreme: entry, phoff, shoff, phnum, shnum, shstrndx.
      const [off, size] = g.pick([[24, 8], [32, 8], [40, 8], [56, 2], [60, 2], [62, 2], [54, 2], [58, 2]] as const);
      const value = g.pick([0n, 1n, 0xffffn, 0x7fffffffn, 0xffffffffffffffffn, 0x80000000n, BigInt(b.length), BigInt(b.length + 1)]);
      if (size === 8) v.setBigUint64(off, value, true);
      else v.setUint16(off, Number(value & 0xffffn), true);
      break;
    }
    case 1: {
      // A program header field: offset, vaddr, paddr, filesz, memsz.
      const field = g.pick([8, 16, 24, 32, 40]);
      const at = phoff + 56 * g.int(0, 1) + field;
      if (at + 8 <= b.length) v.setBigUint64(at, g.pick([0n, 0x7ffff000n, 0x7fffffffn, 0x90000000n, 0xffffffffffffffffn, 0x100000000n, 1n << 40n]), true);
      break;
    }
    case 2:
      b = flipBytes(g, b, 256);
      break;
    case 3:
      b = b.subarray(0, g.int(0, b.length));
      break;
    case 4: {
      const grown = new Uint8Array(b.length + g.pick([1, 4096, 1 << 20]));
      grown.set(b);
      b = grown;
      break;
    }
    case 5:
      b = new Uint8Array(Array.from({ length: g.int(0, 512) }, () => g.int(0, 255)));
      break;
    default:
      break;
  }
  return b;
}

// ---- litmus ----

let litmusCorpus: string[] | undefined;
function litmusTests(): string[] {
  // From tools/fuzz/ or from the bundle in dist/: the first folder up that holds our litmus tests.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test/litmus/tests')) && dirname(dir) !== dir) dir = dirname(dir);
  dir = join(dir, 'test/litmus/tests');
  litmusCorpus ??= readdirSync(dir)
    .filter((f) => f.endsWith('.litmus'))
    .sort()
    .slice(0, 12)
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  return litmusCorpus;
}

function litmusLine(g: Gen): string {
  switch (g.int(0, 7)) {
    case 0:
      return `exists (${g.int(0, 70)}:x${g.int(0, 40)}=${g.pick(NUMBERS)})`;
    case 1:
      return `exists ${deepParens(g, '0:x5=1')}`;
    case 2:
      return `exists (${chain(g, '0:x5=1', g.pick([' /\\ ', ' \\/ ']))})`;
    case 3:
      return `${g.int(0, 99)}:x${g.int(0, 40)}=${g.pick(['x', 'y', 'nosuch', ...NUMBERS])};`;
    case 4:
      return Array.from({ length: g.pick([2, 65, 300]) }, (_, i) => `P${i}`).join(' | ') + ' ;';
    case 5:
      return ` ${g.pick(['sw x5,0(x6)', 'lw x7,0(x8)', 'frob x1', 'fence rw,rw', 'bne x5,x0,LC00', 'LC00:', 'amoswap.w x0,x5,(x6)'])} | nop ;`;
    case 6:
      return `filter (${g.int(0, 3)}:x5=1)`;
    default:
      return `locations [${g.pick(['x', 'y; z', '0:x5', ''])}]`;
  }
}

// ---- debugger scripts ----

function debugScript(g: Gen): string {
  const cmds: string[] = [];
  for (let k = g.int(1, 8); k > 0; k--) {
    cmds.push(
      g.pick([
        'continue', `step ${g.pick(NUMBERS)}`, `stepi ${g.int(0, 5)} ${g.pick(['1', '100', '1000000', 'x'])}`, `break ${g.pick(['_start', 'spin', 'nosuch', '0x80000000', '0x1', '-1', ...NUMBERS])}`,
        `watch ${g.pick(['tohost', '0x80001000', 'nosuch'])} ${g.pick(['r', 'w', 'rw', 'q', ''])} ${g.pick(['1', '3', '8', '16', ''])}`, `delete ${g.pick(['1', '2', '99', 'x'])}`,
        'info breakpoints', 'info harts', 'info frob', `hart ${g.pick(['0', '1', '300', 'x'])}`, `regs ${g.pick(['', '0', '7'])}`, `csr ${g.pick(['mstatus', 'mepc', 'nosuch', '0x300', '99999'])}`,
        `x/${g.pick(['4gx', '1i', '100000000x', 'zz', '2bx', '3wd'])} ${g.pick(['_start', '0x0', '0x80000000', 'nosuch', '0x10000000'])}`, `disas ${g.pick(['_start', 'nosuch', '0x0'])} ${g.pick(['1', '100000000', '-3', ''])}`,
        `sb ${g.pick(['', '0', '9'])}`, `drain ${g.pick(['0', '9', ''])} ${g.pick(['1', '100'])}`, `schedule ${g.pick(['', 'hart 0', 'hart 9', 'frob'])}`, 'backtrace', 'events',
        `reverse-step ${g.pick(['1', '5', '100000', 'x'])}`, 'reverse-continue', `record ${g.pick(['@/rec.bin', '@', '/nonexistent/dir/x'])}`, `until ${g.pick(['spin', 'nosuch', '0x80000004'])}`, 'help', 'frobnicate', '',
      ]),
    );
  }
  return cmds.join('\n') + (g.chance(0.7) ? '\nquit\n' : '\n');
}

// ---- flags ----

const COMMAND_FLAGS: Record<string, string[]> = {
  run: ['--harts', '--seed', '--schedule', '--quantum', '--pct-depth', '--pct-steps', '--memory-model', '--wmo-engine', '--record', '--replay', '--machine', '--imsic-ids', '--max-insns', '--ram', '--load-addr', '--trace'],
  asm: ['-o', '--base', '--no-rvc'],
  disasm: ['--all-csr-names'],
  litmus: ['--model', '--wmo-engine', '--runs', '--expect', '--states', '--jobs', '--json', '--seed', '--exhaustive'],
  debug: ['--harts', '--seed', '--schedule', '--memory-model', '--replay', '--commands', '--scenario', '--version', '--model', '--ipi', '--iterations', '--ram'],
  race: ['--scenario', '--version', '--model', '--harts', '--seed', '--json', '--merge', '--ipi', '--iterations', '--wmo-engine'],
  'build-roms': ['--out', '--hold'],
  test: ['--junit'],
};
const LIMIT_FLAGS = ['--max-input', '--max-section', '--max-threads', '--max-thread-insns', '--max-steps', '--max-rom-steps', '--max-rom-schedules', '--max-history'];
const FLAG_VALUES = ['1', '2', '4', '0', '-1', '256', '257', '9007199254740991', '99999999999999999999', 'x', '', 'sc', 'tso', 'wmo', 'views', 'window', 'rr', 'random', 'pct', 'R1', 'v1', 'v9', 'clint', 'imsic', '@/nonexistent', '@', '/dev/null', '0x80000000', '1e3', '3s', '@/f.elf'];

function flagsCase(g: Gen, files: Record<string, string | Uint8Array>): string[] {
  const command = g.pick([...Object.keys(COMMAND_FLAGS), 'demo', 'help', 'frob', '--version', '']);
  const argv = [command];
  const flags = COMMAND_FLAGS[command] ?? [];
  files['f.elf'] = g.pick(elfs());
  files['f.S'] = ASM_CORPUS[1]!;
  files['f.litmus'] = litmusTests()[0]!;
  if (command === 'run' || command === 'disasm' || command === 'debug' || command === 'test') argv.push(g.pick(['@/f.elf', '@/nosuch.elf', '@', '/dev/null']));
  if (command === 'asm') argv.push(g.pick(['@/f.S', '@/nosuch.S']));
  if (command === 'litmus') argv.push(g.pick(['@/f.litmus', '@', '@/nosuch']));
  for (let k = g.int(0, 5); k > 0; k--) {
    const f = g.chance(0.15) ? g.pick(LIMIT_FLAGS) : g.chance(0.1) ? g.pick(['--frob', '-x', '--help', '--']) : flags.length ? g.pick(flags) : '--frob';
    argv.push(f);
    if (g.chance(0.85)) argv.push(g.pick(FLAG_VALUES));
  }
  // Keep every case short: runs are bounded, the race replays one schedule, litmus runs a few times.
  if (command === 'run' && !argv.includes('--max-insns')) argv.push('--max-insns', '50000');
  if (command === 'debug') argv.push('--max-steps', '100000', ...(argv.includes('--commands') ? [] : ['--commands', '@/cmds']));
  if (command === 'litmus') argv.push('--runs', '3', '--jobs', '1');
  if (command === 'race' && !argv.includes('--merge')) argv.push('--seed', '1', '--scenario', 'R1', '--version', 'v2', '--model', 'sc', '--iterations', '1');
  if (command === 'build-roms') argv.push('--out', '@/roms', '--hold', '1');
  files['cmds'] = debugScript(g);
  return argv;
}

// ---- ROM expectations ----

function romExpectation(g: Gen): string {
  // A valid expectation, then (half the time) one field made wrong.
  const e: Record<string, unknown> = { scenario: 'R1', version: 'v1', harts: g.pick([1, 2]), ipi: 'clint', iterations: 1, checks: [{ model: g.pick(['sc', 'tso', 'wmo']), expect: 'hold', schedules: g.int(1, 2) }] };
  if (g.chance(0.3)) e.checks = [{ model: 'sc', expect: 'fail', seed: g.int(1, 3), symptom: g.pick(['WARN', 'hang', '']) }];
  if (g.chance(0.5)) {
    const key = g.pick(Object.keys(e));
    if (g.chance(0.3)) delete e[key];
    else if (key === 'checks') e.checks = g.pick([[], {}, [{ model: 'x', expect: 'maybe' }], [{ model: 'sc', expect: 'hold', schedules: g.pick([0, 1.5, 2 ** 53, 1e12, -1]) }], [{ model: 'sc', expect: 'fail', seed: g.pick([0, -1, 1.5, 2 ** 53]) }]]);
    else e[key] = g.pick([0, -1, 300, 1.5, 'x', null, [], {}, 2 ** 53]);
  }
  const text = JSON.stringify(e);
  return g.chance(0.1) ? text.slice(0, g.int(0, text.length)) : text;
}

// ---- gdb packets ----

function gdbPackets(g: Gen): string[] {
  const sum = (s: string) => [...s].reduce((a, c) => (a + c.charCodeAt(0)) & 0xff, 0).toString(16).padStart(2, '0');
  const packet = (s: string) => `$${s}#${g.chance(0.9) ? sum(s) : 'zz'}`;
  const bodies = ['?', 'g', 'G00', 'p20', `p${g.int(0, 0x2000).toString(16)}`, `m${g.pick(['80000000', '0', 'ffffffffffffffff', 'zz'])},${g.pick(['10', '100000', '0', ''])}`, `M80001000,${g.pick(['4:01020304', '2:0', 'ffffffff:00'])}`, 'Hg1', `Hc${g.pick(['-1', '0', '99'])}`, `T${g.int(0, 9)}`, 'qfThreadInfo', 'qSupported', `Z${g.int(0, 4)},${g.pick(['80000000', 'x'])},${g.pick(['2', '4', '8', '0'])}`, 's', 'c', 'vCont;c', 'vCont;s:1', `vCont;${g.pick(['x', 'c:99', 's:0;c'])}`, `P${g.int(0, 70).toString(16)}=${'00'.repeat(g.pick([8, 1, 0]))}`, 'qXfer:features:read:target.xml:0,fff', 'qRcmd,00', 'k'];
  return Array.from({ length: g.int(1, 30) }, () => (g.chance(0.05) ? '\x03' : g.chance(0.05) ? 'x'.repeat(g.pick([10, 5000])) : packet(g.pick(bodies))));
}

/** The case of `surface` at `index` for `seed`. */
export function fuzzCase(surface: Surface, seed: number, index: number): FuzzCase {
  const g = new Gen(seed, surface, index);
  const files: Record<string, string | Uint8Array> = {};
  let argv: string[];
  switch (surface) {
    case 'asm':
      files['in.S'] = asmSource(g);
      argv = ['asm', '@/in.S', '-o', '@/out.elf', ...(g.chance(0.2) ? ['--no-rvc'] : []), ...(g.chance(0.1) ? ['--base', g.pick(NUMBERS)] : [])];
      break;
    case 'disasm':
      files['in.elf'] = elfImage(g);
      argv = ['disasm', '@/in.elf', ...(g.chance(0.3) ? ['--all-csr-names'] : [])];
      break;
    case 'run':
      files['in.elf'] = elfImage(g);
      argv = ['run', '@/in.elf', '--max-insns', String(g.pick([1, 1000, 100000])), '--harts', String(g.pick([1, 1, 2, 4])), '--memory-model', g.pick(['sc', 'tso', 'wmo']), ...(g.chance(0.3) ? ['--schedule', g.pick(['random', 'pct', 'rr'])] : []), ...(g.chance(0.2) ? ['--wmo-engine', 'views'] : [])];
      break;
    case 'debug':
      files['in.elf'] = g.chance(0.5) ? elfImage(g) : g.pick(elfs());
      files['cmds'] = debugScript(g);
      argv = ['debug', '@/in.elf', '--commands', '@/cmds', '--max-steps', '200000', '--harts', String(g.pick([1, 2, 4])), '--memory-model', g.pick(['sc', 'tso', 'wmo'])];
      break;
    case 'litmus':
      files['t.litmus'] = g.chance(0.05) ? Buffer.from(Array.from({ length: g.int(0, 2000) }, () => g.int(0, 255))).toString('latin1') : mutateText(g, g.pick(litmusTests()), () => litmusLine(g));
      argv = ['litmus', '@/t.litmus', '--jobs', '1', ...(g.chance(0.2) ? ['--exhaustive'] : ['--runs', String(g.pick([1, 5, 20]))]), '--model', g.pick(['sc', 'tso', 'wmo'])];
      break;
    case 'test':
      files['roms/r.elf'] = g.chance(0.5) ? elfImage(g) : g.pick(elfs());
      files['roms/r.expect.json'] = romExpectation(g);
      argv = ['test', '@/roms', '--max-rom-steps', '200000', ...(g.chance(0.3) ? ['--junit', g.pick(['@/j.xml', '@', '/nonexistent/j.xml'])] : [])];
      break;
    case 'flags':
      argv = flagsCase(g, files);
      break;
    case 'gdb':
      return { surface, index, argv: [], files, packets: gdbPackets(g) };
  }
  return { surface, index, argv, files };
}
