/**
 * The TypeScript DSL: a typed builder with one method per instruction and per pseudo-instruction,
 * generated from the ISA table (methods.ts declares their types, asm.ts installs them), plus labels,
 * data, sections, symbols and linking. It drives the same Program builder as the text assembler, so
 * both produce the same bytes as GNU as.
 *
 *   const a = new Asm();
 *   const loop = a.label();
 *   a.li('a0', 10);
 *   a.bind(loop);
 *   a.addi('a0', 'a0', -1);
 *   a.bnez('a0', loop);
 *   const image = a.link({ base: 0x80000000n });
 */
import { AsmError, type SourcePos } from '../errors.js';
import { type Expr, num, sym } from '../expr.js';
import { ALIASES } from '../isa/alias-table.js';
import { csrNumber } from '../isa/csrs.js';
import type { OperandKind } from '../isa/operands.js';
import { regNumber, type RegName } from '../isa/registers.js';
import { formText, INSNS, type SyntaxToken } from '../isa/table.js';
import type { Image } from '../image.js';
import { parseFenceSet, type Operand, type RelocOp } from '../operand.js';
import { Program, type LinkOptions } from '../program.js';
import type { InsnMethods } from './methods.js';

export type Reg = RegName;

/** A place in the program. Created unbound by `label()`, placed by `bind()`. */
export class Label {
  constructor(readonly name: string) {}
}

/** A branch or jump target, or a symbol: a Label, or a symbol's name. */
export type Target = Label | string;

export interface Reloc {
  readonly reloc: RelocOp;
  readonly target: Target;
  readonly addend: number;
}

/** An immediate: a number, a 64-bit bigint, a relocation (%hi and friends), or a symbol's value. */
export type Imm = number | bigint | Reloc | Label;

export type CsrName = string;
export type Csr = CsrName | number;
/** Fence predecessor/successor sets: letters i, o, r, w in that order ("rw", "iorw", "w"). */
export type FenceSet = string;

export const hi = (target: Target, addend = 0): Reloc => ({ reloc: 'hi', target, addend });
export const lo = (target: Target, addend = 0): Reloc => ({ reloc: 'lo', target, addend });
export const pcrel_hi = (target: Target, addend = 0): Reloc => ({ reloc: 'pcrel_hi', target, addend });
/** %pcrel_lo names the label of the auipc that holds the matching %pcrel_hi. */
export const pcrel_lo = (auipc: Label): Reloc => ({ reloc: 'pcrel_lo', target: auipc, addend: 0 });

export interface AsmOptions {
  /** Compress instructions automatically (default true), as GNU as does for rv64gc. */
  rvc?: boolean;
  /** Record the caller's file:line for each instruction, for error messages (default true). */
  positions?: boolean;
}

type DslArg = string | number | bigint | Label | Reloc;

function isReloc(x: unknown): x is Reloc {
  return typeof x === 'object' && x !== null && 'reloc' in x;
}

function targetExpr(t: Target): Expr {
  return sym(t instanceof Label ? t.name : t);
}

/** Convert one DSL argument for an operand kind, or return undefined if it does not fit. */
function convert(kind: OperandKind | 'reg-literal', arg: DslArg): Operand | undefined {
  if (kind === 'reg-literal' || kind.type === 'reg') {
    if (typeof arg !== 'string') return undefined;
    const n = regNumber(arg);
    return n === undefined ? undefined : { t: 'reg', n };
  }
  switch (kind.type) {
    case 'imm':
      if (typeof arg === 'number' || typeof arg === 'bigint') return { t: 'expr', e: num(arg) };
      if (arg instanceof Label) return { t: 'expr', e: sym(arg.name) };
      if (isReloc(arg)) {
        const e = targetExpr(arg.target);
        return { t: 'reloc', op: arg.reloc, e: arg.addend ? { k: 'bin', op: '+', a: e, b: num(arg.addend) } : e };
      }
      if (typeof arg === 'string' && regNumber(arg) === undefined) return { t: 'expr', e: sym(arg) };
      return undefined;
    case 'csr': {
      if (typeof arg === 'number') return { t: 'csr', n: arg };
      if (typeof arg !== 'string') return undefined;
      const n = csrNumber(arg);
      return n === undefined ? undefined : { t: 'csr', n };
    }
    case 'fence': {
      if (typeof arg !== 'string') return undefined;
      const bits = parseFenceSet(arg);
      return bits === undefined ? undefined : { t: 'fence', bits };
    }
  }
}

