/**
 * The built-in example for `rvsmp demo` (and `npm start`) until the race matrix exists: the shape of
 * a kernel IPI send and handler, written in GNU syntax and assembled by our own assembler.
 */
export const DEMO_SOURCE = `# A CSD (call_single_data) is published with smp_wmb() before the IPI doorbell is rung.
    .equ CLINT_MSIP, 0x2000000
    .text
    .globl _start
_start:
    csrr    a0, mhartid
    bnez    a0, secondary
    la      t0, csd
    la      t1, func
    sd      t1, 0(t0)            # csd->func = func
    li      t2, 42
    sd      t2, 8(t0)            # csd->info = 42
    fence   w, w                 # smp_wmb()
    li      t1, 1
    sw      t1, 16(t0)           # csd->flags = CSD_FLAG_LOCK
    fence   w, o                 # order the CSD before the doorbell
    li      t3, CLINT_MSIP
    sw      t1, 4(t3)            # IPI to hart 1
1:  lw      t1, 16(t0)           # csd_lock_wait()
    bnez    t1, 1b
    fence   r, rw
    j       done
secondary:
    wfi
    la      t0, csd
    ld      t1, 0(t0)
    fence   r, r                 # smp_rmb()
    ld      a0, 8(t0)
    jalr    t1
    fence   rw, w
    sw      zero, 16(t0)         # csd_unlock()
done:
    j       done
func:
    addi    a0, a0, 1
    ret

    .data
    .balign 8
csd:
    .dword  0, 0
    .word   0
`;
