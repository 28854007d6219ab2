/**
 * The weak memory models (tso, wmo): an out-of-order issue window without speculation, per hart
 * (docs/memory-model.md explains the model and why it stays inside RVWMO / RVTSO).
 *
 * A hart in tso or wmo mode holds up to WINDOW_SIZE fetched instructions in program order. Each
 * step the hart either fetches the next instruction or performs one window entry that is ready:
 * its source registers are computed by performed earlier entries, and no ordering rule ties it to
 * an earlier unperformed entry. Performed entries retire in order into the register file. Fetch
 * stops behind an unresolved branch or jalr (no speculation). A store becomes visible to every hart
 * at the instant it performs (multi-copy atomicity); before that only its own hart can read it, by
 * forwarding. Instructions with effects beyond registers and main memory (CSRs, system
 * instructions, device accesses, anything that may trap) run through the interpreter when the
 * window is empty, so traps stay precise.
 */
import { OP_ILLEGAL, OP_NAMES, type CodePage } from '../hart/decode-cache.js';
import { BRANCH_CONDITIONS, SEMANTICS } from '../hart/semantics.js';
import type { Hart } from '../hart/hart.js';
import type { Prng } from '../scheduler.js';
import type { MemoryModel } from '../config.js';

// 16, not 8: litmus harts of 9+ instructions (e.g. LB+data+data-wsi-rfi-addr) need their last store
// in the window while the first load is still pending.
export const WINDOW_SIZE = 16;

type Kind = 'alu' | 'load' | 'store' | 'amo' | 'lr' | 'sc' | 'branch' | 'jal' | 'jalr' | 'fence' | 'serial';

/** Fence ordering bits (pred/succ): I = 8, O = 4, R = 2, W = 1. */
const R = 2, W = 1, I = 8, O = 4;

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
  result: bigint;
  /** Access address once computed (NaN until then); access kind bits (R/W/I/O). */
  addr: number;
  access: number;
  /** Store data, once the data register is ready. */
  data: bigint | undefined;
  /** Fence: predecessor and successor sets, as pairs (fence.tso has two). */
  fences: [number, number][];
}

const LOADS: Record<string, [number, boolean]> = { lb: [1, true], lh: [2, true], lw: [4, true], ld: [8, true], lbu: [1, false], lhu: [2, false], lwu: [4, false] };
const STORES: Record<string, number> = { sb: 1, sh: 2, sw: 4, sd: 8 };
const SERIAL = /\bh\.(csrr|mret|sret|wfi|sfenceVma|illegal|fenceI|ecall|ebreak)/;

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

function classify(name: string): Kind {
  if (name in LOADS) return 'load';
  if (name in STORES) return 'store';
  if (name.startsWith('amo')) return 'amo';
  if (name.startsWith('lr.')) return 'lr';
  if (name.startsWith('sc.')) return 'sc';
  if (name in BRANCH_CONDITIONS) return 'branch';
  if (name === 'jal') return 'jal';
  if (name === 'jalr') return 'jalr';
  // fence.i orders no data accesses (RVWMO): the code cache already drops stale decodes at stores.
  if (name === 'fence' || name === 'fence.tso' || name === 'pause' || name === 'fence.i') return 'fence';
  if (SERIAL.test(SEMANTICS[name] ?? 'h.illegal')) return 'serial';
  return 'alu';
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
  loadReserved(h: Hart, addr: number, size: 4 | 8): bigint;
  storeConditional(h: Hart, addr: number, size: 4 | 8, value: bigint): boolean;
  /** The code page and slot for a pc (decoding it if needed), or undefined outside RAM. */
  fetch(pc: number): { page: CodePage; slot: number } | undefined;
}

const AMO_KIND: Record<string, number> = { amoswap: 0, amoadd: 1, amoxor: 2, amoand: 3, amoor: 4, amomin: 5, amomax: 6, amominu: 7, amomaxu: 8 };

export class Window {
  readonly entries: Entry[] = [];
  /** pc of the next instruction to fetch, or NaN while fetch waits for a branch or jalr. */
  private fetchPc: number;
  private readonly tso: boolean;

