/**
 * Guest RAM: one zero-filled ArrayBuffer. The host OS commits its pages only when they are touched,
 * so a large RAM costs nothing until used. Little-endian views for every access width; the hart's
 * fast paths index them directly, everything else goes through read/write.
 */
export class Ram {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;

  constructor(
    readonly base: number,
    readonly size: number,
  ) {
    if (size % 8 !== 0) throw new Error(`RAM size ${size} is not a multiple of 8`);
    const buf = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buf);
    this.view = new DataView(buf);
    this.u16 = new Uint16Array(buf);
    this.i32 = new Int32Array(buf);
    this.i64 = new BigInt64Array(buf);
  }

  contains(addr: number, size: number): boolean {
    return addr >= this.base && addr + size <= this.base + this.size;
  }

  /** Read `size` bytes at offset, zero-extended. */
  read(off: number, size: 1 | 2 | 4 | 8): bigint {
    const v = this.view;
    switch (size) {
      case 1:
        return BigInt(v.getUint8(off));
      case 2:
        return BigInt(v.getUint16(off, true));
      case 4:
        return BigInt(v.getUint32(off, true));
      case 8:
        return v.getBigUint64(off, true);
    }
  }

  write(off: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    const v = this.view;
    switch (size) {
      case 1:
        v.setUint8(off, Number(value & 0xffn));
        return;
      case 2:
        v.setUint16(off, Number(value & 0xffffn), true);
        return;
      case 4:
        v.setUint32(off, Number(value & 0xffffffffn), true);
        return;
      case 8:
        v.setBigUint64(off, BigInt.asUintN(64, value), true);
        return;
    }
  }
}
