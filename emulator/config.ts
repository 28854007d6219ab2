/**
 * Machine configuration and the memory map, as QEMU's `virt` machine places things
 * (../shared/notes/platform.md sections 1.3, 4.2, 5.3, 5.4; QEMU hw/riscv/virt.c).
 */

// prettier-ignore
export const VIRT = {
  TEST_FINISHER: { base: 0x0010_0000, size: 0x1000 },
  /** rvsmp's guest event device (not in QEMU): a 256-byte page per hart, in a hole of virt's map. */
  GUEST_EVENTS:  0x0011_0000,
  CLINT:         { base: 0x0200_0000, size: 0x1_0000 },
  UART0:         { base: 0x1000_0000, size: 0x100 },
  /** AIA IMSIC interrupt files, one 4 KiB page per hart (virt,aia=aplic-imsic; platform.md 2.3). */
  IMSIC_M:       0x2400_0000,
  IMSIC_S:       0x2800_0000,
  DRAM_BASE:     0x8000_0000,
} as const;

/** CLINT layout (SiFive-compatible, as QEMU virt with aclint=off). */
// prettier-ignore
export const CLINT = {
  MSIP:     0x0000, // 4 bytes per hart
  MTIMECMP: 0x4000, // 8 bytes per hart
  MTIME:    0xbff8,
} as const;

import type { ScheduleConfig } from './scheduler.js';

/** mtime ticks at 10 MHz (QEMU's timebase-frequency); we derive it from retired instructions. */
export const TIMEBASE_HZ = 10_000_000;
/** One mtime tick per this many retired instructions (a 1 GHz, 1 IPC notional hart). */
export const INSNS_PER_TICK = 100;

/** Most harts a machine may have (the design has no limit of its own; the IMSIC pages fit 4096). */
export const MAX_HARTS = 256;

/** Memory models: sequential consistency, RVTSO (Ztso), RVWMO. */
export type MemoryModel = 'sc' | 'tso' | 'wmo';
/** The models the machine implements so far. */
export const IMPLEMENTED_MODELS: readonly MemoryModel[] = ['sc', 'tso', 'wmo'];

export interface MachineConfig {
  /** How memory accesses of different harts may be reordered (only 'sc' until the models land). */
  memoryModel: MemoryModel;
  /** RAM size in bytes (default 256 MiB). */
  ramSize: number;
  /** Number of harts. */
  harts: number;
  /** Interrupt identities per IMSIC file (64k - 1, 63..2047; QEMU virt uses 255). */
  imsicIds: number;
  /** Who moves next. */
  schedule: ScheduleConfig;
  /** Seed of the scheduler's PRNG. */
  seed: number;
  /**
   * Steps a hart sits out after a pause (cpu_relax, Zihintpause): the time a real pause takes,
   * during which the other harts run. Spin-waits then cost a few steps per turn instead of every
   * step the scheduler gives them; when every hart sits out, time skips ahead. 0: pause is a nop.
   */
  pauseSteps: number;
  /**
   * How wmo is run: 'window', the speculative out-of-order issue window (every RVWMO reordering
   * but two corner cases; the exhaustive litmus search uses it), or 'views', in-order harts with
   * non-FIFO store buffers and loads that may read older versions (no load buffering; several
   * times faster). docs/memory-model.md.
   */
  wmoEngine: WmoEngine;
}

export type WmoEngine = 'window' | 'views';

export const DEFAULT_CONFIG: MachineConfig = {
  memoryModel: 'sc',
  ramSize: 256 * 1024 * 1024,
  harts: 1,
  imsicIds: 255,
  schedule: { kind: 'rr', quantum: 100 },
  seed: 0,
  pauseSteps: 64,
  wmoEngine: 'window',
};
