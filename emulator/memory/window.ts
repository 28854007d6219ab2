/**
 * The wmo memory model (RVWMO): a speculative out-of-order issue window, per hart
 * (docs/memory-model.md explains the model and why it stays inside RVWMO / RVTSO).
 *
 * A hart in wmo mode holds up to WINDOW_SIZE fetched instructions in program order. Each
 * step the hart either fetches the next instruction or performs one window entry that is ready:
 * its source registers are computed by performed earlier entries, and no ordering rule ties it to
 * an earlier unperformed entry. Fetch goes on past an unresolved branch along a predicted path;
 * loads may perform early past unresolved branches and past earlier accesses whose address is not
 * yet known. A wrong prediction, or an earlier access that turns out to overlap an early load,
 * squashes the younger entries (nothing that wrote memory: stores never perform speculatively).
 * Entries retire in order into the register file; a plain store retires once its address and data
 * are known and stays in the window, as in a store buffer, until it performs. A store becomes
 * visible to every hart at the instant it performs (multi-copy atomicity); before that only its own
 * hart can read it, by forwarding. Instructions with effects beyond registers and main memory
 * (CSRs, system instructions, device accesses, anything that may trap) run through the
 * interpreter once every entry has retired, so traps stay precise and do not drain stores.
 */
import { OP_ILLEGAL, OP_NAMES, type CodePage } from '../hart/decode-cache.js';
import { BRANCH_CONDITIONS, SEMANTICS } from '../hart/semantics.js';
import { INSN_PROPS } from '../../assembler/isa/properties.js';
import type { Hart } from '../hart/hart.js';
import type { Prng } from '../scheduler.js';
import { RESERVATION_SET } from './port.js';

// 16, not 8: litmus harts of 9+ instructions (e.g. LB+data+data-wsi-rfi-addr) need their last store
// in the window while the first load is still pending.
export const WINDOW_SIZE = 16;

/** Choices besides performing entry i (0 <= i < WINDOW_SIZE). */
export const FETCH = -1;
/** Fetch at the target of the unresolved branch just fetched (predict taken); FETCH predicts not taken. */
export const FETCH_TAKEN = -3;
/** Run the next instruction in the interpreter (a system instruction, or one that touches only registers). */
export const RUN_SERIAL = -4;
/** FAIL_SC + i: store-conditional i fails now, before its operands are known (always allowed). */
export const FAIL_SC = 64;

/** What a window did, for tracers: an instruction retired, an access took effect, or a squash. */
export type WindowEvent =
  | { type: 'retire'; pc: number; rd: number; value: bigint | undefined; buffered: boolean }
  | { type: 'perform'; pc: number; kind: 'load' | 'store' | 'amo' | 'lr' | 'sc'; addr: number; size: number; value: bigint; ok: boolean }
  | { type: 'squash'; pc: number; count: number };

type Kind = 'alu' | 'load' | 'store' | 'amo' | 'lr' | 'sc' | 'branch' | 'jal' | 'jalr' | 'fence' | 'serial';

/** Fence ordering bits (pred/succ): I = 8, O = 4, R = 2, W = 1. */
const R = 2, W = 1, I = 8, O = 4;
const NO_FENCES: [number, number][] = [];

interface Entry {
  pc: number;
  op: number;
  name: string;
  kind: Kind;
  len: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: bigint;
  immn: number;
  aq: boolean;
  rl: boolean;
  size: number;
  signed: boolean;
  performed: boolean;
  /** Written to the register file and counted (in order); a retired store may still be unperformed. */
  retired: boolean;
  result: bigint;
  /** Access address once computed (NaN until then); access kind bits (R/W/I/O). */
  addr: number;
  access: number;
  /** Store data, once the data register is ready. */
  data: bigint | undefined;
  /** Fence: predecessor and successor sets, as pairs (fence.tso has two). */
  fences: [number, number][];
  /** LR: the reserved address while the reservation holds, else -1. */
  resv: number;
  /** A slow access (a cache miss): it may not perform before this machine step (random stepping only). */
  notBefore: number;
  /** A slow load waiting for this many more writes by other harts to its address (then it may perform at once). */
  waitWrites: number;
  x: OpInfo;
}

