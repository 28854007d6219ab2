/**
 * What the interpreter and the block compiler need to know of an instruction beyond its semantics,
 * derived from its properties in the ISA table (assembler/isa/properties.ts).
 */
import { INSN_PROPS } from '../../assembler/isa/properties.js';

/**
 * Instructions that call into the hart with side effects on control state (CSRs, system
 * instructions, fence.i, pause; stores, AMOs and SCs, which may reach a device that raises an
 * interrupt): generated code re-checks breakLoop after them.
 */
export function mayBreak(name: string): boolean {
  const p = INSN_PROPS[name];
  return p !== undefined && (p.serialises || p.cls === 'fence.i' || p.cls === 'pause' || p.cls === 'store' || p.cls === 'amo' || p.cls === 'sc');
}

/** Instructions whose hart calls read pc, the instruction bits or the retired count (CSRs, system, fence.i, illegal). */
export function readsMachineState(name: string): boolean {
  const p = INSN_PROPS[name];
  return p === undefined || p.serialises || p.cls === 'fence.i';
}

/**
 * Instructions after which a compiled block ends: jumps, fence.i and serialising ones (traps, CSR
 * side effects). A conditional branch does not end one: a taken branch leaves it early.
 */
export function endsCompiledBlock(name: string): boolean {
  const p = INSN_PROPS[name];
  return p === undefined || (p.endsBlock && p.cls !== 'branch');
}
