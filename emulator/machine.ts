/**
 * A machine wired like QEMU's `virt` with aia=aplic-imsic (without APLIC, PLIC and PCI): harts
 * sharing RAM at 0x80000000, the CLINT (msip, mtimecmp, mtime), an IMSIC M and S interrupt file per
 * hart, a ns16550a UART, the SiFive test finisher, and HTIF at the image's tohost/fromhost symbols.
 *
 * Each step of the machine is one hart's instruction (or trap entry), chosen by the scheduler. Time
 * is the count of steps (plus the time skipped while every hart sleeps), so every run is a pure
 * function of the image, the configuration and the seed.
 */
import { createHash } from 'node:crypto';
import { Bus } from './bus/bus.js';
import { DEFAULT_CONFIG, IMPLEMENTED_MODELS, INSNS_PER_TICK, MAX_HARTS, type MachineConfig, type MemoryModel, VIRT } from './config.js';
import { Clint, type TimeSource } from './devices/clint.js';
import { Htif } from './devices/htif.js';
import { ImsicFile, ImsicPages } from './devices/imsic.js';
import { type ExitRequest, TestFinisher } from './devices/test-finisher.js';
import { GuestEvents, type GuestEventReport } from './devices/guest-events.js';
import { Uart16550 } from './devices/uart16550.js';
import { Hart } from './hart/hart.js';
import { MIP } from './interrupts.js';
import { type LoadedImage, loadElf, loadRaw } from './loader/elf.js';
import { CodeCache } from './memory/code-cache.js';
import { DirectMemory, type MemoryPort } from './memory/port.js';
import { StoreBuffers } from './memory/store-buffer.js';
import { ViewMemory } from './memory/views.js';
import { Ram } from './memory/ram.js';
import { ReplayError, Replayer, ScheduleLog } from './record.js';
import { type Decision, makeStrategy, Prng, type ScheduleConfig, type Strategy } from './scheduler.js';
import { Window, type WindowMemory } from './memory/window.js';
import { isElf, readElf } from '../assembler/elf/reader.js';

export type StopReason =
  | { kind: 'exit'; code: number; via: string }
  | { kind: 'guest-event'; event: GuestEvent }
  | { kind: 'reset'; via: string }
  | { kind: 'max-insns' }
  | { kind: 'deadlock' };

/** Why the machine stops before its run ends: a device's exit request, or a guest event io stopped at. */
type StopRequest = ExitRequest | { kind: 'guest-event'; event: GuestEvent };

/** A report through the guest event device, with where and when the machine saw it. */
export interface GuestEvent extends GuestEventReport {
  readonly pc: number;
  readonly step: number;
}

export interface MachineIo {
  /** A byte the guest wrote to the console (UART or HTIF). */
  putchar(byte: number): void;
  /** The guest reported an event (guest/lib/events.ts); return true to stop the machine there. */
  guestEvent?(e: GuestEvent): boolean | void;
  /** A guest error worth telling the user about (an unknown HTIF command, ...). */
  guestError?(message: string): void;
}

/** Watches single steps (tracing); a machine with an observer runs one step at a time. */
export interface StepObserver {
  before(h: Hart): void;
  after(h: Hart): void;
}

/** Two 32-bit FNV-1a-style lanes over a run of the schedule (numbers, not BigInt: no allocation per decision). */
function fold(hash: Int32Array, hart: number, steps: number): void {
  const lo = steps | 0;
  const hi = Math.floor(steps / 4294967296) | 0;
  hash[0] = Math.imul(Math.imul(Math.imul(hash[0]! ^ hart, 0x01000193) ^ lo, 0x01000193) ^ hi, 0x01000193);
  hash[1] = Math.imul(Math.imul(Math.imul(hash[1]! ^ (hart + 0x9e3779b9), 0x85ebca6b) ^ lo, 0xc2b2ae35) ^ hi, 0x27d4eb2f);
}
const TRACE_HASH_INIT = [0x811c9dc5 | 0, 0x6a09e667 | 0];

