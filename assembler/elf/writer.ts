/**
 * ELF64 executable writer for RISC-V: one PT_LOAD segment per section, .symtab/.strtab so that the
 * emulator finds `tohost` and the debugger and objdump find labels, and a .riscv.attributes section
 * naming the ISA so that objdump decodes exactly what we assembled.
 */
import type { Image } from '../image.js';
import * as E from './constants.js';

const PAGE = 0x1000;

class ByteWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private ensure(n: number) {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number) { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number) { this.ensure(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number) { this.ensure(4); this.view.setUint32(this.length, v >>> 0, true); this.length += 4; }
  u64(v: bigint) { this.ensure(8); this.view.setBigUint64(this.length, BigInt.asUintN(64, v), true); this.length += 8; }
  bytes(b: Uint8Array) { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  padTo(off: number) { if (off < this.length) throw new Error('padTo backwards'); this.ensure(off - this.length); this.buf.fill(0, this.length, off); this.length = off; }
  align(a: number) { this.padTo(Math.ceil(this.length / a) * a); }
  patchU64(at: number, v: bigint) { this.view.setBigUint64(at, BigInt.asUintN(64, v), true); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

class StringTable {
  private readonly parts: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  private size = 1;
  add(s: string): number {
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const off = this.size;
    this.index.set(s, off);
    this.parts.push(s);
    this.size += Buffer.byteLength(s) + 1;
    return off;
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.from(this.parts.join('\0') + '\0'));
  }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** The ISA string GNU as records for what we assemble (binutils 2.40 spelling). */
export function archString(rvc: boolean): string {
  return `rv64i2p1_m2p0_a2p1${rvc ? '_c2p0' : ''}_zicsr2p0_zifencei2p0_zihintpause2p0`;
}

function attributesSection(rvc: boolean): Uint8Array {
  const arch = [...Buffer.from(archString(rvc)), 0];
  const attrs = [...uleb(5), ...arch]; // Tag_RISCV_arch
  const fileSub = [1, 0, 0, 0, 0, ...attrs]; // Tag_File, then its length (patched below)
  const fileLen = fileSub.length;
  fileSub.splice(1, 4, fileLen & 0xff, (fileLen >> 8) & 0xff, (fileLen >> 16) & 0xff, fileLen >>> 24);
  const vendor = [...Buffer.from('riscv'), 0];
  const subLen = 4 + vendor.length + fileSub.length;
  return new Uint8Array([0x41, subLen & 0xff, (subLen >> 8) & 0xff, (subLen >> 16) & 0xff, subLen >>> 24, ...vendor, ...fileSub]);
}

export function writeElf(image: Image): Uint8Array {
  const w = new ByteWriter();
  const sections = image.sections.filter((s) => s.size > 0);
  const phnum = sections.length;
  const shstr = new StringTable();
  const str = new StringTable();

  // Header, patched with offsets at the end.
  w.padTo(E.EHDR_SIZE + phnum * E.PHDR_SIZE);

  // Section contents, each at a file offset congruent to its address modulo the page size.
  const fileOffsets: number[] = [];
  for (const s of sections) {
    if (s.kind === 'bss') {
      fileOffsets.push(w.length);
      continue;
    }
    const want = Number(s.addr % BigInt(PAGE));
    let off = Math.ceil(w.length / PAGE) * PAGE + want;
    if (off - PAGE >= w.length) off -= PAGE;
    w.padTo(off);
    fileOffsets.push(off);
    w.bytes(s.data);
  }

  const attrs = attributesSection(image.rvc);
  const attrsOff = w.length;
  w.bytes(attrs);

  // Symbols: the null symbol, locals, then globals (sh_info = first global).
  const secIndex = new Map(sections.map((s, i) => [s.name, i + 1]));
  const syms = [...image.symbols].sort((a, b) => Number(a.global) - Number(b.global));
  const firstGlobal = 1 + syms.filter((s) => !s.global).length;
  w.align(8);
  const symtabOff = w.length;
  for (let i = 0; i < E.SYM_SIZE; i++) w.u8(0);
  for (const s of syms) {
    w.u32(str.add(s.name));
    const type = s.type === 'func' ? E.STT_FUNC : s.type === 'object' ? E.STT_OBJECT : E.STT_NOTYPE;
    w.u8(((s.global ? E.STB_GLOBAL : E.STB_LOCAL) << 4) | type);
    w.u8(0);
    w.u16(s.section === undefined ? E.SHN_ABS : (secIndex.get(s.section) ?? E.SHN_ABS));
    w.u64(s.value);
    w.u64(s.size);
  }
  const symtabSize = w.length - symtabOff;
  const strtab = str.bytes();
  const strtabOff = w.length;
  w.bytes(strtab);

  const names = [...sections.map((s) => s.name), '.riscv.attributes', '.symtab', '.strtab', '.shstrtab'];
  names.forEach((n) => shstr.add(n));
  const shstrtab = shstr.bytes();
  const shstrOff = w.length;
  w.bytes(shstrtab);

  // Section headers.
  w.align(8);
  const shoff = w.length;
  const sh = (name: string, type: number, flags: number, addr: bigint, off: number, size: number, link: number, info: number, align: number, entsize: number) => {
    w.u32(shstr.add(name)); w.u32(type); w.u64(BigInt(flags)); w.u64(addr); w.u64(BigInt(off));
    w.u64(BigInt(size)); w.u32(link); w.u32(info); w.u64(BigInt(align)); w.u64(BigInt(entsize));
  };
  sh('', E.SHT_NULL, 0, 0n, 0, 0, 0, 0, 0, 0);
  sections.forEach((s, i) => {
    const flags = E.SHF_ALLOC | (s.kind === 'text' ? E.SHF_EXECINSTR : E.SHF_WRITE);
    sh(s.name, s.kind === 'bss' ? E.SHT_NOBITS : E.SHT_PROGBITS, flags, s.addr, fileOffsets[i]!, s.size, 0, 0, s.align, 0);
  });
  const nsec = sections.length;
  sh('.riscv.attributes', E.SHT_RISCV_ATTRIBUTES, 0, 0n, attrsOff, attrs.length, 0, 0, 1, 0);
  sh('.symtab', E.SHT_SYMTAB, 0, 0n, symtabOff, symtabSize, nsec + 3, firstGlobal, 8, E.SYM_SIZE);
  sh('.strtab', E.SHT_STRTAB, 0, 0n, strtabOff, strtab.length, 0, 0, 1, 0);
  sh('.shstrtab', E.SHT_STRTAB, 0, 0n, shstrOff, shstrtab.length, 0, 0, 1, 0);
  const shnum = nsec + 5;

  const out = w.result();
  const h = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, E.ELFCLASS64, E.ELFDATA2LSB, E.EV_CURRENT, 0], 0);
  h.setUint16(16, E.ET_EXEC, true);
  h.setUint16(18, E.EM_RISCV, true);
  h.setUint32(20, E.EV_CURRENT, true);
  h.setBigUint64(24, BigInt.asUintN(64, image.entry), true);
  h.setBigUint64(32, BigInt(E.EHDR_SIZE), true);
  h.setBigUint64(40, BigInt(shoff), true);
  h.setUint32(48, image.rvc ? E.EF_RISCV_RVC : 0, true);
  h.setUint16(52, E.EHDR_SIZE, true);
  h.setUint16(54, E.PHDR_SIZE, true);
  h.setUint16(56, phnum, true);
  h.setUint16(58, E.SHDR_SIZE, true);
  h.setUint16(60, shnum, true);
  h.setUint16(62, shnum - 1, true);
  sections.forEach((s, i) => {
    const p = E.EHDR_SIZE + i * E.PHDR_SIZE;
    const flags = E.PF_R | (s.kind === 'text' ? E.PF_X : E.PF_W);
    h.setUint32(p, E.PT_LOAD, true);
    h.setUint32(p + 4, flags, true);
    h.setBigUint64(p + 8, BigInt(fileOffsets[i]!), true);
    h.setBigUint64(p + 16, BigInt.asUintN(64, s.addr), true);
    h.setBigUint64(p + 24, BigInt.asUintN(64, s.addr), true);
    h.setBigUint64(p + 32, BigInt(s.kind === 'bss' ? 0 : s.size), true);
    h.setBigUint64(p + 40, BigInt(s.size), true);
    h.setBigUint64(p + 48, BigInt(s.kind === 'bss' ? Math.max(s.align, 8) : PAGE), true);
  });
  return out;
}
