/**
 * Encoding and decoding of single instructions, driven entirely by the table (isa/table.ts).
 * Operands are numbers: register numbers, immediates as written in assembly (pc-relative ones as
 * offsets), CSR numbers, fence sets as 4-bit i/o/r/w masks.
 */
import { gather, popcount, scatter } from './isa/bits.js';
import { fieldToImm, immProblem, immToField, type OperandKind } from './isa/operands.js';
import { INSNS, type InsnSpec } from './isa/table.js';
import { isCompressedReg, regName } from './isa/registers.js';

export class EncodeError extends Error {
  constructor(
    message: string,
    /** Index of the operand at fault, in syntax order, when there is one. */
    readonly operand?: number,
  ) {
    super(message);
  }
}

/** Why `value` cannot be operand `kind`, or undefined. `forAssembler` also refuses HINT values. */
export function operandProblem(kind: OperandKind, value: number, forAssembler = true): string | undefined {
  switch (kind.type) {
    case 'reg':
      if (!Number.isInteger(value) || value < 0 || value > 31) return 'must be a register x0..x31';
      if (kind.compressed && !isCompressedReg(value)) return 'must be one of s0, s1, a0..a5 (x8..x15)';
      if (kind.reserved?.includes(value) || (forAssembler && kind.hint?.includes(value))) return `must not be ${regName(value)}`;
      return undefined;
    case 'imm':
      return immProblem(kind, value, forAssembler);
    case 'csr':
      return Number.isInteger(value) && value >= 0 && value <= 0xfff ? undefined : 'must be a CSR number 0..0xfff';
    case 'fence':
      return Number.isInteger(value) && value >= 0 && value <= 15 ? undefined : 'must be a fence set of i, o, r, w';
  }
}

function operandField(kind: OperandKind, value: number): number {
  switch (kind.type) {
    case 'reg':
      return kind.compressed ? value - 8 : value;
    case 'imm':
      return immToField(kind, value);
    default:
      return value;
  }
}

/** Encode one instruction. Throws EncodeError naming the instruction and the operand that does not fit. */
export function encode(spec: InsnSpec, args: readonly number[], forAssembler = true): number {
  if (args.length !== spec.operands.length) {
    throw new EncodeError(`${spec.name} takes ${spec.operands.length} operand${spec.operands.length === 1 ? '' : 's'}, got ${args.length}`);
  }
  let word = spec.match;
  for (let i = 0; i < args.length; i++) {
    const kind = spec.kinds[i]!;
    const problem = operandProblem(kind, args[i]!, forAssembler);
    if (problem) throw new EncodeError(`${spec.name}: operand ${i + 1} (${kind.doc}) ${problem}, got ${formatValue(kind, args[i]!)}`, i);
    word = scatter(word, kind.pieces, operandField(kind, args[i]!));
  }
  return word >>> 0;
}

function formatValue(kind: OperandKind, v: number): string {
  if (kind.type === 'reg' && Number.isInteger(v) && v >= 0 && v < 32) return regName(v);
  // The assembler passes values beyond the exact range of numbers as NaN (program.ts toNumberOrNaN).
  if (Number.isNaN(v)) return 'a value beyond ±2^53';
  return String(v);
}

export interface Decoded {
  readonly spec: InsnSpec;
  /** Operand values in syntax order. */
  readonly args: readonly number[];
  readonly size: 2 | 4;
  readonly word: number;
}

/** Instruction length from its first 16-bit parcel: 2 for compressed, 4 otherwise (longer forms are not supported). */
export function insnLength(lowParcel: number): 2 | 4 {
  return (lowParcel & 3) === 3 ? 4 : 2;
}

// Candidates per bucket, most specific first, so fence.tso wins over fence and c.jr over c.mv.
const buckets32: InsnSpec[][] = Array.from({ length: 128 }, () => []);
const buckets16: InsnSpec[][] = Array.from({ length: 32 }, () => []);
const key16 = (w: number) => (w & 3) | (((w >>> 13) & 7) << 2);
for (const spec of INSNS) {
  if (spec.size === 4) buckets32[spec.match & 0x7f]!.push(spec);
  else buckets16[key16(spec.match)]!.push(spec);
}
for (const b of [...buckets32, ...buckets16]) b.sort((x, y) => popcount(y.mask) - popcount(x.mask) || x.id - y.id);

function decodeOperand(kind: OperandKind, word: number): number | undefined {
  const raw = gather(word, kind.pieces);
  switch (kind.type) {
    case 'reg': {
      const r = kind.compressed ? raw + 8 : raw;
      return kind.reserved?.includes(r) ? undefined : r;
    }
    case 'imm': {
      if (raw === 0 && kind.zero === 'reserved') return undefined;
      return fieldToImm(kind, raw);
    }
    default:
      return raw;
  }
}

/**
 * Decode one instruction word (a 16-bit parcel for compressed instructions). Returns undefined for
 * an illegal or reserved encoding.
 */
export function decode(word: number): Decoded | undefined {
  const size = insnLength(word);
  const w = size === 2 ? word & 0xffff : word >>> 0;
  const bucket = size === 4 ? buckets32[w & 0x7f]! : buckets16[key16(w)]!;
  next: for (const spec of bucket) {
    if (((w ^ spec.match) & spec.mask) !== 0) continue;
    const args: number[] = [];
    for (const kind of spec.kinds) {
      const v = decodeOperand(kind, w);
      if (v === undefined) continue next;
      args.push(v);
    }
    return { spec, args, size, word: w };
  }
  return undefined;
}
