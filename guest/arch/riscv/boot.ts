/**
 * Boot and trap layer for the guest kernel, like Linux on OpenSBI: every hart starts in M-mode
 * at _start, a minimal M-mode layer (a few lines of "SBI") delegates the supervisor interrupts,
 * and the kernel runs in S-mode on a per-hart stack with tp pointing at its thread_info.
 *
 * IPIs, chosen when the image is built:
 *   clint  the kernel asks M-mode with an SBI IPI ecall (a0 = hart mask); M-mode writes each
 *          target's CLINT msip; the target's M-mode clears it and raises sip.SSIP (OpenSBI's way).
 *   imsic  the kernel writes IPI_ID to each target's S-mode IMSIC page (seteipnum_le), and the
 *          target claims it through stopei (Linux's irq-riscv-imsic-early).
 * Either way the kernel's handler is handle_IPI(): Linux v4.15's loop over the xchg'd op bits.
 */
import type { Asm } from '../../../assembler/dsl/asm.js';
import { VIRT } from '../../../emulator/config.js';
import { GUEST_EVENT, GUEST_EVENT_PAGE } from '../../../emulator/devices/guest-events.js';
import { Kernel, THREAD_INFO } from '../../lib/kernel.js';

export type IpiKind = 'clint' | 'imsic';

/** IPI operations (arch/riscv/kernel/smp.c, v4.15, whose IPI_RESCHEDULE = 0 the scenarios never send). */
export const IPI_CALL_FUNC = 1;
export const IPI_CALL_FUNC_SINGLE = 2;

/** The stall point (Kernel.chance_point) at which handle_IPI sees a duplicate call-function IPI. */
export const STALL_DUPLICATE_IPI = 7;

/** The IMSIC interrupt identity used for IPIs. */
export const IPI_ID = 1;

/** SBI IPI extension ("sPI") and its send_ipi function. */
const SBI_EXT_IPI = 0x735049;

export const STACK_SIZE = 4096;
/** Per-cpu copies are this far apart (a cache line each, so harts do not share one). */
export const PERCPU_STRIDE = 64;

const MSTATUS_MPP_S = 1 << 11;
const MIP_SSIP = 1 << 1, MIP_MSIP = 1 << 3, MIP_SEIP = 1 << 9, MIP_STIP = 1 << 5;
const CAUSE_ECALL_S = 9;
const IRQ_M_SOFT = 3, IRQ_S_SOFT = 1, IRQ_S_EXT = 9;

