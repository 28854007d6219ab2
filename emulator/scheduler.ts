/**
 * The scheduler decides who moves next. Every decision names a hart and how many steps it may take
 * before the next decision; strategies draw from a seeded PRNG, so a run is a pure function of
 * (image, configuration, seed). Decisions actually taken are recorded run-length encoded and can be
 * replayed exactly (record.ts). The memory-model issue adds store-buffer drains as further choices.
 */

/** SplitMix64: small, fast, and good enough to drive schedules; the state is one 64-bit number. */
export class Prng {
  private s: bigint;
  constructor(seed: number | bigint) {
    this.s = BigInt.asUintN(64, BigInt(seed));
  }
  next64(): bigint {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
}

export interface Decision {
  readonly hart: number;
  /** Most steps the hart may take before the next decision. */
  readonly steps: number;
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
  next(runnable: readonly number[]): Decision {
    const after = runnable.find((h) => h > this.last);
    const hart = after ?? runnable[0]!;
    this.last = hart;
    return { hart, steps: this.quantum };
  }
}

/** Uniform random: every step, any runnable hart with equal probability. */
export class UniformRandom implements Strategy {
  constructor(private readonly rng: Prng) {}
  get describe(): string {
    return 'uniform random';
  }
  next(runnable: readonly number[]): Decision {
    return { hart: runnable[this.rng.below(runnable.length)]!, steps: 1 };
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

  next(runnable: readonly number[], step: number): Decision {
    const top = () => runnable.reduce((best, h) => (this.priority[h]! > this.priority[best]! ? h : best), runnable[0]!);
    while (this.nextChange < this.changePoints.length && step >= this.changePoints[this.nextChange]!) {
      this.priority[top()] = this.changePoints.length - this.nextChange; // below every initial priority
      this.nextChange++;
    }
    const hart = top();
    const untilChange = this.nextChange < this.changePoints.length ? this.changePoints[this.nextChange]! - step : Pct.MAX_RUN;
    return { hart, steps: Math.max(1, Math.min(untilChange, Pct.MAX_RUN)) };
  }
}

export type ScheduleConfig =
  | { readonly kind: 'rr'; readonly quantum: number }
  | { readonly kind: 'random' }
  | { readonly kind: 'pct'; readonly depth: number; readonly horizon: number };

export function makeStrategy(config: ScheduleConfig, seed: number, harts: number): Strategy {
  const rng = new Prng(seed);
  switch (config.kind) {
    case 'rr':
      return new RoundRobin(config.quantum);
    case 'random':
      return new UniformRandom(rng);
    case 'pct':
      return new Pct(rng, harts, config.depth, config.horizon);
  }
}
