/**
 * `npm run bench`: builds ../shared/bench (bench-virt.elf, bench-htif.elf) with Debian's
 * riscv64-unknown-elf-gcc, runs each on rvsmp and on QEMU in the same run, and prints the guest's
 * checksum line, rvsmp's MIPS (guest-reported instret / wall seconds of the whole process) and the
 * ratio to QEMU. Environment: BENCH_SCALE (default 5), BENCH_SKIP_QEMU=1 to leave QEMU out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = process.env.RVSMP_SHARED ?? join(root, '..', 'shared');
const scale = process.env.BENCH_SCALE ?? '5';

function timed(cmd: string, args: string[]): { seconds: number; stdout: string; status: number | null } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30 * 60_000 });
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, stdout: r.stdout ?? '', status: r.status };
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
    const ours = timed(process.execPath, [cli, 'run', elf]);
    const line = ours.stdout.split('\n').find((l) => l.startsWith('bench:')) ?? '(no checksum line)';
    const instret = Number(/instret=(\d+)/.exec(line)?.[1] ?? NaN);
    const mips = instret / ours.seconds / 1e6;
    console.log(`\n${image}`);
    console.log(`  rvsmp : ${line}`);
    console.log(`  rvsmp : ${ours.seconds.toFixed(2)} s, ${mips.toFixed(1)} MIPS (exit ${ours.status})`);
    if (qemu) {
      const q = timed(qemu, ['-machine', machine, '-nographic', '-bios', 'none', '-kernel', elf]);
      const qline = q.stdout.split('\n').find((l) => l.startsWith('bench:'))?.trim() ?? '(no checksum line)';
      console.log(`  qemu  : ${qline}`);
      console.log(`  qemu  : ${q.seconds.toFixed(2)} s (exit ${q.status}); rvsmp takes ${(ours.seconds / q.seconds).toFixed(1)}x QEMU's time`);
      const sum = (l: string) => /checksum=(0x[0-9a-f]+)/.exec(l)?.[1];
      console.log(`  checksums ${sum(line) === sum(qline) ? 'agree' : 'DIFFER'}`);
    }
  }
}

main();
