/**
 * The fast wmo engine: RVWMO by views (the Promising-RISC-V model of Pulte et al., PLDI 2019,
 * without promises), in front of an in-order hart. docs/memory-model.md explains why it stays
 * inside RVWMO; in short:
 *
 * - Memory is RAM plus a log of recent writes. Every write reaching RAM gets the next timestamp
 *   (the global memory order); the log keeps, per 8-byte granule, the value each write replaced.
 * - Stores wait in a per-hart store buffer and drain in any order that keeps program order between
 *   stores to one granule and across a fence w,w (non-FIFO: store->store reordering). Loads of the
 *   hart forward from it (store->load reordering).
 * - A load may read an older version of its granule (load->load reordering), as long as no write
 *   to the granule came between that version and the load's *pre-view*: the latest of the view of
 *   its address register (address dependencies), the hart's view of the granule (coherence) and
 *   the views fences and acquires impose. Registers carry views (the interpreter propagates them
 *   through every instruction when Hart.trackViews is set); the load's register gets the version's
 *   timestamp.
 * - AMOs, LR and SC act on the latest value at once, after the buffered stores they must follow
 *   (to their granule, before a fence w,w, or all for .rl); device and misaligned accesses drain
 *   the buffer and read the latest.
 * What it cannot do: a load after a store in program order that goes to memory later than the
 * store (load buffering), which needs promises; the issue window (window.ts) can.
 *
 * State is typed arrays and numbers; the common load (no buffered store, no stale read) allocates
 * nothing.
 */
import type { Width } from '../bus/device.js';
import type { Prng } from '../scheduler.js';
import { DrainCountdown } from './drain-countdown.js';
import type { DirectMemory, MemoryPort, PortHart } from './port.js';
import { GranuleClock } from './granule-clock.js';

/** What a hart tracking views gives the port around each access. */
export interface ViewHart extends PortHart {
  /** Set by the interpreter before a load or store: the view of its address (and data) registers. */
  av: number;
  /** Set by the port after a load, LR, SC or AMO: the view the destination register gets. */
  rv: number;
}

/** Store buffer entries per hart. */
export const VIEW_BUFFER_SIZE = 8;
/** Writes kept in the log (older versions of a granule than this many writes ago are forgotten). */
const LOG_SIZE = 1 << 15;
/** Per-hart coherence views, direct-mapped by granule (a collision keeps the larger view: stricter, still sound). */
const COH_SIZE = 1024;

/** Per hart and run: the chance that a load tries an older version of its granule (out of 2^32). */
const STALE_RATES = [0, 2 ** 28, 2 ** 30, 2 ** 31];

const R = 2, W = 1, I = 8, O = 4;

/** The 8-byte granule holding address a (a bit mask for the usual non-negative address: % on doubles above 2^31 is slow). */
function granuleOf(a: number): number {
  return a >= 0 ? a - (a & 7) : a - (a % 8);
}

export class ViewMemory implements MemoryPort {
  /** The global memory order so far: the timestamp of the latest write. */
  private clock = 0;
  // The log, a ring indexed by timestamp % LOG_SIZE: the granule's value before the write, and the
  // timestamp of the granule's previous write (0: none logged).
  private readonly logBefore = new BigInt64Array(LOG_SIZE);
  private readonly logPrev = new Float64Array(LOG_SIZE);
  /** Granule -> timestamp of its latest write. */
  private readonly latest: GranuleClock;

  // Per hart views.
  private readonly coh: Float64Array;
  private readonly vrOld: Float64Array;
  private readonly vwOld: Float64Array;
  private readonly vrNew: Float64Array;

  // Store buffers: entries in program order per hart (slot 0 oldest).
  private readonly addr: Float64Array;
  private readonly size: Uint8Array;
  private readonly value: BigInt64Array;
  private readonly view: Float64Array;
  /** Fence w,w epochs: an entry may not drain before an entry of an earlier epoch. */
  private readonly epochOf: Int32Array;
  private readonly epoch: Int32Array;
  private readonly count: Int32Array;

  private readonly countdown: DrainCountdown;
  private readonly staleRate: Float64Array;
  private rng: Prng | undefined;

