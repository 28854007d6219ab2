/**
 * Interrupt lines: the only way a device touches a hart. A device raises or lowers a line (a bit of
 * mip) for a hart; the hart reads the lines when it decides whether to take an interrupt.
 */
export interface InterruptSink {
  setLine(hart: number, bit: number, level: boolean): void;
}

// prettier-ignore
export const MIP = {
  SSIP: 1 << 1, MSIP: 1 << 3,
  STIP: 1 << 5, MTIP: 1 << 7,
  SEIP: 1 << 9, MEIP: 1 << 11,
} as const;
