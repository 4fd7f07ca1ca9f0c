/* The per-value cleaning rules, one value at a time: for SQL functions, Python helpers and tests.
 * The batch API applies exactly these rules; these calls exist so that other layers never
 * re-implement them. Each returns 1 when the result is a value, 0 when it is null. */
#ifndef PINETL_SCALAR_H
#define PINETL_SCALAR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* follower_count from its text form ("437", "26k", "1.5M", " 2b "): spec 2/pin. Sentinel and
 * anything unparsable, negative or overflowing -> 0 (null). */
PINETL_API int pinetl_follower_count(int64_t *out, const char *text, size_t len);

/* A timestamp text ("2020-08-28 03:52:47", "...T...Z", "+01:00" offsets, fractions, date only):
 * microseconds since the epoch, UTC. Anything not accepted -> 0 (null). */
PINETL_API int pinetl_timestamp_parse(int64_t *out_us, const char *text, size_t len);
/* A JSON number of seconds since the epoch, given as its JSON text ("1598586767.25"),
 * rounded to the microsecond; outside years 0001..9999 or not a JSON number -> 0 (null). */
PINETL_API int pinetl_timestamp_from_seconds(int64_t *out_us, const char *json_number, size_t len);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS.ffffffZ" (fraction only when non-zero)
 * plus a NUL into buf (at least PINETL_TIMESTAMP_BUFSIZE bytes); returns the length, or -1 when
 * the value is outside years 0001..9999. */
PINETL_API int pinetl_timestamp_format(char *buf, int64_t us);
enum { PINETL_TIMESTAMP_BUFSIZE = 32 };

/* The year (UTC) of a timestamp in microseconds. */
PINETL_API int pinetl_timestamp_year(int64_t us);

/* age from a JSON value's text: an integer, an integral number or a digit string (with quotes,
 * as it stands in JSON), 0..150. */
PINETL_API int pinetl_age(int64_t *out, const char *json_value, size_t len);

/* The age group of an age: "18-24", "25-35", "36-50", "+50", or NULL (younger). */
PINETL_API const char *pinetl_age_group(int64_t age);
/* Index of the age group (0..3 in the order above), or -1. */
PINETL_API int pinetl_age_group_index(int64_t age);
/* The age groups, youngest first. */
enum { PINETL_AGE_GROUP_COUNT = 4 };
/* The name of the age group of that index ("18-24" for 0, ...); NULL when out of range. */
PINETL_API const char *pinetl_age_group_name(int index);

/* A key (index / ind) from a JSON value's text: an integer, an integral number or a string of
 * digits, within int64. */
PINETL_API int pinetl_key(int64_t *out, const char *json_value, size_t len);

/* Shortest text that reads back as exactly this double (Python repr style: "1.0", "-89.9787",
 * "1e-07"), plus a NUL, into buf (at least PINETL_DOUBLE_BUFSIZE bytes); returns the length.
 * Not finite -> writes "null". */
PINETL_API int pinetl_double_format(char *buf, double value);
enum { PINETL_DOUBLE_BUFSIZE = 32 };

/* save_location with one leading "Local save in " removed; writes the start and length of the
 * remaining text; 0 when nothing is left. */
PINETL_API int pinetl_save_location(size_t *out_start, size_t *out_len, const char *text,
                                    size_t len);

#ifdef __cplusplus
}
#endif
#endif
