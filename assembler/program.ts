/**
 * The Program builder: the one assembler behind both front ends (the TypeScript DSL and the GNU-syntax
 * text parser). It collects sections of items (instructions, data, alignment, labels), chooses
 * compressed encodings, relaxes branches to the shortest form that reaches, lays sections out at
 * their link addresses and produces an Image. It never prints; every problem is an AsmError with the
 * source position of the item that caused it.
 */
import { encode, EncodeError, operandProblem } from './codec.js';
import { AsmError, AsmErrors, type SourcePos } from './errors.js';
import { evaluate, type Expr, ExprError, MAX_EXPRESSION_DEPTH, num, symbolsOf } from './expr.js';
import { aliasesNamed, type AliasSpec } from './isa/alias-table.js';
import { COMPRESS_RULES } from './isa/compress.js';
import { csrNumber } from './isa/csrs.js';
import type { OperandKind } from './isa/operands.js';
import { regName } from './isa/registers.js';
import { formText, insnByName, type InsnSpec, parseTemplate, type SyntaxToken, type TemplateArg } from './isa/table.js';
import { flattenForSyntax, parseFenceSet, type Operand } from './operand.js';
import type { Image, ImageSection, ImageSymbol, SectionKind } from './image.js';

interface InsnChoice {
  readonly spec: InsnSpec;
  readonly ops: readonly Operand[];
}

type Item =
  | { t: 'insn'; choices: InsnChoice[]; choice: number; pos?: SourcePos; mnemonic: string }
  | { t: 'data'; size: 1 | 2 | 4 | 8; e: Expr; pos?: SourcePos }
  | { t: 'bytes'; bytes: Uint8Array }
  | { t: 'align'; align: number; fill?: number; max?: number; pos?: SourcePos }
  | { t: 'space'; n: number; fill: number; pos?: SourcePos }
  | { t: 'label'; name: string };

class Section {
  readonly items: Item[] = [];
  /** Item offsets from the last layout; offsets[i] is where item i starts. */
  offsets: number[] = [];
  size = 0;
  align = 1;
  addr = 0n;
  constructor(
    readonly name: string,
    readonly kind: SectionKind,
  ) {}
}

type SymbolDef = { kind: 'label'; section: Section; item: number; pos?: SourcePos } | { kind: 'equ'; e: Expr; pos?: SourcePos };

/**
 * A symbol lookup: labels through `label`, .equ/.set symbols evaluated once each (a chain of
 * definitions that each use the previous one twice stays linear), a cycle undefined, and a chain
 * of definitions at most MAX_EXPRESSION_DEPTH deep (evaluation recurses through it).
 */
function symbolLookup(symbols: ReadonlyMap<string, SymbolDef>, label: (d: Extract<SymbolDef, { kind: 'label' }>) => bigint | undefined): (name: string) => bigint | undefined {
  const memo = new Map<string, bigint | undefined>();
  const active = new Set<string>();
  const lookup = (name: string): bigint | undefined => {
    const d = symbols.get(name);
    if (!d) return undefined;
    if (d.kind === 'label') return label(d);
    if (memo.has(name)) return memo.get(name);
    if (active.has(name)) return undefined;
    if (active.size >= MAX_EXPRESSION_DEPTH) throw new ExprError(`symbol ${active.values().next().value}: its definition goes through more than ${MAX_EXPRESSION_DEPTH} nested .equ/.set symbols (a fixed limit of rvsmp's assembler)`);
    active.add(name);
    try {
      const v = evaluate(d.e, lookup);
      memo.set(name, v);
      return v;
    } finally {
      active.delete(name);
    }
  };
  return lookup;
}

export interface ProgramOptions {
  /** Compress instructions automatically, as GNU as does with -march=rv64gc (default true). */
  rvc?: boolean;
  /** File name used in messages for items without a source position. */
  file?: string;
  /** Largest section, and largest sum of sections, in bytes (default 64 MiB): bounds .space, alignment and the image. */
  maxSectionSize?: number;
  /** How a message names that limit and what raises it (default: "the limit on section size (64 MiB)"). */
  sectionLimitText?: string;
}

/** Default largest section: far beyond any real program, far below what would exhaust memory. */
export const DEFAULT_MAX_SECTION = 64 << 20;

export interface LinkOptions {
  /** Address of the first section (default 0x80000000). */
  base?: bigint;
  /** Explicit addresses for named sections; others follow the previous one. */
  sections?: Record<string, bigint>;
  /** Entry symbol (default `_start` if defined, else the start of .text). */
  entry?: string;
}

const NOP_WORD = 0x00000013;
/** Marks the alignment item link() appends to code sections. */
const END_PAD: SourcePos = { file: '<section end>', line: 0, col: 0 };
const C_NOP_WORD = 0x0001;

