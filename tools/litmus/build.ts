/**
 * Turns a parsed litmus test into a machine image (our assembler, one code block per hart, every
 * location in its own 64-byte line), and reads, projects and prints final states the way herd
 * prints them ("0:x5=1; [x]=2;").
 */
import { assemble } from '../../assembler/index.js';
import { regNumber } from '../../assembler/isa/registers.js';
import { writeElf } from '../../assembler/elf/writer.js';
import type { Machine } from '../../emulator/machine.js';
import { condAtoms, type Cond, LitmusError, type LitmusTest } from './parse.js';
import { AsmErrors } from '../../assembler/errors.js';

export interface BuiltTest {
  readonly test: LitmusTest;
  readonly elf: Uint8Array;
  readonly harts: number;
  /** Location name -> address. */
  readonly addr: Map<string, number>;
  /** What final states are projected onto (the condition's registers and locations, plus observed ones). */
  readonly projRegs: { hart: number; reg: number; key: string }[];
  readonly projLocs: string[];
  /** Where each hart starts, and its initial registers (location names resolved to addresses). */
  readonly starts: { pc: number; regs: [number, bigint][] }[];
}

const LOC = (n: string) => `loc_${n}`;

function translate(hart: number, cell: string, labels: Set<string>): string {
  let text = cell.replace(/\.aq\.rl\b/g, '.aqrl');
  for (const l of labels) text = text.replace(new RegExp(`\\b${l}\\b`, 'g'), `P${hart}_${l}`);
  return text;
}

export function buildLitmus(test: LitmusTest): BuiltTest {
  const harts = test.code.length;
  // Locations: declared ones, plus any name used as a register value or in the condition.
  const locs = new Map(test.locations);
  for (const m of test.regs.values()) for (const v of m.values()) if (typeof v === 'string' && !locs.has(v)) locs.set(v, 0n);
  const atoms = condAtoms(test.condition);
  const filterAtoms = test.filter ? condAtoms(test.filter) : undefined;
  for (const l of [...atoms.locs, ...(filterAtoms?.locs ?? [])]) if (!locs.has(l)) locs.set(l, 0n);
  for (const o of test.observe) if (!/:/.test(o) && !locs.has(o.replace(/[[\]]/g, ''))) locs.set(o.replace(/[[\]]/g, ''), 0n);
  const lines = ['  .option norvc', '  .text', '  .globl _start', '_start:'];
  /** Generated assembly line -> the litmus row it came from, for error messages. */
  const sourceLine = new Map<number, { line: number; hart: number }>();
  lines.push('1: wfi', '  j 1b');
  // Each hart starts right at its column with its registers set by the runner (startHarts), so the
  // columns of all harts overlap in time from the first step.
  for (let h = 0; h < harts; h++) {
    lines.push(`  .globl P${h}`, `P${h}:`);
    const labels = new Set<string>();
    for (const cell of test.code[h]!) {
      const m = /^(\w+):/.exec(cell);
      if (m) labels.add(m[1]!);
    }
    test.code[h]!.forEach((cell, row) => {
      if (!cell) return;
      lines.push(`  ${translate(h, cell, labels)}`);
      sourceLine.set(lines.length, { line: test.rowLines[row]!, hart: h });
    });
    lines.push(`P${h}_end:`, '  wfi', `  j P${h}_end`);
  }
  lines.push('  .data');
  for (const [name, v] of locs) lines.push('  .balign 64', `${LOC(name)}:`, `  .dword ${typeof v === 'string' ? LOC(v) : v}`);
  const source = lines.join('\n') + '\n';
  let image;
  try {
    image = assemble(source, { file: test.file, rvc: false });
  } catch (e) {
    if (!(e instanceof AsmErrors)) throw e;
    const first = e.errors[0]!;
    const at = first.pos ? sourceLine.get(first.pos.line) : undefined;
    throw new LitmusError(test.file, at?.line ?? 0, `${at ? `P${at.hart}: ` : ''}${first.detail}`);
  }
  const addr = new Map<string, number>();
  for (const name of locs.keys()) addr.set(name, Number(image.symbols.find((s) => s.name === LOC(name))!.value));
  const regKeys = new Set(atoms.regs);
  const locKeys = new Set(atoms.locs);
  for (const o of test.observe) {
    if (/^\d+:[a-z]\w*$/.test(o)) regKeys.add(o);
    else locKeys.add(o.replace(/[[\]]/g, ''));
  }
  const projRegs = [...regKeys]
    .map((k) => {
      const [hh, rr] = k.split(':');
      const reg = regNumber(rr!) ?? 0;
      return { hart: Number(hh), reg, key: `${hh}:x${reg}` }; // herd prints registers as xN
    })
    .sort((a, b) => a.hart - b.hart || a.reg - b.reg);
  const starts = test.code.map((_, h) => ({
    pc: Number(image.symbols.find((x) => x.name === `P${h}`)!.value),
    regs: [...(test.regs.get(h) ?? new Map()).entries()].map(([r, v]): [number, bigint] => [r, typeof v === 'string' ? BigInt(addr.get(v)!) : v]),
  }));
  return { test, elf: writeElf(image), harts, addr, projRegs, projLocs: [...locKeys].sort(), starts };
}

