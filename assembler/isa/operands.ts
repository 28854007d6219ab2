/**
 * Operand kinds: where each operand lives in the instruction word, its range, and how it is written.
 * Instruction syntaxes (opcodes.ts) name these kinds; the encoder, decoder, disassembler and both
 * assembler front ends all read this one table.
 *
 * Two kinds of forbidden value are kept apart: `reserved` values make an encoding reserved or another
 * instruction (the decoder refuses them), `hint` values are HINT encodings (they decode and execute,
 * but GNU as refuses to write them, and so does our assembler).
 */
import { type Piece, parsePieces } from './bits.js';

export interface RegKind {
  readonly type: 'reg';
  readonly pieces: readonly Piece[];
  /** x8..x15 encoded in three bits. */
  readonly compressed?: boolean;
  readonly reserved?: readonly number[];
  readonly hint?: readonly number[];
  readonly doc: string;
}

export interface ImmKind {
  readonly type: 'imm';
  readonly pieces: readonly Piece[];
  readonly signed: boolean;
  /** Value width in bits, including the implied zero low bits. */
  readonly width: number;
  /** Number of implied zero low bits (2 = multiple of 4). */
  readonly scale: number;
  /** PC-relative target (branches and jumps): the value is an offset from the instruction. */
  readonly pcrel?: boolean;
  /** Zero is reserved (decoder refuses) or a hint (assembler refuses). */
  readonly zero?: 'reserved' | 'hint';
  /** Written and printed as a 20-bit upper immediate (lui, auipc, c.lui). */
  readonly upper?: boolean;
  /** objdump prints it in hex (shift amounts, upper immediates). */
  readonly hex?: boolean;
  readonly doc: string;
}

export interface CsrKind {
  readonly type: 'csr';
  readonly pieces: readonly Piece[];
  readonly doc: string;
}

export interface FenceKind {
  readonly type: 'fence';
  readonly pieces: readonly Piece[];
  readonly doc: string;
}

export type OperandKind = RegKind | ImmKind | CsrKind | FenceKind;

const reg = (p: string, doc: string, extra: Partial<RegKind> = {}): RegKind => ({ type: 'reg', pieces: parsePieces(p), doc, ...extra });
const imm = (p: string, doc: string, o: Omit<ImmKind, 'type' | 'pieces' | 'doc'>): ImmKind => ({ type: 'imm', pieces: parsePieces(p), doc, ...o });

