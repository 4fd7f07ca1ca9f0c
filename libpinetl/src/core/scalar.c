/* The public one-value API (scalar.h): thin wrappers over the rules the batches apply. */
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "rules.h"
#include "util/alloc.h"

int pinetl_follower_count(const char *text, size_t len, int64_t *out)
{
    int64_t v;
    if (!text || pinetl__rule_is_blank(text, len)) return 0;
    if (len == 15 && memcmp(text, "User Info Error", 15) == 0) return 0;
    if (!pinetl__num_follower_text(text, len, &v)) return 0;
    *out = v;
    return 1;
}

int pinetl_timestamp_parse(const char *text, size_t len, int64_t *out_us)
{
    return text ? pinetl__ts_parse(text, len, out_us) : 0;
}

int pinetl_timestamp_from_seconds(const char *json_number, size_t len, int64_t *out_us)
{
    return json_number ? pinetl__ts_from_seconds(json_number, len, out_us) : 0;
}

int pinetl_timestamp_format(int64_t us, char *buf) { return pinetl__ts_format(us, buf); }

int pinetl_timestamp_year(int64_t us) { return pinetl__ts_year(us); }

/* Scans a JSON value's text and applies an integral rule; scratch only for escaped strings. */
static int with_value(const char *json_value_text, size_t len, int64_t *out, int age)
{
    json_value v;
    json_error err;
    int64_t n;
    int r;
    if (!json_value_text || pinetl__json_parse(json_value_text, json_value_text + len, &v, &err)) return 0;
    char *scratch = NULL;
    if (v.type == JSON_STRING && v.escaped && !(scratch = pinetl__malloc(v.len))) return 0;
    if (age) r = pinetl__rule_age(&v, scratch, &n) == RULE_VALUE;
    else r = pinetl__rule_integral(&v, scratch, &n) == DEC_OK;
    pinetl__free(scratch);
    if (r) *out = n;
    return r;
}

int pinetl_age(const char *text, size_t len, int64_t *out) { return with_value(text, len, out, 1); }

int pinetl_key(const char *text, size_t len, int64_t *out) { return with_value(text, len, out, 0); }

const char *pinetl_age_group(int64_t age)
{
    static const char *const names[4] = { "18-24", "25-35", "36-50", "+50" };
    int i = pinetl_age_group_index(age);
    return i < 0 ? NULL : names[i];
}

int pinetl_age_group_index(int64_t age)
{
    if (age >= 18 && age <= 24) return 0;
    if (age >= 25 && age <= 35) return 1;
    if (age >= 36 && age <= 50) return 2;
    if (age >= 51) return 3;
    return -1;
}

int pinetl_double_format(double value, char *buf) { return pinetl__num_format_double(value, buf); }

int pinetl_save_location(const char *text, size_t len, size_t *out_start, size_t *out_len)
{
    return text ? pinetl__rule_save_location(text, len, out_start, out_len) : 0;
}
