/**
 * kernel/smp.c pieces that every version before the llist rewrite shares (v1..v4): the data
 * structures, the csd lock, and the globals. The version modules (v1.ts, v2.ts, ...) hold what the
 * patches changed: smp_call_function_many() and generic_smp_call_function_interrupt().
 */
import { GUEST_EVENT } from '../../../emulator/devices/guest-events.js';
import { type Kernel, THREAD_INFO, allHartsMask } from '../../lib/kernel.js';
import type { Reg } from '../../../assembler/dsl/asm.js';
import { LIST_HEAD, struct } from '../../lib/structs.js';
import { IPI_CALL_FUNC_SINGLE, PERCPU_STRIDE } from '../../arch/riscv/boot.js';

/** struct call_single_data { struct list_head list; void (*func)(void *); void *info; u16 flags; } */
export const CSD = struct('call_single_data', { list: LIST_HEAD, func: 'ptr', info: 'ptr', flags: 'u32' });
export const CSD_FLAG_LOCK = 1;

/** struct call_function_data { struct call_single_data csd; atomic_t refs; cpumask_var_t cpumask; } */
export const CFD = struct('call_function_data', { csd: CSD, refs: 'u32', cpumask: 'u64' });
if (CFD.$size > PERCPU_STRIDE) throw new Error('call_function_data does not fit its per-cpu slot');

/** static struct { struct list_head queue; raw_spinlock_t lock; } call_function */
export const CALL_FUNCTION = struct('call_function', { queue: LIST_HEAD, lock: 'u32' });

/** Stall points (Kernel.stall_point) of the smp code: where the race runner may inject delays. */
export const STALL = {
  /** In the handler's list walk, after loading the next entry's pointer (stale pointers, R1/R2). */
  WALK_NEXT: 0,
  /** In smp_call_function_many, after refs is set and before the entry goes on the list (R2). */
  BEFORE_LIST_ADD: 1,
  /** In smp_call_function_many, between the fastpath scan of the mask and cpumask_and (R3). */
  BEFORE_CPUMASK_AND: 2,
  /** In a callback, so that calls overlap (all scenarios). */
  IN_FUNC: 3,
  /** R3: between clearing and setting a hart's own bit in the caller's live mask. */
  MASK_TOGGLE: 4,
  /**
   * In v1/v2's smp_call_function_many, between writing the cpumask and setting refs: R1's window
   * (a stale walker that sees its bit here finds refs still 0). From v3 on, BEFORE_LIST_ADD sits
   * in the same place.
   */
  MASK_PUBLISHED: 5,
  // 7 is the arch layer's duplicate IPI (guest/arch/riscv/boot.ts STALL_DUPLICATE_IPI).
} as const;

/**
 * The walker's stall after it loaded the next entry's pointer (STALL.WALK_NEXT): it may watch that
 * entry's cpumask or refs, so that a stale walker can resume right after the owner rewrites them.
 */
export function stall_walk_next(k: Kernel, data: Reg): void {
  k.stall_point(STALL.WALK_NEXT, { base: data, fields: [CFD.cpumask, CFD.refs] });
}

/** struct call_single_queue { struct list_head list; raw_spinlock_t lock; } (per cpu) */
export const CALL_SINGLE_QUEUE = struct('call_single_queue', { list: LIST_HEAD, lock: 'u32' });
/** An on-stack csd, rounded to keep sp 16-byte aligned. */
const CSD_ON_STACK = Math.ceil(CSD.$size / 16) * 16;

/** How many polls of a csd lock count as a perma-spin (reported, then the wait goes on). */
export const CSD_LOCK_WAIT_BOUND = 20_000;

/** The globals: call_function (an empty list), per-cpu cfd_data, cpu_online_mask. */
export function emitSmpData(k: Kernel, harts: number): void {
  const a = k.a;
  a.data().align(64);
  const cf = a.label('call_function');
  a.bind(cf);
  a.dword(cf, cf); // LIST_HEAD_INIT: next = prev = &queue
  a.word(0, 0); // lock
  a.align(64);
  a.bind(a.label('cfd_data'));
  a.zero(PERCPU_STRIDE * harts);
  a.align(64);
  a.bind(a.label('call_single_queue'));
  for (let cpu = 0; cpu < harts; cpu++) {
    const q = a.here();
    a.dword(q, q); // LIST_HEAD_INIT
    a.zero(PERCPU_STRIDE - 16);
  }
  a.bind(a.label('csd_data'));
  a.zero(PERCPU_STRIDE * harts);
  a.bind(a.label('cpu_online_mask'));
  a.dword(allHartsMask(harts));
  a.text();
}