  constructor(
    private readonly h: Hart,
    private readonly mem: WindowMemory,
    model: MemoryModel,
  ) {
    this.tso = model === 'tso';
    this.fetchPc = h.pc;
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** After the interpreter ran (serial instruction, trap, interrupt), fetch continues at the hart's pc. */
  resync(): void {
    this.fetchPc = this.h.pc;
  }

  /** The value a source register has for entry i: from the youngest earlier writer, or the register file. */
  private operand(i: number, reg: number): bigint | undefined {
    if (reg === 0) return 0n;
    for (let j = i - 1; j >= 0; j--) {
      const e = this.entries[j]!;
      if (e.rd === reg && writesRd(e)) return e.performed ? e.result : undefined;
    }
    return this.h.x[reg]!;
  }

  /** Is fetch possible now, and what does it need? 'serial' means the next instruction needs an empty window. */
  private fetchState(): 'ok' | 'blocked' | 'serial' {
    if (Number.isNaN(this.fetchPc) || this.entries.length >= WINDOW_SIZE) return 'blocked';
    const f = this.mem.fetch(this.fetchPc);
    if (!f) return 'serial';
    const op = f.page.op[f.slot]!;
    if (op === OP_ILLEGAL || classify(OP_NAMES[op]!) === 'serial') return 'serial';
    return 'ok';
  }

  private fetch(): void {
    const f = this.mem.fetch(this.fetchPc)!;
    const { page, slot } = f;
    const op = page.op[slot]!;
    const name = OP_NAMES[op]!;
    const kind = classify(name);
    const aqrl = page.aqrl[slot]!;
    const e: Entry = {
      pc: this.fetchPc, op, name, kind, len: page.len[slot]!, rd: page.rd[slot]!, rs1: page.rs1[slot]!, rs2: page.rs2[slot]!,
      imm: page.imm[slot]!, immn: page.immn[slot]!, aq: (aqrl & 2) !== 0, rl: (aqrl & 1) !== 0,
      size: 0, signed: false, performed: false, result: 0n, addr: NaN, access: 0, data: undefined, fences: [],
    };
    if (kind === 'load') [e.size, e.signed] = LOADS[name]!;
    else if (kind === 'store') e.size = STORES[name]!;
    else if (kind === 'amo' || kind === 'lr' || kind === 'sc') e.size = name.includes('.d') ? 8 : 4;
    if (kind === 'fence') {
      if (name === 'fence.tso') e.fences = [[R, R | W], [W, W]];
      else if (name === 'pause' || name === 'fence.i') e.fences = [];
      else e.fences = [[(e.immn >> 4) & 15, e.immn & 15]];
    }
    this.entries.push(e);
    // No speculation: fetch waits for branches and jalr; jal's target is known now.
    if (kind === 'branch' || kind === 'jalr') this.fetchPc = NaN;
    else if (kind === 'jal') this.fetchPc = e.pc + e.immn;
    else this.fetchPc = e.pc + e.len;
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
    if (e.kind === 'fence') return i === 0; // a fence retires when it is the oldest
    if (!isMem(e.kind)) {
      if (e.kind !== 'jal' && this.operand(i, e.rs1) === undefined && usesRs1(e)) return false;
      if (usesRs2(e) && this.operand(i, e.rs2) === undefined) return false;
      return true;
    }
    if (!this.address(i, e)) return false;
    if (writes(e.kind)) {
      const d = this.operand(i, e.rs2);
      if (d === undefined) return false;
      e.data = d;
    }
    // Device accesses, misaligned or unmapped ones: only as the oldest entry (then the interpreter runs them).
    const plain = (e.access & (I | O)) === 0;
    if (!plain && i !== 0) return false;
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
      return !this.fenceOrders(dj, ei, e);
    }
    if (!isMem(d.kind)) return true;
    // An earlier access whose address is unknown, or that may fault or touch a device, blocks every
    // later access: device accesses are performed in program order with all memory accesses.
    if (Number.isNaN(d.addr) || (d.access & (I | O)) !== 0) return false;
    const overlap = d.addr < e.addr + e.size && e.addr < d.addr + d.size;
    if (this.tso) {
      // TSO: only a later load may pass an earlier store (a FIFO store buffer; under Ztso an SC is
      // a release-RCpc store too), reading a plain store's data by forwarding; AMOs are RCsc.
      if (e.kind === 'load' && d.kind === 'store') return overlap ? this.canForward(dj, ei) : true;
      if (e.kind === 'load' && d.kind === 'sc') return !overlap;
      return false;
    }
    // ppo 5, 6, 7: acquire orders everything after it; release waits for everything before it.
    if (d.aq || e.rl) return false;
    // Same address: a later store or AMO/SC waits (ppo 1); same-address loads stay in order; a later
    // load may read an earlier plain store's data by forwarding (rfi), but not an AMO's or SC's (ppo 3).
    if (overlap) {
      if (writes(e.kind) || e.kind === 'lr') return false; // LR reads memory, never a forwarded store
      if (reads(d.kind)) return false;
      return this.canForward(dj, ei);
    }
    // LR/SC and AMO pairs: keep SC behind its LR (different addresses are rare; be strict).
    if ((d.kind === 'lr' && e.kind === 'sc') || (e.kind === 'lr' && d.kind === 'sc')) return false;
    return !this.fenceBetweenOrders(dj, ei, d, e);
  }

