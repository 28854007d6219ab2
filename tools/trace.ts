/**
 * `rvsmp run --trace`: one line per step: hart, pc, symbol+offset, disassembly, and the register the
 * instruction wrote (or the trap it took).
 */
import type { Disassembler, Symbolizer } from '../assembler/disassemble.js';
import { decode, insnLength } from '../assembler/codec.js';
import { illegalText } from '../assembler/disassemble.js';
import { regName } from '../assembler/isa/registers.js';
import type { Hart } from '../emulator/hart/hart.js';
import type { Machine, StopReason } from '../emulator/machine.js';

const hex = (n: number | bigint) => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');

export class Tracer {
  private regs = new BigInt64Array(32);
  private pc = 0;
  private traps = 0;
  private word = 0;

  constructor(
    private readonly machine: Machine,
    private readonly dis: Disassembler,
    private readonly symbolize: Symbolizer,
    private readonly print: (line: string) => void,
  ) {}

  run(maxInsns?: number): StopReason {
    return this.machine.run(maxInsns, {
      before: (h) => this.before(h),
      after: (h) => this.after(h),
    });
  }

  private before(h: Hart): void {
    this.regs.set(h.x);
    this.pc = h.pc;
    this.traps = h.traps;
    const lo = this.machine.bus.peek(h.pc, 2);
    const len = lo === undefined ? 2 : insnLength(Number(lo));
    const w = len === 4 ? this.machine.bus.peek(h.pc, 4) : lo;
    this.word = w === undefined ? -1 : Number(w);
  }

  private after(h: Hart): void {
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
    }
    const hexWord = this.word < 0 ? '' : (this.word >>> 0).toString(16).padStart(insnLength(this.word & 0xffff) * 2, '0');
    this.print(`hart ${h.id}  ${hex(this.pc)} ${(sym ? `<${sym}>` : '').padEnd(24)} ${hexWord.padStart(8)}  ${text.replace('\t', ' ').padEnd(32)} ${effect}`.trimEnd());
  }
}
