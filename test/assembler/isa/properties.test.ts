/**
 * Instruction properties as data (assembler/isa/properties.ts): derived from each instruction's
 * encoding and operands, and the only place the emulator learns what an instruction is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSN_PROPS } from '../../../assembler/isa/properties.js';
import { OP_NAMES } from '../../../emulator/hart/decode-cache.js';

describe('instruction properties', () => {
  it('every instruction the emulator runs has them (but the illegal ones)', () => {
    expect(OP_NAMES.filter((n) => !INSN_PROPS[n])).toEqual(['c.unimp', 'illegal']);
  });

  it('classes, access sizes and signedness follow the encoding', () => {
    const pick = (n: string) => {
      const p = INSN_PROPS[n]!;
      return [p.cls, p.size, p.signed];
    };
    expect(pick('lb')).toEqual(['load', 1, true]);
    expect(pick('lhu')).toEqual(['load', 2, false]);
    expect(pick('lwu')).toEqual(['load', 4, false]);
    expect(pick('ld')).toEqual(['load', 8, true]);
    expect(pick('sh')).toEqual(['store', 2, false]);
    expect(pick('sd')).toEqual(['store', 8, false]);
    expect(pick('lr.w.aq')).toEqual(['lr', 4, false]);
    expect(pick('sc.d.rl')).toEqual(['sc', 8, false]);
    expect(pick('amomaxu.d.aqrl')).toEqual(['amo', 8, false]);
    expect(pick('addw')).toEqual(['alu', 0, false]);
    expect(pick('fence.tso')[0]).toBe('fence');
    expect(pick('pause')[0]).toBe('pause');
    expect(pick('fence.i')[0]).toBe('fence.i');
    expect(pick('csrrwi')[0]).toBe('csr');
    for (const n of ['ecall', 'ebreak', 'mret', 'sret', 'wfi', 'sfence.vma']) expect(INSN_PROPS[n]!.cls, n).toBe('system');
    expect(INSN_PROPS['amoswap.w.aqrl']).toMatchObject({ aq: true, rl: true });
    expect(INSN_PROPS['lr.w.aq']).toMatchObject({ aq: true, rl: false });
  });

  it('registers read and written come from the operands', () => {
    expect(INSN_PROPS.add).toMatchObject({ readsRs1: true, readsRs2: true, writesRd: true });
    expect(INSN_PROPS.addi).toMatchObject({ readsRs1: true, readsRs2: false, writesRd: true });
    expect(INSN_PROPS.lui).toMatchObject({ readsRs1: false, readsRs2: false, writesRd: true });
    expect(INSN_PROPS.sw).toMatchObject({ readsRs1: true, readsRs2: true, writesRd: false });
    expect(INSN_PROPS.beq).toMatchObject({ readsRs1: true, readsRs2: true, writesRd: false, endsBlock: true, serialises: false });
    expect(INSN_PROPS.csrrw).toMatchObject({ readsRs1: true, writesRd: true, serialises: true });
    expect(INSN_PROPS.csrrsi).toMatchObject({ readsRs1: false, writesRd: true });
  });

  it('the emulator reads them: no regular expressions over semantic code', () => {
    for (const f of ['emulator/hart/interpreter.ts', 'emulator/hart/block-compiler.ts', 'emulator/memory/window.ts', 'emulator/debugger/debugger.ts', 'tools/trace.ts']) {
      const src = readFileSync(join(__dirname, '../../..', f), 'utf8');
      expect(src, f).not.toMatch(/\/\\bh\\\./);
      expect(src, f).not.toMatch(/test\(SEMANTICS/);
    }
  });
});
