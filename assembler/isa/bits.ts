/**
 * Bit-field helpers shared by the encoder and decoder. A field is written as riscv-opcodes writes it:
 * "hi..lo" (or a single bit "n"). Scattered immediates are lists of pieces: instruction bits hi..lo
 * hold value bits starting at valueLo.
 */

export interface BitRange {
  readonly hi: number;
  readonly lo: number;
}

/** One piece of a scattered immediate: instruction bits [hi..lo] hold value bits [valueLo + hi - lo .. valueLo]. */
export interface Piece extends BitRange {
  readonly valueLo: number;
}

export function parseRange(text: string): BitRange {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`bad bit range "${text}"`);
  const hi = Number(m[1]);
  const lo = m[2] === undefined ? hi : Number(m[2]);
  if (lo > hi || hi > 31) throw new Error(`bad bit range "${text}"`);
  return { hi, lo };
}

/** Mask of the bits a range covers, as an unsigned 32-bit number. */
export function rangeMask(r: BitRange): number {
  const width = r.hi - r.lo + 1;
  return (width === 32 ? 0xffffffff : ((1 << width) - 1) << r.lo) >>> 0;
}

export function extract(word: number, r: BitRange): number {
  const width = r.hi - r.lo + 1;
  return width === 32 ? word >>> 0 : (word >>> r.lo) & ((1 << width) - 1);
}

export function insert(word: number, r: BitRange, value: number): number {
  return ((word & ~rangeMask(r)) | ((value << r.lo) & rangeMask(r))) >>> 0;
}

/** Gather a scattered value (unsigned, not yet sign-extended) from its pieces. */
export function gather(word: number, pieces: readonly Piece[]): number {
  let v = 0;
  for (const p of pieces) v |= extract(word, p) << p.valueLo;
  return v >>> 0;
}

/** Scatter an unsigned value into its pieces. */
export function scatter(word: number, pieces: readonly Piece[], value: number): number {
  for (const p of pieces) word = insert(word, p, value >>> p.valueLo);
  return word >>> 0;
}

/** Parse "31..25:11..5 11..7:4..0" style piece lists: instruction range, colon, value range. */
export function parsePieces(text: string): Piece[] {
  return text
    .trim()
    .split(/\s+/)
    .map((part) => {
      const [inst, value] = part.split(':');
      const r = parseRange(inst!);
      const v = parseRange(value!);
      if (v.hi - v.lo !== r.hi - r.lo) throw new Error(`piece "${part}" has mismatched widths`);
      return { hi: r.hi, lo: r.lo, valueLo: v.lo };
    });
}

export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
