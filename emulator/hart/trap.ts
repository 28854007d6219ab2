/**
 * Traps: a synchronous exception is thrown as a Trap (rare, so cheap) from wherever it is detected,
 * and the hart's run loop catches it and enters the handler. Cause codes are named (assembler/isa).
 */
export class Trap {
  /** Instructions that retired in the interpreter run before this one trapped. */
  retired = 0;
  constructor(
    readonly cause: number,
    /** mtval/stval: the faulting address, or the instruction bits for an illegal instruction. */
    readonly tval: bigint,
  ) {}
}

export { EXCEPTION, INTERRUPT } from '../../assembler/isa/causes.js';
