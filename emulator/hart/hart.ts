/**
 * One hart: architectural state (registers, pc, privilege, CSRs), its memory accesses, traps and
 * interrupts. Instructions run in the interpreter generated from semantics.ts (interpreter.ts). The
 * hart never reaches into devices: it reads interrupt lines and the memory through the MemoryPort.
 *
 * Addresses are JavaScript numbers holding the signed 64-bit value (exact below 2^53, which covers
 * RAM, devices and every canonical Sv39/Sv48 address); a jump beyond that keeps its exact value in
 * `pcExact` and faults on fetch.
 *
 * Misaligned loads and stores to RAM are emulated (as QEMU does); misaligned AMOs and LR/SC, and
 * misaligned device accesses, trap (address misaligned / access fault).
 */
import { EXCEPTION, INTERRUPT, Trap } from './trap.js';
import { csrRead, csrWrite, type IndirectFile, MISA_C, MISA_RESET, MSTATUS, PRIV_M, PRIV_S, PRIV_U } from './csr.js';
import type { MemoryPort } from '../memory/port.js';
import type { TimeSource } from '../devices/clint.js';
import { runInterpreter } from './interpreter.js';
import type { CodeCache } from '../memory/code-cache.js';
import type { CodePage } from './decode-cache.js';

const M = MSTATUS;

/** Interrupt priority, highest first (privileged spec 3.1.9). */
const M_ORDER = [INTERRUPT.MACHINE_EXTERNAL, INTERRUPT.MACHINE_SOFTWARE, INTERRUPT.MACHINE_TIMER, INTERRUPT.SUPERVISOR_EXTERNAL, INTERRUPT.SUPERVISOR_SOFTWARE, INTERRUPT.SUPERVISOR_TIMER];
const S_ORDER = [INTERRUPT.SUPERVISOR_EXTERNAL, INTERRUPT.SUPERVISOR_SOFTWARE, INTERRUPT.SUPERVISOR_TIMER];

export type HartState = 'running' | 'wfi';

/** The pc of a hart that jumped beyond the exact range of numbers: never mapped, even (so its fetch
 * is an access fault, not a misaligned one), and the exact target is kept in pcExact. */
const WILD_PC = 2 ** 53;

export class Hart {
  readonly x = new BigInt64Array(32);
  /**
   * wmo by views (emulator/memory/views.ts): each register's view (the timestamp its value depends
   * on), propagated by the interpreter when trackViews is set; av and rv pass views to and from the
   * memory port around an access.
   */
  readonly views = new Float64Array(32);
  trackViews = false;
  av = 0;
  rv = 0;
  pc = 0;
  /** Exact pc when it does not fit a safe integer (a wild jump); fetch faults with it. */
  pcExact: bigint | undefined;
  priv = PRIV_M;
  state: HartState = 'running';
  /** Set by anything that must stop the interpreter at the next instruction boundary. */
  breakLoop = false;
  /** Run hot code as compiled blocks (same results as interpreting; off for single-stepping). */
  jit = true;
  /** Instructions the last compiled block retired. */
  blockRetired = 0;
  /** Set by the interpreter when it stopped at a pc it cannot fetch from. */
  fetchFault = false;
  /** The interpreter's last code page and its base (NaN: none yet), so that a run of one step needs no look-up. */
  codePage: CodePage | undefined = undefined;
  codePageBase = Number.NaN;
  /** Set by pause (cpu_relax): the machine lets the hart sit out a few steps (Machine.run). */
  paused = false;
  /** The machine step before which a pausing hart does not run. */
  sleepUntil = 0;

  // CSR state
  mstatus = 0n;
  misa = MISA_RESET;
  mtvec = 0n;
  stvec = 0n;
  medeleg = 0n;
  mideleg = 0n;
  mie = 0;
  /** Software-writable mip bits (SSIP, STIP, SEIP). */
  mipSoftware = 0;
  /** Lines driven by devices (MSIP, MTIP, MEIP, SEIP). */
  lines = 0;
  mepc = 0n;
  sepc = 0n;
  mcause = 0n;
  scause = 0n;
  mtval = 0n;
  stval = 0n;
  mscratch = 0n;
  sscratch = 0n;
  mcounteren = 0;
  scounteren = 0;
  menvcfg = 0n;
  senvcfg = 0n;
  mcountinhibit = 0;
  satp = 0n;
  miselect = 0;
  siselect = 0;
  /** This hart's IMSIC interrupt files, when the machine has an IMSIC. */
  imsicM: IndirectFile | undefined;
  imsicS: IndirectFile | undefined;
  readonly pmpcfg = new BigUint64Array(8);
  readonly pmpaddr = new BigUint64Array(64);

