/**
 * A guest image: the boot and trap layer, one version of kernel/smp.c, and one scenario, linked
 * at 0x80000000 into an ELF the machine runs.
 */
import { Asm } from '../assembler/dsl/asm.js';
import { writeElf } from '../assembler/elf/writer.js';
import { emitArch, type IpiKind } from './arch/riscv/boot.js';
import { Kernel } from './lib/kernel.js';
import { emitCsdLock, emitSmpData } from './kernel/smp/common.js';
import * as v1 from './kernel/smp/v1.js';
import * as v2 from './kernel/smp/v2.js';
import { emitR1 } from './scenarios/r1.js';

export interface SmpVersion {
  readonly VERSION: { name: string; commit: string; title: string };
  emitSmp(k: Kernel): void;
}

export const VERSIONS: Record<string, SmpVersion> = { v1, v2 };

export const SCENARIOS = {
  R1: (k: Kernel, harts: number, iterations: number) => emitR1(k, harts, iterations),
} as const;
export type ScenarioName = keyof typeof SCENARIOS;

export interface GuestOptions {
  version: string;
  scenario: ScenarioName;
  harts: number;
  ipi: IpiKind;
  /** Calls per hart. */
  iterations: number;
}

export function buildGuest(o: GuestOptions): Uint8Array {
  const version = VERSIONS[o.version];
  if (!version) throw new Error(`unknown kernel version "${o.version}" (${Object.keys(VERSIONS).join(', ')})`);
  const a = new Asm();
  const k = new Kernel(a);
  emitArch(k, { harts: o.harts, ipi: o.ipi, main: 'kernel_main', callFunctionInterrupt: 'generic_smp_call_function_interrupt' });
  emitCsdLock(k);
  version.emitSmp(k);
  SCENARIOS[o.scenario](k, o.harts, o.iterations);
  emitSmpData(k, o.harts);
  k.emitStallTable();
  return writeElf(a.link({ base: 0x80000000n }));
}
