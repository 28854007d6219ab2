/**
 * The debugger's REPL frontend (`rvsmp debug`): one command line in, text out. It holds no machine
 * state of its own beyond the selected hart; everything else is the debugger model's
 * (emulator/debugger/debugger.ts). The readline loop and the command-line options are in command.ts.
 */
import { writeFileSync } from 'node:fs';
import { disassembleOne, instructionWordAt, type Symbolizer } from '../../assembler/disassemble.js';
import { ABI_NAMES } from '../../assembler/isa/registers.js';
import { CSRS } from '../../assembler/isa/csrs.js';
import type { Debugger, Stop } from '../../emulator/debugger/debugger.js';
import { describeEvent } from '../events.js';
import { LIMITS, limitMessage } from '../limits.js';

/** Steps a moving command takes between looks at the event loop (Ctrl-C on a terminal). */
const CHUNK = 50_000;
/** Most lines one disas or x command prints. */
export const MAX_LISTING = 10_000;

const hex = (v: bigint | number, width = 16) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(width, '0');

/** Commands, their aliases and one line of help each (the order `help` prints). */
export const COMMANDS: readonly { name: string; alias?: string; args: string; help: string }[] = [
  { name: 'help', alias: 'h', args: '', help: 'this list' },
  { name: 'step', alias: 's', args: '[n]', help: 'n steps along the schedule (default 1)' },
  { name: 'stepi', alias: 'si', args: '[hart] [n]', help: "n instructions of one hart (default: the selected one); the others stay" },
  { name: 'continue', alias: 'c', args: '', help: 'run until a breakpoint, watchpoint, guest event (WARN, BUG, ...) or exit' },
  { name: 'until', alias: 'u', args: '<sym|addr>', help: 'run until a hart reaches the address' },
  { name: 'break', alias: 'b', args: '<sym|addr> [hart]', help: 'stop when a hart (or that hart) reaches the address' },
  { name: 'watch', alias: 'w', args: '<sym|addr> [r|w|rw] [size]', help: 'stop when a write changes memory there (w, the default), a hart reads it (r), or either (rw); size 1, 2, 4 or 8 (8)' },
  { name: 'delete', alias: 'd', args: '[id]', help: 'delete a breakpoint or watchpoint (all without an id)' },
  { name: 'info', alias: 'i', args: 'breakpoints|harts', help: 'list breakpoints and watchpoints, or every hart' },
  { name: 'hart', args: '<n>', help: 'select a hart' },
  { name: 'regs', alias: 'r', args: '[hart]', help: 'the integer registers and pc' },
  { name: 'csr', args: '<name|num> [hart]', help: 'a CSR, read as M-mode would' },
  { name: 'x', args: '/<n><b|h|w|g><x|d|i> <sym|addr>', help: 'examine memory: n units of bytes, halves, words or giants, in hex, decimal or as instructions' },
  { name: 'disas', args: '[sym|addr] [n]', help: 'n instructions from the address (default: the selected hart\'s pc, 8)' },
  { name: 'sb', args: '[hart]', help: 'the store buffer, oldest first (tso, wmo by views)' },
  { name: 'drain', args: '<hart> [n]', help: 'n stores of the hart\'s store buffer reach memory (default 1)' },
  { name: 'schedule', args: '[hart <n>]', help: 'what the scheduler does next; "schedule hart n" makes the next step hart n\'s' },
  { name: 'backtrace', alias: 'bt', args: '[hart]', help: 'the call chain by frame pointers (s0), or pc and ra without them' },
  { name: 'events', alias: 'ev', args: '', help: 'guest events, interrupt lines raised (IPIs, with sender) and traps taken, with their step' },
  { name: 'reverse-step', alias: 'rs', args: '[n]', help: 'back n steps (deterministic re-execution)' },
  { name: 'reverse-continue', alias: 'rc', args: '', help: 'back to the last breakpoint or watchpoint hit' },
  { name: 'record', args: '<file>', help: 'write the schedule taken so far (rvsmp run or rvsmp debug --replay runs it again)' },
  { name: 'quit', alias: 'q', args: '', help: 'leave (the exit status is the guest\'s, if it exited)' },
];