  /** Retired instructions, not counting the run in progress (see `inRun`). */
  instret = 0;
  /** Instructions retired so far by the interpreter run in progress (set before CSR accesses). */
  inRun = 0;
  private instretBase = 0n;
  private cycleBase = 0n;
  /** Synchronous exceptions taken (they cost a machine step each but retire nothing). */
  traps = 0;
  /** LR reservation: the reserved address, or -1. */
  reservation = -1;
  /** Instruction bits of the instruction being executed, for mtval on illegal instruction. */
  insnBits = 0;

  constructor(
    readonly id: number,
    readonly mem: MemoryPort,
    readonly time: TimeSource,
    readonly codeCache: CodeCache,
  ) {}

  reset(pc: number): void {
    this.x.fill(0n);
    this.views.fill(0);
    this.pc = pc;
    this.pcExact = undefined;
    this.priv = PRIV_M;
    this.state = 'running';
    this.paused = false;
    this.sleepUntil = 0;
    this.mstatus = 0n;
    this.x[10] = BigInt(this.id); // a0 = hartid at entry (QEMU virt convention)
  }

  // ---- counters ----

  retired(): bigint {
    return this.instretBase + BigInt(this.instret + this.inRun);
  }
  setRetired(v: bigint): void {
    // The CSR instruction itself retires after the write; the next instruction reads v.
    this.instretBase = v - BigInt(this.instret + this.inRun + 1);
  }
  cycles(): bigint {
    return this.cycleBase + BigInt(this.instret + this.inRun);
  }
  setCycles(v: bigint): void {
    this.cycleBase = v - BigInt(this.instret + this.inRun + 1);
  }

  // ---- interrupts ----

  mip(): number {
    return this.mipSoftware | this.lines;
  }

  /** Devices drive MSIP, MTIP, MEIP, SEIP through here (InterruptSink). */
  setLine(bit: number, level: boolean): void {
    const before = this.lines;
    this.lines = level ? this.lines | bit : this.lines & ~bit;
    if (this.lines !== before) this.breakLoop = true;
  }

  interruptsMayHaveChanged(): void {
    this.breakLoop = true;
  }

  /** Locally enabled and pending: what wakes a hart from wfi (regardless of MIE/SIE and delegation). */
  wakeable(): boolean {
    return (this.mip() & this.mie) !== 0;
  }

  /** The interrupt to take now, or -1 (privileged spec 3.1.9 trap conditions and priorities). */
  pendingInterrupt(): number {
    const pending = this.mip() & this.mie;
    if (pending === 0) return -1;
    const deleg = Number(this.mideleg);
    const mEnabled = this.priv < PRIV_M || (this.mstatus & M.MIE) !== 0n;
    const mPending = pending & ~deleg;
    if (mEnabled && mPending) for (const c of M_ORDER) if (mPending & (1 << c)) return c;
    const sEnabled = this.priv < PRIV_S || (this.priv === PRIV_S && (this.mstatus & M.SIE) !== 0n);
    const sPending = pending & deleg;
    if (sEnabled && sPending) for (const c of S_ORDER) if (sPending & (1 << c)) return c;
    return -1;
  }

  /** Take a pending interrupt if one is enabled; returns true if it did. */
  checkInterrupts(): boolean {
    const cause = this.pendingInterrupt();
    if (cause < 0) return false;
    this.state = 'running';
    this.enterTrap(cause, true, 0n, this.pc);
    return true;
  }

  // ---- traps ----

  epcMask(): bigint {
    return this.misa & MISA_C ? -2n : -4n;
  }

  /** Trap entry (privileged spec 3.1.6.1, 4.1.1): delegation, xPP/xPIE/xIE, xepc, xcause, xtval, pc. */
  enterTrap(cause: number, interrupt: boolean, tval: bigint, epc: number, epcExact?: bigint): void {
    const causeBits = (interrupt ? 1n << 63n : 0n) | BigInt(cause);
    const deleg = interrupt ? this.mideleg : this.medeleg;
    const epcValue = epcExact ?? BigInt(epc);
    this.reservation = -1;
    if (this.priv <= PRIV_S && (deleg >> BigInt(cause)) & 1n) {
      this.scause = BigInt.asIntN(64, causeBits);
      this.sepc = epcValue;
      this.stval = tval;
      let s = this.mstatus & ~(M.SPP | M.SPIE | M.SIE);
      if (this.priv === PRIV_S) s |= M.SPP;
      if (this.mstatus & M.SIE) s |= M.SPIE;
      this.mstatus = s;
      this.priv = PRIV_S;
      this.setPcFromVector(this.stvec, cause, interrupt);
    } else {
      this.mcause = BigInt.asIntN(64, causeBits);
      this.mepc = epcValue;
      this.mtval = tval;
      let s = this.mstatus & ~(M.MPP | M.MPIE | M.MIE);
      s |= BigInt(this.priv) << 11n;
      if (this.mstatus & M.MIE) s |= M.MPIE;
      this.mstatus = s;
      this.priv = PRIV_M;
      this.setPcFromVector(this.mtvec, cause, interrupt);
    }
  }

