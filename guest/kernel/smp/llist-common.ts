/**
 * What v6 and v6-peterz share, as Peter Zijlstra's patch leaves it alone: the csd layout and
 * flags, and smp_call_function_many() / smp_call_function_single() of the llist generation (5.9's
 * smp_call_function_many_cond() without cond_func; kernel/smp.c). Each target gets its own csd,
 * cfd_csd[this_cpu][cpu], queued on that cpu's call_single_queue; the caller waits on each in turn.
 */
import { IPI_CALL_FUNC, PERCPU_STRIDE } from '../../arch/riscv/boot.js';
import { type Kernel, THREAD_INFO, allHartsMask } from '../../lib/kernel.js';
import { LLIST_NODE, struct } from '../../lib/structs.js';
import { STALL } from './common.js';

/** struct __call_single_data { struct __call_single_node node { llist, u_flags }; func; info; } */
export const CSD = struct('__call_single_data', { llist: LLIST_NODE, u_flags: 'u32', func: 'ptr', info: 'ptr' });
export const CSD_FLAG_LOCK = 0x01;
/** CSD_TYPE_ASYNC is 0. */
export const CSD_TYPE_SYNC = 0x10;
export const CSD_FLAG_TYPE_MASK = 0xf0;

/** An on-stack csd (smp_call_function_single), rounded to keep sp 16-byte aligned. */
const CSD_ON_STACK = Math.ceil(CSD.$size / 16) * 16;
/** struct call_function_data { call_single_data_t __percpu *csd; cpumask_var_t cpumask, cpumask_ipi; }: the
 * per-cpu csds are cfd_csd[this_cpu][cpu], CSD_STRIDE bytes apart in rows of 64 cpus. */
const CFD = struct('call_function_data', { cpumask: 'u64', cpumask_ipi: 'u64' });
const CSD_STRIDE = 32;
const CFD_CSD_ROW = 64 * CSD_STRIDE;
if (CSD.$size > CSD_STRIDE) throw new Error('call_single_data does not fit its cfd_csd slot');

