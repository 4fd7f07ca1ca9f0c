/* Doubles both ways, exactly: correctly rounded parsing (Clinger's fast path, else strtod_l in a C
 * locale created once) and Python-repr formatting (the shortest text that reads back the same). */
#include "num.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"

static const double pow10_tab[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* The slow path: glibc's strtod is correctly rounded; strtod_l keeps the process locale out. */
static int slow_parse(const char *s, size_t len, double *out)
{
    char stack[128], *buf = stack;
    pthread_once(&c_locale_once, c_locale_init);
    if (!c_locale) return -1;
    if (len >= sizeof stack) {
        buf = pinetl__malloc(len + 1);
        if (!buf) return -1;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    *out = strtod_l(buf, NULL, c_locale);
    if (buf != stack) pinetl__free(buf);
    return 0;
}

int pinetl__num_parse_double(const char *s, size_t len, double *out)
{
    dec d;
    if (!pinetl__num_parse_decimal(s, len, &d)) return -1;
    /* Clinger: a mantissa below 2^53 and a power of ten up to 22 are both exact, so one IEEE
     * multiplication or division rounds correctly. */
    uint64_t m = 0;
    int digits = 0;
    size_t n = d.il + d.fl;
    for (size_t i = 0; i < n; i++) {
        char c = i < d.il ? d.ip[i] : d.fp[i - d.il];
        if (!digits && c == '0') continue;
        if (++digits > 15) break;
        m = m * 10 + (uint64_t)(c - '0');
    }
    if (digits <= 15) {
        int64_t e = d.exp - (int64_t)d.fl;
        double v;
        if (m == 0) v = 0.0;
        else if (e >= 0 && e <= 22) v = (double)m * pow10_tab[e];
        else if (e < 0 && e >= -22) v = (double)m / pow10_tab[-e];
        else return slow_parse(s, len, out);
        *out = d.neg ? -v : v;
        return 0;
    }
    return slow_parse(s, len, out);
}

/* Python's repr layout of digits D (no trailing zeros) with value 0.D * 10^decpt. */
static int layout(int neg, const char *D, int n, int decpt, char *buf)
{
    char *p = buf;
    if (neg) *p++ = '-';
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -decpt; i++) *p++ = '0';
            memcpy(p, D, (size_t)n);
            p += n;
        } else if (decpt >= n) {
            memcpy(p, D, (size_t)n);
            p += n;
            for (int i = n; i < decpt; i++) *p++ = '0';
            *p++ = '.';
            *p++ = '0';
        } else {
            memcpy(p, D, (size_t)decpt);
            p += decpt;
            *p++ = '.';
            memcpy(p, D + decpt, (size_t)(n - decpt));
            p += n - decpt;
        }
    } else {
        int e = decpt - 1;
        *p++ = D[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, D + 1, (size_t)(n - 1));
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        if (e < 0) e = -e;
        if (e >= 100) *p++ = (char)('0' + e / 100);
        *p++ = (char)('0' + e / 10 % 10);
        *p++ = (char)('0' + e % 10);
    }
    *p = 0;
    return (int)(p - buf);
}

/* Fast path for 1e-4 <= |v| < 1e15 (fixed notation): the fewest decimals k whose rounding
 * m = round(v * 10^k), m < 10^15, reads back as v. Below 15 significant digits only one candidate
 * of a length can read back, and the product's rounding error cannot move m, so this is the
 * shortest and matches repr. */
static int fast_format(int neg, double v, char *buf)
{
    int lz = 0, id = 0;
    if (v >= 1) {
        while (id < 15 && v >= pow10_tab[id]) id++;
    } else {
        while (v * pow10_tab[lz + 1] < 1) lz++;
    }
    int kmax = v >= 1 ? 15 - id : 15 + lz;
    for (int k = 0; k <= kmax; k++) {
        double x = v * pow10_tab[k];
        if (x >= 1e15) break;
        uint64_t m = (uint64_t)(x + 0.5);
        if ((double)m / pow10_tab[k] != v) continue;
        char D[24];
        int n = 0;
        uint64_t t = m;
        char rev[24];
        do { rev[n++] = (char)('0' + t % 10); t /= 10; } while (t);
        for (int i = 0; i < n; i++) D[i] = rev[n - 1 - i];
        int decpt = n - k;
        while (n > 1 && D[n - 1] == '0') n--;
        return layout(neg, D, n, decpt, buf);
    }
    return -1;
}

int pinetl__num_format_double(double v, char *buf)
{
    int neg = signbit(v) != 0;
    double a = fabs(v);
    if (!isfinite(v)) {
        memcpy(buf, "null", 5);
        return 4;
    }
    if (a == 0) return layout(neg, "0", 1, 1, buf);
    if (a >= 1e-4 && a < 1e15) {
        int n = fast_format(neg, a, buf);
        if (n > 0) return n;
    }
    /* The nearest 15-, 16- then 17-digit texts: the first that reads back is the shortest (a
     * shorter one would be the nearest 15-digit text too). Subnormals have wider gaps: try all. */
    for (int prec = a < 2.2250738585072014e-308 ? 1 : 15; prec <= 17; prec++) {
        char tmp[40], D[24];
        int n = 0, e = 0, eneg = 0;
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
        /* Digits up to 'e' (whatever the locale's decimal point), then the exponent. */
        const char *p = tmp;
        for (; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9' && n < 20) D[n++] = *p;
        if (*p == 'e') p++;
        if (*p == '-' || *p == '+') eneg = *p++ == '-';
        for (; *p >= '0' && *p <= '9'; p++) e = e * 10 + (*p - '0');
        if (eneg) e = -e;
        while (n > 1 && D[n - 1] == '0') n--;
        /* Read back: D as an integer times 10^(e - n + 1). */
        char txt[48];
        int tl = 0;
        memcpy(txt, D, (size_t)n);
        tl = n;
        tl += snprintf(txt + tl, sizeof txt - (size_t)tl, "e%d", e - n + 1);
        double back;
        if (prec < 17 && (pinetl__num_parse_double(txt, (size_t)tl, &back) || back != a)) continue;
        return layout(neg, D, n, e + 1, buf);
    }
    return -1; /* not reached: 17 digits always read back */
}