  private setPcFromVector(tvec: bigint, cause: number, interrupt: boolean): void {
    const base = tvec & ~3n;
    const target = (tvec & 3n) === 1n && interrupt ? base + BigInt(4 * cause) : base;
    this.setPc(target);
  }

  /** Set pc from a 64-bit value (keeping the exact value when it is beyond a safe integer). */
  setPc(v: bigint): number {
    const s = BigInt.asIntN(64, v);
    if (s >= -(1n << 53n) && s < 1n << 53n) {
      this.pc = Number(s);
      this.pcExact = undefined;
    } else {
      this.pc = WILD_PC;
      this.pcExact = BigInt.asUintN(64, s);
    }
    return this.pc;
  }

  /** Take a synchronous exception raised while executing the instruction at this.pc. */
  takeException(t: Trap): void {
    this.enterTrap(t.cause, false, t.tval, this.pc, this.pcExact);
  }

  currentInsnBits(): number {
    return this.insnBits >>> 0;
  }

  // ---- control flow helpers called by the semantics ----

  branchTarget(pc: number, offset: number): number {
    const t = pc + offset;
    if (t & 2 && !(this.misa & MISA_C)) throw new Trap(EXCEPTION.INSTRUCTION_ADDRESS_MISALIGNED, BigInt.asUintN(64, BigInt(t)));
    return t;
  }

  jumpTarget(t: bigint): number {
    const s = BigInt.asIntN(64, t);
    if (s & 2n && !(this.misa & MISA_C)) throw new Trap(EXCEPTION.INSTRUCTION_ADDRESS_MISALIGNED, BigInt.asUintN(64, s));
    if (s >= -(1n << 53n) && s < 1n << 53n) return Number(s);
    // A wild jump: remember the exact target; the fetch at the sentinel faults with it.
    this.pcExact = BigInt.asUintN(64, s);
    return WILD_PC;
  }

  writeMisa(v: bigint): void {
    // Only C can be changed. Turning it off is suppressed when the next instruction is not
    // 4-byte aligned (privileged spec 3.1.1).
    const wantC = (v & MISA_C) !== 0n;
    const next = (this.insnBits & 3) === 3 ? this.pc + 4 : this.pc + 2;
    if (!wantC && next % 4 !== 0) return;
    const before = this.misa;
    this.misa = wantC ? this.misa | MISA_C : this.misa & ~MISA_C;
    if (before !== this.misa) {
      this.mem.setCompressed(wantC);
      this.breakLoop = true;
    }
  }

  // ---- system instructions ----

  ecall(): never {
    const cause = this.priv === PRIV_U ? EXCEPTION.ECALL_FROM_U : this.priv === PRIV_S ? EXCEPTION.ECALL_FROM_S : EXCEPTION.ECALL_FROM_M;
    throw new Trap(cause, 0n);
  }

  ebreak(pc: number): never {
    throw new Trap(EXCEPTION.BREAKPOINT, BigInt.asUintN(64, BigInt(pc)));
  }

  illegal(): never {
    throw new Trap(EXCEPTION.ILLEGAL_INSTRUCTION, BigInt(this.currentInsnBits()));
  }

  mret(): number {
    if (this.priv < PRIV_M) this.illegal();
    const mpp = Number((this.mstatus & M.MPP) >> 11n);
    let s = this.mstatus & ~(M.MPP | M.MIE);
    if (this.mstatus & M.MPIE) s |= M.MIE;
    s |= M.MPIE;
    if (mpp !== PRIV_M) s &= ~M.MPRV;
    this.mstatus = s;
    this.priv = mpp;
    this.breakLoop = true;
    return this.jumpTarget(this.mepc & this.epcMask());
  }

  sret(): number {
    if (this.priv < PRIV_S || (this.priv === PRIV_S && this.mstatus & M.TSR)) this.illegal();
    const spp = this.mstatus & M.SPP ? PRIV_S : PRIV_U;
    let s = this.mstatus & ~(M.SPP | M.SIE | M.MPRV);
    if (this.mstatus & M.SPIE) s |= M.SIE;
    s |= M.SPIE;
    this.mstatus = s;
    this.priv = spp;
    this.breakLoop = true;
    return this.jumpTarget(this.sepc & this.epcMask());
  }

  wfi(): void {
    // In U-mode, or in S-mode with TW=1, wfi traps (the time limit is zero).
    if (this.priv === PRIV_U || (this.priv === PRIV_S && this.mstatus & M.TW)) this.illegal();
    this.state = 'wfi';
    this.breakLoop = true;
  }

