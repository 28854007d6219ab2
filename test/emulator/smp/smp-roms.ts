/**
 * The SMP ROM programs, in the DSL: IPI ping-pong between every ordered pair of harts, a shared
 * counter under several locks (or none), and timer interrupts on every hart.
 */
import type { Asm } from '../../../assembler/dsl/asm.js';
import { CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP, IMSIC_M, MIE_MEIE, MIE_MSIE, MIE_MTIE, MSTATUS_MIE, SmpRom } from './smp-rom.js';

export type Doorbell = 'clint' | 'imsic-topei' | 'imsic-eip';


/** Offsets of per-hart dword arrays in the `mail` block. */
const PING_FROM = 0, PONG_FLAG = 8, PONG_COUNT = 16, PINGS_RCVD = 24, SENDER_SUM = 32, STRIDE = 40;

export function pingPongRom(n: number, doorbell: Doorbell): SmpRom {
  const pairs = n * (n - 1);
  /** mail + hart * STRIDE + field, in t0 (hart index in `reg`). */
  const slot = (a: Asm, reg: 's0' | 'a0' | 'a1' | 't2', field: number) => {
    a.la('t0', 'mail').li('t1', STRIDE).mul('t1', 't1', reg).add('t0', 't0', 't1');
    if (field) a.addi('t0', 't0', field);
  };
  const ring = (a: Asm, target: 'a0' | 'a1' | 't2') => {
    if (doorbell === 'clint') a.li('t0', CLINT_MSIP).slli('t1', target, 2).add('t0', 't0', 't1').li('t1', 1).sw('t1', 0, 't0');
    else a.li('t0', IMSIC_M).slli('t1', target, 12).add('t0', 't0', 't1').li('t1', 1).sw('t1', 0, 't0');
  };
  return new SmpRom(n, {
    main: (a, rom) => {
      const loop = a.label(), mine = a.label(), wait = a.label(), got = a.label(), out = a.label();
      if (doorbell === 'clint') a.li('t0', MIE_MSIE).csrs('mie', 't0');
      else {
        a.li('t0', 0x70).csrw('miselect', 't0').li('t0', 1).csrw('mireg', 't0'); // eidelivery = 1
        a.li('t0', 0xc0).csrw('miselect', 't0').li('t0', 2).csrw('mireg', 't0'); // enable identity 1
        a.li('t0', MIE_MEIE).csrs('mie', 't0');
      }
      a.csrsi('mstatus', MSTATUS_MIE);
      a.bind(loop);
      a.la('t0', 'turn').lw('a0', 0, 't0');
      a.li('t1', pairs).beq('a0', 't1', out);
      a.li('t1', n - 1).divu('a1', 'a0', 't1').remu('t2', 'a0', 't1'); // pinger i = t / (n-1)
      a.blt('t2', 'a1', mine).addi('t2', 't2', 1); // target j skips i
      a.bind(mine);
      a.bne('a1', 's0', loop);
      // Ping j (t2): remember the pong count, leave our number in its mailbox, ring its doorbell.
      slot(a, 's0', PONG_COUNT);
      a.ld('a2', 0, 't0');
      a.addi('a1', 's0', 1);
      slot(a, 't2', PING_FROM);
      a.sd('a1', 0, 't0');
      a.fence('w', 'o');
      ring(a, 't2');
      // Wait for the pong without losing the wakeup: check with interrupts off, sleep, take it.
      a.bind(wait);
      a.csrci('mstatus', MSTATUS_MIE);
      slot(a, 's0', PONG_COUNT);
      a.ld('t1', 0, 't0').bne('t1', 'a2', got);
      a.wfi();
      a.csrsi('mstatus', MSTATUS_MIE);
      a.j(wait);
      a.bind(got);
      a.csrsi('mstatus', MSTATUS_MIE);
      a.la('t0', 'turn').lw('a0', 0, 't0').addi('a0', 'a0', 1).sw('a0', 0, 't0');
      a.j(loop);
      a.bind(out);
      a.csrci('mstatus', MSTATUS_MIE);
    },
    handler: (a, rom) => {
      // Acknowledge the doorbell.
      if (doorbell === 'clint') a.li('t0', CLINT_MSIP).slli('t1', 's0', 2).add('t0', 't0', 't1').sw('zero', 0, 't0');
      else if (doorbell === 'imsic-topei') {
        a.csrrw('a0', 'mtopei', 'zero'); // claim: reads (identity << 16) | priority
        a.li('t1', (1 << 16) | 1);
        rom.failUnless((ok) => a.beq('a0', 't1', ok), 90);
      } else {
        a.li('t0', 0x80).csrw('miselect', 't0').csrr('a0', 'mireg'); // eip0
        a.andi('t1', 'a0', 2);
        rom.failUnless((ok) => a.bnez('t1', ok), 91);
        a.li('t1', 2).csrrc('zero', 'mireg', 't1'); // claim by clearing the pending bit
      }
      // A ping: count it, add up who sent it, and pong back.
      const noPing = a.label(), noPong = a.label();
      slot(a, 's0', PING_FROM);
      a.ld('a0', 0, 't0').beqz('a0', noPing);
      a.sd('zero', 0, 't0');
      slot(a, 's0', PINGS_RCVD);
      a.ld('t1', 0, 't0').addi('t1', 't1', 1).sd('t1', 0, 't0');
      slot(a, 's0', SENDER_SUM);
      a.ld('t1', 0, 't0').add('t1', 't1', 'a0').sd('t1', 0, 't0');
      a.addi('a1', 'a0', -1);
      slot(a, 'a1', PONG_FLAG);
      a.li('t1', 1).sd('t1', 0, 't0');
      a.fence('w', 'o');
      ring(a, 'a1');
      a.bind(noPing);
      // A pong: count it.
      slot(a, 's0', PONG_FLAG);
      a.ld('a0', 0, 't0').beqz('a0', noPong);
      a.sd('zero', 0, 't0');
      slot(a, 's0', PONG_COUNT);
      a.ld('t1', 0, 't0').addi('t1', 't1', 1).sd('t1', 0, 't0');
      a.bind(noPong);
    },
    check: (a, rom) => {
      for (let h = 0; h < n; h++) {
        for (const [field, want, code] of [[PINGS_RCVD, n - 1, 10], [PONG_COUNT, n - 1, 30], [SENDER_SUM, (n * (n + 1)) / 2 - (h + 1), 50]] as const) {
          a.la('t0', 'mail').ld('t1', h * STRIDE + field, 't0').li('t2', want);
          rom.failUnless((ok) => a.beq('t1', 't2', ok), code + h);
        }
      }
    },
    data: (a) => {
      a.align(8).symbol('turn').dword(0);
      a.symbol('mail').zero(STRIDE * n);
    },
  });
}

