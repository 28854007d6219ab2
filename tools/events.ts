/** Guest events (emulator/devices/guest-events.ts) as one line of text for people. */
import type { Symbolizer } from '../assembler/disassemble.js';
import { GUEST_EVENT_NAMES } from '../emulator/devices/guest-events.js';
import type { GuestEvent } from '../emulator/machine.js';

export function describeEvent(e: GuestEvent, symbolize?: Symbolizer): string {
  const name = GUEST_EVENT_NAMES[e.kind] ?? `event ${e.kind}`;
  const pc = BigInt.asUintN(64, BigInt(e.pc));
  const sym = symbolize?.(pc);
  const args = e.args.some((a) => a !== 0n) ? ` (${e.args.map((a) => `0x${a.toString(16)}`).join(', ')})` : '';
  return `${name} on hart ${e.hart} at pc 0x${pc.toString(16)}${sym ? ` <${sym}>` : ''}, step ${e.step}${args}`;
}
