/**
 * The interface every device implements: accesses by offset within the device and width in bytes.
 * `read` may have side effects (a UART read pops its FIFO); `peek` never does, so debuggers and
 * traces can look. A device that refuses an access width returns undefined / false, which the hart
 * turns into an access fault.
 */
export type Width = 1 | 2 | 4 | 8;

export interface Device {
  readonly name: string;
  readonly size: number;
  read(offset: number, width: Width): bigint | undefined;
  write(offset: number, width: Width, value: bigint): boolean;
  peek(offset: number, width: Width): bigint | undefined;
}
