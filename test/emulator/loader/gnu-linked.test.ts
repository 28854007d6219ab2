/**
 * ELF files linked the ordinary way (issue 18): GNU ld with its defaults puts the ELF and program
 * headers in the first PT_LOAD segment, a page below .text (0x7ffff000 with -Ttext=0x80000000). As
 * QEMU does, rvsmp skips segment bytes outside RAM that no allocated section occupies; a section
 * outside RAM stays an error that names it. Each image is run by rvsmp and by
 * `qemu-system-riscv64 -machine virt -bios none -kernel`, and both must exit through the finisher.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBinutils, tempDir } from '../../helpers/binutils.js';
import { expectNoStackTrace, rvsmpAsync as rvsmp, spawnAsync } from '../../helpers/cli.js';

const dir = tempDir();
const PREFIX = 'riscv64-unknown-elf-';
// Writes 0x5555 (pass) to the SiFive test finisher, after reading a word of .data and zeroing .bss.
const SOURCE = `
  .option norelax
  .globl _start
_start:
  la t0, value
  lw t1, 0(t0)
  la t2, scratch
  sw t1, 0(t2)
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
  .data
value: .word 42
  .bss
scratch: .zero 64
`;
const SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text : { *(.text*) }
  .data : { *(.data*) }
  .bss : { *(.bss*) }
}
`;
const C_SOURCE = `
volatile unsigned *const finisher = (unsigned *)0x100000;
int value = 42;
int scratch[16];
void _start(void) { scratch[3] = value; *finisher = 0x5555; for (;;) ; }
`;

function tool(name: string, args: string[]): void {
  execFileSync(PREFIX + name, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

function firstLoad(elf: string): bigint {
  const out = execFileSync(`${PREFIX}readelf`, ['-lW', join(dir, elf)], { encoding: 'utf8' });
  const m = /^\s*LOAD\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/m.exec(out);
  return BigInt('0x' + m![1]);
}

async function qemuExit(elf: string): Promise<number> {
  const r = await spawnAsync('qemu-system-riscv64', ['-machine', 'virt', '-bios', 'none', '-nographic', '-kernel', join(dir, elf)], { timeout: 30_000 });
  return r.status;
}

beforeAll(() => {
  requireBinutils();
  writeFileSync(join(dir, 'prog.S'), SOURCE);
  writeFileSync(join(dir, 'link.ld'), SCRIPT);
  writeFileSync(join(dir, 'prog.c'), C_SOURCE);
  tool('as', ['prog.S', '-o', 'prog.o']);
  tool('ld', ['-Ttext=0x80000000', 'prog.o', '-o', 'ttext.elf']);
  tool('ld', ['-Ttext-segment=0x80000000', 'prog.o', '-o', 'tsegment.elf']);
  tool('ld', ['-T', 'link.ld', '--no-warn-rwx-segments', 'prog.o', '-o', 'script.elf']);
  tool('gcc', ['-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany', '-nostdlib', '-O2', '-Wl,-Ttext=0x80000000', '-Wl,--no-relax', 'prog.c', '-o', 'gcc.elf']);
  tool('ld', ['-Ttext=0x70000000', 'prog.o', '-o', 'text-outside.elf']);
  tool('ld', ['-Ttext=0x80000000', '-Tdata=0x1000', 'prog.o', '-o', 'data-outside.elf']);
  tool('ld', ['-Ttext=0x80000000', '-Tbss=0xa0000000', 'prog.o', '-o', 'bss-outside.elf']);
});

describe('ELF files linked by GNU ld and gcc with their defaults', () => {
  it('-Ttext=0x80000000 puts the headers below RAM, and the file runs as on QEMU', async () => {
    expect(firstLoad('ttext.elf')).toBe(0x7ffff000n);
    const r = await rvsmp(['run', join(dir, 'ttext.elf')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(await qemuExit('ttext.elf')).toBe(0);
  });

  it('-Ttext-segment=0x80000000 puts the headers at the start of RAM and runs from the entry point', async () => {
    // (QEMU without firmware starts at the base of RAM, the headers here, not at the entry point.)
    expect(firstLoad('tsegment.elf')).toBe(0x80000000n);
    const r = await rvsmp(['run', join(dir, 'tsegment.elf')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(['script.elf', 'gcc.elf'])('%s runs as on QEMU', async (elf) => {
    const r = await rvsmp(['run', join(dir, elf)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(await qemuExit(elf)).toBe(0);
  });

  it('gcc -Wl,-Ttext: the headers below RAM too', () => {
    expect(firstLoad('gcc.elf')).toBe(0x7ffff000n);
  });

  it('the debugger opens such a file', async () => {
    const r = await rvsmp(['debug', join(dir, 'ttext.elf')], { input: 'break _start\ncontinue\ncontinue\nquit\n' });
    expect(r.stdout).toContain('breakpoint 1');
    expect(r.stdout).toMatch(/exited with code 0/);
    expect(r.status).toBe(0);
  });

  it.each([
    ['text-outside.elf', '.text', '0x70000000'],
    ['data-outside.elf', '.data', '0x1000'],
    ['bss-outside.elf', '.bss', '0xa0000000'],
  ])('%s: section contents outside RAM are an error naming the section', async (elf, section, addr) => {
    const r = await rvsmp(['run', join(dir, elf)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${elf}: section ${section} at ${addr}..`);
    expect(r.stderr).toContain('is outside RAM');
    expectNoStackTrace(r.stderr);
  });
});