export class Repl {
  /** The selected hart. */
  hart = 0;
  /** The message of the last command that failed (undefined: none has), for a batch run to report. */
  lastError: string | undefined;
  /** Commands come from a file or a pipe: a moving command stops at the batch step limit. */
  batch = false;
  /** A moving command is running (Ctrl-C interrupts it). */
  running = false;
  private interrupted = false;
  private readonly byName = new Map<string, bigint>();

  constructor(
    readonly dbg: Debugger,
    symbols: readonly { name: string; value: bigint }[],
    private readonly symbolize: Symbolizer,
    private readonly out: (line: string) => void,
  ) {
    for (const s of symbols) if (s.name && !s.name.startsWith('$') && !this.byName.has(s.name)) this.byName.set(s.name, s.value);
  }

  /** Names for tab completion: commands and symbols. */
  completions(): string[] {
    return [...COMMANDS.flatMap((c) => (c.alias ? [c.name, c.alias] : [c.name])), ...this.byName.keys()];
  }

  /** Ctrl-C: the running command stops at its next look (at most CHUNK steps later). */
  interrupt(): void {
    if (this.running) this.interrupted = true;
  }

  /** Run one command line; false when it asks to quit. Errors are printed (and kept in lastError), never thrown. */
  async execute(line: string): Promise<boolean> {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    this.lastError = undefined;
    if (words.length === 0) return true;
    try {
      return await this.command(words[0]!, words.slice(1));
    } catch (e) {
      if (e instanceof ReplError) {
        this.out(`error: ${e.message}`);
        this.lastError = e.message;
        return true;
      }
      throw e;
    }
  }

  /**
   * A command that moves the machine, in chunks of steps with a look at the event loop between
   * them: Ctrl-C stops it; in batch mode it stops at the step limit (an error: the batch exits 1).
   * `chunk(n)` moves up to n steps and says why it stopped ('done': all n taken).
   */
  private async moving(total: number, chunk: (n: number) => Stop, hart?: number): Promise<void> {
    const cap = this.batch ? LIMITS.batchSteps.value : Number.POSITIVE_INFINITY;
    let taken = 0;
    this.running = true;
    this.interrupted = false;
    try {
      for (;;) {
        const n = Math.min(CHUNK, total - taken, cap - taken);
        if (n <= 0) break;
        const s = chunk(n);
        if (s.kind !== 'done' && s.kind !== 'limit') return this.report(s, hart);
        taken += n;
        if (taken >= total) return this.report(total === Number.POSITIVE_INFINITY ? { kind: 'limit', steps: taken } : { kind: 'done' }, hart);
        if (taken >= cap) break;
        await new Promise((resolve) => setImmediate(resolve));
        if (this.interrupted) {
          this.out(`interrupted after ${taken.toLocaleString('en')} steps`);
          return this.report({ kind: 'done' }, hart);
        }
      }
      this.report({ kind: 'done' }, hart);
      throw new ReplError(`stopped after ${taken.toLocaleString('en')} steps: ${limitMessage(LIMITS.batchSteps)}`);
    } finally {
      this.running = false;
    }
  }

