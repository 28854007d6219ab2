/**
 * v6 with Peter Zijlstra's "smp: Make smp_call_function_single_async() safer" (RFC, 22 Jul and
 * 18 Aug 2020, ../shared/seeds/004_c74587f1a2a282cd.txt; never merged): the csd lock is taken
 * with one cmpxchg, so two callers cannot both queue the same csd (R4a), with a full barrier
 * before it even when it fails, paired with an smp_mb() between csd_unlock() and func() in the
 * flush (R4b).
 */
import { GUEST_EVENT } from '../../../emulator/devices/guest-events.js';
import { IPI_CALL_FUNC_SINGLE, PERCPU_STRIDE } from '../../arch/riscv/boot.js';
import { emitCallFunctionData, emitCallFunctionMany } from './llist-common.js';
import { type Kernel, THREAD_INFO } from '../../lib/kernel.js';
import { LLIST_NODE } from '../../lib/structs.js';

export const VERSION = { name: 'v6-peterz', commit: 'RFC v2 09/10, 2020-08-18 (not merged)', title: 'smp: Make smp_call_function_single_async() safer' };
export const GENERATION = 'llist';

import { CSD, CSD_FLAG_LOCK, CSD_FLAG_TYPE_MASK, CSD_TYPE_SYNC } from './llist-common.js';
export const EBUSY = 16;

/** How many polls of a csd lock, and how many queue entries in one flush, count as never ending. */
const CSD_LOCK_WAIT_BOUND = 20_000;
const FLUSH_BOUND = 1_000;

