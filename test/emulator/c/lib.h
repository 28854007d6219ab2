/* A tiny freestanding library for the oracle programs: console output through the virt UART, exit
 * through the SiFive test finisher, and a printf with the usual integer conversions. */
#include <stdint.h>
#include <stdarg.h>
#include <stddef.h>

#define UART ((volatile uint8_t *)0x10000000)
#define FINISHER ((volatile uint32_t *)0x100000)

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void putchar_(int c);
void exit(int code) __attribute__((noreturn));
int printf_(const char *fmt, ...);
#define printf printf_
