#include "lib.h"

void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }

void putchar_(int c) {
  while (!(UART[5] & 0x20)) ;
  UART[0] = (uint8_t)c;
}

void exit(int code) {
  *FINISHER = code ? (((uint32_t)code << 16) | 0x3333) : 0x5555;
  for (;;) ;
}

static void pad(int n, char c) { while (n-- > 0) putchar_(c); }

static int put_unsigned(unsigned long long v, unsigned base, int upper, int width, char padc, int neg) {
  char buf[32];
  int i = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do { buf[i++] = digits[v % base]; v /= base; } while (v);
  int len = i + neg;
  if (padc == '0' && neg) putchar_('-');
  pad(width - len, padc);
  if (padc != '0' && neg) putchar_('-');
  while (i) putchar_(buf[--i]);
  return len > width ? len : width;
}

int printf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int count = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') { putchar_(*p); count++; continue; }
    p++;
    char padc = ' ';
    int width = 0, longs = 0;
    if (*p == '0') { padc = '0'; p++; }
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    while (*p == 'l') { longs++; p++; }
    switch (*p) {
      case 'd': {
        long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);
        count += put_unsigned(v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, 0, width, padc, v < 0);
        break;
      }
      case 'u': count += put_unsigned(longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10, 0, width, padc, 0); break;
      case 'x': count += put_unsigned(longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, 0, width, padc, 0); break;
      case 'X': count += put_unsigned(longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, 1, width, padc, 0); break;
      case 'c': putchar_(va_arg(ap, int)); count++; break;
      case 's': { const char *s = va_arg(ap, const char *); int n = 0; while (s[n]) n++; pad(width - n, ' '); while (*s) putchar_(*s++); count += n > width ? n : width; break; }
      case '%': putchar_('%'); count++; break;
      default: putchar_('?'); count++; break;
    }
  }
  va_end(ap);
  return count;
}
