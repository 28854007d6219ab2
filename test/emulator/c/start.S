# Bare-metal start for the C oracle programs (ours): hart 0 runs main, others park.
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  csrr  t0, mhartid
  bnez  t0, 2f
  la    sp, __stack_top
  la    t0, __bss_start
  la    t1, __bss_end
1:bgeu  t0, t1, 3f
  sd    zero, 0(t0)
  addi  t0, t0, 8
  j     1b
3:call  main
  call  exit
2:wfi
  j     2b
