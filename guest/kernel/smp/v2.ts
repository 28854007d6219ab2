/**
 * v2: kernel/smp.c after 6dc19899958e420a931274b94019e267e2396d3e ("smp_call_function_many: fix
 * SMP race", Anton Blanchard, ../shared/seeds/003_00ae2546e10135a1.txt): the sender orders the
 * cpumask (and func, info) before refs with smp_wmb(); the handler tests its bit, smp_rmb(), and
 * skips an entry whose refs is still 0 - it is being reused. The reuse BUG_ON came with it.
 */
import { IPI_CALL_FUNC, PERCPU_STRIDE } from '../../arch/riscv/boot.js';
import type { Kernel } from '../../lib/kernel.js';
import { LIST_HEAD } from '../../lib/structs.js';
import { CALL_FUNCTION, CFD, CSD, STALL, smp_processor_id, stall_walk_next } from './common.js';

export const VERSION = { name: 'v2', commit: '6dc19899958e', title: 'smp_call_function_many: fix SMP race' };

export function emitSmp(k: Kernel): void {
  const a = k.a;
  /*
   * void smp_call_function_many(const struct cpumask *mask, void (*func)(void *), void *info, bool wait)
   */
  k.fn('smp_call_function_many', ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'], (ctx) => {
    const [mask, func, info, wait, this_cpu, data, cf, flags] = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'] as const;
    a.mv(mask, 'a0').mv(func, 'a1').mv(info, 'a2').mv(wait, 'a3');
    smp_processor_id(k, this_cpu);
    /* So, what's a CPU they want? Ignoring this one. */
    a.ld('t0', 0, mask).la('t1', 'cpu_online_mask').ld('t1', 0, 't1').and('t0', 't0', 't1');
    a.li('t1', 1).sll('t1', 't1', this_cpu).not('t1', 't1').and('t0', 't0', 't1');
    k.if_(['eqz', 't0'], () => ctx.return_());
    /* Do we have another CPU which isn't us? If not, use smp_call_function_single(). */
    a.addi('t1', 't0', -1).and('t1', 't0', 't1');
    k.if_(['eqz', 't1'], () => {
      k.cpumask_first('a0', 't0');
      a.mv('a1', func).mv('a2', info).mv('a3', wait).call('smp_call_function_single');
      ctx.return_();
    });

    k.stall_point(STALL.BEFORE_CPUMASK_AND);
    k.per_cpu_ptr(data, 'cfd_data', this_cpu, PERCPU_STRIDE);
    a.addi('a0', data, CFD.csd).call('csd_lock');
    /* BUG_ON(atomic_read(&data->refs) || !cpumask_empty(data->cpumask)); */
    k.atomic_read('t0', [data, CFD.refs]);
    a.ld('t1', CFD.cpumask, data).or('t0', 't0', 't1');
    k.BUG_ON(['nez', 't0'], ['t0']);

    a.sd(func, CFD.csd + CSD.func, data);
    a.sd(info, CFD.csd + CSD.info, data);
    /* cpumask_and(data->cpumask, mask, cpu_online_mask); */
    a.ld('t0', 0, mask).la('t1', 'cpu_online_mask').ld('t1', 0, 't1').and('t0', 't0', 't1').sd('t0', CFD.cpumask, data);
    k.cpumask_clear_cpu(this_cpu, [data, CFD.cpumask]);

    /*
     * To ensure the interrupt handler gets an complete view
     * we order the cpumask and refs writes and order the read
     * of them in the interrupt handler.  In addition we may
     * only clear our own cpu bit from the mask.
     */
    k.smp_wmb();

    k.stall_point(STALL.MASK_PUBLISHED);
    a.ld('t0', CFD.cpumask, data);
    k.cpumask_weight('t1', 't0');
    k.atomic_set([data, CFD.refs], 't1');

    k.stall_point(STALL.BEFORE_LIST_ADD);
    a.la(cf, 'call_function');
    k.raw_spin_lock_irqsave([cf, CALL_FUNCTION.lock], flags);
    /*
     * Place entry at the _HEAD_ of the list, so that any cpu still
     * observing the entry in generic_smp_call_function_interrupt()
     * will not miss any other list entries:
     */
    a.addi('t0', data, CFD.csd + CSD.list);
    k.list_add_rcu('t0', cf);
    k.raw_spin_unlock_irqrestore([cf, CALL_FUNCTION.lock], flags);

    /*
     * Make the list addition visible before sending the ipi.
     * (IPIs must obey or appear to obey normal Linux cache
     * coherency rules -- see comment in generic_exec_single).
     */
    k.smp_mb();

    /* Send a message to all CPUs in the map */
    a.ld('a0', CFD.cpumask, data).li('a1', IPI_CALL_FUNC).call('send_ipi_message');

    /* Optionally wait for the CPUs to complete */
    k.if_(['nez', wait], () => {
      a.addi('a0', data, CFD.csd).call('csd_lock_wait');
    });
  });

  /*
   * void generic_smp_call_function_interrupt(void)
   */
  k.fn('generic_smp_call_function_interrupt', ['s1', 's2', 's3', 's4'], () => {
    const [cpu, head, data, refs] = ['s1', 's2', 's3', 's4'] as const;
    smp_processor_id(k, cpu);
    /*
     * Ensure entry is visible on call_function_queue after we have
     * entered the IPI. See comment in smp_call_function_many.
     * If we don't have this, then we may miss an entry on the list
     * and never get another IPI to process it.
     */
    k.smp_mb();

    a.la(head, 'call_function');
    const next = a.label();
    const done = a.label();
    /* list_for_each_entry_rcu(data, &call_function.queue, csd.list) */
    k.READ_ONCE(data, [head, LIST_HEAD.next]);
    stall_walk_next(k, data);
    const top = a.here();
    a.beq(data, head, done);

    /*
     * Since we walk the list without any locks, we might
     * see an entry that was completed, removed from the
     * list and is in the process of being reused.
     *
     * We must check that the cpu is in the cpumask before
     * checking the refs, and both must be set before
     * executing the callback on this cpu.
     */
    k.cpumask_test_cpu('t0', cpu, [data, CFD.cpumask]);
    a.beqz('t0', next);

    k.smp_rmb();

    k.atomic_read('t0', [data, CFD.refs]);
    a.beqz('t0', next);

    k.cpumask_test_and_clear_cpu('t0', cpu, [data, CFD.cpumask]);
    a.beqz('t0', next);

    a.ld('t0', CFD.csd + CSD.func, data).ld('a0', CFD.csd + CSD.info, data).jalr('t0');

    k.atomic_dec_return(refs, [data, CFD.refs]);
    k.WARN_ON(['ltz', refs], [refs, data]);
    a.bnez(refs, next);

    a.la('t0', 'call_function');
    k.raw_spin_lock(['t0', CALL_FUNCTION.lock]);
    k.list_del_rcu(data);
    a.la('t0', 'call_function');
    k.raw_spin_unlock(['t0', CALL_FUNCTION.lock]);

    a.addi('a0', data, CFD.csd).call('csd_unlock');

    a.bind(next);
    k.READ_ONCE(data, [data, LIST_HEAD.next]);
    stall_walk_next(k, data);
    a.j(top);
    a.bind(done);
  });
}
