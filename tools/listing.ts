/** An objdump -d style listing of an ELF file's code sections, with symbols. */
import { decode, Disassembler, insnLength, readElf } from '../assembler/index.js';
import { illegalText } from '../assembler/disassemble.js';
import { SHF_EXECINSTR, STT_FILE_OR_SECTION } from './elf-kinds.js';
import { makeSymbolizer } from '../assembler/symbolize.js';

export interface ListingOptions {
  allCsrNames?: boolean;
}

export function listing(bytes: Uint8Array, name: string, opts: ListingOptions): string {
  const elf = readElf(bytes, name);
  // Like objdump, absolute symbols (.equ) name addresses too.
  const syms = elf.symbols.filter((s) => !STT_FILE_OR_SECTION.has(s.type) && s.name !== '');
  const symbolize = makeSymbolizer(syms.map((s) => ({ name: s.name, value: s.value, global: s.bind === 1 })));
  const gp = syms.find((s) => s.name === '__global_pointer$')?.value;
  const lines: string[] = [`\n${name}:     file format elf64-littleriscv\n`];
  for (const sec of elf.sections) {
    if (!(sec.flags & SHF_EXECINSTR) || sec.data.length === 0) continue;
    lines.push(`\nDisassembly of section ${sec.name}:`);
    const dis = new Disassembler(symbolize, gp, opts.allCsrNames);
    const view = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
    const labels = new Map<bigint, string>();
    for (const s of syms) if (s.section === sec.name && !labels.has(s.value)) labels.set(s.value, symbolize(s.value) ?? s.name);
    const width = Math.max(4, (sec.addr + BigInt(sec.size)).toString(16).length);
    for (let off = 0; off < sec.data.length; ) {
      const addr = sec.addr + BigInt(off);
      const label = labels.get(addr);
      if (label) lines.push(`\n${addr.toString(16).padStart(16, '0')} <${label}>:`);
      if (off + 2 > sec.data.length) {
        lines.push(`${addr.toString(16).padStart(width)}:\t${sec.data[off]!.toString(16).padStart(2, '0')}\t.byte\t0x${sec.data[off]!.toString(16)}`);
        break;
      }
      const low = view.getUint16(off, true);
      let size = insnLength(low);
      if (off + size > sec.data.length) size = 2;
      const word = size === 4 ? view.getUint32(off, true) : low;
      const d = decode(word);
      const text = d ? dis.format(d, addr) : illegalText(word);
      const hex = word.toString(16).padStart(size * 2, '0');
      lines.push(`${addr.toString(16).padStart(width)}:\t${hex.padEnd(20)}\t${text}`);
      off += size;
    }
  }
  return lines.join('\n');
}
