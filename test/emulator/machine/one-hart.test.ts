/**
 * A one-hart machine runs on the sc fast path whatever the model (issue 18): one hart cannot
 * observe its own accesses out of order (the load value axiom and the same-address rules make
 * RVWMO and RVTSO equal to SC for a single hart; device accesses are in program order under every
 * model), so no store buffer, view log or issue window is built, compiled blocks stay on, and the
 * run is the same as under sc, step for step.
 */
import { describe, expect, it } from 'vitest';
import { assemble, writeElf } from '../../../assembler/index.js';
import { Machine } from '../../../emulator/machine.js';

// Stores and loads to one location and its neighbours, a misaligned access, an AMO, LR/SC, fences;
// then the finisher.
const PROGRAM = `
  .globl _start
_start:
  la s0, buf
  li s1, 2000
  li s2, 0
1:
  sd s1, 0(s0)
  lw t0, 0(s0)
  sw t0, 4(s0)
  ld t1, 0(s0)
  add s2, s2, t1
  sh s1, 9(s0)
  lhu t2, 9(s0)
  add s2, s2, t2
  amoadd.d t3, s1, (s0)
  add s2, s2, t3
2: lr.d t4, (s0)
  addi t4, t4, 3
  sc.d t5, t4, (s0)
  bnez t5, 2b
  fence rw, rw
  ld t6, 0(s0)
  add s2, s2, t6
  addi s1, s1, -1
  bnez s1, 1b
  la t0, result
  sd s2, 0(t0)
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
3: j 3b
  .data
  .balign 64
buf: .zero 64
result: .dword 0
`;

function runOn(model: 'sc' | 'tso' | 'wmo', wmoEngine: 'window' | 'views' = 'window') {
  const m = new Machine({ harts: 1, memoryModel: model, wmoEngine, ramSize: 1 << 20, seed: 3 });
  m.load(writeElf(assemble(PROGRAM)), 'one-hart');
  const stop = m.run(10_000_000);
  const result = m.ram.read(Number(m.image!.symbols.find((s) => s.name === 'result')!.value) - m.ram.base, 8);
  return { m, stop, result, steps: m.steps, retired: m.retired() };
}

describe('a one-hart machine', () => {
  it.each([['tso', 'window'], ['wmo', 'window'], ['wmo', 'views']] as const)('under %s (%s) runs as sc: no engine, compiled blocks on', (model, engine) => {
    const { m } = runOn(model, engine);
    expect(m.ordering).toBe('sc');
    expect(m.config.memoryModel).toBe(model);
    expect(m.storeBuffers).toBeUndefined();
    expect(m.viewMemory).toBeUndefined();
    expect(m.windows).toHaveLength(0);
    expect(m.harts[0]!.jit).toBe(true);
  });

  it('gives the same run under every model: stop, steps, retired instructions, result', () => {
    const sc = runOn('sc');
    expect(sc.stop.kind).toBe('exit');
    for (const [model, engine] of [['tso', 'window'], ['wmo', 'window'], ['wmo', 'views']] as const) {
      const r = runOn(model, engine);
      expect({ stop: r.stop, steps: r.steps, retired: r.retired, result: r.result }).toEqual({ stop: sc.stop, steps: sc.steps, retired: sc.retired, result: sc.result });
    }
  });

  it('two harts still get the engines', () => {
    const m = new Machine({ harts: 2, memoryModel: 'wmo', ramSize: 1 << 20 });
    m.load(writeElf(assemble(PROGRAM)), 'two-harts');
    expect(m.ordering).toBe('wmo');
    expect(m.windows).toHaveLength(2);
    expect(new Machine({ harts: 2, memoryModel: 'tso', ramSize: 1 << 20 }).storeBuffers).toBeDefined();
  });
});
