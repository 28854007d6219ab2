/**
 * What each (uncompressed) instruction is, as data derived from its encoding in the table: its
 * class (from the major opcode and funct3), the size and signedness of its memory access, its
 * ordering bits, which registers it reads and writes (from its operands), whether it ends a basic
 * block and whether it serialises (must run alone, with everything before it complete: CSR
 * accesses and system instructions). The interpreter, the block compiler, the memory engines, the
 * debugger and the tracer read these instead of looking into semantic code.
 */
import { INSNS, type InsnSpec } from './table.js';

export type InsnClass =
  /** Register-only computation (OP, OP-IMM, LUI, AUIPC and their 32-bit forms). */
  | 'alu'
  | 'load'
  | 'store'
  | 'lr'
  | 'sc'
  | 'amo'
  | 'branch'
  | 'jal'
  | 'jalr'
  /** fence and fence.tso: order memory accesses. */
  | 'fence'
  /** fence.i: orders instruction fetch after this hart's stores. */
  | 'fence.i'
  /** pause (Zihintpause): a hint to the hart that it spins. */
  | 'pause'
  | 'csr'
  /** ecall, ebreak, mret, sret, wfi, sfence.vma. */
  | 'system';

export interface InsnProps {
  readonly cls: InsnClass;
  /** Bytes a load, store, LR, SC or AMO accesses; 0 for everything else. */
  readonly size: 0 | 1 | 2 | 4 | 8;
  /** A load that sign-extends. */
  readonly signed: boolean;
  readonly aq: boolean;
  readonly rl: boolean;
  readonly readsRs1: boolean;
  readonly readsRs2: boolean;
  readonly writesRd: boolean;
  /** Ends a basic block: a change of control flow, or a serialising instruction. */
  readonly endsBlock: boolean;
  /** Runs alone: CSR accesses and system instructions (they may trap, change privilege or state). */
  readonly serialises: boolean;
}

// Major opcodes (bits 6..0).
const LOAD = 0x03, MISC_MEM = 0x0f, STORE = 0x23, AMO = 0x2f, BRANCH = 0x63, JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73;

function classOf(spec: InsnSpec): InsnClass {
  const opcode = spec.match & 0x7f;
  const f3 = (spec.match >>> 12) & 7;
  switch (opcode) {
    case LOAD:
      return 'load';
    case STORE:
      return 'store';
    case AMO:
      return spec.base.startsWith('lr.') ? 'lr' : spec.base.startsWith('sc.') ? 'sc' : 'amo';
    case BRANCH:
      return 'branch';
    case JAL:
      return 'jal';
    case JALR:
      return 'jalr';
    case MISC_MEM:
      return f3 === 1 ? 'fence.i' : spec.name === 'pause' ? 'pause' : 'fence';
    case SYSTEM:
      return f3 === 0 ? 'system' : 'csr';
    default:
      return 'alu';
  }
}

function propsOf(spec: InsnSpec): InsnProps {
  const cls = classOf(spec);
  const f3 = (spec.match >>> 12) & 7;
  const memory = cls === 'load' || cls === 'store' || cls === 'lr' || cls === 'sc' || cls === 'amo';
  const size = !memory ? 0 : cls === 'load' || cls === 'store' ? ((1 << (f3 & 3)) as 1 | 2 | 4 | 8) : f3 === 3 ? 8 : 4;
  const serialises = cls === 'csr' || cls === 'system';
  return {
    cls,
    size,
    signed: cls === 'load' && (f3 & 4) === 0,
    aq: spec.aq,
    rl: spec.rl,
    readsRs1: spec.operands.includes('rs1'),
    readsRs2: spec.operands.includes('rs2'),
    writesRd: spec.operands.includes('rd'),
    endsBlock: cls === 'branch' || cls === 'jal' || cls === 'jalr' || cls === 'fence.i' || serialises,
    serialises,
  };
}

/** Properties of every uncompressed instruction, by name (compressed ones run as their expansion). */
export const INSN_PROPS: Readonly<Record<string, InsnProps>> = Object.fromEntries(INSNS.filter((s) => s.size === 4).map((s) => [s.name, propsOf(s)]));