  private async command(cmd: string, args: string[]): Promise<boolean> {
    const d = this.dbg;
    if (cmd.startsWith('x/') || cmd === 'x') return this.examine(cmd.slice(2), args), true;
    const c = COMMANDS.find((k) => k.name === cmd || k.alias === cmd);
    if (!c) throw new ReplError(`unknown command "${cmd}" (help lists them)`);
    switch (c.name) {
      case 'help':
        for (const k of COMMANDS) this.out(`  ${`${k.name}${k.alias ? ` (${k.alias})` : ''} ${k.args}`.padEnd(44)} ${k.help}`);
        return true;
      case 'quit':
        return false;
      case 'step':
        await this.moving(this.count(args[0], 1), (n) => d.step(n));
        return true;
      case 'stepi': {
        const hart = args.length >= 1 ? this.hartArg(args[0]!) : this.hart;
        await this.moving(this.count(args[1], 1), (n) => d.stepi(hart, n), hart);
        return true;
      }
      case 'continue':
        await this.moving(Number.POSITIVE_INFINITY, (n) => d.step(n));
        return true;
      case 'until': {
        const addr = this.address(this.need(args[0], 'an address or symbol'));
        await this.moving(Number.POSITIVE_INFINITY, (n) => d.until(addr, n));
        return true;
      }
      case 'break': {
        const addr = this.address(this.need(args[0], 'an address or symbol'));
        const hart = args[1] !== undefined ? this.hartArg(args[1]) : undefined;
        const id = d.addBreakpoint(addr, hart);
        this.out(`breakpoint ${id} at ${this.where(addr)}${hart !== undefined ? ` (hart ${hart})` : ''}`);
        return true;
      }
      case 'watch': {
        const addr = this.address(this.need(args[0], 'an address or symbol'));
        let kind = 'w';
        let rest = args.slice(1);
        if (rest[0] === 'r' || rest[0] === 'w' || rest[0] === 'rw') [kind, ...rest] = rest;
        const size = rest[0] !== undefined ? Number(rest[0]) : 8;
        if (![1, 2, 4, 8].includes(size)) throw new ReplError(`watch size must be 1, 2, 4 or 8, not ${rest[0]}`);
        const id = d.addWatchpoint(addr, size, kind as 'w' | 'r' | 'rw');
        this.out(`watchpoint ${id}: ${{ w: 'writes to', r: 'reads of', rw: 'reads of and writes to' }[kind]} ${size} bytes at ${this.where(addr)}`);
        return true;
      }
      case 'delete':
        if (args[0] === undefined) {
          d.delete();
          this.out('deleted every breakpoint and watchpoint');
        } else if (!d.delete(this.count(args[0], 0))) throw new ReplError(`no breakpoint or watchpoint ${args[0]}`);
        else this.out(`deleted ${args[0]}`);
        return true;
      case 'info':
        if (args[0] === 'breakpoints' || args[0] === 'b') this.infoBreakpoints();
        else if (args[0] === 'harts' || args[0] === 'h') this.infoHarts();
        else throw new ReplError('info breakpoints|harts');
        return true;
      case 'hart':
        this.hart = this.hartArg(this.need(args[0], 'a hart number'));
        this.out(`hart ${this.hart}: ${this.location(this.hart)}`);
        return true;
      case 'regs':
        this.regs(args[0] !== undefined ? this.hartArg(args[0]) : this.hart);
        return true;
      case 'csr': {
        const name = this.need(args[0], 'a CSR name or number');
        const num = /^(0x[0-9a-f]+|\d+)$/i.test(name) ? Number(name) : CSRS.find((k) => k.name === name)?.num;
        if (num === undefined) throw new ReplError(`unknown CSR "${name}"`);
        const hart = args[1] !== undefined ? this.hartArg(args[1]) : this.hart;
        const v = d.csr(hart, num);
        this.out(v === undefined ? `hart ${hart}: CSR ${name} is not implemented` : `hart ${hart}: ${name} = ${hex(v)}`);
        return true;
      }
      case 'disas': {
        const h = d.machine.harts[this.hart]!;
        const addr = args[0] !== undefined ? this.address(args[0]) : h.pc;
        this.disassemble(addr, this.listing(this.count(args[1], 8)));
        return true;
      }
      case 'sb': {
        const hart = args[0] !== undefined ? this.hartArg(args[0]) : this.hart;
        const entries = d.storeBuffer(hart);
        if (!entries) this.out(`no store buffers under ${d.describeModel()}`);
        else if (entries.length === 0) this.out(`hart ${hart}: store buffer empty`);
        else {
          this.out(`hart ${hart}: ${entries.length} buffered store${entries.length === 1 ? '' : 's'}, oldest first`);
          for (const e of entries) this.out(`  [${this.where(e.addr)}]/${e.size} = ${hex(BigInt.asUintN(e.size * 8, e.value), e.size * 2)}`);
        }
        return true;
      }
      case 'drain': {
        const hart = this.hartArg(this.need(args[0], 'a hart number'));
        const before = d.storeBuffer(hart)?.length ?? 0;
        this.report(d.drain(hart, this.count(args[1], 1)), hart);
        this.out(`hart ${hart}: ${before - (d.storeBuffer(hart)?.length ?? 0)} store(s) drained, ${d.storeBuffer(hart)?.length ?? 0} left`);
        return true;
      }
      case 'schedule': {
        if (args[0] === 'hart') {
          const hart = this.hartArg(this.need(args[1], 'a hart number'));
          this.report(d.stepi(hart, 1), hart);
          return true;
        }
        if (args.length) throw new ReplError('schedule [hart <n>]');
        const m = d.machine;
        this.out(`strategy: ${m.strategy.describe}`);
        const next = d.upcoming();
        if (next === undefined) this.out('next: no hart can move');
        else if ('timerAt' in next) this.out(`next: no hart can move before the timer deadline at step ${next.timerAt}`);
        else if (next.carried) this.out(`next: hart ${next.hart} goes on for up to ${next.carried.steps} more steps (a decision the last command cut short)`);
        else this.out(`next: hart ${next.hart}, a new decision`);
        for (const h of m.harts) this.out(`  hart ${h.id}: ${d.stateOf(h)}${h.sleepUntil > m.steps ? ` until step ${h.sleepUntil}` : ''}`);
        return true;
      }
      case 'backtrace':
        this.backtrace(args[0] !== undefined ? this.hartArg(args[0]) : this.hart);
        return true;
      case 'events':
        if (d.events.length === 0) this.out('no events yet');
        for (const e of d.events) this.out(`  step ${e.step}: ${e.event ? describeEvent(e.event, this.symbolize) : e.text}`);
        return true;
      case 'record': {
        const file = this.need(args[0], 'a file name');
        const rec = d.record();
        if (typeof rec === 'string') throw new ReplError(rec);
        try {
          writeFileSync(file, rec);
        } catch (e) {
          throw new ReplError(`cannot write ${file}: ${(e as Error).message}`);
        }
        this.out(`recorded ${d.machine.log!.total.toLocaleString('en')} steps of schedule to ${file}`);
        return true;
      }
      case 'reverse-step':
        this.report(d.reverseStep(this.count(args[0], 1)));
        return true;
      case 'reverse-continue':
        this.report(d.reverseContinue());
        return true;
    }
    return true;
  }

