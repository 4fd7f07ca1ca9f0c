/* Exact decimal-to-integer rules: keys, ages, follower counts, epoch seconds. Decided by digit
 * arithmetic, never through a double, so 7.528e3 is exactly 7528 and 2^63 is exactly too big. */
#include "num.h"

#include <string.h>

enum { EXP_LIMIT = 1000000000 }; /* exponents saturate here: far beyond any int64 */

static int isdig(char c) { return c >= '0' && c <= '9'; }

int pinetl__num_parse_decimal(const char *s, size_t len, dec *d)
{
    const char *p = s, *end = s + len;
    memset(d, 0, sizeof *d);
    if (p < end && *p == '-') { d->neg = 1; p++; }
    if (p >= end || !isdig(*p)) return 0;
    d->ip = p;
    if (*p == '0') p++;
    else while (p < end && isdig(*p)) p++;
    d->il = (size_t)(p - d->ip);
    d->fp = p;
    if (p < end && *p == '.') {
        p++;
        d->fp = p;
        while (p < end && isdig(*p)) p++;
        d->fl = (size_t)(p - d->fp);
        if (!d->fl) return 0;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        int64_t e = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p >= end || !isdig(*p)) return 0;
        while (p < end && isdig(*p)) {
            if (e < EXP_LIMIT) e = e * 10 + (*p - '0');
            p++;
        }
        if (e > EXP_LIMIT) e = EXP_LIMIT;
        d->exp = eneg ? -e : e;
    }
    return p == end;
}

static inline int digit_at(const dec *d, int64_t i)
{
    if (i < 0) return 0;
    if ((size_t)i < d->il) return d->ip[i] - '0';
    if ((size_t)i < d->il + d->fl) return d->fp[(size_t)i - d->il] - '0';
    return 0;
}

/* Whole numbers of at most 18 digits (keys, "26k"): no fraction to drop, no overflow possible,
 * so the digits are summed without the general path's checks. 1 when it applied. */
static int small_whole(const dec *d, int scale, int64_t *out)
{
    static const uint64_t pow10[19] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
        10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
        100000000000000ull, 1000000000000000ull, 10000000000000000ull,
        100000000000000000ull, 1000000000000000000ull };
    int64_t shift = d->exp + scale;
    if (d->fl || shift < 0 || shift > 18 || d->il > (size_t)(18 - shift)) return 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < d->il; i++) acc = acc * 10 + (unsigned)(d->ip[i] - '0');
    acc *= pow10[shift];
    *out = d->neg ? -(int64_t)acc : (int64_t)acc;
    return 1;
}

int pinetl__num_decimal_to_int64(const dec *d, int scale, dec_round mode, int64_t *out)
{
    if (small_whole(d, scale, out)) return DEC_OK;
    const uint64_t limit = d->neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
    int64_t n = (int64_t)(d->il + d->fl);
    int64_t point = (int64_t)d->il + d->exp + scale; /* digits before the decimal point */
    uint64_t acc = 0;
    int64_t i;
    for (i = 0; i < point && i < n; i++) {
        unsigned dg = (unsigned)digit_at(d, i);
        if (acc > (limit - dg) / 10) return DEC_OVERFLOW;
        acc = acc * 10 + dg;
    }
    /* Zeros implied by a positive exponent. */
    for (; i < point && acc; i++) {
        if (acc > limit / 10) return DEC_OVERFLOW;
        acc *= 10;
    }
    /* The fraction: digits from max(point, 0) to n. */
    int64_t f0 = point > 0 ? point : 0;
    if (mode == DEC_EXACT) {
        for (i = f0; i < n; i++)
            if (digit_at(d, i)) return DEC_NOT_INTEGRAL;
    } else if (mode == DEC_HALF_AWAY) {
        /* Halves away from zero: the first dropped digit decides. */
        if (point >= 0 && point < n && digit_at(d, point) >= 5) {
            if (acc >= limit) return DEC_OVERFLOW;
            acc++;
        }
    }
    if (d->neg) *out = acc == ((uint64_t)1 << 63) ? INT64_MIN : -(int64_t)acc;
    else *out = (int64_t)acc;
    return DEC_OK;
}

int pinetl__num_digits_to_int64(const char *s, size_t len, int64_t *out)
{
    if (!len) return DEC_NOT_INTEGRAL;
    for (size_t i = 0; i < len; i++)
        if (!isdig(s[i])) return DEC_NOT_INTEGRAL;
    dec d = { 0, s, s + len, len, 0, 0 };
    return pinetl__num_decimal_to_int64(&d, 0, DEC_EXACT, out);
}

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

int pinetl__num_follower_text(const char *s, size_t len, int64_t *out)
{
    const char *p = s, *end = s + len;
    while (p < end && is_space((unsigned char)*p)) p++;
    while (end > p && is_space((unsigned char)end[-1])) end--;
    dec d = { 0, p, p, 0, 0, 0 };
    while (p < end && isdig(*p)) p++;
    d.il = (size_t)(p - d.ip);
    if (!d.il) return 0;
    d.fp = p;
    if (p < end && *p == '.') {
        d.fp = ++p;
        while (p < end && isdig(*p)) p++;
        d.fl = (size_t)(p - d.fp);
        if (!d.fl) return 0;
    }
    if (p < end) {
        switch (*p) {
        case 'k': case 'K': d.exp = 3; break;
        case 'm': case 'M': d.exp = 6; break;
        case 'b': case 'B': d.exp = 9; break;
        default: return 0;
        }
        p++;
    }
    if (p != end) return 0;
    /* value = digits * 10^(exp - fl): the form pinetl__num_decimal_to_int64 takes, truncated toward zero. */
    return pinetl__num_decimal_to_int64(&d, 0, DEC_TRUNC, out) == DEC_OK;
}

/* "00".."99": two digits per division halves the divisions of a row's integers. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t pinetl__num_format_int64(int64_t v, char *buf)
{
    char tmp[20];
    size_t n = sizeof tmp, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        tmp[--n] = digit_pairs[d + 1];
        tmp[--n] = digit_pairs[d];
    }
    if (u >= 10) {
        tmp[--n] = digit_pairs[u * 2 + 1];
        tmp[--n] = digit_pairs[u * 2];
    } else {
        tmp[--n] = (char)('0' + u);
    }
    if (v < 0) buf[len++] = '-';
    memcpy(buf + len, tmp + n, sizeof tmp - n);
    return len + sizeof tmp - n;
}