/** RAM up to this size is restored whole at a restart (the race runner uses a small RAM). */
const SNAPSHOT_ALL = 16 << 20;

/** Steps per decision when one hart runs alone (keeps exits and I/O prompt). */
const SLICE = 1 << 20;

export class Machine implements TimeSource {
  readonly config: MachineConfig;
  /** The model the engines implement: the configured one, or sc on a one-hart machine (same outcomes, the fast path). */
  readonly ordering: MemoryModel;
  readonly ram: Ram;
  readonly bus: Bus;
  readonly code: CodeCache;
  readonly mem: DirectMemory;
  /** tso: the harts' store buffers (the harts' memory port); else undefined and harts use `mem`. */
  readonly storeBuffers: StoreBuffers | undefined;
  /** wmo by views: the harts' memory port (store buffers, the write log and the views). */
  readonly viewMemory: ViewMemory | undefined;
  /** The store buffers the machine drains while harts sleep and at the end of turns (tso, wmo by views). */
  private readonly buffers: StoreBuffers | ViewMemory | undefined;
  /** What the harts access memory through: `mem`, or the store buffers in front of it. */
  private readonly port: MemoryPort;
  readonly clint: Clint;
  readonly uart: Uart16550;
  readonly harts: Hart[];
  readonly imsic: { m: ImsicFile; s: ImsicFile }[];
  image: LoadedImage | undefined;
  private imageBytes: Uint8Array | undefined;
  /** Machine steps so far: the time base. */
  steps = 0;
  private mtimeOffset = 0n;
  private stop: StopRequest | undefined;
  readonly guestEvents: GuestEvents;
  private running: Hart | undefined;
  private currentStrategy!: Strategy;
  /** Is the strategy a Replayer (asked every decision, so kept rather than tested each time)? */
  private replaying = false;
  /** Who moves next. Setting it drops a decision carried over from a cut run (it was the old strategy's). */
  get strategy(): Strategy {
    return this.currentStrategy;
  }
  set strategy(s: Strategy) {
    this.currentStrategy = s;
    this.replaying = s instanceof Replayer;
    // The carried decision is over after all: its turn ends as it would have at the cut.
    if (this.carry && this.harts[this.carry.hart]?.state === 'running') this.buffers?.endTurn(this.carry.hart);
    this.carry = undefined;
  }
  /** wmo: each hart's issue window, and the PRNG that picks what a window does each step. */
  windows: Window[] = [];
  private windowRng: Prng;
  private windowMemory: WindowMemory | undefined;
  /** The decisions taken, when recording. */
  log: ScheduleLog | undefined;
  /** Running hash of the schedule as runs of (hart, steps), merged like the record, for determinism checks. */
  private readonly traceHash = Int32Array.from(TRACE_HASH_INIT);
  private runHart = -1;
  private runSteps = 0;
  /** The rest of a decision that a run's step limit cut short (Machine.run). */
  private carry: { hart: number; steps: number } | undefined;
  /** stepHart: the hart that takes the next step, outside the schedule. */
  private forced: number | undefined;
  /** The runnable harts at the current decision (Machine.run; reused, so that deciding allocates nothing). */
  private readonly runnable: number[] = [];
  /** collectRunnable's second answer: the first step at which a running hart's pause ends (infinity: none). */
  private pauseEnds = Number.POSITIVE_INFINITY;
  /** The hart of the last decision taken (for debuggers). */
  readonly lastDecision = { hart: -1 };
  /** Called when a device raises or lowers an interrupt line of a hart; `by` is the hart running then. */
  onLine: ((hart: number, bit: number, level: boolean, by: number | undefined) => void) | undefined;

