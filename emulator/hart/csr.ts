/**
 * The CSR file: which CSRs exist, who may access them, and their WARL behaviour (privileged spec
 * 1.12, chapters 2-4). State lives on the hart; this module only reads and writes it. An access
 * that is not allowed throws an illegal-instruction Trap.
 */
import { CSR } from '../../assembler/isa/csrs.js';
import { MIP } from '../interrupts.js';
import { EXCEPTION, Trap } from './trap.js';
import type { Hart } from './hart.js';

export const PRIV_U = 0, PRIV_S = 1, PRIV_M = 3;

// mstatus fields (RV64).
// prettier-ignore
export const MSTATUS = {
  SIE: 1n << 1n, MIE: 1n << 3n, SPIE: 1n << 5n, MPIE: 1n << 7n, SPP: 1n << 8n,
  MPP: 3n << 11n, MPRV: 1n << 17n, SUM: 1n << 18n, MXR: 1n << 19n,
  TVM: 1n << 20n, TW: 1n << 21n, TSR: 1n << 22n,
  UXL: 3n << 32n, SXL: 3n << 34n,
} as const;
const M = MSTATUS;
const MSTATUS_WRITABLE = M.SIE | M.MIE | M.SPIE | M.MPIE | M.SPP | M.MPP | M.MPRV | M.SUM | M.MXR | M.TVM | M.TW | M.TSR;
/** UXL = SXL = 2 (64-bit), read-only. */
export const MSTATUS_FIXED = (2n << 32n) | (2n << 34n);
const SSTATUS_VISIBLE = M.SIE | M.SPIE | M.SPP | M.SUM | M.MXR | M.UXL;
const SSTATUS_WRITABLE = M.SIE | M.SPIE | M.SPP | M.SUM | M.MXR;

// misa: MXL = 2, extensions A, C, I, M, S, U.
const ext = (c: string) => 1n << BigInt(c.charCodeAt(0) - 65);
export const MISA_C = ext('C');
export const MISA_RESET = (2n << 62n) | ext('A') | ext('C') | ext('I') | ext('M') | ext('S') | ext('U');

/** Exceptions that may be delegated: all standard ones except ecall from M (11). */
const MEDELEG_WRITABLE = 0xb3ffn;
/** Supervisor interrupts may be delegated. */
const MIDELEG_WRITABLE = BigInt(MIP.SSIP | MIP.STIP | MIP.SEIP);
const MIE_WRITABLE = BigInt(MIP.SSIP | MIP.MSIP | MIP.STIP | MIP.MTIP | MIP.SEIP | MIP.MEIP);
/** Bits of mip software can write: SSIP, STIP (no Sstc), SEIP. */
const MIP_WRITABLE = BigInt(MIP.SSIP | MIP.STIP | MIP.SEIP);

const PMPADDR_MASK = (1n << 54n) - 1n;

function illegal(h: Hart): never {
  throw new Trap(EXCEPTION.ILLEGAL_INSTRUCTION, BigInt(h.currentInsnBits()));
}

/** Counter CSRs readable from S/U only when mcounteren (and scounteren for U) allow it. */
function checkCounter(h: Hart, bit: number): void {
  if (h.priv < PRIV_M && !((h.mcounteren >> bit) & 1)) illegal(h);
  if (h.priv < PRIV_S && !((h.scounteren >> bit) & 1)) illegal(h);
}

