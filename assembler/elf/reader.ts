/**
 * ELF64 reader shared by the emulator's loader, the disassembler and the debugger. It checks every
 * offset against the file before reading it, and reports what is wrong and where.
 */
import * as E from './constants.js';

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

export interface ElfSegment {
  readonly type: number;
  readonly flags: number;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  /** File offset of the segment's bytes. */
  readonly offset: number;
  readonly filesz: number;
  readonly memsz: bigint;
  readonly data: Uint8Array;
}

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: bigint;
  readonly size: number;
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  readonly type: number;
  readonly bind: number;
  readonly shndx: number;
  /** Section name when the symbol is defined in a section. */
  readonly section: string | undefined;
}

export interface ElfFile {
  readonly type: number;
  readonly entry: bigint;
  readonly flags: number;
  readonly segments: readonly ElfSegment[];
  /** File offset just past the ELF header and the program header table. */
  readonly headersEnd: number;
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function readElf(bytes: Uint8Array, what = 'file'): ElfFile {
  const fail = (msg: string): never => {
    throw new ElfError(`${what}: ${msg}`);
  };
  if (!isElf(bytes)) fail('not an ELF file (bad magic number)');
  if (bytes.length < 16) fail(`truncated: ${bytes.length} bytes, shorter than the ELF identification`);
  if (bytes[4] !== E.ELFCLASS64) fail(`not a 64-bit ELF file (class ${bytes[4]}; rvsmp runs RV64)`);
  if (bytes[5] !== E.ELFDATA2LSB) fail('not a little-endian ELF file');
  if (bytes.length < E.EHDR_SIZE) fail(`truncated: ${bytes.length} bytes, shorter than the 64-byte ELF header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => v.getUint16(o, true);
  const u32 = (o: number) => v.getUint32(o, true);
  const u64 = (o: number) => v.getBigUint64(o, true);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== E.EM_RISCV) fail(`wrong machine: e_machine is ${machine}, not RISC-V (243)`);
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const flags = u32(48);
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const shstrndx = u16(62);

  const span = (off: bigint, len: bigint, name: string): [number, number] => {
    if (off + len > BigInt(bytes.length)) fail(`truncated: ${name} at offset ${off} + ${len} bytes is past the end of the file (${bytes.length} bytes)`);
    return [Number(off), Number(len)];
  };

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize !== E.PHDR_SIZE) fail(`unexpected program header size ${phentsize}`);
    span(phoff, BigInt(phnum * E.PHDR_SIZE), 'program header table');
    for (let i = 0; i < phnum; i++) {
      const p = Number(phoff) + i * E.PHDR_SIZE;
      const ptype = u32(p);
      const offset = u64(p + 8);
      const filesz = u64(p + 32);
      const memsz = u64(p + 40);
      if (ptype === E.PT_LOAD) {
        if (filesz > memsz) fail(`program header ${i}: p_filesz ${filesz} is larger than p_memsz ${memsz}`);
        const [o, l] = span(offset, filesz, `segment ${i}`);
        segments.push({ type: ptype, flags: u32(p + 4), vaddr: u64(p + 16), paddr: u64(p + 24), offset: o, filesz: l, memsz, data: bytes.subarray(o, o + l) });
      }
    }
  }

  const raw: { name: number; type: number; flags: number; addr: bigint; off: bigint; size: bigint; link: number }[] = [];
  if (shnum > 0) {
    if (shentsize !== E.SHDR_SIZE) fail(`unexpected section header size ${shentsize}`);
    span(shoff, BigInt(shnum * E.SHDR_SIZE), 'section header table');
    for (let i = 0; i < shnum; i++) {
      const s = Number(shoff) + i * E.SHDR_SIZE;
      raw.push({ name: u32(s), type: u32(s + 4), flags: Number(u64(s + 8) & 0xffffffffn), addr: u64(s + 16), off: u64(s + 24), size: u64(s + 32), link: u32(s + 40) });
    }
  }
  const sectionBytes = (i: number): Uint8Array => {
    const r = raw[i]!;
    if (r.type === E.SHT_NOBITS || r.type === E.SHT_NULL) return new Uint8Array(0);
    const [o, l] = span(r.off, r.size, `section ${i}`);
    return bytes.subarray(o, o + l);
  };
  const cstr = (table: Uint8Array, off: number, where: string): string => {
    if (off >= table.length && !(off === 0 && table.length === 0)) fail(`${where}: name offset ${off} is outside its string table`);
    let end = off;
    while (end < table.length && table[end] !== 0) end++;
    return Buffer.from(table.subarray(off, end)).toString('utf8');
  };
  let shstr: Uint8Array = new Uint8Array(0);
  if (raw.length > 0) {
    if (shstrndx >= raw.length) fail(`section name table index ${shstrndx} is out of range`);
    shstr = sectionBytes(shstrndx);
  }
  const sections: ElfSection[] = raw.map((r, i) => ({
    name: i === 0 ? '' : cstr(shstr, r.name, `section ${i}`),
    type: r.type,
    flags: r.flags,
    addr: r.addr,
    size: Number(r.size),
    data: sectionBytes(i),
  }));

  const symbols: ElfSymbol[] = [];
  raw.forEach((r, i) => {
    if (r.type !== E.SHT_SYMTAB) return;
    const table = sectionBytes(i);
    if (r.link >= raw.length) fail(`symbol table ${i}: string table index ${r.link} is out of range`);
    const strs = sectionBytes(r.link);
    const sv = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let o = E.SYM_SIZE; o + E.SYM_SIZE <= table.length; o += E.SYM_SIZE) {
      const info = sv.getUint8(o + 4);
      const shndx = sv.getUint16(o + 6, true);
      symbols.push({
        name: cstr(strs, sv.getUint32(o, true), `symbol ${o / E.SYM_SIZE}`),
        value: sv.getBigUint64(o + 8, true),
        size: sv.getBigUint64(o + 16, true),
        type: info & 0xf,
        bind: info >> 4,
        shndx,
        section: shndx > 0 && shndx < sections.length ? sections[shndx]!.name : undefined,
      });
    }
  });
  const headersEnd = Math.max(E.EHDR_SIZE, phnum > 0 ? Number(phoff) + phnum * E.PHDR_SIZE : 0);
  return { type, entry, flags, segments, headersEnd, sections, symbols };
}
