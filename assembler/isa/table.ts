/**
 * The derived instruction table: every row of opcodes.ts turned into an InsnSpec with its match/mask,
 * its operand list in syntax order, and (for compressed rows) the resolved expansion. Everything that
 * encodes, decodes, prints or parses instructions reads these specs.
 */
import { type BitRange, parseRange, rangeMask, popcount } from './bits.js';
import { type Ext, INSN_ROWS } from './opcodes.js';
import { OPERAND_KINDS, type OperandKind, type OperandName, isOperandName } from './operands.js';
import { regNumber } from './registers.js';

/** One token of an instruction's syntax. */
export type SyntaxToken =
  | { readonly t: 'operand'; readonly name: OperandName }
  | { readonly t: 'reg'; readonly reg: number; readonly text: string }
  | { readonly t: 'punct'; readonly text: ',' | '(' | ')' };

/** An argument of a template such as "addi c_rd, zero, c_nzimm6". */
export type TemplateArg =
  | { readonly t: 'operand'; readonly name: string }
  | { readonly t: 'reg'; readonly reg: number }
  | { readonly t: 'num'; readonly value: number };

export interface Template {
  readonly mnemonic: string;
  readonly args: readonly TemplateArg[];
}

export interface InsnSpec {
  /** Index into INSNS; stable for a given table, used by the emulator's dispatch. */
  readonly id: number;
  readonly name: string;
  /** Name without the .aq/.rl/.aqrl ordering suffix. */
  readonly base: string;
  readonly ext: Ext;
  readonly size: 2 | 4;
  readonly syntax: string;
  readonly tokens: readonly SyntaxToken[];
  /** Operand kinds in syntax order: the order of DSL arguments and of decoded args. */
  readonly operands: readonly OperandName[];
  readonly kinds: readonly OperandKind[];
  readonly match: number;
  readonly mask: number;
  readonly aq: boolean;
  readonly rl: boolean;
  /** Compressed instructions: the base instruction they stand for. */
  readonly expand?: Template;
}

const TOKEN_RE = /\s*([A-Za-z_][\w.]*|-?0x[0-9a-fA-F]+|-?\d+|[,()])/y;

/** Split "rd, imm12(rs1)" or "jalr zero, 0(c_rs1_nz)" into atoms and punctuation. */
export function tokenizeTemplate(text: string): string[] {
  const out: string[] = [];
  TOKEN_RE.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(text);
    if (!m) throw new Error(`cannot tokenize "${text}" at ${pos}`);
    out.push(m[1]!);
    pos = TOKEN_RE.lastIndex;
  }
  return out;
}

function parseSyntax(syntax: string): SyntaxToken[] {
  return tokenizeTemplate(syntax).map((tok): SyntaxToken => {
    if (tok === ',' || tok === '(' || tok === ')') return { t: 'punct', text: tok };
    if (isOperandName(tok)) return { t: 'operand', name: tok };
    const reg = regNumber(tok);
    if (reg !== undefined) return { t: 'reg', reg, text: tok };
    throw new Error(`syntax "${syntax}": unknown operand "${tok}"`);
  });
}

/** Parse "mnemonic arg, arg(arg)" into a template; arguments are every non-punctuation atom in order. */
export function parseTemplate(text: string): Template {
  const [mnemonic, ...rest] = tokenizeTemplate(text);
  const args: TemplateArg[] = [];
  for (const tok of rest) {
    if (tok === ',' || tok === '(' || tok === ')') continue;
    const reg = regNumber(tok);
    if (reg !== undefined) args.push({ t: 'reg', reg });
    else if (/^-?(0x)?[0-9a-f]+$/i.test(tok)) args.push({ t: 'num', value: Number(tok) });
    else args.push({ t: 'operand', name: tok });
  }
  return { mnemonic: mnemonic!, args };
}

function fixedBits(fixed: string): { match: number; mask: number; ranges: BitRange[] } {
  let match = 0;
  let mask = 0;
  const ranges: BitRange[] = [];
  for (const part of fixed.trim().split(/\s+/).filter(Boolean)) {
    const [range, value] = part.split('=');
    const r = parseRange(range!);
    const m = rangeMask(r);
    const v = Number(value);
    if (!Number.isInteger(v) || v < 0 || v > m >>> r.lo) throw new Error(`fixed "${part}" does not fit`);
    match = (match | ((v << r.lo) & m)) >>> 0;
    mask = (mask | m) >>> 0;
    ranges.push(r);
  }
  return { match, mask, ranges };
}

