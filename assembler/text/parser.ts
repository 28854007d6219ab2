/**
 * The GNU-syntax text front end: it reads lines, labels, directives and instructions and drives the
 * same Program builder as the DSL. It keeps going after an error so that a file's problems are all
 * reported at once, each as file:line:column and what was expected.
 */
import { AsmError, AsmErrors, type SourcePos } from '../errors.js';
import { type Expr, exprDepth, MAX_EXPRESSION_DEPTH, num, sym } from '../expr.js';
import { regNumber } from '../isa/registers.js';
import type { Operand, RelocOp } from '../operand.js';
import { Program, type ProgramOptions } from '../program.js';

type Tok =
  | { k: 'id'; v: string; col: number }
  | { k: 'num'; v: bigint; col: number }
  | { k: 'str'; v: string; col: number }
  | { k: 'op'; v: string; col: number }
  | { k: 'reloc'; v: RelocOp; col: number };

const RELOCS: Record<string, RelocOp> = { hi: 'hi', lo: 'lo', pcrel_hi: 'pcrel_hi', pcrel_lo: 'pcrel_lo' };

class LineError extends Error {
  constructor(
    message: string,
    readonly col: number,
  ) {
    super(message);
  }
}

/** Split a line into tokens; `#` starts a comment outside strings. Columns are 1-based. */
function lex(line: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    const col = i + 1;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new LineError('unterminated string', col);
        const d = line[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = line[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'", b: '\b', f: '\f', v: '\v', a: '\x07' };
          if (e === 'x') {
            const m = matchAt(/^[0-9a-fA-F]{1,2}/, line, i + 2);
            if (!m) throw new LineError('bad \\x escape', i + 1);
            s += String.fromCharCode(parseInt(m[0], 16));
            i += 2 + m[0].length;
          } else if (e !== undefined && /[0-7]/.test(e)) {
            const m = matchAt(/^[0-7]{1,3}/, line, i + 1)!;
            s += String.fromCharCode(parseInt(m[0], 8));
            i += 1 + m[0].length;
          } else if (e !== undefined && simple[e] !== undefined) {
            s += simple[e];
            i += 2;
          } else throw new LineError(`unknown escape \\${e ?? ''}`, i + 1);
          continue;
        }
        s += d;
        i++;
      }
      out.push({ k: 'str', v: s, col });
      continue;
    }
    if (c === "'") {
      // Character constant: 'a or 'a'
      const ch = line[i + 1];
      if (ch === undefined) throw new LineError('bad character constant', col);
      let v: number;
      let len = 2;
      if (ch === '\\') {
        const e = line[i + 2];
        const map: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34 };
        if (e === undefined || map[e] === undefined) throw new LineError('bad character constant', col);
        v = map[e];
        len = 3;
      } else v = ch.charCodeAt(0);
      if (line[i + len] === "'") len++;
      out.push({ k: 'num', v: BigInt(v), col });
      i += len;
      continue;
    }
    if (c === '%') {
      const m = matchAt(/^%([a-z_]+)/, line, i);
      if (!m || !RELOCS[m[1]!]) throw new LineError(`unknown relocation operator ${m ? m[0] : '%'} (expected %hi, %lo, %pcrel_hi or %pcrel_lo)`, col);
      out.push({ k: 'reloc', v: RELOCS[m[1]!]!, col });
      i += m[0].length;
      continue;
    }
    const numMatch = matchAt(/^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+[bf](?![\w$])|[0-9]+)/, line, i);
    if (numMatch && /[0-9]/.test(c)) {
      const t = numMatch[0];
      if (/^[0-9]+[bf]$/.test(t)) out.push({ k: 'id', v: t, col }); // local label reference 1b / 1f
      else {
        if (/[0-9A-Za-z_$]/.test(line[i + t.length] ?? '')) throw new LineError(`bad number "${line.slice(i, i + 64).split(/[\s,()]/)[0]}"`, col);
        let v: bigint;
        if (/^0[0-7]+$/.test(t)) v = BigInt('0o' + t.slice(1));
        else v = BigInt(t);
        if (v >= 1n << 64n) throw new LineError(`number ${t.length > 40 ? t.slice(0, 40) + '...' : t} does not fit in 64 bits`, col);
        out.push({ k: 'num', v, col });
      }
      i += t.length;
      continue;
    }
    const id = matchAt(/^[A-Za-z_.$][\w.$]*/, line, i);
    if (id) {
      out.push({ k: 'id', v: id[0], col });
      i += id[0].length;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (['<<', '>>', '&&', '||', '==', '!=', '<=', '>='].includes(two)) {
      out.push({ k: 'op', v: two, col });
      i += 2;
      continue;
    }
    if ('+-*/%&|^~!(),:=<>;@'.includes(c)) {
      out.push({ k: 'op', v: c, col });
      i++;
      continue;
    }
    throw new LineError(`unexpected character ${printable(c)}`, col);
  }
  return out;
}