/** Build the written operands (with memory operands) for a syntax from flat DSL arguments. */
function writtenOperands(tokens: readonly SyntaxToken[], kinds: readonly OperandKind[], args: readonly DslArg[]): Operand[] | undefined {
  if (args.length !== kinds.length) return undefined;
  const slots: SyntaxToken[][] = [[]];
  for (const t of tokens) {
    if (t.t === 'punct' && t.text === ',') slots.push([]);
    else slots[slots.length - 1]!.push(t);
  }
  if (tokens.length === 0) return [];
  const out: Operand[] = [];
  let k = 0;
  for (const slot of slots) {
    const atoms = slot.filter((t) => t.t !== 'punct');
    const paren = slot.some((t) => t.t === 'punct' && t.text === '(');
    const take = (t: SyntaxToken): Operand | undefined => {
      if (t.t === 'reg') return { t: 'reg', n: t.reg };
      const op = convert(kinds[k]!, args[k]!);
      k++;
      return op;
    };
    if (!paren) {
      const op = take(atoms[0]!);
      if (!op) return undefined;
      out.push(op);
    } else if (atoms.length === 2) {
      const off = take(atoms[0]!);
      const base = take(atoms[1]!);
      if (!off || !base || base.t !== 'reg') return undefined;
      out.push({ t: 'mem', off, base: base.n });
    } else {
      const base = take(atoms[0]!);
      if (!base || base.t !== 'reg') return undefined;
      out.push({ t: 'mem', off: undefined, base: base.n });
    }
  }
  return out;
}

/** Every syntax a mnemonic may be written with, for matching DSL arguments. */
const SYNTAXES = new Map<string, { tokens: readonly SyntaxToken[]; kinds: readonly OperandKind[] }[]>();
for (const s of INSNS) SYNTAXES.set(s.name, [{ tokens: s.tokens, kinds: s.kinds }]);
for (const a of ALIASES) if (a.asm) SYNTAXES.set(a.name, [...(SYNTAXES.get(a.name) ?? []), { tokens: a.tokens, kinds: a.kinds }]);

/** DSL method name for a mnemonic: dots become underscores (amoadd.w.aq -> amoadd_w_aq). */
export function methodName(mnemonic: string): string {
  return mnemonic.replace(/\./g, '_');
}

/** This module's own file: frames from it are the DSL itself, not its caller. */
const OWN_FILE = new URL(import.meta.url).pathname;

