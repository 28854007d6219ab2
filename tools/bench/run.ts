/**
 * `npm run bench`: builds ../shared/bench (bench-virt.elf, bench-htif.elf) with Debian's
 * riscv64-unknown-elf-gcc, runs each on rvsmp - under the default model (wmo) and under sc, which
 * for one hart are the same fast path - and on QEMU in the same run, and prints the guest's
 * checksum line, rvsmp's MIPS (guest-reported instret / wall seconds of the whole process) and the
 * ratios; then instructions per second on a spin-heavy SMP ROM with 1, 4 and 16 harts.
 * Environment: BENCH_SCALE (default 5), BENCH_SKIP_QEMU=1 to leave QEMU out, BENCH_SMP_ONLY=1 for
 * just the SMP part, BENCH_SMP_STEPS (default 20 million).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, writeElf } from '../../assembler/index.js';
import { Machine } from '../../emulator/machine.js';
import type { ScheduleConfig } from '../../emulator/scheduler.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = process.env.RVSMP_SHARED ?? join(root, '..', 'shared');
const scale = process.env.BENCH_SCALE ?? '5';

function timed(cmd: string, args: string[]): { seconds: number; stdout: string; stderr: string; status: number | null } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30 * 60_000 });
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, stdout: r.stdout ?? "", stderr: r.stderr ?? "", status: r.status };
}

/** Spin-heavy SMP ROM: every hart takes an amoswap spinlock, bumps a shared counter, releases, forever. */
const SPIN_ROM = `
  .globl _start
_start:
  la a0, lock
  la a1, counter
1: li t0, 1
2: amoswap.w.aq t1, t0, (a0)
  bnez t1, 2b
  lw t2, 0(a1)
  addi t2, t2, 1
  sw t2, 0(a1)
  amoswap.w.rl zero, zero, (a0)
  j 1b
  .data
  .balign 4096
lock: .word 0
  .balign 64
counter: .word 0
`;

function smpBench(): void {
  const elf = writeElf(assemble(SPIN_ROM));
  const steps = Number(process.env.BENCH_SMP_STEPS ?? 20_000_000);
  // wmo runs a step per fetch or perform: fewer steps keep its share of the bench short.
  const wmoSteps = Math.min(steps, 4_000_000);
  console.log(`\nspin-heavy SMP ROM (amoswap lock around a shared counter), ${steps.toLocaleString('en')} steps each`);
  const configs: { harts: number; schedule: ScheduleConfig; label: string; memoryModel?: 'sc' | 'wmo' }[] = [
    { harts: 1, schedule: { kind: 'rr', quantum: 100 }, label: 'round-robin q=100' },
    { harts: 4, schedule: { kind: 'rr', quantum: 100 }, label: 'round-robin q=100' },
    { harts: 16, schedule: { kind: 'rr', quantum: 100 }, label: 'round-robin q=100' },
    { harts: 4, schedule: { kind: 'random' }, label: 'uniform random (a decision per step)' },
    { harts: 16, schedule: { kind: 'random' }, label: 'uniform random (a decision per step)' },
    { harts: 1, schedule: { kind: 'rr', quantum: 100 }, label: 'wmo, round-robin q=100', memoryModel: 'wmo' },
    { harts: 4, schedule: { kind: 'rr', quantum: 100 }, label: 'wmo, round-robin q=100', memoryModel: 'wmo' },
  ];
  for (const c of configs) {
    const m = new Machine({ harts: c.harts, schedule: c.schedule, seed: 1, memoryModel: c.memoryModel ?? 'sc' }, { putchar: () => {} });
    m.load(elf, 'spin');
    const t = process.hrtime.bigint();
    m.run(c.memoryModel === 'wmo' ? wmoSteps : steps);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const counter = m.ram.read(Number(m.image!.symbols.find((x) => x.name === 'counter')!.value) - m.ram.base, 4);
    console.log(`  ${String(c.harts).padStart(2)} harts, ${c.label.padEnd(36)} ${(m.retired() / seconds / 1e6).toFixed(1).padStart(6)} M instructions/s  (${seconds.toFixed(2)} s, counter ${counter})`);
  }
}

function main(): void {
  const build = join(shared, 'bench', 'build.sh');
  if (!existsSync(build)) throw new Error(`no benchmark at ${build} (set RVSMP_SHARED to the shared folder)`);
  const out = mkdtempSync(join(tmpdir(), 'rvsmp-bench-'));
  execFileSync('sh', [build, out], { env: { ...process.env, SCALE: scale }, stdio: ['ignore', 'ignore', 'inherit'] });
  const cli = join(root, 'dist', 'cli.js');
  const qemu = process.env.BENCH_SKIP_QEMU ? undefined : 'qemu-system-riscv64';
  console.log(`benchmark: ../shared/bench at SCALE=${scale}, node ${process.version}`);
  for (const [image, machine] of [['bench-virt.elf', 'virt'], ['bench-htif.elf', 'spike']] as const) {
    const elf = join(out, image);
    console.log(`\n${image}`);
    const runs = [
      { label: 'default model (wmo)', args: [] as string[] },
      { label: 'sc', args: ['--memory-model', 'sc'] },
    ].map(({ label, args }) => {
      const r = timed(process.execPath, [cli, 'run', ...args, elf]);
      const line = r.stdout.split('\n').find((l) => l.startsWith('bench:')) ?? '(no checksum line)';
      const instret = Number(/instret=(\d+)/.exec(line)?.[1] ?? NaN);
      console.log(`  rvsmp ${label.padEnd(20)}: ${r.seconds.toFixed(2)} s, ${(instret / r.seconds / 1e6).toFixed(1)} MIPS (exit ${r.status}); ${line}`);
      return { ...r, line };
    });
    const [wmo, sc] = runs as [(typeof runs)[number], (typeof runs)[number]];
    console.log(`  one hart: the default model takes ${(wmo.seconds / sc.seconds).toFixed(2)}x the time of sc (both run the fast path)`);
    if (qemu) {
      const q = timed(qemu, ['-machine', machine, '-nographic', '-bios', 'none', '-kernel', elf]);
      const qline = q.stdout.split('\n').find((l) => l.startsWith('bench:'))?.trim() ?? '(no checksum line)';
      console.log(`  qemu                      : ${q.seconds.toFixed(2)} s (exit ${q.status}); ${qline}`);
      console.log(`  rvsmp (sc) takes ${(sc.seconds / q.seconds).toFixed(1)}x QEMU's time`);
      const sum = (l: string) => /checksum=(0x[0-9a-f]+)/.exec(l)?.[1];
      console.log(`  checksums ${sum(wmo.line) === sum(qline) && sum(sc.line) === sum(qline) ? 'agree' : 'DIFFER'}`);
    }
  }
}

if (!process.env.BENCH_SMP_ONLY) main();
smpBench();
