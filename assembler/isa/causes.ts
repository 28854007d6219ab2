/** Exception and interrupt cause codes (privileged spec, mcause/scause table). */

// prettier-ignore
export const EXCEPTION = {
  INSTRUCTION_ADDRESS_MISALIGNED: 0,
  INSTRUCTION_ACCESS_FAULT:       1,
  ILLEGAL_INSTRUCTION:            2,
  BREAKPOINT:                     3,
  LOAD_ADDRESS_MISALIGNED:        4,
  LOAD_ACCESS_FAULT:              5,
  STORE_ADDRESS_MISALIGNED:       6,
  STORE_ACCESS_FAULT:             7,
  ECALL_FROM_U:                   8,
  ECALL_FROM_S:                   9,
  ECALL_FROM_M:                   11,
  INSTRUCTION_PAGE_FAULT:         12,
  LOAD_PAGE_FAULT:                13,
  STORE_PAGE_FAULT:               15,
} as const;

// prettier-ignore
export const INTERRUPT = {
  SUPERVISOR_SOFTWARE: 1,
  MACHINE_SOFTWARE:    3,
  SUPERVISOR_TIMER:    5,
  MACHINE_TIMER:       7,
  SUPERVISOR_EXTERNAL: 9,
  MACHINE_EXTERNAL:    11,
} as const;
