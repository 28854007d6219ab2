/**
 * Disassembler with GNU objdump's syntax: ABI register names, objdump 2.40's choice of aliases, branch
 * targets as "addr <sym+off>", and objdump's "# addr <sym>" comments for addresses built by lui/auipc
 * followed by addi, a load, a store or jalr. The Disassembler class keeps the lui/auipc state across a
 * listing, as objdump does; disassembleOne() prints a single instruction with no history (traces).
 */
import { type Decoded, decode, insnLength } from './codec.js';
import { aliasesFor, expansionOf, type AliasSpec } from './isa/alias-table.js';
import { csrListingName } from './isa/csrs.js';
import type { OperandKind } from './isa/operands.js';
import { regName } from './isa/registers.js';
import type { InsnSpec, SyntaxToken } from './isa/table.js';
import { instantiate, matchTemplate } from './isa/templates.js';

/** Returns "sym" or "sym+0x10" for an address, or undefined when nothing is near. */
export type Symbolizer = (addr: bigint) => string | undefined;

const U64 = (x: bigint) => BigInt.asUintN(64, x);
const S64 = (x: bigint) => BigInt.asIntN(64, x);

export function fenceSetText(bits: number): string {
  const s = (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
  return s || '0';
}

export function formatAddress(addr: bigint, symbolize?: Symbolizer): string {
  const sym = symbolize?.(U64(addr));
  return U64(addr).toString(16) + (sym ? ` <${sym}>` : '');
}

interface Printable {
  readonly name: string;
  readonly tokens: readonly SyntaxToken[];
  readonly kinds: readonly OperandKind[];
  readonly args: readonly number[];
}

/** The base instruction a decoded one prints as: an alias of it, or itself. Compressed ones print via their expansion. */
export function printableOf(spec: InsnSpec, args: readonly number[]): Printable & { base: InsnSpec; baseArgs: readonly number[] } {
  for (const alias of aliasesFor(spec)) {
    const p = tryAlias(alias, args);
    if (p) return { ...p, base: spec, baseArgs: args };
  }
  const exp = expansionOf(spec);
  if (exp) {
    const bound = new Map(spec.operands.map((n, i) => [n as string, args[i]!]));
    return printableOf(exp.spec, instantiate(exp.args, bound));
  }
  return { name: spec.name, tokens: spec.tokens, kinds: spec.kinds, args, base: spec, baseArgs: args };
}

function tryAlias(alias: AliasSpec, args: readonly number[]): Printable | undefined {
  const bound = matchTemplate(alias.target.args, args);
  if (!bound) return undefined;
  return { name: alias.name, tokens: alias.tokens, kinds: alias.kinds, args: alias.operands.map((n) => bound.get(n)!) };
}

export class Disassembler {
  /** Values objdump believes registers hold after lui/auipc, consumed by the next use as a base. */
  private readonly hi: (bigint | undefined)[] = new Array(32).fill(undefined);

  constructor(
    private readonly symbolize?: Symbolizer,
    /** __global_pointer$, when the image has one. */
    private readonly gp?: bigint,
    /** Name the privileged-spec 1.12 CSRs too (objdump 2.40 prints them as numbers). */
    private readonly allCsrNames = false,
  ) {}

  reset(): void {
    this.hi.fill(undefined);
  }

  /** One instruction, as "mnemonic\toperands" (objdump's text after the encoding). */
  format(d: Decoded, pc: bigint): string {
    const p = printableOf(d.spec, d.args);
    const base = p.base;
    const a = p.baseArgs;
    let ops = '';
    let k = 0;
    for (const tok of p.tokens) {
      if (tok.t === 'punct') ops += tok.text;
      else if (tok.t === 'reg') ops += regName(tok.reg);
      else ops += this.operandText(p.kinds[k]!, p.args[k++]!, pc);
    }
    let text = ops ? `${p.name}\t${ops}` : p.name;
    // objdump tracks addresses while printing operands, so only forms that print their immediate
    // (not mv, sext.w, jr rs1) consume or show a tracked address.
    const printsImm = p.kinds.some((k) => k.type === 'imm' && !k.pcrel);
    const comment = this.track(d.spec, base, a, pc, printsImm, p.kinds.length > 0);
    if (comment !== undefined) text += ` # ${formatAddress(comment, this.symbolize)}`;
    return text;
  }

  private operandText(kind: OperandKind, v: number, pc: bigint): string {
    switch (kind.type) {
      case 'reg':
        return regName(v);
      case 'csr':
        return csrListingName(v, this.allCsrNames) ?? `0x${v.toString(16)}`;
      case 'fence':
        return fenceSetText(v);
      case 'imm':
        if (kind.pcrel) return formatAddress(pc + BigInt(v), this.symbolize);
        return kind.hex ? `0x${v.toString(16)}` : String(v);
    }
  }

  /** objdump's address tracking: returns the address to print in a comment, if any. */
  private track(orig: InsnSpec, base: InsnSpec, a: readonly number[], pc: bigint, printsImm: boolean, printsOperands: boolean): bigint | undefined {
    const name = base.name;
    const compressed = orig.size === 2;
    if (name === 'lui') {
      this.hi[a[0]!] = S64(BigInt(a[1]! << 12));
      return undefined;
    }
    if (name === 'auipc') {
      this.hi[a[0]!] = S64(pc + BigInt(a[1]! << 12));
      return undefined;
    }
    // objdump reads jalr's base register whenever it prints it (jr a5, jalr a0), immediate or not.
    // When it prints the immediate too, it reads once for the offset and again for the base register,
    // so a gp base ends up relative to __global_pointer$.
    if (name === 'jalr' && !compressed) {
      if (!printsOperands) return undefined;
      const first = printsImm ? this.use(a[2]!, a[1]!, false) : undefined;
      return this.use(a[2]!, a[1]!, false) ?? first;
    }
    if (!printsImm) return undefined;
    if (compressed) {
      // objdump looks at c.addi and c.addiw (as "rd + imm"), never at compressed loads or stores.
      if (orig.name === 'c.addi' && a[0] !== 0) return this.use(a[0]!, a[2]!, false);
      if (orig.name === 'c.addiw' && a[0] !== 0) return this.use(a[0]!, a[2]!, true);
      return undefined;
    }
    switch (base.syntax) {
      case 'rd, rs1, imm12':
        if (name === 'addi' && a[1] !== 0) return this.use(a[1]!, a[2]!, false);
        if (name === 'addiw' && a[1] !== 0) return this.use(a[1]!, a[2]!, true);
        return undefined;
      case 'rd, imm12(rs1)': // loads
        return this.use(a[2]!, a[1]!, false);
      case 'rs2, simm12(rs1)':
        return this.use(a[2]!, a[1]!, false);
    }
    return undefined;
  }

  private use(baseReg: number, offset: number, wide: boolean): bigint | undefined {
    let addr: bigint;
    const hi = this.hi[baseReg];
    if (hi !== undefined) {
      addr = (baseReg !== 0 ? hi : 0n) + BigInt(offset);
      this.hi[baseReg] = undefined;
    } else if (baseReg === 3 && this.gp !== undefined) addr = this.gp + BigInt(offset);
    else if (baseReg === 4 || baseReg === 0) addr = BigInt(offset);
    else return undefined;
    return wide ? BigInt.asIntN(32, addr) : addr;
  }
}

/**
 * The instruction word at addr as memory holds it (2 or 4 bytes, by its low bits), read through
 * `peek`; undefined if there is no memory there.
 */
export function instructionWordAt(peek: (addr: number, size: 2 | 4) => bigint | undefined, addr: number): { word: number; len: 2 | 4 } | undefined {
  const lo = peek(addr, 2);
  if (lo === undefined) return undefined;
  const len = insnLength(Number(lo)) as 2 | 4;
  const w = len === 4 ? peek(addr, 4) : lo;
  return w === undefined ? undefined : { word: Number(w), len };
}

/** A single instruction with no listing history, for traces and the debugger. */
export function disassembleOne(word: number, pc: bigint, symbolize?: Symbolizer): string {
  const d = decode(word);
  if (!d) return illegalText(word);
  return new Disassembler(symbolize).format(d, pc);
}

/** What objdump prints for bytes it cannot decode. */
export function illegalText(word: number): string {
  if ((word & 3) !== 3) return (word & 0xffff) === 0 ? 'unimp' : `.insn\t2, 0x${(word & 0xffff).toString(16)}`;
  return `.insn\t4, 0x${(word >>> 0).toString(16)}`;
}
