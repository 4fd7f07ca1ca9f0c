/* The spec's per-value rules (section 2) on scanned JSON values. */
#include "rules.h"

#include <math.h>
#include <string.h>

long pinetl__rule_string_text(const json_value *v, char *scratch, const char **text)
{
    if (!v->escaped) {
        *text = v->start + 1;
        return (long)v->len - 2;
    }
    *text = scratch;
    return pinetl__json_string_decode(v, scratch);
}

int pinetl__rule_is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!pinetl__json_is_space((unsigned char)s[i])) return 0;
    return 1;
}

int pinetl__rule_integral(const json_value *v, char *scratch, int64_t *out)
{
    if (v->type == JSON_NUMBER) {
        dec d;
        if (!pinetl__num_parse_decimal(v->start, v->len, &d)) return DEC_NOT_INTEGRAL;
        return pinetl__num_decimal_to_int64(&d, 0, DEC_EXACT, out);
    }
    if (v->type == JSON_STRING) {
        const char *t;
        long n = pinetl__rule_string_text(v, scratch, &t);
        if (n <= 0) return DEC_NOT_INTEGRAL;
        return pinetl__num_digits_to_int64(t, (size_t)n, out);
    }
    return DEC_NOT_INTEGRAL;
}

int pinetl__rule_age(const json_value *v, char *scratch, int64_t *out)
{
    int64_t a;
    if (v->type == JSON_NULL) return RULE_NULL;
    if (v->type == JSON_STRING) {
        const char *t;
        long n = pinetl__rule_string_text(v, scratch, &t);
        if (n < 0) return RULE_WARN;
        if (pinetl__rule_is_blank(t, (size_t)n)) return RULE_NULL;
    }
    if (pinetl__rule_integral(v, scratch, &a) != DEC_OK || a < 0 || a > 150) return RULE_WARN;
    *out = a;
    return RULE_VALUE;
}

int pinetl__rule_follower_count(const json_value *v, char *scratch, int64_t *out)
{
    switch (v->type) {
    case JSON_NULL:
        return RULE_NULL;
    case JSON_NUMBER: {
        /* Only a plain integer is taken as is; fractions and exponents are not follower counts. */
        dec d;
        int64_t n;
        if (!pinetl__num_parse_decimal(v->start, v->len, &d) || d.fl || d.exp) return RULE_WARN;
        if (pinetl__num_decimal_to_int64(&d, 0, DEC_EXACT, &n) != DEC_OK || n < 0) return RULE_WARN;
        *out = n;
        return RULE_VALUE;
    }
    case JSON_STRING: {
        const char *t;
        long n = pinetl__rule_string_text(v, scratch, &t);
        if (n < 0) return RULE_WARN;
        if (pinetl__rule_is_blank(t, (size_t)n)) return RULE_NULL;
        if (n == 15 && memcmp(t, "User Info Error", 15) == 0) return RULE_NULL;
        return pinetl__num_follower_text(t, (size_t)n, out) ? RULE_VALUE : RULE_WARN;
    }
    default:
        return RULE_WARN;
    }
}

int pinetl__rule_double(const json_value *v, char *scratch, double *out)
{
    const char *t = v->start;
    long n = (long)v->len;
    if (v->type == JSON_NULL) return RULE_NULL;
    if (v->type == JSON_STRING) {
        n = pinetl__rule_string_text(v, scratch, &t);
        if (n < 0) return RULE_WARN;
        while (n > 0 && pinetl__json_is_space((unsigned char)*t)) { t++; n--; }
        while (n > 0 && pinetl__json_is_space((unsigned char)t[n - 1])) n--;
        if (n == 0) return RULE_NULL;
    } else if (v->type != JSON_NUMBER) {
        return RULE_WARN;
    }
    if (pinetl__num_parse_double(t, (size_t)n, out) || !isfinite(*out)) return RULE_WARN;
    return RULE_VALUE;
}

int pinetl__rule_timestamp(const json_value *v, char *scratch, int64_t *out)
{
    switch (v->type) {
    case JSON_NULL:
        return RULE_NULL;
    case JSON_NUMBER:
        return pinetl__ts_from_seconds(v->start, v->len, out) ? RULE_VALUE : RULE_WARN;
    case JSON_STRING: {
        const char *t;
        long n = pinetl__rule_string_text(v, scratch, &t);
        if (n < 0) return RULE_WARN;
        if (pinetl__rule_is_blank(t, (size_t)n)) return RULE_NULL;
        return pinetl__ts_parse(t, (size_t)n, out) ? RULE_VALUE : RULE_WARN;
    }
    default:
        return RULE_WARN;
    }
}

int pinetl__rule_save_location(const char *s, size_t len, size_t *start, size_t *out_len)
{
    static const char prefix[] = "Local save in ";
    size_t skip = 0;
    if (len >= sizeof prefix - 1 && memcmp(s, prefix, sizeof prefix - 1) == 0) skip = sizeof prefix - 1;
    if (pinetl__rule_is_blank(s + skip, len - skip)) return 0;
    *start = skip;
    *out_len = len - skip;
    return 1;
}
