/**
 * Operands as the assembler front ends hand them to the Program builder, before they are matched
 * against an instruction's syntax: a register, a value (constant or symbolic), a relocation operator
 * such as %hi(sym), a CSR, or a fence set. Bare identifiers arrive as symbols; the matcher reads them
 * as CSR names or fence sets where the instruction expects one.
 */
import type { Expr } from './expr.js';

export type RelocOp = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

export type Operand =
  | { readonly t: 'reg'; readonly n: number }
  | { readonly t: 'expr'; readonly e: Expr }
  | { readonly t: 'reloc'; readonly op: RelocOp; readonly e: Expr }
  | { readonly t: 'csr'; readonly n: number }
  | { readonly t: 'fence'; readonly bits: number }
  /** A memory operand as written: `off(base)`, or `(base)` with no offset. */
  | { readonly t: 'mem'; readonly off: Operand | undefined; readonly base: number };

export function parseFenceSet(text: string): number | undefined {
  if (!/^[iorw]+$/.test(text)) return undefined;
  let bits = 0;
  for (const [ch, bit] of [['i', 8], ['o', 4], ['r', 2], ['w', 1]] as const) {
    const n = text.split(ch).length - 1;
    if (n > 1) return undefined;
    if (n) bits |= bit;
  }
  // GNU as requires the letters in the order i, o, r, w.
  const canonical = (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
  return canonical === text ? bits : undefined;
}

import type { SyntaxToken } from './isa/table.js';
import { num } from './expr.js';

/**
 * Flatten operands as written (with memory operands) into one operand per syntax operand, following
 * a syntax such as "rd, imm12(rs1)" or "rd, (rs1)". Literal registers in the syntax (the sp of
 * c.addi4spn) must be written as that register and produce no operand. Returns a message on mismatch.
 */
export function flattenForSyntax(tokens: readonly SyntaxToken[], ops: readonly Operand[]): Operand[] | string {
  const slots: SyntaxToken[][] = [[]];
  for (const t of tokens) {
    if (t.t === 'punct' && t.text === ',') slots.push([]);
    else slots[slots.length - 1]!.push(t);
  }
  if (tokens.length === 0) slots.length = 0;
  if (slots.length !== ops.length) return `expected ${slots.length} operand${slots.length === 1 ? '' : 's'}, got ${ops.length}`;
  const out: Operand[] = [];
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const op = ops[i]!;
    const paren = slot.findIndex((t) => t.t === 'punct' && t.text === '(');
    if (paren < 0) {
      const t = slot[0]!;
      if (op.t === 'mem') return `operand ${i + 1}: unexpected memory operand`;
      if (t.t === 'reg') {
        if (op.t !== 'reg' || op.n !== t.reg) return `operand ${i + 1}: expected ${t.text}`;
        continue;
      }
      out.push(op);
      continue;
    }
    if (op.t !== 'mem') return `operand ${i + 1}: expected a memory operand such as 0(a0)`;
    const before = slot.slice(0, paren);
    const inner = slot[paren + 1]!;
    if (before.length === 0) {
      // "(rs1)": GNU also accepts an explicit 0 offset.
      if (op.off && !(op.off.t === 'expr' && op.off.e.k === 'num' && op.off.e.v === 0n)) return `operand ${i + 1}: no offset allowed here`;
    } else out.push(op.off ?? { t: 'expr', e: num(0) });
    if (inner.t === 'reg') {
      if (op.base !== inner.reg) return `operand ${i + 1}: base register must be ${inner.text}`;
    } else out.push({ t: 'reg', n: op.base });
  }
  return out;
}
