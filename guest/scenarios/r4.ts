/**
 * R4: smp_call_function_single_async() (../shared/seeds/004_c74587f1a2a282cd.txt, race-catalog
 * R4), on the llist code.
 *
 *   R4a  harts 0 and 1 both call smp_call_function_single_async(2, &r4_csd) K times on one csd.
 *        With the plain test-then-store of CSD_FLAG_LOCK both may queue it: the llist node then
 *        points to itself and the target's flush never ends (reported as list corruption), or the
 *        callback runs a different number of times than calls were queued (CHECK).
 *   R4b  hart 0 stores state = i, then calls async(1, &r4_csd); when that returns -EBUSY, the
 *        pending callback must still see state i. At the end the last callback run must have seen
 *        state K (CHECK "lost update" otherwise): the store-buffering shape, allowed by tso and
 *        wmo, that Peter Zijlstra's smp_mb() pair forbids.
 */
import { GUEST_EVENT } from '../../emulator/devices/guest-events.js';
import type { Kernel } from '../lib/kernel.js';
import { CSD } from '../kernel/smp/llist-common.js';
import { STALL } from '../kernel/smp/common.js';
import { exitPass, waitForHarts } from './end.js';

export const CHECK_R4 = { CALL_COUNT: 5, LOST_UPDATE: 6 } as const;

export function emitR4(k: Kernel, harts: number, iterations: number, variant: 'a' | 'b'): void {
  const a = k.a;
  const callers = variant === 'a' ? 2 : 1;
  const target = callers; // hart 2 (R4a) or hart 1 (R4b)
  if (harts < target + 1) throw new Error(`R4${variant} needs ${target + 1} harts`);

  /* The callback: count the run; R4b also records the state it saw. */
  const r4_func = k.fn('r4_func', [], () => {
    if (variant === 'b') {
      a.la('t0', 'r4_state');
      k.READ_ONCE('t1', ['t0', 0]);
      a.la('t0', 'r4_seen').sd('t1', 0, 't0');
    }
    a.la('t0', 'r4_runs').li('t1', 1).amoadd_d_aqrl('zero', 't1', 't0');
    k.stall_point(STALL.IN_FUNC);
  });

  k.fn('kernel_main', ['s1', 's2'], () => {
    const [cpu, seq] = ['s1', 's2'] as const;
    a.mv(cpu, 'a0');
    k.local_irq_enable();
    a.li('t0', callers);
    k.if_(
      ['lt', cpu, 't0'],
      () => {
        /* The callers. */
        a.li(seq, 1);
        const loop = a.here();
        const done = a.label();
        a.li('t0', iterations + 1).beq(seq, 't0', done);
        if (variant === 'b') {
          a.la('t0', 'r4_state');
          k.WRITE_ONCE(['t0', 0], seq); /* state = NEW */
        }
        a.li('a0', target).la('a1', 'r4_csd').call('smp_call_function_single_async');
        k.if_(['eqz', 'a0'], () => a.la('t0', 'r4_queued').li('t1', 1).amoadd_d('zero', 't1', 't0'));
        k.stall_point(STALL.BEFORE_LIST_ADD);
        a.addi(seq, seq, 1).j(loop);
        a.bind(done);
        a.la('t0', 'harts_done').li('t1', 1).amoadd_w_aqrl('zero', 't1', 't0');
        k.if_(['eqz', cpu], () => {
          /* Hart 0 waits for the other callers, then for every queued call to have run. */
          waitForHarts(k, callers);
          a.la('t0', 'r4_queued').ld('t2', 0, 't0');
          k.smp_cond_load_acquire('t3', ['t0', 8], 8, (v) => ['geu', v, 't2'], 200_000); /* r4_runs >= queued */
          k.smp_mb();
          a.la('t0', 'r4_queued').ld('t2', 0, 't0').ld('t3', 8, 't0');
          k.if_(['ne', 't2', 't3'], () => {
            a.li('t4', CHECK_R4.CALL_COUNT);
            k.report(GUEST_EVENT.CHECK, ['t4', 't2', 't3']);
          });
          if (variant === 'b') {
            a.la('t0', 'r4_seen').ld('t1', 0, 't0').li('t2', iterations);
            k.if_(['ne', 't1', 't2'], () => {
              a.li('t4', CHECK_R4.LOST_UPDATE);
              k.report(GUEST_EVENT.CHECK, ['t4', 't1', 't2']);
            });
          }
          exitPass(k);
        });
      },
      () => {
        /* The target (and any other hart) serves IPIs until the end. */
        const idle = a.here();
        a.wfi().j(idle);
      },
    );
  });

  a.data().align(64);
  a.bind(a.label('r4_csd'));
  a.dword(0); // llist.next
  a.word(0, 0); // u_flags (CSD_TYPE_ASYNC), padding
  a.dword(r4_func); // func
  a.dword(0); // info
  if (CSD.func !== 16 || CSD.info !== 24) throw new Error('r4_csd initialiser out of step with struct __call_single_data');
  a.align(64);
  a.bind(a.label('r4_queued'));
  a.dword(0);
  a.bind(a.label('r4_runs')); // r4_queued + 8
  a.dword(0);
  a.bind(a.label('r4_state'));
  a.dword(0);
  a.bind(a.label('r4_seen'));
  a.dword(0);
  a.align(64);
  a.bind(a.label('harts_done'));
  a.word(0);
  a.text();
}