  // ---- output ----

  /** What a moving command did, and where the harts are. */
  private report(s: Stop, hart?: number): void {
    const d = this.dbg;
    switch (s.kind) {
      case 'breakpoint':
        this.out(`breakpoint ${s.id}: hart ${s.hart} at ${this.where(s.pc)}`);
        this.hart = s.hart;
        break;
      case 'watchpoint':
        if (s.access === 'read') this.out(`watchpoint ${s.id}: hart ${s.hart} read [${this.where(s.addr)}]/${s.size} = ${hex(s.value, s.size * 2)}`);
        else this.out(`watchpoint ${s.id}: [${this.where(s.addr)}]/${s.size} ${hex(s.old, s.size * 2)} -> ${hex(s.value, s.size * 2)} (hart ${s.hart})`);
        this.hart = s.hart;
        break;
      case 'event':
        this.out(`stopped: ${describeEvent(s.event, this.symbolize)}`);
        this.hart = s.event.hart;
        break;
      case 'exit':
        this.out(`the guest exited with code ${s.code} (${s.via})`);
        break;
      case 'deadlock':
        this.out('every hart is asleep with nothing to wake it');
        break;
      case 'limit':
        this.out(`stopped after ${s.steps.toLocaleString('en')} steps with nothing hit`);
        break;
      case 'history':
        this.out(`step ${d.machine.steps}: hart ${hart ?? this.hart} ${this.location(hart ?? this.hart)}`);
        throw new ReplError(`stopped: the history holds ${s.entries.toLocaleString('en')} entries, ${limitMessage(LIMITS.history)}`);
      case 'cannot':
        throw new ReplError(s.why);
      case 'done':
        break;
    }
    this.out(`step ${d.machine.steps}: hart ${hart ?? this.hart} ${this.location(hart ?? this.hart)}`);
  }

