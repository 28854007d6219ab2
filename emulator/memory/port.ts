/**
 * The memory port: the one narrow interface between a hart and memory. The hart hands over the
 * access (base register value and offset, width, signedness, atomic kind); the port decides where it
 * goes and in which order it becomes visible. This file's DirectMemory is sequentially consistent:
 * every access reaches RAM or the bus at once. The memory-model issue adds store buffers behind the
 * same interface.
 *
 * RAM accesses that are aligned and touch no watched page take a fast path on typed arrays; anything
 * else (misaligned, devices, pages holding decoded code, HTIF tohost or a reservation, unmapped)
 * takes the slow path. Every access of a step completes within it, so AMOs are atomic with respect
 * to every other hart.
 */
import type { Bus } from '../bus/bus.js';
import type { Width } from '../bus/device.js';
import type { Ram } from './ram.js';
import { EXCEPTION, Trap } from '../hart/trap.js';
import type { CodeCache } from './code-cache.js';

export interface PortHart {
  readonly id: number;
  reservation: number;
}

export interface MemoryPort {
  load(h: PortHart, base: bigint, off: number, size: Width, signed: boolean): bigint;
  store(h: PortHart, base: bigint, off: number, size: Width, value: bigint): void;
  /** `aq`, `rl`: the instruction's acquire and release bits (for models that order by them). */
  loadReserved(h: PortHart, addr: bigint, size: 4 | 8, aq?: boolean, rl?: boolean): bigint;
  storeConditional(h: PortHart, addr: bigint, size: 4 | 8, value: bigint, aq?: boolean, rl?: boolean): boolean;
  amo(h: PortHart, kind: number, addr: bigint, size: 4 | 8, value: bigint, aq?: boolean, rl?: boolean): bigint;
  /** A `fence`: fm in bits 11:8 (8 = fence.tso), pred in 7:4, succ in 3:0 (I O R W). */
  fence(h: PortHart, predSucc: number): void;
  /** Every store h holds back reaches memory (pause). */
  drain(h: PortHart): void;
  /** `fence.i`: h's stores to decoded code (and those before them) reach memory. */
  syncCode(h: PortHart): void;
  /** Turn decoding of compressed instructions on or off (misa.C). */
  setCompressed(on: boolean): void;
}

/** Called after a store lands in a watched RAM range (HTIF tohost). */
export type StoreWatcher = (addr: number, size: number) => void;

const SAFE = 1n << 53n;
/** LR reserves the aligned set of this many bytes (a cache line) around its address; another hart's store into it breaks the reservation. */
export const RESERVATION_SET = 64;
/** watched[] bits: 1 = decoded code, 2 = device watch (HTIF), 4 = holds a reservation. */
const WATCH_RESERVATION = 4;

export class DirectMemory implements MemoryPort {
  private readonly base: number;
  private readonly size: number;
  private readonly u8: Uint8Array;
  private readonly i8: Int8Array;
  private readonly u16: Uint16Array;
  private readonly i16: Int16Array;
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  /** Per 4 KiB RAM page: non-zero if stores there need the slow path (decoded code, tohost). */
  readonly watched: Uint8Array;
  private watchers: { lo: number; hi: number; fn: StoreWatcher }[] = [];
  private harts: readonly PortHart[] = [];

  constructor(
    readonly ram: Ram,
    readonly bus: Bus,
    readonly code: CodeCache,
  ) {
    this.base = ram.base;
    this.size = ram.size;
    const buf = ram.bytes.buffer;
    this.u8 = ram.bytes;
    this.i8 = new Int8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.i16 = new Int16Array(buf);
    this.i32 = new Int32Array(buf);
    this.i64 = new BigInt64Array(buf);
    this.watched = code.watched;
  }

  /** Watch stores to [addr, addr+len) in RAM. */
  watch(addr: number, len: number, fn: StoreWatcher): void {
    this.watchers.push({ lo: addr, hi: addr + len, fn });
    for (let p = Math.floor((addr - this.base) / 4096); p <= Math.floor((addr + len - 1 - this.base) / 4096); p++) this.watched[p]! |= 2;
  }

  /** The harts whose reservations other harts' stores must break. */
  attachHarts(harts: readonly PortHart[]): void {
    this.harts = harts;
  }

  setCompressed(on: boolean): void {
    this.code.setCompressed(on);
  }

  /** Every access is in memory at once: nothing to order or drain. */
  fence(_h: PortHart, _predSucc: number): void {}
  drain(_h: PortHart): void {}
  syncCode(_h: PortHart): void {}

  /** Hart `id` as attached (a store buffer draining on its behalf). */
  hart(id: number): PortHart {
    return this.harts[id]!;
  }

  /** Is [a, a+size) in RAM (aligned or not)? */
  isPlainRamSpan(a: number, size: number): boolean {
    return this.inRam(a, size);
  }