function sectionKind(name: string): SectionKind {
  if (name === '.text' || name.startsWith('.text.') || name === '.init') return 'text';
  if (name === '.bss' || name.startsWith('.bss.') || name === '.sbss' || name.startsWith('.sbss.')) return 'bss';
  return 'data';
}

function fitsUnsignedOrSigned(v: bigint, bytes: number): boolean {
  if (bytes === 8) return true;
  const bits = BigInt(bytes * 8);
  return v >= -(1n << (bits - 1n)) && v < 1n << bits;
}

// Compression rules by mnemonic, parsed once.
interface CompressRule {
  readonly pattern: readonly TemplateArg[];
  readonly target: InsnSpec;
  readonly emit: readonly TemplateArg[];
}
const compressRules = new Map<string, CompressRule[]>();
for (const [mnemonic, pattern, emit] of COMPRESS_RULES) {
  const p = parseTemplate(`${mnemonic} ${pattern}`);
  const e = parseTemplate(emit);
  const target = insnByName(e.mnemonic);
  if (!target) throw new Error(`compress rule names unknown ${e.mnemonic}`);
  // The emit template is written in the target's syntax; drop the positions of literal registers (sp).
  const atoms = target.tokens.filter((t) => t.t !== 'punct');
  if (atoms.length !== e.args.length) throw new Error(`compress rule "${emit}" does not fit ${target.syntax}`);
  const emitArgs = e.args.filter((_, i) => atoms[i]!.t === 'operand');
  const list = compressRules.get(mnemonic) ?? [];
  list.push({ pattern: p.args, target, emit: emitArgs });
  compressRules.set(mnemonic, list);
}

export class Program {
  private readonly sections = new Map<string, Section>();
  private current: Section;
  private readonly symbols = new Map<string, SymbolDef>();
  private readonly globals = new Set<string>();
  private readonly sizes = new Map<string, Expr>();
  private readonly types = new Map<string, 'func' | 'object'>();
  private rvcStack: boolean[] = [];
  rvc: boolean;
  readonly file: string;
  private anon = 0;
  private readonly errors: AsmError[] = [];

  private readonly maxSection: number;
  private readonly limitText: string;

  constructor(options: ProgramOptions = {}) {
    this.rvc = options.rvc ?? true;
    this.file = options.file ?? '<dsl>';
    this.maxSection = options.maxSectionSize ?? DEFAULT_MAX_SECTION;
    this.limitText = options.sectionLimitText ?? `the limit on section size (${this.maxSection / (1 << 20)} MiB)`;
    this.current = this.section('.text');
  }

  // ---- sections, symbols and options ----

  section(name: string): Section {
    let s = this.sections.get(name);
    if (!s) {
      s = new Section(name, sectionKind(name));
      this.sections.set(name, s);
    }
    this.current = s;
    return s;
  }

  get currentSection(): string {
    return this.current.name;
  }

  /** A fresh local label name (not written to the ELF symbol table). */
  uniqueLabel(hint = 'L'): string {
    return `.L${hint}${this.anon++}`;
  }

  label(name: string, pos?: SourcePos): void {
    const prev = this.symbols.get(name);
    if (prev) {
      const where = prev.pos ? ` (first defined at ${prev.pos.file}:${prev.pos.line}:${prev.pos.col})` : '';
      throw new AsmError(`symbol "${name}" is already defined${where}`, pos);
    }
    this.symbols.set(name, { kind: 'label', section: this.current, item: this.current.items.length, pos });
    this.current.items.push({ t: 'label', name });
  }

  isDefined(name: string): boolean {
    return this.symbols.has(name);
  }

  equ(name: string, e: Expr, pos?: SourcePos, redefine = true): void {
    const prev = this.symbols.get(name);
    if (prev && (prev.kind === 'label' || !redefine)) throw new AsmError(`symbol "${name}" is already defined`, pos);
    this.symbols.set(name, { kind: 'equ', e: this.freezeDot(e), pos });
  }

  globl(name: string): void {
    this.globals.add(name);
  }

  setSize(name: string, e: Expr): void {
    this.sizes.set(name, this.freezeDot(e));
  }

  setType(name: string, type: 'func' | 'object'): void {
    this.types.set(name, type);
  }

  pushOption(): void {
    this.rvcStack.push(this.rvc);
  }

  popOption(pos?: SourcePos): void {
    const v = this.rvcStack.pop();
    if (v === undefined) throw new AsmError('.option pop without a matching .option push', pos);
    this.rvc = v;
  }

  /** Replace `.` (the current location) by a label placed here. */
  private freezeDot(e: Expr): Expr {
    if (!symbolsOf(e).includes('.')) return e;
    const here = this.uniqueLabel('dot');
    this.label(here);
    const subst = (x: Expr): Expr =>
      x.k === 'sym' && x.name === '.' ? { k: 'sym', name: here } : x.k === 'un' ? { ...x, a: subst(x.a) } : x.k === 'bin' ? { ...x, a: subst(x.a), b: subst(x.b) } : x;
    return subst(e);
  }