/** Pure computation of a register-only instruction, generated from its semantics snippet. */
type Compute = (h: Hart, a: bigint, b: bigint, imm: bigint, pc: number) => bigint;
const computeCache = new Map<string, Compute>();
function compute(name: string): Compute {
  let f = computeCache.get(name);
  if (!f) {
    const body = SEMANTICS[name]!
      .replace(/x\[\$rs1\]/g, 'a')
      .replace(/x\[\$rs2\]/g, 'b')
      .replace(/\$imm\b/g, 'imm')
      .replace(/\$pc/g, 'pc')
      .replace(/x\[\$rd\] = /, 'return ');
    f = new Function('h', 'a', 'b', 'imm', 'pc', body) as Compute;
    computeCache.set(name, f);
  }
  return f;
}
const conditionCache = new Map<string, (a: bigint, b: bigint) => boolean>();
function condition(name: string): (a: bigint, b: bigint) => boolean {
  let f = conditionCache.get(name);
  if (!f) {
    f = new Function('a', 'b', `return ${BRANCH_CONDITIONS[name]!.replace(/x\[\$rs1\]/g, 'a').replace(/x\[\$rs2\]/g, 'b')};`) as (a: bigint, b: bigint) => boolean;
    conditionCache.set(name, f);
  }
  return f;
}

/** The window's kind of an instruction, from its properties in the ISA table. */
function classify(name: string): Kind {
  const p = INSN_PROPS[name];
  if (!p || p.serialises) return 'serial';
  switch (p.cls) {
    // fence.i orders no data accesses (RVWMO): the code cache already drops stale decodes at stores.
    case 'fence':
    case 'fence.i':
    case 'pause':
      return 'fence';
    case 'csr':
    case 'system':
      return 'serial';
    default:
      return p.cls;
  }
}

const isMem = (k: Kind) => k === 'load' || k === 'store' || k === 'amo' || k === 'lr' || k === 'sc';
const reads = (k: Kind) => k === 'load' || k === 'amo' || k === 'lr';
const writes = (k: Kind) => k === 'store' || k === 'amo' || k === 'sc';

/** Memory operations the window performs itself; everything else on memory goes to the interpreter. */
export interface WindowMemory {
  /** Is [addr, addr+size) aligned main memory (not a device, not unmapped)? */
  isPlainRam(addr: number, size: number): boolean;
  read(addr: number, size: number): bigint;
  /** A store by hart h becomes visible: write it, break other harts' reservations, drop stale decodes. */
  write(h: Hart, addr: number, size: number, value: bigint): void;
  amo(h: Hart, kind: number, addr: number, size: 4 | 8, value: bigint): bigint;
  /** Keep the page of a reservation watched, so that other harts' stores break it (Hart.reservation). */
  markReserved(addr: number): void;
  /** The code page holding pc, with pc's slot ((pc - page.base) >>> 1) decoded; undefined outside RAM. */
  fetch(pc: number): CodePage | undefined;
}

const AMO_KIND: Record<string, number> = { amoswap: 0, amoadd: 1, amoxor: 2, amoand: 3, amoor: 4, amomin: 5, amomax: 6, amominu: 7, amomaxu: 8 };

/** What the window needs to know about an opcode, computed once per opcode (fetch is hot). */
interface OpInfo {
  readonly name: string;
  readonly kind: Kind;
  readonly size: number;
  readonly signed: boolean;
  readonly useRs1: boolean;
  readonly useRs2: boolean;
  readonly amo: number;
  readonly compute: Compute | undefined;
  readonly cond: ((a: bigint, b: bigint) => boolean) | undefined;
}
const opInfos: OpInfo[] = [];
function opInfo(op: number): OpInfo {
  let x = opInfos[op];
  if (!x) {
    const name = OP_NAMES[op]!;
    const kind = op === OP_ILLEGAL ? 'serial' : classify(name);
    const p = INSN_PROPS[name];
    // AMOs, LR and SC sign-extend a word's old value into rd, as a signed load does.
    const size = p?.size ?? 0, signed = p ? p.signed || p.cls === 'amo' || p.cls === 'lr' || p.cls === 'sc' : false;
    x = {
      name, kind, size, signed,
      useRs1: !(name === 'lui' || name === 'auipc' || kind === 'jal'),
      useRs2: kind === 'branch' || (kind === 'alu' && p?.readsRs2 === true),
      amo: kind === 'amo' ? AMO_KIND[name.split('.')[0]!]! : -1,
      compute: kind === 'alu' ? compute(name) : undefined,
      cond: kind === 'branch' ? condition(name) : undefined,
    };
    opInfos[op] = x;
  }
  return x;
}

export class Window {
  readonly entries: Entry[] = [];
  /** pc of the next instruction to fetch; NaN while fetch waits for a jalr or for a branch prediction. */
  private fetchPc: number;
  /** Set when an access that only the interpreter can do reached the head: the next instruction is serial. */
  private serialNext = false;
  private readonly h: Hart;

