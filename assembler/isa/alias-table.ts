/** The alias rows of aliases.ts, parsed and resolved against the instruction table. */
import { ALIAS_ROWS } from './aliases.js';
import { OPERAND_KINDS, type OperandKind, type OperandName } from './operands.js';
import { type InsnSpec, type SyntaxToken, parseTemplate, tokenizeTemplate } from './table.js';
import { type ResolvedTemplate, resolveTemplate } from './templates.js';
import { regNumber } from './registers.js';

export interface AliasSpec {
  readonly name: string;
  readonly syntax: string;
  readonly tokens: readonly SyntaxToken[];
  readonly operands: readonly OperandName[];
  readonly kinds: readonly OperandKind[];
  readonly target: ResolvedTemplate;
  readonly asm: boolean;
  readonly disasm: boolean;
}

function parseAliasSyntax(syntax: string): SyntaxToken[] {
  return tokenizeTemplate(syntax).map((tok): SyntaxToken => {
    if (tok === ',' || tok === '(' || tok === ')') return { t: 'punct', text: tok };
    if (tok in OPERAND_KINDS) return { t: 'operand', name: tok as OperandName };
    const reg = regNumber(tok);
    if (reg !== undefined) return { t: 'reg', reg, text: tok };
    throw new Error(`alias syntax "${syntax}": unknown operand ${tok}`);
  });
}

export const ALIASES: readonly AliasSpec[] = ALIAS_ROWS.map((row) => {
  const tokens = parseAliasSyntax(row.syntax);
  const operands = tokens.flatMap((t) => (t.t === 'operand' ? [t.name] : []));
  return {
    name: row.name,
    syntax: row.syntax,
    tokens,
    operands,
    kinds: operands.map((n) => OPERAND_KINDS[n]),
    target: resolveTemplate(parseTemplate(`${row.expand}`), operands),
    asm: row.asm !== false,
    disasm: row.disasm !== false,
  };
});

const byTarget = new Map<InsnSpec, AliasSpec[]>();
const byName = new Map<string, AliasSpec[]>();
for (const a of ALIASES) {
  if (a.disasm) byTarget.set(a.target.spec, [...(byTarget.get(a.target.spec) ?? []), a]);
  if (a.asm) byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
}

/** Aliases the disassembler may print for this instruction, in order of preference. */
export function aliasesFor(spec: InsnSpec): readonly AliasSpec[] {
  return byTarget.get(spec) ?? [];
}

/** Aliases the assembler accepts under this mnemonic. */
export function aliasesNamed(name: string): readonly AliasSpec[] {
  return byName.get(name) ?? [];
}

/** The base instruction a compressed one stands for. */
const expansions = new Map<InsnSpec, ResolvedTemplate>();
export function expansionOf(spec: InsnSpec): ResolvedTemplate | undefined {
  if (!spec.expand) return undefined;
  let r = expansions.get(spec);
  if (!r) {
    r = resolveTemplate(spec.expand, spec.operands);
    expansions.set(spec, r);
  }
  return r;
}
