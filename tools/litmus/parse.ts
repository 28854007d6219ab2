/**
 * Parser for herd's RISC-V litmus format, as the tests are written (../shared/litmus/README.md):
 * a header line, optional quoted doc and key=value metadata, (* comments *), an init block with
 * optional C-like type declarations, one column of instructions per hart separated by `|` with rows
 * ending in `;`, and a final condition (exists / ~exists / forall) with optional `locations [...]`
 * and `filter (...)`. Errors name the file and line.
 */
import { LIMITS, limitMessage, MAX_EXPRESSION_DEPTH } from '../limits.js';

export class LitmusError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'LitmusError';
  }
}

export type Cond =
  | { k: 'and' | 'or'; a: Cond; b: Cond }
  | { k: 'not'; a: Cond }
  | { k: 'true' | 'false' }
  | { k: 'reg'; hart: number; reg: number; name: string; value: bigint | string }
  | { k: 'loc'; name: string; value: bigint | string };

export interface LitmusTest {
  readonly name: string;
  readonly file: string;
  /** Initial register values: hart -> reg number -> number or location name (its address). */
  readonly regs: Map<number, Map<number, bigint | string>>;
  /** Memory locations in order of appearance, with initial values (numbers or other locations). */
  readonly locations: Map<string, bigint | string>;
  /** Locations and registers declared 64-bit (uint64_t/int64_t), printed unsigned when uint. */
  readonly wide: Set<string>;
  readonly unsigned: Set<string>;
  /** Instruction text per hart, one row per entry ('' for an empty cell). */
  readonly code: string[][];
  /** The source line of each program row. */
  readonly rowLines: number[];
  readonly quantifier: 'exists' | '~exists' | 'forall';
  readonly condition: Cond;
  readonly filter?: Cond;
  /** Extra things to observe (`locations [...]`). */
  readonly observe: string[];
  /** The line where the condition starts, for messages. */
  readonly conditionLine: number;
}

import { regNumber } from '../../assembler/isa/registers.js';

/** A register as litmus tests write it (x5, a0, s0, ...) to its number, or undefined. */
function regNum(name: string): number | undefined {
  return regNumber(name);
}