  /** Does [a, a+size) hold decoded instructions? */
  holdsDecodedCode(a: number, size: number): boolean {
    const o = a - this.base;
    return (this.watched[o >>> 12]! & 1) !== 0 && this.code.holdsCode(a, size);
  }

  /** May a store to [a, a+size) wait in a store buffer: aligned main memory, no device watching it (HTIF)? */
  isBufferable(a: number, size: number): boolean {
    const o = a - this.base;
    if (!(o >= 0 && o <= this.size - size && (o & (size - 1)) === 0)) return false;
    if ((this.watched[o >>> 12]! & 2) === 0) return true;
    for (const wt of this.watchers) if (a < wt.hi && wt.lo < a + size) return false;
    return true;
  }

  load(h: PortHart, base: bigint, off: number, size: Width, signed: boolean): bigint {
    const o = Number(base) + off - this.base;
    if (o >= 0 && o <= this.size - size && (o & (size - 1)) === 0) {
      switch (size) {
        case 8:
          return this.i64[o >>> 3]!;
        case 4:
          return signed ? BigInt(this.i32[o >>> 2]!) : BigInt(this.i32[o >>> 2]! >>> 0);
        case 2:
          return BigInt(signed ? this.i16[o >>> 1]! : this.u16[o >>> 1]!);
        case 1:
          return BigInt(signed ? this.i8[o]! : this.u8[o]!);
      }
    }
    return this.loadSlow(base, off, size, signed);
  }

  store(h: PortHart, base: bigint, off: number, size: Width, value: bigint): void {
    const o = Number(base) + off - this.base;
    if (o >= 0 && o <= this.size - size && this.storeFast(o, size, value)) return;
    this.storeSlow(h, base, off, size, value);
  }

  /** The fast path of a store at RAM offset o (in range): done unless misaligned or on a watched page. */
  private storeFast(o: number, size: number, value: bigint): boolean {
    if ((o & (size - 1)) !== 0 || this.watched[o >>> 12] !== 0) return false;
    switch (size) {
      case 8:
        this.i64[o >>> 3] = value;
        return true;
      case 4:
        this.i32[o >>> 2] = Number(BigInt.asIntN(32, value));
        return true;
      case 2:
        this.u16[o >>> 1] = Number(value & 0xffffn);
        return true;
      case 1:
        this.u8[o] = Number(value & 0xffn);
        return true;
    }
    return false;
  }

  /** The exact 64-bit address, and as a number when it is a safe integer (else NaN: never mapped). */
  private address(base: bigint, off: number): { exact: bigint; n: number } {
    const exact = BigInt.asUintN(64, base + BigInt(off));
    return { exact, n: exact < SAFE ? Number(exact) : NaN };
  }

  private inRam(a: number, size: number): boolean {
    return a >= this.base && a + size <= this.base + this.size;
  }