/** /^re/.exec(s.slice(at)) without copying the rest of the line (a long line stays linear). */
const sticky = new Map<string, RegExp>();
function matchAt(re: RegExp, s: string, at: number): RegExpExecArray | null {
  let y = sticky.get(re.source);
  if (!y) sticky.set(re.source, (y = new RegExp(re.source.replace(/^\^/, ''), re.flags + 'y')));
  y.lastIndex = at;
  return y.exec(s);
}

/** A character for a message: quoted, or as a code point when it does not print. */
function printable(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
}

const tooDeep = `expression nested more than ${MAX_EXPRESSION_DEPTH} deep (operators and parentheses; a fixed limit of rvsmp's assembler)`;

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  '|': 4, '^': 4, '&': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6, '<<': 6, '>>': 6,
};

/** Parse one operand or expression from a token cursor. */
class Cursor {
  i = 0;
  constructor(
    readonly toks: Tok[],
    readonly endCol: number,
    private readonly localRef: (name: string, col: number) => string,
  ) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  col(): number {
    return this.peek()?.col ?? this.endCol;
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t?.k === 'op' && t.v === v;
  }
  expectOp(v: string, what: string): void {
    if (!this.isOp(v)) throw new LineError(`expected ${what}`, this.col());
    this.i++;
  }

  /** Parentheses and unary operators open around the token being parsed. */
  private nesting = 0;

  /** An expression, no deeper than MAX_EXPRESSION_DEPTH (evaluation recurses over it). */
  expr(): Expr {
    const col = this.col();
    const e = this.binary(1);
    if (exprDepth(e) > MAX_EXPRESSION_DEPTH) throw new LineError(tooDeep, col);
    return e;
  }

