/**
 * The guest event device: how guest software reports WARN_ON, BUG_ON, debug-list failures, bounded
 * waits that ran out, and per-call bookkeeping, with the hart, pc and step the machine adds. One
 * 256-byte page per hart (the page tells the hart): write up to three arguments, then the event
 * kind, which commits the event. Reads return 0.
 *
 *   +0x00  kind (4 or 8 bytes; writing it reports the event)
 *   +0x08  arg0   +0x10  arg1   +0x18  arg2
 *
 * It is a device, so under tso/wmo each report is performed in program order with every memory
 * access of its hart (docs/memory-model.md): report after the racy accesses, never between them.
 */
import type { Device, Width } from '../bus/device.js';

/** Event kinds (the guest library's names for them are in guest/lib/events.ts). */
export const GUEST_EVENT = {
  WARN: 1,
  BUG: 2,
  LIST_CORRUPTION: 3,
  /** A callback ran: arg0 = the calling hart, arg1 = the info it was given, arg2 = its function. */
  CALL: 4,
  /** A bounded wait ran out (a perma-spin): arg0 = what was waited for (an address). */
  SPIN: 5,
  /** A scenario invariant failed at the end: arg0 = a code, arg1/arg2 = what was seen. */
  CHECK: 6,
  /** A hart finished its part of a scenario. */
  DONE: 7,
} as const;

export const GUEST_EVENT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(GUEST_EVENT).map(([k, v]) => [v, k]));

export const GUEST_EVENT_PAGE = 0x100;

export interface GuestEventReport {
  readonly hart: number;
  readonly kind: number;
  readonly args: readonly [bigint, bigint, bigint];
}

export class GuestEvents implements Device {
  readonly name = 'guest-events';
  readonly size: number;
  private readonly args: BigUint64Array;

  constructor(
    private readonly harts: number,
    private readonly report: (e: GuestEventReport) => void,
  ) {
    this.size = harts * GUEST_EVENT_PAGE;
    this.args = new BigUint64Array(harts * 3);
  }

  read(offset: number, width: Width): bigint | undefined {
    return this.peek(offset, width);
  }

  peek(offset: number, width: Width): bigint | undefined {
    return width === 4 || width === 8 ? 0n : undefined;
    void offset;
  }

  write(offset: number, width: Width, value: bigint): boolean {
    if (width !== 4 && width !== 8) return false;
    const hart = Math.floor(offset / GUEST_EVENT_PAGE);
    const reg = offset % GUEST_EVENT_PAGE;
    if (hart >= this.harts) return false;
    if (reg === 0) {
      const base = hart * 3;
      this.report({ hart, kind: Number(BigInt.asUintN(32, value)), args: [this.args[base]!, this.args[base + 1]!, this.args[base + 2]!] });
      this.args.fill(0n, base, base + 3);
      return true;
    }
    if (reg % 8 !== 0 || reg > 0x18) return true;
    this.args[hart * 3 + reg / 8 - 1] = BigInt.asUintN(64, value);
    return true;
  }

  reset(): void {
    this.args.fill(0n);
  }
}
