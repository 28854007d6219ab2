/**
 * The debugger model: a machine under control, with no I/O of its own (the REPL in tools/debug and,
 * later, the gdb stub are its frontends). It steps along the machine's schedule or moves one hart
 * while the others stay, stops at breakpoints, watchpoints, guest events and exits, shows harts,
 * registers, CSRs, memory and store buffers, and goes backwards by deterministic re-execution: every
 * action taken is logged, and reverse-step rebuilds the machine and replays all but the last steps
 * (a run is a pure function of image, configuration, seed and these actions).
 */
import type { GuestEvent, Machine, StopReason } from '../machine.js';
import { csrRead } from '../hart/csr.js';
import { PRIV_M } from '../hart/csr.js';
import type { Hart } from '../hart/hart.js';
import type { Width } from '../bus/device.js';
import { GUEST_EVENT, GUEST_EVENT_NAMES } from '../devices/guest-events.js';

/** Why a debugger command stopped. */
export type Stop =
  | { kind: 'done' }
  | { kind: 'breakpoint'; id: number; hart: number; pc: number }
  | { kind: 'watchpoint'; id: number; hart: number; addr: number; size: number; old: bigint; value: bigint }
  | { kind: 'event'; event: GuestEvent }
  | { kind: 'exit'; code: number; via: string }
  | { kind: 'deadlock' }
  | { kind: 'limit'; steps: number }
  | { kind: 'cannot'; why: string };

/** What happened, for the `events` command: guest events, IPIs raised and taken, traps. */
export interface DebugEvent {
  readonly step: number;
  readonly text: string;
  /** A guest event (WARN, BUG, a failed check, per-call bookkeeping). */
  readonly event?: GuestEvent;
}

export interface Breakpoint {
  readonly id: number;
  readonly kind: 'break' | 'watch';
  readonly addr: number;
  /** Breakpoints: only this hart (undefined: any). */
  readonly hart?: number;
  /** Watchpoints: bytes watched. */
  readonly size: number;
  /** A temporary breakpoint (until): deleted when hit. */
  readonly temporary?: boolean;
}

/** One logged action: a step along the schedule, a step of one hart, or a drain of one store. */
type Action =
  | { kind: 'step' }
  | { kind: 'stepi'; hart: number }
  | { kind: 'drain'; hart: number }
  | { kind: 'poke'; addr: number; bytes: number[] }
  | { kind: 'setreg'; hart: number; reg: number; value: bigint };

/** Interrupt line bits (mip): software, timer, external; M and S. */
const LINE_NAMES: Record<number, string> = { 2: 'SSIP', 8: 'MSIP', 32: 'STIP', 128: 'MTIP', 512: 'SEIP', 2048: 'MEIP' };

export class Debugger {
  machine!: Machine;
  private readonly actions: Action[] = [];
  private readonly points = new Map<number, Breakpoint>();
  private nextId = 1;
  /** Events seen, oldest first (rebuilt on reverse execution). */
  events: DebugEvent[] = [];
  /** Set when the guest stopped the machine (exit): nothing moves any more. */
  private ended: Stop | undefined;

  /** `build` makes a fresh machine in the initial state, with `onEvent` wired to its guest events. */
  constructor(private readonly build: (onEvent: (e: GuestEvent) => boolean) => Machine) {
    this.reset();
  }

  private reset(): void {
    this.events = [];
    this.ended = undefined;
    this.machine = this.build((e) => {
      this.events.push({ step: e.step, text: `guest event ${GUEST_EVENT_NAMES[e.kind] ?? e.kind} on hart ${e.hart}`, event: e });
      // Per-call bookkeeping is noted; WARN, BUG, list corruption, failed checks and spins stop.
      return e.kind !== GUEST_EVENT.CALL && e.kind !== GUEST_EVENT.DONE;
    });
    this.machine.onLine = (hart, bit, level, by) => {
      if (!level || !LINE_NAMES[bit]) return;
      const who = by === undefined ? 'a device' : `hart ${by}`;
      this.events.push({ step: this.machine.steps, text: `${LINE_NAMES[bit]} raised on hart ${hart} by ${who}` });
    };
  }

  /** The guest's exit code once it exited through the finisher or HTIF. */
  get exited(): number | undefined {
    return this.ended?.kind === 'exit' ? this.ended.code : undefined;
  }

  /** Actions taken so far (the position reverse commands count back from). */
  get position(): number {
    return this.actions.length;
  }

  // ---- moving ----

  /** n steps along the machine's schedule. */
  step(n = 1): Stop {
    return this.repeat(n, { kind: 'step' });
  }

