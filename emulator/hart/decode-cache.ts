/**
 * The decode cache: every instruction word in RAM is decoded once, through the ISA table, into
 * per-page arrays of small integers the interpreter dispatches on. Compressed instructions are
 * stored as the base instruction they expand to. A store into a page that holds decoded code (and
 * fence.i) drops the page's decodes; a 4-byte instruction that straddles two pages is dropped with
 * either of them.
 */
import { decode } from '../../assembler/codec.js';
import { expansionOf } from '../../assembler/isa/alias-table.js';
import type { InsnSpec } from '../../assembler/isa/table.js';
import { instantiate } from '../../assembler/isa/templates.js';
import { SEMANTICS } from './semantics.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const SLOTS = PAGE_SIZE >> 1;

/** Operation numbers: one per base instruction with semantics, plus ILLEGAL. */
export const OP_NAMES: readonly string[] = [...Object.keys(SEMANTICS), 'illegal'];
export const OP_ILLEGAL = OP_NAMES.length - 1;
const OP_ID = new Map(OP_NAMES.map((n, i) => [n, i]));

export class CodePage {
  /** -1: not decoded yet. */
  readonly op = new Int16Array(SLOTS).fill(-1);
  readonly rd = new Uint8Array(SLOTS);
  readonly rs1 = new Uint8Array(SLOTS);
  readonly rs2 = new Uint8Array(SLOTS);
  /** Ordering bits of A instructions: aq = 2, rl = 1. */
  readonly aqrl = new Uint8Array(SLOTS);
  readonly len = new Uint8Array(SLOTS);
  readonly imm = new BigInt64Array(SLOTS);
  readonly immn = new Float64Array(SLOTS);
  /** The raw instruction bits, for mtval on illegal instructions and for traces. */
  readonly word = new Uint32Array(SLOTS);
  /** Compiled blocks starting at each slot (the block compiler fills this). */
  readonly blocks: ({ fn: Function; len: number } | undefined)[] = new Array(SLOTS);
  /** How often each slot started a dispatch without a block; hot slots get compiled. */
  readonly heat = new Uint8Array(SLOTS);
  /** Number of decoded slots; a page with none need not be invalidated. */
  live = 0;
  constructor(readonly base: number) {}
}

/** Fill one slot from an instruction word. */
export function decodeInto(page: CodePage, slot: number, word: number): number {
  const d = decode(word);
  const len = (word & 3) === 3 ? 4 : 2;
  page.len[slot] = len;
  page.word[slot] = len === 4 ? word >>> 0 : word & 0xffff;
  page.rd[slot] = page.rs1[slot] = page.rs2[slot] = page.aqrl[slot] = 0;
  page.imm[slot] = 0n;
  page.immn[slot] = 0;
  let spec: InsnSpec | undefined = d?.spec;
  let args: readonly number[] = d?.args ?? [];
  const exp = spec ? expansionOf(spec) : undefined;
  if (spec && exp) {
    const bound = new Map(spec.operands.map((n, i) => [n as string, args[i]!]));
    args = instantiate(exp.args, bound);
    spec = exp.spec;
  }
  const op = spec ? (OP_ID.get(spec.base) ?? OP_ILLEGAL) : OP_ILLEGAL;
  page.op[slot] = op;
  page.live++;
  if (!spec || op === OP_ILLEGAL) return op;
  page.aqrl[slot] = (spec.aq ? 2 : 0) | (spec.rl ? 1 : 0);
  let pred = 0;
  spec.operands.forEach((name, i) => {
    const v = args[i]!;
    switch (name) {
      case 'rd':
        page.rd[slot] = v;
        break;
      case 'rs1':
      case 'zimm5':
        page.rs1[slot] = v;
        break;
      case 'rs2':
        page.rs2[slot] = v;
        break;
      case 'uimm20': {
        const full = BigInt.asIntN(32, BigInt(v) << 12n);
        page.imm[slot] = full;
        page.immn[slot] = Number(full);
        break;
      }
      case 'pred':
        pred = v;
        break;
      case 'succ':
        page.immn[slot] = (pred << 4) | v;
        break;
      default: // imm12, simm12, bimm, jimm, shamt6, shamt5, csr
        page.imm[slot] = BigInt(v);
        page.immn[slot] = v;
    }
  });
  return op;
}
