/**
 * Instruction semantics, written once as JavaScript source snippets over named operands. The hart's
 * interpreter and its block compiler are both generated from this table, so they cannot disagree.
 *
 * In a snippet: `x` is the register file (BigInt64Array), `h` the hart, and the placeholders are
 *   $rd $rs1 $rs2   register numbers      $imm   the immediate as a bigint
 *   $immn           the immediate as a number (CSR number, shift amount, offsets)
 *   $pc             this instruction's address (a number)    $npc  the next instruction's address
 *   $aq $rl         ordering bits of A-extension instructions
 * A snippet that changes control flow assigns `npc` (a local of the generated code). Writes to x0
 * are undone by the generated code. Loads, stores, CSRs and system instructions call the hart, which
 * throws a Trap for any exception.
 *
 * Arithmetic follows the unprivileged spec: W forms sign-extend 32-bit results ("ADDW ... ignores
 * overflow and the low 32 bits of the result are sign-extended to 64 bits"); division by zero gives
 * all ones (quotient) or the dividend (remainder); overflow of signed division gives the dividend
 * (quotient) or zero (remainder), chapter "M" table 13.1.
 */

const S64 = (e: string) => `BigInt.asIntN(64, ${e})`;
const U64 = (e: string) => `BigInt.asUintN(64, ${e})`;
const S32 = (e: string) => `BigInt.asIntN(32, ${e})`;
const U32 = (e: string) => `BigInt.asUintN(32, ${e})`;
const wr = (e: string) => `x[$rd] = ${e};`;

/** Conditions of the conditional branches, over $rs1/$rs2 (the block compiler uses them directly). */
// prettier-ignore
export const BRANCH_CONDITIONS: Record<string, string> = {
  beq:  'x[$rs1] === x[$rs2]',
  bne:  'x[$rs1] !== x[$rs2]',
  blt:  'x[$rs1] < x[$rs2]',
  bge:  'x[$rs1] >= x[$rs2]',
  bltu: `${U64('x[$rs1]')} < ${U64('x[$rs2]')}`,
  bgeu: `${U64('x[$rs1]')} >= ${U64('x[$rs2]')}`,
};
const br = (name: string) => `if (${BRANCH_CONDITIONS[name]}) npc = h.branchTarget($pc, $immn);`;

