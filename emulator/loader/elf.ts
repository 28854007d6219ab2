/**
 * Loading images into a machine: ELF64 executables (PT_LOAD segments, entry point, symbols) and raw
 * binaries at a given address. Every segment must lie inside RAM; anything else is a LoadError that
 * names the problem.
 */
import { readElf, type ElfSymbol } from '../../assembler/elf/reader.js';
import { EM_RISCV, ET_EXEC } from '../../assembler/elf/constants.js';
import type { Ram } from '../memory/ram.js';

export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

export interface LoadedImage {
  readonly entry: number;
  readonly symbols: readonly ElfSymbol[];
  /** Address of the `tohost`/`fromhost` symbols, if the image has them. */
  readonly tohost?: number;
  readonly fromhost?: number;
}

function place(ram: Ram, addr: bigint, data: Uint8Array, memsz: bigint, what: string): void {
  const end = addr + memsz;
  const ramEnd = BigInt(ram.base + ram.size);
  if (addr < BigInt(ram.base) || end > ramEnd) {
    throw new LoadError(`${what} at 0x${addr.toString(16)}..0x${end.toString(16)} is outside RAM (0x${ram.base.toString(16)}..0x${ramEnd.toString(16)}); use --ram to enlarge it or relink`);
  }
  const off = Number(addr) - ram.base;
  ram.bytes.set(data, off);
  ram.bytes.fill(0, off + data.length, off + Number(memsz));
}

export function loadElf(ram: Ram, bytes: Uint8Array, name: string): LoadedImage {
  let elf;
  try {
    elf = readElf(bytes, name);
  } catch (e) {
    throw new LoadError((e as Error).message);
  }
  if (elf.type !== ET_EXEC) throw new LoadError(`${name}: not an executable (ELF type ${elf.type}); link it first`);
  const loads = elf.segments;
  if (loads.length === 0) throw new LoadError(`${name}: no loadable (PT_LOAD) segments`);
  for (const [i, seg] of loads.entries()) {
    if (seg.memsz === 0n) continue;
    place(ram, seg.paddr, seg.data, seg.memsz, `${name}: segment ${i}`);
  }
  const entry = elf.entry;
  if (entry < BigInt(ram.base) || entry >= BigInt(ram.base + ram.size)) throw new LoadError(`${name}: entry point 0x${entry.toString(16)} is outside RAM`);
  const sym = (n: string) => elf.symbols.find((s) => s.name === n && s.section !== undefined);
  const tohost = sym('tohost');
  const fromhost = sym('fromhost');
  return {
    entry: Number(entry),
    symbols: elf.symbols,
    ...(tohost ? { tohost: Number(tohost.value) } : {}),
    ...(fromhost ? { fromhost: Number(fromhost.value) } : {}),
  };
}

export function loadRaw(ram: Ram, bytes: Uint8Array, addr: bigint, name: string): LoadedImage {
  place(ram, addr, bytes, BigInt(bytes.length), name);
  return { entry: Number(addr), symbols: [] };
}

export { EM_RISCV };
