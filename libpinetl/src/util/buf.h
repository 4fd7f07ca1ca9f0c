/* The one growable byte buffer of the library, with the JSON and CSV escaping every output uses.
 *
 * Two ways to use it. Checked: every call returns 0 or -1 (memory). Sticky: ignore the results
 * and test b->failed once at the end (set by any failed call and never cleared, except by
 * pinetl__buf_free). After appends, the text is NUL-terminated (reserve keeps cap > len). */
#ifndef PINETL_UTIL_BUF_H
#define PINETL_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pinetl__buf {
    char *p;
    size_t len, cap;
    int failed;
} pinetl__buf;

/* Room for n more bytes plus a NUL. */
int pinetl__buf_reserve(pinetl__buf *b, size_t n);
int pinetl__buf_append(pinetl__buf *b, const void *p, size_t n);
int pinetl__buf_puts(pinetl__buf *b, const char *s);
int pinetl__buf_vprintf(pinetl__buf *b, const char *fmt, va_list ap);
int pinetl__buf_printf(pinetl__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the bytes over (NUL-terminated; "" when empty) and empties b; NULL on failure. */
char *pinetl__buf_detach(pinetl__buf *b, size_t *len);
void pinetl__buf_free(pinetl__buf *b);

/* JSON: only '"', '\\' and control characters are escaped (\n \t \r \b \f, else \u00XX); other
 * bytes are copied, so UTF-8 stays as it is. */
enum { PINETL__JSON_ESCAPE_MAX = 6 }; /* output bytes per input byte, at most */
/* Writes the inside of a JSON string for s[0..n) at dst (room for 6 * n bytes); returns the end. */
char *pinetl__json_escape(char *dst, const char *s, size_t n);
/* Appends s as a quoted JSON string. */
int pinetl__buf_json_string(pinetl__buf *b, const char *s, size_t n);

/* Base64 (RFC 4648, standard alphabet, '=' padded): appends the n bytes at s as a quoted JSON
 * string ((n + 2) / 3 * 4 + 2 bytes). */
int pinetl__buf_base64(pinetl__buf *b, const void *s, size_t n);

/* CSV (RFC 4180): a field holding ',', '"', CR or LF is quoted, with quotes doubled. */
enum { PINETL__CSV_ESCAPE_MAX = 2 }; /* output bytes per input byte (plus 2 quotes), at most */
/* Writes the field at dst (room for 2 * n + 2 bytes); returns the end. */
char *pinetl__csv_escape(char *dst, const char *s, size_t n);
int pinetl__buf_csv_field(pinetl__buf *b, const char *s, size_t n);

#endif