/** Needs the version's csd_lock, csd_lock_wait and generic_exec_single. */
export function emitCallFunctionMany(k: Kernel): void {
  const a = k.a;
  /*
   * int smp_call_function_single(int cpu (a0), smp_call_func_t func (a1), void *info (a2), int wait (a3))
   *   call_single_data_t csd_stack = { .flags = CSD_FLAG_LOCK | CSD_TYPE_SYNC, };
   *   csd = &csd_stack;       (the scenarios always wait; !wait would take this cpu's csd_data)
   *   csd->func = func; csd->info = info;
   *   err = generic_exec_single(cpu, csd);
   *   if (wait) csd_lock_wait(csd);
   */
  k.fn('smp_call_function_single', ['s1'], () => {
    k.BUG_ON(['eqz', 'a3'], ['a3']);
    a.addi('sp', 'sp', -CSD_ON_STACK).mv('s1', 'sp');
    a.sd('zero', CSD.llist, 's1').li('t0', CSD_FLAG_LOCK | CSD_TYPE_SYNC).sw('t0', CSD.u_flags, 's1');
    a.sd('a1', CSD.func, 's1').sd('a2', CSD.info, 's1');
    a.mv('a1', 's1').call('generic_exec_single');
    a.mv('a0', 's1').call('csd_lock_wait');
    a.addi('sp', 'sp', CSD_ON_STACK);
  });

  /*
   * void smp_call_function_many(const struct cpumask *mask (a0), smp_call_func_t func, void *info, bool wait)
   *   (smp_call_function_many_cond() with no cond_func)
   *   cpu = cpumask_first_and(mask, cpu_online_mask); if (cpu == this_cpu) cpu = cpumask_next_and(...);
   *   if (cpu >= nr_cpu_ids) return;
   *   next_cpu = ...; if (next_cpu >= nr_cpu_ids) { smp_call_function_single(cpu, func, info, wait); return; }
   *   cfd = this_cpu_ptr(&cfd_data);
   *   cpumask_and(cfd->cpumask, mask, cpu_online_mask); __cpumask_clear_cpu(this_cpu, cfd->cpumask);
   *   if (unlikely(!cpumask_weight(cfd->cpumask))) return;
   *   cpumask_clear(cfd->cpumask_ipi);
   *   for_each_cpu(cpu, cfd->cpumask) {
   *       call_single_data_t *csd = per_cpu_ptr(cfd->csd, cpu);
   *       csd_lock(csd); if (wait) csd->node.u_flags |= CSD_TYPE_SYNC;
   *       csd->func = func; csd->info = info;
   *       if (llist_add(&csd->node.llist, &per_cpu(call_single_queue, cpu))) __cpumask_set_cpu(cpu, cfd->cpumask_ipi);
   *   }
   *   arch_send_call_function_ipi_mask(cfd->cpumask_ipi);
   *   if (wait) for_each_cpu(cpu, cfd->cpumask) csd_lock_wait(per_cpu_ptr(cfd->csd, cpu));
   */
  k.fn('smp_call_function_many', ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'], (ctx) => {
    const [mask, func, info, wait, this_cpu, cfd, cpu, left, csd] = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'] as const;
    a.mv(mask, 'a0').mv(func, 'a1').mv(info, 'a2').mv(wait, 'a3');
    a.ld(this_cpu, THREAD_INFO.cpu, 'tp');
    /* The fastpath scan of the (possibly live) mask: no target, or just one. */
    a.ld('t0', 0, mask).la('t1', 'cpu_online_mask').ld('t1', 0, 't1').and('t0', 't0', 't1');
    a.li('t1', 1).sll('t1', 't1', this_cpu).not('t1', 't1').and('t0', 't0', 't1');
    k.if_(['eqz', 't0'], () => ctx.return_());
    a.addi('t1', 't0', -1).and('t1', 't0', 't1');
    k.if_(['eqz', 't1'], () => {
      k.cpumask_first('a0', 't0');
      a.mv('a1', func).mv('a2', info).mv('a3', wait).call('smp_call_function_single');
      ctx.return_();
    });

    k.stall_point(STALL.BEFORE_CPUMASK_AND);
    k.per_cpu_ptr(cfd, 'cfd_data', this_cpu, PERCPU_STRIDE);
    a.ld('t0', 0, mask).la('t1', 'cpu_online_mask').ld('t1', 0, 't1').and('t0', 't0', 't1');
    a.li('t1', 1).sll('t1', 't1', this_cpu).not('t1', 't1').and('t0', 't0', 't1').sd('t0', CFD.cpumask, cfd);
    k.if_(['eqz', 't0'], () => ctx.return_());
    a.sd('zero', CFD.cpumask_ipi, cfd);

    /* for_each_cpu(cpu, cfd->cpumask): csd = &cfd_csd[this_cpu][cpu] */
    const forEachTarget = (body: () => void) => {
      a.ld(left, CFD.cpumask, cfd).li(cpu, 0);
      k.while_(() => ['nez', left], () => {
        a.andi('t0', left, 1);
        k.if_(['nez', 't0'], () => {
          a.la(csd, 'cfd_csd').li('t0', CFD_CSD_ROW).mul('t0', 't0', this_cpu).add(csd, csd, 't0');
          a.slli('t0', cpu, Math.log2(CSD_STRIDE)).add(csd, csd, 't0');
          body();
        });
        a.srli(left, left, 1).addi(cpu, cpu, 1);
      });
    };
    forEachTarget(() => {
      a.mv('a0', csd).call('csd_lock');
      k.if_(['nez', wait], () => a.lw('t0', CSD.u_flags, csd).ori('t0', 't0', CSD_TYPE_SYNC).sw('t0', CSD.u_flags, csd));
      a.sd(func, CSD.func, csd).sd(info, CSD.info, csd);
      k.per_cpu_ptr('t2', 'call_single_queue', cpu, PERCPU_STRIDE);
      a.addi('t0', csd, CSD.llist);
      k.llist_add('t1', 't0', 't2');
      k.if_(['nez', 't1'], () => {
        a.li('t0', 1).sll('t0', 't0', cpu).ld('t1', CFD.cpumask_ipi, cfd).or('t1', 't1', 't0').sd('t1', CFD.cpumask_ipi, cfd);
      });
    });

    /* Send a message to all CPUs in the map */
    a.ld('a0', CFD.cpumask_ipi, cfd);
    k.if_(['nez', 'a0'], () => a.li('a1', IPI_CALL_FUNC).call('send_ipi_message'));

    k.if_(['nez', wait], () => forEachTarget(() => a.mv('a0', csd).call('csd_lock_wait')));
  });

}

/** cfd_data and its csds, and cpu_online_mask. */
export function emitCallFunctionData(k: Kernel, harts: number): void {
  const a = k.a;
  a.data().align(64);
  a.bind(a.label('cfd_data'));
  a.zero(PERCPU_STRIDE * harts);
  a.align(64);
  a.bind(a.label('cfd_csd'));
  a.zero(CFD_CSD_ROW * harts);
  a.bind(a.label('cpu_online_mask'));
  a.dword(allHartsMask(harts));
  a.text();
}
