/**
 * CSR names and numbers (privileged spec 1.12 tables 2.2-2.5, AIA spec chapter 2). Each CSR says which
 * extension or privilege level owns it; the hart's CSR file (emulator) decides what is implemented.
 */

export type CsrOwner = 'counters' | 'supervisor' | 'machine' | 'pmp' | 'aia' | 'debug';

export interface CsrSpec {
  readonly name: string;
  readonly num: number;
  readonly owner: CsrOwner;
}

function range(prefix: string, first: number, last: number, base: number, owner: CsrOwner): CsrSpec[] {
  const out: CsrSpec[] = [];
  for (let i = first; i <= last; i++) out.push({ name: `${prefix}${i}`, num: base + i - first, owner });
  return out;
}

// prettier-ignore
export const CSRS: readonly CsrSpec[] = [
  // Unprivileged counters and timers.
  { name: 'cycle',      num: 0xc00, owner: 'counters' },
  { name: 'time',       num: 0xc01, owner: 'counters' },
  { name: 'instret',    num: 0xc02, owner: 'counters' },
  ...range('hpmcounter', 3, 31, 0xc03, 'counters'),
  // Supervisor.
  { name: 'sstatus',    num: 0x100, owner: 'supervisor' },
  { name: 'sie',        num: 0x104, owner: 'supervisor' },
  { name: 'stvec',      num: 0x105, owner: 'supervisor' },
  { name: 'scounteren', num: 0x106, owner: 'supervisor' },
  { name: 'senvcfg',    num: 0x10a, owner: 'supervisor' },
  { name: 'sscratch',   num: 0x140, owner: 'supervisor' },
  { name: 'sepc',       num: 0x141, owner: 'supervisor' },
  { name: 'scause',     num: 0x142, owner: 'supervisor' },
  { name: 'stval',      num: 0x143, owner: 'supervisor' },
  { name: 'sip',        num: 0x144, owner: 'supervisor' },
  { name: 'satp',       num: 0x180, owner: 'supervisor' },
  // AIA, supervisor level: indirect access to the S-level IMSIC file, and the top interrupt.
  { name: 'siselect',   num: 0x150, owner: 'aia' },
  { name: 'sireg',      num: 0x151, owner: 'aia' },
  { name: 'stopei',     num: 0x15c, owner: 'aia' },
  { name: 'stopi',      num: 0xdb0, owner: 'aia' },
  // Machine information.
  { name: 'mvendorid',  num: 0xf11, owner: 'machine' },
  { name: 'marchid',    num: 0xf12, owner: 'machine' },
  { name: 'mimpid',     num: 0xf13, owner: 'machine' },
  { name: 'mhartid',    num: 0xf14, owner: 'machine' },
  { name: 'mconfigptr', num: 0xf15, owner: 'machine' },
  // Machine trap setup and handling.
  { name: 'mstatus',    num: 0x300, owner: 'machine' },
  { name: 'misa',       num: 0x301, owner: 'machine' },
  { name: 'medeleg',    num: 0x302, owner: 'machine' },
  { name: 'mideleg',    num: 0x303, owner: 'machine' },
  { name: 'mie',        num: 0x304, owner: 'machine' },
  { name: 'mtvec',      num: 0x305, owner: 'machine' },
  { name: 'mcounteren', num: 0x306, owner: 'machine' },
  { name: 'menvcfg',    num: 0x30a, owner: 'machine' },
  { name: 'mcountinhibit', num: 0x320, owner: 'machine' },
  ...range('mhpmevent', 3, 31, 0x323, 'machine'),
  { name: 'mscratch',   num: 0x340, owner: 'machine' },
  { name: 'mepc',       num: 0x341, owner: 'machine' },
  { name: 'mcause',     num: 0x342, owner: 'machine' },
  { name: 'mtval',      num: 0x343, owner: 'machine' },
  { name: 'mip',        num: 0x344, owner: 'machine' },
  { name: 'mtinst',     num: 0x34a, owner: 'machine' },
  { name: 'mtval2',     num: 0x34b, owner: 'machine' },
  { name: 'mseccfg',    num: 0x747, owner: 'machine' },
  // AIA, machine level.
  { name: 'miselect',   num: 0x350, owner: 'aia' },
  { name: 'mireg',      num: 0x351, owner: 'aia' },
  { name: 'mtopei',     num: 0x35c, owner: 'aia' },
  { name: 'mtopi',      num: 0xfb0, owner: 'aia' },
  // Physical memory protection.
  ...range('pmpcfg', 0, 15, 0x3a0, 'pmp'),
  ...range('pmpaddr', 0, 63, 0x3b0, 'pmp'),
  // Machine counters.
  { name: 'mcycle',     num: 0xb00, owner: 'machine' },
  { name: 'minstret',   num: 0xb02, owner: 'machine' },
  ...range('mhpmcounter', 3, 31, 0xb03, 'machine'),
  // Debug and trigger module.
  { name: 'tselect',    num: 0x7a0, owner: 'debug' },
  { name: 'tdata1',     num: 0x7a1, owner: 'debug' },
  { name: 'tdata2',     num: 0x7a2, owner: 'debug' },
  { name: 'tdata3',     num: 0x7a3, owner: 'debug' },
  { name: 'dcsr',       num: 0x7b0, owner: 'debug' },
  { name: 'dpc',        num: 0x7b1, owner: 'debug' },
  { name: 'dscratch0',  num: 0x7b2, owner: 'debug' },
  { name: 'dscratch1',  num: 0x7b3, owner: 'debug' },
];

const csrByName = new Map<string, CsrSpec>(CSRS.map((c) => [c.name, c]));
const csrByNum = new Map<number, CsrSpec>(CSRS.map((c) => [c.num, c]));
// Older names the assemblers still accept.
csrByName.set('dscratch', csrByName.get('dscratch0')!);

export function csrNumber(name: string): number | undefined {
  return csrByName.get(name)?.num;
}

export function csrName(num: number): string | undefined {
  return csrByNum.get(num)?.name;
}

/** Named CSR numbers, for code that reads like the spec: CSR.mstatus. */
export const CSR: Readonly<Record<string, number>> = Object.fromEntries(CSRS.map((c) => [c.name, c.num]));

/**
 * CSRs that GNU objdump 2.40 prints as numbers (it follows privileged spec 1.11 by default): the 1.12
 * additions. Our disassembler does the same by default so that listings compare equal; the assembler
 * accepts every name.
 */
const UNNAMED_BY_OBJDUMP = new Set<number>([0x10a, 0xf15, 0x30a, 0x34a, 0x34b, 0x747]);
for (let n = 0x3a4; n <= 0x3af; n++) UNNAMED_BY_OBJDUMP.add(n);
for (let n = 0x3c0; n <= 0x3ef; n++) UNNAMED_BY_OBJDUMP.add(n);

/** The name a listing shows for a CSR: objdump's choice unless `allNames`. */
export function csrListingName(num: number, allNames = false): string | undefined {
  if (!allNames && UNNAMED_BY_OBJDUMP.has(num)) return undefined;
  return csrName(num);
}
