/**
 * Assembly-time expressions: numbers, symbols and the operators GNU as accepts. A value is 64-bit
 * (bigint, two's complement). Expressions that name labels are resolved at link time.
 */

export type Expr =
  | { readonly k: 'num'; readonly v: bigint }
  | { readonly k: 'sym'; readonly name: string }
  | { readonly k: 'un'; readonly op: '-' | '~' | '!' | '+'; readonly a: Expr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr };

export type BinOp = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^' | '&&' | '||' | '==' | '!=' | '<' | '>' | '<=' | '>=';

export const num = (v: bigint | number): Expr => ({ k: 'num', v: BigInt.asIntN(64, BigInt(v)) });
export const sym = (name: string): Expr => ({ k: 'sym', name });
export const add = (a: Expr, b: bigint | number): Expr => (b === 0 || b === 0n ? a : { k: 'bin', op: '+', a, b: num(b) });

/**
 * How deep an expression may nest (operators and parentheses): evaluation recurses, so a chain of
 * 10,000 additions or 5,000 nested parentheses would exhaust the stack. GNU as has no such limit;
 * no real program comes near it.
 */
export const MAX_EXPRESSION_DEPTH = 1000;

/** The depth of an expression tree (a number or symbol is 1), computed without recursion. */
export function exprDepth(e: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if (x.k === 'un') stack.push([x.a, d + 1]);
    else if (x.k === 'bin') stack.push([x.a, d + 1], [x.b, d + 1]);
  }
  return max;
}

/** Resolve a symbol to a value, or undefined when it is not (yet) known. */
export type SymbolLookup = (name: string) => bigint | undefined;

export class ExprError extends Error {}

const S = (x: bigint) => BigInt.asIntN(64, x);

/** Evaluate; undefined if a symbol is unknown. Throws ExprError on division by zero. */
export function evaluate(e: Expr, lookup: SymbolLookup): bigint | undefined {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'sym':
      return lookup(e.name);
    case 'un': {
      const a = evaluate(e.a, lookup);
      if (a === undefined) return undefined;
      return e.op === '-' ? S(-a) : e.op === '~' ? S(~a) : e.op === '!' ? (a === 0n ? 1n : 0n) : a;
    }
    case 'bin': {
      const a = evaluate(e.a, lookup);
      const b = evaluate(e.b, lookup);
      if (a === undefined || b === undefined) return undefined;
      switch (e.op) {
        case '+': return S(a + b);
        case '-': return S(a - b);
        case '*': return S(a * b);
        case '/': if (b === 0n) throw new ExprError('division by zero'); return S(a / b);
        case '%': if (b === 0n) throw new ExprError('division by zero'); return S(a % b);
        case '<<': return S(a << (b & 63n));
        case '>>': return S(a >> (b & 63n));
        case '&': return S(a & b);
        case '|': return S(a | b);
        case '^': return S(a ^ b);
        case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
        case '||': return a !== 0n || b !== 0n ? 1n : 0n;
        // GNU as gives -1 for true comparisons.
        case '==': return a === b ? -1n : 0n;
        case '!=': return a !== b ? -1n : 0n;
        case '<': return a < b ? -1n : 0n;
        case '>': return a > b ? -1n : 0n;
        case '<=': return a <= b ? -1n : 0n;
        case '>=': return a >= b ? -1n : 0n;
      }
    }
  }
}

/** Names of all symbols an expression mentions. */
export function symbolsOf(e: Expr, out: string[] = []): string[] {
  if (e.k === 'sym') out.push(e.name);
  else if (e.k === 'un') symbolsOf(e.a, out);
  else if (e.k === 'bin') (symbolsOf(e.a, out), symbolsOf(e.b, out));
  return out;
}
