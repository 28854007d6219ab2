/**
 * Automatic compression: when RVC is enabled, an instruction written as `mnemonic operands` is tried
 * against these rules, in this order, before its 32-bit form. The order per mnemonic is GNU as's, so
 * that we choose the same encoding it does (`mv a0,a0` is c.mv; `addi a0,a0,0` is not compressed).
 *
 * Each rule: the written mnemonic, a pattern for its operands (names bind; literal registers and
 * numbers must match; a name used twice must bind the same register), and the compressed
 * instruction to emit, written with the bound names.
 */

// prettier-ignore
export const COMPRESS_RULES: readonly (readonly [mnemonic: string, pattern: string, emit: string])[] = [
  ['unimp',  '',                              'c.unimp'],
  ['ebreak', '',                              'c.ebreak'],
  ['ret',    '',                              'c.jr ra'],
  ['jr',     'c_rs1_nz',                      'c.jr c_rs1_nz'],
  ['jalr',   'c_rs1_nz',                      'c.jalr c_rs1_nz'],
  ['j',      'c_jimm',                        'c.j c_jimm'],
  ['nop',    '',                              'c.nop'],
  ['lui',    'c_rd_lui, c_nzimm18',           'c.lui c_rd_lui, c_nzimm18'],
  ['li',     'c_rd, c_imm6',                  'c.li c_rd, c_imm6'],
  ['mv',     'c_rd, c_rs2_nz',                'c.mv c_rd, c_rs2_nz'],
  ['andi',   'c_rs1p, c_rs1p, c_imm6',        'c.andi c_rs1p, c_imm6'],
  ['and',    'c_rs1p, c_rs1p, c_rs2p',        'c.and c_rs1p, c_rs2p'],
  ['and',    'c_rs1p, c_rs2p, c_rs1p',        'c.and c_rs1p, c_rs2p'],
  ['and',    'c_rs1p, c_rs1p, c_imm6',        'c.andi c_rs1p, c_imm6'],
  ['beqz',   'c_rs1p, c_bimm',                'c.beqz c_rs1p, c_bimm'],
  ['beq',    'c_rs1p, zero, c_bimm',          'c.beqz c_rs1p, c_bimm'],
  ['bnez',   'c_rs1p, c_bimm',                'c.bnez c_rs1p, c_bimm'],
  ['bne',    'c_rs1p, zero, c_bimm',          'c.bnez c_rs1p, c_bimm'],
  ['addi',   'c_rdp, sp, c_nzuimm10',         'c.addi4spn c_rdp, sp, c_nzuimm10'],
  ['addi',   'c_rd, c_rd, c_nzimm6',          'c.addi c_rd, c_nzimm6'],
  ['addi',   'zero, zero, 0',                 'c.nop'],
  ['addi',   'sp, sp, c_nzimm10',             'c.addi16sp sp, c_nzimm10'],
  ['addi',   'c_rd, zero, c_imm6',            'c.li c_rd, c_imm6'],
  ['addi',   'c_rd, c_rs2_nz, 0',             'c.mv c_rd, c_rs2_nz'],
  ['add',    'c_rd, c_rd, c_rs2_nz',          'c.add c_rd, c_rs2_nz'],
  ['add',    'c_rd, c_rs2_nz, c_rd',          'c.add c_rd, c_rs2_nz'],
  ['add',    'c_rd, c_rd, c_nzimm6',          'c.addi c_rd, c_nzimm6'],
  ['add',    'c_rdp, sp, c_nzuimm10',         'c.addi4spn c_rdp, sp, c_nzuimm10'],
  ['add',    'sp, sp, c_nzimm10',             'c.addi16sp sp, c_nzimm10'],
  ['add',    'c_rd, zero, c_rs2_nz',          'c.mv c_rd, c_rs2_nz'],
  ['slli',   'c_rd, c_rd, c_nzshamt',         'c.slli c_rd, c_nzshamt'],
  ['sll',    'c_rd, c_rd, c_nzshamt',         'c.slli c_rd, c_nzshamt'],
  ['srli',   'c_rs1p, c_rs1p, c_nzshamt',     'c.srli c_rs1p, c_nzshamt'],
  ['srl',    'c_rs1p, c_rs1p, c_nzshamt',     'c.srli c_rs1p, c_nzshamt'],
  ['srai',   'c_rs1p, c_rs1p, c_nzshamt',     'c.srai c_rs1p, c_nzshamt'],
  ['sra',    'c_rs1p, c_rs1p, c_nzshamt',     'c.srai c_rs1p, c_nzshamt'],
  ['sub',    'c_rs1p, c_rs1p, c_rs2p',        'c.sub c_rs1p, c_rs2p'],
  ['lw',     'c_rd_nz, c_uimm8sp(sp)',        'c.lwsp c_rd_nz, c_uimm8sp(sp)'],
  ['lw',     'c_rdp, c_uimm7(c_rs1p)',        'c.lw c_rdp, c_uimm7(c_rs1p)'],
  ['or',     'c_rs1p, c_rs1p, c_rs2p',        'c.or c_rs1p, c_rs2p'],
  ['or',     'c_rs1p, c_rs2p, c_rs1p',        'c.or c_rs1p, c_rs2p'],
  ['sw',     'c_rs2, c_uimm8sp_s(sp)',        'c.swsp c_rs2, c_uimm8sp_s(sp)'],
  ['sw',     'c_rs2p, c_uimm7(c_rs1p)',       'c.sw c_rs2p, c_uimm7(c_rs1p)'],
  ['xor',    'c_rs1p, c_rs1p, c_rs2p',        'c.xor c_rs1p, c_rs2p'],
  ['xor',    'c_rs1p, c_rs2p, c_rs1p',        'c.xor c_rs1p, c_rs2p'],
  ['ld',     'c_rd_nz, c_uimm9sp(sp)',        'c.ldsp c_rd_nz, c_uimm9sp(sp)'],
  ['ld',     'c_rdp, c_uimm8(c_rs1p)',        'c.ld c_rdp, c_uimm8(c_rs1p)'],
  ['sd',     'c_rs2, c_uimm9sp_s(sp)',        'c.sdsp c_rs2, c_uimm9sp_s(sp)'],
  ['sd',     'c_rs2p, c_uimm8(c_rs1p)',       'c.sd c_rs2p, c_uimm8(c_rs1p)'],
  ['sext.w', 'c_rd_nz, c_rd_nz',              'c.addiw c_rd_nz, 0'],
  ['addiw',  'c_rd_nz, c_rd_nz, c_imm6',      'c.addiw c_rd_nz, c_imm6'],
  ['addw',   'c_rs1p, c_rs1p, c_rs2p',        'c.addw c_rs1p, c_rs2p'],
  ['addw',   'c_rs1p, c_rs2p, c_rs1p',        'c.addw c_rs1p, c_rs2p'],
  ['addw',   'c_rd_nz, c_rd_nz, c_imm6',      'c.addiw c_rd_nz, c_imm6'],
  ['subw',   'c_rs1p, c_rs1p, c_rs2p',        'c.subw c_rs1p, c_rs2p'],
];
