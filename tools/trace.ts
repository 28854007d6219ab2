/**
 * `rvsmp run --trace`: one line per retired instruction: hart, pc, symbol+offset, disassembly, and
 * the register the instruction wrote (or the trap it took). Under wmo, where instructions take
 * effect out of order in each hart's issue window, also one line when a load or store takes effect
 * in memory (with its address and value) and when speculative instructions are squashed; under tso,
 * a store that enters the store buffer says so, and one line shows it reaching memory.
 */
import type { Disassembler, Symbolizer } from '../assembler/disassemble.js';
import { decode, insnLength } from '../assembler/codec.js';
import { illegalText, instructionWordAt } from '../assembler/disassemble.js';
import { regName } from '../assembler/isa/registers.js';
import type { Hart } from '../emulator/hart/hart.js';
import type { Machine, StopReason } from '../emulator/machine.js';
import type { WindowEvent } from '../emulator/memory/window.js';

const hex = (n: number | bigint) => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');

export class Tracer {
  private regs = new BigInt64Array(32);
  private pc = 0;
  private traps = 0;
  private word = 0;

  private instret = 0;
  private readonly events: WindowEvent[] = [];
  private buffered = 0;
  private readonly drains: string[] = [];

  constructor(
    private readonly machine: Machine,
    private readonly dis: Disassembler,
    private readonly symbolize: Symbolizer,
    private readonly print: (line: string) => void,
  ) {}

  /** hart, pc, symbol, instruction word and disassembly: the start of every line. */
  private prefix(hart: number, pc: number): string {
    const sym = this.symbolize(BigInt.asUintN(64, BigInt(pc)));
    const at = instructionWordAt((a, size) => this.machine.bus.peek(a, size), pc);
    const word = at ? at.word : -1;
    const len = at ? at.len : 2;
    let text: string;
    if (word < 0) text = '(no instruction: fetch fault)';
    else {
      const d = decode(word);
      text = d ? this.dis.format(d, BigInt(pc)) : illegalText(word);
    }
    const hexWord = word < 0 ? '' : (word >>> 0).toString(16).padStart(len * 2, '0');
    return `hart ${hart}  ${hex(pc)} ${(sym ? `<${sym}>` : '').padEnd(24)} ${hexWord.padStart(8)}  ${text.replace('\t', ' ').padEnd(32)}`;
  }

  private windowLine(hart: number, ev: WindowEvent): string {
    if (ev.type === 'squash') return `hart ${hart}  squashed ${ev.count} speculative instruction${ev.count === 1 ? '' : 's'} from ${hex(ev.pc)}`;
    if (ev.type === 'retire') {
      const effect = ev.buffered ? 'store buffered' : ev.rd ? `${regName(ev.rd)} = 0x${hex(ev.value!)}` : '';
      return `${this.prefix(hart, ev.pc)} ${effect}`.trimEnd();
    }
    const where = `[0x${ev.addr.toString(16)}]/${ev.size}`;
    const v = `0x${BigInt.asUintN(ev.size * 8, ev.value).toString(16)}`;
    const what = ev.kind === 'load' || ev.kind === 'lr' ? `reads ${where} = ${v}` : ev.kind === 'sc' && !ev.ok ? `fails at ${where}` : `writes ${where} = ${v}`;
    return `hart ${hart}  ${hex(ev.pc)} ${''.padEnd(24)} ${''.padStart(8)}  ${'  (memory)'.padEnd(32)} ${what}`;
  }

  private drainLine(hart: number, addr: number, size: number, value: bigint): string {
    const v = `0x${BigInt.asUintN(size * 8, value).toString(16)}`;
    return `hart ${hart}  ${''.padEnd(16)} ${''.padEnd(24)} ${''.padStart(8)}  ${'  (store buffer)'.padEnd(32)} writes [0x${addr.toString(16)}]/${size} = ${v}`;
  }

  run(maxInsns?: number): StopReason {
    for (const w of this.machine.windows) w.onEvent = (ev) => this.events.push(ev);
    const sb = this.machine.storeBuffers;
    if (sb) sb.onDrain = (hart, addr, size, value) => this.drains.push(this.drainLine(hart, addr, size, value));
    return this.machine.run(maxInsns, {
      before: (h) => this.before(h),
      after: (h) => this.after(h),
    });
  }

  private before(h: Hart): void {
    this.events.length = 0;
    this.buffered = this.machine.storeBuffers?.pending(h.id) ?? 0;
    this.instret = h.instret;
    this.regs.set(h.x);
    this.pc = h.pc;
    this.traps = h.traps;
    this.word = instructionWordAt((a, size) => this.machine.bus.peek(a, size), h.pc)?.word ?? -1;
  }

  private after(h: Hart): void {
    // Stores reaching memory before this step's instruction (a fence, an AMO) or by themselves.
    const drained = this.drains.splice(0);
    if (h.traps === this.traps && h.instret === this.instret) {
      for (const l of drained) this.print(l);
      if (!this.machine.windows.length) return;
    }
    if (this.machine.windows.length) {
      // A window step prints what it did; an interpreter step or a trap prints as under sc.
      for (const ev of this.events) this.print(this.windowLine(h.id, ev));
      if (this.events.length || (h.traps === this.traps && h.instret === this.instret)) return;
    }
    const addr = BigInt.asUintN(64, BigInt(this.pc));
    const sym = this.symbolize(addr);
    let text: string;
    if (this.word < 0) text = '(no instruction: fetch fault)';
    else {
      const d = decode(this.word);
      text = d ? this.dis.format(d, BigInt(this.pc)) : illegalText(this.word);
    }
    let effect = '';
    if (h.traps !== this.traps) {
      const cause = h.priv === 3 ? h.mcause : h.scause;
      const tval = h.priv === 3 ? h.mtval : h.stval;
      effect = `trap cause ${cause < 0n ? `interrupt ${cause & 0xffn}` : cause} tval 0x${BigInt.asUintN(64, tval).toString(16)} -> pc ${hex(h.pc)}`;
    } else {
      for (let r = 1; r < 32; r++) {
        if (h.x[r] !== this.regs[r]) {
          effect = `${regName(r)} = 0x${hex(h.x[r]!)}`;
          break;
        }
      }
      const sb = this.machine.storeBuffers;
      if (sb && sb.pending(h.id) > this.buffered - drained.filter((l) => l.startsWith(`hart ${h.id} `)).length) effect = 'store buffered';
    }
    if (h.traps !== this.traps || h.instret !== this.instret) for (const l of drained) this.print(l);
    const hexWord = this.word < 0 ? '' : (this.word >>> 0).toString(16).padStart(insnLength(this.word & 0xffff) * 2, '0');
    this.print(`hart ${h.id}  ${hex(this.pc)} ${(sym ? `<${sym}>` : '').padEnd(24)} ${hexWord.padStart(8)}  ${text.replace('\t', ' ').padEnd(32)} ${effect}`.trimEnd());
  }
}
