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
import { emitR4 } from './scenarios/r4.js';
import { emitGlobalQueueCheck, emitLlistQueueCheck } from './scenarios/end.js';
import * as v6 from './kernel/smp/v6.js';
import * as v6peterz from './kernel/smp/v6-peterz.js';

export interface SmpVersion {
  readonly VERSION: { name: string; commit: string; title: string };
  /** 'llist' versions (v6) bring their own csd lock and data; the others share common.ts. */
  readonly GENERATION?: 'llist';
  emitSmp(k: Kernel): void;
  emitSmpData?(k: Kernel, harts: number): void;
}

export const VERSIONS: Record<string, SmpVersion> = { v1, v2, 'v2-normb': v2normb, v3, 'v3-seed001': v3seed001, v3b, v4, v6, 'v6-peterz': v6peterz };

type Emit = (k: Kernel, harts: number, iterations: number) => void;
/** Each scenario, the code generation it runs on (global queue: v1..v4; llist: v6; any: both), and its minimum harts. */
export const SCENARIOS: Record<string, { emit: Emit; generation: 'global-queue' | 'llist' | 'any'; minHarts: number }> = {
  R1: { emit: (k, h, n) => emitCallLoop(k, h, n, { race: 'R1' }), generation: 'any', minHarts: 3 },
  R1c: { emit: (k, h, n) => emitCallLoop(k, h, n, { race: 'R1c' }), generation: 'any', minHarts: 3 },
  R2: { emit: (k, h, n) => emitCallLoop(k, h, n, { race: 'R2' }), generation: 'any', minHarts: 4 },
  R3: { emit: (k, h, n) => emitR3(k, h, n), generation: 'any', minHarts: 3 },
  R4a: { emit: (k, h, n) => emitR4(k, h, n, 'a'), generation: 'llist', minHarts: 3 },
  R4b: { emit: (k, h, n) => emitR4(k, h, n, 'b'), generation: 'llist', minHarts: 2 },
};
export type ScenarioName = 'R1' | 'R1c' | 'R2' | 'R3' | 'R4a' | 'R4b';

/** Does this scenario run on this kernel version? */
export function applies(scenario: ScenarioName, version: string): boolean {
  const v = VERSIONS[version];
  const g = SCENARIOS[scenario]!.generation;
  return !!v && (g === 'any' || g === (v.GENERATION ?? 'global-queue'));
}

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
  if (!applies(o.scenario, o.version)) throw new Error(`${o.scenario} does not run on ${o.version}`);
  emitArch(k, { harts: o.harts, ipi: o.ipi, main: 'kernel_main', callFunctionInterrupt: 'generic_smp_call_function_interrupt', callFunctionSingleInterrupt: 'generic_smp_call_function_single_interrupt' });
  if (version.GENERATION !== 'llist') emitCsdLock(k);
  version.emitSmp(k);
  if (version.GENERATION === 'llist') emitLlistQueueCheck(k, o.harts);
  else emitGlobalQueueCheck(k);
  SCENARIOS[o.scenario]!.emit(k, o.harts, o.iterations);
  if (version.emitSmpData) version.emitSmpData(k, o.harts);
  else emitSmpData(k, o.harts);
  k.emitStallTable(o.harts);
  return writeElf(a.link({ base: 0x80000000n }));
}