type LockKind = 'amoswap' | 'lrsc' | 'ticket' | 'none';

/** Every hart adds 1 to a shared counter `iters` times, each time with a plain load and store. */
export function counterRom(n: number, iters: number, lock: LockKind): SmpRom {
  return new SmpRom(n, {
    main: (a, rom) => {
      const loop = a.label();
      a.li('s1', iters);
      a.bind(loop);
      if (lock === 'amoswap') {
        const spin = a.label();
        a.la('a0', 'lock');
        a.bind(spin);
        a.li('t0', 1).amoswap_w_aq('t0', 't0', 'a0').bnez('t0', spin);
      } else if (lock === 'ticket') {
        const spin = a.label();
        a.la('a0', 'next_ticket').li('t0', 1).amoadd_w_aqrl('a1', 't0', 'a0');
        a.la('a0', 'now_serving');
        a.bind(spin);
        a.lw('t0', 0, 'a0').bne('t0', 'a1', spin);
        a.fence('r', 'rw');
      }
      if (lock === 'lrsc') {
        const retry = a.label();
        a.la('a0', 'counter');
        a.bind(retry);
        a.lr_w('t0', 'a0').addi('t0', 't0', 1).sc_w('t1', 't0', 'a0').bnez('t1', retry);
      } else {
        // The critical section: a read-modify-write that is not atomic by itself.
        a.la('a0', 'counter').lw('t0', 0, 'a0').addi('t0', 't0', 1).sw('t0', 0, 'a0');
      }
      if (lock === 'amoswap') a.la('a0', 'lock').amoswap_w_rl('zero', 'zero', 'a0');
      if (lock === 'ticket') a.fence('rw', 'w').la('a0', 'now_serving').lw('t0', 0, 'a0').addi('t0', 't0', 1).sw('t0', 0, 'a0');
      a.addi('s1', 's1', -1).bnez('s1', loop);
    },
    check: (a, rom) => {
      a.la('t0', 'counter').lw('t1', 0, 't0').li('t2', n * iters);
      rom.failUnless((ok) => a.beq('t1', 't2', ok), 7);
    },
    data: (a) => {
      a.align(64).symbol('lock').word(0);
      a.align(64).symbol('counter').word(0);
      a.align(64).symbol('next_ticket').word(0);
      a.align(64).symbol('now_serving').word(0);
    },
  });
}

export function timerRom(n: number): SmpRom {
  return new SmpRom(n, {
    main: (a, rom) => {
      const wait = a.label(), got = a.label();
      // deadline = now + 200 * (hart + 1) ticks
      a.li('t0', CLINT_MTIME).ld('t1', 0, 't0');
      a.addi('t2', 's0', 1).li('t3', 200).mul('t2', 't2', 't3').add('a2', 't1', 't2');
      a.li('t0', CLINT_MTIMECMP).slli('t1', 's0', 3).add('t0', 't0', 't1').sd('a2', 0, 't0');
      a.li('t0', MIE_MTIE).csrs('mie', 't0');
      a.bind(wait);
      a.la('t0', 'ticks').slli('t1', 's0', 3).add('t0', 't0', 't1').ld('t1', 0, 't0').bnez('t1', got);
      a.csrsi('mstatus', MSTATUS_MIE);
      a.wfi();
      a.csrci('mstatus', MSTATUS_MIE);
      a.j(wait);
      a.bind(got);
      // The interrupt came no earlier than the deadline.
      a.li('t0', CLINT_MTIME).ld('t1', 0, 't0');
      rom.failUnless((ok) => a.bgeu('t1', 'a2', ok), 20);
    },
    handler: (a, rom) => {
      a.csrr('a0', 'mcause').li('t1', (1n << 63n) | 7n);
      rom.failUnless((ok) => a.beq('a0', 't1', ok), 21);
      // Silence this hart's timer and count the tick.
      a.li('t0', CLINT_MTIMECMP).slli('t1', 's0', 3).add('t0', 't0', 't1').li('t1', -1).sd('t1', 0, 't0');
      a.la('t0', 'ticks').slli('t1', 's0', 3).add('t0', 't0', 't1').li('t1', 1).sd('t1', 0, 't0');
    },
    data: (a) => {
      a.align(8).symbol('ticks').zero(8 * n);
    },
  });
}

