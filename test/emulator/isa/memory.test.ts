/**
 * ISA ROMs, memory and control flow: loads and stores of every width with sign extension,
 * misaligned accesses (emulated), compressed loads and stores, branches, jumps and link values,
 * auipc, LR/SC and every AMO on one hart, fences, and self-modifying code through the decode cache
 * and the block compiler.
 */
import { describe, expect, it } from 'vitest';
import type { Reg } from '../../../assembler/dsl/asm.js';
import { s32, s64, u64 } from './reference.js';
import { Rom } from './rom.js';

const PATTERN = 0xfedcba9876543210n;
const byteAt = (v: bigint, i: number) => (u64(v) >> BigInt(8 * i)) & 0xffn;
const slice = (v: bigint, off: number, size: number) => {
  let r = 0n;
  for (let i = size - 1; i >= 0; i--) r = (r << 8n) | byteAt(v, off + i);
  return r;
};
const sext = (v: bigint, bits: number) => BigInt.asIntN(bits, v);

function loadsAndStores(rom: Rom): void {
  const loads: [string, number, boolean][] = [['lb', 1, true], ['lbu', 1, false], ['lh', 2, true], ['lhu', 2, false], ['lw', 4, true], ['lwu', 4, false], ['ld', 8, true]];
  const setup = () => {
    rom.a.la('a5', 'scratch');
    rom.a.li('a1', PATTERN).sd('a1', 0, 'a5');
    rom.a.li('a1', 0x0123456789abcdefn).sd('a1', 8, 'a5');
  };
  const both = (off: number, size: number) => (off + size <= 8 ? slice(PATTERN, off, size) : (() => {
    // Bytes spanning the two dwords.
    let r = 0n;
    for (let i = size - 1; i >= 0; i--) {
      const at = off + i;
      r = (r << 8n) | (at < 8 ? byteAt(PATTERN, at) : byteAt(0x0123456789abcdefn, at - 8));
    }
    return r;
  })());
  for (const [op, size, signed] of loads) {
    for (let off = 0; off < 8; off++) {
      const aligned = off % size === 0;
      rom.check(`${op} at +${off}${aligned ? '' : ' (misaligned)'}`, (a) => {
        setup();
        (a as unknown as Record<string, (...x: unknown[]) => void>)[op]!('a0', off, 'a5');
      }, { a0: signed ? sext(both(off, size), size * 8) : both(off, size), s7: 0 });
    }
  }
  for (const [op, size] of [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]] as const) {
    for (const off of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const value = 0x1122334455667788n;
      const mask = size === 8 ? -1n : (1n << BigInt(size * 8)) - 1n;
      let expected = 0n;
      for (let i = 15; i >= 0; i--) {
        const inStore = i >= off && i < off + size;
        const b = inStore ? (u64(value & mask) >> BigInt(8 * (i - off))) & 0xffn : i < 8 ? byteAt(PATTERN, i) : byteAt(0x0123456789abcdefn, i - 8);
        expected = (expected << 8n) | b;
      }
      rom.check(`${op} at +${off}`, (a) => {
        setup();
        a.li('a1', value);
        (a as unknown as Record<string, (...x: unknown[]) => void>)[op]!('a1', off, 'a5');
        a.ld('a2', 0, 'a5').ld('a3', 8, 'a5');
      }, { a2: s64(expected & ((1n << 64n) - 1n)), a3: s64(expected >> 64n), s7: 0 });
    }
  }
  // Compressed loads and stores, with sp-relative forms.
  rom.check('c.sd/c.ld, c.sw/c.lw', (a) => {
    a.la('s0', 'scratch');
    a.li('a0', -5n).c_sd('a0', 8, 's0').c_ld('a1', 8, 's0');
    a.li('a2', 0xffffffff80000000n).c_sw('a2', 16, 's0').c_lw('a3', 16, 's0');
  }, { a1: -5n, a3: -0x80000000n });
  rom.check('c.sdsp/c.ldsp, c.swsp/c.lwsp', (a) => {
    a.mv('s1', 'sp');
    a.la('sp', 'scratch');
    a.li('a0', 0x123456789n).c_sdsp('a0', 24).c_ldsp('a4', 24);
    a.li('a0', -2n).c_swsp('a0', 32).c_lwsp('a5', 32);
    a.mv('sp', 's1');
  }, { a4: 0x123456789n, a5: -2n });
}

