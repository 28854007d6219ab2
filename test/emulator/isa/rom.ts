/**
 * Builds ISA test ROMs with the DSL, riscv-tests style: each check sets gp to its number, runs its
 * code, and compares registers with expected values; the first mismatch reports (gp << 1) | 1
 * through HTIF tohost, and reaching the end reports 1 (pass).
 *
 * Trap handlers (always uncompressed, so they work while misa.C is clear): the M handler records
 * mcause/mepc/mtval in s8/s9/s10, the S handler scause/sepc/stval in s4/s5/s6; both count traps in
 * s7. They resume after the trapping instruction, or, when a check has put an address in s11, at
 * that address (the M handler then also returns to M-mode: the way back from U and S tests).
 * Interrupts clear xie and return.
 */
import { expect } from 'vitest';
import { Asm, type Reg } from '../../../assembler/dsl/asm.js';
import { writeElf } from '../../../assembler/elf/writer.js';
import { runGuest, type GuestRun } from '../../helpers/machine.js';

export const RAM = 0x80000000n;
export const CLINT_MSIP = 0x2000000n;
export const CLINT_MTIMECMP = 0x2004000n;
export const CLINT_MTIME = 0x200bff8n;

export class Rom {
  readonly a: Asm;
  private readonly names: string[] = [];
  private readonly fail;

  constructor(opts: { rvc?: boolean } = {}) {
    const a = (this.a = new Asm({ rvc: opts.rvc ?? true }));
    this.fail = a.label('fail');
    a.global('_start');
    a.here('_start');
    a.la('t0', 'trap_m').csrw('mtvec', 't0');
    a.la('t0', 'trap_s').csrw('stvec', 't0');
    a.li('s7', 0).li('s11', 0);
  }

  label(name: string) {
    return this.a.label(name);
  }

  /** A check: `body` runs with gp = its number and s7 = 0; then each register must hold its expected value. */
  check(name: string, body: (a: Asm) => void, expected: Partial<Record<Reg, bigint | number>> = {}): void {
    const a = this.a;
    this.names.push(name);
    a.li('gp', this.names.length);
    a.li('s7', 0);
    body(a);
    this.expect(expected);
  }

  /** Compare registers now (inside a check). */
  expect(expected: Partial<Record<Reg, bigint | number>>): void {
    const a = this.a;
    for (const [reg, value] of Object.entries(expected)) {
      a.li('t6', BigInt.asIntN(64, BigInt(value!)));
      // fail may be further than a branch reaches: branch over a jump to it.
      const ok = a.label();
      a.beq(reg as Reg, 't6', ok);
      a.j(this.fail);
      a.bind(ok);
    }
  }

  /** Finish the ROM (pass/fail exits, handlers, HTIF words) and link it. */
  image(): Uint8Array {
    const a = this.a;
    a.li('t0', 1);
    a.la('t1', 'tohost');
    a.sd('t0', 0, 't1');
    const spin = a.here();
    a.j(spin);
    a.bind(this.fail);
    a.slli('t0', 'gp', 1).ori('t0', 't0', 1);
    a.la('t1', 'tohost');
    a.sd('t0', 0, 't1');
    const spin2 = a.here();
    a.j(spin2);
    this.handlers();
    a.data().align(64);
    a.global('tohost').here('tohost');
    a.dword(0);
    a.global('fromhost').here('fromhost');
    a.dword(0);
    a.align(8).here('scratch');
    a.zero(256);
    return writeElf(a.link({ base: RAM }));
  }

  /** Link, run and assert that every check passed; returns the run for further inspection. */
  run(opts: { maxInsns?: number; jit?: boolean } = {}): GuestRun {
    const run = runGuest(this.image(), { maxInsns: opts.maxInsns ?? 5_000_000, ...(opts.jit !== undefined ? { jit: opts.jit } : {}) });
    const stop = run.stop;
    if (stop.kind === 'exit' && stop.code !== 0) {
      const h = run.machine.harts[0]!;
      expect.fail(`check ${stop.code} "${this.names[stop.code - 1]}" failed (s8=${h.x[24]} s9=0x${BigInt.asUintN(64, h.x[25]!).toString(16)} s10=0x${BigInt.asUintN(64, h.x[26]!).toString(16)} s7=${h.x[23]})`);
    }
    expect(stop).toEqual({ kind: 'exit', code: 0, via: 'HTIF' });
    return run;
  }

  /** Leave M-mode for `mode` (0 = U, 1 = S) at `target` through mret. */
  enterMode(mode: 0 | 1, target: ReturnType<Asm['label']>): void {
    const a = this.a;
    a.li('t5', 3n << 11n).csrc('mstatus', 't5');
    if (mode) a.li('t5', 1n << 11n).csrs('mstatus', 't5');
    a.la('t5', target).csrw('mepc', 't5');
    a.mret();
  }

  get count(): number {
    return this.names.length;
  }

  /** The M and S trap handlers. */
  private handlers(): void {
    const a = this.a.text();
    a.withRvc(false, () => this.handlerCode());
  }

  private handlerCode(): void {
    const a = this.a;
    for (const [mode, x, c, e, v] of [['m', 'm', 's8', 's9', 's10'], ['s', 's', 's4', 's5', 's6']] as const) {
      const irq = a.label();
      const resume = a.label();
      const four = a.label();
      const out = a.label();
      a.align(4).here(`trap_${mode}`);
      a.addi('s7', 's7', 1);
      a.csrr(c, `${x}cause`).csrr(e, `${x}epc`).csrr(v, `${x}tval`);
      a.bltz(c, irq);
      a.bnez('s11', resume);
      // Skip the trapping instruction: 2 or 4 bytes, from its first parcel.
      a.lhu('t6', 0, e);
      a.andi('t6', 't6', 3).addi('t6', 't6', -3);
      a.beqz('t6', four);
      a.addi('t5', e, 2).csrw(`${x}epc`, 't5');
      a.j(out);
      a.bind(four);
      a.addi('t5', e, 4).csrw(`${x}epc`, 't5');
      a.j(out);
      a.bind(resume);
      a.csrw(`${x}epc`, 's11').li('s11', 0);
      if (mode === 'm') a.li('t5', 3n << 11n).csrs('mstatus', 't5'); // back to M-mode
      a.j(out);
      // Interrupts: silence every source (checks re-enable what they need) and return.
      a.bind(irq);
      a.csrw(`${x}ie`, 'zero');
      a.bind(out);
      a[mode === 'm' ? 'mret' : 'sret']();
    }
  }
}
