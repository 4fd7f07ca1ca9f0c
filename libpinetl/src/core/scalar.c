/* The public one-value API (scalar.h): thin wrappers over the rules the batches apply. */
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "age_groups.h"
#include "rules.h"
#include "util/alloc.h"

int pinetl_follower_count(int64_t *out, const char *text, size_t len) {
    int64_t v;
    if (!text || pinetl__rule_is_blank(text, len))
        return 0;
    if (len == 15 && memcmp(text, "User Info Error", 15) == 0)
        return 0;
    if (!pinetl__num_follower_text(text, len, &v))
        return 0;
    *out = v;
    return 1;
}

int pinetl_timestamp_parse(int64_t *out_us, const char *text, size_t len) {
    return text ? pinetl__ts_parse(text, len, out_us) : 0;
}

int pinetl_timestamp_from_seconds(int64_t *out_us, const char *json_number, size_t len) {
    return json_number ? pinetl__ts_from_seconds(json_number, len, out_us) : 0;
}

int pinetl_timestamp_format(char *buf, int64_t us) { return pinetl__ts_format(us, buf); }

int pinetl_timestamp_year(int64_t us) { return pinetl__ts_year(us); }

/* Scans a JSON value's text and applies an integral rule; scratch only for escaped strings. */
static int with_value(const char *json_value_text, size_t len, int64_t *out, int age) {
    json_value v;
    json_error err;
    int64_t n;
    int r;
    if (!json_value_text || pinetl__json_parse(json_value_text, json_value_text + len, &v, &err))
        return 0;
    char *scratch = NULL;
    if (v.type == JSON_STRING && v.escaped && !(scratch = pinetl__malloc(v.len)))
        return 0;
    if (age)
        r = pinetl__rule_age(&v, scratch, &n) == RULE_VALUE;
    else
        r = pinetl__rule_integral(&v, scratch, &n) == DEC_OK;
    pinetl__free(scratch);
    if (r)
        *out = n;
    return r;
}

int pinetl_age(int64_t *out, const char *text, size_t len) { return with_value(text, len, out, 1); }

int pinetl_key(int64_t *out, const char *text, size_t len) { return with_value(text, len, out, 0); }

const pinetl__age_group pinetl__age_groups[PINETL_AGE_GROUP_COUNT] = {
    {18, 24, "18-24"},
    {25, 35, "25-35"},
    {36, 50, "36-50"},
    {51, INT64_MAX, "+50"},
};

const char *pinetl_age_group(int64_t age) {
    int i = pinetl_age_group_index(age);
    return i < 0 ? NULL : pinetl__age_groups[i].name;
}

const char *pinetl_age_group_name(int index) {
    return index >= 0 && index < PINETL_AGE_GROUP_COUNT ? pinetl__age_groups[index].name : NULL;
}

int pinetl_age_group_index(int64_t age) {
    for (int i = 0; i < PINETL_AGE_GROUP_COUNT; i++)
        if (age >= pinetl__age_groups[i].first && age <= pinetl__age_groups[i].last)
            return i;
    return -1;
}

int pinetl_double_format(char *buf, double value) { return pinetl__num_format_double(value, buf); }

int pinetl_save_location(size_t *out_start, size_t *out_len, const char *text, size_t len) {
    return text ? pinetl__rule_save_location(text, len, out_start, out_len) : 0;
}
