/**
 * Differential tests against GNU binutils (Debian's binutils-riscv64-unknown-elf): random operands
 * for every instruction form and alias, assembled by GNU as and by us, must give the same bytes; and
 * objdump's text for those bytes must equal our disassembler's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assemble, decode, Disassembler, readElf } from '../../assembler/index.js';
import { makeSymbolizer } from '../../assembler/symbolize.js';
import { gnuAssembleAndLink, gnuObjdump, gnuTextBytes, normalise, requireBinutils, tempDir } from '../helpers/binutils.js';
import { allForms, randomMacros, randomProgram, renderText, type GenInsn } from '../helpers/gen-insns.js';
import { buildWithDsl } from '../helpers/dsl-replay.js';
import { Prng, testSeed } from '../helpers/prng.js';
import { readFileSync } from 'node:fs';

const BASE = 0x80000000n;
const seed = testSeed('binutils differential');

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Source line that produced the bytes at `offset`, found through the labels L<i> of the listing. */
function sourceAt(source: string, elfPath: string, offset: number): string {
  const syms = readElf(new Uint8Array(readFileSync(elfPath))).symbols.filter((s) => /^L\d+$/.test(s.name));
  const addr = BASE + BigInt(offset);
  let best: (typeof syms)[number] | undefined;
  for (const s of syms) if (s.value <= addr && (!best || s.value > best.value)) best = s;
  if (!best) return '?';
  const lines = source.split('\n');
  const at = lines.indexOf(`${best.name}:`);
  return lines.slice(at, at + 3).join(' / ');
}

describe.each([
  { rvc: false, count: 10_000 },
  { rvc: true, count: 12_000 },
])('against GNU binutils with rvc=$rvc', ({ rvc, count }) => {
  let dir: string;
  let source: string;
  let insns: GenInsn[];
  let gnuElf: string;
  beforeAll(() => {
    requireBinutils();
    dir = tempDir();
    const rng = new Prng(seed + (rvc ? 1 : 0));
    const forms = allForms().filter((f) => rvc || !f.compressed);
    insns = [...randomProgram(rng, forms, count), ...randomMacros(rng, 600, count)];
    source = renderText(insns);
    gnuElf = gnuAssembleAndLink(dir, rvc ? 'rvc' : 'norvc', source, rvc, BASE);
  });

  it.each(['text', 'dsl'])(`assembles ${count}+ random instructions of every form to GNU as's bytes through the %s front end`, (front) => {
    const ours = front === 'text' ? assemble(source, { file: 'random.S', rvc, base: BASE }) : buildWithDsl(insns, rvc).link({ base: BASE });
    const text = ours.sections.find((s) => s.name === '.text')!.data;
    const theirs = gnuTextBytes(dir, gnuElf);
    const at = firstDifference(text, theirs);
    if (at >= 0) {
      const show = (b: Uint8Array) => Buffer.from(b.subarray(at - (at % 2), at - (at % 2) + 8)).toString('hex');
      expect.fail(`first difference at offset 0x${at.toString(16)} (seed ${seed}): ours ${show(text)} gnu ${show(theirs)}; source: ${sourceAt(source, gnuElf, at)}`);
    }
    expect(text.length).toBe(theirs.length);
  });

  it("disassembles every instruction to objdump's text", () => {
    const elf = readElf(new Uint8Array(readFileSync(gnuElf)));
    const text = elf.sections.find((s) => s.name === '.text')!;
    const sym = makeSymbolizer(elf.symbols.filter((s) => s.type !== 3 && s.type !== 4).map((s) => ({ name: s.name, value: s.value, global: s.bind === 1 })));
    const gp = elf.symbols.find((s) => s.name === "__global_pointer$")?.value;
    const dis = new Disassembler(sym, gp);
    const lines = gnuObjdump(gnuElf);
    const mismatches: string[] = [];
    let checked = 0;
    for (const l of lines) {
      const off = Number(l.addr - text.addr);
      const word = l.hex.length === 8 ? new DataView(text.data.buffer, text.data.byteOffset).getUint32(off, true) : new DataView(text.data.buffer, text.data.byteOffset).getUint16(off, true);
      const d = decode(word);
      const ours = d ? normalise(dis.format(d, l.addr)) : '(undecodable)';
      checked++;
      if (ours !== l.text && mismatches.length < 20) mismatches.push(`${l.addr.toString(16)} ${l.hex}: objdump "${l.text}" ours "${ours}"`);
    }
    expect(mismatches, `seed ${seed}`).toEqual([]);
    expect(checked).toBeGreaterThan(count);
  });
});
