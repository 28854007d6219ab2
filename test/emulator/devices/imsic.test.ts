/**
 * IMSIC interrupt files through a hart's CSRs and MMIO (AIA spec; ../shared/notes/platform.md 2):
 * eidelivery gates MEIP but not mtopei, eithreshold hides identities at or above it, lower
 * identities win, a mtopei write claims, odd eip/eie registers do not exist on RV64,
 * seteipnum_be is byte-swapped, and mtopi/stopi report the top major interrupt.
 */
import { describe, it } from 'vitest';
import { Rom } from '../isa/rom.js';

const IMSIC_M = 0x24000000n, IMSIC_S = 0x28000000n;
const INT = 1n << 63n;

describe('IMSIC', () => {
  it('topei, claiming, thresholds, delivery, byte order and indirect registers', () => {
    const rom = new Rom();
    const sel = (a: Rom['a'], s: number) => a.li('t0', s).csrw('miselect', 't0');
    rom.check('identities pend through seteipnum_le and show in eip0', (a) => {
      a.li('t1', IMSIC_M).li('t2', 5).sw('t2', 0, 't1').li('t2', 9).sw('t2', 0, 't1');
      sel(a, 0x80);
      a.csrr('a0', 'mireg');
      a.csrr('a1', 'mtopei'); // nothing enabled yet
    }, { a0: (1n << 5n) | (1n << 9n), a1: 0 });
    rom.check('the lowest enabled identity is on top; a write claims it', (a) => {
      sel(a, 0xc0);
      a.li('t1', (1 << 5) | (1 << 9)).csrw('mireg', 't1');
      a.csrr('a0', 'mtopei');
      a.csrrw('a1', 'mtopei', 'zero'); // claims 5
      a.csrr('a2', 'mtopei');
      sel(a, 0x80);
      a.csrr('a3', 'mireg');
    }, { a0: (5 << 16) | 5, a1: (5 << 16) | 5, a2: (9 << 16) | 9, a3: 1n << 9n });
    rom.check('eithreshold hides identities at or above it', (a) => {
      sel(a, 0x72);
      a.li('t1', 9).csrw('mireg', 't1').csrr('a0', 'mtopei');
      a.li('t1', 10).csrw('mireg', 't1').csrr('a1', 'mtopei');
      a.csrw('mireg', 'zero');
    }, { a0: 0, a1: (9 << 16) | 9 });
    rom.check('eidelivery gates MEIP, not mtopei', (a) => {
      a.csrr('a0', 'mip');
      a.li('t1', 1 << 11).and('a0', 'a0', 't1');
      sel(a, 0x70);
      a.li('t1', 1).csrw('mireg', 't1');
      a.csrr('a1', 'mip');
      a.li('t1', 1 << 11).and('a1', 'a1', 't1');
      a.csrr('a2', 'mtopi'); // MEIP pending but not enabled in mie: nothing on top
      a.li('t1', 1 << 11).csrs('mie', 't1');
      a.csrr('a3', 'mtopi');
      a.csrc('mie', 't1');
      a.csrrw('zero', 'mtopei', 'zero'); // claim 9
      a.csrr('a4', 'mip');
      a.li('t1', 1 << 11).and('a4', 'a4', 't1');
    }, { a0: 0, a1: 1 << 11, a2: 0, a3: (11 << 16) | 1, a4: 0, s7: 0 });
    rom.check('seteipnum_be takes a big-endian identity; reads of the page are zero', (a) => {
      a.li('t1', IMSIC_M).li('t2', 0x07000000).sw('t2', 4, 't1');
      a.lw('a1', 0, 't1').lw('a2', 4, 't1');
      sel(a, 0x80);
      a.csrr('a0', 'mireg');
      a.li('t1', 1 << 7).csrc('mireg', 't1');
    }, { a0: 1n << 7n, a1: 0, a2: 0 });
    rom.check('identity 0 cannot pend; odd eip registers are illegal on RV64', (a) => {
      a.li('t1', IMSIC_M).sw('zero', 0, 't1');
      sel(a, 0x80);
      a.li('t1', 1).csrs('mireg', 't1').csrr('a0', 'mireg');
      sel(a, 0x81);
      a.csrr('a1', 'mireg');
    }, { a0: 0, s8: 2, s7: 1 });
    rom.check('byte and misaligned accesses to the page fault', (a) => {
      a.li('t1', IMSIC_M).sb('zero', 0, 't1');
      a.mv('a0', 's8');
      a.sw('zero', 2, 't1');
    }, { a0: 7, s8: 6, s7: 2 });
    rom.check('the S file drives SEIP and stopei; stopi reports it when delegated', (a) => {
      a.li('t0', 0x70).csrw('siselect', 't0').li('t1', 1).csrw('sireg', 't1');
      a.li('t0', 0xc0).csrw('siselect', 't0').li('t1', 1 << 3).csrw('sireg', 't1');
      a.li('t1', IMSIC_S).li('t2', 3).sw('t2', 0, 't1');
      a.csrr('a0', 'stopei');
      a.li('t1', 1 << 9).csrw('mideleg', 't1').csrs('mie', 't1');
      a.csrr('a1', 'stopi').csrr('a2', 'mtopi');
      a.csrrw('zero', 'stopei', 'zero');
      a.csrr('a3', 'sip');
      a.li('t1', 1 << 9).csrc('mie', 't1').csrw('mideleg', 'zero');
    }, { a0: (3 << 16) | 3, a1: (9 << 16) | 1, a2: 0, a3: 0 });
    rom.check('an MSI to ourselves, with MIE, is taken as a machine external interrupt', (a) => {
      a.li('t0', 0x70).csrw('miselect', 't0').li('t1', 1).csrw('mireg', 't1');
      a.li('t0', 0xc0).csrw('miselect', 't0').li('t1', 2).csrw('mireg', 't1');
      a.li('t1', 1 << 11).csrs('mie', 't1').csrsi('mstatus', 8);
      a.li('t1', IMSIC_M).li('t2', 1).sw('t2', 0, 't1');
      a.nop();
      a.csrci('mstatus', 8);
      a.csrrw('a0', 'mtopei', 'zero');
    }, { s8: INT | 11n, a0: (1 << 16) | 1, s7: 1 });
    rom.run();
  });
});
