/**
 * The tso model: a FIFO store buffer per hart in front of memory, the operational machine of x86-TSO
 * and of RVTSO. Harts execute in program order (the interpreter and compiled blocks, at full speed);
 * a store to main memory enters its hart's buffer and reaches memory - visible to every hart at
 * once - when it drains, oldest first. A load takes its value from the youngest buffered store of
 * its own hart that covers it (forwarding), else from memory. So the one reordering is a store with
 * a later load, which is all RVTSO allows.
 *
 * A buffer drains:
 * - by itself, under random stepping: each hart draws a mean (1..40 accesses); the oldest store drains
 *   when a countdown of the hart's memory accesses and scheduler turns runs out;
 * - when the exhaustive search chooses (drainOne), and never by itself there;
 * - when full (STORE_BUFFER_SIZE), the oldest first;
 * - wholly, before: an AMO, LR or SC (RVTSO's AMOs are fully fenced; the SC's own store then waits); a fence whose predecessor set
 *   holds W and whose successor set holds R, I or O; an access to a device, to a misaligned or an
 *   unmapped address (device accesses are in program order with all accesses, docs/memory-model.md);
 *   a load that overlaps a buffered store without being covered by it; `pause` (a spinning hart's
 *   buffer empties while it waits);
 * - in steps the scheduler gives a hart asleep in `wfi`, by the same countdown (Machine.run);
 * - up to its youngest store to decoded code, at `fence.i` (which orders no data accesses);
 * - up to a successful store-conditional's store, before another hart writes to its reservation set.
 * A trap does not drain it (test/emulator/memory/trap-store-buffer.test.ts).
 *
 * State is plain typed arrays (snapshots copy them), and the hot path allocates nothing.
 */
import type { Width } from '../bus/device.js';
import type { Prng } from '../scheduler.js';
import { DrainCountdown } from './drain-countdown.js';
import { type DirectMemory, type MemoryPort, type PortHart, RESERVATION_SET } from './port.js';

/** Entries per hart. */
export const STORE_BUFFER_SIZE = 8;


/** Fence set bits (pred in bits 7:4, succ in 3:0): I = 8, O = 4, R = 2, W = 1. */
const R = 2, W = 1, I = 8, O = 4;

/** What a hart's buffer holds, oldest first (for the debugger and tests). */
export interface BufferedStore {
  readonly addr: number;
  readonly size: number;
  readonly value: bigint;
  /** The store of a store-conditional, holding its reservation set. */
  readonly held: boolean;
}

export class StoreBuffers implements MemoryPort {
  private readonly addr: Float64Array;
  private readonly size: Uint8Array;
  private readonly value: BigInt64Array;
  /** 1 for the store of a successful store-conditional: its reservation set stays held until it drains. */
  private readonly held: Uint8Array;
  /** Per hart: buffered store-conditionals (entries with held = 1); and their total over all harts. */
  private readonly heldCount: Int32Array;
  private heldTotal = 0;
  /** Per hart: ring start and entry count. */
  private readonly head: Int32Array;
  private readonly count: Int32Array;
  /** Per hart: accesses or turns left before the oldest entry drains by itself. */
  /** When stores drain by themselves (random stepping); without a PRNG only when forced or chosen. */
  private readonly countdown: DrainCountdown;
  /** Set by a tracer: called as each store reaches memory. */
  onDrain: ((hart: number, addr: number, size: number, value: bigint) => void) | undefined;

  constructor(
    private readonly mem: DirectMemory,
    readonly harts: number,
  ) {
    this.addr = new Float64Array(harts * STORE_BUFFER_SIZE);
    this.size = new Uint8Array(harts * STORE_BUFFER_SIZE);
    this.value = new BigInt64Array(harts * STORE_BUFFER_SIZE);
    this.held = new Uint8Array(harts * STORE_BUFFER_SIZE);
    this.heldCount = new Int32Array(harts);
    this.head = new Int32Array(harts);
    this.count = new Int32Array(harts);
    this.countdown = new DrainCountdown(harts);
  }

  /** Empty every buffer; with a PRNG, drains happen by themselves at per-hart rates drawn from it. */
  reset(rng: Prng | undefined): void {
    this.head.fill(0);
    this.count.fill(0);
    this.held.fill(0);
    this.heldCount.fill(0);
    this.heldTotal = 0;
    this.countdown.reset(rng);
    for (let h = 0; h < this.harts; h++) {
      this.countdown.pickMean(h);
      this.countdown.restart(h);
    }
  }

