/* Recursion: Ackermann, Fibonacci, the Towers of Hanoi and a recursive-descent expression parser. */
#include "lib.h"
static uint64_t ack(uint64_t m, uint64_t n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
static uint64_t fib(int n) { return n < 2 ? (uint64_t)n : fib(n - 1) + fib(n - 2); }
static int moves;
static void hanoi(int n, int a, int b, int c) { if (!n) return; hanoi(n - 1, a, c, b); moves++; hanoi(n - 1, c, b, a); }
static const char *p;
static int64_t expr(void);
static int64_t atom(void) {
  if (*p == '(') { p++; int64_t v = expr(); p++; return v; }
  if (*p == '-') { p++; return -atom(); }
  int64_t v = 0; while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0'); return v;
}
static int64_t term(void) { int64_t v = atom(); while (*p == '*' || *p == '/' || *p == '%') { char o = *p++; int64_t r = atom(); v = o == '*' ? v * r : o == '/' ? v / r : v % r; } return v; }
static int64_t expr(void) { int64_t v = term(); while (*p == '+' || *p == '-') { char o = *p++; int64_t r = term(); v = o == '+' ? v + r : v - r; } return v; }
int main(void) {
  printf("ack(2,3)=%llu ack(3,5)=%llu\n", (unsigned long long)ack(2, 3), (unsigned long long)ack(3, 5));
  for (int i = 10; i <= 25; i += 5) printf("fib(%d)=%llu\n", i, (unsigned long long)fib(i));
  hanoi(16, 1, 2, 3);
  printf("hanoi(16) moves=%d\n", moves);
  const char *es[] = {"1+2*3", "(1+2)*3", "-(7*-6)%5", "123456789*987654321-42", "((((2))))*((3+4)*(5-6))/7"};
  for (int i = 0; i < 5; i++) { p = es[i]; printf("%s = %lld\n", es[i], (long long)expr()); }
  return 0;
}