  /** The value of an expression if it is known now (constants and .equ of constants). */
  constant(e: Expr): bigint | undefined {
    const lookup = symbolLookup(this.symbols, () => undefined);
    try {
      return evaluate(e, lookup);
    } catch (x) {
      if (x instanceof ExprError && x.message.includes('nested')) throw new AsmError(x.message);
      return undefined;
    }
  }

  // ---- data ----

  bytes(data: Uint8Array): void {
    this.current.items.push({ t: 'bytes', bytes: data });
  }

  data(size: 1 | 2 | 4 | 8, e: Expr, pos?: SourcePos): void {
    const frozen = this.freezeDot(e);
    const v = this.constant(frozen);
    if (v !== undefined) {
      if (!fitsUnsignedOrSigned(v, size)) throw new AsmError(`value ${v} does not fit in ${size} byte${size > 1 ? 's' : ''}`, pos);
      const out = new Uint8Array(size);
      let x = BigInt.asUintN(64, v);
      for (let i = 0; i < size; i++, x >>= 8n) out[i] = Number(x & 0xffn);
      this.bytes(out);
    } else this.current.items.push({ t: 'data', size, e: frozen, pos });
  }

  string(text: string, nulTerminated: boolean): void {
    const enc = new TextEncoder().encode(text);
    const out = new Uint8Array(enc.length + (nulTerminated ? 1 : 0));
    out.set(enc);
    this.bytes(out);
  }

  /** Align to `align` bytes (a power of two). Text sections are padded with nops, as GNU as does. */
  align(align: number, fill?: number, max?: number, pos?: SourcePos): void {
    // (Not align & (align - 1): bitwise operators see only the low 32 bits.)
    if (!Number.isSafeInteger(align) || align < 1 || 2 ** Math.round(Math.log2(align)) !== align) throw new AsmError(`alignment ${align} is not a power of two`, pos);
    if (align > this.maxSection) throw new AsmError(`alignment ${align} is larger than ${this.limitText}`, pos);
    if (align > this.current.align) this.current.align = align;
    this.current.items.push({ t: 'align', align, ...(fill !== undefined ? { fill } : {}), ...(max !== undefined ? { max } : {}), pos });
  }

  space(n: number, fill = 0, pos?: SourcePos): void {
    if (!Number.isInteger(n) || n < 0) throw new AsmError(`space size ${n} must be a non-negative integer`, pos);
    if (n > this.maxSection) throw new AsmError(`space of ${n} bytes is larger than ${this.limitText}`, pos);
    if (this.current.kind === 'bss' && fill !== 0) throw new AsmError('a .bss section can only hold zeros', pos);
    this.current.items.push({ t: 'space', n, fill: fill & 0xff, pos });
  }

  // ---- instructions ----

  /**
   * Assemble one instruction or pseudo-instruction by mnemonic. With RVC on, GNU's compression rules
   * for the mnemonic come first; then the instruction itself, then its aliases. The first candidate
   * whose operands fit is used; branch and jump candidates with a label target are all kept, and
   * layout picks the shortest that reaches.
   */
  insn(mnemonic: string, ops: readonly Operand[], pos?: SourcePos): void {
    if (this.current.kind === 'bss') throw new AsmError(`instruction ${mnemonic} in a .bss section`, pos);
    const choices: InsnChoice[] = [];
    let firstProblem: string | undefined;
    const note = (p: string | undefined) => (firstProblem ??= p);

    const explicit = insnByName(mnemonic);
    if (this.rvc && !mnemonic.startsWith('c.')) {
      // Rules match the operands as written, flattened by each syntax the mnemonic has.
      const forms = [explicit?.tokens, ...aliasesNamed(mnemonic).map((a) => a.tokens)]
        .filter((t): t is NonNullable<typeof t> => t !== undefined)
        .map((t) => flattenForSyntax(t, ops))
        .filter((f): f is Operand[] => typeof f !== 'string');
      if (ops.length === 0) forms.push([]);
      for (const rule of compressRules.get(mnemonic) ?? []) {
        for (const flat of forms) {
          const c = this.tryCompress(rule, flat);
          if (c) {
            choices.push(c);
            break;
          }
        }
      }
    }
    if (explicit) {
      const c = this.tryForm(explicit.tokens, explicit.kinds, ops, note);
      if (c) choices.push({ spec: explicit, ops: c });
    }
    for (const alias of aliasesNamed(mnemonic)) {
      const c = this.tryAlias(alias, ops, note);
      if (c) choices.push(c);
    }
    if (!explicit && aliasesNamed(mnemonic).length === 0) throw new AsmError(`unknown instruction "${mnemonic}"`, pos);

    // A candidate whose operands are all known fixes the choice; deferred (label) ones stay as relaxation options.
    const usable: InsnChoice[] = [];
    for (const c of choices) {
      const deferred = this.hasDeferred(c);
      if (!deferred) {
        const problem = this.constantProblem(c);
        if (problem) {
          note(problem);
          continue;
        }
        usable.push(c);
        break;
      }
      usable.push(c);
    }
    if (usable.length === 0) {
      if (firstProblem) throw new AsmError(firstProblem, pos);
      const forms = [explicit?.tokens, ...aliasesNamed(mnemonic).map((a) => a.tokens)].filter((t): t is NonNullable<typeof t> => t !== undefined);
      const text = forms.map((t) => formText(mnemonic, t));
      throw new AsmError(`${mnemonic}: ${ops.length} operand${ops.length === 1 ? '' : 's'} given; expected ${text.join(' or ')}`, pos);
    }
    this.current.items.push({ t: 'insn', choices: usable, choice: 0, pos, mnemonic });
  }

