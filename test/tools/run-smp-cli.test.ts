/** `rvsmp run` with several harts: every hart's output, the finisher's status, record and replay. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, writeElf } from '../../assembler/index.js';
import { tempDir } from '../helpers/binutils.js';
import { expectNoStackTrace, rvsmp } from '../helpers/cli.js';

const dir = tempDir();
/** Each hart prints "hello from hart N" under an amoswap lock; hart 0 exits once all have. */
const HELLO = (harts: number) => `
  .globl _start
_start:
  csrr s0, mhartid
  la t0, lock
1: li t1, 1
  amoswap.w.aq t1, t1, (t0)
  bnez t1, 1b
  li t2, 0x10000000
  la t3, msg
2: lbu t4, 0(t3)
  beqz t4, 3f
  sb t4, 0(t2)
  addi t3, t3, 1
  j 2b
3: addi t4, s0, '0'
  sb t4, 0(t2)
  li t4, 10
  sb t4, 0(t2)
  la t5, done
  li t6, 1
  amoadd.w zero, t6, (t5)
  amoswap.w.rl zero, zero, (t0)
  bnez s0, 5f
  li t6, ${harts}
4: lw t1, 0(t5)
  bne t1, t6, 4b
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
5: wfi
  j 5b
msg: .asciz "hello from hart "
  .data
  .balign 8
lock: .word 0
done: .word 0
`;

describe('rvsmp run --harts', () => {
  const elf = join(dir, 'hello8.elf');
  writeFileSync(elf, writeElf(assemble(HELLO(8))));

  it('shows every hart\'s output and the finisher\'s exit status', () => {
    for (const sched of [[], ['--schedule', 'random', '--seed', '11'], ['--quantum', '1']]) {
      const r = rvsmp(['run', '--harts', '8', elf, ...sched]);
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n').sort();
      expect(lines).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((h) => `hello from hart ${h}`));
      expect(r.stderr).toMatch(/rvsmp: exit 0 through the test finisher after \d+ steps/);
      expect(r.stderr).toMatch(/hart 7 at pc 0x[0-9a-f]+ <_start\+0x[0-9a-f]+> in M-mode/);
    }
  });

  it('gives the same output for the same seed, and replays a recording exactly', () => {
    const a = rvsmp(['run', '--harts', '8', '--schedule', 'random', '--seed', '4', elf]);
    const b = rvsmp(['run', '--harts', '8', '--schedule', 'random', '--seed', '4', elf]);
    expect(a.stdout).toBe(b.stdout);
    const rec = join(dir, 'sched.bin');
    const recorded = rvsmp(['run', '--harts', '8', '--schedule', 'pct', '--pct-depth', '4', '--seed', '8', elf, '--record', rec]);
    expect(recorded.status).toBe(0);
    expect(readFileSync(rec).length).toBeGreaterThan(72);
    const replayed = rvsmp(['run', '--harts', '8', elf, '--replay', rec]);
    expect(replayed.status).toBe(0);
    expect(replayed.stdout).toBe(recorded.stdout);
  });

  it('refuses to replay a recording of another image or hart count', () => {
    const rec = join(dir, 'sched8.bin');
    expect(rvsmp(['run', '--harts', '8', elf, '--record', rec]).status).toBe(0);
    const other = rvsmp(['run', '--harts', '4', elf, '--replay', rec]);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/was recorded with another image or machine configuration/);
    expectNoStackTrace(other.stderr);
  });

  it.each([
    [['--harts', '0'], /--harts takes 1 to 256/],
    [['--schedule', 'fifo'], /--schedule: unknown strategy "fifo"/],
    [['--machine', 'spike'], /--machine: unknown machine "spike"/],
    [['--record', 'a', '--replay', 'b'], /--record and --replay cannot be used together/],
  ])('flags %j', (args, message) => {
    const r = rvsmp(['run', elf, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
