/**
 * The table of instruction encodings: the single source of truth for the encoder, decoder,
 * disassembler, DSL and text assembler, and for the emulator's decoder.
 *
 * Each row: mnemonic, extension, assembly syntax (operand kinds from operands.ts, in the order GNU as
 * writes them), the fixed bits in riscv-opcodes notation ("hi..lo=value"), bits the decoder ignores
 * (reserved for future use, which the spec says to ignore), and for compressed instructions the base
 * instruction each one stands for. Rows marked `amo` also exist with .aq, .rl and .aqrl suffixes
 * (bits 26 and 25).
 */

export type Ext = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Zihintpause' | 'C' | 'Priv';

export interface InsnRow {
  readonly name: string;
  readonly ext: Ext;
  readonly syntax: string;
  readonly fixed: string;
  readonly ignore?: string;
  /** Compressed rows: the base instruction, written with this row's operand names. */
  readonly expand?: string;
  readonly amo?: boolean;
}

// Major opcodes (bits 6..0), as the unprivileged spec's opcode map names them.
const LOAD = 0x03, MISC_MEM = 0x0f, OP_IMM = 0x13, AUIPC = 0x17, OP_IMM_32 = 0x1b, STORE = 0x23;
const AMO = 0x2f, OP = 0x33, LUI = 0x37, OP_32 = 0x3b, BRANCH = 0x63, JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73;

const h = (n: number) => `0x${n.toString(16)}`;
const row = (name: string, ext: Ext, syntax: string, fixed: string, more: Partial<InsnRow> = {}): InsnRow => ({ name, ext, syntax, fixed, ...more });
const R = (name: string, ext: Ext, opcode: number, f3: number, f7: number) =>
  row(name, ext, 'rd, rs1, rs2', `31..25=${h(f7)} 14..12=${f3} 6..0=${h(opcode)}`);
const I = (name: string, ext: Ext, opcode: number, f3: number) => row(name, ext, 'rd, rs1, imm12', `14..12=${f3} 6..0=${h(opcode)}`);
const LD = (name: string, f3: number) => row(name, 'I', 'rd, imm12(rs1)', `14..12=${f3} 6..0=${h(LOAD)}`);
const ST = (name: string, f3: number) => row(name, 'I', 'rs2, simm12(rs1)', `14..12=${f3} 6..0=${h(STORE)}`);
const BR = (name: string, f3: number) => row(name, 'I', 'rs1, rs2, bimm', `14..12=${f3} 6..0=${h(BRANCH)}`);
const AMO_OP = (name: string, f5: number, f3: number) => row(name, 'A', 'rd, rs2, (rs1)', `31..27=${h(f5)} 14..12=${f3} 6..0=${h(AMO)}`, { amo: true });
const CSR = (name: string, f3: number, src: 'rs1' | 'zimm5') => row(name, 'Zicsr', `rd, csr, ${src}`, `14..12=${f3} 6..0=${h(SYSTEM)}`);
const SYS = (name: string, ext: Ext, word: number) => row(name, ext, '', `31..0=${h(word)}`);
const C = (name: string, syntax: string, fixed: string, expand: string) => row(name, 'C', syntax, fixed, { expand });

