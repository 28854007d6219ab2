/**
 * Loading images into a machine: ELF64 executables (PT_LOAD segments, entry point, symbols) and raw
 * binaries at a given address. What is loaded must lie inside RAM; anything else is a LoadError that
 * names the problem.
 *
 * As QEMU does, bytes of a segment that lie outside RAM and that no allocated section occupies are
 * skipped: GNU ld with its defaults (`-Ttext=0x80000000`) puts the ELF and program headers in the
 * first PT_LOAD segment, a page below .text (0x7ffff000). Section contents outside RAM stay an error
 * naming the section; a file without section headers can only have its own headers skipped.
 */
import { readElf, type ElfFile, type ElfSegment, type ElfSymbol } from '../../assembler/elf/reader.js';
import { EM_RISCV, ET_EXEC, SHF_ALLOC, SHT_NOBITS } from '../../assembler/elf/constants.js';
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

const SHF_TLS = 0x400;
const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * Load the part of a segment that lies in RAM; the parts outside must hold no allocated section
 * (only file headers and padding), else the error names the first section there.
 */
function placeSegment(ram: Ram, elf: ElfFile, seg: ElfSegment, what: string, name: string): void {
  const lo = seg.paddr, hi = seg.paddr + seg.memsz;
  const ramLo = BigInt(ram.base), ramHi = BigInt(ram.base + ram.size);
  const inLo = lo > ramLo ? lo : ramLo, inHi = hi < ramHi ? hi : ramHi;
  const outside: [bigint, bigint][] = [];
  if (lo < ramLo) outside.push([lo, hi < ramLo ? hi : ramLo]);
  if (hi > ramHi) outside.push([lo > ramHi ? lo : ramHi, hi]);
  for (const [a, b] of outside) {
    const sec = sectionIn(elf, seg, a, b);
    const where = `is outside RAM (${hex(ramLo)}..${hex(ramHi)}); use --ram to enlarge it or relink`;
    if (sec) throw new LoadError(`${name}: section ${sec.name} at ${hex(sec.lo)}..${hex(sec.hi)} (in ${what.slice(name.length + 2)}) ${where}`);
    if (elf.sections.length === 0 && !onlyHeaders(elf, seg, a, b)) throw new LoadError(`${what} at ${hex(lo)}..${hex(hi)} ${where}`);
  }
  if (inLo >= inHi) return;
  const start = Number(inLo - lo);
  const end = Number(inHi - lo);
  const off = Number(inLo) - ram.base;
  const data = seg.data.subarray(Math.min(start, seg.data.length), Math.min(end, seg.data.length));
  ram.bytes.set(data, off);
  ram.bytes.fill(0, off + data.length, off + (end - start));
}

/** The first allocated section whose load addresses in this segment overlap [a, b), if any. */
function sectionIn(elf: ElfFile, seg: ElfSegment, a: bigint, b: bigint): { name: string; lo: bigint; hi: bigint } | undefined {
  for (const s of elf.sections) {
    if ((s.flags & SHF_ALLOC) === 0 || s.size === 0) continue;
    // .tbss takes no space in the segment.
    if (s.type === SHT_NOBITS && (s.flags & SHF_TLS) !== 0) continue;
    if (s.addr < seg.vaddr || s.addr >= seg.vaddr + seg.memsz) continue;
    const lo = s.addr - seg.vaddr + seg.paddr;
    const hi = lo + BigInt(s.size);
    if (lo < b && a < hi) return { name: s.name, lo, hi };
  }
  return undefined;
}

/** Without section headers: does [a, b) of the segment hold only the file's ELF and program headers? */
function onlyHeaders(elf: ElfFile, seg: ElfSegment, a: bigint, b: bigint): boolean {
  if (seg.offset !== 0) return false;
  return b - seg.paddr <= BigInt(elf.headersEnd) && a >= seg.paddr;
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
    placeSegment(ram, elf, seg, `${name}: segment ${i}`, name);
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