  constructor(
    private readonly mem: DirectMemory,
    readonly harts: number,
  ) {
    this.latest = new GranuleClock(mem.ram.base, mem.ram.size);
    this.coh = new Float64Array(harts * COH_SIZE);
    this.vrOld = new Float64Array(harts);
    this.vwOld = new Float64Array(harts);
    this.vrNew = new Float64Array(harts);
    const n = harts * VIEW_BUFFER_SIZE;
    this.addr = new Float64Array(n);
    this.size = new Uint8Array(n);
    this.value = new BigInt64Array(n);
    this.view = new Float64Array(n);
    this.epochOf = new Int32Array(n);
    this.epoch = new Int32Array(harts);
    this.count = new Int32Array(harts);
    this.countdown = new DrainCountdown(harts);
    this.staleRate = new Float64Array(harts);
  }

  /** Start over (RAM as loaded): empty buffers and log; per-hart rates drawn from the PRNG. */
  reset(rng: Prng): void {
    this.rng = rng;
    this.clock = 0;
    this.latest.clear();
    this.coh.fill(0);
    this.vrOld.fill(0);
    this.vwOld.fill(0);
    this.vrNew.fill(0);
    this.count.fill(0);
    this.epoch.fill(0);
    this.countdown.reset(rng);
    for (let h = 0; h < this.harts; h++) {
      this.countdown.pickMean(h);
      this.staleRate[h] = STALE_RATES[rng.below(STALE_RATES.length)]!;
      this.countdown.restart(h);
    }
  }

  private tick(h: number): void {
    if (this.count[h] !== 0 && this.countdown.expired(h)) {
      this.drainSome(h);
      this.countdown.restart(h);
    }
  }

  endTurn(h: number): void {
    this.tick(h);
  }

  idleTurn(h: number): void {
    this.tick(h);
  }

  pending(h: number): number {
    return this.count[h]!;
  }

  /** Buffered stores of hart h, oldest first. */
  entries(h: number): { addr: number; size: number; value: bigint }[] {
    const out = [];
    for (let i = 0; i < this.count[h]!; i++) {
      const e = h * VIEW_BUFFER_SIZE + i;
      out.push({ addr: this.addr[e]!, size: this.size[e]!, value: this.value[e]! });
    }
    return out;
  }

  // ---- writes and the log ----

  /** Log a write by hart h to [a, a+size) about to reach RAM (every granule it touches); returns its timestamp. */
  private logWrite(h: number, a: number, size: number): void {
    const base = this.mem.ram.base;
    // A write that spans two granules (misaligned) is two writes, one timestamp each.
    for (let g = granuleOf(a); g < a + size; g += 8) {
      const t = ++this.clock;
      const i = t % LOG_SIZE;
      this.logBefore[i] = this.mem.ram.read(g - base, 8);
      this.logPrev[i] = this.latest.get(g);
      this.latest.set(g, t);
      const c = h * COH_SIZE + ((g >>> 3) % COH_SIZE);
      if (this.coh[c]! < t) this.coh[c] = t;
    }
    if (this.vwOld[h]! < this.clock) this.vwOld[h] = this.clock;
  }

  /** May entry i of hart h drain now: no earlier entry of an earlier epoch, none to the same granule? */
  private eligible(h: number, i: number): boolean {
    const first = h * VIEW_BUFFER_SIZE;
    const e = first + i;
    if (this.epochOf[e] !== this.epochOf[first]) return false;
    const lo = granuleOf(this.addr[e]!), hi = this.addr[e]! + this.size[e]!;
    for (let j = 0; j < i; j++) {
      const d = first + j;
      const dlo = granuleOf(this.addr[d]!);
      if (dlo < hi && lo < this.addr[d]! + this.size[d]!) return false;
    }
    return true;
  }

  /** Drain entry i of hart h (eligible) into memory. */
  private drainAt(h: number, i: number): void {
    const first = h * VIEW_BUFFER_SIZE;
    const e = first + i;
    const a = this.addr[e]!, size = this.size[e]!, v = this.value[e]!;
    for (let j = i + 1; j < this.count[h]!; j++) {
      this.addr[first + j - 1] = this.addr[first + j]!;
      this.size[first + j - 1] = this.size[first + j]!;
      this.value[first + j - 1] = this.value[first + j]!;
      this.view[first + j - 1] = this.view[first + j]!;
      this.epochOf[first + j - 1] = this.epochOf[first + j]!;
    }
    this.count[h]!--;
    this.logWrite(h, a, size);
    this.mem.writePlain(this.mem.hart(h), a, size, v);
  }

  /** One store of hart h drains: a random one of those that may go first. */
  private drainSome(h: number): void {
    const n = this.count[h]!;
    let pick = this.rng ? this.rng.below(n) : 0;
    for (let k = 0; k < n; k++, pick = (pick + 1) % n) {
      if (this.eligible(h, pick)) return this.drainAt(h, pick);
    }
  }