  /** Zihintpause: a spin-wait hint. Ends the run so the machine can let the hart sit out a while. */
  pause(): void {
    this.mem.drain(this); // the store buffer empties while the hart waits
    this.paused = true;
    this.breakLoop = true;
  }

  fence(predSucc: number): void {
    this.mem.fence(this, predSucc);
  }

  fenceI(): void {
    // Stores to decoded code drop those decodes, so fetch is never stale once this hart's stores to code are in memory.
    this.mem.syncCode(this);
  }

  sfenceVma(): void {
    if (this.priv === PRIV_U || (this.priv === PRIV_S && this.mstatus & M.TVM)) this.illegal();
  }

  // ---- CSR instructions ----

  csrrw(rd: number, csr: number, value: bigint, write: boolean): void {
    const old = rd !== 0 ? csrRead(this, csr) : this.checkCsrExists(csr);
    if (write) csrWrite(this, csr, value);
    if (rd !== 0) this.x[rd] = old;
  }

  csrrs(rd: number, csr: number, value: bigint, write: boolean): void {
    const old = csrRead(this, csr);
    if (write) csrWrite(this, csr, old | value);
    if (rd !== 0) this.x[rd] = old;
  }

  csrrc(rd: number, csr: number, value: bigint, write: boolean): void {
    const old = csrRead(this, csr);
    if (write) csrWrite(this, csr, old & ~value);
    if (rd !== 0) this.x[rd] = old;
  }

  /** csrrw with rd = x0 does not read, but the CSR must still exist and be accessible. */
  private checkCsrExists(csr: number): bigint {
    csrRead(this, csr);
    return 0n;
  }

  // ---- arithmetic helpers (M extension edge cases, unprivileged spec table 13.1) ----

  div(a: bigint, b: bigint): bigint {
    if (b === 0n) return -1n;
    if (a === -(1n << 63n) && b === -1n) return a;
    return a / b;
  }
  divu(a: bigint, b: bigint): bigint {
    if (b === 0n) return -1n;
    return BigInt.asIntN(64, BigInt.asUintN(64, a) / BigInt.asUintN(64, b));
  }
  rem(a: bigint, b: bigint): bigint {
    if (b === 0n) return a;
    if (a === -(1n << 63n) && b === -1n) return 0n;
    return a % b;
  }
  remu(a: bigint, b: bigint): bigint {
    if (b === 0n) return a;
    return BigInt.asIntN(64, BigInt.asUintN(64, a) % BigInt.asUintN(64, b));
  }
  divw(a: bigint, b: bigint): bigint {
    if (b === 0n) return -1n;
    if (a === -(1n << 31n) && b === -1n) return a;
    return BigInt.asIntN(32, a / b);
  }
  divuw(a: bigint, b: bigint): bigint {
    if (b === 0n) return -1n;
    return BigInt.asIntN(32, a / b);
  }
  remw(a: bigint, b: bigint): bigint {
    if (b === 0n) return a;
    if (a === -(1n << 31n) && b === -1n) return 0n;
    return BigInt.asIntN(32, a % b);
  }
  remuw(a: bigint, b: bigint): bigint {
    if (b === 0n) return BigInt.asIntN(32, a);
    return BigInt.asIntN(32, a % b);
  }

  // ---- memory (delegated to the port; kept as methods so the semantics read h.ld(...)) ----

  lb(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 1, true);
  }
  lh(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 2, true);
  }
  lw(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 4, true);
  }
  ld(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 8, true);
  }
  lbu(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 1, false);
  }
  lhu(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 2, false);
  }
  lwu(base: bigint, off: number): bigint {
    return this.mem.load(this, base, off, 4, false);
  }
  sb(base: bigint, off: number, v: bigint): void {
    this.mem.store(this, base, off, 1, v);
  }
  sh(base: bigint, off: number, v: bigint): void {
    this.mem.store(this, base, off, 2, v);
  }
  sw(base: bigint, off: number, v: bigint): void {
    this.mem.store(this, base, off, 4, v);
  }
  sd(base: bigint, off: number, v: bigint): void {
    this.mem.store(this, base, off, 8, v);
  }
  lr(addr: bigint, size: 4 | 8, aq: boolean, rl: boolean): bigint {
    return this.mem.loadReserved(this, addr, size, aq, rl);
  }
  sc(addr: bigint, size: 4 | 8, v: bigint, aq: boolean, rl: boolean): bigint {
    return this.mem.storeConditional(this, addr, size, v, aq, rl) ? 0n : 1n;
  }
  amo(kind: number, addr: bigint, size: 4 | 8, v: bigint, aq: boolean, rl: boolean): bigint {
    return this.mem.amo(this, kind, addr, size, v, aq, rl);
  }

  /** Run up to `budget` instructions; returns how many retired. Exceptions are taken inside. */
  run(budget: number): number {
    return runInterpreter(this, budget);
  }
}
