/** The DSL: the same program written with typed methods and as text gives the same image. */
import { describe, expect, it } from 'vitest';
import { Asm, hi, lo, pcrel_hi, pcrel_lo } from '../../../assembler/dsl/asm.js';
import { AsmErrors, assemble, AsmError } from '../../../assembler/index.js';

const TEXT = `
    .text
    .globl main
main:
    li      a0, 0x123456789
    la      a1, data_start
    lui     a2, %hi(value)
    lw      a3, %lo(value)(a2)
.Lhi: auipc t0, %pcrel_hi(value)
    sw      a3, %pcrel_lo(.Lhi)(t0)
loop:
    addi    a0, a0, -1
    bnez    a0, loop
    beqz    a0, done
    csrrw   zero, mscratch, a0
    fence   rw, w
    amoswap.w.aq a4, a5, (a1)
    lr.d.aqrl a4, (a1)
    call    done
done:
    ret
    .size main, . - main
    .data
data_start:
    .byte   1, 2
    .half   3
    .align  2
value:
    .word   0x11223344
    .dword  loop
    .asciz  "ok"
    .bss
    .zero   16
`;

function dslProgram(): Asm {
  const a = new Asm({ rvc: true });
  const main = a.label('main');
  const loop = a.label('loop');
  const done = a.label('done');
  const dataStart = a.label('data_start');
  const value = a.label('value');
  a.global(main);
  a.bind(main);
  a.li('a0', 0x123456789n);
  a.la('a1', dataStart);
  a.lui('a2', hi(value));
  a.lw('a3', lo(value), 'a2');
  const auipc = a.here();
  a.auipc('t0', pcrel_hi(value));
  a.sw('a3', pcrel_lo(auipc), 't0');
  a.bind(loop);
  a.addi('a0', 'a0', -1);
  a.bnez('a0', loop);
  a.beqz('a0', done);
  a.csrrw('zero', 'mscratch', 'a0');
  a.fence('rw', 'w');
  a.amoswap_w_aq('a4', 'a5', 'a1');
  a.lr_d_aqrl('a4', 'a1');
  a.call(done);
  a.bind(done);
  a.ret();
  a.global(main, { size: a.here('main_end') });
  a.data();
  a.bind(dataStart);
  a.byte(1, 2).half(3).align(4);
  a.bind(value);
  a.word(0x11223344).dword(loop).asciz('ok');
  a.bss().zero(16);
  return a;
}

describe('the DSL', () => {
  it('builds the same image as the text assembler', () => {
    const fromText = assemble(TEXT, { base: 0x10000000n, sections: { '.data': 0x10001000n, '.bss': 0x10002000n } });
    const fromDsl = dslProgram().link({ base: 0x10000000n, sections: { '.data': 0x10001000n, '.bss': 0x10002000n } });
    for (const name of ['.text', '.data', '.bss']) {
      const t = fromText.sections.find((s) => s.name === name)!;
      const d = fromDsl.sections.find((s) => s.name === name)!;
      expect(d.addr, name).toBe(t.addr);
      expect(d.size, name).toBe(t.size);
      expect(Buffer.from(d.data).toString('hex'), name).toBe(Buffer.from(t.data).toString('hex'));
    }
    const sym = (img: typeof fromText, n: string) => img.symbols.find((s) => s.name === n);
    expect(sym(fromDsl, 'main')).toMatchObject({ global: true, value: 0x10000000n, size: sym(fromText, 'main')!.size });
    expect(sym(fromDsl, 'value')!.value).toBe(sym(fromText, 'value')!.value);
  });

  it('links sections at the addresses asked for', () => {
    const img = dslProgram().link({ base: 0x20000000n, sections: { '.data': 0x20100000n } });
    expect(img.sections.find((s) => s.name === '.text')!.addr).toBe(0x20000000n);
    expect(img.sections.find((s) => s.name === '.data')!.addr).toBe(0x20100000n);
    expect(img.entry).toBe(0x20000000n);
  });

  it('compresses only when asked to', () => {
    const on = new Asm({ rvc: true });
    on.addi('a0', 'a0', 1);
    const off = new Asm({ rvc: false });
    off.addi('a0', 'a0', 1);
    const partly = new Asm({ rvc: true });
    partly.withRvc(false, () => partly.addi('a0', 'a0', 1)).addi('a0', 'a0', 1);
    expect(on.link().sections[0]!.size).toBe(2);
    expect(off.link().sections[0]!.size).toBe(4);
    expect(partly.link().sections[0]!.size).toBe(6);
  });

  it('reports an out-of-range immediate naming the instruction and the caller line', () => {
    const a = new Asm();
    expect(() => a.addi('a0', 'a0', 4096)).toThrow(AsmError);
    try {
      a.addi('a0', 'a0', 4096);
    } catch (e) {
      expect((e as AsmError).message).toMatch(/asm\.test\.ts:\d+:\d+: error: addi: operand 3 \(signed 12-bit immediate\) must be -2048..2047, got 4096/);
    }
  });

  it('reports a branch that cannot reach, at link time, with the caller line', () => {
    const a = new Asm();
    const far = a.label();
    a.beq('a0', 'a1', far);
    a.zero(5000);
    a.bind(far);
    a.nop();
    expect(() => a.link()).toThrow(AsmErrors);
    try {
      a.link();
    } catch (e) {
      expect((e as AsmErrors).errors[0]!.message).toMatch(/asm\.test\.ts:\d+:\d+: error: beq: operand 3 \(branch target \(\+-4 KiB\)\) must be -4096..4094, got 5004/);
    }
  });

  it('rejects arguments of the wrong kind with the forms it accepts', () => {
    const a = new Asm();
    expect(() => (a as unknown as { add: (...x: unknown[]) => void }).add('a0', 'a1')).toThrow(/add: arguments \(a0, a1\) match no form; expected add rd, rs1, rs2 or add rd, rs1, imm12/);
    expect(() => a.fence('rx', 'w')).toThrow(/fence/);
  });
});
