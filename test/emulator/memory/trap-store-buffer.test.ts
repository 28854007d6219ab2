/**
 * "A trap does not drain the store buffer" (docs/memory-model.md): under tso and wmo a store that
 * has retired may still be waiting to perform when the hart takes a trap - an ecall or an
 * interrupt - and it performs later, while the handler runs. Under sc it is in memory at once.
 */
import { describe, expect, it } from 'vitest';
import { breathe } from '../../helpers/breathe.js';
import { Machine } from '../../../emulator/machine.js';
import type { MemoryModel } from '../../../emulator/config.js';
import { CLINT_MSIP, MIE_MSIE, MSTATUS_MIE, SmpRom } from '../smp/smp-rom.js';

// Two harts, hart 1 idle: a one-hart machine runs as sc whatever the model (machine.ts).
function rom(trap: 'ecall' | 'interrupt'): SmpRom {
  return new SmpRom(2, {
    main: (a) => {
      const idle = a.label();
      a.bnez('s0', idle);
      if (trap === 'interrupt') {
        // Make a software interrupt pending (a device store: it drains the window), still masked.
        a.li('t0', MIE_MSIE).csrs('mie', 't0');
        a.li('t0', CLINT_MSIP).li('t1', 1).sw('t1', 0, 't0');
      }
      a.la('t0', 'x').li('t1', 7).sd('t1', 0, 't0');
      if (trap === 'ecall') a.ecall();
      else a.csrsi('mstatus', MSTATUS_MIE).csrci('mstatus', MSTATUS_MIE);
      a.bind(idle);
    },
    handler: (a) => {
      if (trap === 'ecall') a.csrr('t0', 'mepc').addi('t0', 't0', 4).csrw('mepc', 't0');
      else a.li('t0', CLINT_MSIP).sw('zero', 0, 't0');
    },
    data: (a) => {
      a.align(64).symbol('x').dword(0);
    },
  });
}

/** Run one seed; return x's value in RAM at the moment the trap was taken. */
function atTrap(r: SmpRom, memoryModel: MemoryModel, seed: number): bigint {
  const m = new Machine({ harts: 2, memoryModel, seed }, { putchar: () => {} });
  const image = m.load(r.image(), 'trap-store-buffer');
  const x = Number(image.symbols.find((s) => s.name === 'x')!.value);
  const h = m.harts[0]!;
  let seen: bigint | undefined;
  const stop = m.run(1_000_000, {
    before: () => {},
    after: () => {
      if (seen === undefined && h.traps > 0) seen = m.ram.read(x - m.ram.base, 8);
    },
  });
  expect(stop, `${memoryModel} seed ${seed}`).toEqual({ kind: 'exit', code: 0, via: 'HTIF' });
  expect(m.ram.read(x - m.ram.base, 8), 'the store performs in the end').toBe(7n);
  expect(seen, 'the trap was taken').toBeDefined();
  return seen!;
}

describe('a trap does not drain the store buffer', () => {
  for (const trap of ['ecall', 'interrupt'] as const) {
    it(`${trap}: the store before it may still be buffered when the trap is taken (tso, wmo), never under sc`, async () => {
      const r = rom(trap);
      for (const model of ['tso', 'wmo'] as const) {
        let buffered = 0;
        for (let seed = 1; seed <= 40; seed++) {
          if (seed % 10 === 1) await breathe();
          if (atTrap(r, model, seed) === 0n) buffered++;
        }
        console.log(`${trap} under ${model}: the store was still buffered at the trap in ${buffered} of 40 runs`);
        expect(buffered).toBeGreaterThan(0);
        expect(buffered).toBeLessThan(40);
      }
      for (let seed = 1; seed <= 5; seed++) expect(atTrap(r, 'sc', seed)).toBe(7n);
    });
  }
});
