/**
 * Decoded code pages for RAM, shared by every hart. A page is decoded lazily, instruction by
 * instruction, when executed; `watched[page] & 1` marks pages that hold decodes so that a store there
 * (through the memory port's slow path) drops them. Fetching outside RAM is an access fault.
 */
import { CodePage, decodeInto, PAGE_SHIFT, PAGE_SIZE } from '../hart/decode-cache.js';
import { type Block, compileBlock, type RamEnv } from '../hart/block-compiler.js';

/** Marks a slot whose block was not worth compiling, so that it is not tried again. */
const NO_BLOCK: Block = { fn: () => 0, len: Number.POSITIVE_INFINITY };
import type { Ram } from './ram.js';
import { EXCEPTION, Trap } from '../hart/trap.js';

export class CodeCache {
  readonly pages: (CodePage | undefined)[];
  /** Per RAM page: bit 0 = holds decoded code, bit 1 = watched by a device (HTIF). */
  readonly watched: Uint8Array;
  private compressed = true;
  /** Bumped whenever decodes are dropped: a restart keeps the decodes when nothing dropped any. */
  invalidations = 0;
  private readonly ram: Ram;
  private readonly env: RamEnv;

  constructor(ram: Ram) {
    this.ram = ram;
    const buf = ram.bytes.buffer;
    const n = Math.ceil(ram.size / PAGE_SIZE);
    this.pages = new Array(n);
    this.watched = new Uint8Array(n);
    this.env = {
      base: ram.base,
      size: ram.size,
      u8: ram.bytes,
      i8: new Int8Array(buf),
      u16: new Uint16Array(buf),
      i16: new Int16Array(buf),
      i32: new Int32Array(buf),
      i64: new BigInt64Array(buf),
      watched: this.watched,
    };
  }

  /** Compile the block starting at a slot. */
  compile(page: CodePage, slot: number): Block {
    return compileBlock(page, slot, this.env, (p, s, pc) => this.decodeSlot(p, s, pc)) ?? NO_BLOCK;
  }

  /** The code page for a pc, or undefined if the pc is not in RAM. */
  page(pc: number): CodePage | undefined {
    const o = pc - this.ram.base;
    if (!(o >= 0 && o < this.ram.size)) return undefined;
    const p = Math.floor(o / PAGE_SIZE);
    let page = this.pages[p];
    if (!page) {
      page = new CodePage(this.ram.base + p * PAGE_SIZE);
      this.pages[p] = page;
      this.watched[p]! |= 1;
    }
    return page;
  }

  /** Decode the instruction at `pc` into its slot; returns the op. */
  decodeSlot(page: CodePage, slot: number, pc: number): number {
    const o = pc - this.ram.base;
    const bytes = this.ram.bytes;
    let word = bytes[o]! | (bytes[o + 1]! << 8);
    if ((word & 3) === 3) {
      // A 4-byte instruction; its upper half may lie in the next page (or past the end of RAM).
      if (o + 4 > this.ram.size) throw new Trap(EXCEPTION.INSTRUCTION_ACCESS_FAULT, BigInt(pc + 2));
      else {
        word = (word | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
        const next = (o + 2) >> PAGE_SHIFT;
        if (next !== o >> PAGE_SHIFT) this.page(pc + 2);
      }
    } else if (!this.compressed) {
      word = 0; // compressed instructions are illegal while misa.C is clear
    }
    return decodeInto(page, slot, word);
  }

  /** Whether [addr, addr+size) overlaps a decoded instruction (one starting up to 2 bytes before it counts). */
  holdsCode(addr: number, size: number): boolean {
    const first = addr - 2 - this.ram.base;
    const last = addr + size - 1 - this.ram.base;
    for (let o = Math.max(0, first - (first & 1)); o <= last; o += 2) {
      const page = this.pages[Math.floor(o / PAGE_SIZE)];
      if (!page) continue;
      const slot = (o % PAGE_SIZE) >> 1;
      const op = page.op[slot]!;
      if (op < 0) continue;
      // A decoded instruction covers [o, o + len): does it reach the store?
      if (o + page.len[slot]! > addr - this.ram.base) return true;
    }
    return false;
  }

  invalidatePage(p: number): void {
    this.invalidations++;
    const page = this.pages[p];
    if (page && page.live) {
      page.op.fill(-1);
      page.blocks.fill(undefined);
      page.heat.fill(0);
      page.live = 0;
    }
    // A 4-byte instruction at the end of the previous page reads two bytes of this one.
    const prev = p > 0 ? this.pages[p - 1] : undefined;
    const last = (PAGE_SIZE >> 1) - 1;
    if (prev && prev.op[last] !== -1) {
      prev.op[last] = -1;
      prev.blocks[last] = undefined;
    }
  }

  invalidateAll(): void {
    for (let p = 0; p < this.pages.length; p++) if (this.pages[p]) this.invalidatePage(p);
  }

  setCompressed(on: boolean): void {
    if (on === this.compressed) return;
    this.compressed = on;
    this.invalidateAll();
  }
}