  private binary(minPrec: number): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!t || t.k !== 'op') break;
      const prec = BINARY_PRECEDENCE[t.v];
      if (prec === undefined || prec < minPrec) break;
      this.i++;
      const right = this.binary(prec + 1);
      left = { k: 'bin', op: t.v as never, a: left, b: right };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    if (!t) throw new LineError('expected an expression', this.col());
    const nests = t.k === 'op' && (t.v === '-' || t.v === '~' || t.v === '!' || t.v === '+' || t.v === '(');
    if (nests && ++this.nesting > MAX_EXPRESSION_DEPTH) throw new LineError(tooDeep, t.col);
    try {
      return this.unaryInner(t);
    } finally {
      if (nests) this.nesting--;
    }
  }

  private unaryInner(t: Tok): Expr {
    if (t.k === 'op' && (t.v === '-' || t.v === '~' || t.v === '!' || t.v === '+')) {
      this.i++;
      return { k: 'un', op: t.v, a: this.unary() };
    }
    if (t.k === 'op' && t.v === '(') {
      this.i++;
      const e = this.binary(1);
      this.expectOp(')', '")"');
      return e;
    }
    if (t.k === 'num') {
      this.i++;
      return num(t.v);
    }
    if (t.k === 'id') {
      this.i++;
      if (/^[0-9]+[bf]$/.test(t.v)) return sym(this.localRef(t.v, t.col));
      return sym(t.v);
    }
    throw new LineError(`expected an expression, got "${t.k === 'str' ? `"${t.v}"` : t.v}"`, t.col);
  }

  /** An instruction operand: register, expression, %reloc(expr), or a memory operand off(reg) / (reg). */
  operand(): Operand {
    const t = this.peek();
    if (!t) throw new LineError('expected an operand', this.col());
    if (t.k === 'id' && regNumber(t.v) !== undefined && !this.followedByOperator()) {
      this.i++;
      return { t: 'reg', n: regNumber(t.v)! };
    }
    let off: Operand | undefined;
    if (t.k === 'reloc') {
      this.i++;
      this.expectOp('(', `"(" after %${t.v}`);
      const e = this.expr();
      this.expectOp(')', '")"');
      off = { t: 'reloc', op: t.v, e };
    } else if (this.isOp('(') && this.parenHoldsRegister()) {
      off = undefined;
    } else off = { t: 'expr', e: this.exprBeforeBase() };
    if (this.isOp('(') && this.parenHoldsRegister()) {
      this.i++;
      const r = this.peek()!;
      this.i++;
      this.expectOp(')', '")"');
      return { t: 'mem', off, base: regNumber((r as { v: string }).v)! };
    }
    if (!off) throw new LineError('expected an operand', this.col());
    return off;
  }

  private followedByOperator(): boolean {
    const n = this.toks[this.i + 1];
    return n !== undefined && n.k === 'op' && n.v !== ',' && n.v !== ')';
  }

  private parenHoldsRegister(): boolean {
    const a = this.toks[this.i + 1];
    const b = this.toks[this.i + 2];
    return a?.k === 'id' && regNumber(a.v) !== undefined && b?.k === 'op' && b.v === ')';
  }

  /** An expression that stops before a trailing "(reg)". */
  private exprBeforeBase(): Expr {
    // Find a "(reg)" that ends this operand, and parse only up to it.
    let depth = 0;
    let stop = this.toks.length;
    for (let j = this.i; j < this.toks.length; j++) {
      const t = this.toks[j]!;
      if (t.k === 'op' && t.v === ',' && depth === 0) {
        stop = j;
        break;
      }
      if (t.k === 'op' && t.v === '(') {
        const a = this.toks[j + 1];
        const b = this.toks[j + 2];
        if (depth === 0 && a?.k === 'id' && regNumber(a.v) !== undefined && b?.k === 'op' && b.v === ')') {
          stop = j;
          break;
        }
        depth++;
      }
      if (t.k === 'op' && t.v === ')') depth--;
    }
    const sub = new Cursor(this.toks.slice(this.i, stop), stop < this.toks.length ? this.toks[stop]!.col : this.endCol, (n, c) => this.localRef(n, c));
    const e = sub.expr();
    if (!sub.atEnd()) throw new LineError(`unexpected "${(sub.peek() as { v: unknown }).v}" in expression`, sub.col());
    this.i += sub.i;
    return e;
  }
}

export interface TextOptions extends ProgramOptions {
  file?: string;
}

const DATA_SIZES: Record<string, 1 | 2 | 4 | 8> = {
  '.byte': 1, '.half': 2, '.short': 2, '.2byte': 2, '.hword': 2,
  '.word': 4, '.long': 4, '.4byte': 4, '.int': 4, '.dword': 8, '.quad': 8, '.8byte': 8,
};

const IGNORED_DIRECTIVES = new Set(['.file', '.ident', '.attribute', '.end', '.cfi_startproc', '.cfi_endproc', '.local', '.weak', '.loc', '.addrsig', '.variant_cc']);

