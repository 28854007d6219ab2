/**
 * Recording and replaying schedules. A record is the sequence of (hart, steps) the machine actually
 * took, one entry per scheduler decision (a decision a run's limit cut short stays one), in a small binary file:
 *
 *   "RVSCHED2"  magic                  8 bytes
 *   config      SHA-256 of the image and machine configuration   32 bytes
 *   final       SHA-256 of the final machine state               32 bytes
 *   seed        the run's seed, as a LEB128 varint (under tso/wmo it drives each hart's issue window)
 *   total       steps, as a LEB128 varint
 *   entries     count varint, then (hart varint, steps varint) per entry
 *
 * Replaying feeds the entries back as decisions. Another image or configuration, a recorded hart
 * that cannot run, a run that ends early or late, or a different final state is a divergence,
 * reported with what differed, never ignored.
 */
import type { Decision, Strategy } from './scheduler.js';

const MAGIC = Buffer.from('RVSCHED2');
/** Records of the first format (no seed) replay sc runs only; their seed reads as 0. */
const MAGIC_V1 = Buffer.from('RVSCHED1');

export class ScheduleLog {
  readonly harts: number[] = [];
  readonly steps: number[] = [];
  total = 0;

  /**
   * A decision's n steps; `continues`: the rest of the last one (which a run's limit cut short), or
   * a decision that may merge with it. Otherwise each decision is an entry of its own, even for the
   * same hart: it is a scheduler turn, which tso/wmo count for their drains, so a replay must take
   * the same turns.
   */
  add(hart: number, n: number, continues = false): void {
    if (n <= 0) return;
    this.total += n;
    const last = this.harts.length - 1;
    if (continues && last >= 0 && this.harts[last] === hart) this.steps[last]! += n;
    else {
      this.harts.push(hart);
      this.steps.push(n);
    }
  }
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

function varint(out: number[], v: number): void {
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
}

export function encodeRecord(log: ScheduleLog, configHash: Uint8Array, finalHash: Uint8Array, seed = 0): Uint8Array {
  const body: number[] = [];
  varint(body, seed >>> 0);
  varint(body, log.total);
  varint(body, log.harts.length);
  for (let i = 0; i < log.harts.length; i++) {
    varint(body, log.harts[i]!);
    varint(body, log.steps[i]!);
  }
  return Buffer.concat([MAGIC, Buffer.from(configHash), Buffer.from(finalHash), Buffer.from(body)]);
}

export interface Record {
  readonly configHash: Uint8Array;
  readonly finalHash: Uint8Array;
  readonly seed: number;
  readonly total: number;
  readonly harts: readonly number[];
  readonly steps: readonly number[];
}

export function decodeRecord(bytes: Uint8Array, name: string): Record {
  const fail = (m: string): never => {
    throw new ReplayError(`${name}: ${m}`);
  };
  const magic = Buffer.from(bytes.subarray(0, 8));
  const v1 = magic.equals(MAGIC_V1);
  if (bytes.length < 72 || !(v1 || magic.equals(MAGIC))) fail('not an rvsmp schedule record (bad magic)');
  let pos = 72;
  const read = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (pos >= bytes.length) fail('truncated');
      const b = bytes[pos++]!;
      v += (b & 0x7f) * mul;
      if (!(b & 0x80)) return v;
      mul *= 128;
      if (mul > 2 ** 56) fail('corrupt varint');
    }
  };
  const seed = v1 ? 0 : read();
  if (seed > 0xffffffff) fail(`seed ${seed} out of range`);
  const total = read();
  const count = read();
  const harts: number[] = [];
  const steps: number[] = [];
  for (let i = 0; i < count; i++) {
    harts.push(read());
    steps.push(read());
  }
  if (pos !== bytes.length) fail(`${bytes.length - pos} trailing bytes`);
  return { configHash: bytes.subarray(8, 40), finalHash: bytes.subarray(40, 72), seed, total, harts, steps };
}

/** A strategy that feeds a record's decisions back. */
export class Replayer implements Strategy {
  private i = 0;
  private left: number;

  constructor(private readonly record: Record) {
    this.left = record.steps[0] ?? 0;
  }

  get describe(): string {
    return `replay of ${this.record.harts.length} decisions, ${this.record.total} steps`;
  }

  next(runnable: readonly number[], step: number): Decision {
    if (this.i >= this.record.harts.length) throw new ReplayError(`the run goes on past the end of the record (${this.record.total} steps): the replay diverged`);
    const hart = this.record.harts[this.i]!;
    if (!runnable.includes(hart)) throw new ReplayError(`at step ${step} the record runs hart ${hart}, which cannot run now (asleep or absent): the replay diverged`);
    return { hart, steps: this.left };
  }

  /** The machine reports how many steps the hart took for the last decision. */
  consumed(n: number): void {
    this.left -= n;
    if (this.left <= 0) {
      this.i++;
      this.left = this.record.steps[this.i] ?? 0;
    }
  }

  /** Decisions not yet replayed when the run stopped. */
  remaining(): number {
    return this.i >= this.record.harts.length ? 0 : this.left + this.record.steps.slice(this.i + 1).reduce((a, b) => a + b, 0);
  }
}