  private hasDeferred(c: InsnChoice): boolean {
    return c.ops.some((op) => op.t === 'reloc' || (op.t === 'expr' && this.constant(op.e) === undefined));
  }

  /** Problem with a candidate whose operands are all constants, or undefined. */
  private constantProblem(c: InsnChoice): string | undefined {
    try {
      encode(
        c.spec,
        c.ops.map((op, i) => this.constValue(op, c.spec.kinds[i]!)),
      );
      return undefined;
    } catch (e) {
      if (e instanceof EncodeError) return e.message;
      throw e;
    }
  }

  private constValue(op: Operand, _kind: OperandKind): number {
    switch (op.t) {
      case 'reg':
        return op.n;
      case 'csr':
        return op.n;
      case 'fence':
        return op.bits;
      case 'expr':
        return toNumberOrNaN(this.constant(op.e)!);
      case 'reloc':
      case 'mem':
        throw new Error('unreachable: reloc is deferred, mem is flattened');
    }
  }

  /** Convert operands for a syntax: registers where registers go, CSR names and fence sets where they go. */
  private tryForm(tokens: readonly SyntaxToken[], kinds: readonly OperandKind[], written: readonly Operand[], note: (p: string) => void): Operand[] | undefined {
    const ops = flattenForSyntax(tokens, written);
    if (typeof ops === 'string') return undefined;
    const out: Operand[] = [];
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[i]!;
      const op = ops[i]!;
      const conv = convertOperand(k, op);
      if (typeof conv === 'string') {
        note(conv);
        return undefined;
      }
      // Like GNU as, a plain immediate must be a constant; addresses go through %hi/%lo/%pcrel_*.
      if (k.type === 'imm' && !k.pcrel && conv.t === 'expr' && this.constant(conv.e) === undefined) {
        note(`expected a constant or a %hi/%lo/%pcrel_hi/%pcrel_lo operand, got ${describe(conv)}`);
        return undefined;
      }
      out.push(conv);
    }
    return out;
  }

  private tryAlias(alias: AliasSpec, ops: readonly Operand[], note: (p: string) => void): InsnChoice | undefined {
    const conv = this.tryForm(alias.tokens, alias.kinds, ops, note);
    if (!conv) return undefined;
    const byName = new Map(alias.operands.map((n, i) => [n as string, conv[i]!]));
    const target = alias.target;
    const tops = target.args.map((a): Operand => (a.t === 'reg' ? { t: 'reg', n: a.reg } : a.t === 'num' ? argLiteral(target.spec.kinds[target.args.indexOf(a)]!, a.value) : byName.get(a.name)!));
    return { spec: target.spec, ops: tops };
  }

  private tryCompress(rule: CompressRule, ops: readonly Operand[]): InsnChoice | undefined {
    if (ops.length !== rule.pattern.length) return undefined;
    const bound = new Map<string, Operand>();
    for (let i = 0; i < ops.length; i++) {
      const p = rule.pattern[i]!;
      const op = ops[i]!;
      if (p.t === 'reg') {
        if (op.t !== 'reg' || op.n !== p.reg) return undefined;
      } else if (p.t === 'num') {
        if (op.t !== 'expr' || this.constant(op.e) !== BigInt(p.value)) return undefined;
      } else {
        const prev = bound.get(p.name);
        if (prev) {
          if (prev.t !== 'reg' || op.t !== 'reg' || prev.n !== op.n) return undefined;
        } else bound.set(p.name, op);
      }
    }
    const spec = rule.target;
    const cops: Operand[] = [];
    for (let i = 0; i < rule.emit.length; i++) {
      const a = rule.emit[i]!;
      const kind = spec.kinds[i]!;
      let op: Operand | undefined = a.t === 'reg' ? { t: 'reg', n: a.reg } : a.t === 'num' ? { t: 'expr', e: num(a.value) } : bound.get(a.name);
      if (!op) return undefined;
      const conv = convertOperand(kind, op);
      if (typeof conv === 'string') return undefined;
      op = conv;
      if (op.t === 'reloc') return undefined;
      if (op.t === 'expr') {
        const v = this.constant(op.e);
        // Only branch and jump targets may stay unknown: layout decides whether they reach.
        if (v === undefined) {
          if (kind.type !== 'imm' || !kind.pcrel) return undefined;
        } else if (operandProblem(kind, toNumberOrNaN(v))) return undefined;
      } else if (op.t === 'mem' || operandProblem(kind, op.t === 'reg' ? op.n : op.t === 'csr' ? op.n : op.bits)) return undefined;
      cops.push(op);
    }
    return { spec, ops: cops };
  }

  // ---- macros: li, la/lla, call, tail ----

  /** li rd, value: any 64-bit constant, with GNU as's instruction sequence. */
  li(rd: number, value: bigint, pos?: SourcePos): void {
    for (const [mnemonic, ops] of liSequence(rd, BigInt.asIntN(64, value))) this.insn(mnemonic, ops, pos);
  }

  /** auipc + a second instruction using %pcrel_lo of a label placed on the auipc. */
  pcrelPair(rd: number, target: Expr, second: (lo: Operand) => [string, Operand[]], pos?: SourcePos): void {
    const here = this.uniqueLabel('pcrel_hi');
    this.label(here);
    this.insn('auipc', [{ t: 'reg', n: rd }, { t: 'reloc', op: 'pcrel_hi', e: target }], pos);
    const [m, ops] = second({ t: 'reloc', op: 'pcrel_lo', e: { k: 'sym', name: here } });
    this.insn(m, ops, pos);
  }

  la(rd: number, target: Expr, pos?: SourcePos): void {
    this.pcrelPair(rd, target, (lo) => ['addi', [{ t: 'reg', n: rd }, { t: 'reg', n: rd }, lo]], pos);
  }

  call(target: Expr, pos?: SourcePos, link = 1, scratch = 1): void {
    this.pcrelPair(scratch, target, (lo) => ['jalr', [{ t: 'reg', n: link }, { t: 'mem', off: lo, base: scratch }]], pos);
  }

  // ---- layout and link ----

  private itemSize(s: Section, i: number, offset: number): number {
    const it = s.items[i]!;
    switch (it.t) {
      case 'insn':
        return it.choices[it.choice]!.spec.size;
      case 'data':
        return it.size;
      case 'bytes':
        return it.bytes.length;
      case 'space':
        return it.n;
      case 'label':
        return 0;
      case 'align': {
        const pad = (it.align - (offset % it.align)) % it.align;
        return it.max !== undefined && pad > it.max ? 0 : pad;
      }
    }
  }

  private layoutSection(s: Section): void {
    let off = 0;
    s.offsets = new Array(s.items.length);
    for (let i = 0; i < s.items.length; i++) {
      s.offsets[i] = off;
      off += this.itemSize(s, i, off);
      if (off > this.maxSection) {
        const it = s.items[i]!;
        throw new AsmErrors([new AsmError(`section ${s.name} grows past ${this.limitText}`, 'pos' in it ? it.pos : undefined)]);
      }
    }
    s.size = off;
  }

  private placeSections(opts: LinkOptions): Section[] {
    const order = [...this.sections.values()].filter((s) => s.items.length > 0 || s.name === '.text');
    const rank = (s: Section) => (s.kind === 'text' ? 0 : s.kind === 'data' ? 1 : 2);
    order.sort((a, b) => rank(a) - rank(b));
    let next = opts.base ?? 0x80000000n;
    for (const s of order) {
      const fixed = opts.sections?.[s.name];
      const align = BigInt(Math.max(s.align, s.kind === 'text' ? 2 : 1));
      s.addr = fixed ?? (next + align - 1n) & ~(align - 1n);
      next = s.addr + BigInt(s.size);
    }
    return order;
  }

  /** Symbol values with the current layout (a new lookup after each layout: labels move). */
  private lookupFn(): (name: string) => bigint | undefined {
    return symbolLookup(this.symbols, (d) => d.section.addr + BigInt(d.section.offsets[d.item] ?? 0));
  }

  /** Section of the label an expression names (sym or sym+const), for relaxation within a section. */
  private targetSection(e: Expr): Section | undefined {
    const names = symbolsOf(e).filter((n) => this.symbols.get(n)?.kind === 'label');
    if (names.length !== 1) return undefined;
    const d = this.symbols.get(names[0]!)!;
    return d.kind === 'label' ? d.section : undefined;
  }

  /** Does this candidate reach its target at the current layout? */
  private reaches(s: Section, i: number, c: InsnChoice, lookup: (n: string) => bigint | undefined): boolean {
    const pc = s.addr + BigInt(s.offsets[i]!);
    for (let k = 0; k < c.ops.length; k++) {
      const op = c.ops[k]!;
      const kind = c.spec.kinds[k]!;
      if (op.t !== 'expr' || this.constant(op.e) !== undefined) continue;
      if (kind.type !== 'imm' || !kind.pcrel) return false;
      if (this.targetSection(op.e) !== s) return false;
      const v = evaluate(op.e, lookup);
      if (v === undefined || operandProblem(kind, toNumberOrNaN(v - pc))) return false;
    }
    return true;
  }

  /** Lay out, relax, resolve and encode everything into an Image. Throws AsmErrors listing every problem. */
  link(opts: LinkOptions = {}): Image {
    try {
      return this.linkInner(opts);
    } catch (e) {
      // A symbol chain too deep to evaluate, met while laying out.
      if (e instanceof ExprError) throw new AsmErrors([...this.errors.splice(0), new AsmError(e.message)]);
      throw e;
    }
  }

  private linkInner(opts: LinkOptions): Image {
    for (const [name] of this.sizes) if (!this.symbols.has(name)) this.errors.push(new AsmError(`.size names undefined symbol "${name}"`));
    let lookup = this.lookupFn();
    // GNU as pads the end of a code section to the section's alignment, with nops.
    for (const s of this.sections.values()) {
      if (s.kind === 'text' && s.align > 1 && !s.items.some((it) => it.t === 'align' && it.pos === END_PAD)) {
        s.items.push({ t: 'align', align: s.align, pos: END_PAD });
      }
    }
    // Relaxation: every relaxable instruction starts at its shortest form and only grows, so this ends.
    let order: Section[] = [];
    for (let pass = 0; ; pass++) {
      for (const s of this.sections.values()) this.layoutSection(s);
      order = this.placeSections(opts);
      lookup = this.lookupFn();
      const total = order.reduce((sum, s) => sum + s.size, 0);
      if (total > this.maxSection) {
        // Point at the end of the largest section.
        const big = order.reduce((a, b) => (b.size > a.size ? b : a));
        const at = [...big.items].reverse().find((it) => 'pos' in it && it.pos !== undefined && it.pos !== END_PAD);
        throw new AsmErrors([new AsmError(`the sections together (${total} bytes; ${big.name} ${big.size}) are larger than ${this.limitText}`, at && 'pos' in at ? at.pos : undefined)]);
      }
      let changed = false;
      for (const s of order) {
        s.items.forEach((it, i) => {
          if (it.t !== 'insn' || it.choice >= it.choices.length - 1) return;
          if (!this.reaches(s, i, it.choices[it.choice]!, lookup)) {
            it.choice++;
            changed = true;
          }
        });
      }
      if (!changed) break;
      if (pass > 10000) throw new Error('relaxation did not converge');
    }

    const sections: ImageSection[] = [];
    for (const s of order) {
      const data = new Uint8Array(s.kind === 'bss' ? 0 : s.size);
      const view = new DataView(data.buffer);
      s.items.forEach((it, i) => {
        const off = s.offsets[i]!;
        try {
          this.emitItem(s, it, off, data, view, lookup);
        } catch (e) {
          if (e instanceof AsmError) this.errors.push(e);
          else if (e instanceof ExprError) this.errors.push(new AsmError(e.message, 'pos' in it ? it.pos : undefined));
          else throw e;
        }
      });
      sections.push({ name: s.name, kind: s.kind, addr: s.addr, size: s.size, data, align: s.align });
    }
    if (this.errors.length) throw new AsmErrors(this.errors.splice(0));

    const symbols: ImageSymbol[] = [];
    for (const [name, d] of this.symbols) {
      if (name.startsWith('.L')) continue;
      const value = lookup(name);
      if (value === undefined) continue;
      const sizeExpr = this.sizes.get(name);
      const size = sizeExpr ? (evaluate(sizeExpr, lookup) ?? 0n) : 0n;
      symbols.push({
        name,
        value,
        size,
        section: d.kind === 'label' ? d.section.name : undefined,
        global: this.globals.has(name),
        type: this.types.get(name) ?? (d.kind === 'label' && d.section.kind === 'text' ? 'func' : d.kind === 'label' ? 'object' : 'none'),
      });
    }
    for (const g of this.globals) if (!this.symbols.has(g)) throw new AsmErrors([new AsmError(`global symbol "${g}" is never defined`)]);
    const entryName = opts.entry ?? (this.symbols.has('_start') ? '_start' : undefined);
    let entry: bigint;
    if (entryName) {
      const v = lookup(entryName);
      if (v === undefined) throw new AsmErrors([new AsmError(`entry symbol "${entryName}" is not defined`)]);
      entry = v;
    } else entry = this.sections.get('.text')?.addr ?? opts.base ?? 0x80000000n;
    return { entry, sections, symbols, rvc: this.usedRvc() };
  }

  private usedRvc(): boolean {
    for (const s of this.sections.values()) for (const it of s.items) if (it.t === 'insn' && it.choices[it.choice]!.spec.size === 2) return true;
    return this.rvc;
  }

  private emitItem(s: Section, it: Item, off: number, data: Uint8Array, view: DataView, lookup: (n: string) => bigint | undefined): void {
    switch (it.t) {
      case 'label':
        return;
      case 'bytes':
        if (s.kind !== 'bss') data.set(it.bytes, off);
        else if (it.bytes.some((b) => b !== 0)) throw new AsmError(`section ${s.name} can only hold zeros`);
        return;
      case 'space':
        if (s.kind !== 'bss') data.fill(it.fill, off, off + it.n);
        return;
      case 'align': {
        const pad = this.itemSize(s, s.items.indexOf(it), off);
        if (s.kind === 'bss' || pad === 0) return;
        if (it.fill !== undefined || s.kind !== 'text') {
          data.fill(it.fill ?? 0, off, off + pad);
          return;
        }
        // GNU as pads code with zero bytes up to an instruction boundary, then one c.nop if RVC is on
        // and a 2-byte step remains, then 4-byte nops.
        let p = off;
        const end = off + pad;
        const odd = pad % 2;
        data.fill(0, p, p + odd);
        p += odd;
        if ((end - p) % 4 === 2) {
          if (this.rvc) {
            view.setUint16(p, C_NOP_WORD, true);
          } else data.fill(0, p, p + 2);
          p += 2;
        }
        for (; p < end; p += 4) view.setUint32(p, NOP_WORD, true);
        return;
      }
      case 'data': {
        const v = evaluate(it.e, lookup);
        if (v === undefined) throw new AsmError(`undefined symbol ${undefinedIn(it.e, lookup)}`, it.pos);
        if (!fitsUnsignedOrSigned(v, it.size)) throw new AsmError(`value ${v} does not fit in ${it.size} bytes`, it.pos);
        let x = BigInt.asUintN(64, v);
        for (let i = 0; i < it.size; i++, x >>= 8n) data[off + i] = Number(x & 0xffn);
        return;
      }
      case 'insn': {
        const c = it.choices[it.choice]!;
        const pc = s.addr + BigInt(off);
        const args = c.ops.map((op, k) => this.resolveOperand(op, c.spec.kinds[k]!, pc, lookup, it));
        let word: number;
        try {
          word = encode(c.spec, args);
        } catch (e) {
          if (e instanceof EncodeError) {
            const name = c.spec.name === it.mnemonic ? it.mnemonic : `${it.mnemonic} (${c.spec.name})`;
            throw new AsmError(e.message.replace(/^[\w.]+:/, `${name}:`), it.pos);
          }
          throw e;
        }
        if (c.spec.size === 4) view.setUint32(off, word, true);
        else view.setUint16(off, word, true);
        return;
      }
    }
  }

  private resolveOperand(op: Operand, kind: OperandKind, pc: bigint, lookup: (n: string) => bigint | undefined, it: { pos?: SourcePos; mnemonic: string }): number {
    const need = (e: Expr): bigint => {
      const v = evaluate(e, lookup);
      if (v === undefined) throw new AsmError(`${it.mnemonic}: undefined symbol ${undefinedIn(e, lookup)}`, it.pos);
      return v;
    };
    switch (op.t) {
      case 'reg':
      case 'csr':
        return op.n;
      case 'fence':
        return op.bits;
      case 'mem':
        throw new Error('unreachable: mem operands are flattened');
      case 'expr': {
        const v = need(op.e);
        return toNumberOrNaN(kind.type === 'imm' && kind.pcrel ? v - pc : v);
      }
      case 'reloc': {
        switch (op.op) {
          case 'hi': {
            const v = need(op.e);
            // lui sign-extends: only values within the signed 32-bit range can be built by %hi/%lo.
            if (v < -(1n << 31n) - 0x800n || v >= (1n << 31n) - 0x800n) throw new AsmError(`${it.mnemonic}: %hi value 0x${BigInt.asUintN(64, v).toString(16)} is outside the signed 32-bit range lui can build (use la, which is pc-relative)`, it.pos);
            return Number(((v + 0x800n) >> 12n) & 0xfffffn);
          }
          case 'lo':
            return Number(BigInt.asIntN(12, need(op.e)));
          case 'pcrel_hi': {
            const delta = need(op.e) - pc;
            if (delta < -(1n << 31n) - 0x800n || delta >= (1n << 31n) - 0x800n) throw new AsmError(`${it.mnemonic}: %pcrel_hi target is more than 2 GiB away`, it.pos);
            return Number(((delta + 0x800n) >> 12n) & 0xfffffn);
          }
          case 'pcrel_lo': {
            const hi = this.findPcrelHi(op.e, lookup);
            if (!hi) throw new AsmError(`${it.mnemonic}: %pcrel_lo must name the label of an auipc with %pcrel_hi`, it.pos);
            return Number(BigInt.asIntN(12, hi.target - hi.pc));
          }
        }
      }
    }
  }

  /** For %pcrel_lo(label): the auipc at that label, its pc and its %pcrel_hi target. */
  private findPcrelHi(e: Expr, lookup: (n: string) => bigint | undefined): { pc: bigint; target: bigint } | undefined {
    if (e.k !== 'sym') return undefined;
    const d = this.symbols.get(e.name);
    if (!d || d.kind !== 'label') return undefined;
    const s = d.section;
    for (let i = d.item; i < s.items.length; i++) {
      const it = s.items[i]!;
      if (it.t === 'label') continue;
      if (it.t !== 'insn') return undefined;
      const hi = it.choices[it.choice]!.ops.find((o) => o.t === 'reloc' && o.op === 'pcrel_hi');
      if (!hi || hi.t !== 'reloc') return undefined;
      const target = evaluate(hi.e, lookup);
      if (target === undefined) return undefined;
      return { pc: s.addr + BigInt(s.offsets[i]!), target };
    }
    return undefined;
  }
}