/** Assemble GNU-syntax source text into a Program (not yet linked). Throws AsmErrors with every problem found. */
export function parseAssembly(source: string, options: TextOptions = {}): Program {
  const file = options.file ?? '<input>';
  const program = new Program({ ...options, file });
  const errors: AsmError[] = [];
  // Numeric local labels: "1:" defines the next instance; "1b" is the latest, "1f" the next.
  const localCount = new Map<string, number>();
  const localName = (n: string, k: number) => `.L${n}\u0002${k}`;
  const lines = source.split('\n');

  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    const pos = (col: number): SourcePos => ({ file, line: lineNo, col });
    try {
      const allToks = lex(rawLine);
      // ';' separates statements on one line.
      const stmts: Tok[][] = [[]];
      for (const t of allToks) {
        if (t.k === 'op' && t.v === ';') stmts.push([]);
        else stmts[stmts.length - 1]!.push(t);
      }
      for (const toksIn of stmts) statement(toksIn);
    } catch (e) {
      if (e instanceof LineError) errors.push(new AsmError(e.message, pos(e.col)));
      else if (e instanceof AsmError) errors.push(e.pos ? e : new AsmError(e.message.replace(/^error: /, ''), pos(1)));
      else throw e;
    }

    function statement(toksIn: Tok[]): void {
      let toks = toksIn;
      // Labels.
      while (toks.length >= 2 && toks[1]!.k === 'op' && (toks[1] as { v: string }).v === ':' && (toks[0]!.k === 'id' || toks[0]!.k === 'num')) {
        const t = toks[0]!;
        if (t.k === 'num') {
          const n = String(t.v);
          const k = (localCount.get(n) ?? 0) + 1;
          localCount.set(n, k);
          program.label(localName(n, k), pos(t.col));
        } else if (t.k === 'id') {
          if (regNumber(t.v) !== undefined) throw new LineError(`"${t.v}" is a register name and cannot be a label`, t.col);
          program.label(t.v, pos(t.col));
        }
        toks = toks.slice(2);
      }
      if (toks.length === 0) return;
      const head = toks[0]!;
      // sym = expr
      if (head.k === 'id' && toks[1]?.k === 'op' && (toks[1] as { v: string }).v === '=') {
        const c = cursor(toks.slice(2));
        program.equ(head.v, c.expr(), pos(head.col));
        endOf(c);
        return;
      }
      if (head.k !== 'id') throw new LineError('expected a label, directive or instruction', head.col);
      const rest = toks.slice(1);
      if (head.v.startsWith('.') && !/^\.insn$/.test(head.v)) directive(head.v.toLowerCase(), rest, head.col);
      else instruction(head.v.toLowerCase(), rest, head.col);
    }

    function cursor(toks: Tok[]): Cursor {
      return new Cursor(toks, rawLine.length + 1, (ref, col) => {
        const n = ref.slice(0, -1);
        const k = localCount.get(n) ?? 0;
        if (ref.endsWith('b')) {
          if (k === 0) throw new LineError(`local label "${n}" is not defined before this reference (${ref})`, col);
          return localName(n, k);
        }
        return localName(n, k + 1);
      });
    }

    function endOf(c: Cursor): void {
      if (!c.atEnd()) {
        const t = c.peek()!;
        throw new LineError(`unexpected "${t.k === 'str' ? `"${t.v}"` : String(t.v)}"`, t.col);
      }
    }

    /** Comma-separated list parsed by `item`. */
    function list<T>(toks: Tok[], item: (c: Cursor) => T): T[] {
      const c = cursor(toks);
      const out: T[] = [];
      if (c.atEnd()) return out;
      for (;;) {
        out.push(item(c));
        if (c.atEnd()) break;
        c.expectOp(',', '","');
      }
      return out;
    }

    function constant(c: Cursor, what: string): number {
      const col = c.col();
      const e = c.expr();
      const v = program.constant(e);
      if (v === undefined) throw new LineError(`${what} must be a constant`, col);
      return Number(v);
    }

    function symbolName(c: Cursor, what: string): string {
      const t = c.peek();
      if (!t || t.k !== 'id') throw new LineError(`expected ${what}`, c.col());
      c.i++;
      return t.v;
    }

    function directive(name: string, args: Tok[], col: number): void {
      const p = pos(col);
      const size = DATA_SIZES[name];
      if (size) {
        for (const e of list(args, (c) => c.expr())) program.data(size, e, p);
        return;
      }
      switch (name) {
        case '.text':
        case '.data':
        case '.bss':
        case '.rodata':
          if (args.length) throw new LineError(`${name} takes no operands`, args[0]!.col);
          program.section(name);
          return;
        case '.section': {
          const c = cursor(args);
          const t = c.peek();
          if (!t || (t.k !== 'id' && t.k !== 'str')) throw new LineError('expected a section name', c.col());
          c.i++;
          program.section(String(t.v));
          return; // flags and types after the name are accepted and ignored
        }
        case '.globl':
        case '.global':
          for (const n of list(args, (c) => symbolName(c, 'a symbol name'))) program.globl(n);
          return;
        case '.align':
        case '.p2align': {
          const [n, fill, max] = list(args, (c) => constant(c, 'alignment'));
          if (n === undefined || n < 0 || n > 16) throw new LineError(`${name} needs a power of two exponent 0..16`, col);
          program.align(2 ** n, fill, max, p);
          return;
        }
        case '.balign': {
          const [n, fill, max] = list(args, (c) => constant(c, 'alignment'));
          if (n === undefined) throw new LineError('.balign needs an alignment', col);
          program.align(n, fill, max, p);
          return;
        }
        case '.ascii':
        case '.asciz':
        case '.string': {
          const strs = list(args, (c) => {
            const t = c.peek();
            if (!t || t.k !== 'str') throw new LineError('expected a string in double quotes', c.col());
            c.i++;
            return t.v;
          });
          if (strs.length === 0) throw new LineError(`${name} needs a string`, col);
          for (const s of strs) program.string(s, name !== '.ascii');
          return;
        }
        case '.zero':
        case '.space':
        case '.skip': {
          const [n, fill] = list(args, (c) => constant(c, 'size'));
          if (n === undefined) throw new LineError(`${name} needs a size`, col);
          if (name === '.zero' && fill !== undefined) throw new LineError('.zero takes one operand', col);
          program.space(n, fill ?? 0, p);
          return;
        }
        case '.equ':
        case '.set': {
          const c = cursor(args);
          const n = symbolName(c, 'a symbol name');
          c.expectOp(',', '"," after the symbol name');
          program.equ(n, c.expr(), p);
          endOf(c);
          return;
        }
        case '.size': {
          const c = cursor(args);
          const n = symbolName(c, 'a symbol name');
          c.expectOp(',', '","');
          program.setSize(n, c.expr());
          endOf(c);
          return;
        }
        case '.type': {
          const c = cursor(args);
          const n = symbolName(c, 'a symbol name');
          c.expectOp(',', '","');
          if (c.isOp('%') || c.isOp('@')) c.i++;
          const t = c.peek();
          c.i++;
          const v = t && 'v' in t ? String(t.v).replace(/^[@%]/, '') : '';
          if (v === 'function') program.setType(n, 'func');
          else if (v === 'object') program.setType(n, 'object');
          else throw new LineError('expected @function or @object', t?.col ?? col);
          return;
        }
        case '.option': {
          const c = cursor(args);
          const opt = symbolName(c, 'rvc, norvc, push or pop');
          endOf(c);
          if (opt === 'rvc') program.rvc = true;
          else if (opt === 'norvc') program.rvc = false;
          else if (opt === 'push') program.pushOption();
          else if (opt === 'pop') program.popOption(p);
          else if (!['relax', 'norelax', 'pic', 'nopic', 'arch'].includes(opt)) throw new LineError(`unknown .option "${opt}" (expected rvc, norvc, push or pop)`, col);
          return;
        }
      }
      if (IGNORED_DIRECTIVES.has(name)) return;
      throw new LineError(`unknown directive "${name}"`, col);
    }

    function instruction(mnemonic: string, args: Tok[], col: number): void {
      const p = pos(col);
      const ops = list(args, (c) => c.operand());
      const reg = (i: number): number => {
        const o = ops[i];
        if (!o || o.t !== 'reg') throw new LineError(`${mnemonic}: operand ${i + 1} must be a register`, col);
        return o.n;
      };
      const valueAt = (i: number): Expr => {
        const o = ops[i];
        if (!o || o.t !== 'expr') throw new LineError(`${mnemonic}: operand ${i + 1} must be a symbol or value`, col);
        return o.e;
      };
      const arity = (n: number) => {
        if (ops.length !== n) throw new LineError(`${mnemonic} takes ${n} operand${n === 1 ? '' : 's'}, got ${ops.length}`, col);
      };
      switch (mnemonic) {
        case 'li': {
          arity(2);
          const rd = reg(0);
          const v = program.constant(valueAt(1));
          if (v === undefined) throw new LineError('li needs a constant value (use la for addresses)', col);
          program.li(rd, v, p);
          return;
        }
        case 'la':
        case 'lla':
          arity(2);
          program.la(reg(0), valueAt(1), p);
          return;
        case 'call':
          if (ops.length === 2) program.call(valueAt(1), p, reg(0), reg(0));
          else {
            arity(1);
            program.call(valueAt(0), p);
          }
          return;
        case 'tail':
          arity(1);
          program.call(valueAt(0), p, 0, 6);
          return;
      }
      program.insn(mnemonic, ops, p);
    }
  });

  if (errors.length) throw new AsmErrors(errors);
  return program;
}
