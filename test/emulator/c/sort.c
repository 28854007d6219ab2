/* Sorting: quicksort, merge sort and insertion sort of pseudo-random 64-bit keys must agree. */
#include "lib.h"
#define N 3000
static int64_t a[N], b[N], c[N], tmp[N];
static uint64_t s = 88172645463325252ull;
static uint64_t xorshift(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static void quick(int64_t *v, int lo, int hi) {
  while (lo < hi) {
    int64_t p = v[(lo + hi) / 2]; int i = lo, j = hi;
    while (i <= j) { while (v[i] < p) i++; while (v[j] > p) j--; if (i <= j) { int64_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; } }
    if (j - lo < hi - i) { quick(v, lo, j); lo = i; } else { quick(v, i, hi); hi = j; }
  }
}
static void merge(int64_t *v, int n) {
  if (n < 2) return;
  int m = n / 2; merge(v, m); merge(v + m, n - m);
  int i = 0, j = m, k = 0;
  while (i < m && j < n) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
  while (i < m) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}
static void insertion(int64_t *v, int n) {
  for (int i = 1; i < n; i++) { int64_t x = v[i]; int j = i - 1; while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; } v[j + 1] = x; }
}
int main(void) {
  for (int i = 0; i < N; i++) a[i] = b[i] = c[i] = (int64_t)xorshift() >> (i % 40);
  quick(a, 0, N - 1); merge(b, N); insertion(c, N);
  int same = 1; uint64_t sum = 0;
  for (int i = 0; i < N; i++) { same &= a[i] == b[i] && b[i] == c[i]; sum = sum * 31 + (uint64_t)a[i]; }
  printf("sorted %d keys: %s, min %lld max %lld sum %llx\n", N, same ? "agree" : "DISAGREE", (long long)a[0], (long long)a[N - 1], (unsigned long long)sum);
  for (int i = 0; i < 8; i++) printf("a[%d] = %020lld\n", i * 400, (long long)a[i * 400]);
  return 0;
}