  drainAll(h: number): void {
    while (this.count[h]! > 0) this.drainAt(h, 0);
  }

  /** The oldest store of hart h reaches memory (a debugger's drain). */
  drainOne(h: number): void {
    if (this.count[h]! > 0) this.drainAt(h, 0);
  }

  // ---- MemoryPort ----

  load(h: PortHart, base: bigint, off: number, size: Width, signed: boolean): bigint {
    const vh = h as ViewHart;
    const id = h.id;
    const a = Number(base) + off;
    if (this.count[id]! > 0) {
      this.tick(id);
      const first = id * VIEW_BUFFER_SIZE;
      for (let i = this.count[id]! - 1; i >= 0; i--) {
        const e = first + i;
        const ea = this.addr[e]!, es = this.size[e]!;
        if (a >= ea + es || ea >= a + size) continue;
        if (ea <= a && a + size <= ea + es) {
          const v = this.value[e]! >> BigInt(8 * (a - ea));
          const view = this.view[e]!;
          vh.rv = view;
          if (this.vrOld[id]! < view) this.vrOld[id] = view;
          return signed ? BigInt.asIntN(size * 8, v) : BigInt.asUintN(size * 8, v);
        }
        this.drainAll(id);
        break;
      }
    }
    const o = a - this.mem.ram.base;
    const g = granuleOf(a);
    const c = id * COH_SIZE + ((g >>> 3) % COH_SIZE);
    if (o >= 0 && o <= this.mem.ram.size - size && (o & (size - 1)) === 0) {
      const rate = this.staleRate[id]!;
      if (rate > 0 && this.rng!.next32() < rate) {
        const old = this.staleRead(vh, g, c);
        if (old !== undefined) {
          const v = old >> BigInt(8 * (a - g));
          return signed ? BigInt.asIntN(size * 8, v) : BigInt.asUintN(size * 8, v);
        }
      }
      // The latest version: its view is the timestamp of the write that made it (0: the initial value).
      const t = this.latest.get(g);
      vh.rv = t;
      if (this.coh[c]! < t) this.coh[c] = t;
      if (this.vrOld[id]! < t) this.vrOld[id] = t;
      return this.mem.load(h, base, off, size, signed);
    }
    // A device, misaligned or unmapped access: in order with everything, as if performed now.
    this.drainAll(id);
    const now = this.clock;
    vh.rv = now;
    if (this.coh[c]! < now) this.coh[c] = now;
    if (this.vrOld[id]! < now) this.vrOld[id] = now;
    return this.mem.load(h, base, off, size, signed);
  }

  /**
   * An older version of granule g that hart id may read, chosen uniformly among those allowed,
   * or undefined (only the latest is allowed, or the log has forgotten the rest). Sets the views.
   */
  private staleRead(h: ViewHart, g: number, c: number): bigint | undefined {
    const id = h.id;
    let pre = this.coh[c]!;
    if (pre < h.av) pre = h.av;
    if (pre < this.vrNew[id]!) pre = this.vrNew[id]!;
    // Versions back from the latest: version k (k >= 1) is the value before the k-th latest write w,
    // current from w's predecessor until w. Allowed while w came after pre.
    let w = this.latest.get(g);
    let allowed = 0;
    const oldest = this.clock - LOG_SIZE;
    while (w > pre && w > oldest && allowed < 64) {
      allowed++;
      w = this.logPrev[w % LOG_SIZE]!;
    }
    if (allowed === 0) return undefined;
    const k = 1 + this.rng!.below(allowed);
    w = this.latest.get(g);
    for (let j = 1; j < k; j++) w = this.logPrev[w % LOG_SIZE]!;
    const value = this.logBefore[w % LOG_SIZE]!;
    const since = this.logPrev[w % LOG_SIZE]!; // the write that made this version (0: the initial value)
    h.rv = since;
    if (this.coh[c]! < since) this.coh[c] = since;
    if (this.vrOld[id]! < since) this.vrOld[id] = since;
    return value;
  }

  store(h: PortHart, base: bigint, off: number, size: Width, value: bigint): void {
    const id = h.id;
    const a = Number(base) + off;
    if (!this.mem.isBufferable(a, size)) {
      this.drainAll(id);
      if (this.mem.isPlainRamSpan(a, size)) this.logWrite(id, a, size);
      this.mem.store(h, base, off, size, value);
      return;
    }
    this.tick(id);
    if (this.count[id] === VIEW_BUFFER_SIZE) this.drainAt(id, 0);
    const e = id * VIEW_BUFFER_SIZE + this.count[id]!;
    this.addr[e] = a;
    this.size[e] = size;
    this.value[e] = value;
    this.view[e] = (h as ViewHart).av;
    this.epochOf[e] = this.epoch[id]!;
    this.count[id]!++;
  }