  constructor(
    config: Partial<MachineConfig> = {},
    private readonly io: MachineIo = { putchar: () => {} },
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    if (!IMPLEMENTED_MODELS.includes(this.config.memoryModel)) throw new Error(`memory model ${this.config.memoryModel} is not implemented yet`);
    const n = this.config.harts;
    if (!Number.isInteger(n) || n < 1 || n > MAX_HARTS) throw new Error(`a machine has 1..${MAX_HARTS} harts, not ${n}`);
    this.ram = new Ram(VIRT.DRAM_BASE, this.config.ramSize);
    this.bus = new Bus(this.ram);
    this.code = new CodeCache(this.ram);
    this.mem = new DirectMemory(this.ram, this.bus, this.code);
    // One hart cannot observe its own accesses out of order (the load value axiom and the
    // same-address rules make RVWMO and RVTSO equal to SC for a single hart; device accesses are in
    // program order under every model), so a one-hart machine runs on the sc fast path.
    this.ordering = n === 1 ? 'sc' : this.config.memoryModel;
    this.storeBuffers = this.ordering === 'tso' ? new StoreBuffers(this.mem, n) : undefined;
    this.viewMemory = this.ordering === 'wmo' && this.config.wmoEngine === 'views' ? new ViewMemory(this.mem, n) : undefined;
    this.buffers = this.storeBuffers ?? this.viewMemory;
    this.port = this.buffers ?? this.mem;
    this.harts = [];
    for (let i = 0; i < n; i++) this.harts.push(new Hart(i, this.port, this, this.code));
    // Compiled blocks access RAM directly; behind store buffers every access goes through the port.
    for (const h of this.harts) {
      if (this.buffers) h.jit = false;
      // Register views: wmo by views orders loads by them; tso finds dependencies on a buffered SC's rd.
      h.trackViews = this.buffers !== undefined;
    }
    this.mem.attachHarts(this.harts);
    const sink = {
      setLine: (hart: number, bit: number, level: boolean) => {
        this.onLine?.(hart, bit, level, this.running?.id);
        this.harts[hart]?.setLine(bit, level);
      },
    };
    this.clint = new Clint(n, this, sink);
    this.uart = new Uart16550((b) => this.io.putchar(b));
    this.imsic = this.harts.map((h) => {
      const files = { m: new ImsicFile(this.config.imsicIds, h.id, MIP.MEIP, sink), s: new ImsicFile(this.config.imsicIds, h.id, MIP.SEIP, sink) };
      h.imsicM = files.m;
      h.imsicS = files.s;
      return files;
    });
    const onExit = (r: ExitRequest) => this.requestStop(r);
    const guestError = (m: string) => this.io.guestError?.(m);
    this.bus.map(VIRT.TEST_FINISHER.base, new TestFinisher(onExit, guestError));
    this.guestEvents = new GuestEvents(n, (r) => {
      const h = this.running;
      const e: GuestEvent = { ...r, pc: h ? h.pc : 0, step: this.steps + (h?.inRun ?? 0) };
      // Stop right after the reporting store, as a one-step run would: the hart's run ends there.
      if (this.io.guestEvent?.(e)) this.requestStop({ kind: 'guest-event', event: e });
    });
    this.bus.map(VIRT.GUEST_EVENTS, this.guestEvents);
    this.bus.map(VIRT.CLINT.base, this.clint);
    this.bus.map(VIRT.UART0.base, this.uart);
    this.bus.map(VIRT.IMSIC_M, new ImsicPages('imsic-m', this.imsic.map((f) => f.m)));
    this.bus.map(VIRT.IMSIC_S, new ImsicPages('imsic-s', this.imsic.map((f) => f.s)));
    this.strategy = makeStrategy(this.config.schedule, this.config.seed, n);
    this.windowRng = new Prng(this.config.seed ^ 0x5eed);
    this.resetBuffers(this.config.seed);
    if (this.ordering === 'wmo' && !this.viewMemory) {
      const mem = this.mem;
      const code = this.code;
      this.windowMemory = {
        isPlainRam: (a, size) => mem.isPlainRam(a, size),
        read: (a, size) => mem.readPlain(a, size),
        write: (h, a, size, v) => {
          mem.writePlain(h, a, size, v);
          this.storeSeen(h, a, size);
        },
        amo: (h, kind, a, size, v) => {
          const old = mem.amo(h, kind, BigInt(a), size, v);
          this.storeSeen(h, a, size);
          return old;
        },
        markReserved: (a) => mem.markReserved(a),
        fetch: (pc) => {
          const page = code.page(pc);
          if (!page || pc % 2 !== 0) return undefined;
          const slot = (pc - page.base) >>> 1;
          try {
            if (page.op[slot]! < 0) code.decodeSlot(page, slot, pc);
          } catch {
            return undefined;
          }
          return page;
        },
      };
    }
  }

