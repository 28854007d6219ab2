/**
 * The end of a scenario, shared by all of them: hart 0 waits (serving IPIs) until the other harts
 * have counted themselves in harts_done, checks what must hold at quiescence, and passes through
 * the test finisher.
 */
import { VIRT } from '../../emulator/config.js';
import { GUEST_EVENT } from '../../emulator/devices/guest-events.js';
import type { Kernel } from '../lib/kernel.js';
import { LIST_HEAD, LLIST_HEAD } from '../lib/structs.js';
import { PERCPU_STRIDE } from '../arch/riscv/boot.js';

/** CHECK codes (the first argument of a CHECK event; tools/race/schedule.ts names them). */
export const CHECK = { CALL_ORDER: 1, QUEUE_NOT_EMPTY: 2, LOST_CALL: 3, STALE_FUNC: 4 } as const;

/**
 * Spin until harts_done reaches n, with acquire ordering: what the other harts did before counting
 * themselves in (their amoadd.w.aqrl) is visible to every load after this wait.
 */
export function waitForHarts(k: Kernel, n: number): void {
  const a = k.a;
  a.la('t1', 'harts_done').li('t2', n);
  k.smp_cond_load_acquire('t0', ['t1', 0], 4, (v) => ['eq', v, 't2']);
}

/** Every call queue must be empty once every call has returned (CHECK otherwise). */
export function checkQueueEmpty(k: Kernel): void {
  k.a.call('check_call_queues_empty');
}

/** check_call_queues_empty() for the global call_function.queue (v1..v4). */
export function emitGlobalQueueCheck(k: Kernel): void {
  const a = k.a;
  k.fn('check_call_queues_empty', [], () => {
    k.smp_mb();
    a.la('t0', 'call_function');
    k.list_empty('t1', 't0');
    k.if_(['eqz', 't1'], () => {
      a.li('t3', CHECK.QUEUE_NOT_EMPTY).la('t4', 'call_function').ld('t4', LIST_HEAD.next, 't4');
      k.report(GUEST_EVENT.CHECK, ['t3', 't4']);
    });
  });
}

/** check_call_queues_empty() for the per-cpu lock-less call_single_queue lists (v6). */
export function emitLlistQueueCheck(k: Kernel, harts: number): void {
  const a = k.a;
  k.fn('check_call_queues_empty', ['s1'], () => {
    k.smp_mb();
    a.li('s1', 0);
    k.while_(() => {
      a.li('t2', harts);
      return ['lt', 's1', 't2'];
    }, () => {
      k.per_cpu_ptr('t0', 'call_single_queue', 's1', PERCPU_STRIDE);
      a.ld('t4', LLIST_HEAD.first, 't0');
      k.if_(['nez', 't4'], () => {
        a.li('t3', CHECK.QUEUE_NOT_EMPTY);
        k.report(GUEST_EVENT.CHECK, ['t3', 't4']);
      });
      a.addi('s1', 's1', 1);
    });
  });
}

/** Pass through the SiFive test finisher. */
export function exitPass(k: Kernel): void {
  k.a.li('t0', VIRT.TEST_FINISHER.base).li('t1', 0x5555).sw('t1', 0, 't0');
}
