/**
 * `rvsmp debug` through piped stdin, on the race schedule `rvsmp race --scenario R1 --version v1
 * --model tso --seed 1` replays: a breakpoint on a guest symbol, one hart stepping while the others
 * stay, a store buffer filling and draining, a watchpoint hit, going back across an IPI to the same
 * registers, and bad input answered with messages.
 */
import { describe, expect, it } from 'vitest';
import { Debugger } from '../../emulator/debugger/debugger.js';
import { buildGuest } from '../../guest/image.js';
import { raceMachine } from '../../tools/race/schedule.js';
import { expectNoStackTrace, rvsmp } from '../helpers/cli.js';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assemble, writeElf } from '../../assembler/index.js';
import { tempDir } from '../helpers/binutils.js';

const CELL = ['debug', '--scenario', 'R1', '--version', 'v1', '--model', 'tso', '--seed', '1'];
const debug = (commands: string[]) => rvsmp(CELL, { input: commands.join('\n') + '\n' });
/** The output of each command, by its echoed prompt line. */
function sections(stdout: string): string[] {
  return stdout.split(/^\(rvsmp\) .*$/m).slice(1).map((s) => s.trim());
}

describe('rvsmp debug (piped stdin)', () => {
  it('breaks on a guest symbol, and stepi moves one hart while the others stay', () => {
    const r = debug(['break generic_smp_call_function_interrupt', 'continue', 'info harts', 'stepi 2 3', 'info harts', 'quit']);
    expect(r.status).toBe(0);
    const [set, hit, before, , after] = sections(r.stdout);
    expect(set).toMatch(/^breakpoint 1 at 0x80[0-9a-f]+ <generic_smp_call_function_interrupt>$/);
    expect(hit).toMatch(/^breakpoint 1: hart (\d) at 0x80[0-9a-f]+ <generic_smp_call_function_interrupt>$/m);
    const harts = (text: string) => text.split('\n').map((l) => l.replace(/^\*?\s*/, ''));
    const [b, a] = [harts(before!), harts(after!)];
    expect(a[2]).not.toBe(b[2]);
    for (const i of [0, 1, 3]) expect(a[i]).toBe(b[i]);
  });

  it('shows a store entering the store buffer, memory unchanged, then draining', () => {
    // Find a step where a hart holds a store whose value memory does not have yet.
    const elf = buildGuest({ scenario: 'R1', version: 'v1', harts: 4, ipi: 'clint', iterations: 5 });
    const d = new Debugger((onEvent) => raceMachine(elf, 4, 'tso', 1, 'views', { putchar: () => {}, guestEvent: onEvent }));
    let found: { hart: number; addr: number; size: number; value: bigint } | undefined;
    let steps = 0;
    while (!found && steps < 50_000) {
      d.step();
      steps++;
      for (const h of d.machine.harts) {
        const e = d.storeBuffer(h.id)!.find((x) => x.size === 8 && d.peek(x.addr, 8) !== BigInt.asUintN(64, x.value));
        if (e && d.storeBuffer(h.id)!.length === 1) found = { hart: h.id, ...e };
      }
    }
    expect(found).toBeDefined();
    const { hart, addr, value } = found!;
    const a = `0x${addr.toString(16)}`;
    const r = debug([`step ${steps}`, `sb ${hart}`, `x/1gx ${a}`, `drain ${hart}`, `sb ${hart}`, `x/1gx ${a}`, 'quit']);
    const [, buffered, memBefore, , empty, memAfter] = sections(r.stdout);
    const v = `0x${BigInt.asUintN(64, value).toString(16).padStart(16, '0')}`;
    expect(buffered).toContain(`hart ${hart}: 1 buffered store, oldest first`);
    expect(buffered).toContain(`= ${v}`);
    expect(memBefore).not.toContain(v);
    expect(empty).toBe(`hart ${hart}: store buffer empty`);
    expect(memAfter).toContain(v);
  });

  it('a watchpoint stops where a write changes the list head', () => {
    const r = debug(['watch call_function', 'continue', 'x/1gx call_function', 'quit']);
    const [set, hit, mem] = sections(r.stdout);
    expect(set).toMatch(/^watchpoint 1: writes to 8 bytes at 0x80[0-9a-f]+ <call_function>$/);
    const m = /^watchpoint 1: \[0x80[0-9a-f]+ <call_function>\]\/8 (0x[0-9a-f]{16}) -> (0x[0-9a-f]{16}) \(hart \d\)$/m.exec(hit!);
    expect(m, hit).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    expect(mem).toContain(m![2]);
  });

  it('a read watchpoint stops at the load that reads it; schedule, backtrace and record', () => {
    const rec = join(tempDir(), 'session.rec');
    const r = debug(['watch call_function r', 'continue', 'schedule', 'backtrace', 'delete', 'continue', `record ${rec}`, 'quit']);
    const [, hit, schedule, bt, , , recorded] = sections(r.stdout);
    expect(hit).toMatch(/^watchpoint 1: hart \d read \[0x80[0-9a-f]+ <call_function>\]\/8 = 0x[0-9a-f]{16}$/m);
    expect(schedule).toMatch(/^strategy: /m);
    expect(schedule).toMatch(/^next: hart \d, a new decision$|^next: hart \d goes on for up to \d+ more steps/m);
    expect(schedule).toMatch(/^  hart 3: (running|wfi|paused)/m);
    expect(bt).toMatch(/^#0  0x80[0-9a-f]+ </m);
    expect(bt).toMatch(/^#1  /m);
    expect(recorded).toMatch(/^recorded [\d,]+ steps of schedule to /);
    // The record replays the same session: the same WARN at the same step.
    const again = rvsmp([...CELL, '--replay', rec], { input: 'continue\nquit\n' });
    expect(sections(again.stdout)[0]).toBe(sections(r.stdout)[5]);
  });

  it('goes back across an IPI (raised and taken) to the same registers on every hart', () => {
    const regs = ['regs 0', 'regs 1', 'regs 2', 'regs 3', 'info harts'];
    const r = debug(['step 400', ...regs, 'step 800', 'events', 'reverse-step 800', ...regs, 'quit']);
    const s = sections(r.stdout);
    const before = s.slice(1, 6).join('\n');
    const events = s[7]!;
    const after = s.slice(9, 14).join('\n');
    // Between the two points an IPI was sent and taken.
    const window = events.split('\n').filter((l) => {
      const step = Number(/step (\d+)/.exec(l)?.[1]);
      return step > 400;
    });
    expect(window.some((l) => /MSIP raised on hart \d by hart \d/.test(l))).toBe(true);
    expect(window.some((l) => /took interrupt/.test(l))).toBe(true);
    expect(after).toBe(before);
  });

  it('answers bad commands and bad flags with messages, never a stack trace; a batch with errors exits 1', () => {
    const r = debug(['frobnicate', 'break nosuchsymbol', 'x/4q call_function', 'stepi 9', 'quit']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rvsmp: stdin:1: unknown command "frobnicate"/m);
    expect(r.stderr).toMatch(/^rvsmp: stdin:4: no hart 9 \(0\.\.3\)$/m);
    expect(r.stdout).toContain('error: unknown command "frobnicate"');
    expect(r.stdout).toContain('error: no symbol "nosuchsymbol"');
    expect(r.stdout).toContain('error: x/4q: the format is x/<n><b|h|w|g><x|d|i>');
    expect(r.stdout).toContain('error: no hart 9 (0..3)');
    const bad = rvsmp(['debug', '--scenario', 'R9', '--version', 'v1', '--model', 'sc', '--seed', '1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--scenario: unknown "R9"/);
    expectNoStackTrace(bad.stderr + r.stdout + r.stderr);
  });

  it('debugs an ELF image too; the exit status is the guest\'s when it exited', () => {
    // The SiFive test finisher: 0x3333 | code << 16 fails with that code.
    const src = `  .globl _start\n_start:\n  li a0, 7\n  li t0, 0x100000\n  li t1, 0x33333\n  sw t1, 0(t0)\n1: j 1b\n`;
    const path = join(tempDir(), 'exit3.elf');
    writeFileSync(path, writeElf(assemble(src)));
    const r = rvsmp(['debug', path, '--memory-model', 'sc'], { input: 'until _start+4\nregs\ncontinue\nquit\n' });
    expect(r.stdout).toMatch(/x10\/a0 0x0000000000000007/);
    expect(r.stdout).toMatch(/the guest exited with code 3 \(test finisher\)/);
    expect(r.status).toBe(3);
  });

  it('on a terminal it prompts through readline (a pseudo-terminal from util-linux script)', () => {
    const cmd = [process.execPath, join(__dirname, '../../dist/cli.js'), ...CELL].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { input: 'help\nstep 3\nquit\n', encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw new Error(`script (util-linux) is needed for this test: ${r.error.message}`);
    const out = r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(out).toContain('(rvsmp) ');
    expect(out).toMatch(/step \(s\) \[n\]\s+n steps along the schedule/);
    expect(out).toMatch(/step 3: hart \d /);
    expect(r.status).toBe(0);
  });
});
