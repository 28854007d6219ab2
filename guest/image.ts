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
import * as v2normb from './kernel/smp/v2-normb.js';
import * as v3 from './kernel/smp/v3.js';
import * as v3seed001 from './kernel/smp/v3-seed001.js';
import * as v3b from './kernel/smp/v3b.js';
import * as v4 from './kernel/smp/v4.js';
import { emitCallLoop } from './scenarios/calls.js';
import { emitR3 } from './scenarios/r3.js';

export interface SmpVersion {
  readonly VERSION: { name: string; commit: string; title: string };
  emitSmp(k: Kernel): void;
}

export const VERSIONS: Record<string, SmpVersion> = { v1, v2, 'v2-normb': v2normb, v3, 'v3-seed001': v3seed001, v3b, v4 };

export const SCENARIOS = {
  R1: (k: Kernel, harts: number, iterations: number) => emitCallLoop(k, harts, iterations, { masks: 'all', distinctFuncs: false }),
  R1c: (k: Kernel, harts: number, iterations: number) => emitCallLoop(k, harts, iterations, { masks: 'all', distinctFuncs: true }),
  R2: (k: Kernel, harts: number, iterations: number) => emitCallLoop(k, harts, iterations, { masks: 'rotate', distinctFuncs: false }),
  R3: (k: Kernel, harts: number, iterations: number) => emitR3(k, harts, iterations),
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
  emitArch(k, { harts: o.harts, ipi: o.ipi, main: 'kernel_main', callFunctionInterrupt: 'generic_smp_call_function_interrupt', callFunctionSingleInterrupt: 'generic_smp_call_function_single_interrupt' });
  emitCsdLock(k);
  version.emitSmp(k);
  SCENARIOS[o.scenario](k, o.harts, o.iterations);
  emitSmpData(k, o.harts);
  k.emitStallTable();
  return writeElf(a.link({ base: 0x80000000n }));
}