  private loadSlow(base: bigint, off: number, size: Width, signed: boolean): bigint {
    const { exact, n } = this.address(base, off);
    let v: bigint | undefined;
    if (this.inRam(n, size)) {
      v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.u8[n - this.base + i]!);
    } else if (n % size !== 0 && this.bus.find(n, size)) {
      throw new Trap(EXCEPTION.LOAD_ADDRESS_MISALIGNED, exact);
    } else v = Number.isNaN(n) ? undefined : this.bus.read(n, size);
    if (v === undefined) throw new Trap(EXCEPTION.LOAD_ACCESS_FAULT, exact);
    return signed ? BigInt.asIntN(size * 8, v) : v;
  }

  private storeSlow(h: PortHart, base: bigint, off: number, size: Width, value: bigint): void {
    const { exact, n } = this.address(base, off);
    if (this.inRam(n, size)) {
      const o = n - this.base;
      let v = value;
      for (let i = 0; i < size; i++, v >>= 8n) this.u8[o + i] = Number(v & 0xffn);
      this.afterRamStore(n, size, h);
      return;
    }
    if (!Number.isNaN(n) && n % size !== 0 && this.bus.find(n, size)) throw new Trap(EXCEPTION.STORE_ADDRESS_MISALIGNED, exact);
    if (Number.isNaN(n) || !this.bus.write(n, size, BigInt.asUintN(size * 8, value))) throw new Trap(EXCEPTION.STORE_ACCESS_FAULT, exact);
  }

  private afterRamStore(a: number, size: number, by: PortHart): void {
    const first = Math.floor((a - this.base) / 4096);
    const last = Math.floor((a + size - 1 - this.base) / 4096);
    let reserved = false;
    for (let p = first; p <= last; p++) {
      const w = this.watched[p]!;
      if (w & 1 && this.code.holdsCode(a, size)) this.code.invalidatePage(p);
      if (w & WATCH_RESERVATION) reserved = true;
    }
    if (reserved) this.breakReservations(a, size, by);
    for (const wt of this.watchers) if (a < wt.hi && wt.lo < a + size) wt.fn(a, size);
  }

  /** A store by `by` to [a, a+size) breaks every other hart's reservation on that set. */
  private breakReservations(a: number, size: number, by: PortHart): void {
    let live = false;
    for (const h of this.harts) {
      if (h.reservation < 0) continue;
      const set = h.reservation - (h.reservation % RESERVATION_SET);
      if (h !== by && set < a + size && a < set + RESERVATION_SET) h.reservation = -1;
      else if (Math.floor((h.reservation - this.base) / 4096) === Math.floor((a - this.base) / 4096)) live = true;
    }
    if (!live) this.watched[Math.floor((a - this.base) / 4096)]! &= ~WATCH_RESERVATION;
  }

  /** An aligned RAM address for an atomic access, or a trap. */
  private atomicAddress(addr: bigint, size: 4 | 8, isLoad: boolean): number {
    const exact = BigInt.asUintN(64, addr);
    if (exact % BigInt(size) !== 0n) throw new Trap(isLoad ? EXCEPTION.LOAD_ADDRESS_MISALIGNED : EXCEPTION.STORE_ADDRESS_MISALIGNED, exact);
    const n = exact < SAFE ? Number(exact) : NaN;
    if (!this.inRam(n, size)) throw new Trap(isLoad ? EXCEPTION.LOAD_ACCESS_FAULT : EXCEPTION.STORE_ACCESS_FAULT, exact);
    return n;
  }

  private readRam(a: number, size: 4 | 8): bigint {
    const o = a - this.base;
    return size === 8 ? this.i64[o / 8]! : BigInt(this.i32[o / 4]!);
  }

  private writeRam(h: PortHart, a: number, size: 4 | 8, v: bigint): void {
    const o = a - this.base;
    if (size === 8) this.i64[o / 8] = BigInt.asIntN(64, v);
    else this.i32[o / 4] = Number(BigInt.asIntN(32, v));
    if (this.watched[Math.floor(o / 4096)]) this.afterRamStore(a, size, h);
  }

  loadReserved(h: PortHart, addr: bigint, size: 4 | 8): bigint {
    const a = this.atomicAddress(addr, size, true);
    h.reservation = a;
    this.markReserved(a);
    return this.readRam(a, size);
  }

  /** Stores to the page of a reservation take the slow path, which breaks other harts' reservations. */
  markReserved(a: number): void {
    this.watched[Math.floor((a - this.base) / 4096)]! |= WATCH_RESERVATION;
  }

  storeConditional(h: PortHart, addr: bigint, size: 4 | 8, value: bigint): boolean {
    const a = this.claimReservation(h, addr, size);
    if (a >= 0) this.writeRam(h, a, size, value);
    return a >= 0;
  }

  /**
   * The check of a store-conditional, without its write: the aligned RAM address if h's reservation
   * holds for it, else -1 (a trap for a bad address). The reservation is used up either way.
   */
  claimReservation(h: PortHart, addr: bigint, size: 4 | 8): number {
    const a = this.atomicAddress(addr, size, false);
    // SC succeeds only at the LR's own address (as QEMU and Spike do; the spec allows failing otherwise).
    const ok = h.reservation === a;
    h.reservation = -1;
    return ok ? a : -1;
  }

  amo(h: PortHart, kind: number, addr: bigint, size: 4 | 8, value: bigint): bigint {
    const a = this.atomicAddress(addr, size, false);
    const old = this.readRam(a, size);
    const bits = size * 8;
    const v = BigInt.asIntN(bits, value);
    const u = (x: bigint) => BigInt.asUintN(bits, x);
    let next: bigint;
    switch (kind) {
      case 0: next = v; break;
      case 1: next = old + v; break;
      case 2: next = old ^ v; break;
      case 3: next = old & v; break;
      case 4: next = old | v; break;
      case 5: next = old < v ? old : v; break;
      case 6: next = old > v ? old : v; break;
      case 7: next = u(old) < u(v) ? old : v; break;
      default: next = u(old) > u(v) ? old : v; break;
    }
    this.writeRam(h, a, size, next);
    return old;
  }

  // ---- the window engine's view (emulator/memory/window.ts): plain numbers, aligned main memory ----

  isPlainRam(addr: number, size: number): boolean {
    return this.inRam(addr, size) && addr % size === 0;
  }

  readPlain(addr: number, size: number): bigint {
    return this.ram.read(addr - this.base, size as Width);
  }

  writePlain(h: PortHart, addr: number, size: number, value: bigint): void {
    if (this.storeFast(addr - this.base, size, value)) return;
    this.store(h, BigInt(addr), 0, size as Width, value);
  }

  /** Side-effect-free read for the debugger, traces and the HTIF host. */
  peek(addr: number, size: Width): bigint | undefined {
    return this.bus.peek(addr, size);
  }
}
