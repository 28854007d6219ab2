/**
 * The device-access rule of the weak models (docs/memory-model.md): an IPI written to the CLINT or
 * an IMSIC never overtakes the stores before it, even with no fence - while between two normal
 * stores the same program does show reordering under wmo (so the check can tell).
 */
import { describe, expect, it } from 'vitest';
import { breathe } from '../../helpers/breathe.js';
import { CLINT_MSIP, IMSIC_M, MIE_MEIE, MIE_MSIE, MSTATUS_MIE, SmpRom } from './smp-rom.js';

function ipiRom(doorbell: 'clint' | 'imsic'): SmpRom {
  return new SmpRom(2, {
    main: (a, rom) => {
      const receiver = a.label(), wait = a.label(), out = a.label();
      a.bnez('s0', receiver);
      // Hart 0: publish the data, then ring hart 1 - no fence between them.
      a.la('t0', 'data').li('t1', 42).sd('t1', 0, 't0');
      if (doorbell === 'clint') a.li('t0', CLINT_MSIP + 4n).li('t1', 1).sw('t1', 0, 't0');
      else a.li('t0', IMSIC_M + 0x1000n).li('t1', 1).sw('t1', 0, 't0');
      a.j(out);
      // Hart 1: wait for the interrupt; the handler checks the data.
      a.bind(receiver);
      if (doorbell === 'clint') a.li('t0', MIE_MSIE).csrs('mie', 't0');
      else {
        a.li('t0', 0x70).csrw('miselect', 't0').li('t0', 1).csrw('mireg', 't0');
        a.li('t0', 0xc0).csrw('miselect', 't0').li('t0', 2).csrw('mireg', 't0');
        a.li('t0', MIE_MEIE).csrs('mie', 't0');
      }
      // Check with interrupts off, sleep, then take the interrupt: no lost wakeup.
      a.bind(wait);
      a.csrci('mstatus', MSTATUS_MIE);
      a.la('t0', 'seen').ld('t1', 0, 't0').bnez('t1', out);
      a.wfi().csrsi('mstatus', MSTATUS_MIE);
      a.j(wait);
      a.bind(out);
      void rom;
    },
    handler: (a, rom) => {
      if (doorbell === 'clint') a.li('t0', CLINT_MSIP + 4n).sw('zero', 0, 't0');
      else a.csrrw('zero', 'mtopei', 'zero');
      a.la('t0', 'data').ld('t1', 0, 't0').li('t2', 42);
      rom.failUnless((ok) => a.beq('t1', 't2', ok), 3);
      a.la('t0', 'seen').li('t1', 1).sd('t1', 0, 't0');
    },
    data: (a) => {
      a.align(64).symbol('data').dword(0);
      a.align(64).symbol('seen').dword(0);
    },
  });
}

/** The same message passing with a flag in memory instead of a doorbell, and no fences. */
function flagRom(): SmpRom {
  return new SmpRom(2, {
    main: (a, rom) => {
      const receiver = a.label(), poll = a.label(), out = a.label();
      a.bnez('s0', receiver);
      a.la('t0', 'data').li('t1', 42).sd('t1', 0, 't0');
      a.la('t0', 'seen').li('t1', 1).sd('t1', 0, 't0');
      a.j(out);
      a.bind(receiver);
      a.la('t0', 'seen');
      a.bind(poll);
      a.ld('t1', 0, 't0').beqz('t1', poll);
      a.la('t0', 'data').ld('t1', 0, 't0').li('t2', 42);
      rom.failUnless((ok) => a.beq('t1', 't2', ok), 3);
      a.bind(out);
    },
    data: (a) => {
      a.align(64).symbol('data').dword(0);
      a.align(64).symbol('seen').dword(0);
    },
  });
}

describe('device accesses under the weak models', () => {
  it('control: a flag in memory, with no fences, is overtaken under wmo but never under sc', async () => {
    const rom = flagRom();
    let reordered = 0;
    for (let seed = 1; seed <= 300; seed++) {
      await breathe();
      const wmo = rom.run({ memoryModel: 'wmo', schedule: { kind: 'random' }, seed }, 2_000_000).stop;
      if (wmo.kind === 'exit' && wmo.code === 3) reordered++;
      else expect(wmo).toEqual({ kind: 'exit', code: 0, via: 'HTIF' });
      if (seed <= 50) rom.expectPass({ memoryModel: 'sc', schedule: { kind: 'random' }, seed }, 2_000_000);
    }
    console.log(`flag message passing under wmo: the data was stale in ${reordered} of 300 runs`);
    expect(reordered).toBeGreaterThan(0);
  });

  for (const doorbell of ['clint', 'imsic'] as const) {
    it(`an IPI through ${doorbell} never overtakes the data stored before it (wmo and tso, 60 seeds)`, async () => {
      const rom = ipiRom(doorbell);
      for (const memoryModel of ['wmo', 'tso'] as const) {
        for (let seed = 1; seed <= 30; seed++) {
          await breathe();
          rom.expectPass({ memoryModel, schedule: { kind: 'random' }, seed }, 2_000_000);
        }
      }
    });
  }
});
