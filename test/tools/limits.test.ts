/**
 * Every input that once escaped (issue 18, item 6) ends in a message naming what was wrong and
 * where, and the limit and the flag that raises it where there is one: no internal error, no stack
 * trace, no hang, no unbounded memory. tools/limits.ts holds the limits.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, writeElf } from '../../assembler/index.js';
import { Debugger } from '../../emulator/debugger/debugger.js';
import { Machine } from '../../emulator/machine.js';
import { GdbSession } from '../../tools/debug/gdb-session.js';
import { tempDir } from '../helpers/binutils.js';
import { expectNoStackTrace, rvsmpAsync as rvsmp, type CliResult } from '../helpers/cli.js';
import { fileURLToPath } from 'node:url';

const dir = tempDir();
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const SPIN = writeElf(assemble('  .globl _start\n_start:\n  nop\nspin: j spin\n'));
const spinElf = file('spin.elf', SPIN);

/** A clean refusal: the status, a message matching `message`, nothing internal. */
function refused(r: CliResult, status: number, message: RegExp): void {
  expect(r.stderr, r.stderr).toMatch(message);
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).not.toMatch(/internal error|please report/);
  expectNoStackTrace(r.stderr);
}

describe('assembler input past its limits', () => {
  it.each([
    ['.word 1+1+...+1, 10,000 terms', `.word ${Array(10000).fill('1').join('+')}\n`, /in\.S:1:7: error: expression nested more than 1000 deep/],
    ['5,000 nested parentheses', `.word ${'('.repeat(5000)}1${')'.repeat(5000)}\n`, /in\.S:1:\d+: error: expression nested more than 1000 deep/],
    ['a chain of 5,000 .equ symbols', Array.from({ length: 5000 }, (_, i) => `.equ s${i}, ${i ? `s${i - 1}+1` : '1'}`).join('\n') + '\n.dword s4999\n', /error: symbol s4999: its definition goes through more than 1000 nested \.equ\/\.set symbols/],
    ['.balign 0x300000000 (not a power of two)', '.balign 0x300000000\n', /in\.S:1:1: error: alignment 12884901888 is not a power of two/],
    ['.balign 1<<40', '.balign 1<<40\n', /in\.S:1:1: error: alignment 1099511627776 is larger than the limit on section size \(64 MiB; --max-section MiB raises it\)/],
    ['.space 9007199254740993', '.space 9007199254740993\n', /in\.S:1:1: error: space of \d+ bytes is larger than the limit on section size/],
    ['.zero 4000000000 in .data', '  .data\n.zero 4000000000\n', /in\.S:2:1: error: space of 4000000000 bytes is larger than the limit on section size/],
    ['.balign 0x80000000 in .text', '  .text\n  nop\n.balign 0x80000000\n', /in\.S:3:1: error: alignment 2147483648 is larger than the limit on section size/],
    ['two sections of 40 MB', '.section .a\n.zero 40000000\n.section .b\n.zero 40000000\n', /the sections together \(80000000 bytes; .a 40000000\) are larger than the limit on section size/],
    ['a store offset beyond 64 bits', 'sw t0, 99999999999999999999(t1)\n', /in\.S:1:8: error: number 99999999999999999999 does not fit in 64 bits/],
    ['a store offset beyond 2^53', 'sw t0, 0x7fffffffffffffff(t1)\n', /sw: operand 2 \(signed 12-bit store offset\) must be -2048\.\.2047, got a value beyond ±2\^53/],
    ['a NUL byte', 'nop\n\u0000\n', /in\.S:2:1: error: unexpected character U\+0000/],
  ])('%s', async (_what, source, message) => {
    const r = await rvsmp(['asm', file('in.S', source), '-o', join(dir, 'out.elf')]);
    refused(r, 1, message);
  });

  it('--max-section raises the section limit', async () => {
    const src = file('big.S', '  .data\n.zero 70000000\n');
    refused(await rvsmp(['asm', src, '-o', join(dir, 'big.elf')]), 1, /limit on section size/);
    expect((await rvsmp(['asm', src, '-o', join(dir, 'big.elf'), '--max-section', '80'])).status).toBe(0);
  });
});