/** Read a parsed operand the way an operand kind needs it. Returns an error message if it cannot be. */
function convertOperand(kind: OperandKind, op: Operand): Operand | string {
  switch (kind.type) {
    case 'reg':
      return op.t === 'reg' ? op : `expected a register, got ${describe(op)}`;
    case 'imm':
      if (op.t === 'expr' || op.t === 'reloc') return op;
      return `expected an immediate, got ${describe(op)}`;
    case 'csr':
      if (op.t === 'csr') return op;
      if (op.t === 'expr' && op.e.k === 'sym') {
        const n = csrNumber(op.e.name);
        return n === undefined ? `unknown CSR "${op.e.name}"` : { t: 'csr', n };
      }
      if (op.t === 'expr' && op.e.k === 'num') return { t: 'csr', n: Number(op.e.v) };
      return `expected a CSR, got ${describe(op)}`;
    case 'fence':
      if (op.t === 'fence') return op;
      if (op.t === 'expr' && op.e.k === 'sym') {
        const bits = parseFenceSet(op.e.name);
        return bits === undefined ? `bad fence set "${op.e.name}" (letters i, o, r, w in that order)` : { t: 'fence', bits };
      }
      return `expected a fence set such as rw, got ${describe(op)}`;
  }
}

function argLiteral(kind: OperandKind, value: number): Operand {
  if (kind.type === 'csr') return { t: 'csr', n: value };
  if (kind.type === 'fence') return { t: 'fence', bits: value };
  return { t: 'expr', e: num(value) };
}

