/**
 * Pseudo-instructions that are one real instruction with some operands fixed: each row gives the
 * alias's syntax and the instruction it stands for. The assembler accepts every row whose `asm` is
 * not false; the disassembler prints, for a decoded instruction, the first row (in this order) whose
 * template matches, which reproduces GNU objdump 2.40's choices (including its quirk of printing
 * addi as "add rd,rs1,imm").
 */

export interface AliasRow {
  readonly name: string;
  readonly syntax: string;
  /** The instruction this stands for, in terms of the alias's operands. */
  readonly expand: string;
  readonly asm?: boolean;
  readonly disasm?: boolean;
}

const a = (name: string, syntax: string, expand: string, more: Partial<AliasRow> = {}): AliasRow => ({ name, syntax, expand, ...more });

// prettier-ignore
export const ALIAS_ROWS: readonly AliasRow[] = [
  a('nop',      '',                 'addi zero, zero, 0'),
  a('li',       'rd, imm12',        'addi rd, zero, imm12', { asm: false }), // li is a macro (any 64-bit value)
  a('mv',       'rd, rs1',          'addi rd, rs1, 0'),
  a('add',      'rd, rs1, imm12',   'addi rd, rs1, imm12'),
  a('not',      'rd, rs1',          'xori rd, rs1, -1'),
  a('xor',      'rd, rs1, imm12',   'xori rd, rs1, imm12'),
  a('or',       'rd, rs1, imm12',   'ori rd, rs1, imm12'),
  a('zext.b',   'rd, rs1',          'andi rd, rs1, 255'),
  a('and',      'rd, rs1, imm12',   'andi rd, rs1, imm12'),
  a('seqz',     'rd, rs1',          'sltiu rd, rs1, 1'),
  a('slt',      'rd, rs1, imm12',   'slti rd, rs1, imm12', { disasm: false }),
  a('sltu',     'rd, rs1, imm12',   'sltiu rd, rs1, imm12', { disasm: false }),
  a('sll',      'rd, rs1, shamt6',  'slli rd, rs1, shamt6'),
  a('srl',      'rd, rs1, shamt6',  'srli rd, rs1, shamt6'),
  a('sra',      'rd, rs1, shamt6',  'srai rd, rs1, shamt6'),
  a('sext.w',   'rd, rs1',          'addiw rd, rs1, 0'),
  a('addw',     'rd, rs1, imm12',   'addiw rd, rs1, imm12'),
  a('sllw',     'rd, rs1, shamt5',  'slliw rd, rs1, shamt5'),
  a('srlw',     'rd, rs1, shamt5',  'srliw rd, rs1, shamt5'),
  a('sraw',     'rd, rs1, shamt5',  'sraiw rd, rs1, shamt5'),
  a('neg',      'rd, rs2',          'sub rd, zero, rs2'),
  a('negw',     'rd, rs2',          'subw rd, zero, rs2'),
  a('snez',     'rd, rs2',          'sltu rd, zero, rs2'),
  a('sltz',     'rd, rs1',          'slt rd, rs1, zero'),
  a('sgtz',     'rd, rs2',          'slt rd, zero, rs2'),
  a('sgt',      'rd, rs2, rs1',     'slt rd, rs1, rs2', { disasm: false }),
  a('sgtu',     'rd, rs2, rs1',     'sltu rd, rs1, rs2', { disasm: false }),
  a('beqz',     'rs1, bimm',        'beq rs1, zero, bimm'),
  a('bnez',     'rs1, bimm',        'bne rs1, zero, bimm'),
  a('blez',     'rs2, bimm',        'bge zero, rs2, bimm'),
  a('bgez',     'rs1, bimm',        'bge rs1, zero, bimm'),
  a('bltz',     'rs1, bimm',        'blt rs1, zero, bimm'),
  a('bgtz',     'rs2, bimm',        'blt zero, rs2, bimm'),
  a('bgt',      'rs2, rs1, bimm',   'blt rs1, rs2, bimm', { disasm: false }),
  a('ble',      'rs2, rs1, bimm',   'bge rs1, rs2, bimm', { disasm: false }),
  a('bgtu',     'rs2, rs1, bimm',   'bltu rs1, rs2, bimm', { disasm: false }),
  a('bleu',     'rs2, rs1, bimm',   'bgeu rs1, rs2, bimm', { disasm: false }),
  a('j',        'jimm',             'jal zero, jimm'),
  a('jal',      'jimm',             'jal ra, jimm'),
  a('ret',      '',                 'jalr zero, 0(ra)'),
  a('jr',       'rs1',              'jalr zero, 0(rs1)'),
  a('jr',       'imm12(rs1)',       'jalr zero, imm12(rs1)'),
  a('jalr',     'rs1',              'jalr ra, 0(rs1)'),
  a('jalr',     'imm12(rs1)',       'jalr ra, imm12(rs1)'),
  a('jalr',     'rd, rs1',          'jalr rd, 0(rs1)'),
  a('jalr',     'rd, rs1, imm12',   'jalr rd, imm12(rs1)', { disasm: false }),
  a('rdcycle',  'rd',               'csrrs rd, cycle, zero'),
  a('rdtime',   'rd',               'csrrs rd, time, zero'),
  a('rdinstret','rd',               'csrrs rd, instret, zero'),
  a('unimp',    '',                 'csrrw zero, cycle, zero'),
  a('csrr',     'rd, csr',          'csrrs rd, csr, zero'),
  a('csrw',     'csr, rs1',         'csrrw zero, csr, rs1'),
  a('csrs',     'csr, rs1',         'csrrs zero, csr, rs1'),
  a('csrc',     'csr, rs1',         'csrrc zero, csr, rs1'),
  a('csrwi',    'csr, zimm5',       'csrrwi zero, csr, zimm5', { disasm: false }),
  a('csrsi',    'csr, zimm5',       'csrrsi zero, csr, zimm5', { disasm: false }),
  a('csrci',    'csr, zimm5',       'csrrci zero, csr, zimm5', { disasm: false }),
  a('csrw',     'csr, zimm5',       'csrrwi zero, csr, zimm5'),
  a('csrs',     'csr, zimm5',       'csrrsi zero, csr, zimm5'),
  a('csrc',     'csr, zimm5',       'csrrci zero, csr, zimm5'),
  a('csrrw',    'rd, csr, zimm5',   'csrrwi rd, csr, zimm5'),
  a('csrrs',    'rd, csr, zimm5',   'csrrsi rd, csr, zimm5'),
  a('csrrc',    'rd, csr, zimm5',   'csrrci rd, csr, zimm5'),
  a('fence',    '',                 'fence 15, 15'),
  a('sfence.vma', '',               'sfence.vma zero, zero'),
  a('sfence.vma', 'rs1',            'sfence.vma rs1, zero'),
  // Compressed: objdump prints c.mv as "mv"; every other compressed instruction prints as its expansion.
  a('mv',       'c_rd, c_rs2_nz',   'c.mv c_rd, c_rs2_nz', { asm: false }),
  a('unimp',    '',                 'c.unimp', { asm: false }),
];