  /** A store by h became visible: other harts' pending LRs on that reservation set lose their reservation. */
  private storeSeen(h: Hart, addr: number, size: number): void {
    for (const w of this.windows) if (w.hart !== h) w.breakReservations(addr, size);
  }

  private makeWindows(): void {
    if (!this.windowMemory) return;
    const fetchBiases = [0.1, 0.5, 0.8, 0.95];
    const storeBiases = [0.05, 0.2, 0.5, 0.9];
    const slowRates = [0, 1 / 256, 1 / 32, 1 / 8];
    this.windows = this.harts.map((h) => {
      h.jit = false;
      const w = new Window(h, this.windowMemory!);
      w.fetchBias = fetchBiases[this.windowRng.below(fetchBiases.length)]!;
      w.storeBias = storeBiases[this.windowRng.below(storeBiases.length)]!;
      w.slowRate = slowRates[this.windowRng.below(slowRates.length)]!;
      return w;
    });
  }

  /**
   * Advance hart h by up to `budget` steps in wmo mode: each step fetches into its window or
   * performs one ready entry; instructions the window does not handle run in the interpreter.
   */
  private stepWindow(h: Hart, budget: number): number {
    const w = this.windows[h.id]!;
    let n = 0;
    while (n < budget && h.state === 'running' && !this.stop) {
      w.holdFetch = h.pendingInterrupt() >= 0;
      if (w.holdFetch && w.allRetired) break; // the machine takes the interrupt at the next decision
      const r = w.step(this.windowRng, this.steps + n);
      if (r === 'serial') {
        n += h.run(1);
        w.resync();
        if (h.paused) break;
        continue;
      }
      if (r === 'idle') {
        // Waiting on slow accesses only: sit out until the first may perform. That is a step of
        // its own (so that a replay, which grants exactly the steps recorded, sees it too).
        if (w.slowUntil > 0) {
          h.sleepUntil = w.slowUntil;
          n++;
        }
        break;
      }
      h.instret += r;
      n++;
      if (w.paused) {
        // A pause fetched (even down a predicted path): the hart sits out, as in the interpreter.
        w.paused = false;
        h.paused = true;
        break;
      }
    }
    return Math.max(n, 1);
  }

  // ---- time (TimeSource for the CLINT and the time CSR) ----

  mtime(): bigint {
    const live = this.running?.inRun ?? 0;
    return this.mtimeOffset + BigInt(Math.floor((this.steps + live) / INSNS_PER_TICK));
  }

  setMtime(value: bigint): void {
    this.mtimeOffset = value - BigInt(Math.floor(this.steps / INSNS_PER_TICK));
  }

  // ---- loading ----