export function emitSmp(k: Kernel): void {
  const a = k.a;
  /* static __always_inline void csd_lock_wait(call_single_data_t *csd)
   *     smp_cond_load_acquire(&csd->node.u_flags, !(VAL & CSD_FLAG_LOCK)); */
  k.fn('csd_lock_wait', [], () => {
    k.smp_cond_load_acquire('t0', ['a0', CSD.u_flags], 4, (v) => {
      a.andi('t1', v, CSD_FLAG_LOCK);
      return ['eqz', 't1'];
    }, CSD_LOCK_WAIT_BOUND);
  });
  /* static __always_inline void csd_lock(call_single_data_t *csd)
   *     csd_lock_wait(csd); csd->node.u_flags |= CSD_FLAG_LOCK; smp_wmb(); */
  k.fn('csd_lock', ['s1'], () => {
    a.mv('s1', 'a0').call('csd_lock_wait');
    a.lw('t0', CSD.u_flags, 's1').ori('t0', 't0', CSD_FLAG_LOCK).sw('t0', CSD.u_flags, 's1');
    k.smp_wmb();
  });
  /* static __always_inline void csd_unlock(call_single_data_t *csd)
   *     WARN_ON(!(csd->node.u_flags & CSD_FLAG_LOCK)); smp_store_release(&csd->node.u_flags, 0); */
  k.fn('csd_unlock', [], () => {
    a.lw('t0', CSD.u_flags, 'a0').andi('t0', 't0', CSD_FLAG_LOCK);
    k.WARN_ON(['eqz', 't0'], ['a0']);
    k.smp_store_release(['a0', CSD.u_flags], 'zero', 4);
  });

  /*
   * static int generic_exec_single(int cpu (a0), call_single_data_t *csd (a1))
   *   if (cpu == smp_processor_id()) { func, info = csd->...; csd_unlock(csd);
   *       local_irq_save(flags); func(info); local_irq_restore(flags); return 0; }
   *   __smp_call_single_queue(cpu, &csd->node.llist): if (llist_add(node, &per_cpu(call_single_queue, cpu)))
   *       send_call_function_single_ipi(cpu);
   */
  k.fn('generic_exec_single', ['s1', 's2', 's3', 's4'], (ctx) => {
    const [cpu, csd] = ['s1', 's2'] as const;
    a.mv(cpu, 'a0').mv(csd, 'a1');
    a.ld('t0', THREAD_INFO.cpu, 'tp');
    k.if_(['eq', cpu, 't0'], () => {
      a.ld('s3', CSD.func, csd).ld('s4', CSD.info, csd);
      a.mv('a0', csd).call('csd_unlock');
      k.local_irq_save('a4');
      a.mv('a0', 's4').jalr('s3');
      k.local_irq_restore('a4');
      a.li('a0', 0);
      ctx.return_();
    });
    k.per_cpu_ptr('s3', 'call_single_queue', cpu, PERCPU_STRIDE);
    a.addi('t0', csd, CSD.llist);
    k.llist_add('t1', 't0', 's3');
    k.if_(['nez', 't1'], () => {
      a.li('a0', 1).sll('a0', 'a0', cpu).li('a1', IPI_CALL_FUNC_SINGLE).call('send_ipi_message');
    });
    a.li('a0', 0);
  });

  /*
   * int smp_call_function_single_async(int cpu (a0), call_single_data_t *csd (a1))
   *   preempt_disable();
   *   We still need RELEASE like semantics, even when the cmpxchg() fails.
   *   Pairs with the smp_mb() in flush_smp_call_function_queue().
   *   smp_mb__before_atomic();
   *   if (cmpxchg_relaxed(&csd->node.u_flags, 0, CSD_FLAG_LOCK) != 0) { err = -EBUSY; goto out; }
   *   ctrl-dep orders later stores
   *   err = generic_exec_single(cpu, csd);
   * out: preempt_enable(); return err;
   */
  k.fn('smp_call_function_single_async', ['s1', 's2'], (ctx) => {
    const [cpu, csd] = ['s1', 's2'] as const;
    a.mv(cpu, 'a0').mv(csd, 'a1');
    k.smp_mb__before_atomic();
    a.li('t1', CSD_FLAG_LOCK);
    k.cmpxchg_relaxed('t0', [csd, CSD.u_flags], 'zero', 't1', 4);
    k.if_(['nez', 't0'], () => {
      a.li('a0', -EBUSY);
      ctx.return_();
    });
    a.mv('a0', cpu).mv('a1', csd).call('generic_exec_single');
  });

  /*
   * static void flush_smp_call_function_queue(bool warn_cpu_offline)     (interrupts disabled)
   *   entry = llist_del_all(head); entry = llist_reverse_order(entry);
   *   First; run all SYNC callbacks, people are waiting for us:
   *     llist_for_each_entry_safe(csd, csd_next, entry, llist) if (CSD_TYPE(csd) == CSD_TYPE_SYNC) {
   *         unlink csd; func(info); csd_unlock(csd); }
   *   Second; run all !SYNC callbacks:
   *     llist_for_each_entry_safe(csd, csd_next, entry, llist) if (CSD_TYPE(csd) == CSD_TYPE_ASYNC) {
   *         func = csd->func; info = csd->info; csd_unlock(csd); func(info); }
   */
  k.fn('flush_smp_call_function_queue', ['s1', 's2', 's3', 's4', 's5', 's6', 's7'], () => {
    const [entry, csd, next, func, info, count, prev] = ['s1', 's2', 's3', 's4', 's5', 's6', 's7'] as const;
    a.ld('t1', THREAD_INFO.cpu, 'tp');
    k.per_cpu_ptr('t0', 'call_single_queue', 't1', PERCPU_STRIDE);
    k.llist_del_all('t1', 't0');
    k.llist_reverse_order(entry, 't1');
    /* Both passes walk at most FLUSH_BOUND entries: a longer list has a cycle (R4a's self-loop). */
    const walk = (body: () => void) => {
      a.mv(csd, entry).li(count, FLUSH_BOUND);
      k.while_(() => ['nez', csd], () => {
        a.addi(count, count, -1);
        k.if_(['eqz', count], () => {
          k.report(GUEST_EVENT.LIST_CORRUPTION, [csd]); /* the llist loops on itself */
          const spin = a.here();
          a.j(spin);
        });
        a.ld(next, LLIST_NODE.next, csd);
        body();
        a.mv(csd, next);
      });
    };
    a.li(prev, 0);
    walk(() => {
      a.lw('t0', CSD.u_flags, csd).andi('t0', 't0', CSD_FLAG_TYPE_MASK).li('t1', CSD_TYPE_SYNC);
      k.if_(
        ['eq', 't0', 't1'],
        () => {
          /* Unlink it so that the second pass does not see it. */
          k.if_(['eqz', prev], () => a.mv(entry, next), () => a.sd(next, LLIST_NODE.next, prev));
          a.ld('t0', CSD.func, csd).ld('a0', CSD.info, csd).jalr('t0');
          a.mv('a0', csd).call('csd_unlock');
        },
        () => a.mv(prev, csd),
      );
    });
    walk(() => {
      a.lw('t0', CSD.u_flags, csd).andi('t0', 't0', CSD_FLAG_TYPE_MASK);
      k.if_(['eqz', 't0'], () => {
        a.ld(func, CSD.func, csd).ld(info, CSD.info, csd);
        a.mv('a0', csd).call('csd_unlock');
        /*
         * Ensures any LOAD of func() will be after
         * the above UNLOCK, this guarantees that
         * func() will observe any state prior
         * to _async() returning -EBUSY.
         */
        k.smp_mb();
        a.mv('a0', info).jalr(func);
      });
    });
  });

  emitCallFunctionMany(k);

  /* void generic_smp_call_function_single_interrupt(void) { flush_smp_call_function_queue(true); } */
  k.fn('generic_smp_call_function_single_interrupt', [], () => {
    a.call('flush_smp_call_function_queue');
  });
  /* The global-queue handler no longer exists: its IPI drains the same queue. */
  k.fn('generic_smp_call_function_interrupt', [], () => {
    a.call('flush_smp_call_function_queue');
  });
}

/** Per-cpu call_single_queue (llist heads), then smp_call_function_many's data. */
export function emitSmpData(k: Kernel, harts: number): void {
  const a = k.a;
  a.data().align(64);
  a.bind(a.label('call_single_queue'));
  a.zero(PERCPU_STRIDE * harts);
  a.text();
  emitCallFunctionData(k, harts);
}
