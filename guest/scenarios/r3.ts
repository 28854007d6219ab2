/**
 * R3: concurrent clearing of the caller's mask (../shared/seeds/002, Mike Galbraith's perma-spin).
 * Hart 0 calls smp_call_function_many(&shared_mask, func, info, wait=1) K times on a live mask
 * that every other hart keeps clearing and setting its own bit in (as an mm's cpumask on context
 * switches). If the fastpath saw two bits but cpumask_and() then sees none, v3/v3b put an entry
 * with refs 0 on the list, IPI nobody, and wait forever; v4 unlocks and returns.
 */
import { allHartsMask, type Kernel } from '../lib/kernel.js';
import { STALL } from '../kernel/smp/common.js';
import { checkQueueEmpty, exitPass, waitForHarts } from './end.js';

export function emitR3(k: Kernel, harts: number, iterations: number): void {
  const a = k.a;
  /* The catalog's reproducer: a delay on the caller between the fastpath scan and cpumask_and. */
  k.arm_stall_points([STALL.BEFORE_CPUMASK_AND, STALL.MASK_TOGGLE]);
  k.fn('r3_func', [], () => {
    a.la('t0', 'r3_calls').li('t1', 1).amoadd_d('zero', 't1', 't0');
  });

  k.fn('kernel_main', ['s1', 's2'], () => {
    const [cpu, seq] = ['s1', 's2'] as const;
    a.mv(cpu, 'a0');
    k.local_irq_enable();
    k.if_(
      ['eqz', cpu],
      () => {
        a.li(seq, 1);
        const loop = a.here();
        const done = a.label();
        a.li('t0', iterations + 1).beq(seq, 't0', done);
        /* smp_call_function_many(&shared_mask, r3_func, info, 1) */
        a.la('a0', 'shared_mask').la('a1', 'r3_func').slli('a2', cpu, 32).add('a2', 'a2', seq).li('a3', 1);
        a.call('smp_call_function_many');
        a.addi(seq, seq, 1).j(loop);
        a.bind(done);
        /* Stop the others, wait for them, check the queue is empty, exit. */
        a.la('t0', 'r3_stop').li('t1', 1);
        k.WRITE_ONCE(['t0', 0], 't1');
        waitForHarts(k, harts - 1);
        checkQueueEmpty(k);
        exitPass(k);
      },
      () => {
        /* while (!READ_ONCE(r3_stop)) { cpumask_clear_cpu(me, &shared_mask); ...; cpumask_set_cpu(me, &shared_mask); } */
        k.loop((brk) => {
          a.la('t0', 'r3_stop');
          k.READ_ONCE('t0', ['t0', 0]);
          a.bnez('t0', brk);
          a.la('t1', 'shared_mask');
          k.cpumask_clear_cpu(cpu, ['t1', 0]);
          k.stall_point(STALL.MASK_TOGGLE);
          a.la('t1', 'shared_mask');
          k.cpumask_set_cpu(cpu, ['t1', 0]);
          k.cpu_relax();
        });
        a.la('t0', 'harts_done').li('t1', 1).amoadd_w_aqrl('zero', 't1', 't0');
      },
    );
  });

  a.data().align(64);
  a.bind(a.label('shared_mask'));
  a.dword(allHartsMask(harts));
  a.align(64);
  a.bind(a.label('r3_stop'));
  a.dword(0);
  a.bind(a.label('r3_calls'));
  a.dword(0);
  a.align(64);
  a.bind(a.label('harts_done'));
  a.word(0);
  a.text();
}