// prettier-ignore
export const SEMANTICS: Record<string, string> = {
  lui:    wr('$imm'),
  auipc:  wr(S64('BigInt($pc) + $imm')),
  jal:    `npc = h.branchTarget($pc, $immn); x[$rd] = BigInt($npc);`,
  jalr:   `npc = h.jumpTarget((x[$rs1] + $imm) & -2n); x[$rd] = BigInt($npc);`,
  beq:    br('beq'),
  bne:    br('bne'),
  blt:    br('blt'),
  bge:    br('bge'),
  bltu:   br('bltu'),
  bgeu:   br('bgeu'),

  lb:     wr('h.lb(x[$rs1], $immn)'),
  lh:     wr('h.lh(x[$rs1], $immn)'),
  lw:     wr('h.lw(x[$rs1], $immn)'),
  ld:     wr('h.ld(x[$rs1], $immn)'),
  lbu:    wr('h.lbu(x[$rs1], $immn)'),
  lhu:    wr('h.lhu(x[$rs1], $immn)'),
  lwu:    wr('h.lwu(x[$rs1], $immn)'),
  sb:     'h.sb(x[$rs1], $immn, x[$rs2]);',
  sh:     'h.sh(x[$rs1], $immn, x[$rs2]);',
  sw:     'h.sw(x[$rs1], $immn, x[$rs2]);',
  sd:     'h.sd(x[$rs1], $immn, x[$rs2]);',

  addi:   wr(S64('x[$rs1] + $imm')),
  slti:   wr('x[$rs1] < $imm ? 1n : 0n'),
  sltiu:  wr(`${U64('x[$rs1]')} < ${U64('$imm')} ? 1n : 0n`),
  xori:   wr('x[$rs1] ^ $imm'),
  ori:    wr('x[$rs1] | $imm'),
  andi:   wr('x[$rs1] & $imm'),
  slli:   wr(S64('x[$rs1] << $imm')),
  srli:   wr(S64(`${U64('x[$rs1]')} >> $imm`)),
  srai:   wr('x[$rs1] >> $imm'),

  add:    wr(S64('x[$rs1] + x[$rs2]')),
  sub:    wr(S64('x[$rs1] - x[$rs2]')),
  sll:    wr(S64('x[$rs1] << (x[$rs2] & 63n)')),
  slt:    wr('x[$rs1] < x[$rs2] ? 1n : 0n'),
  sltu:   wr(`${U64('x[$rs1]')} < ${U64('x[$rs2]')} ? 1n : 0n`),
  xor:    wr('x[$rs1] ^ x[$rs2]'),
  srl:    wr(S64(`${U64('x[$rs1]')} >> (x[$rs2] & 63n)`)),
  sra:    wr('x[$rs1] >> (x[$rs2] & 63n)'),
  or:     wr('x[$rs1] | x[$rs2]'),
  and:    wr('x[$rs1] & x[$rs2]'),

  addiw:  wr(S32('x[$rs1] + $imm')),
  slliw:  wr(S32('x[$rs1] << $imm')),
  srliw:  wr(S32(`${U32('x[$rs1]')} >> $imm`)),
  sraiw:  wr(`${S32('x[$rs1]')} >> $imm`),
  addw:   wr(S32('x[$rs1] + x[$rs2]')),
  subw:   wr(S32('x[$rs1] - x[$rs2]')),
  sllw:   wr(S32('x[$rs1] << (x[$rs2] & 31n)')),
  srlw:   wr(S32(`${U32('x[$rs1]')} >> (x[$rs2] & 31n)`)),
  sraw:   wr(`${S32('x[$rs1]')} >> (x[$rs2] & 31n)`),

  mul:    wr(S64('x[$rs1] * x[$rs2]')),
  mulh:   wr(S64('(x[$rs1] * x[$rs2]) >> 64n')),
  mulhsu: wr(S64(`(x[$rs1] * ${U64('x[$rs2]')}) >> 64n`)),
  mulhu:  wr(S64(`(${U64('x[$rs1]')} * ${U64('x[$rs2]')}) >> 64n`)),
  div:    wr('h.div(x[$rs1], x[$rs2])'),
  divu:   wr('h.divu(x[$rs1], x[$rs2])'),
  rem:    wr('h.rem(x[$rs1], x[$rs2])'),
  remu:   wr('h.remu(x[$rs1], x[$rs2])'),
  mulw:   wr(S32('x[$rs1] * x[$rs2]')),
  divw:   wr(`h.divw(${S32('x[$rs1]')}, ${S32('x[$rs2]')})`),
  divuw:  wr(`h.divuw(${U32('x[$rs1]')}, ${U32('x[$rs2]')})`),
  remw:   wr(`h.remw(${S32('x[$rs1]')}, ${S32('x[$rs2]')})`),
  remuw:  wr(`h.remuw(${U32('x[$rs1]')}, ${U32('x[$rs2]')})`),

  'lr.w': wr('h.lr(x[$rs1], 4, $aq, $rl)'),
  'lr.d': wr('h.lr(x[$rs1], 8, $aq, $rl)'),
  'sc.w': wr('h.sc(x[$rs1], 4, x[$rs2], $aq, $rl)'),
  'sc.d': wr('h.sc(x[$rs1], 8, x[$rs2], $aq, $rl)'),

  fence:        'h.fence($immn);',
  'fence.tso':  'h.fence(0x833);',
  pause:        'h.pause();',
  'fence.i':    'h.fenceI();',
  ecall:        'h.ecall();',
  ebreak:       'h.ebreak($pc);',
  mret:         'npc = h.mret();',
  sret:         'npc = h.sret();',
  wfi:          'h.wfi();',
  'sfence.vma': 'h.sfenceVma();',
  'c.unimp':    'h.illegal();',

  csrrw:  'h.csrrw($rd, $immn, x[$rs1], true);',
  csrrs:  'h.csrrs($rd, $immn, x[$rs1], $rs1 !== 0);',
  csrrc:  'h.csrrc($rd, $immn, x[$rs1], $rs1 !== 0);',
  csrrwi: 'h.csrrw($rd, $immn, BigInt($rs1), true);',
  csrrsi: 'h.csrrs($rd, $immn, BigInt($rs1), $rs1 !== 0);',
  csrrci: 'h.csrrc($rd, $immn, BigInt($rs1), $rs1 !== 0);',
};

// AMOs: h.amo(kind, address, size, value, aq, rl) returns the old value, sign-extended.
for (const [op, kind] of [['swap', 0], ['add', 1], ['xor', 2], ['and', 3], ['or', 4], ['min', 5], ['max', 6], ['minu', 7], ['maxu', 8]] as const) {
  SEMANTICS[`amo${op}.w`] = wr(`h.amo(${kind}, x[$rs1], 4, x[$rs2], $aq, $rl)`);
  SEMANTICS[`amo${op}.d`] = wr(`h.amo(${kind}, x[$rs1], 8, x[$rs2], $aq, $rl)`);
}