  /** Load an ELF executable, or a raw binary at `loadAddr`, and reset every hart to its entry. */
  load(bytes: Uint8Array, name: string, loadAddr?: bigint): LoadedImage {
    const image = loadAddr !== undefined && !isElf(bytes) ? loadRaw(this.ram, bytes, loadAddr, name) : loadElf(this.ram, bytes, name);
    this.image = image;
    this.imageBytes = bytes;
    // A restart restores RAM from this copy: all of a small RAM (so nothing a run wrote survives it),
    // else up to the end of the image.
    const end = this.ram.size <= SNAPSHOT_ALL ? this.ram.size : isElf(bytes) ? this.imageEnd() : Number(loadAddr! - BigInt(this.ram.base)) + bytes.length;
    this.snapshot = this.ram.bytes.slice(0, end);
    if (image.tohost !== undefined) {
      const htif = new Htif(
        image.tohost,
        image.fromhost,
        { read64: (a) => this.ram.read(a - this.ram.base, 8), write64: (a, v) => this.ram.write(a - this.ram.base, 8, v) },
        (r) => this.requestStop(r),
        (b) => this.io.putchar(b),
        (m) => this.io.guestError?.(m),
      );
      this.mem.watch(image.tohost, 8, () => htif.onWrite());
    }
    for (const h of this.harts) h.reset(image.entry);
    this.resetBuffers(this.config.seed);
    this.code.invalidateAll();
    this.codeEpoch = this.code.invalidations;
    this.makeWindows();
    return image;
  }

  /**
   * Start over with the loaded image and a new seed, faster than building a new machine: RAM is
   * restored (all of it when it is small, else up to the end of the image), every hart and the
   * CLINT and IMSIC state are reset; the decoded code is kept. With a large RAM, only for guests
   * that write no RAM beyond their image.
   */
  restart(seed: number, schedule?: ScheduleConfig): void {
    if (!this.imageBytes || !this.image) throw new Error('restart before load');
    this.ram.bytes.set(this.snapshot!);
    // Code bytes are as loaded again: decodes (and compiled blocks) stay valid unless the last run
    // wrote to decoded code.
    if (this.code.invalidations !== this.codeEpoch) {
      this.code.invalidateAll();
      this.codeEpoch = this.code.invalidations;
    }
    this.config.seed = seed;
    if (schedule) this.config.schedule = schedule;
    for (let i = 0; i < this.harts.length; i++) {
      const h = new Hart(i, this.port, this, this.code);
      h.imsicM = this.imsic[i]!.m;
      h.imsicS = this.imsic[i]!.s;
      h.jit = this.harts[i]!.jit;
      h.trackViews = this.harts[i]!.trackViews;
      h.reset(this.image.entry);
      this.harts[i] = h;
    }
    this.mem.attachHarts(this.harts);
    for (const f of this.imsic) {
      f.m.reset();
      f.s.reset();
    }
    this.clint.reset();
    this.guestEvents.reset();
    this.uart.reset();
    this.steps = 0;
    this.mtimeOffset = 0n;
    this.stop = undefined;
    this.running = undefined;
    this.log = undefined;
    this.traceHash.set(TRACE_HASH_INIT);
    this.runHart = -1;
    this.runSteps = 0;
    this.carry = undefined;
    this.strategy = makeStrategy(schedule ?? this.config.schedule, seed, this.harts.length);
    this.windowRng = new Prng(seed ^ 0x5eed);
    this.resetBuffers(seed);
    this.makeWindows();
  }

  /** Empty store buffers (and the write log), with drain rates drawn from the seed. */
  private resetBuffers(seed: number): void {
    this.buffers?.reset(new Prng(seed ^ 0x5b0f));
  }

  /** RAM as loaded (for restart). */
  private snapshot: Uint8Array | undefined;
  /** code.invalidations when the code cache last matched the loaded image. */
  private codeEpoch = -1;

  /** Offset just past the highest RAM byte the image loaded. */
  private imageEnd(): number {
    let end = 0;
    for (const s of readElf(this.imageBytes!).segments) end = Math.max(end, Number(s.vaddr + s.memsz) - this.ram.base);
    return Math.min(end, this.ram.size);
  }

  /** Stop the machine: every hart's run ends at its next instruction boundary. */
  private requestStop(r: StopRequest): void {
    this.stop ??= r;
    for (const h of this.harts) h.breakLoop = true;
  }

  /** Instructions retired by every hart. */
  retired(): number {
    return this.harts.reduce((n, h) => n + h.instret, 0);
  }

  /** Steps used by every hart: retired instructions and traps taken. */
  used(): number {
    return this.harts.reduce((n, h) => n + h.instret + h.traps, 0);
  }