export function parseLitmus(text: string, file: string): LitmusTest {
  const lines = text.split('\n');
  // Strip (* ... *) comments, keeping line structure.
  let src = text.replace(/\(\*[\s\S]*?\*\)/g, (m) => m.replace(/[^\n]/g, ' '));
  // Line numbers by binary search over the line starts (a 50,000-row test stays fast).
  const lineStarts = [0];
  for (let k = src.indexOf('\n'); k >= 0; k = src.indexOf('\n', k + 1)) lineStarts.push(k + 1);
  const lineOf = (offset: number) => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  void lines;
  const header = /^\s*RISCV\s+(\S+)/.exec(src);
  if (!header) throw new LitmusError(file, 1, 'expected "RISCV <name>" on the first line');
  const name = header[1]!;
  const open = src.indexOf('{');
  const close = open >= 0 ? src.indexOf('}', open) : -1;
  if (open < 0 || close < 0) throw new LitmusError(file, 2, 'expected an init block { ... }');
  const regs = new Map<number, Map<number, bigint | string>>();
  const locations = new Map<string, bigint | string>();
  const wide = new Set<string>();
  const unsigned = new Set<string>();
  const initText = src.slice(open + 1, close);
  let pos = open + 1;
  for (const rawStmt of initText.split(';')) {
    const stmtOffset = pos;
    pos += rawStmt.length + 1;
    const stmt = rawStmt.trim();
    if (!stmt) continue;
    const line = lineOf(stmtOffset + rawStmt.search(/\S/));
    // Declarations: [type] [*]name [= value], where name is T:xN or a location.
    const m = /^(?:(u?int(?:8|16|32|64)_t|int|long|char)\s+)?(\*?)\s*(\d+:[a-z]\w*|[A-Za-z_]\w*)\s*(?:=\s*(.+))?$/.exec(stmt);
    if (!m) throw new LitmusError(file, line, `cannot read init "${stmt}"`);
    const [, type, star, target, valueText] = m;
    const is64 = !!type && /64|long/.test(type);
    const value = valueText !== undefined ? parseValue(valueText.trim().replace(/^&/, ''), file, line) : undefined;
    const rm = /^(\d+):([a-z]\w*)$/.exec(target!);
    if (rm) {
      const hart = Number(rm[1]);
      const reg = regNum(rm[2]!);
      if (reg === undefined || reg < 1) throw new LitmusError(file, line, `register ${rm[2]} cannot be initialised`);
      if (!regs.has(hart)) regs.set(hart, new Map());
      if (value !== undefined) regs.get(hart)!.set(reg, value);
      if (is64 || star) wide.add(target!);
      if (type?.startsWith('u')) unsigned.add(target!);
    } else {
      if (!locations.has(target!) || value !== undefined) locations.set(target!, value ?? locations.get(target!) ?? 0n);
      if (is64 || star) wide.add(target!);
      if (type?.startsWith('u')) unsigned.add(target!);
    }
  }
  // Program: rows after the init block up to the condition keyword.
  const rest = src.slice(close + 1);
  const condMatch = /(^|\n)\s*(~\s*exists|exists|forall|locations|filter)\b/.exec(rest);
  if (!condMatch) throw new LitmusError(file, lineOf(close), 'expected exists, ~exists or forall after the program');
  const progText = rest.slice(0, condMatch.index);
  const progStart = close + 1;
  const rows = progText.split(';');
  const code: string[][] = [];
  const rowLines: number[] = [];
  let harts = -1;
  let rowOffset = progStart;
  for (const row of rows) {
    const at = rowOffset;
    rowOffset += row.length + 1;
    if (!row.trim()) continue;
    const cells = row.split('|').map((c) => c.trim());
    const line = lineOf(at + row.search(/\S/));
    if (harts < 0) {
      harts = cells.length;
      if (harts > LIMITS.litmusThreads.value) throw new LitmusError(file, line, `${harts} threads: over ${limitMessage(LIMITS.litmusThreads)}`);
      cells.forEach((c, i) => {
        if (c !== `P${i}`) throw new LitmusError(file, line, `expected column header P${i}, got "${c}"`);
        code.push([]);
      });
      continue;
    }
    if (cells.length !== harts) throw new LitmusError(file, line, `row has ${cells.length} columns, the header has ${harts}`);
    cells.forEach((c, i) => code[i]!.push(c));
    rowLines.push(line);
    if (rowLines.length > LIMITS.litmusInsns.value) throw new LitmusError(file, line, `more than ${LIMITS.litmusInsns.value.toLocaleString('en')} rows: ${limitMessage(LIMITS.litmusInsns)}`);
  }
  if (harts < 1) throw new LitmusError(file, lineOf(progStart), 'no program columns');
  // Tail: locations [...], filter (...), exists/~exists/forall (...).
  let tail = rest.slice(condMatch.index);
  let tailOffset = close + 1 + condMatch.index;
  const observe: string[] = [];
  let filter: Cond | undefined;
  let quantifier: LitmusTest['quantifier'] | undefined;
  let condition: Cond | undefined;
  let conditionLine = 0;
  while (tail.trim()) {
    const lead = tail.length - tail.trimStart().length;
    tail = tail.trimStart();
    tailOffset += lead;
    const line = lineOf(tailOffset);
    const kw = /^(~\s*exists|exists|forall|locations|filter)/.exec(tail);
    if (!kw) throw new LitmusError(file, line, `unexpected "${tail.split('\n')[0]!.slice(0, 30)}" after the condition`);
    tail = tail.slice(kw[0].length);
    tailOffset += kw[0].length;
    if (kw[1] === 'locations') {
      const m = /^\s*\[([^\]]*)\]\s*;?/.exec(tail);
      if (!m) throw new LitmusError(file, line, 'expected locations [ ... ]');
      observe.push(...m[1]!.split(';').map((s) => s.trim()).filter(Boolean));
      tail = tail.slice(m[0].length);
      tailOffset += m[0].length;
      continue;
    }
    const { cond, used } = parseCondition(tail, file, line);
    tail = tail.slice(used);
    tailOffset += used;
    if (kw[1] === 'filter') filter = cond;
    else {
      if (quantifier) throw new LitmusError(file, line, 'more than one final condition');
      quantifier = kw[1]!.replace(/\s+/g, '') as LitmusTest['quantifier'];
      condition = cond;
      conditionLine = line;
    }
  }
  if (!quantifier || !condition) throw new LitmusError(file, lineOf(src.length), 'no final condition (exists, ~exists or forall)');
  // Every thread a condition or the init block names must exist.
  for (const [c, at] of [[condition, conditionLine], ...(filter ? [[filter, conditionLine] as const] : [])] as const) {
    for (const r of condAtoms(c).regs) {
      const t = Number(r.split(':')[0]);
      if (t >= harts) throw new LitmusError(file, at, `the condition names ${r}, but the test has thread${harts === 1 ? '' : 's'} 0..${harts - 1}`);
    }
  }
  for (const t of regs.keys()) if (t >= harts) throw new LitmusError(file, lineOf(open), `the init block sets registers of thread ${t}, but the test has thread${harts === 1 ? '' : 's'} 0..${harts - 1}`);
  src = '';
  return { name, file, regs, locations, wide, unsigned, code, rowLines, quantifier, condition, ...(filter ? { filter } : {}), observe, conditionLine };
}

