/**
 * ns16550a UART (QEMU virt, 0x10000000, byte registers): THR output goes to a sink, RBR input comes
 * from a queue fed by the host. LSR keeps THRE and TEMT set (the transmitter is always idle), plus DR
 * when input waits, which is what OpenSBI and Linux earlycon poll (../shared/notes/platform.md 5).
 * No interrupts: there is no PLIC/APLIC yet.
 */
import type { Device, Width } from '../bus/device.js';

// prettier-ignore
const REG = { RBR_THR: 0, IER: 1, IIR_FCR: 2, LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7 } as const;
const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const LCR_DLAB = 0x80;

export class Uart16550 implements Device {
  readonly name = 'uart0';
  readonly size = 0x100;
  private readonly input: number[] = [];
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 0;
  private dlm = 0;

  constructor(private readonly output: (byte: number) => void) {}

  /** Back to power-on state (a machine restart); pending host input is dropped. */
  reset(): void {
    this.input.length = 0;
    this.ier = this.lcr = this.mcr = this.scr = this.dll = this.dlm = 0;
  }

  /** Host input (keyboard or pipe) for the guest to read. */
  feed(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes) this.input.push(b & 0xff);
  }

  private lsr(): number {
    return LSR_THRE | LSR_TEMT | (this.input.length ? LSR_DR : 0);
  }

  private get(offset: number, consume: boolean): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case REG.RBR_THR:
        if (dlab) return this.dll;
        return (consume ? this.input.shift() : this.input[0]) ?? 0;
      case REG.IER:
        return dlab ? this.dlm : this.ier;
      case REG.IIR_FCR:
        return 0xc1; // FIFOs enabled, no interrupt pending
      case REG.LCR:
        return this.lcr;
      case REG.MCR:
        return this.mcr;
      case REG.LSR:
        return this.lsr();
      case REG.MSR:
        return 0xb0; // CTS, DSR, DCD
      case REG.SCR:
        return this.scr;
      default:
        return 0;
    }
  }

  read(offset: number, width: Width): bigint | undefined {
    if (width !== 1) return undefined;
    return BigInt(this.get(offset, true));
  }

  peek(offset: number, width: Width): bigint | undefined {
    if (width !== 1) return undefined;
    return BigInt(this.get(offset, false));
  }

  write(offset: number, width: Width, value: bigint): boolean {
    if (width !== 1) return false;
    const v = Number(value & 0xffn);
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case REG.RBR_THR:
        if (dlab) this.dll = v;
        else this.output(v);
        break;
      case REG.IER:
        if (dlab) this.dlm = v;
        else this.ier = v & 0x0f;
        break;
      case REG.LCR:
        this.lcr = v;
        break;
      case REG.MCR:
        this.mcr = v;
        break;
      case REG.SCR:
        this.scr = v;
        break;
    }
    return true;
  }
}
