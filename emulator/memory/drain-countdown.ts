/**
 * When buffered stores drain by themselves under random stepping (tso's store buffers, wmo by
 * views): each hart draws a mean (1, 3, 10 or 40), and its countdown of memory accesses and
 * scheduler turns, drawn uniformly around that mean, says when the next store goes. Without a PRNG
 * (the exhaustive search) nothing drains by itself.
 */
import type { Prng } from '../scheduler.js';

const DRAIN_MEANS = [1, 3, 10, 40];

export class DrainCountdown {
  private readonly mean: Int32Array;
  private readonly left: Int32Array;
  private rng: Prng | undefined;

  constructor(harts: number) {
    this.mean = new Int32Array(harts);
    this.left = new Int32Array(harts);
  }

  /** A new run: drains by themselves only with a PRNG. */
  reset(rng: Prng | undefined): void {
    this.rng = rng;
  }

  /** Hart h's mean (drawn from the PRNG: call in the order the run's draws must keep). */
  pickMean(h: number): void {
    this.mean[h] = this.rng ? DRAIN_MEANS[this.rng.below(DRAIN_MEANS.length)]! : 0;
  }

  /** Start (or restart, after a drain) hart h's countdown. */
  restart(h: number): void {
    this.left[h] = this.rng ? 1 + this.rng.below(2 * this.mean[h]!) : -1;
  }

  /** Does hart h drain by itself at all? */
  running(h: number): boolean {
    return this.left[h]! >= 0;
  }

  /** One access or turn of hart h: has its countdown run out (then drain, and restart it)? */
  expired(h: number): boolean {
    return this.left[h]! >= 0 && --this.left[h]! <= 0;
  }
}
