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

/** One generated operand, with how GNU text writes it and what the DSL passes. */
export interface GenArg {
  readonly text: string;
  readonly dsl: string | number | bigint | { label: string };
}

export interface GenInsn {
  readonly label: string | undefined;
  readonly mnemonic: string;
  /** Flat operands in syntax order (what DSL methods take). */
  readonly args: readonly GenArg[];
  /** The GNU text of the instruction. */
  readonly text: string;
}

/** Random operands for a form; `target` supplies a label name for pc-relative operands. */
export function randomInsn(rng: Prng, form: GenForm, target: (kind: OperandKind) => string, label?: string): GenInsn {
  let text = form.mnemonic;
  const args: GenArg[] = [];
  let k = 0;
  let first = true;
  for (const t of form.tokens) {
    if (first) {
      text += ' ';
      first = false;
    }
    if (t.t === 'punct') text += t.text === ',' ? ', ' : t.text;
    else if (t.t === 'reg') text += t.text;
    else {
      const kind = form.kinds[k++]!;
      let arg: GenArg;
      if (kind.type === 'imm' && kind.pcrel) {
        const l = target(kind);
        arg = { text: l, dsl: { label: l } };
      } else {
        const v = randomValue(rng, kind);
        if (kind.type === 'reg') {
          const r = regText(rng, v);
          arg = { text: r, dsl: r };
        } else if (kind.type === 'csr') {
          const n = CSRS.find((c) => c.num === v)!.name;
          arg = { text: n, dsl: n };
        } else if (kind.type === 'fence') arg = { text: fenceSetText(v), dsl: fenceSetText(v) };
        else arg = { text: immText(rng, kind, v), dsl: v };
      }
      args.push(arg);
      text += arg.text;
    }
  }
  return { label, mnemonic: form.mnemonic, args, text };
}

/**
 * A program of `count` instructions drawn evenly from `forms`, each preceded by a label L<i>.
 * Branch targets are labels a few instructions away, close enough for the shortest form's range.
 */
export function randomProgram(rng: Prng, forms: readonly GenForm[], count: number): GenInsn[] {
  const out: GenInsn[] = [];
  for (let i = 0; i < count; i++) {
    const form = forms[i % forms.length]!;
    const target = (kind: OperandKind): string => {
      if (kind.type !== 'imm') throw new Error('target of a non-immediate');
      // Each instruction is at most 4 bytes here; keep within the shortest form's range.
      const reach = Math.floor(2 ** (kind.width - 1) / 8) - 2;
      const span = Math.min(reach, 400);
      const j = Math.max(0, Math.min(count - 1, i + rng.int(-span, span)));
      return `L${j}`;
    };
    out.push(randomInsn(rng, form, target, `L${i}`));
  }
  return out;
}

/** li with random 64-bit constants of every shape, la, call and tail to labels L0..L<labels-1>. */
export function randomMacros(rng: Prng, count: number, labels: number): GenInsn[] {
  const out: GenInsn[] = [];
  for (let i = 0; i < count; i++) {
    const rd = ABI_NAMES[rng.int(1, 31)]!;
    const shape = rng.int(0, 5);
    let v: bigint;
    if (shape === 0) v = BigInt(rng.int(-2048, 2047));
    else if (shape === 1) v = BigInt(rng.int(-(2 ** 31), 2 ** 31 - 1));
    else if (shape === 2) v = BigInt.asIntN(64, rng.next64());
    else if (shape === 3) v = BigInt.asIntN(64, BigInt(rng.int(1, 0xfffff)) << BigInt(rng.int(12, 60)));
    else if (shape === 4) v = BigInt.asIntN(64, (rng.next64() >> BigInt(rng.int(0, 63))) << BigInt(rng.int(0, 20)));
    else v = BigInt(rng.int(0, 0xffffffff));
    const l = `L${rng.int(0, labels - 1)}`;
    const kind = rng.int(0, 9);
    const reg = { text: rd, dsl: rd };
    if (kind < 7) out.push({ label: undefined, mnemonic: 'li', args: [reg, { text: String(v), dsl: v }], text: `li ${rd}, ${v}` });
    else if (kind === 7) out.push({ label: undefined, mnemonic: 'la', args: [reg, { text: l, dsl: { label: l } }], text: `la ${rd}, ${l}` });
    else if (kind === 8) out.push({ label: undefined, mnemonic: 'call', args: [{ text: l, dsl: { label: l } }], text: `call ${l}` });
    else out.push({ label: undefined, mnemonic: 'tail', args: [{ text: l, dsl: { label: l } }], text: `tail ${l}` });
  }
  return out;
}

/** GNU assembly text for a generated program. */
export function renderText(insns: readonly GenInsn[]): string {
  const lines = ['.text', '.globl _start', '_start:'];
  for (const i of insns) {
    if (i.label) lines.push(`${i.label}:`);
    lines.push(`  ${i.text}`);
  }
  return lines.join('\n') + '\n';
}