  /** Does a fence at index f order some unperformed access before it with access e after it? */
  private fenceOrders(f: number, ei: number, e: Entry): boolean {
    const fence = this.entries[f]!;
    for (let j = 0; j < f; j++) {
      const d = this.entries[j]!;
      if (d.performed || !isMem(d.kind)) continue;
      const dAccess = Number.isNaN(d.addr) ? R | W | I | O : d.access;
      for (const [pred, succ] of fence.fences) if (dAccess & pred && e.access & succ) return true;
    }
    void ei;
    return false;
  }

  /** Is there a fence between d and e that orders them? */
  private fenceBetweenOrders(dj: number, ei: number, d: Entry, e: Entry): boolean {
    for (let f = dj + 1; f < ei; f++) {
      const fence = this.entries[f]!;
      if (fence.kind !== 'fence') continue;
      for (const [pred, succ] of fence.fences) if (d.access & pred && e.access & succ) return true;
    }
    return false;
  }

  /** Can load e (at ei) take its value from the youngest earlier overlapping store? */
  private canForward(dj: number, ei: number): boolean {
    const e = this.entries[ei]!;
    // The youngest earlier overlapping access decides.
    for (let j = ei - 1; j >= 0; j--) {
      const s = this.entries[j]!;
      if (!isMem(s.kind) || Number.isNaN(s.addr)) continue;
      if (!(s.addr < e.addr + e.size && e.addr < s.addr + s.size)) continue;
      if (s.performed) return true; // memory holds it (or newer)
      return s.kind === 'store' && s.data !== undefined && s.addr === e.addr && s.size >= e.size && j >= dj;
    }
    return true;
  }

  /** The value a load reads: forwarded from the youngest earlier unperformed store, else memory. */
  private loadValue(i: number, e: Entry): bigint {
    for (let j = i - 1; j >= 0; j--) {
      const s = this.entries[j]!;
      if (s.kind !== 'store' || Number.isNaN(s.addr)) continue;
      if (!(s.addr < e.addr + e.size && e.addr < s.addr + s.size)) continue;
      if (s.performed) break;
      const v = BigInt.asUintN(e.size * 8, s.data!);
      return e.signed ? BigInt.asIntN(e.size * 8, v) : v;
    }
    const v = this.mem.read(e.addr, e.size);
    return e.signed ? BigInt.asIntN(e.size * 8, v) : v;
  }