/** The csd lock: csd_lock_wait(), csd_lock(), csd_unlock() (kernel/smp.c of 2.6.32..2.6.39). */
export function emitCsdLock(k: Kernel): void {
  const a = k.a;
  /* static void csd_lock_wait(struct call_single_data *data)
   *     while (data->flags & CSD_FLAG_LOCK) cpu_relax(); */
  k.fn('csd_lock_wait', [], () => {
    a.li('t6', CSD_LOCK_WAIT_BOUND);
    k.loop((done) => {
      a.lw('t0', CSD.flags, 'a0').andi('t0', 't0', CSD_FLAG_LOCK).beqz('t0', done);
      k.cpu_relax();
      a.addi('t6', 't6', -1);
      k.if_(['eqz', 't6'], () => {
        k.report(GUEST_EVENT.SPIN, ['a0']); // a perma-spin: the lock is never released
        a.li('t6', CSD_LOCK_WAIT_BOUND);
      });
    });
  });
  /* static void csd_lock(struct call_single_data *data)
   *     csd_lock_wait(data); data->flags = CSD_FLAG_LOCK; smp_mb(); */
  k.fn('csd_lock', ['s1'], () => {
    a.mv('s1', 'a0').call('csd_lock_wait');
    a.li('t0', CSD_FLAG_LOCK).sw('t0', CSD.flags, 's1');
    k.smp_mb();
  });
  /* static void csd_unlock(struct call_single_data *data)
   *     WARN_ON(!(data->flags & CSD_FLAG_LOCK)); smp_mb(); data->flags &= ~CSD_FLAG_LOCK; */
  k.fn('csd_unlock', [], () => {
    a.lw('t0', CSD.flags, 'a0').andi('t0', 't0', CSD_FLAG_LOCK);
    k.WARN_ON(['eqz', 't0'], ['a0']);
    k.smp_mb();
    a.lw('t0', CSD.flags, 'a0').andi('t0', 't0', ~CSD_FLAG_LOCK).sw('t0', CSD.flags, 'a0');
  });
  emitSingle(k);
}

/**
 * The single-target path, unchanged from 2.6.32 to 2.6.39: a per-cpu call_single_queue (a locked
 * list), generic_exec_single(), generic_smp_call_function_single_interrupt() and
 * smp_call_function_single(). smp_call_function_many() takes it when only one cpu is targeted.
 */
