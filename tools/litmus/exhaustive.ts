/**
 * Exhaustive exploration of a litmus test under a memory model: a depth-first search over every
 * choice the machine can make (which hart moves, and what it does: under wmo what its issue window
 * does - fetch, or perform which ready entry; under tso run its next instruction or drain the oldest
 * store of its buffer), with states remembered so that each is expanded once. Every reachable final
 * state of the model is found, up to a bound on the number of states.
 */
import { Machine } from '../../emulator/machine.js';
import { RUN_SERIAL } from '../../emulator/memory/window.js';
import type { MemoryModel } from '../../emulator/config.js';
import { type BuiltTest, startHarts } from './build.js';
import { type LitmusResult, countFinalState, newTally } from './run.js';

/** The move that drains a hart's oldest buffered store (tso). */
const DRAIN = -5;

interface HartSnap {
  x: BigInt64Array;
  /** Register views (tso: which registers depend on a buffered store-conditional). */
  views: Float64Array;
  pc: number;
  state: 'running' | 'wfi';
  instret: number;
  traps: number;
  reservation: number;
}

export interface ExhaustiveResult extends LitmusResult {
  /** Distinct machine states expanded. */
  readonly explored: number;
  /** False if the state bound stopped the search before it was done. */
  readonly complete: boolean;
}

export function exploreLitmus(built: BuiltTest, model: MemoryModel, maxStates = 200_000): ExhaustiveResult {
  const m = new Machine({ harts: built.harts, ramSize: 1 << 20, schedule: { kind: 'rr', quantum: 1 }, seed: 1, memoryModel: model }, { putchar: () => {} });
  m.load(built.elf, built.test.file);
  startHarts(built, m);
  const sb = m.storeBuffers;
  sb?.reset(undefined); // drains only when the search chooses one (or a fence, an AMO, a full buffer forces it)
  const addrs = [...built.addr.values()];
  const lo = Math.min(...addrs) - m.ram.base;
  const hi = Math.max(...addrs) + 8 - m.ram.base;

  const save = () => ({
    harts: m.harts.map((h): HartSnap => ({ x: h.x.slice(), views: h.views.slice(), pc: h.pc, state: h.state, instret: h.instret, traps: h.traps, reservation: h.reservation })),
    windows: m.windows.map((w) => w.save()),
    buffers: sb?.snapshot(),
    ram: m.ram.bytes.slice(lo, hi),
  });
  type Snap = ReturnType<typeof save>;
  const restore = (s: Snap) => {
    s.harts.forEach((hs, i) => {
      const h = m.harts[i]!;
      h.x.set(hs.x);
      h.views.set(hs.views);
      h.pc = hs.pc;
      h.state = hs.state;
      h.instret = hs.instret;
      h.traps = hs.traps;
      h.reservation = hs.reservation;
      // The page of a live reservation must stay watched, so that other harts' stores break it.
      if (hs.reservation >= 0) m.mem.markReserved(hs.reservation);
    });
    s.windows.forEach((ws, i) => m.windows[i]!.restore(ws));
    if (s.buffers) sb!.restore(s.buffers);
    m.ram.bytes.set(s.ram, lo);
  };
  // Under tso a register's view matters only as: does it depend on the hart's buffered SC?
  const dependencies = (h: (typeof m.harts)[number]) => (sb ? Array.from(h.views, (v) => (sb.viewDependsOnHeld(h.id, v) ? 1 : 0)).join('') : '');
  const key = () =>
    m.harts.map((h, i) => `${h.pc}/${h.state}/${h.reservation}/${h.x.join(',')}/${dependencies(h)}/${m.windows[i]?.key() ?? ''}`).join(';') + (sb ? '#' + sb.key() : '') + '#' + Buffer.from(m.ram.bytes.subarray(lo, hi)).toString('hex');

  /** Every move from the current state: [hart, choice], where choice -2 = one interpreter step, DRAIN = drain the oldest buffered store. */
  const moves = (): [number, number][] => {
    const out: [number, number][] = [];
    for (const h of m.harts) {
      if (sb && sb.pending(h.id) > 0) out.push([h.id, DRAIN]);
      if (h.state !== 'running') continue;
      const w = m.windows[h.id];
      if (!w) {
        out.push([h.id, -2]);
        continue;
      }
      const c = w.choices();
      if (c === 'serial') out.push([h.id, -2]);
      else for (const o of c) out.push([h.id, o === RUN_SERIAL ? -2 : o]);
    }
    return out;
  };
  const apply = (hart: number, choice: number) => {
    const h = m.harts[hart]!;
    const w = m.windows[hart];
    if (choice === DRAIN) sb!.drainOne(hart);
    else if (choice === -2) {
      h.run(1);
      w?.resync();
    } else h.instret += w!.apply(choice);
  };

  const tally = newTally();
  const seen = new Set<string>([key()]);
  const stack: Snap[] = [save()];
  let complete = true;
  while (stack.length) {
    const snap = stack.pop()!;
    restore(snap);
    const options = moves();
    if (options.length === 0) {
      // Every hart is back in its final wfi (or stuck): a final state.
      countFinalState(built, m, tally);
      continue;
    }
    for (const [hart, choice] of options) {
      restore(snap);
      apply(hart, choice);
      const k = key();
      if (seen.has(k)) continue;
      if (seen.size >= maxStates) {
        complete = false;
        break;
      }
      seen.add(k);
      stack.push(save());
    }
    if (!complete) break;
  }
  return { test: built.test.name, model, runs: tally.kept, ...tally, timeouts: complete ? 0 : 1, explored: seen.size, complete };
}
