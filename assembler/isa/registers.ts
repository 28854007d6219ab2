/**
 * Integer registers: x0..x31 and their psABI names. The disassembler prints ABI names as GNU objdump
 * does (x8 is "s0", not "fp"); the parsers accept every spelling.
 */

// prettier-ignore
export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0',   's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6',   'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8',   's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

export type AbiName = (typeof ABI_NAMES)[number];
export type XName = `x${number}`;
/** Anything that names an integer register: an ABI name, "fp", "x0".."x31", or the number. */
export type RegName = AbiName | 'fp' | XName;

const byName = new Map<string, number>();
ABI_NAMES.forEach((n, i) => {
  byName.set(n, i);
  byName.set(`x${i}`, i);
});
byName.set('fp', 8);

/** Register number for a name, or undefined. */
export function regNumber(name: string): number | undefined {
  return byName.get(name);
}

export function regName(n: number): AbiName {
  return ABI_NAMES[n]!;
}

/** The compressed register set x8..x15 (rd', rs1', rs2' hold n - 8). */
export function isCompressedReg(n: number): boolean {
  return n >= 8 && n <= 15;
}