  /** One access or scheduler turn of hart h: the oldest store drains when its countdown runs out. */
  private tick(h: number): void {
    if (this.count[h] !== 0 && this.countdown.expired(h)) {
      this.drainOne(h);
      this.countdown.restart(h);
    }
  }

  /** The scheduler ended a turn of hart h (so a hart that stops accessing memory still drains). */
  endTurn(h: number): void {
    this.tick(h);
  }

  /** A step given to hart h asleep in wfi with stores buffered: one drains when its countdown runs out. */
  idleTurn(h: number): void {
    if (!this.countdown.running(h)) this.drainOne(h);
    else this.tick(h);
  }

  /** Buffered stores of hart h. */
  pending(h: number): number {
    return this.count[h]!;
  }

  entries(h: number): BufferedStore[] {
    const out: BufferedStore[] = [];
    for (let i = 0; i < this.count[h]!; i++) {
      const e = h * STORE_BUFFER_SIZE + ((this.head[h]! + i) % STORE_BUFFER_SIZE);
      out.push({ addr: this.addr[e]!, size: this.size[e]!, value: this.value[e]!, held: this.held[e] === 1 });
    }
    return out;
  }

  /** The oldest store of hart h reaches memory. */
  drainOne(h: number): void {
    if (this.count[h] === 0) return;
    const e = h * STORE_BUFFER_SIZE + this.head[h]!;
    if (this.held[e]) {
      this.held[e] = 0;
      this.heldCount[h]!--;
      this.heldTotal--;
    } else this.claimLine(h, this.addr[e]!, this.size[e]!);
    this.head[h] = (this.head[h]! + 1) % STORE_BUFFER_SIZE;
    this.count[h]!--;
    this.mem.writePlain(this.mem.hart(h), this.addr[e]!, this.size[e]!, this.value[e]!);
    this.onDrain?.(h, this.addr[e]!, this.size[e]!, this.value[e]!);
  }

  /**
   * Hart `by` is about to write [a, a+size), or to reserve it: a store-conditional that another hart
   * holds on that reservation set drains first, so that no write comes between an LR/SC pair's read
   * and its write (the atomicity axiom; a pending LR elsewhere loses its reservation). A held store
   * is always the head of its buffer (a store-conditional first drains the stores before it), and
   * no two harts hold one set, so this drains at most one store per hart and never recurses.
   */
  private claimLine(by: number, a: number, size: number): void {
    if (this.heldTotal === this.heldCount[by]) return;
    const lo = a - (a % RESERVATION_SET), hi = a + size;
    for (let h = 0; h < this.harts; h++) {
      if (h === by || this.heldCount[h] === 0) continue;
      const e = h * STORE_BUFFER_SIZE + this.head[h]!;
      const set = this.addr[e]! - (this.addr[e]! % RESERVATION_SET);
      if (set < hi && lo < set + RESERVATION_SET) this.drainOne(h);
    }
  }

  /** Every store of hart h reaches memory, in order. */
  drainAll(h: number): void {
    while (this.count[h]! > 0) this.drainOne(h);
  }

  // ---- MemoryPort ----

  load(h: PortHart, base: bigint, off: number, size: Width, signed: boolean): bigint {
    const id = h.id;
    if (this.count[id] === 0) return this.mem.load(h, base, off, size, signed);
    this.tick(id);
    const a = Number(base) + off;
    const first = id * STORE_BUFFER_SIZE;
    for (let i = this.count[id]! - 1; i >= 0; i--) {
      const e = first + ((this.head[id]! + i) % STORE_BUFFER_SIZE);
      const ea = this.addr[e]!, es = this.size[e]!;
      if (a >= ea + es || ea >= a + size) continue;
      if (ea <= a && a + size <= ea + es) {
        // Forward the covered bytes of the youngest overlapping store.
        const v = this.value[e]! >> BigInt(8 * (a - ea));
        return signed ? BigInt.asIntN(size * 8, v) : BigInt.asUintN(size * 8, v);
      }
      this.drainAll(id);
      break;
    }
    return this.mem.load(h, base, off, size, signed);
  }

