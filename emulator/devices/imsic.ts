/**
 * AIA IMSIC (incoming MSI controller), ../shared/notes/platform.md section 2 and the AIA spec.
 *
 * One interrupt file per hart and privilege level (M and S). A file has pending and enable bits per
 * identity (1..N, lower identity = higher priority), eidelivery and eithreshold. The same file object
 * serves both faces: the MMIO page (seteipnum_le / seteipnum_be, the MSI another hart writes as an
 * IPI) and the hart's indirect CSRs (miselect/mireg, mtopei; siselect/sireg, stopei). A file drives
 * one interrupt line (MEIP or SEIP) on its hart: asserted iff eidelivery = 1 and some identity is
 * pending, enabled and below the threshold. It never touches the hart otherwise.
 */
import type { Device, Width } from '../bus/device.js';
import type { InterruptSink } from '../interrupts.js';

/** *iselect values (AIA spec, "Indirect CSR access"). */
// prettier-ignore
export const ISELECT = {
  EIDELIVERY: 0x70, EITHRESHOLD: 0x72,
  EIP0: 0x80, EIP63: 0xbf, EIE0: 0xc0, EIE63: 0xff,
  IPRIO0: 0x30, IPRIO15: 0x3f,
} as const;

export class ImsicFile {
  private readonly pending: BigUint64Array;
  private readonly enabled: BigUint64Array;
  eidelivery = 0;
  eithreshold = 0;

  constructor(
    /** Highest identity (N = 64k - 1, 63..2047). */
    readonly ids: number,
    private readonly hart: number,
    private readonly lineBit: number,
    private readonly irq: InterruptSink,
  ) {
    if (ids < 63 || ids > 2047 || (ids & 63) !== 63) throw new Error(`IMSIC identities must be 64k-1 between 63 and 2047, got ${ids}`);
    const words = (ids + 1) / 64;
    this.pending = new BigUint64Array(words);
    this.enabled = new BigUint64Array(words);
  }

  reset(): void {
    this.pending.fill(0n);
    this.enabled.fill(0n);
    this.eidelivery = 0;
    this.eithreshold = 0;
    this.update();
  }

  private update(): void {
    this.irq.setLine(this.hart, this.lineBit, this.eidelivery === 1 && this.topei() !== 0);
  }

  /** An MSI: set the pending bit of identity `id` (ignored if not implemented). */
  setPending(id: number): void {
    if (id < 1 || id > this.ids) return;
    this.pending[id >> 6]! |= 1n << BigInt(id & 63);
    this.update();
  }

  isPending(id: number): boolean {
    return id >= 1 && id <= this.ids && ((this.pending[id >> 6]! >> BigInt(id & 63)) & 1n) === 1n;
  }

  /** The highest-priority pending and enabled identity under the threshold, or 0. */
  topId(): number {
    const limit = this.eithreshold !== 0 && this.eithreshold <= this.ids ? this.eithreshold : this.ids + 1;
    for (let w = 0; w < this.pending.length; w++) {
      let bits = this.pending[w]! & this.enabled[w]!;
      if (bits === 0n) continue;
      for (let b = 0; b < 64; b++, bits >>= 1n) {
        if (bits & 1n) {
          const id = w * 64 + b;
          return id < limit ? id : 0;
        }
      }
    }
    return 0;
  }

  /** *topei read: identity in bits 26:16, priority (= identity) in bits 10:0. Not gated by eidelivery. */
  topei(): number {
    const id = this.topId();
    return id === 0 ? 0 : (id << 16) | id;
  }

  /** *topei write: claim (clear the pending bit of) the identity topei reports. */
  claim(): void {
    const id = this.topId();
    if (id === 0) return;
    this.pending[id >> 6]! &= ~(1n << BigInt(id & 63));
    this.update();
  }

  /** Read an indirect register; undefined means the access is illegal. */
  iregRead(sel: number): bigint | undefined {
    if (sel === ISELECT.EIDELIVERY) return BigInt(this.eidelivery);
    if (sel === ISELECT.EITHRESHOLD) return BigInt(this.eithreshold);
    if ((sel >= 0x71 && sel <= 0x7f) || (sel >= ISELECT.IPRIO0 && sel <= ISELECT.IPRIO15)) return 0n; // reserved; no iprio arrays
    const arr = this.array(sel);
    if (!arr) return undefined;
    return arr.word < arr.bits.length ? BigInt.asIntN(64, arr.bits[arr.word]!) : 0n;
  }

  /** Write an indirect register; false means the access is illegal. */
  iregWrite(sel: number, value: bigint): boolean {
    if (sel === ISELECT.EIDELIVERY) this.eidelivery = Number(value & 1n);
    else if (sel === ISELECT.EITHRESHOLD) {
      const v = Number(BigInt.asUintN(64, value) & 0x7ffn);
      this.eithreshold = v <= this.ids ? v : this.eithreshold; // WLRL 0..N
    } else if ((sel >= 0x71 && sel <= 0x7f) || (sel >= ISELECT.IPRIO0 && sel <= ISELECT.IPRIO15)) return true;
    else {
      const arr = this.array(sel);
      if (!arr) return false;
      if (arr.word < arr.bits.length) {
        let v = BigInt.asUintN(64, value);
        if (arr.word === 0) v &= ~1n; // identity 0 does not exist
        arr.bits[arr.word] = v;
      }
    }
    this.update();
    return true;
  }

  /** eipK / eieK: on RV64 only even K exist; register K covers identities 32K .. 32K+63. */
  private array(sel: number): { bits: BigUint64Array; word: number } | undefined {
    const eip = sel >= ISELECT.EIP0 && sel <= ISELECT.EIP63;
    const eie = sel >= ISELECT.EIE0 && sel <= ISELECT.EIE63;
    if (!eip && !eie) return undefined;
    const k = sel - (eip ? ISELECT.EIP0 : ISELECT.EIE0);
    if (k % 2 !== 0) return undefined;
    return { bits: eip ? this.pending : this.enabled, word: k / 2 };
  }
}

/**
 * The MMIO face: one 4 KiB page per hart, for one privilege level. Only naturally aligned 32-bit
 * accesses are supported (others fault); seteipnum_le at 0, seteipnum_be at 4, everything reads 0.
 */
export class ImsicPages implements Device {
  readonly size: number;

  constructor(
    readonly name: string,
    private readonly files: readonly ImsicFile[],
  ) {
    this.size = files.length * 0x1000;
  }

  read(offset: number, width: Width): bigint | undefined {
    return this.peek(offset, width);
  }

  peek(offset: number, width: Width): bigint | undefined {
    return width === 4 && offset % 4 === 0 ? 0n : undefined;
  }

  write(offset: number, width: Width, value: bigint): boolean {
    if (width !== 4 || offset % 4 !== 0) return false;
    const file = this.files[offset >> 12]!;
    const reg = offset & 0xfff;
    const v = Number(value & 0xffffffffn);
    if (reg === 0) file.setPending(v);
    else if (reg === 4) file.setPending(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24));
    return true;
  }
}
