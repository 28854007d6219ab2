/**
 * Random instruction generator for the differential tests against GNU binutils: every form of the
 * instruction table and every assembler alias, with random operands that the form accepts, rendered
 * as GNU assembly text. Branch targets are labels placed so that they are in range.
 */
import { ALIASES } from '../../assembler/isa/alias-table.js';
import { CSRS } from '../../assembler/isa/csrs.js';
import { immRange, type OperandKind } from '../../assembler/isa/operands.js';
import { ABI_NAMES } from '../../assembler/isa/registers.js';
import { INSNS, type SyntaxToken } from '../../assembler/isa/table.js';
import { operandProblem } from '../../assembler/codec.js';
import { fenceSetText } from '../../assembler/disassemble.js';
import type { Prng } from './prng.js';

export interface GenForm {
  readonly mnemonic: string;
  readonly tokens: readonly SyntaxToken[];
  readonly kinds: readonly OperandKind[];
  readonly compressed: boolean;
}

/** Every table instruction and every alias the assembler accepts. */
export function allForms(): GenForm[] {
  const forms: GenForm[] = INSNS.map((s) => ({ mnemonic: s.name, tokens: s.tokens, kinds: s.kinds, compressed: s.size === 2 }));
  for (const a of ALIASES) if (a.asm) forms.push({ mnemonic: a.name, tokens: a.tokens, kinds: a.kinds, compressed: false });
  return forms;
}

/** A random valid value for an operand kind (registers as numbers, fence sets as bits). */
export function randomValue(rng: Prng, kind: OperandKind): number {
  for (;;) {
    let v: number;
    switch (kind.type) {
      case 'reg':
        v = kind.compressed ? rng.int(8, 15) : rng.int(0, 31);
        break;
      case 'csr':
        v = rng.pick(CSRS).num;
        break;
      case 'fence':
        v = rng.int(1, 15);
        break;
      case 'imm': {
        if (kind.upper && kind.scale === 12) {
          v = rng.chance(0.5) ? rng.int(1, 0x1f) : rng.int(0xfffe0, 0xfffff);
          break;
        }
        const { min, max, step } = immRange(kind);
        // Favour edges: they are where encoders go wrong.
        const r = rng.int(0, 9);
        v = r === 0 ? min : r === 1 ? max : r === 2 ? step : min + rng.int(0, (max - min) / step) * step;
        break;
      }
    }
    if (!operandProblem(kind, v)) return v;
  }
}

function regText(rng: Prng, n: number): string {
  if (rng.chance(0.1)) return `x${n}`;
  if (n === 8 && rng.chance(0.3)) return 'fp';
  return ABI_NAMES[n]!;
}

function immText(rng: Prng, kind: OperandKind, v: number): string {
  if (kind.type === 'imm' && kind.hex) return `0x${v.toString(16)}`;
  return rng.chance(0.2) && v >= 0 ? `0x${v.toString(16)}` : String(v);
}

/** Render one instruction; `target` supplies a label name for pc-relative operands. */
export function renderForm(rng: Prng, form: GenForm, target: (kind: OperandKind) => string): string {
  let out = form.mnemonic;
  let k = 0;
  let first = true;
  for (const t of form.tokens) {
    if (first) {
      out += ' ';
      first = false;
    }
    if (t.t === 'punct') out += t.text === ',' ? ', ' : t.text;
    else if (t.t === 'reg') out += t.text;
    else {
      const kind = form.kinds[k++]!;
      if (kind.type === 'imm' && kind.pcrel) out += target(kind);
      else {
        const v = randomValue(rng, kind);
        if (kind.type === 'reg') out += regText(rng, v);
        else if (kind.type === 'csr') out += CSRS.find((c) => c.num === v)!.name;
        else if (kind.type === 'fence') out += fenceSetText(v);
        else out += immText(rng, kind, v);
      }
    }
  }
  return out;
}

/**
 * A program of `count` instructions drawn evenly from `forms`, each preceded by a label L<i>.
 * Branch targets are labels a few instructions away, close enough for the shortest form's range.
 */
export function randomProgram(rng: Prng, forms: readonly GenForm[], count: number): string {
  const lines: string[] = ['.text', '.globl _start', '_start:'];
  for (let i = 0; i < count; i++) {
    const form = forms[i % forms.length]!;
    const target = (kind: OperandKind): string => {
      if (kind.type !== 'imm') throw new Error('target of a non-immediate');
      // Each instruction (or li/la sequence) is at most 8 bytes here; keep within range.
      const reach = Math.floor((2 ** (kind.width - 1)) / 8) - 2;
      const span = Math.min(reach, 400);
      let j = i + rng.int(-span, span);
      j = Math.max(0, Math.min(count - 1, j));
      return `L${j}`;
    };
    lines.push(`L${i}:`, '  ' + renderForm(rng, form, target));
  }
  return lines.join('\n') + '\n';
}

/** li with random 64-bit constants of every shape, la, call and tail to labels. */
export function macroLines(rng: Prng, count: number, labels: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const rd = rng.int(1, 31);
    const shape = rng.int(0, 5);
    let v: bigint;
    if (shape === 0) v = BigInt(rng.int(-2048, 2047));
    else if (shape === 1) v = BigInt(rng.int(-(2 ** 31), 2 ** 31 - 1));
    else if (shape === 2) v = BigInt.asIntN(64, rng.next64());
    else if (shape === 3) v = BigInt.asIntN(64, BigInt(rng.int(1, 0xfffff)) << BigInt(rng.int(12, 60)));
    else if (shape === 4) v = BigInt.asIntN(64, (rng.next64() >> BigInt(rng.int(0, 63))) << BigInt(rng.int(0, 20)));
    else v = BigInt(rng.int(0, 0xffffffff));
    const kind = rng.int(0, 9);
    if (kind < 7) out.push(`li ${ABI_NAMES[rd]}, ${v}`);
    else if (kind === 7) out.push(`la ${ABI_NAMES[rd]}, L${rng.int(0, labels - 1)}`);
    else if (kind === 8) out.push(`call L${rng.int(0, labels - 1)}`);
    else out.push(`tail L${rng.int(0, labels - 1)}`);
  }
  return out;
}
