/* Exact number rules of the spec: decimal texts to integers, doubles both ways, timestamps. */
#ifndef PINETL_NUM_H
#define PINETL_NUM_H

#include <stddef.h>
#include <stdint.h>

/* A decimal number as written: digits ip[0..il) then fp[0..fl), times 10^(exp - fl). */
typedef struct dec {
    int neg;
    const char *ip, *fp;
    size_t il, fl;
    int64_t exp; /* saturated at +-10^15 */
} dec;

/* Parses exactly the JSON number grammar over all of s[0..len). 1 when it matches. */
int pinetl__num_parse_decimal(const char *s, size_t len, dec *d);

typedef enum dec_round { DEC_EXACT, DEC_TRUNC, DEC_HALF_AWAY } dec_round;
enum { DEC_OK = 0, DEC_NOT_INTEGRAL = 1, DEC_OVERFLOW = 2 };

/* value * 10^scale as int64: DEC_EXACT fails with DEC_NOT_INTEGRAL when a fraction remains;
 * DEC_TRUNC drops it; DEC_HALF_AWAY rounds halves away from zero. */
int pinetl__num_decimal_to_int64(const dec *d, int scale, dec_round mode, int64_t *out);

/* A non-empty string of ASCII digits as int64: DEC_OK, DEC_NOT_INTEGRAL (not digits only) or
 * DEC_OVERFLOW. */
int pinetl__num_digits_to_int64(const char *s, size_t len, int64_t *out);

/* A JSON number text to the nearest double (correct rounding, locale-independent). 0 on success,
 * -1 when len is not a JSON number or memory ran out. */
int pinetl__num_parse_double(const char *s, size_t len, double *out);

/* Python-repr shortest round-trip text of a finite double; returns the length (NUL added). */
int pinetl__num_format_double(double v, char *buf);

/* follower_count's text grammar (already trimmed of nothing: this trims). 1 value, 0 null. */
int pinetl__num_follower_text(const char *s, size_t len, int64_t *out);

/* Timestamps (microseconds since the epoch, UTC, years 0001..9999). */
int pinetl__ts_parse(const char *s, size_t len, int64_t *out);
int pinetl__ts_from_seconds(const char *s, size_t len, int64_t *out);
int pinetl__ts_format(int64_t us, char *buf);
int pinetl__ts_year(int64_t us);

/* Writes the decimal form of v; returns the length (no NUL). buf needs 20 bytes. */
size_t pinetl__num_format_int64(int64_t v, char *buf);

#endif
