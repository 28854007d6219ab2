/**
 * The gdb stub (`rvsmp debug --gdb`) with the real gdb-multiarch from Debian (installed by
 * .ci/run), in batch mode on the race schedule R1 / v1 / sc / seed 1: connect, break on a guest
 * symbol, continue, every hart listed as a thread, switch thread, registers, memory, stepi, a
 * watchpoint hit, a CSR through our target.xml, detach.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGuest } from '../../guest/image.js';
import { readElf } from '../../assembler/elf/reader.js';
import { tempDir } from '../helpers/binutils.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function gdbMultiarch(): string {
  const r = spawnSync('gdb-multiarch', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('gdb-multiarch not found: install Debian\'s gdb-multiarch (bash .ci/run does)');
  return 'gdb-multiarch';
}

/** Start the stub on a free port; resolves with the port and the process. */
function startStub(args: string[]): Promise<{ port: number; exited: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--gdb', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve({ port: Number(m[1]), exited });
    });
    child.on('error', reject);
    setTimeout(() => reject(new Error(`the stub did not start: ${err}`)), 20_000);
  });
}

function gdbAsync(args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(gdbMultiarch(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status: status ?? -1, out });
    });
  });
}

describe('the gdb stub with gdb-multiarch', () => {
  it('break, continue, info threads, thread, info registers, x/4gx, stepi, a watchpoint hit, a CSR, detach', async () => {
    const elf = join(tempDir(), 'R1-v1.elf');
    const image = buildGuest({ scenario: 'R1', version: 'v1', harts: 4, ipi: 'clint', iterations: 5 });
    writeFileSync(elf, image);
    const callFunction = readElf(image).symbols.find((s) => s.name === 'call_function')!.value.toString(16);
    const stub = await startStub(['debug', '--scenario', 'R1', '--version', 'v1', '--model', 'sc', '--seed', '1']);
    const ex = (c: string) => ['-ex', c];
    const r = await gdbAsync([
      '--batch', '-nx',
      ...ex('set architecture riscv:rv64'),
      ...ex(`target remote 127.0.0.1:${stub.port}`),
      ...ex('break generic_smp_call_function_interrupt'),
      ...ex('continue'),
      ...ex('info threads'),
      ...ex('thread 3'),
      ...ex('info registers pc sp'),
      ...ex('x/4gx &call_function'),
      ...ex('stepi'),
      ...ex('delete'),
      ...ex('watch *(long *)&call_function'),
      ...ex('continue'),
      ...ex('p/x $mstatus'),
      ...ex('detach'),
      elf,
    ]);
    const out = r.out;
    expect(out, out).toMatch(/Breakpoint 1 at 0x800007[0-9a-f]+/);
    expect(out).toMatch(/Thread \d hit Breakpoint 1, 0x[0-9a-f]+ in generic_smp_call_function_interrupt \(\)/);
    for (const t of [1, 2, 3, 4]) expect(out).toMatch(new RegExp(`^\\*?\\s+${t}\\s+Thread ${t} \\(hart ${t - 1} \\[[^\\]]+\\]\\)`, 'm'));
    expect(out).toMatch(/\[Switching to thread 3 \(Thread 3\)\]/);
    expect(out).toMatch(/^pc\s+0x[0-9a-f]+\s/m);
    expect(out).toMatch(/^sp\s+0x[0-9a-f]+\s/m);
    expect(out).toMatch(new RegExp(`^0x${callFunction}( <call_function>)?:\\s+0x[0-9a-f]{16}\\s+0x[0-9a-f]{16}$`, 'm'));
    expect(out).toMatch(/Hardware watchpoint 2: \*\(long \*\)&call_function/);
    expect(out).toMatch(/Thread \d hit Hardware watchpoint 2: \*\(long \*\)&call_function\s+Old value = \d+\s+New value = \d+/);
    expect(out).toMatch(/^\$\d+ = 0x[0-9a-f]+$/m);
    expect(out).toMatch(/\[Inferior 1 \(Remote target\) detached\]/);
    expect(out).not.toMatch(/internal-error|Remote communication error/);
    expect(await stub.exited).toBe(0);
  }, 120_000);
});