/** Read a CSR; throws illegal instruction if it does not exist or this privilege may not read it. */
export function csrRead(h: Hart, num: number): bigint {
  if (((num >> 8) & 3) > h.priv) illegal(h);
  switch (num) {
    case CSR.mstatus!:
      return h.mstatus | MSTATUS_FIXED;
    case CSR.sstatus!:
      return (h.mstatus | MSTATUS_FIXED) & SSTATUS_VISIBLE;
    case CSR.misa!:
      return h.misa;
    case CSR.mvendorid!:
    case CSR.marchid!:
    case CSR.mimpid!:
    case CSR.mconfigptr!:
      return 0n;
    case CSR.mhartid!:
      return BigInt(h.id);
    case CSR.mtvec!:
      return h.mtvec;
    case CSR.stvec!:
      return h.stvec;
    case CSR.medeleg!:
      return h.medeleg;
    case CSR.mideleg!:
      return h.mideleg;
    case CSR.mie!:
      return BigInt(h.mie);
    case CSR.sie!:
      return BigInt(h.mie) & h.mideleg;
    case CSR.mip!:
      return BigInt(h.mip());
    case CSR.sip!:
      return BigInt(h.mip()) & h.mideleg;
    case CSR.mepc!:
      return h.mepc & h.epcMask();
    case CSR.sepc!:
      return h.sepc & h.epcMask();
    case CSR.mcause!:
      return h.mcause;
    case CSR.scause!:
      return h.scause;
    case CSR.mtval!:
      return h.mtval;
    case CSR.stval!:
      return h.stval;
    case CSR.mscratch!:
      return h.mscratch;
    case CSR.sscratch!:
      return h.sscratch;
    case CSR.mcounteren!:
      return BigInt(h.mcounteren);
    case CSR.scounteren!:
      return BigInt(h.scounteren);
    case CSR.menvcfg!:
      return h.menvcfg;
    case CSR.senvcfg!:
      return h.senvcfg;
    case CSR.mcountinhibit!:
      return BigInt(h.mcountinhibit);
    case CSR.satp!:
      if (h.priv === PRIV_S && h.mstatus & M.TVM) illegal(h);
      return h.satp;
    case CSR.miselect!:
      return BigInt(h.miselect);
    case CSR.siselect!:
      return BigInt(h.siselect);
    case CSR.mireg!:
      return indirectRead(h, h.imsicM, h.miselect);
    case CSR.sireg!:
      return indirectRead(h, h.imsicS, h.siselect);
    case CSR.mtopei!:
      return BigInt((h.imsicM ?? illegal(h)).topei());
    case CSR.stopei!:
      return BigInt((h.imsicS ?? illegal(h)).topei());
    case CSR.mtopi!:
      return BigInt(topi(Number(BigInt(h.mip() & h.mie) & ~h.mideleg), M_TOPI_ORDER));
    case CSR.stopi!:
      return BigInt(topi(Number(BigInt(h.mip() & h.mie) & h.mideleg), S_TOPI_ORDER));
    case CSR.mcycle!:
      return BigInt.asIntN(64, h.cycles());
    case CSR.minstret!:
      return BigInt.asIntN(64, h.retired());
    case CSR.cycle!:
      checkCounter(h, 0);
      return BigInt.asIntN(64, h.cycles());
    case CSR.time!:
      checkCounter(h, 1);
      return BigInt.asIntN(64, h.time.mtime());
    case CSR.instret!:
      checkCounter(h, 2);
      return BigInt.asIntN(64, h.retired());
  }
  if (num >= 0xc03 && num <= 0xc1f) {
    checkCounter(h, num - 0xc00);
    return 0n; // hpmcounter3..31: no events are counted
  }
  if ((num >= 0xb03 && num <= 0xb1f) || (num >= 0x323 && num <= 0x33f)) return 0n; // mhpmcounter/mhpmevent
  if (num >= 0x3a0 && num <= 0x3af) {
    if (num & 1) illegal(h); // odd pmpcfg registers do not exist on RV64
    return h.pmpcfg[(num - 0x3a0) >> 1]!;
  }
  if (num >= 0x3b0 && num <= 0x3ef) return h.pmpaddr[num - 0x3b0]!;
  return illegal(h);
}

