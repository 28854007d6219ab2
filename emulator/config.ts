/**
 * Machine configuration and the memory map, as QEMU's `virt` machine places things
 * (../shared/notes/platform.md sections 1.3, 4.2, 5.3, 5.4; QEMU hw/riscv/virt.c).
 */

// prettier-ignore
export const VIRT = {
  TEST_FINISHER: { base: 0x0010_0000, size: 0x1000 },
  CLINT:         { base: 0x0200_0000, size: 0x1_0000 },
  UART0:         { base: 0x1000_0000, size: 0x100 },
  DRAM_BASE:     0x8000_0000,
} as const;

/** CLINT layout (SiFive-compatible, as QEMU virt with aclint=off). */
// prettier-ignore
export const CLINT = {
  MSIP:     0x0000, // 4 bytes per hart
  MTIMECMP: 0x4000, // 8 bytes per hart
  MTIME:    0xbff8,
} as const;

/** mtime ticks at 10 MHz (QEMU's timebase-frequency); we derive it from retired instructions. */
export const TIMEBASE_HZ = 10_000_000;
/** One mtime tick per this many retired instructions (a 1 GHz, 1 IPC notional hart). */
export const INSNS_PER_TICK = 100;

export interface MachineConfig {
  /** RAM size in bytes (default 256 MiB). */
  ramSize: number;
  /** Number of harts (1 for now; the SMP issue raises this). */
  harts: number;
}

export const DEFAULT_CONFIG: MachineConfig = {
  ramSize: 256 * 1024 * 1024,
  harts: 1,
};
