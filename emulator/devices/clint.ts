/**
 * SiFive-compatible CLINT (QEMU virt, aclint=off): msip[h] at 4h, mtimecmp[h] at 0x4000+8h, mtime at
 * 0xbff8. MSIP and MTIP are driven as interrupt lines. mtime is not a host clock: it comes from the
 * machine's retired-instruction count, so runs are deterministic (../shared/notes/platform.md 1.1).
 */
import { CLINT } from '../config.js';
import type { Device, Width } from '../bus/device.js';
import { type InterruptSink, MIP } from '../interrupts.js';

export interface TimeSource {
  /** Current mtime in ticks. */
  mtime(): bigint;
  /** Guest writes to mtime move the time base. */
  setMtime(value: bigint): void;
}

const U64 = (x: bigint) => BigInt.asUintN(64, x);

export class Clint implements Device {
  readonly name = 'clint';
  readonly size = 0x1_0000;
  private readonly msip: Uint8Array;
  /** Per hart; QEMU starts them at 0, so MTIP is pending until software sets a compare value. */
  readonly mtimecmp: BigUint64Array;

  constructor(
    readonly harts: number,
    private readonly time: TimeSource,
    private readonly irq: InterruptSink,
  ) {
    this.msip = new Uint8Array(harts);
    this.mtimecmp = new BigUint64Array(harts);
    this.update();
  }

  reset(): void {
    this.msip.fill(0);
    this.mtimecmp.fill(0n);
    this.version++;
    for (let h = 0; h < this.harts; h++) this.irq.setLine(h, MIP.MSIP, false);
    this.update();
  }

  /** Incremented by every write, so that callers can cache nextDeadline(). */
  version = 0;

  /** Re-evaluate MTIP for every hart (after time moves or a compare value changes). */
  update(): void {
    const now = this.time.mtime();
    for (let h = 0; h < this.harts; h++) this.irq.setLine(h, MIP.MTIP, now >= this.mtimecmp[h]!);
  }

  /** The next mtime at which some hart's MTIP rises, or undefined if none will. */
  nextDeadline(): bigint | undefined {
    const now = this.time.mtime();
    let next: bigint | undefined;
    for (const c of this.mtimecmp) if (c > now && (next === undefined || c < next)) next = c;
    return next;
  }

  private access(offset: number, width: Width): { kind: 'msip' | 'mtimecmp' | 'mtime'; hart: number; shift: bigint; mask: bigint } | undefined {
    if (offset < CLINT.MTIMECMP) {
      const hart = offset >> 2;
      if (width !== 4 || offset % 4 !== 0 || hart >= this.harts) return undefined;
      return { kind: 'msip', hart, shift: 0n, mask: 0xffffffffn };
    }
    const sub = (base: number) => {
      const rel = offset - base;
      if (width === 8 && rel % 8 === 0) return { shift: 0n, mask: 0xffffffffffffffffn, index: rel >> 3 };
      if (width === 4 && rel % 4 === 0) return { shift: BigInt((rel % 8) * 8), mask: 0xffffffffn, index: rel >> 3 };
      return undefined;
    };
    if (offset >= CLINT.MTIME) {
      const s = sub(CLINT.MTIME);
      return s && s.index === 0 ? { kind: 'mtime', hart: 0, shift: s.shift, mask: s.mask } : undefined;
    }
    const s = sub(CLINT.MTIMECMP);
    return s && s.index < this.harts ? { kind: 'mtimecmp', hart: s.index, shift: s.shift, mask: s.mask } : undefined;
  }

  peek(offset: number, width: Width): bigint | undefined {
    const a = this.access(offset, width);
    if (!a) return undefined;
    const full = a.kind === 'msip' ? BigInt(this.msip[a.hart]!) : a.kind === 'mtimecmp' ? this.mtimecmp[a.hart]! : this.time.mtime();
    return (full >> a.shift) & a.mask;
  }

  read(offset: number, width: Width): bigint | undefined {
    return this.peek(offset, width);
  }

  write(offset: number, width: Width, value: bigint): boolean {
    const a = this.access(offset, width);
    if (!a) return false;
    this.version++;
    if (a.kind === 'msip') {
      const bit = Number(value & 1n);
      this.msip[a.hart] = bit;
      this.irq.setLine(a.hart, MIP.MSIP, bit === 1);
      return true;
    }
    const old = a.kind === 'mtimecmp' ? this.mtimecmp[a.hart]! : this.time.mtime();
    const merged = U64((old & ~(a.mask << a.shift)) | ((value & a.mask) << a.shift));
    if (a.kind === 'mtimecmp') this.mtimecmp[a.hart] = merged;
    else this.time.setMtime(merged);
    this.update();
    return true;
  }
}