function describe(op: Operand): string {
  switch (op.t) {
    case 'reg':
      return `register ${regName(op.n)}`;
    case 'expr':
      return op.e.k === 'num' ? `${op.e.v}` : op.e.k === 'sym' ? `"${op.e.name}"` : 'an expression';
    case 'reloc':
      return `%${op.op}(...)`;
    case 'csr':
      return 'a CSR';
    case 'fence':
      return 'a fence set';
    case 'mem':
      return 'a memory operand';
  }
}

function undefinedIn(e: Expr, lookup: (n: string) => bigint | undefined): string {
  const missing = symbolsOf(e).filter((n) => lookup(n) === undefined);
  return missing.length ? `"${missing[0]}"` : 'in expression';
}

/** bigint to number for encoding; values that cannot be exact become NaN, which every range check refuses. */
function toNumberOrNaN(v: bigint): number {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : NaN;
}


/**
 * GNU as's li: a value that fits 12 bits is `addi rd, zero, v`; anything else goes through its
 * load_const (tc-riscv.c): a 32-bit signed value is lui and/or addiw; a wider one is built from its
 * upper part, shifted left past the trailing zeros, plus the low 12 bits.
 */
export function liSequence(rd: number, value: bigint): [string, Operand[]][] {
  const out: [string, Operand[]][] = [];
  const R = { t: 'reg', n: rd } as const;
  const Z = { t: 'reg', n: 0 } as const;
  const imm = (v: bigint): Operand => ({ t: 'expr', e: num(v) });
  if (value === BigInt.asIntN(12, value)) return [['addi', [R, Z, imm(value)]]];
  const build = (v: bigint): void => {
    const lower = BigInt.asIntN(12, v);
    let upper = BigInt.asIntN(64, v - lower);
    if (v !== BigInt.asIntN(32, v)) {
      let shift = 12n;
      while (((upper >> shift) & 1n) === 0n) shift++;
      upper = BigInt.asIntN(64, upper) >> shift;
      build(upper);
      out.push(['slli', [R, R, imm(shift)]]);
      if (lower !== 0n) out.push(['addi', [R, R, imm(lower)]]);
    } else {
      let hiReg = 0;
      if (upper !== 0n) {
        out.push(['lui', [R, imm(BigInt.asUintN(32, upper) >> 12n)]]);
        hiReg = rd;
      }
      if (lower !== 0n || hiReg === 0) out.push(['addiw', [R, hiReg === 0 ? Z : R, imm(lower)]]);
    }
  };
  build(value);
  return out;
}