function callerPos(): SourcePos | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(2)) {
    if (line.includes(OWN_FILE)) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (m) return { file: m[1]!.replace(/^file:\/\//, ''), line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}

export interface Asm extends InsnMethods {}

export class Asm {
  readonly program: Program;
  private readonly positions: boolean;
  private labels = 0;

  constructor(options: AsmOptions = {}) {
    this.program = new Program({ rvc: options.rvc ?? true, file: '<dsl>' });
    this.positions = options.positions ?? true;
  }

  private pos(): SourcePos | undefined {
    return this.positions ? callerPos() : undefined;
  }

  /** Assemble an instruction or pseudo-instruction by mnemonic, with arguments in GNU operand order. */
  insn(mnemonic: string, ...args: DslArg[]): this {
    const pos = this.pos();
    const forms = SYNTAXES.get(mnemonic);
    if (!forms) throw new AsmError(`unknown instruction "${mnemonic}"`, pos);
    for (const f of forms) {
      const ops = writtenOperands(f.tokens, f.kinds, args);
      if (ops) {
        this.program.insn(mnemonic, ops, pos);
        return this;
      }
    }
    const expected = forms.map((f) => formText(mnemonic, f.tokens));
    throw new AsmError(`${mnemonic}: arguments (${args.map((a) => (a instanceof Label ? a.name : isReloc(a) ? `%${a.reloc}` : String(a))).join(', ')}) match no form; expected ${expected.join(' or ')}`, pos);
  }

  // ---- labels and symbols ----

  /** A new label, not yet placed. Named labels become ELF symbols; unnamed ones stay local. */
  label(name?: string): Label {
    return new Label(name ?? `.Ldsl${this.labels++}`);
  }

  /** Place a label here. */
  bind(label: Label): this {
    this.program.label(label.name, this.pos());
    return this;
  }

  /** A label placed here. */
  here(name?: string): Label {
    const l = this.label(name);
    this.bind(l);
    return l;
  }

  /** Place a named label here and continue the chain: `a.data().symbol('counter').dword(0)`. */
  symbol(name: string): this {
    this.here(name);
    return this;
  }

  /** Make a symbol global, with an optional size and type (for ELF and the debugger). */
  global(target: Target, opts: { size?: number | Label; type?: 'func' | 'object' } = {}): this {
    const name = target instanceof Label ? target.name : target;
    this.program.globl(name);
    if (opts.size !== undefined) this.program.setSize(name, opts.size instanceof Label ? { k: 'bin', op: '-', a: sym(opts.size.name), b: sym(name) } : num(opts.size));
    if (opts.type) this.program.setType(name, opts.type);
    return this;
  }

  /** A named constant (.equ). */
  equ(name: string, value: number | bigint): this {
    this.program.equ(name, num(value), this.pos());
    return this;
  }

  // ---- sections and options ----

  section(name: string): this {
    this.program.section(name);
    return this;
  }
  text(): this {
    return this.section('.text');
  }
  data(): this {
    return this.section('.data');
  }
  rodata(): this {
    return this.section('.rodata');
  }
  bss(): this {
    return this.section('.bss');
  }

  get rvc(): boolean {
    return this.program.rvc;
  }
  set rvc(on: boolean) {
    this.program.rvc = on;
  }

  /** Run `body` with automatic compression on or off (.option push / .option rvc|norvc / .option pop). */
  withRvc(on: boolean, body: () => void): this {
    this.program.pushOption();
    this.program.rvc = on;
    try {
      body();
    } finally {
      this.program.popOption();
    }
    return this;
  }

  // ---- data ----

  private values(size: 1 | 2 | 4 | 8, values: (number | bigint | Label)[]): this {
    const pos = this.pos();
    for (const v of values) this.program.data(size, v instanceof Label ? sym(v.name) : num(v), pos);
    return this;
  }
  byte(...values: (number | bigint)[]): this {
    return this.values(1, values);
  }
  half(...values: (number | bigint)[]): this {
    return this.values(2, values);
  }
  word(...values: (number | bigint | Label)[]): this {
    return this.values(4, values);
  }
  dword(...values: (number | bigint | Label)[]): this {
    return this.values(8, values);
  }
  bytes(data: Uint8Array | readonly number[]): this {
    this.program.bytes(Uint8Array.from(data));
    return this;
  }
  /** A string without a terminating NUL (.ascii). */
  ascii(text: string): this {
    this.program.string(text, false);
    return this;
  }
  /** A NUL-terminated string (.asciz / .string). */
  asciz(text: string): this {
    this.program.string(text, true);
    return this;
  }
  /** Align to `bytes` (a power of two); code is padded with nops. */
  align(bytes: number): this {
    this.program.align(bytes, undefined, undefined, this.pos());
    return this;
  }
  /** `n` zero bytes (or `fill`). */
  zero(n: number, fill = 0): this {
    this.program.space(n, fill, this.pos());
    return this;
  }

  // ---- macros ----

  /** Load any 64-bit constant, with GNU as's instruction sequence. */
  li(rd: Reg, value: number | bigint): this {
    const n = regNumber(rd);
    if (n === undefined) throw new AsmError(`li: "${rd}" is not a register`, this.pos());
    this.program.li(n, BigInt(value), this.pos());
    return this;
  }
  /** Load an address, pc-relative (auipc + addi). */
  la(rd: Reg, target: Target): this {
    const n = regNumber(rd);
    if (n === undefined) throw new AsmError(`la: "${rd}" is not a register`, this.pos());
    this.program.la(n, targetExpr(target), this.pos());
    return this;
  }
  lla(rd: Reg, target: Target): this {
    return this.la(rd, target);
  }
  /** Call a function anywhere within +-2 GiB (auipc ra + jalr ra). */
  call(target: Target): this {
    this.program.call(targetExpr(target), this.pos());
    return this;
  }
  /** Tail call through t1 (auipc t1 + jr t1). */
  tail(target: Target): this {
    this.program.call(targetExpr(target), this.pos(), 0, 6);
    return this;
  }

  /** Lay out, resolve and produce the image. */
  link(opts: LinkOptions = {}): Image {
    return this.program.link(opts);
  }
}

// One method per instruction and per alias, derived from the table (their types are in methods.ts).
const RESERVED = new Set(['li', 'la', 'lla', 'call', 'tail']);
for (const mnemonic of SYNTAXES.keys()) {
  const name = methodName(mnemonic);
  if (RESERVED.has(name) || name in Asm.prototype) continue;
  Object.defineProperty(Asm.prototype, name, {
    value(this: Asm, ...args: DslArg[]) {
      return this.insn(mnemonic, ...args);
    },
    writable: false,
    enumerable: false,
  });
}
