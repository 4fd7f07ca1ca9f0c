/* The spec's per-value rules on scanned JSON values, shared by the batch cleaners and scalar.c. */
#ifndef PINETL_RULES_H
#define PINETL_RULES_H

#include "json.h"
#include "num.h"

/* Outcome of a rule: null without a warning, a value, or null with a warning. */
enum { RULE_NULL = 0, RULE_VALUE = 1, RULE_WARN = 2 };

/* Decoded text of a string value: the bytes in place when unescaped, else decoded into scratch
 * (at least v->len bytes). Returns the length, or -1 (cannot happen for scanned strings). */
long pinetl__rule_string_text(const json_value *v, char *scratch, const char **text);

/* Only ASCII whitespace (or empty)? */
int pinetl__rule_is_blank(const char *s, size_t len);

/* An integer, an integral number or a string of ASCII digits: DEC_OK, DEC_NOT_INTEGRAL (any other
 * value) or DEC_OVERFLOW (outside int64). */
int pinetl__rule_integral(const json_value *v, char *scratch, int64_t *out);

int pinetl__rule_age(const json_value *v, char *scratch, int64_t *out);
int pinetl__rule_follower_count(const json_value *v, char *scratch, int64_t *out);
/* A number or a string holding one (not range-checked here; not finite -> RULE_WARN). */
int pinetl__rule_double(const json_value *v, char *scratch, double *out);
int pinetl__rule_timestamp(const json_value *v, char *scratch, int64_t *out);

/* save_location: start and length left after one leading "Local save in "; 0 when nothing is. */
int pinetl__rule_save_location(const char *s, size_t len, size_t *start, size_t *out_len);

#endif
