/**
 * ISA ROMs, integer computation: every register-register and immediate instruction of RV64I and M,
 * including W forms, shifts by 31/63 and beyond, division by zero and overflow, and the signs of
 * mulh/mulhsu/mulhu, against the independent reference. Built with automatic compression on, so
 * compressible forms (c.add, c.addi, c.srai, ...) run too, and with it off.
 */
import { describe, expect, it } from 'vitest';
import { breathe } from '../../helpers/breathe.js';
import type { Reg } from '../../../assembler/dsl/asm.js';
import { Prng, testSeed } from '../../helpers/prng.js';
import { EDGE_VALUES, IMMEDIATE_FORMS, REFERENCE } from './reference.js';
import { Rom } from './rom.js';

const seed = testSeed('isa alu');

/** Register triples (rd, rs1, rs2): distinct, aliased, and compressible (x8..x15). */
const LAYOUTS: [Reg, Reg, Reg][] = [['a2', 'a0', 'a1'], ['a0', 'a0', 'a1'], ['s1', 's1', 'a0'], ['t3', 'a3', 'a3'], ['a1', 'a0', 'a1']];

function regRegRom(rvc: boolean, ops: string[]): Rom {
  const rom = new Rom({ rvc });
  const rng = new Prng(seed);
  const values = EDGE_VALUES;
  let n = 0;
  for (const op of ops) {
    const f = REFERENCE[op]!;
    const pairs: [bigint, bigint][] = [];
    for (const a of values) for (const b of values) if (rng.chance(0.35)) pairs.push([a, b]);
    for (let i = 0; i < 12; i++) pairs.push([BigInt.asIntN(64, rng.next64()), BigInt.asIntN(64, rng.next64())]);
    for (const [a, b] of pairs) {
      const [rd, rs1, rs2] = LAYOUTS[n++ % LAYOUTS.length]!;
      // With aliasing, the operand registers hold the same value.
      const va = a;
      const vb = rs1 === rs2 ? a : b;
      rom.check(`${op} ${va}, ${vb} (${rd}, ${rs1}, ${rs2})`, (x) => {
        x.li(rs1, va);
        if (rs2 !== rs1) x.li(rs2, vb);
        (x as unknown as Record<string, (...a: unknown[]) => void>)[op]!(rd, rs1, rs2);
      }, { [rd]: f(va, vb) });
    }
  }
  return rom;
}

function immediateRom(rvc: boolean): Rom {
  const rom = new Rom({ rvc });
  const rng = new Prng(seed + 7);
  for (const [op, base] of Object.entries(IMMEDIATE_FORMS)) {
    const f = REFERENCE[base]!;
    const shift = /^s[lr][la]i/.test(op);
    const w = op.endsWith('w');
    const imms = shift ? (w ? [0, 1, 5, 31] : [0, 1, 31, 32, 63]) : [0, 1, -1, 5, -32, 31, 2047, -2048, 0x7ff, -0x800, 255];
    for (const v of [...EDGE_VALUES.slice(0, 14), BigInt.asIntN(64, rng.next64())]) {
      for (const imm of imms) {
        if (!rng.chance(0.5)) continue;
        const [rd, rs1] = rng.chance(0.5) ? (['a0', 'a0'] as const) : (['a2', 'a1'] as const);
        rom.check(`${op} ${v}, ${imm}`, (x) => {
          x.li(rs1, v);
          (x as unknown as Record<string, (...a: unknown[]) => void>)[op]!(rd, rs1, imm);
        }, { [rd]: f(v, BigInt(imm)) });
      }
    }
  }
  // lui and auipc, x0 as a destination, and li of every shape (the assembler's sequences run here).
  rom.check('lui sign-extends', (x) => x.lui('a0', 0x80000), { a0: -0x80000000n });
  rom.check('lui 0xfffff', (x) => x.lui('a0', 0xfffff), { a0: -0x1000n });
  rom.check('c.lui', (x) => x.c_lui('a0', 0xfffe1), { a0: -0x1f000n });
  rom.check('writes to x0 are discarded', (x) => {
    x.li('a0', 5);
    x.addi('zero', 'a0', 1);
    x.add('a1', 'zero', 'zero');
  }, { zero: 0, a1: 0 });
  for (const v of [0n, 0x7ffn, 0x800n, 0x12345n, -0x12345n, 0x7fffffffn, 0x80000000n, 0xfffffffffn, 0x123456789abcdef0n, -1n, -0x8000000000000000n, 0x7fffffffffffffffn]) {
    rom.check(`li ${v}`, (x) => x.li('a4', v), { a4: v });
  }
  return rom;
}

describe('ISA ROM: integer instructions against the reference', () => {
  const ops = Object.keys(REFERENCE);
  for (const rvc of [true, false]) {
    it(`register-register forms (${rvc ? 'with' : 'without'} compression)`, async () => {
      // In four ROMs, a breath between them (each is built and run in one synchronous stretch).
      let count = 0;
      const quarter = Math.ceil(ops.length / 4);
      for (let i = 0; i < ops.length; i += quarter) {
        await breathe();
        const rom = regRegRom(rvc, ops.slice(i, i + quarter));
        count += rom.count;
        rom.run({ maxInsns: 20_000_000 });
      }
      expect(count).toBeGreaterThan(1500);
    });
    it(`immediate forms, lui, li (${rvc ? 'with' : 'without'} compression)`, () => {
      const rom = immediateRom(rvc);
      expect(rom.count).toBeGreaterThan(200);
      rom.run();
    });
  }

  it('the reference itself agrees with known results from the ISA manual', () => {
    expect(REFERENCE.div!(-7n, 2n)).toBe(-3n);
    expect(REFERENCE.rem!(-7n, 2n)).toBe(-1n);
    expect(REFERENCE.mulhu!(-1n, -1n)).toBe(-2n);
    expect(REFERENCE.mulh!(-1n, -1n)).toBe(0n);
    expect(REFERENCE.mulhsu!(-1n, -1n)).toBe(-1n);
    expect(REFERENCE.sraw!(-0x80000000n, 31n)).toBe(-1n);
    expect(REFERENCE.srlw!(-0x80000000n, 31n)).toBe(1n);
    expect(REFERENCE.divuw!(-1n, 0n)).toBe(-1n);
    expect(REFERENCE.remuw!(0xffffffffn, 0n)).toBe(-1n);
  });
});