/** Registers the S-mode trap entry saves (everything a C function may clobber). */
const CALLER_SAVED = ['ra', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'] as const;

export interface BootOptions {
  harts: number;
  ipi: IpiKind;
  /** S-mode entry of each hart, called with a0 = cpu; returns when the hart's part is done. */
  main: string;
  /** Called from handle_IPI for IPI_CALL_FUNC. */
  callFunctionInterrupt: string;
  /** Called from handle_IPI for IPI_CALL_FUNC_SINGLE. */
  callFunctionSingleInterrupt: string;
}

/** _start, the M-mode layer, the S-mode trap entry, handle_IPI and send_ipi_mask. */
export function emitArch(k: Kernel, o: BootOptions): void {
  const a = k.a;
  emitMachineMode(a, o);
  emitSupervisorEntry(k, o);
  emitTrapEntry(k, o);
  emitIpi(k, o);
  emitData(a, o);
}

function emitMachineMode(a: Asm, o: BootOptions): void {
  const start = a.label('_start');
  a.global(start, { type: 'func' });
  a.bind(start);
  a.csrr('s0', 'mhartid');
  // M-mode stack (for the trap handler) in mscratch; M traps first.
  a.la('t0', 'm_stacks').addi('t1', 's0', 1).slli('t1', 't1', 10).add('t0', 't0', 't1').csrw('mscratch', 't0');
  a.la('t0', 'm_trap').csrw('mtvec', 't0');
  // Delegate the supervisor interrupts; take the CLINT's software interrupt here.
  a.li('t0', MIP_SSIP | MIP_STIP | MIP_SEIP).csrw('mideleg', 't0');
  a.li('t0', MIP_MSIP).csrw('mie', 't0');
  // Enter the kernel in S-mode with a0 = hart id.
  a.li('t0', 3 << 11).csrc('mstatus', 't0').li('t0', MSTATUS_MPP_S).csrs('mstatus', 't0');
  a.la('t0', 's_start').csrw('mepc', 't0');
  a.mv('a0', 's0');
  a.mret();

  // M-mode trap handler: the CLINT IPI becomes a supervisor software interrupt; SBI IPI ecalls
  // write the targets' msip; anything else is fatal (the finisher reports code 0x7f).
  a.align(4);
  const mtrap = a.label('m_trap');
  a.bind(mtrap);
  a.csrrw('sp', 'mscratch', 'sp');
  a.addi('sp', 'sp', -32).sd('t0', 0, 'sp').sd('t1', 8, 'sp').sd('t2', 16, 'sp');
  const out = a.label();
  const notIrq = a.label();
  const fatal = a.label();
  a.csrr('t0', 'mcause').bgez('t0', notIrq);
  a.slli('t0', 't0', 1).srli('t0', 't0', 1).li('t1', IRQ_M_SOFT).bne('t0', 't1', fatal);
  a.csrr('t1', 'mhartid').slli('t1', 't1', 2).li('t2', VIRT.CLINT.base).add('t1', 't1', 't2').sw('zero', 0, 't1');
  a.li('t1', MIP_SSIP).csrs('mip', 't1');
  a.j(out);
  a.bind(notIrq);
  a.li('t1', CAUSE_ECALL_S).bne('t0', 't1', fatal);
  // sbi_send_ipi(a0 = hart mask): msip[h] = 1 for each bit.
  a.li('t0', SBI_EXT_IPI).bne('a7', 't0', fatal);
  a.mv('t0', 'a0').li('t1', VIRT.CLINT.base);
  const loop = a.here();
  const next = a.label();
  const done = a.label();
  a.beqz('t0', done);
  a.andi('t2', 't0', 1).beqz('t2', next).li('t2', 1).sw('t2', 0, 't1');
  a.bind(next);
  a.srli('t0', 't0', 1).addi('t1', 't1', 4).j(loop);
  a.bind(done);
  a.li('a0', 0);
  a.csrr('t0', 'mepc').addi('t0', 't0', 4).csrw('mepc', 't0');
  a.bind(out);
  a.ld('t0', 0, 'sp').ld('t1', 8, 'sp').ld('t2', 16, 'sp').addi('sp', 'sp', 32);
  a.csrrw('sp', 'mscratch', 'sp');
  a.mret();
  a.bind(fatal);
  a.li('t0', VIRT.TEST_FINISHER.base).li('t1', (0x7f << 16) | 0x3333).sw('t1', 0, 't0');
  const spin = a.here();
  a.j(spin);
}

function emitSupervisorEntry(k: Kernel, o: BootOptions): void {
  const a = k.a;
  a.align(4);
  a.bind(a.label('s_start'));
  // tp = &thread_info[cpu]; sp = top of this cpu's stack.
  a.la('tp', 'thread_info').slli('t0', 'a0', 4).add('tp', 'tp', 't0');
  a.sd('a0', THREAD_INFO.cpu, 'tp');
  a.slli('t0', 'a0', Math.log2(GUEST_EVENT_PAGE)).li('t1', VIRT.GUEST_EVENTS).add('t0', 't0', 't1').sd('t0', THREAD_INFO.events, 'tp');
  a.la('sp', 'stacks').addi('t0', 'a0', 1).slli('t0', 't0', Math.log2(STACK_SIZE)).add('sp', 'sp', 't0');
  a.la('t0', 's_trap').csrw('stvec', 't0');
  // gp: this hart's stall-point PRNG (Kernel.stall_point), from stall_seeds[cpu].
  a.la('t0', 'stall_seeds').slli('t1', 'a0', 3).add('t0', 't0', 't1').ld('gp', 0, 't0');
  if (o.ipi === 'clint') a.li('t0', MIP_SSIP).csrs('sie', 't0');
  else {
    // IMSIC S-file: deliver, threshold 0, enable IPI_ID.
    a.li('t0', 0x70).csrw('siselect', 't0').li('t0', 1).csrw('sireg', 't0');
    a.li('t0', 0x72).csrw('siselect', 't0').csrw('sireg', 'zero');
    a.li('t0', 0xc0).csrw('siselect', 't0').li('t0', 1 << IPI_ID).csrw('sireg', 't0');
    a.li('t0', MIP_SEIP).csrs('sie', 't0');
  }
  a.mv('s0', 'a0');
  a.call(o.main);
  k.report(GUEST_EVENT.DONE);
  // Keep serving IPIs for the others, with interrupts on.
  k.local_irq_enable();
  const idle = a.here();
  a.wfi().j(idle);
}

function emitTrapEntry(k: Kernel, o: BootOptions): void {
  const a = k.a;
  a.align(4);
  a.bind(a.label('s_trap'));
  const frame = CALLER_SAVED.length * 8;
  a.addi('sp', 'sp', -frame);
  CALLER_SAVED.forEach((r, i) => a.sd(r, 8 * i, 'sp'));
  const out = a.label();
  const bad = a.label();
  a.csrr('t0', 'scause').bgez('t0', bad);
  a.slli('t0', 't0', 1).srli('t0', 't0', 1);
  if (o.ipi === 'clint') {
    a.li('t1', IRQ_S_SOFT).bne('t0', 't1', bad);
    a.li('t1', MIP_SSIP).csrc('sip', 't1');
    a.call('handle_IPI');
  } else {
    a.li('t1', IRQ_S_EXT).bne('t0', 't1', bad);
    // Claim every pending identity; IPI_ID runs handle_IPI.
    k.loop((brk) => {
      a.csrrw('t0', 'stopei', 'zero').srli('t0', 't0', 16).beqz('t0', brk);
      a.li('t1', IPI_ID);
      k.if_(['eq', 't0', 't1'], () => a.call('handle_IPI'));
    });
  }
  a.j(out);
  a.bind(bad);
  a.csrr('a0', 'scause').csrr('a1', 'sepc');
  k.report(GUEST_EVENT.BUG, ['a0', 'a1']);
  const spin = a.here();
  a.j(spin);
  a.bind(out);
  CALLER_SAVED.forEach((r, i) => a.ld(r, 8 * i, 'sp'));
  a.addi('sp', 'sp', frame);
  a.sret();
}

function emitIpi(k: Kernel, o: BootOptions): void {
  const a = k.a;
  /*
   * void handle_IPI(void)
   *   for (;;) { mb(); ops = xchg(&ipi_data[me].bits, 0); if (!ops) break;
   *              if (ops & (1 << IPI_CALL_FUNC)) generic_smp_call_function_interrupt();
   *              if (ops & (1 << IPI_CALL_FUNC_SINGLE)) generic_smp_call_function_single_interrupt(); mb(); }
   */
  k.fn('handle_IPI', ['s1', 's2'], () => {
    a.ld('t0', THREAD_INFO.cpu, 'tp');
    k.per_cpu_ptr('s1', 'ipi_data', 't0', PERCPU_STRIDE);
    k.loop((brk) => {
      k.smp_mb();
      k.xchg('s2', ['s1', 0], 'zero');
      a.beqz('s2', brk);
      a.andi('t0', 's2', 1 << IPI_CALL_FUNC);
      k.if_(['nez', 't0'], () => {
        a.call(o.callFunctionInterrupt);
        // A late or duplicate IPI (the race catalog's R2 reproducer): at the chosen passes the
        // call-function IPI is delivered again, so the handler walks the queue once more.
        k.chance_point(STALL_DUPLICATE_IPI, () => {
          a.li('t0', IPI_CALL_FUNC);
          k.set_bit('t0', ['s1', 0]);
        });
      });
      a.andi('t0', 's2', 1 << IPI_CALL_FUNC_SINGLE);
      k.if_(['nez', 't0'], () => a.call(o.callFunctionSingleInterrupt));
      k.smp_mb();
    });
  });
  /*
   * void send_ipi_message(const struct cpumask *mask (a0 = the mask itself), int op (a1))
   *   mb(); for each cpu in mask: set_bit(op, &ipi_data[cpu].bits); mb(); sbi_send_ipi(mask);
   */
  k.fn('send_ipi_message', ['s1', 's2', 's3', 's4'], () => {
    a.mv('s1', 'a0').mv('s2', 'a1');
    k.smp_mb();
    /** for_each_cpu(cpu = s3, mask = s1) body(cpu) */
    const forEachCpu = (body: () => void) => {
      a.mv('s4', 's1').li('s3', 0);
      k.while_(() => ['nez', 's4'], () => {
        a.andi('t0', 's4', 1);
        k.if_(['nez', 't0'], body);
        a.srli('s4', 's4', 1).addi('s3', 's3', 1);
      });
    };
    forEachCpu(() => {
      k.per_cpu_ptr('t0', 'ipi_data', 's3', PERCPU_STRIDE);
      k.set_bit('s2', ['t0', 0]);
    });
    k.smp_mb();
    if (o.ipi === 'clint') {
      // sbi_send_ipi(mask): the M-mode layer writes each target's msip.
      a.mv('a0', 's1').li('a1', 0).li('a6', 0).li('a7', SBI_EXT_IPI).ecall();
    } else {
      // writel(IPI_ID, imsic page of cpu): fence w,o; sw
      forEachCpu(() => {
        a.slli('t0', 's3', 12).li('t1', VIRT.IMSIC_S).add('t0', 't0', 't1').li('t1', IPI_ID);
        a.fence('w', 'o');
        a.sw('t1', 0, 't0');
      });
    }
  });
}

function emitData(a: Asm, o: BootOptions): void {
  a.data().align(64);
  a.bind(a.label('thread_info'));
  a.zero(16 * o.harts);
  a.align(64);
  a.bind(a.label('ipi_data'));
  a.zero(PERCPU_STRIDE * o.harts);
  a.bss().align(4096);
  a.bind(a.label('stacks'));
  a.zero(STACK_SIZE * (o.harts + 1));
  a.bind(a.label('m_stacks'));
  a.zero(1024 * (o.harts + 1));
  a.text();
}
