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
import { OP_NAMES } from '../hart/decode-cache.js';
import { INSN_PROPS } from '../../assembler/isa/properties.js';
import { encodeRecord, ReplayError } from '../record.js';
import type { Width } from '../bus/device.js';
import { GUEST_EVENT, GUEST_EVENT_NAMES } from '../devices/guest-events.js';

/** Why a debugger command stopped. */
export type Stop =
  | { kind: 'done' }
  | { kind: 'breakpoint'; id: number; hart: number; pc: number }
  | { kind: 'watchpoint'; id: number; hart: number; addr: number; size: number; old: bigint; value: bigint; access: 'write' | 'read' }
  | { kind: 'event'; event: GuestEvent }
  | { kind: 'exit'; code: number; via: string }
  | { kind: 'deadlock' }
  | { kind: 'limit'; steps: number }
  /** The history (actions and schedule decisions, which reverse execution replays) is full. */
  | { kind: 'history'; entries: number }
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
  /** Watchpoints: bytes watched, and which accesses stop: writes that change them, reads, or both. */
  readonly size: number;
  readonly access?: 'w' | 'r' | 'rw';
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

/** Can two actions share a run of the action log? */
function sameAction(a: Action, b: Action): boolean {
  if (a.kind === 'step') return b.kind === 'step';
  if (a.kind === 'stepi' || a.kind === 'drain') return b.kind === a.kind && b.hart === a.hart;
  return false;
}

/**
 * The actions taken, run-length encoded: a continue of a million steps is one entry, so the
 * history grows with what a session does, not with how long the guest runs.
 */
class ActionLog {
  private readonly runs: { action: Action; count: number }[] = [];
  /** Actions in all (the position reverse commands count back from). */
  length = 0;

  /** Entries held (runs). */
  get entries(): number {
    return this.runs.length;
  }

  push(a: Action): void {
    const last = this.runs[this.runs.length - 1];
    if (last && sameAction(last.action, a)) last.count++;
    else this.runs.push({ action: a, count: 1 });
    this.length++;
  }

  clear(): void {
    this.runs.length = 0;
    this.length = 0;
  }

  copy(): ActionLog {
    const c = new ActionLog();
    for (const r of this.runs) c.runs.push({ ...r });
    c.length = this.length;
    return c;
  }

  some(pred: (a: Action) => boolean): boolean {
    return this.runs.some((r) => pred(r.action));
  }

  /** The first `count` actions, one by one. */
  *first(count: number): Generator<Action> {
    let left = count;
    for (const r of this.runs) {
      for (let i = 0; i < r.count && left > 0; i++, left--) yield r.action;
      if (left === 0) return;
    }
  }
}


/** Interrupt line bits (mip): software, timer, external; M and S. */
const LINE_NAMES: Record<number, string> = { 2: 'SSIP', 8: 'MSIP', 32: 'STIP', 128: 'MTIP', 512: 'SEIP', 2048: 'MEIP' };

export class Debugger {
  machine!: Machine;
  private actions = new ActionLog();
  /** Most history entries (action runs plus schedule decisions) a session keeps; moving past it stops. */
  historyLimit = 2_000_000;
  private readonly points = new Map<number, Breakpoint>();
  private nextId = 1;
  /** Events seen, oldest first (rebuilt on reverse execution). */
  events: DebugEvent[] = [];
  /** Per hart: the last trap it took, as text (for info harts). */
  lastTrap: (string | undefined)[] = [];
  /** Per hart: traps taken and not yet returned from (mret/sret): > 0 while in a handler. */
  trapDepth: number[] = [];
  /** Set when the guest stopped the machine (exit): nothing moves any more. */
  private ended: Stop | undefined;

  /** `build` makes a fresh machine in the initial state, with `onEvent` wired to its guest events. */
  constructor(private readonly build: (onEvent: (e: GuestEvent) => boolean) => Machine) {
    this.reset();
  }

