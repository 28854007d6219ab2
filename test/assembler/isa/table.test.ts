/** Whole-table checks, as riscv-opcodes' parse.py makes them: every bit accounted for once, no overlaps. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSN_ROWS } from '../../../assembler/isa/opcodes.js';
import { coverage, INSNS, isSpecialCaseOf, overlaps } from '../../../assembler/isa/table.js';
import { ALIASES } from '../../../assembler/isa/alias-table.js';
import { CSRS } from '../../../assembler/isa/csrs.js';
import { generateDslMethods } from '../../../tools/gen/dsl-methods.js';

describe('instruction table', () => {
  it('accounts for every bit of every row exactly once (fixed, operand or ignored)', () => {
    const problems = INSN_ROWS.flatMap((r) => coverage(r).problems);
    expect(problems).toEqual([]);
  });

  it('has no two rows that match the same word unless one is a special case of the other', () => {
    const bad: string[] = [];
    for (let i = 0; i < INSNS.length; i++)
      for (let j = i + 1; j < INSNS.length; j++) {
        const a = INSNS[i]!;
        const b = INSNS[j]!;
        if (overlaps(a, b) && !isSpecialCaseOf(a, b) && !isSpecialCaseOf(b, a)) bad.push(`${a.name} / ${b.name}`);
      }
    expect(bad).toEqual([]);
  });

  it('covers RV64I, M, A with every ordering, Zicsr, Zifencei, C and the privileged instructions', () => {
    const names = new Set(INSNS.map((s) => s.name));
    for (const n of ['lui', 'auipc', 'jal', 'jalr', 'ld', 'sd', 'lwu', 'addiw', 'sraiw', 'subw', 'fence', 'fence.tso', 'pause', 'ecall', 'ebreak',
      'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw',
      'lr.w', 'lr.d.aq', 'sc.d.rl', 'amoswap.w.aqrl', 'amomaxu.d', 'csrrw', 'csrrci', 'fence.i', 'mret', 'sret', 'wfi', 'sfence.vma',
      'c.addi4spn', 'c.ld', 'c.sd', 'c.lui', 'c.addi16sp', 'c.srai', 'c.subw', 'c.addw', 'c.j', 'c.beqz', 'c.ldsp', 'c.sdsp', 'c.jalr', 'c.ebreak'])
      expect(names, n).toContain(n);
    const amos = INSNS.filter((s) => s.ext === 'A');
    expect(amos.length).toBe(22 * 4);
    for (const n of ['miselect', 'mireg', 'mtopei', 'mtopi', 'siselect', 'sireg', 'stopei', 'stopi', 'mstatus', 'satp', 'pmpaddr63', 'cycle'])
      expect(CSRS.map((c) => c.name)).toContain(n);
  });

  it('has aliases that all resolve to table instructions', () => {
    for (const a of ALIASES) expect(INSNS).toContain(a.target.spec);
  });

  it('keeps assembler/isa a leaf: it imports nothing outside itself', () => {
    const dir = join(__dirname, '../../../assembler/isa');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/from '([^']+)'/g)) expect(m[1], `${f} imports ${m[1]}`).toMatch(/^\.\/[\w-]+\.js$/);
    }
  });

  it('has DSL method types generated from the current table (npm run gen)', () => {
    const file = readFileSync(join(__dirname, '../../../assembler/dsl/methods.ts'), 'utf8');
    expect(file).toBe(generateDslMethods());
  });
});
