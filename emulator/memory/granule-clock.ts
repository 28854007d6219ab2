/**
 * Per 8-byte granule of RAM, a number (the timestamp of its latest write, for wmo by views), 0 until
 * set. Tables of one RAM page each, made when first written, so that a large RAM costs nothing
 * until used; a reset zeroes only the tables made. (A Map keyed by address allocated a heap number
 * per key above 2^31 - RAM starts at 0x80000000 - and its look-ups dominated the loads.)
 */
const PAGE_SHIFT = 12;
const GRANULES_PER_PAGE = 1 << (PAGE_SHIFT - 3);

export class GranuleClock {
  private readonly pages: (Float64Array | undefined)[];
  private readonly made: Float64Array[] = [];

  constructor(
    private readonly base: number,
    size: number,
  ) {
    this.pages = new Array(Math.ceil(size / (1 << PAGE_SHIFT))).fill(undefined);
  }

  /** The number of the granule at address g (in RAM; 8-byte aligned). */
  get(g: number): number {
    const o = g - this.base;
    const page = this.pages[o >>> PAGE_SHIFT];
    return page === undefined ? 0 : page[(o >>> 3) & (GRANULES_PER_PAGE - 1)]!;
  }

  set(g: number, t: number): void {
    const o = g - this.base;
    let page = this.pages[o >>> PAGE_SHIFT];
    if (page === undefined) {
      page = new Float64Array(GRANULES_PER_PAGE);
      this.pages[o >>> PAGE_SHIFT] = page;
      this.made.push(page);
    }
    page[(o >>> 3) & (GRANULES_PER_PAGE - 1)] = t;
  }

  clear(): void {
    for (const page of this.made) page.fill(0);
  }
}
