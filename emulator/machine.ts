/**
 * A machine wired like QEMU's `virt` (without PLIC/APLIC and PCI): RAM at 0x80000000, the CLINT, a
 * ns16550a UART, the SiFive test finisher, and HTIF at the image's tohost/fromhost symbols. Time is
 * the count of machine steps (retired instructions, plus the time a sleeping hart skips), so every
 * run is a pure function of the image and the configuration.
 */
import { Bus } from './bus/bus.js';
import { DEFAULT_CONFIG, INSNS_PER_TICK, type MachineConfig, VIRT } from './config.js';
import { Clint, type TimeSource } from './devices/clint.js';
import { Htif } from './devices/htif.js';
import { type ExitRequest, TestFinisher } from './devices/test-finisher.js';
import { Uart16550 } from './devices/uart16550.js';
import { Hart } from './hart/hart.js';
import { type LoadedImage, loadElf, loadRaw } from './loader/elf.js';
import { CodeCache } from './memory/code-cache.js';
import { DirectMemory } from './memory/port.js';
import { Ram } from './memory/ram.js';
import { isElf } from '../assembler/elf/reader.js';

export type StopReason =
  | { kind: 'exit'; code: number; via: string }
  | { kind: 'reset'; via: string }
  | { kind: 'max-insns' }
  | { kind: 'deadlock' };

export interface MachineIo {
  /** A byte the guest wrote to the console (UART or HTIF). */
  putchar(byte: number): void;
  /** A guest error worth telling the user about (an unknown HTIF command, ...). */
  guestError?(message: string): void;
}

/** Watches single steps (tracing); a machine with an observer runs one step at a time. */
export interface StepObserver {
  before(h: Hart): void;
  after(h: Hart): void;
}

/** Instructions per interpreter call when nothing else limits it (keeps exits and I/O prompt). */
const SLICE = 1 << 20;

export class Machine implements TimeSource {
  readonly config: MachineConfig;
  readonly ram: Ram;
  readonly bus: Bus;
  readonly code: CodeCache;
  readonly mem: DirectMemory;
  readonly clint: Clint;
  readonly uart: Uart16550;
  readonly harts: Hart[];
  image: LoadedImage | undefined;
  /** Machine steps so far: the time base. */
  steps = 0;
  private mtimeOffset = 0n;
  private stop: ExitRequest | undefined;

  constructor(
    config: Partial<MachineConfig> = {},
    private readonly io: MachineIo = { putchar: () => {} },
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.ram = new Ram(VIRT.DRAM_BASE, this.config.ramSize);
    this.bus = new Bus(this.ram);
    this.code = new CodeCache(this.ram);
    this.mem = new DirectMemory(this.ram, this.bus, this.code);
    this.harts = [];
    for (let i = 0; i < this.config.harts; i++) this.harts.push(new Hart(i, this.mem, this, this.code));
    const sink = { setLine: (hart: number, bit: number, level: boolean) => this.harts[hart]?.setLine(bit, level) };
    this.clint = new Clint(this.config.harts, this, sink);
    this.uart = new Uart16550((b) => this.io.putchar(b));
    const onExit = (r: ExitRequest) => this.requestStop(r);
    const guestError = (m: string) => this.io.guestError?.(m);
    this.bus.map(VIRT.TEST_FINISHER.base, new TestFinisher(onExit, guestError));
    this.bus.map(VIRT.CLINT.base, this.clint);
    this.bus.map(VIRT.UART0.base, this.uart);
  }

  // ---- time (TimeSource for the CLINT and the time CSR) ----

  mtime(): bigint {
    const live = this.harts[0]?.inRun ?? 0;
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
    return image;
  }

  private requestStop(r: ExitRequest): void {
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

  /**
   * Run until the guest exits, `maxInsns` instructions have retired, or nothing can happen any more
   * (the hart sleeps with no interrupt that could ever wake it).
   */
  run(maxInsns = Number.POSITIVE_INFINITY, observer?: StepObserver): StopReason {
    const slice = observer ? 1 : SLICE;
    const h = this.harts[0]!;
    for (;;) {
      if (this.stop) return this.stop.kind === 'exit' ? { kind: 'exit', code: this.stop.code, via: this.stop.via } : { kind: 'reset', via: this.stop.via };
      const left = maxInsns - this.used();
      if (left <= 0) return { kind: 'max-insns' };
      if (h.state === 'wfi') {
        if (h.wakeable()) h.state = 'running';
        else {
          // Sleep: skip time to the next timer deadline, without burning instructions.
          const deadline = this.clint.nextDeadline();
          if (deadline === undefined) return { kind: 'deadlock' };
          this.steps = Number(deadline - this.mtimeOffset) * INSNS_PER_TICK;
          this.clint.update();
          continue;
        }
      }
      if (h.checkInterrupts()) h.traps++;
      let budget = Math.min(left, slice);
      const deadline = this.clint.nextDeadline();
      if (deadline !== undefined) {
        const stepsToDeadline = Number(deadline - this.mtimeOffset) * INSNS_PER_TICK - this.steps;
        budget = Math.max(1, Math.min(budget, stepsToDeadline));
      }
      observer?.before(h);
      const n = h.run(budget);
      this.steps += n;
      this.clint.update();
      observer?.after(h);
    }
  }
}
