/** Builds a generated program through the DSL's typed methods, one call per instruction. */
import { Asm, Label, methodName } from '../../assembler/dsl/asm.js';
import type { GenInsn } from './gen-insns.js';

export function buildWithDsl(insns: readonly GenInsn[], rvc: boolean): Asm {
  const a = new Asm({ rvc, positions: false });
  a.global('_start');
  a.here('_start');
  const labels = new Map<string, Label>();
  const label = (name: string) => labels.get(name) ?? (labels.set(name, new Label(name)), labels.get(name)!);
  const methods = a as unknown as Record<string, (...args: unknown[]) => Asm>;
  for (const i of insns) {
    if (i.label) a.bind(label(i.label));
    const args = i.args.map((g) => (typeof g.dsl === 'object' ? label(g.dsl.label) : g.dsl));
    const m = methods[methodName(i.mnemonic)];
    if (!m) throw new Error(`the DSL has no method for ${i.mnemonic}`);
    m.apply(a, args);
  }
  return a;
}
