/**
 * An outside oracle: C programs of ours, compiled with Debian's riscv64-unknown-elf-gcc, must print
 * on rvsmp exactly what they print on qemu-system-riscv64 -machine virt (both installed by .ci/run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/binutils.js';
import { runGuest } from '../helpers/machine.js';

const dir = join(__dirname, 'c');
const PROGRAMS = ['sort', 'hash', 'muldiv', 'recursion', 'format'];

function compile(name: string, out: string): string {
  const elf = join(out, `${name}.elf`);
  const flags = ['-O2', '-march=rv64imac_zicsr', '-mabi=lp64', '-mcmodel=medany', '-ffreestanding', '-fno-builtin', '-nostdlib', '-nostartfiles', '-static', '-Wl,--no-warn-rwx-segments'];
  execFileSync('riscv64-unknown-elf-gcc', [...flags, '-T', join(dir, 'link.ld'), join(dir, 'start.S'), join(dir, 'lib.c'), join(dir, `${name}.c`), '-lgcc', '-o', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
  return elf;
}

describe('C programs print the same on rvsmp and on QEMU virt', () => {
  const out = tempDir();
  it.each(PROGRAMS)('%s', (name) => {
    const elf = compile(name, out);
    const qemu = spawnSync('qemu-system-riscv64', ['-machine', 'virt', '-nographic', '-bios', 'none', '-kernel', elf], { encoding: 'latin1', timeout: 60_000 });
    expect(qemu.status, `qemu: ${qemu.stderr}`).toBe(0);
    const ours = runGuest(new Uint8Array(readFileSync(elf)), { maxInsns: 2e9 });
    expect(ours.stop).toEqual({ kind: 'exit', code: 0, via: 'test finisher' });
    expect(ours.output).toBe(qemu.stdout);
    expect(ours.output.length).toBeGreaterThan(50);
  });
});