function emitSingle(k: Kernel): void {
  const a = k.a;
  /*
   * static void generic_exec_single(int cpu (a0), struct call_single_data *data (a1), int wait (a2))
   *   raw_spin_lock_irqsave(&dst->lock, flags); ipi = list_empty(&dst->list);
   *   list_add_tail(&data->list, &dst->list); raw_spin_unlock_irqrestore(&dst->lock, flags);
   *   if (ipi) arch_send_call_function_single_ipi(cpu);  if (wait) csd_lock_wait(data);
   */
  k.fn('generic_exec_single', ['s1', 's2', 's3', 's4', 's5'], () => {
    const [cpu, data, wait, dst, flags] = ['s1', 's2', 's3', 's4', 's5'] as const;
    a.mv(cpu, 'a0').mv(data, 'a1').mv(wait, 'a2');
    k.per_cpu_ptr(dst, 'call_single_queue', cpu, PERCPU_STRIDE);
    k.raw_spin_lock_irqsave([dst, CALL_SINGLE_QUEUE.lock], flags);
    k.list_empty('a4', dst);
    /* list_add_tail(&data->list, &dst->list) */
    a.ld('t0', LIST_HEAD.prev, dst);
    a.sd(dst, LIST_HEAD.next, data).sd('t0', LIST_HEAD.prev, data);
    a.sd(data, LIST_HEAD.next, 't0').sd(data, LIST_HEAD.prev, dst);
    k.raw_spin_unlock_irqrestore([dst, CALL_SINGLE_QUEUE.lock], flags);
    /*
     * The list addition should be visible before sending the IPI
     * handler locks the list to pull the entry off it because of
     * normal cache coherency rules implied by spinlocks.
     */
    k.if_(['nez', 'a4'], () => {
      a.li('a0', 1).sll('a0', 'a0', cpu).li('a1', IPI_CALL_FUNC_SINGLE).call('send_ipi_message');
    });
    k.if_(['nez', wait], () => a.mv('a0', data).call('csd_lock_wait'));
  });
  /*
   * void generic_smp_call_function_single_interrupt(void)
   *   raw_spin_lock(&q->lock); list_replace_init(&q->list, &list); raw_spin_unlock(&q->lock);
   *   while (!list_empty(&list)) { data = first; list_del(&data->list);
   *     data_flags = data->flags; data->func(data->info); if (data_flags & CSD_FLAG_LOCK) csd_unlock(data); }
   */
  k.fn('generic_smp_call_function_single_interrupt', ['s1', 's2', 's3', 's4'], () => {
    const [q, data, next, flags] = ['s1', 's2', 's3', 's4'] as const;
    a.ld('t0', THREAD_INFO.cpu, 'tp');
    k.per_cpu_ptr(q, 'call_single_queue', 't0', PERCPU_STRIDE);
    k.raw_spin_lock([q, CALL_SINGLE_QUEUE.lock]);
    /* Take the whole list: data = first entry; the last entry's next is q itself. */
    a.ld(data, LIST_HEAD.next, q);
    a.ld('t0', LIST_HEAD.prev, q);
    a.sd(q, LIST_HEAD.next, q).sd(q, LIST_HEAD.prev, q); // INIT_LIST_HEAD
    k.raw_spin_unlock([q, CALL_SINGLE_QUEUE.lock]);
    k.while_(() => ['ne', data, q], () => {
      a.ld(next, LIST_HEAD.next, data);
      a.lw(flags, CSD.flags, data);
      a.ld('t0', CSD.func, data).ld('a0', CSD.info, data).jalr('t0');
      a.andi('t0', flags, CSD_FLAG_LOCK);
      k.if_(['nez', 't0'], () => a.mv('a0', data).call('csd_unlock'));
      a.mv(data, next);
    });
  });
  /*
   * int smp_call_function_single(int cpu (a0), void (*func)(void *) (a1), void *info (a2), int wait (a3))
   *   the caller's own cpu: run func with interrupts off; else lock a csd (on the stack when
   *   waiting, the per-cpu csd_data when not) and generic_exec_single().
   */
  k.fn('smp_call_function_single', ['s1', 's2', 's3', 's4', 's5'], (ctx) => {
    const [cpu, func, info, wait, data] = ['s1', 's2', 's3', 's4', 's5'] as const;
    a.mv(cpu, 'a0').mv(func, 'a1').mv(info, 'a2').mv(wait, 'a3');
    a.ld('t0', THREAD_INFO.cpu, 'tp');
    k.if_(['eq', cpu, 't0'], () => {
      k.local_irq_save('a4');
      a.mv('a0', info).jalr(func);
      k.local_irq_restore('a4');
      ctx.return_();
    });
    a.addi('sp', 'sp', -CSD_ON_STACK);
    k.if_(
      ['nez', wait],
      () => {
        a.mv(data, 'sp');
        a.sw('zero', CSD.flags, data); // struct call_single_data d = { .flags = 0 };
      },
      () => {
        a.ld('t0', THREAD_INFO.cpu, 'tp');
        k.per_cpu_ptr(data, 'csd_data', 't0', PERCPU_STRIDE);
      },
    );
    a.mv('a0', data).call('csd_lock');
    a.sd(func, CSD.func, data).sd(info, CSD.info, data);
    a.mv('a0', cpu).mv('a1', data).mv('a2', wait).call('generic_exec_single');
    a.addi('sp', 'sp', CSD_ON_STACK);
  });
}

/** rd = smp_processor_id() */
export function smp_processor_id(k: Kernel, rd: 'a0' | 't0' | 's1' | 's2' | 's3' | 's4' | 's5' | 's6' | 's7'): void {
  k.a.ld(rd, THREAD_INFO.cpu, 'tp');
}
