/**
 * R1: Anton Blanchard's test (../shared/seeds/004): every hart calls
 * smp_call_function(func, info, wait=1) K times, a distinct info per call (sender << 32 | seq).
 * The callback checks that each target sees each sender's calls exactly once and in order, so a
 * lost, doubled or stale call (R1c: the previous call's func/info) is reported as CHECK; the
 * kernel's own WARN_ON(refs < 0) and the bounded csd_lock_wait (a perma-spin) report the rest. At
 * the end hart 0 checks that call_function.queue is empty and exits through the test finisher.
 */
import { VIRT } from '../../emulator/config.js';
import { GUEST_EVENT } from '../../emulator/devices/guest-events.js';
import type { Kernel } from '../lib/kernel.js';
import { LIST_HEAD } from '../lib/structs.js';
import { STALL, smp_processor_id } from '../kernel/smp/common.js';

/** CHECK codes. */
export const CHECK_CALL_ORDER = 1;
export const CHECK_QUEUE_NOT_EMPTY = 2;

export function emitR1(k: Kernel, harts: number, iterations: number): void {
  const a = k.a;
  /* The callback: info = sender << 32 | seq. last_seen[sender][me] must be seq - 1. */
  k.fn('r1_func', ['s1'], () => {
    smp_processor_id(k, 't0');
    a.srli('t1', 'a0', 32).li('t2', harts).mul('t1', 't1', 't2').add('t1', 't1', 't0').slli('t1', 't1', 3);
    a.la('s1', 'last_seen').add('s1', 's1', 't1');
    a.ld('t1', 0, 's1').addi('t1', 't1', 1);
    a.slli('t2', 'a0', 32).srli('t2', 't2', 32);
    k.if_(['ne', 't1', 't2'], () => {
      a.li('t3', CHECK_CALL_ORDER);
      k.report(GUEST_EVENT.CHECK, ['t3', 'a0', 't1']);
    });
    a.sd('t2', 0, 's1');
    k.stall_point(STALL.IN_FUNC);
  });

  /* int kernel_main(int cpu): the K calls, then the end-of-test check on hart 0. */
  k.fn('kernel_main', ['s1', 's2'], () => {
    a.mv('s1', 'a0').li('s2', 1);
    k.local_irq_enable();
    const loop = a.here();
    const done = a.label();
    a.li('t0', iterations + 1).beq('s2', 't0', done);
    /* smp_call_function(r1_func, info, 1) == smp_call_function_many(cpu_online_mask, ...) */
    a.la('a0', 'cpu_online_mask').la('a1', 'r1_func').slli('a2', 's1', 32).add('a2', 'a2', 's2').li('a3', 1);
    a.call('smp_call_function_many');
    a.addi('s2', 's2', 1).j(loop);
    a.bind(done);
    /* Count in; hart 0 waits (serving IPIs) for everyone, then checks the queue is empty. */
    a.la('t0', 'r1_done').li('t1', 1).amoadd_w_aqrl('zero', 't1', 't0');
    k.if_(['eqz', 's1'], () => {
      const wait = a.here();
      a.la('t0', 'r1_done').lw('t0', 0, 't0').li('t1', harts).bne('t0', 't1', wait);
      k.smp_mb();
      a.la('t0', 'call_function');
      k.list_empty('t1', 't0');
      k.if_(['eqz', 't1'], () => {
        a.li('t3', CHECK_QUEUE_NOT_EMPTY).la('t4', 'call_function').ld('t4', LIST_HEAD.next, 't4');
        k.report(GUEST_EVENT.CHECK, ['t3', 't4']);
      });
      a.li('t0', VIRT.TEST_FINISHER.base).li('t1', 0x5555).sw('t1', 0, 't0');
    });
  });

  a.data().align(64);
  a.bind(a.label('last_seen'));
  a.zero(8 * harts * harts);
  a.align(64);
  a.bind(a.label('r1_done'));
  a.word(0);
  a.text();
}