/** Put every hart at the start of its column with its initial registers. */
export function startHarts(built: BuiltTest, m: Machine): void {
  built.starts.forEach((s, h) => {
    const hart = m.harts[h]!;
    hart.x.fill(0n);
    for (const [r, v] of s.regs) hart.x[r] = v;
    hart.pc = s.pc;
    m.windows[h]?.resync();
  });
}

export interface FinalState {
  reg(hart: number, reg: number): bigint;
  loc(name: string): bigint;
}

export function finalState(built: BuiltTest, m: Machine): FinalState {
  const { test } = built;
  return {
    reg: (hart, reg) => (reg === 0 ? 0n : m.harts[hart]!.x[reg]!),
    loc: (name) => {
      const a = built.addr.get(name);
      if (a === undefined) return 0n;
      const v = BigInt.asIntN(64, m.ram.read(a - m.ram.base, 8));
      return test.wide.has(name) ? v : BigInt.asIntN(32, v);
    },
  };
}

const eq = (a: bigint, b: bigint) => BigInt.asUintN(64, a) === BigInt.asUintN(64, b);

export function evalCond(c: Cond, s: FinalState, built: BuiltTest): boolean {
  const value = (v: bigint | string) => (typeof v === 'string' ? BigInt(built.addr.get(v) ?? -1) : v);
  switch (c.k) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return evalCond(c.a, s, built) && evalCond(c.b, s, built);
    case 'or':
      return evalCond(c.a, s, built) || evalCond(c.b, s, built);
    case 'not':
      return !evalCond(c.a, s, built);
    case 'reg':
      return eq(s.reg(c.hart, c.reg), value(c.value));
    case 'loc':
      return eq(s.loc(c.name), value(c.value));
  }
}

/** A final state projected and printed as herd prints it: "0:x5=1; 1:x7=0; [x]=2;". */
export function stateKey(built: BuiltTest, s: FinalState): string {
  const names = new Map([...built.addr].map(([n, a]) => [BigInt(a), n]));
  const show = (key: string, v: bigint) => {
    const loc = names.get(v);
    if (loc !== undefined && v !== 0n) return loc;
    return (built.test.unsigned.has(key) ? BigInt.asUintN(64, v) : v).toString();
  };
  const parts: string[] = [];
  for (const r of built.projRegs) parts.push(`${r.key}=${show(r.key, s.reg(r.hart, r.reg))};`);
  for (const l of built.projLocs) parts.push(`[${l}]=${show(l, s.loc(l))};`);
  return parts.join(' ');
}