  /** n steps of one hart; the others stay. */
  stepi(hart: number, n = 1): Stop {
    if (!(hart >= 0 && hart < this.machine.harts.length)) return { kind: 'cannot', why: `no hart ${hart} (0..${this.machine.harts.length - 1})` };
    return this.repeat(n, { kind: 'stepi', hart });
  }

  /** Run along the schedule until something stops it (at most `limit` steps). */
  cont(limit = 100_000_000): Stop {
    const s = this.repeat(limit, { kind: 'step' });
    return s.kind === 'done' ? { kind: 'limit', steps: limit } : s;
  }

  /** Run until a hart reaches addr (a temporary breakpoint), or something else stops it. */
  until(addr: number, limit?: number): Stop {
    const id = this.addPoint({ kind: 'break', addr, size: 0, temporary: true });
    const s = this.cont(limit);
    this.points.delete(id);
    return s;
  }

  /** Drain n stores of a hart's store buffer (tso, or wmo by views). */
  drain(hart: number, n = 1): Stop {
    const buffers = this.machine.storeBuffers ?? this.machine.viewMemory;
    if (!buffers) return { kind: 'cannot', why: `no store buffers under ${this.describeModel()}` };
    return this.repeat(Math.min(n, buffers.pending(hart)), { kind: 'drain', hart });
  }

  /** Back n steps: the machine is rebuilt and every action but the last n replayed. */
  reverseStep(n = 1): Stop {
    const keep = Math.max(0, this.actions.length - n);
    this.replayTo(keep);
    return { kind: 'done' };
  }

  /**
   * Back to the latest earlier point where a breakpoint or watchpoint stopped a forward run (or the
   * start): replay from the start, noting every step that would have stopped, then replay to the last.
   */
  reverseContinue(): Stop {
    const target = this.actions.length;
    const log = this.actions.slice();
    this.replayTo(0);
    let last = 0;
    let lastStop: Stop = { kind: 'done' };
    for (let i = 0; i < target - 1; i++) {
      const s = this.apply(log[i]!);
      if (s && (s.kind === 'breakpoint' || s.kind === 'watchpoint')) {
        last = i + 1;
        lastStop = s;
      }
      if (s?.kind === 'event') this.machine.resumeAfterEvent();
    }
    this.replayTo(last, log);
    return lastStop;
  }

  private replayTo(count: number, log = this.actions.slice()): void {
    this.actions.length = 0;
    this.reset();
    for (let i = 0; i < count; i++) {
      const s = this.apply(log[i]!);
      this.actions.push(log[i]!);
      if (s?.kind === 'event') this.machine.resumeAfterEvent();
      if (s?.kind === 'exit') this.ended = s;
    }
  }

  private repeat(n: number, action: Action): Stop {
    if (this.ended) return this.ended;
    for (let i = 0; i < n; i++) {
      const s = this.apply(action);
      if (s?.kind === 'cannot') return s;
      this.actions.push(action);
      if (s) {
        if (s.kind === 'event') this.machine.resumeAfterEvent();
        if (s.kind === 'exit') this.ended = s;
        return s;
      }
    }
    return { kind: 'done' };
  }

  /** Write bytes to memory as a debugger does (straight to memory, past store buffers); false if unmapped. */
  writeMemory(addr: number, bytes: number[]): boolean {
    for (let i = 0; i < bytes.length; i++) if (this.peek(addr + i, 1) === undefined) return false;
    this.apply({ kind: 'poke', addr, bytes });
    this.actions.push({ kind: 'poke', addr, bytes });
    return true;
  }

  /** Set a register of a hart: x1..x31 (x0 stays 0), or 32 for the pc. */
  writeRegister(hart: number, reg: number, value: bigint): void {
    const action: Action = { kind: 'setreg', hart, reg, value };
    this.apply(action);
    this.actions.push(action);
  }

