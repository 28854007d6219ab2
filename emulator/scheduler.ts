/**
 * The scheduler decides who moves next. Every decision names a hart and how many steps it may take
 * before the next decision; strategies draw from a seeded PRNG, so a run is a pure function of
 * (image, configuration, seed). Decisions actually taken are recorded run-length encoded and can be
 * replayed exactly (record.ts). The memory-model issue adds store-buffer drains as further choices.
 */

/**
 * xoshiro128** (Blackman and Vigna), seeded through SplitMix32: fast 32-bit integer arithmetic, as
 * the scheduler may draw a number every step. The state is four 32-bit words.
 */
export class Prng {
  /** The four state words, kept as int32 (every step is bitwise, so the signed view draws the same numbers). */
  private readonly s = new Int32Array(4);
  constructor(seed: number | bigint) {
    let x = Number(BigInt.asUintN(32, BigInt(seed))) ^ Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
    const splitmix = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix();
  }
  /** A uniformly distributed unsigned 32-bit integer. */
  next32(): number {
    const s = this.s;
    const a = s[0]!, b = s[1]!;
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    const c = s[2]! ^ a;
    const d = s[3]! ^ b;
    s[1] = b ^ c;
    s[0] = a ^ d;
    s[2] = c ^ t;
    s[3] = rotl(d, 11);
    return result;
  }
  /** Uniform integer in [0, n) for n up to 2^32 (multiply-shift; bias below 2^-32 * n). */
  below(n: number): number {
    return Math.floor((this.next32() / 4294967296) * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A strategy's answer; strategies reuse one object (the machine reads it at once), so that choosing allocates nothing. */
export interface Decision {
  hart: number;
  /** Most steps the hart may take before the next decision. */
  steps: number;
}

export interface Strategy {
  readonly describe: string;
  /** Choose among the runnable harts (never empty), at global step `step`. */
  next(runnable: readonly number[], step: number): Decision;
}

/** Round-robin: each runnable hart in turn for `quantum` steps. */
export class RoundRobin implements Strategy {
  private last = -1;
  constructor(private readonly quantum: number) {}
  get describe(): string {
    return `round-robin, quantum ${this.quantum}`;
  }
  private readonly d: Decision = { hart: 0, steps: 0 };
  next(runnable: readonly number[]): Decision {
    let hart = runnable[0]!;
    for (const h of runnable) {
      if (h > this.last) {
        hart = h;
        break;
      }
    }
    this.last = hart;
    this.d.hart = hart;
    this.d.steps = this.quantum;
    return this.d;
  }
}

/**
 * Uniform random: any runnable hart with equal probability, for one step - or, with `burst` > 1,
 * for 1..burst steps (uniformly), which interleaves more coarsely at a fraction of the decisions.
 */
export class UniformRandom implements Strategy {
  constructor(
    private readonly rng: Prng,
    private readonly burst = 1,
  ) {}
  get describe(): string {
    return this.burst > 1 ? `uniform random, runs of 1..${this.burst} steps` : 'uniform random';
  }
  private readonly d: Decision = { hart: 0, steps: 1 };
  next(runnable: readonly number[]): Decision {
    this.d.hart = runnable[this.rng.below(runnable.length)]!;
    if (this.burst > 1) this.d.steps = 1 + this.rng.below(this.burst);
    return this.d;
  }
}

/**
 * PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): harts get random distinct
 * priorities above `depth`; the highest-priority runnable hart runs; at each of depth-1 change
 * points, drawn uniformly from the first `horizon` steps, the running hart's priority drops below
 * every other (to the change point's index). A bug of depth d is found with probability at least
 * 1/(n * k^(d-1)).
 */
export class Pct implements Strategy {
  private readonly priority: number[];
  private readonly changePoints: number[];
  private nextChange = 0;
  private static readonly MAX_RUN = 4096;

  constructor(
    rng: Prng,
    harts: number,
    private readonly depth: number,
    private readonly horizon: number,
  ) {
    const prios = Array.from({ length: harts }, (_, i) => depth + i);
    for (let i = prios.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [prios[i], prios[j]] = [prios[j]!, prios[i]!];
    }
    this.priority = prios;
    this.changePoints = Array.from({ length: Math.max(0, depth - 1) }, () => 1 + rng.below(Math.max(1, horizon))).sort((a, b) => a - b);
  }

  get describe(): string {
    return `PCT, depth ${this.depth}, horizon ${this.horizon} steps`;
  }

  private readonly d: Decision = { hart: 0, steps: 0 };
  private top(runnable: readonly number[]): number {
    let best = runnable[0]!;
    for (const h of runnable) if (this.priority[h]! > this.priority[best]!) best = h;
    return best;
  }
  next(runnable: readonly number[], step: number): Decision {
    while (this.nextChange < this.changePoints.length && step >= this.changePoints[this.nextChange]!) {
      this.priority[this.top(runnable)] = this.changePoints.length - this.nextChange; // below every initial priority
      this.nextChange++;
    }
    const untilChange = this.nextChange < this.changePoints.length ? this.changePoints[this.nextChange]! - step : Pct.MAX_RUN;
    this.d.hart = this.top(runnable);
    this.d.steps = Math.max(1, Math.min(untilChange, Pct.MAX_RUN));
    return this.d;
  }
}

export type ScheduleConfig =
  | { readonly kind: 'rr'; readonly quantum: number }
  | { readonly kind: 'random'; readonly burst?: number }
  | { readonly kind: 'pct'; readonly depth: number; readonly horizon: number };

export function makeStrategy(config: ScheduleConfig, seed: number, harts: number): Strategy {
  const rng = new Prng(seed);
  switch (config.kind) {
    case 'rr':
      return new RoundRobin(config.quantum);
    case 'random':
      return new UniformRandom(rng, config.burst);
    case 'pct':
      return new Pct(rng, harts, config.depth, config.horizon);
  }
}
