/**
 * The debugger model on a race schedule (R1 on v1, seed 1, the catalog's WARN refs<0): it reaches
 * the failure exactly where `rvsmp race --seed` does, stops at breakpoints and watchpoints, moves
 * one hart while the others stay, shows a store buffer filling and draining, and goes back across an
 * IPI to the very same machine state.
 */
import { describe, expect, it } from 'vitest';
import { Debugger } from '../../../emulator/debugger/debugger.js';
import type { MemoryModel } from '../../../emulator/config.js';
import { buildGuest } from '../../../guest/image.js';
import { raceMachine, runSchedule } from '../../../tools/race/schedule.js';
import { readElf } from '../../../assembler/elf/reader.js';
import { Machine } from '../../../emulator/machine.js';
import { CLINT_MTIME, CLINT_MTIMECMP, Rom } from '../isa/rom.js';

const elf = buildGuest({ scenario: 'R1', version: 'v1', harts: 4, ipi: 'clint', iterations: 5 });
const symbol = (name: string) => Number(readElf(elf).symbols.find((s) => s.name === name)!.value);
const open = (model: MemoryModel, seed = 1) => new Debugger((onEvent) => raceMachine(elf, 4, model, seed, 'views', { putchar: () => {}, guestEvent: onEvent }));
const state = (d: Debugger) => Buffer.from(d.machine.stateHash()).toString('hex');

describe('the debugger model', () => {
  for (const model of ['sc', 'tso', 'wmo'] as const) {
    it(`${model}: continue stops at the WARN the race replay reports, at the same step`, () => {
      const replay = runSchedule(elf, 4, model, 1);
      expect(replay.symptom).toMatch(/WARN refs<0/);
      const d = open(model);
      const s = d.cont();
      expect(s.kind).toBe('event');
      if (s.kind === 'event') expect(s.event.step).toBe(replay.steps);
    });
  }

  it('stops at a breakpoint on a symbol, with that hart there', () => {
    const d = open('sc');
    const at = symbol('generic_smp_call_function_interrupt');
    d.addBreakpoint(at);
    const s = d.cont();
    expect(s).toMatchObject({ kind: 'breakpoint', pc: at });
    if (s.kind === 'breakpoint') expect(d.machine.harts[s.hart]!.pc).toBe(at);
  });

  it('stepi moves one hart; the others stay', () => {
    const d = open('sc');
    d.step(200);
    const before = d.machine.harts.map((h) => [h.pc, h.instret + h.traps]);
    expect(d.stepi(2, 3).kind).toBe('done');
    d.machine.harts.forEach((h, i) => {
      if (i === 2) expect(h.instret + h.traps).toBe(before[2]![1]! + 3);
      else expect([h.pc, h.instret + h.traps]).toEqual(before[i]);
    });
  });

  it('tso: a store fills the store buffer, memory keeps the old value until it drains', () => {
    const d = open('tso');
    let found: { hart: number; addr: number; size: number; value: bigint } | undefined;
    for (let i = 0; i < 50_000 && !found; i++) {
      d.step();
      for (const h of d.machine.harts) {
        const e = d.storeBuffer(h.id)!.find((x) => d.peek(x.addr, x.size) !== BigInt.asUintN(x.size * 8, x.value));
        if (e) found = { hart: h.id, ...e };
      }
    }
    expect(found).toBeDefined();
    const { hart, addr, size } = found!;
    // Every other hart reads memory: the old value. The youngest buffered store there wins once drained.
    const youngest = d.storeBuffer(hart)!.filter((x) => x.addr === addr && x.size === size).pop()!;
    expect(d.peek(addr, size)).not.toBe(BigInt.asUintN(size * 8, found!.value));
    d.drain(hart, d.storeBuffer(hart)!.length);
    expect(d.storeBuffer(hart)).toEqual([]);
    expect(d.peek(addr, size)).toBe(BigInt.asUintN(size * 8, youngest.value));
  });

  it('a write watchpoint stops when memory there changes, with the old and new values', () => {
    const d = open('sc');
    const head = symbol('call_function');
    const old = d.peek(head, 8);
    d.addWatchpoint(head, 8);
    const s = d.cont();
    expect(s.kind).toBe('watchpoint');
    if (s.kind === 'watchpoint') {
      expect(s.old).toBe(old);
      expect(s.value).toBe(d.peek(head, 8));
      expect(s.value).not.toBe(s.old);
    }
  });

  it('reverse-step goes back across an IPI to the same machine state', () => {
    const d = open('tso');
    d.step(300);
    const at = d.position;
    const before = state(d);
    const events = d.events.length;
    let n = 0;
    while (!d.events.slice(events).some((e) => /MSIP raised/.test(e.text)) || !d.events.slice(events).some((e) => /took interrupt/.test(e.text))) {
      d.step();
      n++;
      expect(n).toBeLessThan(50_000);
    }
    expect(state(d)).not.toBe(before);
    d.reverseStep(n);
    expect(d.position).toBe(at);
    expect(state(d)).toBe(before);
    // And forward again to the same place.
    d.step(n);
    expect(d.events.slice(events).some((e) => /MSIP raised/.test(e.text))).toBe(true);
  });

  for (const model of ['sc', 'wmo'] as const) {
    it(`${model}: schedule's preview names the hart that the next step moves; a hart in a handler shows as in trap`, () => {
      const d = open(model);
      let inTrap = 0;
      for (let i = 0; i < 3000; i++) {
        const next = d.nextHart();
        const s = d.step();
        if (s.kind !== 'done') break;
        expect(d.machine.lastDecision.hart, `step ${i}`).toBe(next);
        if (d.machine.harts.some((h) => d.stateOf(h) === 'in trap')) inTrap++;
      }
      expect(inTrap).toBeGreaterThan(0);
    });
  }
});

describe('the schedule preview waits for the timer like the machine does', () => {
  // One hart arms its timer 50 ticks ahead and sleeps in wfi: no hart can move until the deadline;
  // the step after it is the woken hart's, at or after that deadline.
  const rom = new Rom();
  rom.check('sleep until the timer', (a) => {
    a.li('t0', CLINT_MTIME).ld('t1', 0, 't0').addi('t1', 't1', 50);
    a.li('t0', CLINT_MTIMECMP).sd('t1', 0, 't0');
    a.li('t1', 0x80).csrs('mie', 't1').csrsi('mstatus', 8);
    a.wfi();
    a.csrci('mstatus', 8);
    a.li('t0', CLINT_MTIMECMP).li('t1', -1).sd('t1', 0, 't0');
  });
  const image = rom.image();

  it('names the deadline while the hart sleeps, and the woken hart after it', () => {
    const d = new Debugger(() => {
      const m = new Machine({}, { putchar: () => {} });
      m.load(image, 'timer');
      return m;
    });
    let i = 0;
    while (d.machine.harts[0]!.state !== 'wfi' && i++ < 10_000) {
      expect(d.upcoming()).toMatchObject({ hart: 0 });
      expect(d.step().kind).toBe('done');
    }
    expect(d.machine.harts[0]!.state).toBe('wfi');
    const next = d.upcoming();
    expect(next).toMatchObject({ timerAt: expect.any(Number) });
    const at = (next as { timerAt: number }).timerAt;
    expect(at).toBeGreaterThan(d.machine.steps);
    expect(d.nextHart()).toBeUndefined();
    expect(d.step().kind).toBe('done');
    expect(d.machine.lastDecision.hart).toBe(0);
    expect(d.machine.steps).toBeGreaterThan(at);
    expect(d.machine.harts[0]!.state).toBe('running');
  });
});