// prettier-ignore
export const INSN_ROWS: readonly InsnRow[] = [
  // RV64I
  row('lui',   'I', 'rd, uimm20', `6..0=${h(LUI)}`),
  row('auipc', 'I', 'rd, uimm20', `6..0=${h(AUIPC)}`),
  row('jal',   'I', 'rd, jimm', `6..0=${h(JAL)}`),
  row('jalr',  'I', 'rd, imm12(rs1)', `14..12=0 6..0=${h(JALR)}`),
  BR('beq', 0), BR('bne', 1), BR('blt', 4), BR('bge', 5), BR('bltu', 6), BR('bgeu', 7),
  LD('lb', 0), LD('lh', 1), LD('lw', 2), LD('ld', 3), LD('lbu', 4), LD('lhu', 5), LD('lwu', 6),
  ST('sb', 0), ST('sh', 1), ST('sw', 2), ST('sd', 3),
  I('addi', 'I', OP_IMM, 0), I('slti', 'I', OP_IMM, 2), I('sltiu', 'I', OP_IMM, 3),
  I('xori', 'I', OP_IMM, 4), I('ori', 'I', OP_IMM, 6), I('andi', 'I', OP_IMM, 7),
  row('slli',  'I', 'rd, rs1, shamt6', `31..26=0 14..12=1 6..0=${h(OP_IMM)}`),
  row('srli',  'I', 'rd, rs1, shamt6', `31..26=0 14..12=5 6..0=${h(OP_IMM)}`),
  row('srai',  'I', 'rd, rs1, shamt6', `31..26=0x10 14..12=5 6..0=${h(OP_IMM)}`),
  R('add', 'I', OP, 0, 0), R('sub', 'I', OP, 0, 0x20), R('sll', 'I', OP, 1, 0), R('slt', 'I', OP, 2, 0),
  R('sltu', 'I', OP, 3, 0), R('xor', 'I', OP, 4, 0), R('srl', 'I', OP, 5, 0), R('sra', 'I', OP, 5, 0x20),
  R('or', 'I', OP, 6, 0), R('and', 'I', OP, 7, 0),
  I('addiw', 'I', OP_IMM_32, 0),
  row('slliw', 'I', 'rd, rs1, shamt5', `31..25=0 14..12=1 6..0=${h(OP_IMM_32)}`),
  row('srliw', 'I', 'rd, rs1, shamt5', `31..25=0 14..12=5 6..0=${h(OP_IMM_32)}`),
  row('sraiw', 'I', 'rd, rs1, shamt5', `31..25=0x20 14..12=5 6..0=${h(OP_IMM_32)}`),
  R('addw', 'I', OP_32, 0, 0), R('subw', 'I', OP_32, 0, 0x20), R('sllw', 'I', OP_32, 1, 0),
  R('srlw', 'I', OP_32, 5, 0), R('sraw', 'I', OP_32, 5, 0x20),
  // FENCE: fm, rs1 and rd are reserved and ignored (unprivileged spec 2.7); fence.tso and pause are
  // particular fences, matched first because they fix more bits.
  row('fence', 'I', 'pred, succ', `14..12=0 6..0=${h(MISC_MEM)}`, { ignore: '31..28 19..15 11..7' }),
  SYS('fence.tso', 'I', 0x8330000f),
  SYS('pause', 'Zihintpause', 0x0100000f),
  SYS('ecall', 'I', 0x00000073),
  SYS('ebreak', 'I', 0x00100073),

  // M
  R('mul', 'M', OP, 0, 1), R('mulh', 'M', OP, 1, 1), R('mulhsu', 'M', OP, 2, 1), R('mulhu', 'M', OP, 3, 1),
  R('div', 'M', OP, 4, 1), R('divu', 'M', OP, 5, 1), R('rem', 'M', OP, 6, 1), R('remu', 'M', OP, 7, 1),
  R('mulw', 'M', OP_32, 0, 1), R('divw', 'M', OP_32, 4, 1), R('divuw', 'M', OP_32, 5, 1),
  R('remw', 'M', OP_32, 6, 1), R('remuw', 'M', OP_32, 7, 1),

  // A (each also with .aq, .rl, .aqrl)
  row('lr.w', 'A', 'rd, (rs1)', `31..27=2 24..20=0 14..12=2 6..0=${h(AMO)}`, { amo: true }),
  row('sc.w', 'A', 'rd, rs2, (rs1)', `31..27=3 14..12=2 6..0=${h(AMO)}`, { amo: true }),
  AMO_OP('amoswap.w', 0x01, 2), AMO_OP('amoadd.w', 0x00, 2), AMO_OP('amoxor.w', 0x04, 2),
  AMO_OP('amoand.w', 0x0c, 2), AMO_OP('amoor.w', 0x08, 2), AMO_OP('amomin.w', 0x10, 2),
  AMO_OP('amomax.w', 0x14, 2), AMO_OP('amominu.w', 0x18, 2), AMO_OP('amomaxu.w', 0x1c, 2),
  row('lr.d', 'A', 'rd, (rs1)', `31..27=2 24..20=0 14..12=3 6..0=${h(AMO)}`, { amo: true }),
  row('sc.d', 'A', 'rd, rs2, (rs1)', `31..27=3 14..12=3 6..0=${h(AMO)}`, { amo: true }),
  AMO_OP('amoswap.d', 0x01, 3), AMO_OP('amoadd.d', 0x00, 3), AMO_OP('amoxor.d', 0x04, 3),
  AMO_OP('amoand.d', 0x0c, 3), AMO_OP('amoor.d', 0x08, 3), AMO_OP('amomin.d', 0x10, 3),
  AMO_OP('amomax.d', 0x14, 3), AMO_OP('amominu.d', 0x18, 3), AMO_OP('amomaxu.d', 0x1c, 3),

  // Zicsr
  CSR('csrrw', 1, 'rs1'), CSR('csrrs', 2, 'rs1'), CSR('csrrc', 3, 'rs1'),
  CSR('csrrwi', 5, 'zimm5'), CSR('csrrsi', 6, 'zimm5'), CSR('csrrci', 7, 'zimm5'),

  // Zifencei: imm, rs1 and rd are reserved and ignored.
  row('fence.i', 'Zifencei', '', `14..12=1 6..0=${h(MISC_MEM)}`, { ignore: '31..20 19..15 11..7' }),

  // Privileged
  SYS('sret', 'Priv', 0x10200073),
  SYS('mret', 'Priv', 0x30200073),
  SYS('wfi',  'Priv', 0x10500073),
  row('sfence.vma', 'Priv', 'rs1, rs2', `31..25=0x9 14..12=0 11..7=0 6..0=${h(SYSTEM)}`),

  // C, quadrant 0. The all-zero parcel is defined to be illegal; it has a row so that assemblers and
  // listings can name it (GNU's c.unimp), and the emulator raises illegal instruction for it.
  row('c.unimp', 'C', '', '15..0=0'),
  C('c.addi4spn', 'c_rdp, sp, c_nzuimm10',     '15..13=0 1..0=0', 'addi c_rdp, sp, c_nzuimm10'),
  C('c.lw',       'c_rdp, c_uimm7(c_rs1p)',    '15..13=2 1..0=0', 'lw c_rdp, c_uimm7(c_rs1p)'),
  C('c.ld',       'c_rdp, c_uimm8(c_rs1p)',    '15..13=3 1..0=0', 'ld c_rdp, c_uimm8(c_rs1p)'),
  C('c.sw',       'c_rs2p, c_uimm7(c_rs1p)',   '15..13=6 1..0=0', 'sw c_rs2p, c_uimm7(c_rs1p)'),
  C('c.sd',       'c_rs2p, c_uimm8(c_rs1p)',   '15..13=7 1..0=0', 'sd c_rs2p, c_uimm8(c_rs1p)'),
  // C, quadrant 1
  C('c.nop',      '',                          '15..0=0x1', 'addi zero, zero, 0'),
  C('c.addi',     'c_rd, c_nzimm6',            '15..13=0 1..0=1', 'addi c_rd, c_rd, c_nzimm6'),
  C('c.addiw',    'c_rd_nz, c_imm6',           '15..13=1 1..0=1', 'addiw c_rd_nz, c_rd_nz, c_imm6'),
  C('c.li',       'c_rd, c_imm6',              '15..13=2 1..0=1', 'addi c_rd, zero, c_imm6'),
  C('c.addi16sp', 'sp, c_nzimm10',             '15..13=3 11..7=2 1..0=1', 'addi sp, sp, c_nzimm10'),
  C('c.lui',      'c_rd_lui, c_nzimm18',       '15..13=3 1..0=1', 'lui c_rd_lui, c_nzimm18'),
  C('c.srli',     'c_rs1p, c_nzshamt',         '15..13=4 11..10=0 1..0=1', 'srli c_rs1p, c_rs1p, c_nzshamt'),
  C('c.srai',     'c_rs1p, c_nzshamt',         '15..13=4 11..10=1 1..0=1', 'srai c_rs1p, c_rs1p, c_nzshamt'),
  C('c.andi',     'c_rs1p, c_imm6',            '15..13=4 11..10=2 1..0=1', 'andi c_rs1p, c_rs1p, c_imm6'),
  C('c.sub',      'c_rs1p, c_rs2p',            '15..13=4 12=0 11..10=3 6..5=0 1..0=1', 'sub c_rs1p, c_rs1p, c_rs2p'),
  C('c.xor',      'c_rs1p, c_rs2p',            '15..13=4 12=0 11..10=3 6..5=1 1..0=1', 'xor c_rs1p, c_rs1p, c_rs2p'),
  C('c.or',       'c_rs1p, c_rs2p',            '15..13=4 12=0 11..10=3 6..5=2 1..0=1', 'or c_rs1p, c_rs1p, c_rs2p'),
  C('c.and',      'c_rs1p, c_rs2p',            '15..13=4 12=0 11..10=3 6..5=3 1..0=1', 'and c_rs1p, c_rs1p, c_rs2p'),
  C('c.subw',     'c_rs1p, c_rs2p',            '15..13=4 12=1 11..10=3 6..5=0 1..0=1', 'subw c_rs1p, c_rs1p, c_rs2p'),
  C('c.addw',     'c_rs1p, c_rs2p',            '15..13=4 12=1 11..10=3 6..5=1 1..0=1', 'addw c_rs1p, c_rs1p, c_rs2p'),
  C('c.j',        'c_jimm',                    '15..13=5 1..0=1', 'jal zero, c_jimm'),
  C('c.beqz',     'c_rs1p, c_bimm',            '15..13=6 1..0=1', 'beq c_rs1p, zero, c_bimm'),
  C('c.bnez',     'c_rs1p, c_bimm',            '15..13=7 1..0=1', 'bne c_rs1p, zero, c_bimm'),
  // C, quadrant 2
  C('c.slli',     'c_rd, c_nzshamt',           '15..13=0 1..0=2', 'slli c_rd, c_rd, c_nzshamt'),
  C('c.lwsp',     'c_rd_nz, c_uimm8sp(sp)',    '15..13=2 1..0=2', 'lw c_rd_nz, c_uimm8sp(sp)'),
  C('c.ldsp',     'c_rd_nz, c_uimm9sp(sp)',    '15..13=3 1..0=2', 'ld c_rd_nz, c_uimm9sp(sp)'),
  C('c.jr',       'c_rs1_nz',                  '15..13=4 12=0 6..2=0 1..0=2', 'jalr zero, 0(c_rs1_nz)'),
  C('c.mv',       'c_rd, c_rs2_nz',            '15..13=4 12=0 1..0=2', 'add c_rd, zero, c_rs2_nz'),
  C('c.ebreak',   '',                          '15..0=0x9002', 'ebreak'),
  C('c.jalr',     'c_rs1_nz',                  '15..13=4 12=1 6..2=0 1..0=2', 'jalr ra, 0(c_rs1_nz)'),
  C('c.add',      'c_rd, c_rs2_nz',            '15..13=4 12=1 1..0=2', 'add c_rd, c_rd, c_rs2_nz'),
  C('c.swsp',     'c_rs2, c_uimm8sp_s(sp)',    '15..13=6 1..0=2', 'sw c_rs2, c_uimm8sp_s(sp)'),
  C('c.sdsp',     'c_rs2, c_uimm9sp_s(sp)',    '15..13=7 1..0=2', 'sd c_rs2, c_uimm9sp_s(sp)'),
];