  store(h: PortHart, base: bigint, off: number, size: Width, value: bigint): void {
    const id = h.id;
    const a = Number(base) + off;
    if (!this.mem.isBufferable(a, size)) {
      this.drainAll(id);
      this.claimLine(id, a, size);
      this.mem.store(h, base, off, size, value);
      return;
    }
    this.tick(id);
    if (this.count[id] === STORE_BUFFER_SIZE) this.drainOne(id);
    this.push(id, a, size, value);
  }

  /** Append a store to hart id's buffer (which has room); returns its slot. */
  private push(id: number, a: number, size: number, value: bigint): number {
    const e = id * STORE_BUFFER_SIZE + ((this.head[id]! + this.count[id]!) % STORE_BUFFER_SIZE);
    this.addr[e] = a;
    this.size[e] = size;
    this.value[e] = value;
    this.count[id]!++;
    return e;
  }

  loadReserved(h: PortHart, addr: bigint, size: 4 | 8): bigint {
    this.drainAll(h.id);
    this.claimLine(h.id, Number(BigInt.asUintN(64, addr)), size);
    return this.mem.loadReserved(h, addr, size);
  }

  /**
   * A store-conditional is a store (RVTSO fences AMOs, not SCs): when its reservation holds, its write
   * waits in the buffer like any other - later loads may pass it - and holds the reservation set
   * until it drains.
   */
  storeConditional(h: PortHart, addr: bigint, size: 4 | 8, value: bigint): boolean {
    const id = h.id;
    this.drainAll(id);
    this.claimLine(id, Number(BigInt.asUintN(64, addr)), size);
    const a = this.mem.claimReservation(h, addr, size);
    if (a < 0) return false;
    const e = this.push(id, a, size, value);
    this.held[e] = 1;
    this.heldCount[id]!++;
    this.heldTotal++;
    return true;
  }

  amo(h: PortHart, kind: number, addr: bigint, size: 4 | 8, value: bigint): bigint {
    this.drainAll(h.id);
    this.claimLine(h.id, Number(BigInt.asUintN(64, addr)), size);
    return this.mem.amo(h, kind, addr, size, value);
  }

  fence(h: PortHart, predSucc: number): void {
    // Only a store followed by a load (or a device access) can be out of order: a fence from W to R, I or O
    // drains; fence.tso orders R->RW and W->W, which the FIFO keeps anyway.
    if ((predSucc >> 8) !== 8 && (predSucc >> 4) & W && predSucc & (R | I | O)) this.drainAll(h.id);
  }

  syncCode(h: PortHart): void {
    const id = h.id;
    for (let i = this.count[id]! - 1; i >= 0; i--) {
      const e = id * STORE_BUFFER_SIZE + ((this.head[id]! + i) % STORE_BUFFER_SIZE);
      if (this.mem.holdsDecodedCode(this.addr[e]!, this.size[e]!)) {
        for (let k = 0; k <= i; k++) this.drainOne(id);
        return;
      }
    }
  }

  drain(h: PortHart): void {
    this.drainAll(h.id);
  }

  setCompressed(on: boolean): void {
    this.mem.setCompressed(on);
  }

  // ---- snapshots (the exhaustive search) ----

  /** Exact copies of the buffers (values as BigInt64). */
  snapshot(): { addr: Float64Array; size: Uint8Array; value: BigInt64Array; held: Uint8Array; heldCount: Int32Array; head: Int32Array; count: Int32Array } {
    return { addr: this.addr.slice(), size: this.size.slice(), value: this.value.slice(), held: this.held.slice(), heldCount: this.heldCount.slice(), head: this.head.slice(), count: this.count.slice() };
  }

  restore(s: ReturnType<StoreBuffers['snapshot']>): void {
    this.addr.set(s.addr);
    this.size.set(s.size);
    this.value.set(s.value);
    this.held.set(s.held);
    this.heldCount.set(s.heldCount);
    this.heldTotal = s.heldCount.reduce((a, b) => a + b, 0);
    this.head.set(s.head);
    this.count.set(s.count);
  }

  /** The buffers' contents as a string (equal for equal states, whatever the ring positions). */
  key(): string {
    let k = '';
    for (let h = 0; h < this.harts; h++) k += this.entries(h).map((e) => `${e.addr}:${e.size}:${e.value}${e.held ? 'h' : ''}`).join(',') + '|';
    return k;
  }
}
