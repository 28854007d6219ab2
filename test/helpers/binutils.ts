/** Runs the GNU RISC-V binutils from Debian (binutils-riscv64-unknown-elf) as test oracles. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MARCH = 'rv64imac_zicsr_zifencei_zihintpause';
const PREFIX = 'riscv64-unknown-elf-';

export function requireBinutils(): void {
  try {
    execFileSync(`${PREFIX}as`, ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PREFIX}as not found: install Debian's binutils-riscv64-unknown-elf (bash .ci/run does)`);
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rvsmp-'));
}

function run(tool: string, args: string[]): string {
  return execFileSync(PREFIX + tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Assemble with GNU as (no linker relaxation) and link at `base` with GNU ld; returns the ELF path. */
export function gnuAssembleAndLink(dir: string, name: string, source: string, rvc: boolean, base = 0x80000000n): string {
  const src = join(dir, `${name}.S`);
  writeFileSync(src, source);
  const obj = join(dir, `${name}.o`);
  const march = rvc ? MARCH.replace('ima', 'imac') : MARCH.replace('imac', 'ima');
  run('as', [`-march=${march}`, '-mabi=lp64', '-mno-relax', '-o', obj, src]);
  const elf = join(dir, `${name}.elf`);
  run('ld', ['--no-relax', `-Ttext=0x${base.toString(16)}`, '-e', `0x${base.toString(16)}`, '-o', elf, obj]);
  return elf;
}

/** The .text bytes of an ELF, as GNU objcopy extracts them. */
export function gnuTextBytes(dir: string, elf: string): Uint8Array {
  const bin = join(dir, 'text.bin');
  run('objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
  return new Uint8Array(readFileSync(bin));
}

export interface ObjdumpLine {
  readonly addr: bigint;
  readonly hex: string;
  readonly text: string;
}

/** `objdump -d` of an ELF, one entry per instruction line, text whitespace-normalised. */
export function gnuObjdump(elf: string, extra: string[] = []): ObjdumpLine[] {
  const out = run('objdump', ['-d', ...extra, elf]);
  const lines: ObjdumpLine[] = [];
  for (const l of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s+\t?(.*)$/.exec(l);
    if (m) lines.push({ addr: BigInt('0x' + m[1]), hex: m[2]!, text: normalise(m[3]!) });
  }
  return lines;
}

export function normalise(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function objdumpRaw(elf: string, extra: string[] = []): string {
  return run('objdump', ['-d', ...extra, elf]);
}