  /** After an LR, SC or AMO at addr (performed on the latest value, now): its views; acquire orders later loads. */
  private atomicDone(h: PortHart, addr: bigint, aq: boolean): void {
    const now = this.clock;
    const a = Number(BigInt.asUintN(64, addr));
    const c = h.id * COH_SIZE + ((granuleOf(a) >>> 3) % COH_SIZE);
    if (this.coh[c]! < now) this.coh[c] = now;
    (h as ViewHart).rv = now;
    if (this.vrOld[h.id]! < now) this.vrOld[h.id] = now;
    if (aq && this.vrNew[h.id]! < now) this.vrNew[h.id] = now;
  }

  /**
   * Before an AMO, LR or SC of hart id at [a, a+size): the buffered stores it must follow reach
   * memory first - those to its granule, those before a fence w,w, or all of them for a release.
   * The others may stay (RVWMO orders a plain AMO after earlier stores to other addresses only
   * through fences or .rl). The oldest such store can always drain, so drain them oldest first.
   */
  private drainBefore(id: number, addr: bigint, size: number, rl: boolean): void {
    if (rl) return this.drainAll(id);
    const a = Number(BigInt.asUintN(64, addr));
    const lo = granuleOf(a), hi = a + size;
    const first = id * VIEW_BUFFER_SIZE;
    for (let i = 0; i < this.count[id]!; ) {
      const e = first + i;
      const elo = granuleOf(this.addr[e]!);
      if (this.epochOf[e]! < this.epoch[id]! || (elo < hi && lo < this.addr[e]! + this.size[e]!)) this.drainAt(id, i);
      else i++;
    }
  }

  loadReserved(h: PortHart, addr: bigint, size: 4 | 8, aq = false, rl = false): bigint {
    this.drainBefore(h.id, addr, size, rl);
    const v = this.mem.loadReserved(h, addr, size);
    this.atomicDone(h, addr, aq);
    return v;
  }

  storeConditional(h: PortHart, addr: bigint, size: 4 | 8, value: bigint, aq = false, rl = false): boolean {
    this.drainBefore(h.id, addr, size, rl);
    const a = this.mem.claimReservation(h, addr, size);
    if (a >= 0) {
      this.logWrite(h.id, a, size);
      this.mem.writePlain(h, a, size, value);
    }
    this.atomicDone(h, addr, aq);
    return a >= 0;
  }

  amo(h: PortHart, kind: number, addr: bigint, size: 4 | 8, value: bigint, aq = false, rl = false): bigint {
    this.drainBefore(h.id, addr, size, rl);
    const a = Number(BigInt.asUintN(64, addr));
    if (this.mem.isPlainRamSpan(a, size) && a % size === 0) this.logWrite(h.id, a, size);
    const old = this.mem.amo(h, kind, addr, size, value);
    this.atomicDone(h, addr, aq);
    return old;
  }

  fence(h: PortHart, predSucc: number): void {
    const id = h.id;
    if (predSucc >> 8 === 8) {
      // fence.tso: R -> RW and W -> W.
      if (this.vrNew[id]! < this.vrOld[id]!) this.vrNew[id] = this.vrOld[id]!;
      this.epoch[id]!++;
      return;
    }
    const pred = (predSucc >> 4) & 15, succ = predSucc & 15;
    if (pred & W && succ & (R | I | O)) {
      this.drainAll(id);
      if (this.vrNew[id]! < this.vwOld[id]!) this.vrNew[id] = this.vwOld[id]!;
    }
    if (pred & W && succ & W) this.epoch[id]!++;
    if (pred & R && succ & R && this.vrNew[id]! < this.vrOld[id]!) this.vrNew[id] = this.vrOld[id]!;
    // Device accesses are performed at once, in order: after one, later loads read from now on.
    if (pred & (I | O) && succ & R && this.vrNew[id]! < this.clock) this.vrNew[id] = this.clock;
  }

  drain(h: PortHart): void {
    this.drainAll(h.id);
  }

  syncCode(h: PortHart): void {
    this.drainAll(h.id);
  }

  setCompressed(on: boolean): void {
    this.mem.setCompressed(on);
  }
}
