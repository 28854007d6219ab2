/* Hashing: FNV-1a, CRC32 and a 64-bit multiplicative mix over generated data. */
#include "lib.h"
static uint8_t data[8192];
static uint32_t crc32(const uint8_t *p, int n) {
  uint32_t c = ~0u;
  for (int i = 0; i < n; i++) { c ^= p[i]; for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1)); }
  return ~c;
}
static uint64_t fnv1a(const uint8_t *p, int n) { uint64_t h = 1469598103934665603ull; for (int i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ull; } return h; }
static uint64_t mix(uint64_t z) { z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull; return z ^ (z >> 31); }
int main(void) {
  for (int i = 0; i < (int)sizeof data; i++) data[i] = (uint8_t)(mix(i) >> (i & 7));
  for (int n = 1; n <= 8192; n *= 4) printf("n=%4d crc32=%08x fnv1a=%016llx\n", n, crc32(data, n), (unsigned long long)fnv1a(data, n));
  uint64_t acc = 0;
  for (uint64_t i = 0; i < 20000; i++) acc ^= mix(acc + i);
  printf("mix chain %016llx\n", (unsigned long long)acc);
  return 0;
}