  // ---- schedules ----

  /** Start recording the decisions taken. */
  record(): void {
    this.log = new ScheduleLog();
  }

  /** Replay a recorded schedule instead of the configured strategy. */
  replay(replayer: Replayer): void {
    this.strategy = replayer;
  }

  /** SHA-256 of what a record must match to be replayed here: the image and the configuration. */
  configHash(): Uint8Array {
    const h = createHash('sha256');
    h.update(this.imageBytes ?? new Uint8Array());
    const { harts, ramSize, imsicIds, memoryModel, wmoEngine } = this.config;
    // Not the schedule, nor the seed: a record replaces the schedule and carries the seed (which
    // under tso/wmo also drives every drain, stale read and window choice).
    h.update(JSON.stringify({ harts, ramSize, imsicIds, memoryModel, ...(memoryModel === 'wmo' ? { wmoEngine } : {}) }));
    return h.digest();
  }

  /** SHA-256 of the machine state: every hart's registers, pc, privilege, counters, and non-zero RAM pages. */
  stateHash(): Uint8Array {
    const h = createHash('sha256');
    for (const hart of this.harts) {
      h.update(Buffer.from(hart.x.buffer));
      h.update(JSON.stringify([hart.pc, hart.priv, hart.instret, hart.traps, hart.state, String(hart.mstatus), String(hart.mepc), String(hart.mcause)]));
    }
    const page = 4096;
    const bytes = this.ram.bytes;
    const zero = Buffer.alloc(page);
    for (let off = 0; off < bytes.length; off += page) {
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + off, page);
      if (!chunk.equals(zero)) {
        h.update(String(off));
        h.update(chunk);
      }
    }
    h.update(String(this.steps));
    return h.digest();
  }

  /** A hash of the interleaving so far (who ran how many steps, in order): equal for equal interleavings. */
  scheduleHash(): bigint {
    const hash = Int32Array.from(this.traceHash);
    if (this.runHart >= 0) fold(hash, this.runHart, this.runSteps);
    return (BigInt(hash[0]! >>> 0) << 32n) | BigInt(hash[1]! >>> 0);
  }

  /**
   * `continues`: these steps finish a decision that a run's limit cut short (a record keeps it one
   * entry: one turn). Under sc turns do not matter, and a record merges a hart's consecutive decisions.
   */
  private noteDecision(hart: number, n: number, continues: boolean): void {
    this.log?.add(hart, n, continues || this.ordering === 'sc');
    if (n > 0) {
      if (hart === this.runHart) this.runSteps += n;
      else {
        if (this.runHart >= 0) fold(this.traceHash, this.runHart, this.runSteps);
        this.runHart = hart;
        this.runSteps = n;
      }
    }
    if (this.replaying) (this.currentStrategy as Replayer).consumed(n);
  }

  // ---- running ----

  /**
   * Run until the guest exits, `maxInsns` steps have been used, or nothing can happen any more
   * (every hart asleep with no interrupt that could ever wake one).
   */
  run(maxInsns = Number.POSITIVE_INFINITY, observer?: StepObserver): StopReason {
    const harts = this.harts;
    const single = harts.length === 1;
    const buffers = this.buffers;
    const windows = this.windows.length > 0 ? this.windows : undefined;
    const runnable = this.runnable;
    let used = this.used();
    // The step at which the next timer deadline falls, recomputed when time or the CLINT changes.
    let deadlineStep = Number.POSITIVE_INFINITY;
    let clintVersion = -1;
    const refreshDeadline = () => {
      deadlineStep = this.deadlineStep();
      clintVersion = this.clint.version;
    };
    for (;;) {
      if (this.stop) {
        const s = this.stop;
        return s.kind === 'exit' ? { kind: 'exit', code: s.code, via: s.via } : s.kind === 'reset' ? { kind: 'reset', via: s.via } : { kind: 'guest-event', event: s.event };
      }
      const left = maxInsns - used;
      if (left <= 0) return { kind: 'max-insns' };
      if (clintVersion !== this.clint.version) refreshDeadline();
      const count = this.collectRunnable(runnable, this.steps, true);
      const wake = this.pauseEnds;
      if (count === 0 && wake !== Number.POSITIVE_INFINITY) {
        // Every running hart sits out a pause: skip to the first that ends (or a timer deadline).
        this.steps = Math.min(wake, Math.max(this.steps, deadlineStep));
        if (this.steps >= deadlineStep) {
          this.clint.update();
          refreshDeadline();
        }
        continue;
      }
      if (count === 0) {
        // Everyone sleeps: skip time to the next timer deadline, without burning instructions.
        if (deadlineStep === Number.POSITIVE_INFINITY) return { kind: 'deadlock' };
        this.steps = Math.max(this.steps, deadlineStep);
        this.clint.update();
        refreshDeadline();
        continue;
      }
      let d: Decision;
      let continues = false;
      if (this.forced !== undefined) d = { hart: this.forced, steps: 1 };
      else {
        continues = this.carry !== undefined && runnable.includes(this.carry.hart);
        d = continues ? this.carry! : this.strategy.next(runnable, this.steps);
        this.carry = undefined;
      }
      this.lastDecision.hart = d.hart;
      const h = this.harts[d.hart]!;
      let budget = Math.min(left, observer ? 1 : single && !this.replaying ? SLICE : d.steps);
      // Cut by this run's limit alone (not by a timer deadline, which ends the decision in any run).
      // (A replayed decision too: its turn ends once, where the record's entry does.)
      const cutByLimit = !observer && left < d.steps && budget === left && deadlineStep - this.steps > left;
      if (deadlineStep !== Number.POSITIVE_INFINITY) budget = Math.max(1, Math.min(budget, deadlineStep - this.steps));
      this.running = h;
      observer?.before(h);
      let n = 0;
      const w = windows !== undefined ? windows[h.id] : undefined;
      if (h.state !== 'running') {
        buffers!.idleTurn(h.id);
        n = 1;
      } else if ((!w || w.allRetired) && h.checkInterrupts()) {
        h.traps++;
        n = 1;
        w?.resync();
      }
      // Did the hart end its interpreter run itself (a CSR write, an interrupt line, ...)? A window
      // goes on after such instructions; a trap taken above does not end a decision either.
      let broke = false;
      if (n < budget && h.state === 'running') {
        if (w) n += this.stepWindow(h, budget - n);
        else {
          n += h.run(budget - n);
          broke = h.breakLoop;
        }
      }
      observer?.after(h);
      this.running = undefined;
      this.steps += n;
      used += n;
      this.noteDecision(d.hart, n, continues);
      // The run's limit cut this decision short: the next run goes on with it (runs in pieces take
      // the same schedule as one run, which is how a debugger steps through a race).
      // (Not when the hart stopped its run itself - a CSR write, an interrupt line - which ends a decision anyway.)
      if (cutByLimit && n === budget && h.state === 'running' && !h.paused && !broke && !this.stop) this.carry = { hart: d.hart, steps: d.steps - n };
      else if (h.state === 'running' && buffers !== undefined) buffers.endTurn(h.id); // the decision is over
      if (h.paused) {
        h.paused = false;
        h.sleepUntil = this.steps + this.config.pauseSteps;
      }
      if (this.steps >= deadlineStep) {
        this.clint.update();
        refreshDeadline();
      }
    }
  }

  /**
   * The harts that can move at step `now`, written into `out` in place (it keeps its length while
   * that does not change: setting an array's length costs more than the rest of a decision);
   * returns how many. A running hart sitting out a pause cannot move (the first step at which such a
   * pause ends goes to pauseEnds); a hart asleep in wfi can once an interrupt would wake it (`wake`
   * sets it running, as the run loop does; a preview leaves it), and otherwise still drains its
   * buffered stores, in steps it is given. The one rule for Machine.run and for previews.
   */
  private collectRunnable(out: number[], now: number, wake: boolean): number {
    const harts = this.harts;
    const buffers = this.buffers;
    let count = 0;
    let pauseEnds = Number.POSITIVE_INFINITY;
    for (let i = 0; i < harts.length; i++) {
      const h = harts[i]!;
      let running = h.state === 'running';
      if (!running && h.state === 'wfi' && h.wakeable()) {
        running = true;
        if (wake) h.state = 'running';
      }
      if (!running) {
        if (buffers !== undefined && buffers.pending(i)) out[count++] = i;
        continue;
      }
      if (h.sleepUntil <= now) out[count++] = i;
      else if (h.sleepUntil < pauseEnds) pauseEnds = h.sleepUntil;
    }
    if (out.length !== count) out.length = count;
    this.pauseEnds = pauseEnds;
    return count;
  }

  /** The step at which the CLINT's next timer deadline falls (infinity: none). */
  private deadlineStep(): number {
    const deadline = this.clint.nextDeadline();
    return deadline === undefined ? Number.POSITIVE_INFINITY : Number(deadline - this.mtimeOffset) * INSNS_PER_TICK;
  }

  /**
   * What the next decision of a run will be about, without taking it (for debuggers): the harts
   * that can move then, at which step (time skips over pauses that every running hart sits out),
   * and the decision a cut run left, whose hart goes on if it can; or the timer deadline that comes
   * first (what the CLINT raises then decides who moves); or undefined: nothing can ever move.
   * Mirrors Machine.run's loop, with collectRunnable as the shared rule.
   */
  upcoming(): { runnable: number[]; step: number; carried?: { hart: number; steps: number } } | { timerAt: number } | undefined {
    const runnable: number[] = [];
    const deadline = this.deadlineStep();
    let now = this.steps;
    for (;;) {
      const count = this.collectRunnable(runnable, now, false);
      if (count > 0) {
        const carried = this.carry !== undefined && runnable.includes(this.carry.hart) ? { ...this.carry } : undefined;
        return carried ? { runnable, step: now, carried } : { runnable, step: now };
      }
      const pauseEnds = this.pauseEnds;
      if (pauseEnds === Number.POSITIVE_INFINITY) return deadline === Number.POSITIVE_INFINITY ? undefined : { timerAt: Math.max(now, deadline) };
      if (deadline <= pauseEnds) return { timerAt: Math.max(now, deadline) };
      now = pauseEnds;
    }
  }

  /**
   * One step of hart `hart` outside the schedule (a debugger's stepi): the others stay; a decision
   * carried from a cut run resumes afterwards. A hart sitting out a pause moves at once. Returns
   * the run's stop reason, or undefined if the hart cannot move (asleep in wfi, nothing to drain).
   */
  stepHart(hart: number): StopReason | undefined {
    const h = this.harts[hart]!;
    if (h.state === 'wfi' && h.wakeable()) h.state = 'running';
    if (h.state !== 'running' && !this.buffers?.pending(hart)) return undefined;
    h.sleepUntil = Math.min(h.sleepUntil, this.steps);
    this.forced = hart;
    try {
      return this.run(this.used() + 1);
    } finally {
      this.forced = undefined;
    }
  }

  /** Go on after a stop at a guest event (the caller may first change the strategy). */
  resumeAfterEvent(): void {
    if (this.stop?.kind === 'guest-event') this.stop = undefined;
  }

  /** After a replay: check that the run used the whole record and ended in the recorded state. */
  checkReplayEnd(finalHash: Uint8Array): void {
    if (!(this.strategy instanceof Replayer)) return;
    const rest = this.strategy.remaining();
    if (rest > 0) throw new ReplayError(`the run stopped with ${rest} recorded steps left: the replay diverged`);
    if (!Buffer.from(this.stateHash()).equals(Buffer.from(finalHash))) throw new ReplayError('the final state differs from the recorded one: the replay diverged');
  }
}