  private perform(i: number): void {
    const e = this.entries[i]!;
    const h = this.h;
    switch (e.kind) {
      case 'alu':
        e.result = compute(e.name)(h, this.operand(i, e.rs1) ?? 0n, this.operand(i, e.rs2) ?? 0n, e.imm, e.pc);
        break;
      case 'branch': {
        const taken = condition(e.name)(this.operand(i, e.rs1)!, this.operand(i, e.rs2)!);
        this.fetchPc = taken ? e.pc + e.immn : e.pc + e.len;
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
        e.result = this.mem.amo(h, AMO_KIND[e.name.split('.')[0]!]!, e.addr, e.size as 4 | 8, e.data!);
        break;
      case 'lr':
        e.result = this.mem.loadReserved(h, e.addr, e.size as 4 | 8);
        break;
      case 'sc':
        e.result = this.mem.storeConditional(h, e.addr, e.size as 4 | 8, e.data!) ? 0n : 1n;
        break;
      case 'fence':
      case 'serial':
        break;
    }
    e.performed = true;
  }

  /** Retire performed entries from the head into the register file; returns how many. */
  private retire(): number {
    let n = 0;
    while (this.entries.length && this.entries[0]!.performed) {
      const e = this.entries.shift()!;
      if (e.rd !== 0 && writesRd(e)) this.h.x[e.rd] = e.result;
      this.h.pc = this.entries.length ? this.entries[0]!.pc : Number.isNaN(this.fetchPc) ? e.pc + e.len : this.fetchPc;
      n++;
    }
    return n;
  }

  /**
   * One step: fetch or perform, chosen at random among what is possible. Returns 'serial' when the
   * window is empty and the next instruction must run in the interpreter, 'idle' when nothing can
   * happen, else the number of instructions retired by this step.
   */
  /** Set while an interrupt waits: fetch stops so that the window drains and the interrupt can be taken. */
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
   * What this window can do now: -1 = fetch, i >= 0 = perform entry i; 'serial' when the next
   * instruction must run in the interpreter (the window is empty, or a device access reached the
   * head, which flushes the window); [] when nothing can happen.
   */
  choices(): number[] | 'serial' {
    // A device access, or one that will fault, at the head: hand it to the interpreter. Nothing
    // after it has reached memory (later accesses wait for it), so the rest is simply fetched again.
    const head = this.entries[0];
    if (head && isMem(head.kind) && !head.performed && this.address(0, head) && (head.access & (I | O)) !== 0) {
      this.entries.length = 0;
      this.h.pc = head.pc;
      this.fetchPc = head.pc;
      return 'serial';
    }
    const options: number[] = [];
    for (let i = 0; i < this.entries.length; i++) if (!this.entries[i]!.performed && this.ready(i)) options.push(i);
    const fs = this.holdFetch ? 'blocked' : this.fetchState();
    if (fs === 'ok') options.push(-1);
    if (options.length === 0 && this.entries.length === 0 && fs === 'serial') return 'serial';
    return options;
  }

  /** Do one choice from choices(); returns the number of instructions retired. */
  apply(pick: number): number {
    if (pick < 0) {
      this.fetch();
      return 0;
    }
    // ready() computes addresses and store data as it goes (a restored copy may not have them yet),
    // and an entry's readiness can depend on earlier entries' data (forwarding): evaluate in order.
    for (let j = 0; j < pick; j++) if (!this.entries[j]!.performed) this.ready(j);
    if (!this.ready(pick)) throw new Error(`window entry ${pick} is not ready`);
    this.perform(pick);
    return this.retire();
  }

  step(rng: Prng): number | 'serial' | 'idle' {
    const c = this.choices();
    if (c === 'serial') return 'serial';
    const options = c;
    if (options.length === 0) return 'idle';
    let pick: number;
    const canFetch = options[options.length - 1] === -1;
    if (canFetch) options.pop();
    if (options.length === 0) pick = -1;
    else if (canFetch && rng.next32() / 4294967296 < this.fetchBias) pick = -1;
    else {
      const stores = options.filter((i) => writes(this.entries[i]!.kind));
      const others = options.filter((i) => !writes(this.entries[i]!.kind));
      const storeNow = rng.next32() / 4294967296 < this.storeBias;
      // Only stores could go: like a store buffer that drains when it pleases, they may wait a step.
      if (others.length === 0 && !storeNow) return 0;
      const pool = stores.length && others.length ? (storeNow ? stores : others) : options;
      pick = pool.length === 1 ? pool[0]! : pool[rng.below(pool.length)]!;
    }
    return this.apply(pick);
  }

  /** A copy of the window's state, for exhaustive exploration. */
  save(): { entries: Entry[]; fetchPc: number } {
    return { entries: this.entries.map((e) => ({ ...e, fences: e.fences })), fetchPc: this.fetchPc };
  }

  restore(s: { entries: Entry[]; fetchPc: number }): void {
    this.entries.length = 0;
    for (const e of s.entries) this.entries.push({ ...e });
    this.fetchPc = s.fetchPc;
  }

  /** A string that identifies the window's state. */
  key(): string {
    return `${this.fetchPc}|${this.entries.map((e) => `${e.pc}:${e.performed ? 1 : 0}:${e.result}:${e.addr}:${e.data ?? ''}`).join(',')}`;
  }
}

function writesRd(e: Entry): boolean {
  return e.kind === 'alu' || e.kind === 'load' || e.kind === 'amo' || e.kind === 'lr' || e.kind === 'sc' || e.kind === 'jal' || e.kind === 'jalr';
}

function usesRs1(e: Entry): boolean {
  return !(e.name === 'lui' || e.name === 'auipc' || e.kind === 'jal');
}

function usesRs2(e: Entry): boolean {
  return e.kind === 'branch' || (e.kind === 'alu' && /x\[\$rs2\]/.test(SEMANTICS[e.name] ?? ''));
}