function parseValue(text: string, file: string, line: number): bigint | string {
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) return BigInt.asIntN(64, BigInt(text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text)));
  if (/^[A-Za-z_]\w*$/.test(text)) return text;
  throw new LitmusError(file, line, `cannot read value "${text}"`);
}

/** Parse a condition expression; returns it and how many characters it used. */
function parseCondition(text: string, file: string, line: number): { cond: Cond; used: number } {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new LitmusError(file, line, `in condition: expected ${what} near "${text.slice(i, i + 20).trim()}"`);
  };
  let depth = 0;
  const deeper = () => {
    if (++depth > MAX_EXPRESSION_DEPTH) throw new LitmusError(file, line, `in condition: nested more than ${MAX_EXPRESSION_DEPTH} deep (parentheses, not, /\\ and \\/; a fixed limit)`);
  };
  const atom = (): Cond => {
    ws();
    deeper();
    try {
      return atomInner();
    } finally {
      depth--;
    }
  };
  const comparison = /(?:(\d+):([a-z]\w*)|\[\s*(\w+)\s*\]|([A-Za-z_]\w*))\s*=\s*(-?0x[0-9a-fA-F]+|-?\d+|[A-Za-z_]\w*)/y;
  const atomInner = (): Cond => {
    if (text.startsWith('(', i)) {
      i++;
      const c = or();
      ws();
      if (text[i] !== ')') fail('")"');
      i++;
      return c;
    }
    if (text.startsWith('not', i) && !/\w/.test(text[i + 3] ?? '')) {
      i += 3;
      return { k: 'not', a: atom() };
    }
    if (text[i] === '~') {
      i++;
      return { k: 'not', a: atom() };
    }
    if (text.startsWith('true', i)) {
      i += 4;
      return { k: 'true' };
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return { k: 'false' };
    }
    comparison.lastIndex = i;
    const m = comparison.exec(text);
    if (!m) return fail('a comparison such as 1:x5=1 or x=2');
    i += m[0].length;
    const value = /^-?(0x|\d)/i.test(m[5]!) ? BigInt.asIntN(64, m[5]!.startsWith('-') ? -BigInt(m[5]!.slice(1)) : BigInt(m[5]!)) : m[5]!;
    if (m[1] !== undefined) {
      const reg = regNum(m[2]!);
      if (reg === undefined) return fail(`a register, not "${m[2]}"`);
      return { k: 'reg', hart: Number(m[1]), reg, name: m[2]!, value };
    }
    return { k: 'loc', name: (m[3] ?? m[4])!, value };
  };
  // A chain of n operators is a tree n deep (evaluation recurses over it): it counts into the depth.
  const and = (): Cond => {
    const d = depth;
    let a = atom();
    for (;;) {
      ws();
      if (!text.startsWith('/\\', i)) break;
      i += 2;
      deeper();
      a = { k: 'and', a, b: atom() };
    }
    depth = d;
    return a;
  };
  const or = (): Cond => {
    const d = depth;
    let a = and();
    for (;;) {
      ws();
      if (!text.startsWith('\\/', i)) break;
      i += 2;
      deeper();
      a = { k: 'or', a, b: and() };
    }
    depth = d;
    return a;
  };
  const cond = or();
  ws();
  if (text[i] === ';') i++;
  return { cond, used: i };
}

/** Registers and locations a condition mentions, for projecting final states. */
export function condAtoms(c: Cond, out: { regs: Set<string>; locs: Set<string> } = { regs: new Set(), locs: new Set() }) {
  switch (c.k) {
    case 'and':
    case 'or':
      condAtoms(c.a, out);
      condAtoms(c.b, out);
      break;
    case 'not':
      condAtoms(c.a, out);
      break;
    case 'reg':
      out.regs.add(`${c.hart}:${c.name}`);
      break;
    case 'loc':
      out.locs.add(c.name);
      break;
  }
  return out;
}
