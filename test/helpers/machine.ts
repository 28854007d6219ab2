/** Runs a guest image on a fresh machine and collects what it printed and how it stopped. */
import { Machine, type StopReason } from '../../emulator/machine.js';
import type { MachineConfig } from '../../emulator/config.js';

export interface GuestRun {
  readonly stop: StopReason;
  readonly output: string;
  readonly machine: Machine;
}

export function runGuest(image: Uint8Array, opts: { maxInsns?: number; config?: Partial<MachineConfig>; jit?: boolean; input?: string } = {}): GuestRun {
  const bytes: number[] = [];
  const machine = new Machine(opts.config ?? {}, { putchar: (b) => bytes.push(b) });
  machine.load(image, 'guest');
  if (opts.jit === false) for (const h of machine.harts) h.jit = false;
  if (opts.input) machine.uart.feed(Buffer.from(opts.input, 'latin1'));
  const stop = machine.run(opts.maxInsns ?? 1e8);
  return { stop, output: Buffer.from(bytes).toString('latin1'), machine };
}
