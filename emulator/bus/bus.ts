/**
 * The bus decodes physical addresses: RAM, or one of the device regions. It never orders accesses
 * (that is the memory system's job) and never knows about harts. Unmapped addresses answer
 * undefined / false, which the hart turns into an access fault.
 */
import type { Ram } from '../memory/ram.js';
import type { Device, Width } from './device.js';

interface Region {
  readonly base: number;
  readonly end: number;
  readonly device: Device;
}

export class Bus {
  private regions: Region[] = [];

  constructor(readonly ram: Ram) {}

  map(base: number, device: Device): void {
    const end = base + device.size;
    for (const r of this.regions) {
      if (base < r.end && r.base < end) throw new Error(`${device.name} at 0x${base.toString(16)} overlaps ${r.device.name}`);
    }
    if (base < this.ram.base + this.ram.size && this.ram.base < end) throw new Error(`${device.name} overlaps RAM`);
    this.regions.push({ base, end, device });
    this.regions.sort((a, b) => a.base - b.base);
  }

  /** The device region holding [addr, addr+width), or undefined. */
  find(addr: number, width: number): Region | undefined {
    for (const r of this.regions) if (addr >= r.base && addr + width <= r.end) return r;
    return undefined;
  }

  devices(): readonly { base: number; device: Device }[] {
    return this.regions;
  }

  /** Physical read: zero-extended value, or undefined if nothing answers. */
  read(addr: number, width: Width): bigint | undefined {
    if (this.ram.contains(addr, width)) return this.ram.read(addr - this.ram.base, width);
    const r = this.find(addr, width);
    return r ? r.device.read(addr - r.base, width) : undefined;
  }

  write(addr: number, width: Width, value: bigint): boolean {
    if (this.ram.contains(addr, width)) {
      this.ram.write(addr - this.ram.base, width, value);
      return true;
    }
    const r = this.find(addr, width);
    return r ? r.device.write(addr - r.base, width, value) : false;
  }

  /** Side-effect-free read for debuggers and traces. */
  peek(addr: number, width: Width): bigint | undefined {
    if (this.ram.contains(addr, width)) return this.ram.read(addr - this.ram.base, width);
    const r = this.find(addr, width);
    return r ? r.device.peek(addr - r.base, width) : undefined;
  }
}
