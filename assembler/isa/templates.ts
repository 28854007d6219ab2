/**
 * Templates tie one instruction to another ("c.addi rd, imm" stands for "addi rd, rd, imm"; "mv rd, rs1"
 * for "addi rd, rs1, 0"). Matching a decoded instruction against a template binds operand names;
 * instantiating a template with bindings gives the other instruction's operands.
 */
import { csrNumber } from './csrs.js';
import { insnByName, type InsnSpec, type Template, type TemplateArg } from './table.js';

export interface ResolvedTemplate {
  readonly spec: InsnSpec;
  readonly args: readonly TemplateArg[];
}

/** Resolve a template's mnemonic to its spec, turning CSR names among literals into numbers. */
export function resolveTemplate(t: Template, ownOperands: readonly string[]): ResolvedTemplate {
  const spec = insnByName(t.mnemonic);
  if (!spec) throw new Error(`template names unknown instruction ${t.mnemonic}`);
  if (spec.operands.length !== t.args.length) throw new Error(`template "${t.mnemonic}" has ${t.args.length} args, needs ${spec.operands.length}`);
  const args = t.args.map((arg): TemplateArg => {
    if (arg.t === 'operand' && !ownOperands.includes(arg.name)) {
      const csr = csrNumber(arg.name);
      if (csr === undefined) throw new Error(`template "${t.mnemonic}": unknown name ${arg.name}`);
      return { t: 'num', value: csr };
    }
    return arg;
  });
  return { spec, args };
}

/** Bind names by matching `values` (the target's operands) against the template; undefined if they do not match. */
export function matchTemplate(args: readonly TemplateArg[], values: readonly number[]): Map<string, number> | undefined {
  const bound = new Map<string, number>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = values[i]!;
    if (a.t === 'reg') {
      if (v !== a.reg) return undefined;
    } else if (a.t === 'num') {
      if (v !== a.value) return undefined;
    } else {
      const prev = bound.get(a.name);
      if (prev !== undefined && prev !== v) return undefined;
      bound.set(a.name, v);
    }
  }
  return bound;
}

/** The target's operand values for the given bindings. */
export function instantiate(args: readonly TemplateArg[], bound: ReadonlyMap<string, number>): number[] {
  return args.map((a) => (a.t === 'reg' ? a.reg : a.t === 'num' ? a.value : bound.get(a.name)!));
}