// prettier-ignore
export const OPERAND_KINDS = {
  // 32-bit formats.
  rd:     reg('11..7:4..0',  'destination register'),
  rs1:    reg('19..15:4..0', 'source register 1'),
  rs2:    reg('24..20:4..0', 'source register 2'),
  imm12:  imm('31..20:11..0', 'signed 12-bit immediate', { signed: true, width: 12, scale: 0 }),
  simm12: imm('31..25:11..5 11..7:4..0', 'signed 12-bit store offset', { signed: true, width: 12, scale: 0 }),
  bimm:   imm('31:12 30..25:10..5 11..8:4..1 7:11', 'branch target (+-4 KiB)', { signed: true, width: 13, scale: 1, pcrel: true }),
  jimm:   imm('31:20 30..21:10..1 20:11 19..12:19..12', 'jump target (+-1 MiB)', { signed: true, width: 21, scale: 1, pcrel: true }),
  uimm20: imm('31..12:19..0', '20-bit upper immediate', { signed: false, width: 20, scale: 0, upper: true, hex: true }),
  shamt6: imm('25..20:5..0', 'shift amount 0..63', { signed: false, width: 6, scale: 0, hex: true }),
  shamt5: imm('24..20:4..0', 'shift amount 0..31', { signed: false, width: 5, scale: 0, hex: true }),
  csr:    { type: 'csr', pieces: parsePieces('31..20:11..0'), doc: 'CSR name or number' } as CsrKind,
  zimm5:  imm('19..15:4..0', 'CSR immediate 0..31', { signed: false, width: 5, scale: 0 }),
  pred:   { type: 'fence', pieces: parsePieces('27..24:3..0'), doc: 'fence predecessor set (i, o, r, w)' } as FenceKind,
  succ:   { type: 'fence', pieces: parsePieces('23..20:3..0'), doc: 'fence successor set (i, o, r, w)' } as FenceKind,

  // Compressed formats: full registers in bits 11..7 and 6..2, and x8..x15 in three bits.
  c_rd:      reg('11..7:4..0', 'destination register', { hint: [0] }),
  c_rd_nz:   reg('11..7:4..0', 'destination register (not zero)', { reserved: [0] }),
  c_rd_lui:  reg('11..7:4..0', 'destination register (not sp)', { reserved: [2], hint: [0] }),
  c_rs1_nz:  reg('11..7:4..0', 'source register (not zero)', { reserved: [0] }),
  c_rs2:     reg('6..2:4..0', 'source register 2'),
  c_rs2_nz:  reg('6..2:4..0', 'source register 2 (not zero)', { reserved: [0] }),
  c_rdp:     reg('4..2:2..0', "destination register x8..x15", { compressed: true }),
  c_rs2p:    reg('4..2:2..0', "source register 2, x8..x15", { compressed: true }),
  c_rs1p:    reg('9..7:2..0', "source register 1, x8..x15", { compressed: true }),
  c_nzuimm10: imm('12..11:5..4 10..7:9..6 6:2 5:3', 'unsigned multiple of 4, 4..1020', { signed: false, width: 10, scale: 2, zero: 'reserved' }),
  c_uimm7:   imm('12..10:5..3 6:2 5:6', 'unsigned offset, multiple of 4, 0..124', { signed: false, width: 7, scale: 2 }),
  c_uimm8:   imm('12..10:5..3 6..5:7..6', 'unsigned offset, multiple of 8, 0..248', { signed: false, width: 8, scale: 3 }),
  c_imm6:    imm('12:5 6..2:4..0', 'signed 6-bit immediate', { signed: true, width: 6, scale: 0 }),
  c_nzimm6:  imm('12:5 6..2:4..0', 'signed 6-bit immediate, not zero', { signed: true, width: 6, scale: 0, zero: 'hint' }),
  c_nzimm10: imm('12:9 6:4 5:6 4..3:8..7 2:5', 'signed multiple of 16, -512..496, not zero', { signed: true, width: 10, scale: 4, zero: 'reserved' }),
  c_nzimm18: imm('12:17 6..2:16..12', 'upper immediate 1..0x1f or 0xfffe0..0xfffff', { signed: true, width: 18, scale: 12, zero: 'reserved', upper: true, hex: true }),
  c_nzshamt: imm('12:5 6..2:4..0', 'shift amount 1..63', { signed: false, width: 6, scale: 0, zero: 'hint', hex: true }),
  c_jimm:    imm('12:11 11:4 10..9:9..8 8:10 7:6 6:7 5..3:3..1 2:5', 'jump target (+-2 KiB)', { signed: true, width: 12, scale: 1, pcrel: true }),
  c_bimm:    imm('12:8 11..10:4..3 6..5:7..6 4..3:2..1 2:5', 'branch target (+-256 B)', { signed: true, width: 9, scale: 1, pcrel: true }),
  c_uimm9sp: imm('12:5 6..5:4..3 4..2:8..6', 'unsigned sp offset, multiple of 8, 0..504', { signed: false, width: 9, scale: 3 }),
  c_uimm8sp: imm('12:5 6..4:4..2 3..2:7..6', 'unsigned sp offset, multiple of 4, 0..252', { signed: false, width: 8, scale: 2 }),
  c_uimm9sp_s: imm('12..10:5..3 9..7:8..6', 'unsigned sp offset, multiple of 8, 0..504', { signed: false, width: 9, scale: 3 }),
  c_uimm8sp_s: imm('12..9:5..2 8..7:7..6', 'unsigned sp offset, multiple of 4, 0..252', { signed: false, width: 8, scale: 2 }),
} as const satisfies Record<string, OperandKind>;

export type OperandName = keyof typeof OPERAND_KINDS;

export function isOperandName(s: string): s is OperandName {
  return Object.prototype.hasOwnProperty.call(OPERAND_KINDS, s);
}

/** Smallest and largest value an immediate kind can hold (as written in assembly). */
export function immRange(k: ImmKind): { min: number; max: number; step: number } {
  const step = 2 ** k.scale;
  if (k.signed) return { min: -(2 ** (k.width - 1)), max: 2 ** (k.width - 1) - step, step };
  return { min: 0, max: 2 ** k.width - step, step };
}

/**
 * Why a value does not fit an immediate kind, or undefined if it fits. For upper immediates the
 * written value is the 20-bit field (lui a0, 0xfffff); c.lui's is the same field, sign-extended from 6 bits.
 */
export function immProblem(k: ImmKind, value: number, forAssembler: boolean): string | undefined {
  let v = value;
  if (k.upper) {
    if (!Number.isInteger(v) || v < 0 || v > 0xfffff) return `must be 0..0xfffff`;
    if (k.scale === 12) {
      v = v >= 0x80000 ? v - 0x100000 : v;
      v *= 4096;
    }
  }
  const { min, max, step } = immRange(k);
  if (!Number.isInteger(v) || v < min || v > max) {
    return k.upper && k.scale === 12 ? 'must be 1..0x1f or 0xfffe0..0xfffff' : `must be ${min}..${max}`;
  }
  if (v % step !== 0) return `must be a multiple of ${step}`;
  if (v === 0 && (k.zero === 'reserved' || (forAssembler && k.zero === 'hint'))) return 'must not be zero';
  return undefined;
}

/** The bits to scatter into the pieces (two's complement, value bit positions) for a written immediate that fits. */
export function immToField(k: ImmKind, value: number): number {
  let v = value;
  if (k.upper && k.scale === 12) v = (v >= 0x80000 ? v - 0x100000 : v) * 4096;
  return v >>> 0;
}

/** The written immediate for gathered bits (inverse of immToField). */
export function fieldToImm(k: ImmKind, raw: number): number {
  let v = raw;
  if (k.signed && v & (2 ** (k.width - 1))) v -= 2 ** k.width;
  if (k.upper && k.scale === 12) v = (v / 4096) & 0xfffff;
  return v;
}
