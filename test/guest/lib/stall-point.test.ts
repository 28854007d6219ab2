/**
 * Kernel.stall_point's watching stall, on a bare two-hart program: hart 0 stalls at a point that
 * watches a word, hart 1 writes that word 5 -> 3 -> 0 -> 7 -> 9, slowly. Counting every change,
 * two changes end the stall at 0; counting only changes to or from zero (STALL_ZERO_CROSSINGS),
 * two end it at 7 - the entry finished with, then reused, whatever values came between. And the
 * delay plan: only the points a scenario arms get delays from the race runner.
 */
import { describe, expect, it } from 'vitest';
import { Asm } from '../../../assembler/dsl/asm.js';
import { writeElf } from '../../../assembler/index.js';
import { Machine } from '../../../emulator/machine.js';
import { Kernel, STALL_CONFIG_SIZE, STALL_ZERO_CROSSINGS } from '../../../guest/lib/kernel.js';
import { exitPass } from '../../../guest/scenarios/end.js';
import { buildGuest } from '../../../guest/image.js';
import { STALL } from '../../../guest/kernel/smp/common.js';
import { STALL_DUPLICATE_IPI } from '../../../guest/arch/riscv/boot.js';
import { raceMachine } from '../../../tools/race/schedule.js';

function watcherImage(): Uint8Array {
  const a = new Asm();
  const k = new Kernel(a);
  const start = a.label('_start');
  a.global(start, { type: 'func' });
  a.bind(start);
  a.csrr('s0', 'mhartid');
  a.la('sp', 'stacks').addi('t0', 's0', 1).slli('t0', 't0', 10).add('sp', 'sp', 't0');
  a.la('s1', 'watched').li('gp', 0x2545f4914f6cdd1dn);
  const writer = a.label();
  a.bnez('s0', writer);
  k.stall_point(0, { base: 's1', fields: [0] });
  a.lw('t0', 0, 's1').la('t1', 'seen').sw('t0', 0, 't1');
  exitPass(k);
  a.bind(writer);
  for (const v of [3, 0, 7, 9]) {
    a.li('t0', 3000);
    const wait = a.here();
    a.addi('t0', 't0', -1).bnez('t0', wait);
    a.li('t0', v).sw('t0', 0, 's1');
  }
  const idle = a.here();
  a.j(idle);
  a.data().align(64);
  a.bind(a.label('watched'));
  a.word(5);
  a.bind(a.label('seen'));
  a.word(-1);
  a.align(64);
  a.bind(a.label('stacks'));
  a.zero(2 * 1024);
  k.emitStallTable(2);
  return writeElf(a.link({ base: 0x80000000n }));
}

function seenAfter(changes: bigint): number {
  const m = new Machine({ harts: 2, schedule: { kind: 'rr', quantum: 10 }, seed: 1 }, { putchar: () => {} });
  const img = m.load(watcherImage(), 'watcher');
  const at = (name: string) => Number(img.symbols.find((s) => s.name === name)!.value) - m.ram.base;
  const config = at('stall_config') + STALL_CONFIG_SIZE * 0;
  m.ram.write(config, 8, 0n); // chance mask 0: every pass stalls
  m.ram.write(config + 8, 8, (1n << 24n) - 1n); // turns (under 2^32): far more than the writes take
  m.ram.write(config + 16, 8, 0n); // watch the word at offset 0
  m.ram.write(config + 24, 8, changes);
  expect(m.run(5_000_000)).toMatchObject({ kind: 'exit', code: 0 });
  return Number(BigInt.asIntN(32, m.ram.read(at('seen'), 4)));
}

describe('stall_point', () => {
  it('a watching stall ends after n changes of its word, or n changes to or from zero', () => {
    expect(seenAfter(1n)).toBe(3);
    expect(seenAfter(2n)).toBe(0);
    expect(seenAfter(STALL_ZERO_CROSSINGS | 1n)).toBe(0);
    expect(seenAfter(STALL_ZERO_CROSSINGS | 2n)).toBe(7);
  });

  it('the race runner injects delays only at the points the scenario arms', () => {
    const armed = (scenario: 'R1' | 'R1c' | 'R2' | 'R3') => {
      const m = raceMachine(buildGuest({ scenario, version: 'v2', harts: 4, ipi: 'clint', iterations: 5 }), 4, 'sc', 7, 'views', { putchar: () => {} });
      const config = Number(m.image!.symbols.find((s) => s.name === 'stall_config')!.value) - m.ram.base;
      const points: number[] = [];
      for (let i = 0; i < 8; i++) if (m.ram.read(config + STALL_CONFIG_SIZE * i, 8) !== (1n << 64n) - 1n) points.push(i);
      return points;
    };
    expect(armed('R1')).toEqual([STALL.WALK_NEXT, STALL.BEFORE_LIST_ADD, STALL.MASK_PUBLISHED, STALL_DUPLICATE_IPI]);
    expect(armed('R1c')).toEqual([STALL.WALK_NEXT, STALL_DUPLICATE_IPI]);
    expect(armed('R2')).toEqual([STALL.WALK_NEXT, STALL.BEFORE_LIST_ADD, STALL_DUPLICATE_IPI]);
    expect(armed('R3')).toEqual([STALL.BEFORE_CPUMASK_AND, STALL.MASK_TOGGLE]);
  });
});
