/**
 * ISA ROMs, privileged architecture: Zicsr instructions and CSR side effects, read-only and
 * missing CSRs, WARL fields, counters, every exception the single-hart machine raises (illegal
 * instruction, breakpoint, ecall from U/S/M, misaligned fetch, access faults), delegation to S,
 * interrupts (software, timer, supervisor) with priorities, wfi, vectored mtvec, and what U-mode
 * and S-mode may not do.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/machine.js';
import { MIP } from '../../../emulator/interrupts.js';
import { encode } from '../../../assembler/codec.js';
import { insnByName } from '../../../assembler/isa/table.js';
import { CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP, Rom } from './rom.js';

const INT = 1n << 63n;
const MISA = (2n << 62n) | 0x141105n; // RV64 A C I M S U
const MSTATUS_ALL = (2n << 32n) | (2n << 34n) | (1n << 1n) | (1n << 3n) | (1n << 5n) | (1n << 7n) | (1n << 8n) | (3n << 11n) | (0x3fn << 17n);
const SSTATUS_ALL = (2n << 32n) | (1n << 1n) | (1n << 5n) | (1n << 8n) | (1n << 18n) | (1n << 19n);
const bits = (name: string, args: number[]) => BigInt(encode(insnByName(name)!, args));

function csrChecks(rom: Rom): void {
  rom.check('csrrw swaps', (a) => {
    a.li('a0', 0x1234).csrw('mscratch', 'a0');
    a.li('a2', 5).csrrw('a1', 'mscratch', 'a2').csrr('a3', 'mscratch');
  }, { a1: 0x1234, a3: 5 });
  rom.check('csrrs/csrrc set and clear bits', (a) => {
    a.li('a0', 0xf0).csrw('mscratch', 'a0');
    a.li('a2', 0x0f).csrrs('a1', 'mscratch', 'a2').csrr('a3', 'mscratch');
    a.li('a2', 0x3c).csrrc('a4', 'mscratch', 'a2').csrr('a5', 'mscratch');
  }, { a1: 0xf0, a3: 0xff, a4: 0xff, a5: 0xc3 });
  rom.check('csrrwi/csrrsi/csrrci', (a) => {
    a.csrrwi('a0', 'mscratch', 21).csrrsi('a1', 'mscratch', 10).csrrci('a2', 'mscratch', 1).csrr('a3', 'mscratch');
  }, { a1: 21, a2: 31, a3: 30 });
  rom.check('machine information CSRs', (a) => {
    a.csrr('a0', 'misa').csrr('a1', 'mhartid').csrr('a2', 'mvendorid').csrr('a3', 'marchid').csrr('a4', 'mimpid');
  }, { a0: MISA, a1: 0, a2: 0, a3: 0, a4: 0, s7: 0 });
  rom.check('writing a read-only CSR is illegal, with the instruction in mtval', (a) => a.csrw('mhartid', 'a0'), { s8: 2, s10: bits('csrrw', [0, 0xf14, 10]), s7: 1 });
  rom.check('csrrs with rs1 = x0 only reads a read-only CSR', (a) => a.csrrs('a0', 'mhartid', 'zero').csrrsi('a1', 'marchid', 0), { s7: 0 });
  rom.check('csrrs with rs1 != x0 writes even if the value is zero', (a) => a.li('a1', 0).csrrs('a0', 'mhartid', 'a1'), { s8: 2, s7: 1 });
  rom.check('a CSR that does not exist is illegal', (a) => a.csrr('a0', 0x7c0), { s8: 2, s10: bits('csrrs', [10, 0x7c0, 0]), s7: 1 });
  rom.check('odd pmpcfg registers do not exist on RV64', (a) => a.csrr('a0', 'pmpcfg1'), { s8: 2, s7: 1 });
  rom.check('pmpcfg and pmpaddr are WARL storage', (a) => {
    a.li('a0', 0x7f1f).csrw('pmpcfg0', 'a0').csrr('a1', 'pmpcfg0');
    a.li('a0', -1).csrw('pmpaddr0', 'a0').csrr('a2', 'pmpaddr0');
    a.csrw('pmpcfg0', 'zero').csrw('pmpaddr0', 'zero');
  }, { a1: 0x1f1f, a2: (1n << 54n) - 1n });
  rom.check('mstatus keeps only its writable fields; UXL and SXL read 2', (a) => {
    a.li('a0', -1).csrw('mstatus', 'a0').csrr('a1', 'mstatus').csrr('a2', 'sstatus');
    a.csrw('mstatus', 'zero');
  }, { a1: MSTATUS_ALL, a2: SSTATUS_ALL });
  rom.check('mstatus.MPP is WARL: the reserved value 2 keeps the old one', (a) => {
    a.li('a0', 1n << 11n).csrw('mstatus', 'a0');
    a.li('a0', 2n << 11n).csrw('mstatus', 'a0').csrr('a1', 'mstatus');
    a.csrw('mstatus', 'zero');
  }, { a1: (2n << 32n) | (2n << 34n) | (1n << 11n) });
  rom.check('mtvec reserved modes keep the old mode; mepc bit 0 reads 0', (a) => {
    a.csrr('t0', 'mtvec');
    a.ori('a0', 't0', 2).csrw('mtvec', 'a0').csrr('a1', 'mtvec').sub('a1', 'a1', 't0');
    a.csrw('mtvec', 't0');
    a.li('a0', 0x1235).csrw('mepc', 'a0').csrr('a2', 'mepc');
  }, { a1: 0, a2: 0x1234 });
  rom.check('medeleg cannot delegate ecall from M; mideleg only S interrupts', (a) => {
    a.li('a0', -1).csrw('medeleg', 'a0').csrr('a1', 'medeleg').csrw('medeleg', 'zero');
    a.li('a0', -1).csrw('mideleg', 'a0').csrr('a2', 'mideleg').csrw('mideleg', 'zero');
  }, { a1: 0xb3ff, a2: 0x222 });
  rom.check('satp: an unsupported mode write is ignored', (a) => {
    a.li('a0', (8n << 60n) | 0x1234n).csrw('satp', 'a0').csrr('a1', 'satp');
  }, { a1: 0, s7: 0 });
  rom.check('minstret and mcycle count retired instructions', (a) => {
    a.withRvc(false, () => a.csrr('a0', 'minstret').nop().nop().csrr('a1', 'minstret').csrr('a2', 'mcycle').nop().csrr('a3', 'cycle'));
    a.sub('a1', 'a1', 'a0').sub('a3', 'a3', 'a2');
  }, { a1: 3, a3: 2 });
  rom.check('a write to minstret is what the next instruction reads', (a) => {
    a.li('a0', 100).csrw('minstret', 'a0').csrr('a1', 'minstret');
  }, { a1: 100 });
  rom.check('time reads mtime', (a) => {
    a.li('t0', CLINT_MTIME);
    a.csrr('a0', 'time').ld('a1', 0, 't0').sub('a2', 'a1', 'a0').sltiu('a3', 'a2', 2);
  }, { a3: 1 });
}

function exceptionChecks(rom: Rom): void {
  rom.check('an illegal instruction reports its bits', (a) => a.word(0xffffffff), { s8: 2, s10: 0xffffffffn, s7: 1 });
  rom.check('c.unimp (all zeros) is illegal', (a) => a.c_unimp(), { s8: 2, s10: 0, s7: 1 });
  rom.check('ebreak and c.ebreak: breakpoint with the pc in mtval', (a) => {
    a.withRvc(false, () => a.ebreak());
    a.sub('a0', 's10', 's9');
    a.c_ebreak();
    a.sub('a1', 's10', 's9');
  }, { s8: 3, a0: 0, a1: 0, s7: 2 });
  rom.check('ecall from M', (a) => a.ecall(), { s8: 11, s10: 0, s7: 1 });
  rom.check('load and store access faults report the address', (a) => {
    a.ld('a0', 0, 'zero');
    a.mv('a2', 's8').mv('a3', 's10');
    a.li('a1', 0x1000).sd('a0', 8, 'a1');
  }, { a2: 5, a3: 0, s8: 7, s10: 0x1008, s7: 2 });
  rom.check('device accesses of the wrong width fault; misaligned ones are misaligned', (a) => {
    a.li('a1', 0x10000000);
    a.lw('a0', 0, 'a1');
    a.mv('a2', 's8');
    a.lw('a0', 1, 'a1');
  }, { a2: 5, s8: 4, s7: 2 });
  rom.check('fetching from an unmapped address is an instruction access fault', (a) => {
    const back = a.label();
    a.la('s11', back).li('a0', 0x1000).jalr('a0');
    a.bind(back);
  }, { s8: 1, s9: 0x1000, s10: 0x1000, s7: 1 });
  rom.check('a jump past 2^53 faults with the exact address', (a) => {
    const back = a.label();
    a.la('s11', back).li('a0', 0x8000000000000004n).jr('a0');
    a.bind(back);
  }, { s8: 1, s9: 0x8000000000000004n, s10: 0x8000000000000004n, s7: 1 });
  rom.check('with misa.C clear: a jump to a 2-byte boundary is misaligned, compressed instructions are illegal', (a) => {
    a.withRvc(false, () => {
      const back = a.label();
      a.align(4);
      a.csrci('misa', 4); // clear C (bit 2)
      a.csrr('a4', 'misa');
      a.la('a0', back).addi('a0', 'a0', 2);
      a.la('s11', back);
      a.jr('a0');
      a.align(4);
      a.bind(back);
      a.mv('a2', 's8').mv('a3', 's10').sub('a3', 'a3', 'a0');
      // Compressed instructions are illegal while C is clear. (mepc reads with bit 1 masked then,
      // so the handler cannot return to a 2-byte boundary: resume at a 4-byte one.)
      const after = a.label();
      a.la('s11', after);
      a.c_nop();
      a.c_nop();
      a.align(4).bind(after);
      a.csrsi('misa', 4);
    });
  }, { a2: 0, a3: 0, a4: MISA & ~4n, s8: 2, s7: 2 });
}

function interruptChecks(rom: Rom): void {
  const silenceTimer = (a: Rom['a']) => a.li('t0', CLINT_MTIMECMP).li('t1', -1).sd('t1', 0, 't0');
  rom.check('timer interrupt wakes wfi, which does not burn instructions', (a) => {
    a.li('t0', CLINT_MTIME).ld('t1', 0, 't0').addi('t1', 't1', 50);
    a.li('t0', CLINT_MTIMECMP).sd('t1', 0, 't0');
    a.li('t0', CLINT_MTIME).ld('s2', 0, 't0');
    a.csrr('a0', 'minstret');
    a.li('t1', 0x80).csrs('mie', 't1').csrsi('mstatus', 8);
    a.wfi();
    a.csrci('mstatus', 8);
    a.csrr('a1', 'minstret').sub('a1', 'a1', 'a0').sltiu('a1', 'a1', 40);
    a.li('t0', CLINT_MTIME).ld('a2', 0, 't0').sub('a2', 'a2', 's2').sltiu('a2', 'a2', 49);
    silenceTimer(a);
  }, { s8: INT | 7n, a1: 1, a2: 0, s7: 1 });
  rom.check('software interrupt through CLINT msip, taken right after it is enabled', (a) => {
    a.li('t0', CLINT_MSIP).li('t1', 1).sw('t1', 0, 't0');
    a.csrr('a3', 'mip').andi('a3', 'a3', 8);
    a.li('t1', 8).csrs('mie', 't1').csrsi('mstatus', 8);
    a.li('a0', 1); // the interrupt is taken before this
    a.csrci('mstatus', 8);
    a.li('t0', CLINT_MSIP).sw('zero', 0, 't0');
    a.csrr('a4', 'mip').andi('a4', 'a4', 8);
  }, { s8: INT | 3n, a3: 8, a4: 0, s7: 1 });
  rom.check('priority: machine software before machine timer', (a) => {
    a.li('t0', CLINT_MTIMECMP).sd('zero', 0, 't0'); // MTIP pending
    a.li('t0', CLINT_MSIP).li('t1', 1).sw('t1', 0, 't0');
    a.li('t1', 0x88).csrs('mie', 't1').csrsi('mstatus', 8);
    a.nop();
    a.csrci('mstatus', 8);
    a.li('t0', CLINT_MSIP).sw('zero', 0, 't0');
    silenceTimer(a);
  }, { s8: INT | 3n, s7: 1 });
  rom.check('vectored mtvec sends interrupt i to base + 4i', (a) => {
    const table = a.label(), after = a.label(), entries: ReturnType<typeof a.label>[] = [];
    a.csrr('s2', 'mtvec');
    a.la('t0', table).ori('t0', 't0', 1).csrw('mtvec', 't0');
    a.li('t0', CLINT_MSIP).li('t1', 1).sw('t1', 0, 't0');
    a.li('t1', 8).csrs('mie', 't1').csrsi('mstatus', 8);
    a.nop();
    a.csrci('mstatus', 8).li('t0', CLINT_MSIP).sw('zero', 0, 't0');
    a.csrw('mtvec', 's2');
    a.j(after);
    a.withRvc(false, () => {
      a.align(4).bind(table);
      for (let i = 0; i < 16; i++) {
        const e = a.label();
        entries.push(e);
        a.j(e);
      }
      entries.forEach((e, i) => {
        a.bind(e);
        a.li('s3', i);
        a.j('trap_m');
      });
    });
    a.bind(after);
  }, { s3: 3, s8: INT | 3n, s7: 1 });
}

function supervisorInterruptChecks(rom: Rom): void {
  rom.check('delegated supervisor external and software interrupts: external first', (a) => {
    const s = a.label(), back = a.label();
    a.li('t0', 0x202).csrw('mideleg', 't0').csrs('mip', 't0').csrs('mie', 't0');
    a.csrsi('mstatus', 2); // SIE
    rom.enterMode(1, s);
    a.bind(s);
    a.nop(); // SEI (9) outranks SSI (1)
    a.mv('a0', 's4');
    a.la('s11', back);
    a.ecall();
    a.bind(back);
    a.li('t0', 0x202).csrc('mip', 't0').csrc('mie', 't0').csrw('mideleg', 'zero').csrci('mstatus', 2);
  }, { a0: INT | 9n, s7: 2 });
}

function privilegeChecks(rom: Rom): void {
  const userTrap = (name: string, body: (a: Rom['a']) => void, expected: Record<string, bigint | number>, setup?: (a: Rom['a']) => void) =>
    rom.check(name, (a) => {
      const u = a.label(), back = a.label();
      setup?.(a);
      a.la('s11', back);
      rom.enterMode(0, u);
      a.bind(u);
      body(a);
      a.bind(back);
    }, expected);
  userTrap('U-mode: reading mstatus is illegal', (a) => a.csrr('a0', 'mstatus'), { s8: 2, s7: 1 });
  userTrap('U-mode: mret is illegal', (a) => a.mret(), { s8: 2, s7: 1 });
  userTrap('U-mode: sret is illegal', (a) => a.sret(), { s8: 2, s7: 1 });
  userTrap('U-mode: wfi is illegal', (a) => a.wfi(), { s8: 2, s7: 1 });
  userTrap('U-mode: cycle is illegal unless mcounteren and scounteren allow it', (a) => a.rdcycle('a0'), { s8: 2, s7: 1 });
  userTrap('U-mode: cycle readable when allowed; ecall from U', (a) => a.rdcycle('a0').rdinstret('a1').ecall(), { s8: 8, s7: 1 }, (a) => a.li('t0', 7).csrw('mcounteren', 't0').csrw('scounteren', 't0'));
  rom.check('S-mode: ecall from S; sret with TSR, sfence.vma and satp with TVM, wfi with TW are illegal', (a) => {
    const s = a.label(), back = a.label();
    a.li('t0', (1n << 22n) | (1n << 20n) | (1n << 21n)).csrs('mstatus', 't0'); // TSR, TVM, TW
    rom.enterMode(1, s);
    a.bind(s);
    a.sret();
    a.mv('a0', 's8');
    a.sfence_vma();
    a.mv('a1', 's8');
    a.csrr('a2', 'satp');
    a.mv('a2', 's8');
    a.wfi();
    a.mv('a3', 's8');
    a.csrr('a4', 'sstatus'); // allowed
    a.la('s11', back); // the next trap returns to M
    a.ecall();
    a.bind(back);
    a.li('t0', (1n << 22n) | (1n << 20n) | (1n << 21n)).csrc('mstatus', 't0');
  }, { a0: 2, a1: 2, a2: 2, a3: 2, s8: 9, s7: 5 });
  rom.check('delegation: ecall from U goes to the S handler; an undelegated trap goes to M', (a) => {
    const u = a.label(), back = a.label(), ecallAt = a.label();
    a.li('t0', 1 << 8).csrw('medeleg', 't0');
    rom.enterMode(0, u);
    a.bind(u);
    a.bind(ecallAt);
    a.withRvc(false, () => a.ecall()); // to S (delegated): s4/s5/s6
    a.la('s11', back);
    a.csrr('a0', 'mstatus'); // illegal, not delegated: to M
    a.bind(back);
    a.csrw('medeleg', 'zero');
    a.la('t0', ecallAt).sub('a1', 's5', 't0');
  }, { s4: 8, a1: 0, s8: 2, s7: 2 });
  rom.check('a supervisor timer interrupt delegated to S is taken in S, not in M', (a) => {
    const s = a.label(), back = a.label();
    a.li('t0', 0x20).csrw('mideleg', 't0').csrs('mip', 't0').csrs('mie', 't0');
    a.csrsi('mstatus', 2); // SIE
    a.nop(); // pending and enabled, but delegated: not taken in M
    a.mv('a0', 's7');
    rom.enterMode(1, s);
    a.bind(s);
    a.nop(); // the S interrupt is taken here
    a.la('s11', back);
    a.ecall(); // back to M
    a.bind(back);
    a.li('t0', 0x20).csrc('mip', 't0').csrw('mideleg', 'zero').csrc('mie', 't0').csrci('mstatus', 2);
  }, { a0: 0, s4: INT | 5n, s8: 9, s7: 2 });
}

describe('machine external interrupt line', () => {
  it('MEIP wakes wfi and is taken as interrupt 11', () => {
    const rom = new Rom();
    rom.check('MEIP', (a) => {
      a.li('t0', 1 << 11).csrs('mie', 't0').csrsi('mstatus', 8);
      a.wfi();
      a.csrci('mstatus', 8);
    }, { s8: INT | 11n, s7: 1 });
    const m = new Machine({}, { putchar: () => {} });
    m.load(rom.image(), 'meip');
    expect(m.run(100_000)).toEqual({ kind: 'deadlock' });
    m.harts[0]!.setLine(MIP.MEIP, true); // what an interrupt controller does
    expect(m.run(200_000)).toEqual({ kind: 'exit', code: 0, via: 'HTIF' });
  });
});

describe('ISA ROM: privileged architecture', () => {
  for (const jit of [true, false]) {
    const mode = jit ? 'compiled' : 'interpreted';
    it(`CSRs, WARL fields and counters (${mode})`, () => {
      const rom = new Rom();
      csrChecks(rom);
      rom.run({ jit });
    });
    it(`exceptions (${mode})`, () => {
      const rom = new Rom();
      exceptionChecks(rom);
      rom.run({ jit });
    });
    it(`interrupts, wfi and vectored mtvec (${mode})`, () => {
      const rom = new Rom();
      interruptChecks(rom);
      rom.run({ jit });
    });
    it(`supervisor interrupts through mip (${mode})`, () => {
      const rom = new Rom();
      supervisorInterruptChecks(rom);
      rom.run({ jit });
    });
    it(`U-mode and S-mode restrictions, delegation (${mode})`, () => {
      const rom = new Rom();
      privilegeChecks(rom);
      rom.run({ jit });
    });
  }
});