describe('input files past the size limit', () => {
  it.each(['run', 'disasm', 'debug', 'litmus', 'asm'])('%s refuses a file over --max-input, naming the file, the limit and the flag', async (cmd) => {
    const big = file(`big-${cmd}`, new Uint8Array(3 << 20));
    const args = cmd === 'asm' ? ['asm', big, '-o', join(dir, 'x.elf')] : cmd === 'debug' ? ['debug', big, '--commands', file('q', 'quit\n')] : [cmd, big];
    const r = await rvsmp([...args, '--max-input', '2']);
    const text = r.stderr + r.stdout;
    expect(text).toMatch(new RegExp(`big-${cmd} is larger than the limit on input file size \\(2 MiB; --max-input MiB raises it\\)`));
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBe(70);
  });

  it('rvsmp run /dev/zero stops at the default limit', async () => {
    refused(await rvsmp(['run', '/dev/zero']), 2, /\/dev\/zero is larger than the limit on input file size \(64 MiB; --max-input MiB raises it\)/);
  });
});

describe('flags and outputs', () => {
  it('run --pct-depth 9007199254740991', async () => {
    refused(await rvsmp(['run', spinElf, '--pct-depth', '9007199254740991']), 2, /--pct-depth 9007199254740991: at most 10,000/);
  });

  it('build-roms --out naming an existing file, or empty', async () => {
    refused(await rvsmp(['build-roms', '--out', spinElf]), 2, /--out .*spin\.elf: cannot make the folder: a file of that name/);
    refused(await rvsmp(['build-roms', '--out', '']), 2, /--out needs a folder name/);
  });
});

describe('litmus files past their limits', () => {
  const SB = '{\n0:x5=1; 0:x6=x; 0:x8=y;\n1:x5=1; 1:x6=y; 1:x8=x;\n}\n P0          | P1          ;\n sw x5,0(x6) | sw x5,0(x6) ;\n lw x7,0(x8) | lw x7,0(x8) ;\n';
  it.each([
    ['a condition naming a thread the test does not have', `RISCV t\n${SB}exists (0:x7=0 /\\ 5:x7=0)\n`, /t\.litmus:9: the condition names 5:x7, but the test has threads 0\.\.1/],
    ['5,000 nested parentheses in the condition', `RISCV t\n${SB}exists ${'('.repeat(5000)}0:x7=0${')'.repeat(5000)}\n`, /t\.litmus:9: in condition: nested more than 1000 deep/],
    ['one thread of 50,000 stores', `RISCV t\n{\n0:x5=1; 0:x6=x;\n}\n P0 ;\n${' sw x5,0(x6) ;\n'.repeat(50000)}exists (x=1)\n`, /t\.litmus:1006: more than 1,000 rows: the limit on instructions in a litmus thread \(1,000; --max-thread-insns N raises it\)/],
    ['70 threads', `RISCV t\n{\n}\n ${Array.from({ length: 70 }, (_, i) => `P${i}`).join(' | ')} ;\n exists (x=1)\n`, /t\.litmus:4: 70 threads: over the limit on threads in a litmus test \(64; --max-threads N raises it\)/],
  ])('%s', async (_what, text, message) => {
    const r = await rvsmp(['litmus', file('t.litmus', text), '--runs', '2', '--jobs', '1']);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(1);
    expectNoStackTrace(r.stderr);
  });
});