const ORDERINGS = [
  { suffix: '', aq: false, rl: false },
  { suffix: '.aq', aq: true, rl: false },
  { suffix: '.rl', aq: false, rl: true },
  { suffix: '.aqrl', aq: true, rl: true },
] as const;

function buildTable(): InsnSpec[] {
  const specs: InsnSpec[] = [];
  for (const row of INSN_ROWS) {
    const tokens = parseSyntax(row.syntax);
    const operands = tokens.flatMap((t) => (t.t === 'operand' ? [t.name] : []));
    const { match, mask } = fixedBits(row.fixed);
    const ignore = row.ignore ? row.ignore.split(/\s+/).reduce((m, r) => (m | rangeMask(parseRange(r))) >>> 0, 0) : 0;
    const size = row.ext === 'C' ? 2 : 4;
    const variants = row.amo ? ORDERINGS : [ORDERINGS[0]];
    for (const o of variants) {
      const aqrl = row.amo ? (((o.aq ? 1 : 0) << 26) | ((o.rl ? 1 : 0) << 25)) >>> 0 : 0;
      specs.push({
        id: specs.length,
        name: row.name + o.suffix,
        base: row.name,
        ext: row.ext,
        size,
        syntax: row.syntax,
        tokens,
        operands,
        kinds: operands.map((n) => OPERAND_KINDS[n]),
        match: (match | aqrl) >>> 0,
        mask: (row.amo ? mask | (3 << 25) : mask & ~ignore) >>> 0,
        aq: o.aq,
        rl: o.rl,
        ...(row.expand ? { expand: parseTemplate(row.expand) } : {}),
      });
    }
  }
  return specs;
}

export const INSNS: readonly InsnSpec[] = buildTable();

const byName = new Map<string, InsnSpec>(INSNS.map((s) => [s.name, s]));

export function insnByName(name: string): InsnSpec | undefined {
  return byName.get(name);
}

/** Bits each spec accounts for: fixed, operands and ignored. Used by the table's self-check. */
export function coverage(row: (typeof INSN_ROWS)[number]): { problems: string[] } {
  const problems: string[] = [];
  const width = row.ext === 'C' ? 16 : 32;
  const full = width === 32 ? 0xffffffff : 0xffff;
  let seen = 0;
  const claim = (m: number, what: string) => {
    if ((seen & m) !== 0) problems.push(`${row.name}: ${what} overlaps bits already claimed`);
    seen = (seen | m) >>> 0;
  };
  for (const r of fixedBits(row.fixed).ranges) claim(rangeMask(r), `fixed ${r.hi}..${r.lo}`);
  if (row.amo) claim((3 << 25) >>> 0, 'aq/rl');
  if (row.ignore) for (const r of row.ignore.split(/\s+/)) claim(rangeMask(parseRange(r)), `ignored ${r}`);
  for (const t of parseSyntax(row.syntax)) {
    if (t.t !== 'operand') continue;
    for (const p of OPERAND_KINDS[t.name].pieces) claim(rangeMask(p), `operand ${t.name}`);
  }
  if (seen !== full) problems.push(`${row.name}: bits ${(full & ~seen).toString(2).padStart(width, '0')} are not covered`);
  return { problems };
}

/** True if `a` fixes every bit `b` fixes, and more: a is a special case of b (fence.tso of fence). */
export function isSpecialCaseOf(a: InsnSpec, b: InsnSpec): boolean {
  return a.size === b.size && (a.mask & b.mask) === b.mask && a.mask !== b.mask && ((a.match ^ b.match) & b.mask) === 0;
}

export function overlaps(a: InsnSpec, b: InsnSpec): boolean {
  return a.size === b.size && ((a.match ^ b.match) & a.mask & b.mask) === 0;
}

export { popcount };

/** "add rd, rs1, rs2": a mnemonic with its syntax, for messages. */
export function formText(mnemonic: string, tokens: readonly SyntaxToken[]): string {
  return `${mnemonic} ${tokens.map((t) => (t.t === 'punct' ? (t.text === ',' ? ', ' : t.text) : t.t === 'reg' ? t.text : t.name)).join('')}`.trim();
}
