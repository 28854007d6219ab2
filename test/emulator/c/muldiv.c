/* 64-bit and 32-bit multiply/divide mixes, with signed, unsigned and high-part products and the
 * edge cases (division by zero, overflow) the ISA defines. */
#include "lib.h"
static volatile int64_t zero = 0, minus1 = -1;
static uint64_t mulhu(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) >> 64); }
static int64_t mulh(int64_t a, int64_t b) { return (int64_t)(((__int128)a * b) >> 64); }
int main(void) {
  int64_t vals[] = {0, 1, -1, 2, -2, 7, -7, 0x7fffffffffffffffll, (int64_t)0x8000000000000000ull, 0x123456789abcdefll, -0x123456789abcdefll, 0x7fffffff, -0x80000000ll, 0xffffffffll};
  int n = sizeof vals / sizeof vals[0];
  uint64_t h = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      int64_t a = vals[i], b = vals[j];
      uint64_t r[8];
      r[0] = (uint64_t)(a * b);
      r[1] = mulhu((uint64_t)a, (uint64_t)b);
      r[2] = (uint64_t)mulh(a, b);
      r[3] = b ? (uint64_t)(b == -1 ? -(uint64_t)a : (uint64_t)(a / b)) : ~0ull;
      r[4] = b ? (uint64_t)a / (uint64_t)b : ~0ull;
      r[5] = b ? (b == -1 ? 0 : (uint64_t)(a % b)) : (uint64_t)a;
      r[6] = (uint64_t)(int64_t)((int32_t)a * (int32_t)b);
      r[7] = (uint32_t)b ? (uint64_t)(int64_t)(int32_t)((uint32_t)a / (uint32_t)b) : ~0ull;
      for (int k = 0; k < 8; k++) h = h * 0x100000001b3ull ^ r[k];
      if (i == j) printf("%lld * %lld = %lld, hi %llx\n", (long long)a, (long long)b, (long long)r[0], (unsigned long long)r[1]);
    }
  /* The hardware results for the undefined-in-C cases, through volatile operands. */
  int64_t m = (int64_t)0x8000000000000000ull;
  int64_t q, rr;
  __asm__ volatile("div %0, %1, %2" : "=r"(q) : "r"(m), "r"(minus1));
  __asm__ volatile("rem %0, %1, %2" : "=r"(rr) : "r"(m), "r"(minus1));
  printf("overflow div %llx rem %lld\n", (unsigned long long)q, (long long)rr);
  __asm__ volatile("divu %0, %1, %2" : "=r"(q) : "r"(m), "r"(zero));
  __asm__ volatile("remw %0, %1, %2" : "=r"(rr) : "r"(m + 5), "r"(zero));
  printf("by zero divu %llx remw %lld\n", (unsigned long long)q, (long long)rr);
  printf("digest %016llx\n", (unsigned long long)h);
  return 0;
}
