/** decode(encode(x)) == x for every form of the table, with random and edge operands. */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../assembler/codec.js';
import { INSNS } from '../../assembler/isa/table.js';
import { immRange } from '../../assembler/isa/operands.js';
import { randomValue } from '../helpers/gen-insns.js';
import { Prng, testSeed } from '../helpers/prng.js';

const seed = testSeed('codec round trip');

describe('decode(encode(x)) == x', () => {
  it.each(INSNS.map((s) => [s.name, s] as const))('%s', (_name, spec) => {
    const rng = new Prng(seed ^ spec.id);
    for (let n = 0; n < 300; n++) {
      const args = spec.kinds.map((k) => randomValue(rng, k));
      const word = encode(spec, args);
      const d = decode(word);
      expect(d, `${spec.name} ${args} -> 0x${word.toString(16)}`).toBeDefined();
      expect(d!.spec.name).toBe(spec.name);
      expect(d!.args).toEqual(args);
      expect(d!.size).toBe(spec.size);
    }
  });

  it('refuses out-of-range operands with the instruction and operand named', () => {
    const addi = INSNS.find((s) => s.name === 'addi')!;
    expect(() => encode(addi, [10, 10, 2048])).toThrow(/addi: operand 3 \(signed 12-bit immediate\) must be -2048..2047, got 2048/);
    const cld = INSNS.find((s) => s.name === 'c.ld')!;
    expect(() => encode(cld, [10, 12, 11])).toThrow(/c.ld: operand 2 .* must be a multiple of 8/);
    expect(() => encode(cld, [1, 8, 11])).toThrow(/c.ld: operand 1 .* must be one of s0, s1, a0..a5/);
    const beq = INSNS.find((s) => s.name === 'beq')!;
    expect(() => encode(beq, [1, 2, 4096])).toThrow(/beq: operand 3 .* must be -4096..4094/);
    expect(() => encode(beq, [1, 2, 3])).toThrow(/multiple of 2/);
  });

  it('decodes reserved compressed encodings as illegal', () => {
    expect(decode(0x0000)?.spec.name).toBe('c.unimp');
    expect(decode(0x8002)).toBeUndefined(); // c.jr x0 is reserved
    expect(decode(0x6101)).toBeUndefined(); // c.addi16sp with imm 0 is reserved
    expect(decode(0x6501 & ~0x007c)).toBeUndefined(); // c.lui a0, 0 is reserved
    expect(decode(0x2001)).toBeUndefined(); // c.addiw x0 is reserved
    expect(decode(0xffffffff)).toBeUndefined();
  });

  it('ranges of each immediate kind match the spec', () => {
    const kinds = Object.fromEntries(INSNS.flatMap((s) => s.operands.map((o, i) => [o, s.kinds[i]!] as const)));
    const r = (k: string) => immRange(kinds[k] as never);
    expect(r('imm12')).toEqual({ min: -2048, max: 2047, step: 1 });
    expect(r('bimm')).toEqual({ min: -4096, max: 4094, step: 2 });
    expect(r('jimm')).toEqual({ min: -1048576, max: 1048574, step: 2 });
    expect(r('c_jimm')).toEqual({ min: -2048, max: 2046, step: 2 });
    expect(r('c_bimm')).toEqual({ min: -256, max: 254, step: 2 });
    expect(r('c_nzimm10')).toEqual({ min: -512, max: 496, step: 16 });
    expect(r('c_uimm9sp')).toEqual({ min: 0, max: 504, step: 8 });
  });
});
