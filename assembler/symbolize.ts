/**
 * Address-to-symbol lookup in objdump's manner: the nearest symbol at or below the address, printed
 * as "sym" or "sym+0x10". Among symbols at one address, globals win over locals, then the first
 * by name. Section and file symbols are not used.
 */
import type { Symbolizer } from './disassemble.js';

export interface NamedAddress {
  readonly name: string;
  readonly value: bigint;
  readonly global: boolean;
}

export function makeSymbolizer(symbols: readonly NamedAddress[]): Symbolizer {
  const sorted = symbols
    .filter((s) => s.name !== '' && !s.name.startsWith('$'))
    .map((s, i) => ({ ...s, i }))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : Number(b.global) - Number(a.global) || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i)));
  // One representative per address: the first after sorting.
  const reps = sorted.filter((s, i) => i === 0 || sorted[i - 1]!.value !== s.value);
  return (addr: bigint) => {
    if (reps.length === 0) return undefined;
    let lo = 0;
    let hi = reps.length - 1;
    if (addr < reps[0]!.value) {
      const first = reps[0]!;
      return `${first.name}-0x${(first.value - addr).toString(16)}`;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (reps[mid]!.value <= addr) lo = mid;
      else hi = mid - 1;
    }
    const s = reps[lo]!;
    return addr === s.value ? s.name : `${s.name}+0x${(addr - s.value).toString(16)}`;
  };
}

/** The symbolizer of an ELF image's symbol table: its functions and objects, without section and file symbols. */
export function elfSymbolizer(symbols: readonly { name: string; value: bigint; type: number; bind: number }[]): Symbolizer {
  return makeSymbolizer(symbols.filter((s) => s.name && s.type !== 3 && s.type !== 4).map((s) => ({ name: s.name, value: s.value, global: s.bind === 1 })));
}
