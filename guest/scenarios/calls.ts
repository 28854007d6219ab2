/**
 * The call-loop scenarios: every hart calls smp_call_function_many(mask, func, info, wait=1) K
 * times with a distinct info per call (sender << 32 | seq), and the callbacks and the callers
 * check the invariants:
 *   - a target sees each sender's calls in order, never one twice (CHECK "lost or doubled call");
 *   - when a call returns, every target in its mask has run it (CHECK "lost call");
 *   - with distinct functions, a callback only ever gets its own call's info (CHECK "stale func");
 *   - at the end call_function.queue is empty (CHECK), then hart 0 exits through the finisher.
 * The kernel itself reports WARN_ON(refs < 0), debug-list failures and (bounded) perma-spins.
 *
 *   R1   Anton Blanchard's test (../shared/seeds/003_00ae2546e10135a1.txt): every call goes to
 *        all other harts.
 *   R1c  the same with two callbacks taking turns, so a stale func/info pair is visible.
 *   R2   varying masks that leave out the last completer (>= 4 harts): each call goes to every
 *        other hart but the one that ran the caller's previous call last (almost always the one
 *        that completed it), so the completer of one call is not a target of the next
 *        (race-catalog R2). The first call leaves out the next hart up.
 */
import { GUEST_EVENT } from '../../emulator/devices/guest-events.js';
import type { Kernel } from '../lib/kernel.js';
import { STALL, smp_processor_id } from '../kernel/smp/common.js';
import { STALL_DUPLICATE_IPI } from '../arch/riscv/boot.js';
import { CHECK, checkQueueEmpty, exitPass, waitForHarts } from './end.js';

export { CHECK };

export interface CallLoopOptions {
  /** The race the loop is set up for: its masks, callbacks and delay plan. */
  readonly race: 'R1' | 'R1c' | 'R2';
}

