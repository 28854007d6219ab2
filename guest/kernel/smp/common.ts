/**
 * kernel/smp.c pieces that every version before the llist rewrite shares (v1..v4): the data
 * structures, the csd lock, and the globals. The version modules (v1.ts, v2.ts, ...) hold what the
 * patches changed: smp_call_function_many() and generic_smp_call_function_interrupt().
 */
import { GUEST_EVENT } from '../../../emulator/devices/guest-events.js';
import { type Kernel, THREAD_INFO } from '../../lib/kernel.js';
import { LIST_HEAD, struct } from '../../lib/structs.js';
import { PERCPU_STRIDE } from '../../arch/riscv/boot.js';

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
} as const;

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
  a.bind(a.label('cpu_online_mask'));
  a.dword(harts >= 64 ? -1n : (1n << BigInt(harts)) - 1n);
  a.text();
}

/** The csd lock: csd_lock_wait(), csd_lock(), csd_unlock() (kernel/smp.c of 2.6.32..2.6.39). */
export function emitCsdLock(k: Kernel): void {
  const a = k.a;
  /* static void csd_lock_wait(struct call_single_data *data)
   *     while (data->flags & CSD_FLAG_LOCK) cpu_relax(); */
  k.fn('csd_lock_wait', [], () => {
    const done = a.label();
    a.li('t6', CSD_LOCK_WAIT_BOUND);
    k.loop((brk) => {
      a.lw('t0', CSD.flags, 'a0').andi('t0', 't0', CSD_FLAG_LOCK).beqz('t0', done);
      k.cpu_relax();
      a.addi('t6', 't6', -1);
      k.if_(['eqz', 't6'], () => {
        k.report(GUEST_EVENT.SPIN, ['a0']); // a perma-spin: the lock is never released
        a.li('t6', CSD_LOCK_WAIT_BOUND);
      });
      void brk;
    });
    a.bind(done);
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
  /* smp_call_function_single(): the scenarios always have two or more targets, so the "many"
   * path runs; a single target is reported as a BUG instead of being ported (not needed yet). */
  k.fn('smp_call_function_single', [], () => {
    a.li('t0', 0x5179);
    k.report(GUEST_EVENT.BUG, ['t0']);
  });
}

/** rd = smp_processor_id() */
export function smp_processor_id(k: Kernel, rd: 'a0' | 't0' | 's1' | 's2' | 's3' | 's4' | 's5' | 's6' | 's7'): void {
  k.a.ld(rd, THREAD_INFO.cpu, 'tp');
}
