/**
 * SiFive test finisher (QEMU virt, 0x100000): a write of 0x5555 passes, (code << 16) | 0x3333 fails
 * with `code`, 0x7777 asks for a reset (../shared/notes/platform.md 4.2). Reads return 0.
 */
import type { Device, Width } from '../bus/device.js';

export type ExitRequest = { kind: 'exit'; code: number; via: string } | { kind: 'reset'; via: string };

export class TestFinisher implements Device {
  readonly name = 'test-finisher';
  readonly size = 0x1000;

  constructor(
    private readonly onExit: (req: ExitRequest) => void,
    private readonly onGuestError: (message: string) => void,
  ) {}

  read(offset: number, width: Width): bigint | undefined {
    return this.peek(offset, width);
  }

  peek(offset: number, width: Width): bigint | undefined {
    return width === 8 ? undefined : 0n;
  }

  write(offset: number, width: Width, value: bigint): boolean {
    if (width === 1 || width === 8) return false;
    if (offset !== 0) return true;
    const v = Number(value & 0xffffffffn);
    const status = v & 0xffff;
    const code = v >>> 16;
    if (status === 0x5555) this.onExit({ kind: 'exit', code: 0, via: 'test finisher' });
    else if (status === 0x3333) this.onExit({ kind: 'exit', code, via: 'test finisher' });
    else if (status === 0x7777) this.onExit({ kind: 'reset', via: 'test finisher' });
    else this.onGuestError(`test finisher: unknown status 0x${status.toString(16)}`);
    return true;
  }
}
