/** `rvsmp run` through the built CLI: exit statuses, console I/O, --max-insns, --trace, bad images. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, writeElf } from '../../assembler/index.js';
import { tempDir } from '../helpers/binutils.js';
import { expectNoStackTrace, rvsmp } from '../helpers/cli.js';

const dir = tempDir();
function image(name: string, source: string, base?: bigint): string {
  const path = join(dir, name);
  writeFileSync(path, writeElf(assemble(source, base !== undefined ? { base } : {})));
  return path;
}

const FINISH = (value: number) => `  li t0, 0x100000\n  li t1, ${value}\n  sw t1, 0(t0)\n1: j 1b\n`;
const PRINT = `
print:                      # a0 = NUL-terminated string
  li t0, 0x10000000
1: lbu t1, 0(a0)
  beqz t1, 2f
3: lbu t2, 5(t0)
  andi t2, t2, 0x20
  beqz t2, 3b
  sb t1, 0(t0)
  addi a0, a0, 1
  j 1b
2: ret
`;

describe('rvsmp run', () => {
  it('prints through the UART and exits 0 through the test finisher', () => {
    const elf = image('hello.elf', `  .globl _start\n_start:\n  la a0, msg\n  call print\n${FINISH(0x5555)}${PRINT}msg: .asciz "hello, rvsmp\\n"\n`);
    const r = rvsmp(['run', elf]);
    expect(r.stdout).toBe('hello, rvsmp\n');
    expect(r.status).toBe(0);
  });

  it("exits with the guest's failure code (finisher and HTIF)", () => {
    const fin = rvsmp(['run', image('fail.elf', `_start:\n${FINISH((3 << 16) | 0x3333)}`)]);
    expect(fin.status).toBe(3);
    expect(fin.stderr).toMatch(/guest failed with code 3 \(test finisher\)/);
    const htif = rvsmp(['run', image('htif.elf', `_start:\n  li t0, 11\n  la t1, tohost\n  sd t0, 0(t1)\n1: j 1b\n  .data\n  .balign 64\n  .globl tohost\ntohost: .dword 0\n  .globl fromhost\nfromhost: .dword 0\n`)]);
    expect(htif.status).toBe(5);
    expect(htif.stderr).toMatch(/guest failed with code 5 \(HTIF\)/);
  });

  it('prints HTIF console output', () => {
    const elf = image('htifputc.elf', `_start:\n  li t0, 0x0101000000000041\n  la t1, tohost\n  sd t0, 0(t1)\n  li t0, 1\n  sd t0, 0(t1)\n1: j 1b\n  .data\n  .balign 64\n  .globl tohost\ntohost: .dword 0\n  .globl fromhost\nfromhost: .dword 0\n`);
    const r = rvsmp(['run', elf]);
    expect(r.stdout).toBe('A');
    expect(r.status).toBe(0);
  });

  it('reads console input from a pipe', () => {
    const src = `_start:
  li t0, 0x10000000
1: lbu t1, 5(t0)      # wait for data ready
  andi t1, t1, 1
  beqz t1, 1b
  lbu t2, 0(t0)
  li t3, 10
  beq t2, t3, 2f
  addi t2, t2, -32     # upper case
  sb t2, 0(t0)
  j 1b
2: sb t2, 0(t0)
${FINISH(0x5555)}`;
    const r = rvsmp(['run', image('echo.elf', src)], { input: 'shout\n' });
    expect(r.stdout).toBe('SHOUT\n');
    expect(r.status).toBe(0);
  });

  it('stops at --max-insns with its own status and says where the hart was', () => {
    const spin = image('spin.elf', `  .globl _start\n_start:\n  nop\nspin:\n  j spin\n`);
    const r = rvsmp(['run', spin, '--max-insns', '1000', '--memory-model', 'sc']);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/--max-insns 1000 reached: hart 0 at pc 0x80000002 <spin> in M-mode, running, 1000 instructions retired/);
    // One hart runs as sc whatever the model: the default (wmo) counts instructions too.
    expect(rvsmp(['run', spin, '--max-insns', '1000']).stderr).toBe(r.stderr);
    // Under wmo with two harts a step fetches or performs in an issue window, or runs a register-only
    // instruction in the interpreter: at most one instruction retires per step here.
    const w = rvsmp(['run', spin, '--max-insns', '1000', '--harts', '2']);
    expect(w.status).toBe(124);
    const m = /--max-insns 1000 reached \(machine steps under wmo\):\n  hart 0 at pc 0x80000002 <spin> in M-mode, running, (\d+) instructions\n  hart 1 at/.exec(w.stderr);
    expect(m, w.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(100);
    expect(Number(m![1])).toBeLessThanOrEqual(1000);
  });

  it('reports a deadlock when the hart sleeps with nothing to wake it', () => {
    const r = rvsmp(['run', image('sleep.elf', `_start:\n  wfi\n  j _start\n`)]);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/deadlock: every hart is asleep in wfi .*: hart 0 at pc 0x80000004 <_start\+0x4> in M-mode, asleep in wfi/);
  });

  it('--trace prints hart, pc, symbol, disassembly and the register written', () => {
    const r = rvsmp(['run', image('trace.elf', `  .globl _start\n_start:\n  li a0, 7\n  addi a1, a0, 1\n${FINISH(0x5555)}`), '--trace']);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^hart 0 +0000000080000000 <_start> +451d +li a0,7 +a0 = 0x0000000000000007$/);
    expect(lines[1]).toMatch(/^hart 0 +0000000080000002 <_start\+0x2> +00150593 +add a1,a0,1 +a1 = 0x0000000000000008$/);
    expect(lines.length).toBeGreaterThanOrEqual(5);
  });

  it('--trace under wmo shows retirement, buffered stores, and when each access takes effect', () => {
    const src = `  .globl _start\n_start:\n  la t0, x\n  li t1, 5\n  sw t1, 0(t0)\n  lw a0, 0(t0)\n${FINISH(0x5555)}\n  .data\n  .balign 8\nx: .word 0\n`;
    // Two harts: one would run as sc.
    const r = rvsmp(['run', image('trace-wmo.elf', src), '--trace', '--seed', '3', '--harts', '2']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^hart 0 +[0-9a-f]{16} <_start\+0x[0-9a-f]+> +[0-9a-f]+ +sw t1,0\(t0\) +store buffered$/m);
    expect(r.stderr).toMatch(/^hart 0 +[0-9a-f]{16} +\(memory\) +writes \[0x8[0-9a-f]+\]\/4 = 0x5$/m);
    expect(r.stderr).toMatch(/^hart 0 +[0-9a-f]{16} +\(memory\) +reads \[0x8[0-9a-f]+\]\/4 = 0x5$/m);
    expect(r.stderr).toMatch(/^hart 0 +[0-9a-f]{16} <_start\+0x[0-9a-f]+> +[0-9a-f]+ +lw a0,0\(t0\) +a0 = 0x0000000000000005$/m);
  });

  it('--trace under tso shows a store entering the store buffer, forwarding, and the store reaching memory', () => {
    const src = `  .globl _start\n_start:\n  la t0, x\n  li t1, 5\n  sw t1, 0(t0)\n  lw a0, 0(t0)\n  fence rw,rw\n${FINISH(0x5555)}\n  .data\n  .balign 8\nx: .word 0\n`;
    const r = rvsmp(['run', image('trace-tso.elf', src), '--trace', '--memory-model', 'tso', '--seed', '3', '--harts', '2']);
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const store = at(/^hart 0 +[0-9a-f]{16} <_start\+0x[0-9a-f]+> +[0-9a-f]+ +sw t1,0\(t0\) +store buffered$/);
    const load = at(/^hart 0 +[0-9a-f]{16} <_start\+0x[0-9a-f]+> +[0-9a-f]+ +lw a0,0\(t0\) +a0 = 0x0000000000000005$/);
    const drain = at(/^hart 0 +\(store buffer\) +writes \[0x8[0-9a-f]+\]\/4 = 0x5$/);
    const fence = at(/fence rw,rw/);
    expect(store, r.stderr).toBeGreaterThanOrEqual(0);
    expect(load).toBeGreaterThan(store);
    // The store is in memory before the fence retires (drained by itself, or by the fence).
    expect(drain).toBeGreaterThan(store);
    expect(drain).toBeLessThan(fence);
  });

  it('runs a raw binary at --load-addr', () => {
    const img = assemble(`_start:\n${FINISH(0x5555)}`);
    const path = join(dir, 'raw.bin');
    writeFileSync(path, img.sections.find((s) => s.name === '.text')!.data);
    expect(rvsmp(['run', path, '--load-addr', '0x80000000']).status).toBe(0);
  });

  it.each([
    ['not an ELF file', () => { const p = join(dir, 'text.txt'); writeFileSync(p, 'hello'); return p; }, /text\.txt: not an ELF file/],
    ['a 32-bit ELF', () => { const p = join(dir, 'c32.elf'); const b = Buffer.alloc(64); b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); writeFileSync(p, b); return p; }, /not a 64-bit ELF file/],
    ['another machine', () => { const p = join(dir, 'x86.elf'); const b = Buffer.alloc(64); b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); b.writeUInt16LE(2, 16); b.writeUInt16LE(62, 18); writeFileSync(p, b); return p; }, /wrong machine: e_machine is 62, not RISC-V/],
    ['a truncated ELF', () => { const p = join(dir, 'trunc.elf'); writeFileSync(p, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0])); return p; }, /truncated/],
    ['a segment outside RAM', () => image('low.elf', `_start:\n  nop\n`, 0x1000n), /low\.elf: section \.text at 0x1000\.\.0x1002 \(in segment 0\) is outside RAM/],
  ])('refuses %s', (_what, make, message) => {
    const r = rvsmp(['run', make()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r.stderr);
  });

  it.each([
    [['run', 'x.elf', '--max-insns', 'lots'], /--max-insns needs a whole number/],
    [['run', 'x.elf', '--ram', '0'], /--ram takes a size in MiB from 1 to 4096/],
    [['run'], /missing input file/],
  ])('flags %j', (args, message) => {
    const r = rvsmp(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