  /** "at pc <sym+off>: insn" for a hart. */
  private location(hart: number): string {
    const h = this.dbg.machine.harts[hart]!;
    return `${this.dbg.stateOf(h)} at ${this.where(h.pc)}: ${this.instructionAt(h.pc)}`;
  }

  private where(addr: number): string {
    const sym = this.symbolize(BigInt(addr));
    return `${hex(addr, 8)}${sym ? ` <${sym}>` : ''}`;
  }

  private instructionAt(addr: number): string {
    const at = instructionWordAt((a, size) => this.dbg.peek(a, size), addr);
    return at ? disassembleOne(at.word, BigInt(addr), this.symbolize).replace('\t', ' ') : '(no memory)';
  }

  private disassemble(addr: number, n: number): void {
    for (let i = 0; i < n; i++) {
      const at = instructionWordAt((a, size) => this.dbg.peek(a, size), addr);
      if (!at) break;
      this.out(`  ${this.where(addr).padEnd(48)} ${this.instructionAt(addr)}`);
      addr += at.len;
    }
  }

  private regs(hart: number): void {
    const h = this.dbg.machine.harts[hart]!;
    this.out(`hart ${hart}  pc ${this.where(h.pc)}`);
    for (let r = 0; r < 32; r += 4) {
      this.out(
        '  ' +
          [0, 1, 2, 3]
            .map((k) => `${`x${r + k}/${ABI_NAMES[r + k]}`.padStart(8)} ${hex(h.x[r + k]!)}`)
            .join('  '),
      );
    }
  }

  /** Frames by the frame-pointer chain (fp = s0: ra at fp-8, the caller's fp at fp-16); without it, pc and ra. */
  private backtrace(hart: number): void {
    const h = this.dbg.machine.harts[hart]!;
    this.out(`#0  ${this.where(h.pc)}`);
    let fp = Number(BigInt.asUintN(64, h.x[8]!));
    const sp = Number(BigInt.asUintN(64, h.x[2]!));
    let frames = 1;
    while (frames < 64 && fp > sp && fp % 8 === 0) {
      const ra = this.dbg.peek(fp - 8, 8), prev = this.dbg.peek(fp - 16, 8);
      if (ra === undefined || prev === undefined || ra === 0n) break;
      this.out(`#${frames++}  ${this.where(Number(ra))}`);
      if (Number(prev) <= fp) break;
      fp = Number(prev);
    }
    if (frames === 1) this.out(`#1  ${this.where(Number(BigInt.asUintN(64, h.x[1]!)))}  (ra: no frame-pointer chain here)`);
  }

