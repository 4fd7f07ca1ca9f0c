/* Base64 (RFC 4648, standard alphabet) for Kinesis Data strings. */
#ifndef PINETL_IO_BASE64_H
#define PINETL_IO_BASE64_H

#include <stddef.h>

/* Decodes src into dst (room for len bytes; dst may equal src: decoding works in place).
 * ASCII whitespace is skipped (wrapped base64); '=' padding is optional but only at the end.
 * Returns 0 and sets *out_len, or -1 with *bad = index of the first offending character
 * (len when the text stops in the middle of a group). */
int pinetl__io_base64_decode(const char *src, size_t len, char *dst, size_t *out_len, size_t *bad);

/* The one rule for a Kinesis Data string (SPEC, Envelopes), shared by the readers and pinetl
 * serve. buf holds the string's n bytes, JSON escapes already decoded. When its first non-space
 * character is '{' it is the record's JSON text itself (kept: *out_len = n, *json_text = 1);
 * otherwise it is base64 of the record, decoded in place (*json_text = 0). Returns 0, or -1 with
 * *bad as pinetl__io_base64_decode sets it. */
int pinetl__io_kinesis_data(char *buf, size_t n, size_t *out_len, int *json_text, size_t *bad);

#endif
