/**
 * An independent reference for integer results, written from the ISA manual's definitions with
 * unsigned arithmetic and explicit floor division (not from emulator/hart/semantics.ts), so that
 * the ROM checks can disagree with the emulator.
 */
const TWO64 = 1n << 64n, TWO63 = 1n << 63n, TWO32 = 1n << 32n, TWO31 = 1n << 31n;
export const u64 = (v: bigint) => ((v % TWO64) + TWO64) % TWO64;
export const s64 = (v: bigint) => (u64(v) >= TWO63 ? u64(v) - TWO64 : u64(v));
export const u32 = (v: bigint) => ((v % TWO32) + TWO32) % TWO32;
export const s32 = (v: bigint) => (u32(v) >= TWO31 ? u32(v) - TWO32 : u32(v));
const floorDiv = (a: bigint, b: bigint) => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};
const pow2 = (n: bigint) => 1n << n;
const bitwise = (a: bigint, b: bigint, f: (x: boolean, y: boolean) => boolean) => {
  let r = 0n;
  const ua = u64(a), ub = u64(b);
  for (let i = 0n; i < 64n; i++) if (f(((ua >> i) & 1n) === 1n, ((ub >> i) & 1n) === 1n)) r |= 1n << i;
  return s64(r);
};
const MIN64 = -TWO63, MIN32 = -TWO31;

// prettier-ignore
export const REFERENCE: Record<string, (a: bigint, b: bigint) => bigint> = {
  add:  (a, b) => s64(a + b),
  sub:  (a, b) => s64(a - b),
  sll:  (a, b) => s64(a * pow2(u64(b) % 64n)),
  srl:  (a, b) => s64(u64(a) / pow2(u64(b) % 64n)),
  sra:  (a, b) => floorDiv(s64(a), pow2(u64(b) % 64n)),
  slt:  (a, b) => (s64(a) < s64(b) ? 1n : 0n),
  sltu: (a, b) => (u64(a) < u64(b) ? 1n : 0n),
  xor:  (a, b) => bitwise(a, b, (x, y) => x !== y),
  or:   (a, b) => bitwise(a, b, (x, y) => x || y),
  and:  (a, b) => bitwise(a, b, (x, y) => x && y),
  mul:    (a, b) => s64(a * b),
  mulh:   (a, b) => s64(floorDiv(s64(a) * s64(b), TWO64)),
  mulhsu: (a, b) => s64(floorDiv(s64(a) * u64(b), TWO64)),
  mulhu:  (a, b) => s64(u64(a) * u64(b) / TWO64),
  div:  (a, b) => (s64(b) === 0n ? -1n : s64(a) === MIN64 && s64(b) === -1n ? MIN64 : s64(s64(a) / s64(b))),
  divu: (a, b) => (u64(b) === 0n ? -1n : s64(u64(a) / u64(b))),
  rem:  (a, b) => (s64(b) === 0n ? s64(a) : s64(a) === MIN64 && s64(b) === -1n ? 0n : s64(s64(a) - (s64(a) / s64(b)) * s64(b))),
  remu: (a, b) => (u64(b) === 0n ? s64(a) : s64(u64(a) % u64(b))),
  addw: (a, b) => s32(a + b),
  subw: (a, b) => s32(a - b),
  sllw: (a, b) => s32(u32(a) * pow2(u64(b) % 32n)),
  srlw: (a, b) => s32(u32(a) / pow2(u64(b) % 32n)),
  sraw: (a, b) => floorDiv(s32(a), pow2(u64(b) % 32n)),
  mulw: (a, b) => s32(s32(a) * s32(b)),
  divw: (a, b) => (s32(b) === 0n ? -1n : s32(a) === MIN32 && s32(b) === -1n ? MIN32 : s32(s32(a) / s32(b))),
  divuw:(a, b) => (u32(b) === 0n ? -1n : s32(u32(a) / u32(b))),
  remw: (a, b) => (s32(b) === 0n ? s32(a) : s32(a) === MIN32 && s32(b) === -1n ? 0n : s32(s32(a) - (s32(a) / s32(b)) * s32(b))),
  remuw:(a, b) => (u32(b) === 0n ? s32(a) : s32(u32(a) % u32(b))),
};

/** Immediate forms: the same operation with a sign-extended immediate (shifts take the amount). */
// prettier-ignore
export const IMMEDIATE_FORMS: Record<string, string> = {
  addi: 'add', slti: 'slt', sltiu: 'sltu', xori: 'xor', ori: 'or', andi: 'and',
  slli: 'sll', srli: 'srl', srai: 'sra', addiw: 'addw', slliw: 'sllw', srliw: 'srlw', sraiw: 'sraw',
};

/** Operand values where implementations go wrong. */
export const EDGE_VALUES: bigint[] = [
  0n, 1n, -1n, 2n, -2n, 31n, 32n, 63n, 64n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn,
  0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, -0x123456789abcdef1n, 0x5555555555555555n,
];