  private infoHarts(): void {
    const m = this.dbg.machine;
    for (const h of m.harts) {
      const pending = h.pendingInterrupt();
      const priv = ['U', 'S', '?', 'M'][h.priv];
      const last = this.dbg.lastTrap[h.id];
      const trap = last ? `  last trap: ${last}` : '';
      const buffered = this.dbg.storeBuffer(h.id)?.length;
      this.out(
        `${h.id === this.hart ? '*' : ' '} hart ${h.id}  ${this.dbg.stateOf(h).padEnd(7)} ${priv}-mode  ${this.where(h.pc)}  ` +
          `pending ${pending >= 0 ? `interrupt ${pending}` : 'none'}${trap}${buffered !== undefined ? `  store buffer ${buffered}` : ''}`,
      );
    }
  }

  private infoBreakpoints(): void {
    const list = this.dbg.breakpoints();
    if (list.length === 0) this.out('no breakpoints or watchpoints');
    for (const p of list) {
      if (p.kind === 'break') this.out(`  ${p.id}  breakpoint at ${this.where(p.addr)}${p.hart !== undefined ? ` (hart ${p.hart})` : ''}`);
      else this.out(`  ${p.id}  watchpoint (${p.access ?? 'w'}) on ${p.size} bytes at ${this.where(p.addr)}`);
    }
  }

  /** x/<n><unit><format> <addr> */
  private examine(spec: string, args: string[]): void {
    const m = /^(\d*)([bhwg]?)([xdi]?)$/.exec(spec);
    if (!m) throw new ReplError(`x/${spec}: the format is x/<n><b|h|w|g><x|d|i>, e.g. x/4gx`);
    const n = this.listing(m[1] ? Number(m[1]) : 1);
    const format = m[3] || 'x';
    const addr = this.address(this.need(args[0], 'an address or symbol'));
    if (format === 'i') return this.disassemble(addr, n);
    const size = { b: 1, h: 2, w: 4, g: 8 }[m[2] || 'w']!;
    const perLine = Math.max(1, 16 / size);
    for (let i = 0; i < n; i += perLine) {
      const cells: string[] = [];
      for (let k = i; k < Math.min(n, i + perLine); k++) {
        const v = this.dbg.peek(addr + k * size, size);
        if (v === undefined) throw new ReplError(`cannot read ${size} bytes at ${hex(addr + k * size, 8)}: no memory or device there`);
        cells.push(format === 'd' ? BigInt.asIntN(size * 8, v).toString() : hex(v, size * 2));
      }
      this.out(`  ${this.where(addr + i * size)}:  ${cells.join('  ')}`);
    }
  }

  // ---- arguments ----

  private need(a: string | undefined, what: string): string {
    if (a === undefined) throw new ReplError(`needs ${what}`);
    return a;
  }

  private count(a: string | undefined, dflt: number): number {
    if (a === undefined) return dflt;
    if (!/^\d+$/.test(a) || !Number.isSafeInteger(Number(a))) throw new ReplError(`"${a}" is not a whole number (up to 2^53)`);
    return Number(a);
  }

  /** A count of lines to print, at most MAX_LISTING. */
  private listing(n: number): number {
    if (n > MAX_LISTING) throw new ReplError(`${n.toLocaleString('en')} lines: at most ${MAX_LISTING.toLocaleString('en')} per command`);
    return n;
  }

  private hartArg(a: string): number {
    const n = this.count(a, 0);
    if (n >= this.dbg.machine.harts.length) throw new ReplError(`no hart ${n} (0..${this.dbg.machine.harts.length - 1})`);
    return n;
  }

  /** A symbol (with an optional +offset) or a number. */
  private address(text: string): number {
    const m = /^([A-Za-z_.$][\w.$]*)(?:\+(0x[0-9a-f]+|\d+))?$/i.exec(text);
    if (m) {
      const base = this.byName.get(m[1]!);
      if (base === undefined) throw new ReplError(`no symbol "${m[1]}"`);
      return Number(base) + (m[2] ? Number(m[2]) : 0);
    }
    if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text);
    throw new ReplError(`"${text}" is neither a symbol nor an address`);
  }
}

class ReplError extends Error {}
