/* Formatted output: widths, zero padding, signs, hex of both cases, chars and strings. */
#include "lib.h"
int main(void) {
  printf("[%d] [%5d] [%05d] [%-d]\n", 42, -42, 42, 7);
  printf("[%x] [%X] [%08x] [%lx]\n", 0xbeef, 0xbeef, 0xbeef, 0x123456789abcdefUL);
  printf("[%u] [%lu] [%lld]\n", 4000000000u, 18446744073709551615UL, -9223372036854775807LL - 1);
  printf("[%c%c%c] [%s] [%8s] [%%]\n", 'r', 'v', '!', "smp", "ipi");
  for (int i = -3; i <= 3; i++) printf("%3d:%03d%c", i, i * i, i == 3 ? '\n' : ' ');
  return 0;
}
