/**
 * Multi-hart ROMs built with the DSL. Every hart starts at _start with a0 = hartid, gets a stack
 * and the M trap vector, and calls `main(hart)`; a hart that returns counts itself done and sleeps.
 * Hart 0 waits until every hart is done, runs the final checks and reports through HTIF. Any hart
 * may fail the run at once with `fail(code)`.
 */
import { expect } from 'vitest';
import { Asm, type Label } from '../../../assembler/dsl/asm.js';
import { writeElf } from '../../../assembler/elf/writer.js';
import { Machine, type StopReason } from '../../../emulator/machine.js';
import type { MachineConfig } from '../../../emulator/config.js';

export const CLINT_MSIP = 0x2000000n;
export const CLINT_MTIMECMP = 0x2004000n;
export const CLINT_MTIME = 0x200bff8n;
export const IMSIC_M = 0x24000000n;
export const MIE_MSIE = 1 << 3, MIE_MTIE = 1 << 7, MIE_MEIE = 1 << 11;
export const MSTATUS_MIE = 8;

export class SmpRom {
  readonly a = new Asm();
  readonly done: Label;
  private readonly failLabel: Label;

  constructor(
    readonly harts: number,
    opts: { main: (a: Asm, rom: SmpRom) => void; handler?: (a: Asm, rom: SmpRom) => void; check?: (a: Asm, rom: SmpRom) => void; data?: (a: Asm) => void },
  ) {
    const a = this.a;
    this.done = a.label('harts_done');
    this.failLabel = a.label('fail');
    const sleep = a.label('sleep');
    a.global('_start').here('_start');
    a.mv('s0', 'a0');
    a.la('sp', 'stacks').addi('t0', 's0', 1).slli('t0', 't0', 12).add('sp', 'sp', 't0');
    a.la('t0', 'trap').csrw('mtvec', 't0');
    a.call('main');
    // Done: count in, then hart 0 waits for the others and checks.
    a.la('t0', this.done).li('t1', 1).amoadd_w('zero', 't1', 't0');
    a.bnez('s0', sleep);
    const wait = a.here();
    a.la('t0', this.done).lw('t1', 0, 't0').li('t2', harts).bne('t1', 't2', wait);
    opts.check?.(a, this);
    a.li('t0', 1).la('t1', 'tohost').sd('t0', 0, 't1');
    a.bind(sleep);
    a.csrw('mie', 'zero');
    a.wfi();
    a.j(sleep);
    // fail(a0 = code): report (code << 1) | 1 through HTIF.
    a.bind(this.failLabel);
    a.slli('a0', 'a0', 1).ori('a0', 'a0', 1).la('t1', 'tohost').sd('a0', 0, 't1');
    const spin = a.here();
    a.j(spin);
    // main(s0 = hart)
    a.align(4).here('main');
    opts.main(a, this);
    a.ret();
    // Trap handler: saves what it uses on the stack, calls the test's handler.
    a.align(4).here('trap');
    a.addi('sp', 'sp', -64);
    for (const [i, r] of (['ra', 't0', 't1', 't2', 't3', 'a0', 'a1', 'a2'] as const).entries()) a.sd(r, 8 * i, 'sp');
    opts.handler?.(a, this);
    for (const [i, r] of (['ra', 't0', 't1', 't2', 't3', 'a0', 'a1', 'a2'] as const).entries()) a.ld(r, 8 * i, 'sp');
    a.addi('sp', 'sp', 64);
    a.mret();
    a.data().align(64);
    a.global('tohost').symbol('tohost').dword(0);
    a.global('fromhost').symbol('fromhost').dword(0);
    a.align(64).bind(this.done);
    a.word(0);
    opts.data?.(a);
    a.bss().align(4096).here('stacks');
    a.zero(4096 * (harts + 1));
  }

  /** Jump to fail with `code` unless `cond` branch is taken (emits `bxx ... ok; li a0, code; j fail; ok:`). */
  failUnless(branch: (ok: Label) => void, code: number): void {
    const a = this.a;
    const ok = a.label();
    branch(ok);
    a.li('a0', code);
    a.j(this.failLabel);
    a.bind(ok);
  }

  image(): Uint8Array {
    return writeElf(this.a.link({ base: 0x80000000n }));
  }

  run(config: Partial<MachineConfig> = {}, maxSteps = 20_000_000): { stop: StopReason; machine: Machine } {
    const machine = new Machine({ harts: this.harts, ...config }, { putchar: () => {} });
    machine.load(this.image(), 'smp-rom');
    const stop = machine.run(maxSteps);
    return { stop, machine };
  }

  expectPass(config: Partial<MachineConfig> = {}, maxSteps?: number): Machine {
    const { stop, machine } = this.run(config, maxSteps);
    const where = machine.harts.map((h) => `hart ${h.id} pc 0x${h.pc.toString(16)} ${h.state}`).join('; ');
    expect(stop, `${JSON.stringify(config)}: ${where}`).toEqual({ kind: 'exit', code: 0, via: 'HTIF' });
    return machine;
  }
}