export function emitCallLoop(k: Kernel, harts: number, iterations: number, o: CallLoopOptions): void {
  const a = k.a;
  const masks = o.race === 'R2' ? 'not-last-completer' : 'all';
  const distinctFuncs = o.race === 'R1c';
  /*
   * The delay plan (race-catalog section 3): stale walkers (a stall after loading ->next) fed by
   * duplicate IPIs, and for R1 the sender's window between the cpumask and refs (MASK_PUBLISHED in
   * v1/v2, BEFORE_LIST_ADD from v3 on), for R2 the one between refs and list_add. R1c's window is
   * a reordering of the sender's stores, which no delay opens.
   */
  const plan = { R1: [STALL.MASK_PUBLISHED, STALL.BEFORE_LIST_ADD], R1c: [], R2: [STALL.BEFORE_LIST_ADD] }[o.race];
  k.arm_stall_points([STALL.WALK_NEXT, STALL_DUPLICATE_IPI, ...plan]);
  if (masks === 'not-last-completer' && harts < 4) throw new Error('varying masks need at least 4 harts (two targets and one left out)');

  /*
   * The callback: info = sender << 32 | seq. Checks and records last_seen[sender][me]: with every
   * call going to every hart it must be seq - 1, with varying masks below seq. `parity` is the
   * parity of seq this function was installed for (distinct functions), or -1.
   */
  const callback = (name: string, parity: number) =>
    k.fn(name, ['s1'], () => {
      smp_processor_id(k, 't0');
      a.srli('t1', 'a0', 32).li('t2', harts).mul('t1', 't1', 't2').add('t1', 't1', 't0').slli('t1', 't1', 3);
      a.la('s1', 'last_seen').add('s1', 's1', 't1');
      a.ld('t1', 0, 's1');
      a.slli('t2', 'a0', 32).srli('t2', 't2', 32);
      if (masks === 'all') {
        a.addi('t1', 't1', 1);
        k.if_(['ne', 't1', 't2'], () => {
          a.li('t3', CHECK.CALL_ORDER);
          k.report(GUEST_EVENT.CHECK, ['t3', 'a0', 't1']);
        });
      } else {
        k.if_(['le', 't2', 't1'], () => {
          a.li('t3', CHECK.CALL_ORDER);
          k.report(GUEST_EVENT.CHECK, ['t3', 'a0', 't1']);
        });
      }
      if (parity >= 0) {
        a.andi('t3', 't2', 1).li('t4', parity);
        k.if_(['ne', 't3', 't4'], () => {
          a.li('t3', CHECK.STALE_FUNC);
          k.report(GUEST_EVENT.CHECK, ['t3', 'a0']);
        });
      }
      a.sd('t2', 0, 's1');
      if (masks === 'not-last-completer') {
        /* last_ran[sender] = me: the caller leaves it out of its next mask. */
        a.srli('t1', 'a0', 32).slli('t1', 't1', 3).la('t2', 'last_ran').add('t1', 't1', 't2').sd('t0', 0, 't1');
      }
      k.stall_point(STALL.IN_FUNC);
    });
  callback('call_func_odd', distinctFuncs ? 1 : -1);
  if (distinctFuncs) callback('call_func_even', 0);

  /* int kernel_main(int cpu): the K calls, then the end-of-test check on hart 0. */
  k.fn('kernel_main', ['s1', 's2', 's3'], () => {
    const [cpu, seq, mask] = ['s1', 's2', 's3'] as const;
    a.mv(cpu, 'a0').li(seq, 1);
    k.local_irq_enable();
    const loop = a.here();
    const done = a.label();
    a.li('t0', iterations + 1).beq(seq, 't0', done);
    // The mask for this call: all harts, or all but the hart that ran our previous call last.
    a.la('t0', 'cpu_online_mask').ld(mask, 0, 't0');
    if (masks === 'not-last-completer') {
      a.la('t0', 'last_ran').slli('t1', cpu, 3).add('t0', 't0', 't1').ld('t0', 0, 't0');
      k.if_(['ltz', 't0'], () => a.addi('t0', cpu, 1).li('t1', harts).remu('t0', 't0', 't1')); // the first call
      a.li('t1', 1).sll('t1', 't1', 't0').not('t1', 't1').and(mask, mask, 't1');
    }
    a.la('t0', 'call_masks').slli('t1', cpu, 3).add('t0', 't0', 't1').sd(mask, 0, 't0');
    /* smp_call_function_many(&call_masks[cpu], func, info, 1) */
    a.mv('a0', 't0');
    if (distinctFuncs) {
      a.andi('t1', seq, 1).la('a1', 'call_func_odd');
      k.if_(['eqz', 't1'], () => a.la('a1', 'call_func_even'));
    } else a.la('a1', 'call_func_odd');
    a.slli('a2', cpu, 32).add('a2', 'a2', seq).li('a3', 1);
    a.call('smp_call_function_many');
    // The test's own read barrier: the wait ended on a plain load of the csd flags.
    k.smp_rmb();
    // Every target has run this call: last_seen[me][t] == seq for each t in the mask but me.
    a.li('t0', 1).sll('t0', 't0', cpu).not('t0', 't0').and('a4', mask, 't0'); // a4: targets left to check
    a.li('a5', 0).li('a6', harts); // a5: target
    a.la('a7', 'last_seen').li('t0', harts * 8).mul('t0', 't0', cpu).add('a7', 'a7', 't0'); // &last_seen[me][0]
    k.while_(() => ['ltu', 'a5', 'a6'], () => {
      a.andi('t0', 'a4', 1);
      k.if_(['nez', 't0'], () => {
        a.slli('t0', 'a5', 3).add('t0', 'a7', 't0').ld('t0', 0, 't0');
        k.if_(['ne', 't0', seq], () => {
          a.li('t3', CHECK.LOST_CALL).slli('t4', cpu, 32).add('t4', 't4', seq);
          k.report(GUEST_EVENT.CHECK, ['t3', 't4', 'a5']);
        });
      });
      a.srli('a4', 'a4', 1).addi('a5', 'a5', 1);
    });
    a.addi(seq, seq, 1).j(loop);
    a.bind(done);
    /* Count in; hart 0 waits (serving IPIs) for everyone, then checks the queue is empty. */
    a.la('t0', 'harts_done').li('t1', 1).amoadd_w_aqrl('zero', 't1', 't0');
    k.if_(['eqz', cpu], () => {
      waitForHarts(k, harts);
      checkQueueEmpty(k);
      exitPass(k);
    });
  });

  a.data().align(64);
  a.bind(a.label('last_seen'));
  a.zero(8 * harts * harts);
  a.align(64);
  a.bind(a.label('last_ran'));
  for (let i = 0; i < harts; i++) a.dword(-1n);
  a.align(64);
  a.bind(a.label('call_masks'));
  a.zero(8 * harts);
  a.align(64);
  a.bind(a.label('harts_done'));
  a.word(0);
  a.text();
}