  private reset(): void {
    this.events = [];
    this.lastTrap = [];
    this.trapDepth = [];
    this.ended = undefined;
    this.machine = this.build((e) => {
      this.events.push({ step: e.step, text: `guest event ${GUEST_EVENT_NAMES[e.kind] ?? e.kind} on hart ${e.hart}`, event: e });
      // Per-call bookkeeping is noted; WARN, BUG, list corruption, failed checks and spins stop.
      return e.kind !== GUEST_EVENT.CALL && e.kind !== GUEST_EVENT.DONE;
    });
    // Every decision is logged, so that `record` can write the session's schedule.
    if (!this.machine.log) this.machine.record();
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

  /** Entries the history holds: runs of actions and the schedule's decisions (both replayed going back). */
  get historyEntries(): number {
    return this.actions.entries + (this.machine.log?.harts.length ?? 0);
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
    this.replayTo(keep, this.actions.copy());
    return { kind: 'done' };
  }

  /**
   * Back to the latest earlier point where a breakpoint or watchpoint stopped a forward run (or the
   * start): replay from the start, noting every step that would have stopped, then replay to the last.
   */
  reverseContinue(): Stop {
    const target = this.actions.length;
    const log = this.actions.copy();
    this.replayTo(0, log);
    let last = 0;
    let lastStop: Stop = { kind: 'done' };
    let i = 0;
    for (const action of log.first(target - 1)) {
      const s = this.apply(action);
      i++;
      if (s && (s.kind === 'breakpoint' || s.kind === 'watchpoint')) {
        last = i;
        lastStop = s;
      }
      if (s?.kind === 'event') this.machine.resumeAfterEvent();
    }
    this.replayTo(last, log);
    return lastStop;
  }

  private replayTo(count: number, log: ActionLog): void {
    this.actions = new ActionLog();
    this.reset();
    for (const action of log.first(count)) {
      const s = this.apply(action);
      this.actions.push(action);
      if (s?.kind === 'event') this.machine.resumeAfterEvent();
      if (s?.kind === 'exit') this.ended = s;
    }
  }

  private repeat(n: number, action: Action): Stop {
    if (this.ended) return this.ended;
    for (let i = 0; i < n; i++) {
      if ((i & 1023) === 0 && this.historyEntries >= this.historyLimit) return { kind: 'history', entries: this.historyEntries };
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

  /**
   * The schedule taken so far as a record (`rvsmp run --replay`, `rvsmp debug --replay`), or an
   * error if the session changed state outside the schedule (drains, memory or register writes).
   */
  record(): Uint8Array | string {
    if (this.actions.some((a) => a.kind === 'drain' || a.kind === 'poke' || a.kind === 'setreg')) {
      return 'this session drained stores or wrote memory or registers: a schedule record cannot say so';
    }
    const m = this.machine;
    return encodeRecord(m.log!, m.configHash(), m.stateHash(), m.config.seed);
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
    const watched = [...this.points.values()].filter((p) => p.kind === 'watch' && p.access !== 'r').map((p) => ({ p, old: this.peek(p.addr, p.size) }));
    const readWatches = [...this.points.values()].filter((p) => p.kind === 'watch' && p.access !== 'w');
    // Reads: what each hart's next instruction would read (the hart that moves executes it).
    const reads = readWatches.length ? m.harts.map((h) => this.readAt(h)) : undefined;
    const retired = m.harts.map((h) => h.instret);
    const traps = m.harts.map((h) => h.traps);
    const returns = m.harts.map((h) => this.isTrapReturn(h));
    let hart: number;
    let r: StopReason | undefined;
    if (action.kind === 'drain') {
      (m.storeBuffers ?? m.viewMemory)!.drainOne(action.hart);
      hart = action.hart;
    } else {
      try {
        if (action.kind === 'stepi') {
          r = m.stepHart(action.hart);
          if (r === undefined) return { kind: 'cannot', why: `hart ${action.hart} cannot move (asleep in wfi, nothing to wake it)` };
          hart = action.hart;
        } else {
          r = m.run(m.used() + 1);
          hart = m.lastDecision.hart;
        }
      } catch (e) {
        // A replayed schedule that ends (or no longer fits) stops the session there.
        if (e instanceof ReplayError) return { kind: 'cannot', why: e.message };
        throw e;
      }
    }
    m.harts.forEach((h, i) => {
      if (h.instret > retired[i]! && returns[i]) this.trapDepth[i] = Math.max(0, (this.trapDepth[i] ?? 0) - 1);
      if (h.traps !== traps[i]) {
        this.trapDepth[i] = (this.trapDepth[i] ?? 0) + h.traps - traps[i]!;
        const cause = h.priv === PRIV_M ? h.mcause : h.scause;
        const what = `${cause < 0n ? `interrupt ${cause & 0xffn}` : `exception ${cause}`} into ${h.priv === PRIV_M ? 'M' : 'S'}-mode`;
        this.lastTrap[i] = `${what} at step ${m.steps}`;
        this.events.push({ step: m.steps, text: `hart ${i} took ${what} (trap to pc 0x${h.pc.toString(16)})` });
      }
    });
    if (r?.kind === 'exit') return { kind: 'exit', code: r.code, via: r.via };
    if (r?.kind === 'guest-event') return { kind: 'event', event: r.event };
    if (r?.kind === 'deadlock') return { kind: 'deadlock' };
    for (const { p, old } of watched) {
      const value = this.peek(p.addr, p.size);
      if (value !== old) return { kind: 'watchpoint', id: p.id, hart, addr: p.addr, size: p.size, old: old ?? 0n, value: value ?? 0n, access: 'write' };
    }
    const read = reads?.[hart];
    if (read && action.kind !== 'drain' && m.harts[hart]!.instret > retired[hart]! && m.harts[hart]!.traps === traps[hart]) {
      for (const p of readWatches) {
        if (read[0] < p.addr + p.size && p.addr < read[0] + read[1]) {
          const value = this.peek(p.addr, p.size) ?? 0n;
          return { kind: 'watchpoint', id: p.id, hart, addr: p.addr, size: p.size, old: value, value, access: 'read' };
        }
      }
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

  /**
   * A watchpoint on [addr, addr+size): 'w' stops when a write changes it in memory (what every hart
   * sees), 'r' when a hart executes a load, LR or AMO that reads it, 'rw' on either.
   */
  addWatchpoint(addr: number, size: number, access: 'w' | 'r' | 'rw' = 'w'): number {
    return this.addPoint({ kind: 'watch', addr, size, access });
  }

  /** The op name of the instruction at hart h's pc (undefined: none there). */
  private opAt(h: Hart): { name: string; page: NonNullable<ReturnType<Machine['code']['page']>>; slot: number } | undefined {
    const code = this.machine.code;
    const page = code.page(h.pc);
    if (!page || h.pc % 2 !== 0) return undefined;
    const slot = (h.pc - page.base) >>> 1;
    let op = page.op[slot]!;
    if (op < 0) {
      try {
        op = code.decodeSlot(page, slot, h.pc);
      } catch {
        return undefined;
      }
    }
    return { name: OP_NAMES[op]!, page, slot };
  }

  private isTrapReturn(h: Hart): boolean {
    const n = this.opAt(h)?.name;
    return n === 'mret' || n === 'sret';
  }

  /** The bytes the instruction at hart h's pc reads, if it is a load, an LR or an AMO: [addr, size]. */
  private readAt(h: Hart): [number, number] | undefined {
    const at = this.opAt(h);
    if (!at) return undefined;
    const { page, slot } = at;
    const name = at.name;
    const p = INSN_PROPS[name];
    if (!p || !(p.cls === 'load' || p.cls === 'lr' || p.cls === 'amo')) return undefined;
    const size = p.size;
    const offset = p.cls === 'load' ? page.immn[slot]! : 0;
    return [Number(BigInt.asUintN(64, h.x[page.rs1[slot]!]! + BigInt(offset))), size];
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

  /** What a hart is doing: running, in a trap handler, asleep in wfi, sitting out a pause. */
  stateOf(h: Hart): string {
    if (h.state === 'wfi') return 'wfi';
    if (h.sleepUntil > this.machine.steps) return 'paused';
    return (this.trapDepth[h.id] ?? 0) > 0 ? 'in trap' : 'running';
  }

  /**
   * What the scheduler does next, without doing it: the hart of a decision a cut run left, or the
   * strategy's choice (asked of a copy of it) among the harts that the machine says can move then;
   * or the timer deadline that must come first; or nothing (no hart can ever move, or a replay ended).
   */
  upcoming(): { hart: number; carried?: { steps: number } } | { timerAt: number } | undefined {
    const m = this.machine;
    const next = m.upcoming();
    if (next === undefined || 'timerAt' in next) return next;
    if (next.carried) return { hart: next.carried.hart, carried: { steps: next.carried.steps } };
    try {
      return { hart: cloneDeep(m.strategy).next(next.runnable, next.step).hart };
    } catch {
      return undefined; // a replay that has ended
    }
  }

  /** The hart the next step moves (undefined: none can, or not before a timer deadline). */
  nextHart(): number | undefined {
    const next = this.upcoming();
    return next !== undefined && 'hart' in next ? next.hart : undefined;
  }

  describeModel(): string {
    const c = this.machine.config;
    const name = c.memoryModel === 'wmo' ? `wmo (${c.wmoEngine})` : c.memoryModel;
    return this.machine.ordering !== c.memoryModel ? `${name}, run as sc: one hart sees its own accesses in order` : name;
  }
}

/** A deep copy of a strategy (class instances keep their prototypes), to ask it without changing it. */
function cloneDeep<T>(v: T, seen = new Map<unknown, unknown>()): T {
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return seen.get(v) as T;
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): T }).slice();
  const out = Array.isArray(v) ? [] : Object.create(Object.getPrototypeOf(v));
  seen.set(v, out);
  for (const k of Reflect.ownKeys(v)) out[k] = cloneDeep((v as Record<PropertyKey, unknown>)[k as string], seen);
  return out as T;
}