function controlFlow(rom: Rom): void {
  const vals: [bigint, bigint][] = [[1n, 1n], [1n, 2n], [-1n, 1n], [1n, -1n], [-0x8000000000000000n, 0x7fffffffffffffffn], [0n, 0n], [0xffffffffn, 0x100000000n]];
  const conds: Record<string, (a: bigint, b: bigint) => boolean> = {
    beq: (a, b) => a === b, bne: (a, b) => a !== b, blt: (a, b) => a < b, bge: (a, b) => a >= b,
    bltu: (a, b) => u64(a) < u64(b), bgeu: (a, b) => u64(a) >= u64(b),
  };
  for (const [op, f] of Object.entries(conds)) {
    for (const [x, y] of vals) {
      rom.check(`${op} ${x}, ${y}`, (a) => {
        const taken = a.label();
        const done = a.label();
        a.li('a0', x).li('a1', y).li('a2', 0);
        (a as unknown as Record<string, (...z: unknown[]) => void>)[op]!('a0', 'a1', taken);
        a.j(done);
        a.bind(taken);
        a.li('a2', 1);
        a.bind(done);
      }, { a2: f(x, y) ? 1 : 0 });
    }
  }
  rom.check('beqz/bnez compressed', (a) => {
    const t1 = a.label(), t2 = a.label(), d = a.label();
    a.li('a0', 0).li('a2', 0);
    a.c_beqz('a0', t1).li('a2', 9);
    a.bind(t1);
    a.li('a0', 3);
    a.c_bnez('a0', t2).li('a2', 9);
    a.bind(t2);
    a.j(d).li('a2', 9);
    a.bind(d);
  }, { a2: 0 });
  rom.check('jal links pc+4, c.jal-free c.j, jalr with offset and rd = rs1', (a) => {
    const f = a.label(), back = a.label(), tgt = a.label();
    a.jal('ra', f);
    a.bind(back);
    a.la('t0', back).sub('a3', 'ra', 't0'); // 0 when ra == back
    a.la('a0', tgt);
    a.addi('a0', 'a0', -8);
    a.jalr('a0', 8, 'a0'); // jumps to tgt, a0 = return address
    a.bind(tgt);
    a.la('t0', tgt).sub('a4', 'a0', 't0'); // a0 = address after the jalr = tgt (4 bytes before it is the jalr)
    const over = a.label();
    a.j(over);
    a.bind(f);
    a.ret();
    a.bind(over);
  }, { a3: 0, a4: 0 });
  rom.check('c.jalr links pc+2 and c.jr returns', (a) => {
    const f = a.label(), after = a.label(), over = a.label();
    a.la('a1', f);
    a.c_jalr('a1');
    a.bind(after);
    a.la('t0', after).sub('a3', 'ra', 't0');
    a.j(over);
    a.bind(f);
    a.c_jr('ra');
    a.bind(over);
  }, { a3: 0 });
  rom.check('auipc is pc-relative', (a) => {
    const here = a.here();
    a.withRvc(false, () => a.auipc('a0', 0).auipc('a1', 1));
    a.la('t0', here).sub('a2', 'a0', 't0').sub('a3', 'a1', 't0');
  }, { a2: 0, a3: 0x1004 });
}

