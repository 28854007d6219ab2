/**
 * Directives, relocation operators, local labels, options and data through the text assembler,
 * compared section by section with GNU as + ld; and our ELF checked with readelf and objdump.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assemble, readElf, writeElf } from '../../assembler/index.js';
import { gnuAssembleAndLink, gnuObjdump, normalise, requireBinutils, tempDir } from '../helpers/binutils.js';
import { rvsmp } from '../helpers/cli.js';

// %hi/%lo need addresses in the signed 32-bit range (medlow), so this program lives at 0x20000000.
const BASE = 0x20000000n;

const SOURCE = `
    .equ UART, 0x10000000
    .set COUNT, 3 * (2 + 1)
    .option norelax
    .text
    .globl _start
    .type _start, @function
_start:
    lui     a0, %hi(message)
    addi    a0, a0, %lo(message)
    ld      a1, %lo(table)(a0)
    sd      a1, %lo(table+8)(a0)
1:  auipc   t0, %pcrel_hi(table)
    ld      t1, %pcrel_lo(1b)(t0)
    li      t2, COUNT
    li      a2, UART
    li      a3, 0x123456789abcdef0
    li      a4, -1
2:  addi    t2, t2, -1
    bnez    t2, 2b
    beqz    t2, 3f
    nop
3:  j       4f
    .align 3
4:  call    helper
    tail    helper
    .option push
    .option norvc
    add     a0, a0, a1
    mv      a0, a1
    .option pop
    add     a0, a0, a1
    .balign 16
    .p2align 2
    la      a5, counter
    lla     a6, counter
    fence   rw, rw
    fence.tso
    fence
    csrr    a0, mhartid ; csrw mscratch, a0
    amoadd.w.aqrl a0, a1, (a2)
    lr.d    a0, 0(a1)
    jalr    ra, 4(a0)
    jalr    a0
    jr      a0
    ret
    .size _start, . - _start
helper:
    ret
    .section .rodata
message:
    .ascii  "hi\\t"
    .asciz  "there\\n"
    .string "x"
    .byte   1, 2, 0xff, -1, 'A
    .half   0x1234
    .short  -2
    .align  3
table:
    .dword  0x1122334455667788, message, table + 8
    .quad   COUNT
    .word   0xdeadbeef, UART
    .zero   3
    .space  2, 0xaa
    .data
counter:
    .dword  0
    .section .sdata, "aw"
small:
    .word   7
    .bss
buffer:
    .zero   64
`;

describe('text assembler features against GNU as + ld', () => {
  let dir: string;
  let gnuElfPath: string;
  beforeAll(() => {
    requireBinutils();
    dir = tempDir();
    gnuElfPath = gnuAssembleAndLink(dir, 'features', SOURCE, true, BASE);
  });

  it('produces the same bytes in every section at the same addresses', () => {
    const gnu = readElf(new Uint8Array(readFileSync(gnuElfPath)));
    const want = gnu.sections.filter((s) => ['.text', '.rodata', '.data', '.sdata', '.bss'].includes(s.name));
    const image = assemble(SOURCE, { file: 'features.S', rvc: true, sections: Object.fromEntries(want.map((s) => [s.name, s.addr])) });
    for (const s of want) {
      const ours = image.sections.find((x) => x.name === s.name);
      expect(ours, s.name).toBeDefined();
      // ld's .bss output section also holds .sbss and COMMON padding, so only its start is compared.
      if (s.name === '.bss') continue;
      expect(ours!.size, `${s.name} size`).toBe(s.size);
      expect(Buffer.from(ours!.data).toString('hex'), s.name).toBe(Buffer.from(s.data).toString('hex'));
    }
    for (const name of ['_start', 'helper', 'message', 'table', 'counter', 'small', 'buffer']) {
      expect(image.symbols.find((x) => x.name === name)?.value, name).toBe(gnu.symbols.find((x) => x.name === name)?.value);
    }
    expect(image.symbols.find((x) => x.name === '_start')?.size).toBe(gnu.symbols.find((x) => x.name === '_start')?.size);
  });

  it('writes an ELF that readelf accepts and objdump lists exactly as rvsmp disasm does', () => {
    const image = assemble(SOURCE, { file: 'features.S', rvc: true, base: BASE });
    const path = join(dir, 'ours.elf');
    writeFileSync(path, writeElf(image));
    const readelf = execFileSync('riscv64-unknown-elf-readelf', ['-W', '-h', '-l', '-S', '-s', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(readelf).toMatch(/Machine:\s+RISC-V/);
    expect(readelf).toMatch(/Type:\s+EXEC/);
    expect(readelf).toMatch(/Entry point address:\s+0x20000000/);
    expect(readelf).toMatch(/Flags:\s+0x1, RVC/);
    expect(readelf).toMatch(/LOAD .* R E/);
    expect(readelf).toMatch(/GLOBAL\s+DEFAULT\s+\d+ _start/);
    expect(readelf).not.toMatch(/[Ww]arning|[Ee]rror/);
    const theirs = gnuObjdump(path).map((l) => `${l.addr.toString(16)} ${l.hex} ${l.text}`);
    const ours = rvsmp(['disasm', path]);
    expect(ours.status).toBe(0);
    const mine = ours.stdout.split('\n').flatMap((l) => {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s+\t(.*)$/.exec(l);
      return m ? [`${m[1]} ${m[2]} ${normalise(m[3]!)}`] : [];
    });
    expect(mine.length).toBeGreaterThan(30);
    expect(mine).toEqual(theirs);
  });

  it('round-trips an image through the ELF writer and reader', () => {
    const image = assemble(SOURCE, { rvc: true, base: BASE });
    const elf = readElf(writeElf(image));
    expect(elf.entry).toBe(image.entry);
    for (const s of image.sections) {
      const seg = elf.segments.find((x) => x.vaddr === s.addr);
      expect(seg, s.name).toBeDefined();
      expect(seg!.memsz).toBe(BigInt(s.size));
      if (s.kind !== 'bss') expect(Buffer.from(seg!.data).equals(Buffer.from(s.data))).toBe(true);
    }
    const tohost = elf.symbols.find((x) => x.name === 'counter');
    expect(tohost?.value).toBe(image.symbols.find((x) => x.name === 'counter')?.value);
  });
});