describe('the debugger on a guest that never exits', () => {
  it('a batch continue stops at --max-steps with a message, and the batch exits 1', async () => {
    const r = await rvsmp(['debug', spinElf, '--max-steps', '300000'], { input: 'continue\nstep 1000000\nquit\n' });
    expect(r.stdout).toMatch(/step 300000: hart 0 running at 0x80000002 <spin>/);
    expect(r.stderr).toMatch(/stdin:1: stopped after 300,000 steps: the limit on steps of one debugger command in batch mode \(300,000; --max-steps N raises it\)/);
    expect(r.stderr).toMatch(/stdin:2: stopped after 300,000 steps/);
    expect(r.status).toBe(1);
  });

  it('the history is bounded: a long continue keeps a run-length entry, and --max-history stops it', async () => {
    const dbg = new Debugger((onEvent) => {
      const m = new Machine({ harts: 2, ramSize: 1 << 20, schedule: { kind: 'random' } }, { putchar: () => {}, guestEvent: onEvent });
      m.load(SPIN, 'spin');
      return m;
    });
    dbg.historyLimit = 5000;
    const s = dbg.step(1_000_000);
    expect(s.kind).toBe('history');
    expect(dbg.historyEntries).toBeLessThan(5000 + 1100);
    // One hart, round-robin: a million steps are one run of actions and a handful of decisions.
    const one = new Debugger((onEvent) => {
      const m = new Machine({ harts: 1, ramSize: 1 << 20 }, { putchar: () => {}, guestEvent: onEvent });
      m.load(SPIN, 'spin');
      return m;
    });
    expect(one.step(1_000_000).kind).toBe('done');
    expect(one.historyEntries).toBeLessThan(10);
  });

  it('disas and x print at most 10,000 lines', async () => {
    const r = await rvsmp(['debug', spinElf], { input: 'disas _start 100000000\nx/100000000x _start\n' });
    expect(r.stderr).toMatch(/stdin:1: 100,000,000 lines: at most 10,000 per command/);
    expect(r.stderr).toMatch(/stdin:2: 100,000,000 lines: at most 10,000 per command/);
  });

  it('a bad ELF is named', async () => {
    refused(await rvsmp(['debug', file('bad.elf', 'hello')], { input: 'quit\n' }), 1, /bad\.elf: not an ELF file/);
  });

  it('Ctrl-C stops a continue on a terminal (a pseudo-terminal from util-linux script)', async () => {
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qfec', `${process.execPath} ${cli} debug ${spinElf}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => (text += b.toString('utf8')));
      child.on('error', (e) => reject(new Error(`script (util-linux) is needed for this test: ${e.message}`)));
      child.on('close', () => resolve(text));
      child.stdin.write('continue\n');
      // Interrupt once the continue has run a while; then show where it stopped and leave.
      const poll = setInterval(() => {
        if (text.includes('continue')) {
          clearInterval(poll);
          setTimeout(() => child.stdin.write('\x03'), 500);
          setTimeout(() => child.stdin.end('regs\nquit\n'), 1500);
        }
      }, 50);
      setTimeout(() => child.kill('SIGKILL'), 30_000);
    });
    expect(out).toMatch(/interrupted after [\d,]+ steps/);
    expect(out).toMatch(/hart 0 {2}pc 0x80000002 <spin>/);
  });
});

describe('the gdb stub while the guest runs', () => {
  it('answers 0x03, and a k sent during a continue', async () => {
    const open = () =>
      new Debugger((onEvent) => {
        const m = new Machine({ harts: 2, ramSize: 1 << 20 }, { putchar: () => {}, guestEvent: onEvent });
        m.load(SPIN, 'spin');
        return m;
      });
    const sum = (s: string) => [...s].reduce((a, c) => (a + c.charCodeAt(0)) & 0xff, 0).toString(16).padStart(2, '0');
    const packet = (s: string) => `$${s}#${sum(s)}`;
    for (const stop of ['\x03', packet('k')]) {
      const replies: string[] = [];
      const session = new GdbSession(open(), (d) => replies.push(d));
      const running = session.receive(packet('c'));
      await new Promise((r) => setTimeout(r, 100));
      await Promise.all([running, session.receive(stop)]);
      expect(replies.some((r) => r.startsWith('$T02')), replies.join(' ')).toBe(true);
      if (stop !== '\x03') expect(session.ended).toBe('kill');
    }
  });
});

describe('regression ROMs that spin', () => {
  it('rvsmp test stops a schedule at --max-rom-steps and reports a hang', async () => {
    const roms = join(dir, 'roms');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(roms, { recursive: true });
    writeFileSync(join(roms, 'spin.elf'), SPIN);
    writeFileSync(join(roms, 'spin.expect.json'), JSON.stringify({ scenario: 'R1', version: 'v1', harts: 1, ipi: 'clint', iterations: 1, checks: [{ model: 'sc', expect: 'hold', schedules: 3 }] }));
    const r = await rvsmp(['test', roms, '--max-rom-steps', '100000']);
    expect(r.stdout + r.stderr).toMatch(/seed 1 failed: hang: no exit within 100,000 steps/);
    expect(r.status).toBe(1);
    writeFileSync(join(roms, 'spin.expect.json'), JSON.stringify({ scenario: 'R1', version: 'v1', harts: 1, ipi: 'clint', iterations: 1, checks: [{ model: 'sc', expect: 'hold', schedules: 1e12 }] }));
    refused(await rvsmp(['test', roms]), 2, /checks\[0\]\.schedules must be at most 100,000: the limit on schedules of one ROM check/);
  });
});