function atomics(rom: Rom): void {
  const init = 0x80000001fffffffen;
  const operand = 0x7ffffffff0000003n;
  const w = (v: bigint) => s32(v);
  const ops: Record<string, (old: bigint, v: bigint, bits: 32 | 64) => bigint> = {
    amoswap: (_o, v) => v,
    amoadd: (o, v, b) => BigInt.asIntN(b, o + v),
    amoxor: (o, v, b) => BigInt.asIntN(b, o ^ v),
    amoand: (o, v, b) => BigInt.asIntN(b, o & v),
    amoor: (o, v, b) => BigInt.asIntN(b, o | v),
    amomin: (o, v, b) => (BigInt.asIntN(b, o) < BigInt.asIntN(b, v) ? BigInt.asIntN(b, o) : BigInt.asIntN(b, v)),
    amomax: (o, v, b) => (BigInt.asIntN(b, o) > BigInt.asIntN(b, v) ? BigInt.asIntN(b, o) : BigInt.asIntN(b, v)),
    amominu: (o, v, b) => (BigInt.asUintN(b, o) < BigInt.asUintN(b, v) ? BigInt.asIntN(b, o) : BigInt.asIntN(b, v)),
    amomaxu: (o, v, b) => (BigInt.asUintN(b, o) > BigInt.asUintN(b, v) ? BigInt.asIntN(b, o) : BigInt.asIntN(b, v)),
  };
  for (const [op, f] of Object.entries(ops)) {
    for (const [suffix, bits] of [['w', 32], ['d', 64]] as const) {
      for (const order of ['', '_aq', '_rl', '_aqrl']) {
        const m = `${op}_${suffix}${order}`;
        const old = bits === 32 ? w(init) : init;
        const after = bits === 32 ? BigInt.asIntN(64, (init & ~0xffffffffn) | BigInt.asUintN(32, f(init, operand, 32))) : f(init, operand, 64);
        rom.check(`${m}`, (a) => {
          a.la('a5', 'scratch');
          a.li('a1', init).sd('a1', 0, 'a5');
          a.li('a2', operand);
          (a as unknown as Record<string, (...x: unknown[]) => void>)[m]!('a0', 'a2', 'a5');
          a.ld('a3', 0, 'a5');
        }, { a0: old, a3: after, s7: 0 });
      }
    }
  }
  rom.check('lr.w/sc.w succeed, sc.w without a reservation fails', (a) => {
    a.la('a5', 'scratch');
    a.li('a1', -7n).sd('a1', 0, 'a5');
    a.lr_w('a0', 'a5');
    a.li('a2', 42).sc_w('a3', 'a2', 'a5');
    a.sc_w('a4', 'a2', 'a5'); // the reservation is gone
    a.ld('t1', 0, 'a5');
  }, { a0: -7n, a3: 0, a4: 1, t1: BigInt.asIntN(64, (-7n & ~0xffffffffn) | 42n) });
  rom.check('lr.d/sc.d.aqrl, and sc to another address fails', (a) => {
    a.la('a5', 'scratch');
    a.li('a1', 0x1234n).sd('a1', 0, 'a5').sd('a1', 8, 'a5');
    a.lr_d_aq('a0', 'a5');
    a.addi('a4', 'a5', 8);
    a.li('a2', 99).sc_d('a3', 'a2', 'a4'); // different address: fails
    a.lr_d('a0', 'a5');
    a.sc_d_aqrl('t2', 'a2', 'a5');
    a.ld('t1', 0, 'a5').ld('t0', 8, 'a5');
  }, { a0: 0x1234n, a3: 1, t2: 0, t1: 99, t0: 0x1234n });
  rom.check('misaligned amo and lr trap (store/AMO and load misaligned)', (a) => {
    a.la('a5', 'scratch').addi('a5', 'a5', 2);
    a.amoadd_w('a0', 'a1', 'a5');
    a.mv('a3', 's8');
    a.lr_d('a0', 'a5');
  }, { a3: 6, s8: 4, s7: 2 });
  rom.check('fences execute', (a) => {
    a.fence('rw', 'rw').fence('r', 'r').fence('w', 'w').fence('iorw', 'iorw').fence_tso().pause().fence_i().li('a0', 1);
  }, { a0: 1, s7: 0 });
}

function selfModifying(rom: Rom): void {
  // A loop body that is run enough to be compiled, then patched: the new instruction must run.
  rom.check('stores to code drop decoded and compiled instructions', (a) => {
    const loop = a.label(), patch = a.label(), again = a.label();
    a.li('a0', 0).li('a1', 20).li('a6', 0);
    a.bind(again);
    a.bind(loop);
    a.bind(patch);
    a.withRvc(false, () => a.addi('a0', 'a0', 1)); // patched to addi a0, a0, 100
    a.addi('a1', 'a1', -1);
    a.bnez('a1', loop);
    a.bnez('a6', 'done_smc');
    // Patch: addi a0, a0, 100 = 0x06450513
    a.la('t0', patch).li('t1', 0x06450513).sw('t1', 0, 't0').fence_i();
    a.li('a1', 3).li('a6', 1);
    a.j(again);
    a.here('done_smc');
  }, { a0: 20 + 300 });
}

describe('ISA ROM: memory, control flow and atomics', () => {
  for (const jit of [true, false]) {
    it(`loads, stores, misaligned accesses, compressed forms (${jit ? 'compiled' : 'interpreted'})`, () => {
      const rom = new Rom();
      loadsAndStores(rom);
      expect(rom.count).toBeGreaterThan(80);
      rom.run({ jit });
    });
    it(`branches, jumps, links, auipc (${jit ? 'compiled' : 'interpreted'})`, () => {
      const rom = new Rom();
      controlFlow(rom);
      rom.run({ jit });
    });
    it(`LR/SC, AMOs with every ordering, fences (${jit ? 'compiled' : 'interpreted'})`, () => {
      const rom = new Rom();
      atomics(rom);
      rom.run({ jit });
    });
    it(`self-modifying code (${jit ? 'compiled' : 'interpreted'})`, () => {
      const rom = new Rom();
      selfModifying(rom);
      rom.run({ jit });
    });
  }
});

export type { Reg };