/** Write a CSR (after a read for read-modify-write forms). Read-only CSRs throw illegal instruction. */
export function csrWrite(h: Hart, num: number, v: bigint): void {
  if (((num >> 8) & 3) > h.priv || num >> 10 === 3) illegal(h);
  switch (num) {
    case CSR.mstatus!: {
      let next = (h.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
      // MPP is WARL over U, S, M: the reserved value 2 keeps the old field.
      if ((next & M.MPP) === 2n << 11n) next = (next & ~M.MPP) | (h.mstatus & M.MPP);
      h.mstatus = next;
      h.interruptsMayHaveChanged();
      return;
    }
    case CSR.sstatus!:
      h.mstatus = (h.mstatus & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE);
      h.interruptsMayHaveChanged();
      return;
    case CSR.misa!:
      h.writeMisa(v);
      return;
    case CSR.mtvec!:
      h.mtvec = legalTvec(h.mtvec, v);
      return;
    case CSR.stvec!:
      h.stvec = legalTvec(h.stvec, v);
      return;
    case CSR.medeleg!:
      h.medeleg = v & MEDELEG_WRITABLE;
      return;
    case CSR.mideleg!:
      h.mideleg = v & MIDELEG_WRITABLE;
      h.interruptsMayHaveChanged();
      return;
    case CSR.mie!:
      h.mie = Number(v & MIE_WRITABLE);
      h.interruptsMayHaveChanged();
      return;
    case CSR.sie!: {
      const mask = MIE_WRITABLE & h.mideleg;
      h.mie = Number((BigInt(h.mie) & ~mask) | (v & mask));
      h.interruptsMayHaveChanged();
      return;
    }
    case CSR.mip!:
      h.mipSoftware = Number(v & MIP_WRITABLE);
      h.interruptsMayHaveChanged();
      return;
    case CSR.sip!: {
      // Only SSIP is writable through sip, and only when delegated.
      const mask = BigInt(MIP.SSIP) & h.mideleg;
      h.mipSoftware = Number((BigInt(h.mipSoftware) & ~mask) | (v & mask));
      h.interruptsMayHaveChanged();
      return;
    }
    case CSR.mepc!:
      h.mepc = v & -2n;
      return;
    case CSR.sepc!:
      h.sepc = v & -2n;
      return;
    case CSR.mcause!:
      h.mcause = v;
      return;
    case CSR.scause!:
      h.scause = v;
      return;
    case CSR.mtval!:
      h.mtval = v;
      return;
    case CSR.stval!:
      h.stval = v;
      return;
    case CSR.mscratch!:
      h.mscratch = v;
      return;
    case CSR.sscratch!:
      h.sscratch = v;
      return;
    case CSR.mcounteren!:
      h.mcounteren = Number(v & 0xffffffffn) >>> 0;
      return;
    case CSR.scounteren!:
      h.scounteren = Number(v & 0xffffffffn) >>> 0;
      return;
    case CSR.menvcfg!:
      h.menvcfg = v & 1n; // FIOM is the only field kept; the others belong to unimplemented extensions
      return;
    case CSR.senvcfg!:
      h.senvcfg = v & 1n;
      return;
    case CSR.mcountinhibit!:
      h.mcountinhibit = Number(v & 5n);
      return;
    case CSR.satp!:
      if (h.priv === PRIV_S && h.mstatus & M.TVM) illegal(h);
      // Only Bare translation exists until Sv39 lands; the spec lets a write of an unsupported
      // MODE have no effect at all.
      if (v >> 60n === 0n) h.satp = 0n;
      return;
    case CSR.miselect!:
      h.miselect = Number(BigInt.asUintN(64, v) & 0xffn); // WARL: 0..0xff
      return;
    case CSR.siselect!:
      h.siselect = Number(BigInt.asUintN(64, v) & 0x1ffn);
      return;
    case CSR.mireg!:
      indirectWrite(h, h.imsicM, h.miselect, v);
      return;
    case CSR.sireg!:
      indirectWrite(h, h.imsicS, h.siselect, v);
      return;
    case CSR.mtopei!:
      (h.imsicM ?? illegal(h)).claim();
      return;
    case CSR.stopei!:
      (h.imsicS ?? illegal(h)).claim();
      return;
    case CSR.mcycle!:
      h.setCycles(BigInt.asUintN(64, v));
      return;
    case CSR.minstret!:
      h.setRetired(BigInt.asUintN(64, v));
      return;
  }
  if ((num >= 0xb03 && num <= 0xb1f) || (num >= 0x323 && num <= 0x33f)) return; // hpm: read-only zero
  if (num >= 0x3a0 && num <= 0x3af) {
    if (num & 1) illegal(h);
    const i = (num - 0x3a0) >> 1;
    let out = 0n;
    // Each byte: L, A, X, W, R kept; reserved bits 6:5 zero; a locked entry keeps its value.
    for (let b = 0n; b < 64n; b += 8n) {
      const old = (h.pmpcfg[i]! >> b) & 0xffn;
      const nu = (v >> b) & 0x9fn;
      out |= (old & 0x80n ? old : nu) << b;
    }
    h.pmpcfg[i] = out;
    return;
  }
  if (num >= 0x3b0 && num <= 0x3ef) {
    h.pmpaddr[num - 0x3b0] = v & PMPADDR_MASK;
    return;
  }
  illegal(h);
}

/** The interface of an IMSIC interrupt file the CSRs need (emulator/devices/imsic.ts). */
export interface IndirectFile {
  iregRead(sel: number): bigint | undefined;
  iregWrite(sel: number, v: bigint): boolean;
  topei(): number;
  claim(): void;
}

function indirectRead(h: Hart, file: IndirectFile | undefined, sel: number): bigint {
  const v = file?.iregRead(sel);
  return v === undefined ? illegal(h) : v;
}

function indirectWrite(h: Hart, file: IndirectFile | undefined, sel: number, v: bigint): void {
  if (!file?.iregWrite(sel, v)) illegal(h);
}

/** AIA default priority order of the major interrupts, for mtopi/stopi. */
const M_TOPI_ORDER = [11, 3, 7, 9, 1, 5];
const S_TOPI_ORDER = [9, 1, 5];

/** *topi: IID in bits 27:16 of the highest-priority pending-and-enabled interrupt; IPRIO (bits 7:0)
 * is 1, as there are no configurable priorities. 0 if none. */
function topi(pendingEnabled: number, order: readonly number[]): number {
  for (const i of order) if (pendingEnabled & (1 << i)) return (i << 16) | 1;
  return 0;
}

function legalTvec(old: bigint, v: bigint): bigint {
  const mode = v & 3n;
  if (mode >= 2n) return (v & ~3n) | (old & 3n); // reserved modes keep the old mode
  return v;
}
