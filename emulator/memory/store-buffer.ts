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
 * - up to a successful store-conditional's store, before another hart writes to its reservation set;
 * - up to a successful store-conditional's store, before a load that would read from it (rule 3: a
 *   load reading from an SC follows it), a load whose address depends on the SC's result register
 *   (rule 9), or a load that forwards from a store whose address or data depends on it (rule 12).
 * A trap does not drain it (test/emulator/memory/trap-store-buffer.test.ts).
 *
 * Dependencies through an SC's rd: RVTSO keeps every preserved-program-order rule of RVWMO, and an
 * SC writes rd, so a load whose address depends on rd (ppo rule 9), or that reads from a later store
 * whose address or data depends on rd (rule 12), must follow the SC's store in the global memory
 * order - only an independent load may pass it. The harts of a tso machine track register views
 * (Hart.trackViews, as wmo by views does): a buffered SC gives rd its serial number as view, views
 * flow through every instruction, and a load whose address view reaches the held SC's serial
 * drains it first. Loads, LR and AMOs give rd no view (they read memory after the SC is settled or
 * drained). AMOs and LR drain the whole buffer, so only SC needs this.
 *
 * State is plain typed arrays (snapshots copy them), and the hot path allocates nothing.
 */
import type { Width } from '../bus/device.js';
import type { Prng } from '../scheduler.js';
import { DrainCountdown } from './drain-countdown.js';
import { type DirectMemory, type MemoryPort, type PortHart, RESERVATION_SET } from './port.js';
import type { ViewHart } from './views.js';

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
  /** 1 for a store whose address or data depends on its hart's held store-conditional (rule 12). */
  private readonly dep: Uint8Array;
  /** Per hart: the serial number of its last successful store-conditional (the view rd gets). */
  private readonly scSerial: Float64Array;
  /** Per hart: the serial of the store-conditional held in its buffer (valid while heldCount > 0). */
  private readonly heldSerial: Float64Array;
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
    this.dep = new Uint8Array(harts * STORE_BUFFER_SIZE);
    this.scSerial = new Float64Array(harts);
    this.heldSerial = new Float64Array(harts);
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
    this.dep.fill(0);
    this.scSerial.fill(0);
    this.heldSerial.fill(0);
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

  /** Does a view (of an address or data register) depend on hart id's held store-conditional? */
  private dependsOnHeld(id: number, view: number): boolean {
    return this.heldCount[id] !== 0 && view >= this.heldSerial[id]!;
  }

  /** Is register view `view` of hart id tied to its buffered store-conditional (for state keys)? */
  viewDependsOnHeld(id: number, view: number): boolean {
    return this.dependsOnHeld(id, view);
  }

  load(h: PortHart, base: bigint, off: number, size: Width, signed: boolean): bigint {
    const id = h.id;
    const vh = h as ViewHart;
    vh.rv = 0;
    if (this.count[id] === 0) return this.mem.load(h, base, off, size, signed);
    this.tick(id);
    // Rule 9: an address that depends on the held SC's result waits for its store (at the head).
    if (this.dependsOnHeld(id, vh.av)) this.drainOne(id);
    const a = Number(base) + off;
    const first = id * STORE_BUFFER_SIZE;
    for (let i = this.count[id]! - 1; i >= 0; i--) {
      const e = first + ((this.head[id]! + i) % STORE_BUFFER_SIZE);
      const ea = this.addr[e]!, es = this.size[e]!;
      if (a >= ea + es || ea >= a + size) continue;
      if (ea <= a && a + size <= ea + es) {
        // Rule 3: a load that reads from an SC's store follows it in the global memory order, so the
        // SC's store reaches memory first and the load reads it there.
        if (this.held[e]) {
          this.drainOne(id);
          break;
        }
        // Rule 12: reading from a store that depends on the held SC puts this load after the SC's store.
        // The held SC is the head (older than e), so e keeps its slot.
        if (this.dep[e] && this.heldCount[id] !== 0) this.drainOne(id);
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
    const e = this.push(id, a, size, value);
    this.dep[e] = this.dependsOnHeld(id, (h as ViewHart).av) ? 1 : 0;
  }

  /** Append a store to hart id's buffer (which has room); returns its slot. */
  private push(id: number, a: number, size: number, value: bigint): number {
    const e = id * STORE_BUFFER_SIZE + ((this.head[id]! + this.count[id]!) % STORE_BUFFER_SIZE);
    this.addr[e] = a;
    this.size[e] = size;
    this.value[e] = value;
    this.dep[e] = 0;
    this.count[id]!++;
    return e;
  }

  loadReserved(h: PortHart, addr: bigint, size: 4 | 8): bigint {
    this.drainAll(h.id);
    this.claimLine(h.id, Number(BigInt.asUintN(64, addr)), size);
    (h as ViewHart).rv = 0;
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
    (h as ViewHart).rv = 0;
    if (a < 0) return false;
    const e = this.push(id, a, size, value);
    this.held[e] = 1;
    this.heldCount[id]!++;
    this.heldTotal++;
    // rd's view: this SC, until its store drains.
    const serial = ++this.scSerial[id]!;
    this.heldSerial[id] = serial;
    (h as ViewHart).rv = serial;
    return true;
  }

  amo(h: PortHart, kind: number, addr: bigint, size: 4 | 8, value: bigint): bigint {
    this.drainAll(h.id);
    this.claimLine(h.id, Number(BigInt.asUintN(64, addr)), size);
    (h as ViewHart).rv = 0;
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
  snapshot(): { addr: Float64Array; size: Uint8Array; value: BigInt64Array; held: Uint8Array; heldCount: Int32Array; head: Int32Array; count: Int32Array; dep: Uint8Array; scSerial: Float64Array; heldSerial: Float64Array } {
    return { addr: this.addr.slice(), size: this.size.slice(), value: this.value.slice(), held: this.held.slice(), heldCount: this.heldCount.slice(), head: this.head.slice(), count: this.count.slice(), dep: this.dep.slice(), scSerial: this.scSerial.slice(), heldSerial: this.heldSerial.slice() };
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
    this.dep.set(s.dep);
    this.scSerial.set(s.scSerial);
    this.heldSerial.set(s.heldSerial);
  }

  /** The buffers' contents as a string (equal for equal states, whatever the ring positions). */
  key(): string {
    let k = '';
    for (let h = 0; h < this.harts; h++) {
      const first = h * STORE_BUFFER_SIZE;
      k += this.entries(h).map((e, i) => `${e.addr}:${e.size}:${e.value}${e.held ? 'h' : ''}${this.dep[first + ((this.head[h]! + i) % STORE_BUFFER_SIZE)] ? 'd' : ''}`).join(',') + '|';
    }
    return k;
  }
}
