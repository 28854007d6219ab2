/**
 * The built-in example for `rvsmp demo` (and `npm start`) until the race matrix exists: a small
 * guest in GNU syntax, assembled by our assembler, listed by our disassembler, and run on the
 * single-hart machine, where it prints through the UART and exits through the test finisher.
 */
export const DEMO_SOURCE = `# Print fib(1..20) on the virt UART, then pass through the SiFive test finisher.
    .equ UART, 0x10000000
    .equ FINISHER, 0x100000
    .text
    .globl _start
_start:
    la      sp, stack_top
    la      a0, banner
    call    puts
    li      s0, 1                # n
    li      s1, 0                # fib(n-1)
    li      s2, 1                # fib(n)
1:  mv      a0, s2
    call    putu
    li      a0, ' '
    call    putc
    add     t0, s1, s2
    mv      s1, s2
    mv      s2, t0
    addi    s0, s0, 1
    li      t1, 20
    ble     s0, t1, 1b
    li      a0, '\\n'
    call    putc
    li      t0, FINISHER
    li      t1, 0x5555
    sw      t1, 0(t0)
2:  j       2b

putc:                            # a0 = byte; waits for THRE like a real driver
    li      t0, UART
1:  lbu     t1, 5(t0)
    andi    t1, t1, 0x20
    beqz    t1, 1b
    sb      a0, 0(t0)
    ret

puts:                            # a0 = NUL-terminated string
    addi    sp, sp, -16
    sd      ra, 8(sp)
    sd      s0, 0(sp)
    mv      s0, a0
1:  lbu     a0, 0(s0)
    beqz    a0, 2f
    call    putc
    addi    s0, s0, 1
    j       1b
2:  ld      s0, 0(sp)
    ld      ra, 8(sp)
    addi    sp, sp, 16
    ret

putu:                            # a0 = unsigned value, printed in decimal
    addi    sp, sp, -48
    sd      ra, 40(sp)
    mv      t2, sp
    li      t3, 10
1:  remu    t4, a0, t3
    addi    t4, t4, '0'
    sb      t4, 0(t2)
    addi    t2, t2, 1
    divu    a0, a0, t3
    bnez    a0, 1b
2:  addi    t2, t2, -1
    lbu     a0, 0(t2)
    sd      t2, 32(sp)
    call    putc
    ld      t2, 32(sp)
    bne     t2, sp, 2b
    ld      ra, 40(sp)
    addi    sp, sp, 48
    ret

    .data
banner: .asciz "fib(1..20) on rvsmp: "
    .bss
    .balign 16
    .zero   4096
stack_top:
`;
