/* Timestamps as int64 microseconds since the epoch (UTC), years 0001..9999. Civil dates by Howard
 * Hinnant's days-from-civil arithmetic: no libc time functions (thread-safe, no TZ, fast). */
#include "num.h"

#include <string.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in microseconds. */
#define TS_MIN (INT64_C(-719162) * US_PER_DAY)
#define TS_END (INT64_C(2932897) * US_PER_DAY)

static int in_range(int64_t us) { return us >= TS_MIN && us < TS_END; }

static int num2(const char *p, unsigned *out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return 0;
    *out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
    return 1;
}

static int is_leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int pinetl__ts_parse(const char *s, size_t len, int64_t *out)
{
    static const unsigned char mdays[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    unsigned yh, yl, mo, da, hh = 0, mi = 0, ss = 0, us = 0;
    int64_t offset_s = 0;
    if (len < 10 || !num2(s, &yh) || !num2(s + 2, &yl) || s[4] != '-' || !num2(s + 5, &mo) ||
        s[7] != '-' || !num2(s + 8, &da))
        return 0;
    unsigned year = yh * 100 + yl;
    if (year < 1 || mo < 1 || mo > 12 || da < 1) return 0;
    if (da > mdays[mo] + (unsigned)(mo == 2 && is_leap(year))) return 0;
    const char *p = s + 10, *end = s + len;
    if (p < end) {
        if (end - p < 9 || (*p != ' ' && *p != 'T') || !num2(p + 1, &hh) || p[3] != ':' ||
            !num2(p + 4, &mi) || p[6] != ':' || !num2(p + 7, &ss))
            return 0;
        if (hh > 23 || mi > 59 || ss > 59) return 0;
        p += 9;
        if (p < end && *p == '.') {
            int n = 0;
            p++;
            while (p < end && *p >= '0' && *p <= '9') {
                if (++n > 9) return 0;
                if (n <= 6) us = us * 10 + (unsigned)(*p - '0');
                p++;
            }
            if (!n) return 0;
            for (; n < 6; n++) us *= 10;
        }
        if (p < end) {
            if (*p == 'Z') {
                p++;
            } else if (*p == '+' || *p == '-') {
                unsigned oh, om;
                int sign = *p == '-' ? -1 : 1;
                if (end - p >= 6 && p[3] == ':') {
                    if (!num2(p + 1, &oh) || !num2(p + 4, &om)) return 0;
                    p += 6;
                } else if (end - p >= 5) {
                    if (!num2(p + 1, &oh) || !num2(p + 3, &om)) return 0;
                    p += 5;
                } else {
                    return 0;
                }
                if (oh > 23 || om > 59) return 0;
                offset_s = sign * (int64_t)(oh * 3600 + om * 60);
            } else {
                return 0;
            }
        }
        if (p != end) return 0;
    }
    int64_t t = days_from_civil(year, mo, da) * US_PER_DAY +
                ((int64_t)hh * 3600 + mi * 60 + ss - offset_s) * US_PER_SEC + us;
    if (!in_range(t)) return 0;
    *out = t;
    return 1;
}

int pinetl__ts_from_seconds(const char *s, size_t len, int64_t *out)
{
    dec d;
    int64_t t;
    if (!pinetl__num_parse_decimal(s, len, &d)) return 0;
    if (pinetl__num_decimal_to_int64(&d, 6, DEC_HALF_AWAY, &t) != DEC_OK || !in_range(t)) return 0;
    *out = t;
    return 1;
}

/* Floor division of microseconds into days and the time of day. */
static void split(int64_t us, int64_t *days, int64_t *rem)
{
    *days = us / US_PER_DAY;
    *rem = us % US_PER_DAY;
    if (*rem < 0) {
        *rem += US_PER_DAY;
        (*days)--;
    }
}

int pinetl__ts_format(int64_t us, char *buf)
{
    int64_t days, rem;
    int y;
    unsigned m, d;
    if (!in_range(us)) return -1;
    split(us, &days, &rem);
    civil_from_days(days, &y, &m, &d);
    unsigned secs = (unsigned)(rem / US_PER_SEC), frac = (unsigned)(rem % US_PER_SEC);
    unsigned hh = secs / 3600, mi = secs / 60 % 60, ss = secs % 60;
    char *p = buf;
    p[0] = (char)('0' + y / 1000);
    p[1] = (char)('0' + y / 100 % 10);
    p[2] = (char)('0' + y / 10 % 10);
    p[3] = (char)('0' + y % 10);
    p[4] = '-';
    p[5] = (char)('0' + m / 10);
    p[6] = (char)('0' + m % 10);
    p[7] = '-';
    p[8] = (char)('0' + d / 10);
    p[9] = (char)('0' + d % 10);
    p[10] = 'T';
    p[11] = (char)('0' + hh / 10);
    p[12] = (char)('0' + hh % 10);
    p[13] = ':';
    p[14] = (char)('0' + mi / 10);
    p[15] = (char)('0' + mi % 10);
    p[16] = ':';
    p[17] = (char)('0' + ss / 10);
    p[18] = (char)('0' + ss % 10);
    p += 19;
    if (frac) {
        *p++ = '.';
        for (unsigned div = 100000; div; div /= 10) *p++ = (char)('0' + frac / div % 10);
    }
    *p++ = 'Z';
    *p = 0;
    return (int)(p - buf);
}

int pinetl__ts_year(int64_t us)
{
    int64_t days, rem;
    int y;
    unsigned m, d;
    split(us, &days, &rem);
    civil_from_days(days, &y, &m, &d);
    return y;
}
