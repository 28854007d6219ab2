/**
 * HTIF (riscv-tests, Spike): the guest writes commands to the `tohost` word and the host answers in
 * `fromhost`. Both are ordinary RAM words found by the ELF symbols; the machine calls `onWrite` when
 * a store touches tohost. Device 0 with an odd payload is exit (payload >> 1 is the code, 0 = pass);
 * device 1 command 1 writes a character (../shared/notes/platform.md 4.1).
 */
import type { ExitRequest } from './test-finisher.js';

export class Htif {
  constructor(
    readonly tohost: number,
    readonly fromhost: number | undefined,
    private readonly mem: { read64(addr: number): bigint; write64(addr: number, v: bigint): void },
    private readonly onExit: (req: ExitRequest) => void,
    private readonly putchar: (byte: number) => void,
    private readonly onGuestError: (message: string) => void,
  ) {}

  /** Does [addr, addr+size) touch tohost? */
  touches(addr: number, size: number): boolean {
    return addr < this.tohost + 8 && this.tohost < addr + size;
  }

  /** Called after a store touched tohost: act on a complete non-zero command. */
  onWrite(): void {
    const cmd = this.mem.read64(this.tohost);
    if (cmd === 0n) return;
    const device = Number(cmd >> 56n);
    const command = Number((cmd >> 48n) & 0xffn);
    const payload = cmd & 0xffffffffffffn;
    this.mem.write64(this.tohost, 0n);
    if (device === 0 && command === 0) {
      if (payload & 1n) this.onExit({ kind: 'exit', code: Number(payload >> 1n), via: 'HTIF' });
      else this.onGuestError('HTIF: proxied system calls are not supported');
      return;
    }
    if (device === 1 && command === 1) {
      this.putchar(Number(payload & 0xffn));
      if (this.fromhost !== undefined) this.mem.write64(this.fromhost, (1n << 56n) | (1n << 48n) | 0x100n | (payload & 0xffn));
      return;
    }
    if (device === 1 && command === 0) return; // console read: no input is ever offered
    this.onGuestError(`HTIF: unknown command device ${device} cmd ${command}`);
  }
}
