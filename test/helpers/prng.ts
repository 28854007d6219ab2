/** A small seeded PRNG (SplitMix64 folded to 32 bits) so that generated tests replay from their seed. */
export class Prng {
  private s: bigint;
  constructor(readonly seed: number) {
    this.s = BigInt(seed) & 0xffffffffffffffffn;
  }
  next64(): bigint {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return z ^ (z >> 31n);
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Number(this.next64() % BigInt(hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  chance(p: number): boolean {
    return Number(this.next64() % 1000000n) < p * 1000000;
  }
}

/** The seed for a generated test: RVSMP_SEED if set, else a fresh one, printed so a failure can be replayed. */
export function testSeed(name: string): number {
  const fromEnv = process.env.RVSMP_SEED;
  const seed = fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}: seed ${seed} (replay with RVSMP_SEED=${seed})`);
  return seed;
}