  constructor(
    readonly hart: Hart,
    private readonly mem: WindowMemory,
  ) {
    this.h = hart;
    this.fetchPc = hart.pc;
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * Has every entry retired? Then the register file and pc are architectural, and the interpreter
   * may run an instruction or take a trap; retired stores still waiting to perform stay buffered.
   */
  get allRetired(): boolean {
    const n = this.entries.length;
    return n === 0 || this.entries[n - 1]!.retired;
  }

  /** After the interpreter ran (serial instruction, trap, interrupt), fetch continues at the hart's pc. */
  resync(): void {
    this.fetchPc = this.h.pc;
    this.serialNext = false;
  }

  /** The value a source register has for entry i: from the youngest earlier unretired writer, or the register file. */
  private operand(i: number, reg: number): bigint | undefined {
    if (reg === 0) return 0n;
    for (let j = i - 1; j >= 0; j--) {
      const e = this.entries[j]!;
      if (e.retired) break;
      if (e.rd === reg && writesRd(e)) return e.performed ? e.result : undefined;
    }
    return this.h.x[reg]!;
  }

  /** The instruction at pc, decoded once (undefined outside RAM). */
  private nextOp(pc: number): OpInfo | undefined {
    const page = this.mem.fetch(pc);
    return page ? opInfo(page.op[(pc - page.base) >>> 1]!) : undefined;
  }

  /** Can the instruction at pc (`next`, if already looked up) be fetched? 'serial' means it needs the interpreter. */
  private fetchState(pc: number, next?: OpInfo): 'ok' | 'blocked' | 'serial' {
    if (Number.isNaN(pc) || this.entries.length >= WINDOW_SIZE || this.serialNext) return 'blocked';
    const info = next ?? this.nextOp(pc);
    return !info || info.kind === 'serial' ? 'serial' : 'ok';
  }

  /** The unresolved conditional branch whose path fetch must predict, if fetch waits on one. */
  private predicting(): Entry | undefined {
    if (!Number.isNaN(this.fetchPc)) return undefined;
    const last = this.entries[this.entries.length - 1];
    return last && last.kind === 'branch' && !last.performed ? last : undefined;
  }

  private fetch(pc: number): void {
    const page = this.mem.fetch(pc)!;
    const slot = (pc - page.base) >>> 1;
    const op = page.op[slot]!;
    const x = opInfo(op);
    const { name, kind } = x;
    const aqrl = page.aqrl[slot]!;
    const e: Entry = {
      pc, op, name, kind, len: page.len[slot]!, rd: page.rd[slot]!, rs1: page.rs1[slot]!, rs2: page.rs2[slot]!,
      imm: page.imm[slot]!, immn: page.immn[slot]!, aq: (aqrl & 2) !== 0, rl: (aqrl & 1) !== 0,
      size: x.size, signed: x.signed, performed: false, retired: false, result: 0n, addr: NaN, access: 0, data: undefined, fences: NO_FENCES, resv: -1, notBefore: 0, waitWrites: 0, x,
    };
    if (kind === 'fence') {
      if (name === 'fence.tso') e.fences = [[R, R | W], [W, W]];
      else if (name === 'pause' || name === 'fence.i') e.fences = [];
      else e.fences = [[(e.immn >> 4) & 15, e.immn & 15]];
    }
    this.entries.push(e);
    this.lastFetched = e;
    if (name === 'pause') this.paused = true;
    // jal's target is known now, and a branch to the next instruction needs no prediction (it
    // still orders later stores: a control dependency is syntactic). Other branches wait for a
    // prediction (FETCH / FETCH_TAKEN); jalr waits until it performs.
    if (kind === 'jal') this.fetchPc = pc + e.immn;
    else if (kind === 'jalr' || (kind === 'branch' && e.immn !== e.len)) this.fetchPc = NaN;
    else this.fetchPc = pc + e.len;
  }

  /** Set by a tracer: called with what the window does. */
  onEvent: ((ev: WindowEvent) => void) | undefined;

  /** Drop entries from index `from` on (never a retired one) and fetch again at pc. */
  private squash(from: number, pc: number): void {
    if (this.onEvent && this.entries.length > from) this.onEvent({ type: 'squash', pc: this.entries[from]!.pc, count: this.entries.length - from });
    this.entries.length = from;
    this.fetchPc = pc;
  }

  /**
   * Compute what can be computed without a choice: addresses and store data whose registers are
   * ready. An address that turns out to overlap a later load that already performed (it went
   * ahead while the address was unknown), or to need the interpreter, squashes that load and
   * everything after it. (Nothing after an access with an unknown address has written memory:
   * later stores wait for it.)
   */
  private settle(): void {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.performed) continue;
      if (!isMem(e.kind)) {
        // Register-only work happens as soon as its operands are there: when it happens is no
        // choice that matters (a later access may still wait as long as it likes), and a branch
        // resolved early only spares fetching down a path that would be squashed.
        if (e.kind !== 'fence' && e.kind !== 'serial' && this.ready(i)) this.perform(i);
        continue;
      }
      if (Number.isNaN(e.addr) && this.address(i, e)) {
        const device = (e.access & (I | O)) !== 0;
        for (let k = i + 1; k < this.entries.length; k++) {
          const l = this.entries[k]!;
          if (l.kind === 'load' && l.performed && (device || overlaps(e, l))) {
            this.squash(k, l.pc);
            break;
          }
        }
      }
      if (writes(e.kind) && e.data === undefined) e.data = this.operand(i, e.rs2);
    }
  }

  /** A device or faulting access at the head: empty the window so that the interpreter runs it. */
  private flushHead(): void {
    const head = this.entries[0];
    if (head && isMem(head.kind) && !head.performed && (head.access & (I | O)) !== 0) {
      this.entries.length = 0;
      this.h.pc = head.pc;
      this.fetchPc = head.pc;
      this.serialNext = true;
    }
  }

  /** Compute the address of a memory entry if its base register is ready. */
  private address(i: number, e: Entry): boolean {
    if (!Number.isNaN(e.addr)) return true;
    const base = this.operand(i, e.rs1);
    if (base === undefined) return false;
    const a = Number(BigInt.asUintN(64, base + (e.kind === 'load' || e.kind === 'store' ? BigInt(e.immn) : 0n)));
    e.addr = a;
    e.access = this.mem.isPlainRam(a, e.size) ? (reads(e.kind) ? R : 0) | (writes(e.kind) ? W : 0) : (reads(e.kind) ? I : 0) | (writes(e.kind) ? O : 0);
    return true;
  }

  /**
   * May entry i perform now, given the unperformed entries before it? Returns false when a register
   * operand is missing or an ordering rule (RVWMO preserved program order, or TSO's) forbids it.
   */
  private ready(i: number): boolean {
    const e = this.entries[i]!;
    if (e.kind === 'fence') return i === 0; // a fence performs when it is the oldest
    if (!isMem(e.kind)) {
      if (e.x.useRs1 && this.operand(i, e.rs1) === undefined) return false;
      if (e.x.useRs2 && this.operand(i, e.rs2) === undefined) return false;
      return true;
    }
    if (Number.isNaN(e.addr)) return false;
    if (writes(e.kind) && e.data === undefined) return false;
    // Device accesses, misaligned or unmapped ones: only as the oldest entry (then the interpreter runs them).
    if ((e.access & (I | O)) !== 0) return false;
    for (let j = 0; j < i; j++) {
      const d = this.entries[j]!;
      if (d.performed) continue;
      if (!this.orderedOk(d, e, j, i)) return false;
    }
    return true;
  }

  /** Ordering between an earlier unperformed entry d and a later memory entry e. */
  private orderedOk(d: Entry, e: Entry, dj: number, ei: number): boolean {
    if (d.kind === 'fence') {
      // Any fence between: d is itself unperformed, so everything it orders is still pending.
      return !this.fenceOrders(dj, e);
    }
    if (!isMem(d.kind)) {
      // Nothing that writes memory, and no LR (it reserves), goes before an earlier branch or jalr
      // resolves (ppo 11: a store after a control dependency; and a store must never be undone).
      return !((d.kind === 'branch' || d.kind === 'jalr') && (writes(e.kind) || e.kind === 'lr'));
    }
    // A device access (or one that will fault) stays in program order with every memory access.
    if ((d.access & (I | O)) !== 0) return false;
    if (Number.isNaN(d.addr)) {
      // Address unknown: only a plain load may go first, speculatively (settle() squashes it if the
      // address turns out to overlap). Every other access waits (ppo 13 for stores, and a write can
      // never be undone).
      if (e.kind !== 'load') return false;
      if (d.aq) return false;
      return !this.fenceBetweenOrders(dj, ei, potentialAccess(d), e);
    }
    const overlap = overlaps(d, e);
    // ppo 5, 6, 7: acquire orders everything after it; release waits for everything before it.
    if (d.aq || e.rl) return false;
    // Same address: a later store or AMO/SC waits (ppo 1). A later load or LR may read an earlier
    // plain store's data by forwarding (rfi), but not an AMO's or SC's (ppo 3); it may pass an
    // earlier same-address load only by forwarding from a store between them (ppo 2 orders
    // same-address loads with no store between) - canForward requires such a store.
    if (overlap) {
      if (writes(e.kind)) return false;
      return this.canForward(dj, ei);
    }
    return !this.fenceBetweenOrders(dj, ei, d.access, e);
  }

  /** Does a fence at index f order some unperformed access before it with access e after it? */
  private fenceOrders(f: number, e: Entry): boolean {
    const fence = this.entries[f]!;
    for (let j = 0; j < f; j++) {
      const d = this.entries[j]!;
      if (d.performed || !isMem(d.kind)) continue;
      const dAccess = Number.isNaN(d.addr) ? potentialAccess(d) : d.access;
      for (const [pred, succ] of fence.fences) if (dAccess & pred && e.access & succ) return true;
    }
    return false;
  }

  /** Is there a fence between entries dj and ei that orders an access of kind dAccess with e? */
  private fenceBetweenOrders(dj: number, ei: number, dAccess: number, e: Entry): boolean {
    for (let f = dj + 1; f < ei; f++) {
      const fence = this.entries[f]!;
      if (fence.kind !== 'fence') continue;
      for (const [pred, succ] of fence.fences) if (dAccess & pred && e.access & succ) return true;
    }
    return false;
  }

  /** Can load e (at ei) take its value from the youngest earlier overlapping store? */
  private canForward(dj: number, ei: number): boolean {
    const e = this.entries[ei]!;
    // The youngest earlier overlapping access decides.
    for (let j = ei - 1; j >= 0; j--) {
      const s = this.entries[j]!;
      if (!isMem(s.kind) || Number.isNaN(s.addr) || !overlaps(s, e)) continue;
      if (s.kind === 'sc' && s.performed && s.result !== 0n) continue; // a failed SC wrote nothing
      if (s.performed) return true; // memory holds it (or newer)
      return s.kind === 'store' && s.data !== undefined && s.addr === e.addr && s.size >= e.size && j >= dj;
    }
    return true;
  }

  /** The value a load or LR reads: forwarded from the youngest earlier unperformed store, else memory. */
  private loadValue(i: number, e: Entry): bigint {
    let v: bigint | undefined;
    for (let j = i - 1; j >= 0; j--) {
      const s = this.entries[j]!;
      if (s.kind !== 'store' || Number.isNaN(s.addr) || !overlaps(s, e)) continue;
      if (!s.performed) v = BigInt.asUintN(e.size * 8, s.data!);
      break;
    }
    v ??= this.mem.read(e.addr, e.size);
    return e.signed ? BigInt.asIntN(e.size * 8, v) : v;
  }

  /** Does an unperformed store before entry i overlap it (then an LR at i read that store's data)? */
  private readsBufferedStore(i: number): boolean {
    const e = this.entries[i]!;
    for (let j = i - 1; j >= 0; j--) {
      const s = this.entries[j]!;
      if (s.kind === 'store' && !s.performed && !Number.isNaN(s.addr) && overlaps(s, e)) return true;
    }
    return false;
  }

  /**
   * Another hart's store to [addr, addr+size) became visible: it releases a slow load waiting for
   * writes there (once it has seen enough of them), and it breaks the reservation of every
   * LR here on that reservation set - unless the LR read its own hart's store that is still
   * buffered (that store will come later in the global order, so the other store is no
   * interference: RVWMO's atomicity axiom counts from the store the LR read).
   */
  breakReservations(addr: number, size: number): void {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.waitWrites > 0 && !e.performed && !Number.isNaN(e.addr) && e.addr < addr + size && addr < e.addr + e.size && --e.waitWrites === 0) e.notBefore = 0;
      if (e.kind !== 'lr' || e.resv < 0) continue;
      const set = e.resv - (e.resv % RESERVATION_SET);
      if (set < addr + size && addr < set + RESERVATION_SET && !this.readsBufferedStore(i)) e.resv = -1;
    }
  }

  /**
   * The reservation an SC at i pairs with: its nearest earlier LR still in the window (the window
   * keeps tracking it, see breakReservations), else the hart's (Hart.reservation, tracked by the
   * memory port once the LR has left the window).
   */
  private pairedReservation(i: number): { lr: Entry | undefined; addr: number } {
    for (let j = i - 1; j >= 0; j--) {
      const d = this.entries[j]!;
      if (d.kind === 'sc') return { lr: undefined, addr: -1 }; // an SC in between used it up
      if (d.kind === 'lr') return { lr: d, addr: d.resv };
    }
    return { lr: undefined, addr: this.h.reservation };
  }

  private perform(i: number): void {
    const e = this.entries[i]!;
    const h = this.h;
    switch (e.kind) {
      case 'alu':
        e.result = e.x.compute!(h, this.operand(i, e.rs1) ?? 0n, this.operand(i, e.rs2) ?? 0n, e.imm, e.pc);
        break;
      case 'branch': {
        const taken = e.x.cond!(this.operand(i, e.rs1)!, this.operand(i, e.rs2)!);
        const target = taken ? e.pc + e.immn : e.pc + e.len;
        const next = this.entries[i + 1];
        if (!next) this.fetchPc = target;
        else if (next.pc !== target) this.squash(i + 1, target); // mispredicted
        break;
      }
      case 'jal':
        e.result = BigInt(e.pc + e.len);
        break;
      case 'jalr': {
        const t = BigInt.asIntN(64, (this.operand(i, e.rs1)! + e.imm) & -2n);
        e.result = BigInt(e.pc + e.len);
        this.fetchPc = t >= -(1n << 53n) && t < 1n << 53n ? Number(t) : 2 ** 53;
        break;
      }
      case 'load':
        e.result = this.loadValue(i, e);
        break;
      case 'store':
        this.mem.write(h, e.addr, e.size, e.data!);
        break;
      case 'amo':
        e.result = this.mem.amo(h, e.x.amo, e.addr, e.size as 4 | 8, e.data!);
        break;
      case 'lr':
        e.result = this.loadValue(i, e);
        e.resv = e.addr;
        break;
      case 'sc': {
        // SC succeeds only at its LR's own address (as QEMU and Spike do; the spec allows failing otherwise).
        const { lr, addr } = this.pairedReservation(i);
        const ok = addr === e.addr;
        if (lr) lr.resv = -1;
        else if (ok) h.reservation = -1; // non-speculative: an SC never performs before earlier branches resolve
        if (ok) this.mem.write(h, e.addr, e.size, e.data!);
        e.result = ok ? 0n : 1n;
        break;
      }
      case 'fence':
      case 'serial':
        break;
    }
    e.performed = true;
    if (this.onEvent && isMem(e.kind)) {
      const value = writes(e.kind) ? e.data! : e.result;
      this.onEvent({ type: 'perform', pc: e.pc, kind: e.kind as 'load', addr: e.addr, size: e.size, value, ok: e.kind !== 'sc' || e.result === 0n });
    }
  }

  /** May entry i retire (all before it have)? Performed entries can; so can a store or fence waiting to perform. */
  private canRetire(e: Entry): boolean {
    if (e.performed) return true;
    if (e.kind === 'fence') return true;
    return e.kind === 'store' && !Number.isNaN(e.addr) && (e.access & (I | O)) === 0 && e.data !== undefined;
  }

  /** Retire entries in order into the register file, and drop performed ones from the head; returns how many retired. */
  private retire(): number {
    let n = 0;
    const h = this.h;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.retired) continue;
      if (!this.canRetire(e)) break;
      e.retired = true;
      if (e.rd !== 0 && writesRd(e)) h.x[e.rd] = e.result;
      if (this.onEvent) this.onEvent({ type: 'retire', pc: e.pc, rd: writesRd(e) ? e.rd : 0, value: writesRd(e) ? e.result : undefined, buffered: !e.performed && e.kind === 'store' });
      if (e.kind === 'sc') {
        // Every SC ends the reservation, whatever happened to it.
        h.reservation = -1;
        for (let j = 0; j < i; j++) if (this.entries[j]!.kind === 'lr') this.entries[j]!.resv = -1;
      }
      n++;
    }
    while (this.entries.length && this.entries[0]!.performed && this.entries[0]!.retired) {
      const e = this.entries.shift()!;
      // An LR leaving the window hands its reservation to the hart, where the memory port tracks it.
      if (e.kind === 'lr' && e.resv >= 0) {
        h.reservation = e.resv;
        this.mem.markReserved(e.resv);
      }
    }
    // The architectural pc: the first unretired instruction, else the next to fetch.
    let next: Entry | undefined;
    for (const e of this.entries) if (!e.retired) { next = e; break; }
    if (next) h.pc = next.pc;
    else if (!Number.isNaN(this.fetchPc)) h.pc = this.fetchPc;
    return n;
  }

  /** Set when a pause is fetched: the machine lets the hart sit out (MachineConfig.pauseSteps). */
  paused = false;
  /** Set while an interrupt waits: fetch stops so that every entry retires and the interrupt can be taken. */
  holdFetch = false;
  /**
   * How eagerly this window fetches rather than performs (0..1). Each run draws one from its seed,
   * so some runs keep windows full (much reordering) and others nearly empty (little).
   */
  fetchBias = 0.5;
  /** How eagerly ready stores perform when something else could (0..1): low values keep stores
   * pending longer, as a lazily drained store buffer does. */
  storeBias = 0.5;
  /**
   * The chance that a fetched load or store is slow (a cache miss): it performs no sooner than
   * 16..4096 machine steps later (log-uniform), while younger accesses the ordering rules let
   * pass it go ahead. Only random stepping (step) honours it; exhaustive search has no clock.
   */
  slowRate = 0;
  private lastFetched: Entry | undefined;
  /** After step returned 'idle': the first machine step at which a slow access may perform (0: none waits). */
  slowUntil = 0;

  /** The choices fill() found (a typed array and a count: the hot loop neither allocates nor resizes). */
  private readonly opts = new Int32Array(2 * WINDOW_SIZE + 4);

  /**
   * What this window can do now: FETCH / FETCH_TAKEN, i >= 0 = perform entry i, FAIL_SC + i;
   * 'serial' when the next instruction must run in the interpreter (every entry has retired and
   * the next instruction is a system instruction, or an access only the interpreter can do);
   * [] when nothing can happen.
   */
  choices(): number[] | 'serial' {
    const n = this.fill();
    return n < 0 ? 'serial' : Array.from(this.opts.subarray(0, n));
  }

  /** choices() into this.opts: returns how many, or -1 for 'serial'. */
  private fill(): number {
    const options = this.opts;
    let k = 0;
    // Nothing in flight but retired stores and the next instruction touches only registers: the
    // interpreter runs it at full speed. That is the same as fetching and performing it at once,
    // which loses no behaviour: its operands are all in the register file already.
    const next = Number.isNaN(this.fetchPc) ? undefined : this.nextOp(this.fetchPc);
    const kind = next?.kind;
    const registerOnly = this.allRetired && !this.serialNext && !this.holdFetch && (kind === 'alu' || kind === 'branch' || kind === 'jal' || kind === 'jalr');
    if (registerOnly && this.entries.length === 0) return -1;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.performed) continue;
      if (this.ready(i)) options[k++] = i;
      else if (e.kind === 'sc') options[k++] = FAIL_SC + i;
    }
    if (this.holdFetch) return k;
    const b = this.predicting();
    if (b) {
      // Speculate only while the branch cannot resolve: resolving it first loses no behaviour.
      if (!this.ready(this.entries.length - 1) && this.entries.length < WINDOW_SIZE) {
        if (this.fetchState(b.pc + b.len) === 'ok') options[k++] = FETCH;
        if (this.fetchState(b.pc + b.immn) === 'ok') options[k++] = FETCH_TAKEN;
      }
      return k;
    }
    if (registerOnly) {
      // Retired stores are still waiting: they may perform first, or the interpreter goes on.
      options[k++] = RUN_SERIAL;
      return k;
    }
    const fs = this.fetchState(this.fetchPc, next);
    if (fs === 'ok') options[k++] = FETCH;
    else if ((fs === 'serial' || this.serialNext) && this.allRetired) {
      if (this.entries.length === 0) return -1;
      // Device and faulting accesses (serialNext) and wfi wait for every buffered store to perform;
      // CSR accesses, ecall, mret and traps do not.
      if (!this.serialNext && next?.name !== 'wfi') options[k++] = RUN_SERIAL;
    }
    return k;
  }

  /** Do one choice from choices(); returns the number of instructions retired. */
  apply(pick: number): number {
    if (pick === FETCH || pick === FETCH_TAKEN) {
      const b = this.predicting();
      this.fetch(!b ? this.fetchPc : pick === FETCH ? b.pc + b.len : b.pc + b.immn);
    } else if (pick >= FAIL_SC) {
      const e = this.entries[pick - FAIL_SC]!;
      if (e.kind !== 'sc' || e.performed) throw new Error(`window entry ${pick - FAIL_SC} is not a pending SC`);
      e.result = 1n;
      e.performed = true;
    } else {
      if (!this.ready(pick)) throw new Error(`window entry ${pick} is not ready`);
      this.perform(pick);
    }
    this.settle();
    const n = this.retire();
    this.flushHead();
    return n;
  }

  step(rng: Prng, now = 0): number | 'serial' | 'idle' {
    let count = this.fill();
    if (count < 0) return 'serial';
    const c = this.opts;
    // Slow accesses that may not perform yet are no choice now.
    this.slowUntil = 0;
    if (this.slowRate > 0) {
      let k = 0;
      for (let j = 0; j < count; j++) {
        const o = c[j]!;
        const t = o >= 0 && o < FAIL_SC ? this.entries[o]!.notBefore : 0;
        if (t > now) this.slowUntil = this.slowUntil === 0 ? t : Math.min(this.slowUntil, t);
        else c[k++] = o;
      }
      count = k;
    }
    // Running the next instruction in the interpreter counts as a fetch below.
    // Count the kinds of choice without allocating: fetches, stores to perform, other performs,
    // and early SC failures (rare in hardware: considered one step in eight).
    let fetches = 0, stores = 0, others = 0, fails = 0;
    for (let j = 0; j < count; j++) {
      const o = c[j]!;
      if (o < 0) fetches++;
      else if (o >= FAIL_SC) fails++;
      else if (writes(this.entries[o]!.kind)) stores++;
      else others++;
    }
    if (fails && (rng.next32() & 7) === 0) others += fails;
    else fails = 0;
    const performs = stores + others;
    if (fetches + performs === 0) return 'idle';
    let want: 'fetch' | 'store' | 'other';
    if (performs === 0 || (fetches && rng.next32() / 4294967296 < this.fetchBias)) want = 'fetch';
    else {
      const storeNow = rng.next32() / 4294967296 < this.storeBias;
      // Only stores could go: like a store buffer that drains when it pleases, they may wait a step.
      if (others === 0 && !storeNow && fetches === 0) return 0;
      want = stores && others ? (storeNow ? 'store' : 'other') : stores ? 'store' : 'other';
    }
    const n = want === 'fetch' ? fetches : want === 'store' ? stores : others;
    let k = n === 1 ? 0 : rng.below(n);
    for (let j = 0; j < count; j++) {
      const o = c[j]!;
      const kind = o < 0 ? 'fetch' : o >= FAIL_SC ? (fails ? 'other' : 'none') : writes(this.entries[o]!.kind) ? 'store' : 'other';
      if (kind === want && k-- === 0) {
        if (o === RUN_SERIAL) return 'serial';
        const n = this.apply(o);
        // A fetched load or store may be a slow one.
        const e = this.lastFetched;
        if (this.slowRate > 0 && (o === FETCH || o === FETCH_TAKEN) && e && (e.kind === 'load' || e.kind === 'store') && !e.performed && rng.next32() / 4294967296 < this.slowRate) {
          e.notBefore = now + (16 << rng.below(9));
          // Half the slow loads wait for another hart's write to their address (a line in
          // transit), for up to 4 times longer: the load then reads what that write left.
          if (e.kind === 'load' && (rng.next32() & 1) === 0) {
            e.waitWrites = 1 + rng.below(2);
            e.notBefore = now + (64 << rng.below(9));
          }
        }
        return n;
      }
    }
    throw new Error('window step: no choice picked');
  }

  /** A copy of the window's state, for exhaustive exploration. */
  save(): { entries: Entry[]; fetchPc: number; serialNext: boolean } {
    return { entries: this.entries.map((e) => ({ ...e })), fetchPc: this.fetchPc, serialNext: this.serialNext };
  }

  restore(s: { entries: Entry[]; fetchPc: number; serialNext: boolean }): void {
    this.entries.length = 0;
    for (const e of s.entries) this.entries.push({ ...e });
    this.fetchPc = s.fetchPc;
    this.serialNext = s.serialNext;
  }

  /** A string that identifies the window's state. */
  key(): string {
    return `${this.fetchPc}|${this.serialNext ? 1 : 0}|${this.entries.map((e) => `${e.pc}:${e.performed ? 1 : 0}${e.retired ? 1 : 0}:${e.result}:${e.addr}:${e.data ?? ''}:${e.resv}`).join(',')}`;
  }
}

function overlaps(a: Entry, b: Entry): boolean {
  return a.addr < b.addr + b.size && b.addr < a.addr + a.size;
}

/** The access bits an access whose address is not known yet may turn out to have. */
function potentialAccess(d: Entry): number {
  return (reads(d.kind) ? R | I : 0) | (writes(d.kind) ? W | O : 0);
}

function writesRd(e: Entry): boolean {
  return e.kind === 'alu' || e.kind === 'load' || e.kind === 'amo' || e.kind === 'lr' || e.kind === 'sc' || e.kind === 'jal' || e.kind === 'jalr';
}
