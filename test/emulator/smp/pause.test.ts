/**
 * pause (Zihintpause, the kernel's cpu_relax) lets a spinning hart sit out MachineConfig.pauseSteps
 * steps while the others run; when every hart sits out, time skips ahead. Spin-waits then cost a
 * few executed steps per turn, and the outcome is the same as with pause as a plain nop.
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../../emulator/machine.js';
import { SmpRom } from './smp-rom.js';

/** Hart 1 spins (with pause) until hart 0 has counted to 2,000 and set the flag. */
function spinRom(): SmpRom {
  return new SmpRom(2, {
    main: (a, rom) => {
      const waiter = a.label(), poll = a.label(), out = a.label();
      a.bnez('s0', waiter);
      a.li('t0', 2000);
      const count = a.here();
      a.addi('t0', 't0', -1).bnez('t0', count);
      a.la('t0', 'flag').li('t1', 7).sd('t1', 0, 't0');
      a.j(out);
      a.bind(waiter);
      a.la('t0', 'flag');
      a.bind(poll);
      a.ld('t1', 0, 't0');
      const seen = a.label();
      a.bnez('t1', seen);
      a.pause();
      a.j(poll);
      a.bind(seen);
      a.li('t2', 7);
      rom.failUnless((ok) => a.beq('t1', 't2', ok), 3);
      a.bind(out);
    },
    data: (a) => {
      a.align(64).symbol('flag').dword(0);
    },
  });
}

describe('pause', () => {
  for (const memoryModel of ['sc', 'tso', 'wmo'] as const) {
    it(`a spinning hart sits out its pauses (${memoryModel}): far fewer executed steps, same result`, () => {
      const rom = spinRom();
      let withPause = 0, asNop = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const config = { memoryModel, schedule: { kind: 'random' as const }, seed };
        const spinner = (m: Machine) => m.harts[1]!.instret + m.harts[1]!.traps;
        withPause += spinner(rom.expectPass({ ...config, pauseSteps: 64 }));
        asNop += spinner(rom.expectPass({ ...config, pauseSteps: 0 }));
      }
      console.log(`pause under ${memoryModel}: ${withPause} steps of the spinning hart in 10 runs with pauseSteps 64, ${asNop} with pause as a nop`);
      expect(withPause * 4).toBeLessThan(asNop);
    });
  }

  it('when every hart sits out, time skips ahead instead of burning steps', () => {
    // One hart that pauses 1,000 times: each pause lets time pass with nothing executed.
    const rom = new SmpRom(1, {
      main: (a) => {
        a.li('t0', 1000);
        const loop = a.here();
        a.pause();
        a.addi('t0', 't0', -1).bnez('t0', loop);
      },
    });
    const m = rom.expectPass({ pauseSteps: 64 });
    expect(m.steps).toBeGreaterThanOrEqual(64 * 1000);
    expect(m.used()).toBeLessThan(10_000);
  });
});
