/**
 * The tso store buffers (emulator/memory/store-buffer.ts), driven directly through the memory port:
 * what is visible to whom, forwarding, what drains them, and the reservation a buffered SC holds.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/machine.js';
import { assemble, writeElf } from '../../../assembler/index.js';

function setup() {
  const m = new Machine({ harts: 2, memoryModel: 'tso' });
  const sb = m.storeBuffers!;
  sb.reset(undefined); // drains only when a test says so
  const [h0, h1] = [m.harts[0]!, m.harts[1]!];
  const base = m.ram.base;
  const A = BigInt(base + 0x1000), B = BigInt(base + 0x2000);
  const ram = (a: bigint) => m.ram.read(Number(a) - base, 8);
  return { m, sb, h0, h1, A, B, ram };
}

describe('tso store buffers', () => {
  it('a store is visible to its own hart at once (forwarding) and to others once it drains', () => {
    const { sb, h0, h1, A, ram } = setup();
    sb.store(h0, A, 0, 8, 0x1122334455667788n);
    expect(ram(A)).toBe(0n);
    expect(sb.load(h0, A, 0, 8, false)).toBe(0x1122334455667788n);
    expect(sb.load(h0, A, 1, 1, false), 'a covered byte, little-endian').toBe(0x77n);
    expect(sb.load(h0, A, 4, 4, true), 'a covered word, sign-extended').toBe(0x11223344n);
    expect(sb.load(h1, A, 0, 8, false), 'another hart reads memory').toBe(0n);
    sb.drainOne(0);
    expect(sb.load(h1, A, 0, 8, false)).toBe(0x1122334455667788n);
  });

  it('drains oldest first, and the youngest covering store forwards', () => {
    const { sb, h0, A, B, ram } = setup();
    sb.store(h0, A, 0, 8, 1n);
    sb.store(h0, B, 0, 8, 2n);
    sb.store(h0, A, 0, 8, 3n);
    expect(sb.load(h0, A, 0, 8, false)).toBe(3n);
    sb.drainOne(0);
    expect([ram(A), ram(B)]).toEqual([1n, 0n]);
    sb.drainOne(0);
    expect([ram(A), ram(B)]).toEqual([1n, 2n]);
    sb.drainOne(0);
    expect(ram(A)).toBe(3n);
    expect(sb.pending(0)).toBe(0);
  });

  it('a load that a buffered store only partly covers drains the buffer first', () => {
    const { sb, h0, A, ram } = setup();
    sb.store(h0, A, 0, 4, 0x55n);
    expect(sb.load(h0, A, 0, 8, false)).toBe(0x55n);
    expect(sb.pending(0)).toBe(0);
    expect(ram(A)).toBe(0x55n);
  });

  it('fences drain only when they order a store before a load or device access', () => {
    const { sb, h0, A } = setup();
    const fence = (pred: number, succ: number, fm = 0) => {
      sb.store(h0, A, 0, 8, 1n);
      sb.fence(h0, (fm << 8) | (pred << 4) | succ);
      const left = sb.pending(0);
      sb.drainAll(0);
      return left;
    };
    const [I, O, R, W] = [8, 4, 2, 1];
    expect(fence(R | W, R | W)).toBe(0);
    expect(fence(W, R)).toBe(0);
    expect(fence(W, O)).toBe(0);
    expect(fence(W, I)).toBe(0);
    expect(fence(W, W)).toBe(1);
    expect(fence(R, R | W)).toBe(1);
    expect(fence(R | W, R | W, 8), 'fence.tso').toBe(1);
  });

  it('an AMO drains its own buffer first; a device store too', () => {
    const { sb, h0, A, B, ram } = setup();
    sb.store(h0, A, 0, 8, 7n);
    expect(sb.amo(h0, 1, B, 8, 1n)).toBe(0n);
    expect([ram(A), ram(B), BigInt(sb.pending(0))]).toEqual([7n, 1n, 0n]);
    sb.store(h0, A, 0, 8, 8n);
    sb.store(h0, BigInt(0x2000000), 0, 4, 0n); // CLINT msip of hart 0
    expect(ram(A)).toBe(8n);
    expect(sb.pending(0)).toBe(0);
  });

  it('a successful SC waits in the buffer and holds its line: another hart\'s store or LR there comes after it', () => {
    const { sb, h0, h1, A, ram } = setup();
    expect(sb.loadReserved(h0, A, 8)).toBe(0n);
    expect(sb.storeConditional(h0, A, 8, 1n)).toBe(true);
    expect(sb.entries(0)).toEqual([{ addr: Number(A), size: 8, value: 1n, held: true }]);
    expect(ram(A)).toBe(0n);
    // Hart 1's LR must read the SC's value: the held line drains first.
    expect(sb.loadReserved(h1, A, 8)).toBe(1n);
    expect(sb.pending(0)).toBe(0);
    expect(sb.storeConditional(h1, A, 8, 2n)).toBe(true);
    sb.drainAll(1);
    expect(ram(A)).toBe(2n);
  });

  it('two LR/SC pairs on one line: the second SC fails once the first one\'s store is claimed (no lost update)', () => {
    const { sb, h0, h1, A, ram } = setup();
    expect(sb.loadReserved(h0, A, 8)).toBe(0n);
    expect(sb.loadReserved(h1, A, 8)).toBe(0n);
    expect(sb.storeConditional(h0, A, 8, 1n)).toBe(true);
    // Hart 1 read 0 too, but hart 0's buffered SC drains before hart 1's SC and breaks its reservation.
    expect(sb.storeConditional(h1, A, 8, 1n)).toBe(false);
    expect(ram(A)).toBe(1n);
  });

  it('a hart asleep in wfi still drains its stores, and the machine does not deadlock on them', () => {
    const elf = writeElf(assemble(`  .globl _start\n_start:\n  la t0, x\n  li t1, 42\n  sd t1, 0(t0)\n1: wfi\n  j 1b\n  .data\n  .balign 8\nx: .dword 0\n`));
    for (let seed = 1; seed <= 20; seed++) {
      const m = new Machine({ harts: 1, memoryModel: 'tso', seed });
      const x = Number(m.load(elf, 'wfi').symbols.find((s) => s.name === 'x')!.value) - m.ram.base;
      // The run ends (every hart asleep, nothing to wake it) only once the store is in memory.
      expect(m.run(10_000).kind, `seed ${seed}`).toBe('deadlock');
      expect(m.ram.read(x, 8)).toBe(42n);
    }
  });
});