  /** One action; a stop if it ended somewhere worth stopping. */
  private apply(action: Action): Stop | undefined {
    const m = this.machine;
    if (action.kind === 'poke') {
      const h0 = m.harts[0]!;
      action.bytes.forEach((b, i) => m.mem.store(h0, BigInt(action.addr + i), 0, 1, BigInt(b)));
      return undefined;
    }
    if (action.kind === 'setreg') {
      const h = m.harts[action.hart]!;
      if (action.reg === 32) h.pc = Number(BigInt.asUintN(64, action.value));
      else if (action.reg > 0 && action.reg < 32) h.x[action.reg] = BigInt.asIntN(64, action.value);
      return undefined;
    }
    const pcs = m.harts.map((h) => h.pc);
    const watched = [...this.points.values()].filter((p) => p.kind === 'watch').map((p) => ({ p, old: this.peek(p.addr, p.size) }));
    const traps = m.harts.map((h) => h.traps);
    let hart: number;
    let r: StopReason | undefined;
    if (action.kind === 'drain') {
      (m.storeBuffers ?? m.viewMemory)!.drainOne(action.hart);
      hart = action.hart;
    } else if (action.kind === 'stepi') {
      r = m.stepHart(action.hart);
      if (r === undefined) return { kind: 'cannot', why: `hart ${action.hart} cannot move (asleep in wfi, nothing to wake it)` };
      hart = action.hart;
    } else {
      r = m.run(m.used() + 1);
      hart = m.lastDecision.hart;
    }
    m.harts.forEach((h, i) => {
      if (h.traps !== traps[i]) {
        const cause = h.priv === PRIV_M ? h.mcause : h.scause;
        this.events.push({ step: m.steps, text: `hart ${i} took ${cause < 0n ? `interrupt ${cause & 0xffn}` : `exception ${cause}`} (trap to pc 0x${h.pc.toString(16)})` });
      }
    });
    if (r?.kind === 'exit') return { kind: 'exit', code: r.code, via: r.via };
    if (r?.kind === 'guest-event') return { kind: 'event', event: r.event };
    if (r?.kind === 'deadlock') return { kind: 'deadlock' };
    for (const { p, old } of watched) {
      const value = this.peek(p.addr, p.size);
      if (value !== old) return { kind: 'watchpoint', id: p.id, hart, addr: p.addr, size: p.size, old: old ?? 0n, value: value ?? 0n };
    }
    for (const p of this.points.values()) {
      if (p.kind !== 'break') continue;
      for (const h of m.harts) {
        if (h.pc === p.addr && pcs[h.id] !== p.addr && (p.hart === undefined || p.hart === h.id)) {
          if (p.temporary) this.points.delete(p.id);
          return { kind: 'breakpoint', id: p.id, hart: h.id, pc: p.addr };
        }
      }
    }
    return undefined;
  }

  // ---- breakpoints and watchpoints ----

  private addPoint(p: Omit<Breakpoint, 'id'>): number {
    const id = this.nextId++;
    this.points.set(id, { ...p, id });
    return id;
  }

  addBreakpoint(addr: number, hart?: number): number {
    return this.addPoint({ kind: 'break', addr, hart, size: 0 });
  }

  /** A watchpoint on writes that change [addr, addr+size) in memory (what every hart sees). */
  addWatchpoint(addr: number, size: number): number {
    return this.addPoint({ kind: 'watch', addr, size });
  }

  /** Delete one breakpoint or watchpoint (or all); false if there was no such one. */
  delete(id?: number): boolean {
    if (id === undefined) {
      this.points.clear();
      return true;
    }
    return this.points.delete(id);
  }

  breakpoints(): Breakpoint[] {
    return [...this.points.values()].filter((p) => !p.temporary);
  }

  // ---- looking ----

  /** Memory as every hart sees it (RAM or a device's side-effect-free view); undefined outside. */
  peek(addr: number, size: number): bigint | undefined {
    if (size === 1 || size === 2 || size === 4 || size === 8) return this.machine.bus.peek(addr, size as Width);
    return undefined;
  }

  /** A CSR of a hart, read as M-mode would (no privilege check); undefined if not implemented. */
  csr(hart: number, num: number): bigint | undefined {
    const h = this.machine.harts[hart]!;
    const priv = h.priv;
    h.priv = PRIV_M;
    try {
      return csrRead(h, num);
    } catch {
      return undefined;
    } finally {
      h.priv = priv;
    }
  }

  /** A hart's buffered stores, oldest first (undefined: the model has no store buffers). */
  storeBuffer(hart: number): { addr: number; size: number; value: bigint }[] | undefined {
    const buffers = this.machine.storeBuffers ?? this.machine.viewMemory;
    return buffers?.entries(hart);
  }

  /** What a hart is doing: running, asleep in wfi, sitting out a pause. */
  stateOf(h: Hart): string {
    if (h.state === 'wfi') return 'wfi';
    if (h.sleepUntil > this.machine.steps) return 'paused';
    return 'running';
  }

  describeModel(): string {
    const c = this.machine.config;
    return c.memoryModel === 'wmo' ? `wmo (${c.wmoEngine})` : c.memoryModel;
  }
}
