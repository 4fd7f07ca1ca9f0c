/* A strict, zero-copy JSON scanner (RFC 8259) for flat records and their envelopes.
 *
 * Values are slices of the caller's buffer: nothing is allocated and nothing is copied until a
 * string is decoded into a caller's buffer. Why not cJSON here: it parses every number to a double
 * (int64 keys above 2^53 would change, and a number's own text is lost), allocates per node, and
 * its error pointer is process-global. UTF-8 is validated by the scanner itself. */
#ifndef PINETL_JSON_H
#define PINETL_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum json_type {
    JSON_NULL = 1,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} json_type;

typedef struct json_value {
    json_type type;
    const char *start; /* first byte of the value (the opening quote for strings) */
    size_t len;        /* bytes up to and including the last byte of the value */
    int escaped;       /* strings: contains at least one backslash escape */
} json_value;

typedef struct json_error {
    size_t offset;    /* byte offset of the problem from the start of the scanned text */
    const char *what; /* static text, e.g. "expected ',' or '}'" */
    int utf8;         /* 1 when the problem is invalid UTF-8 rather than JSON syntax */
} json_error;

/* Scans exactly one JSON text in [p, end): optional whitespace, one value, optional whitespace,
 * nothing else. 0 on success, -1 with *err filled. Strings are checked for valid UTF-8. */
int pinetl__json_parse(const char *p, const char *end, json_value *out, json_error *err);

/* Scans one value starting at *pp (leading whitespace skipped) and advances *pp just past it;
 * trailing bytes are left alone. base is what err->offset is measured from. */
int pinetl__json_scan_value(const char **pp, const char *end, const char *base, json_value *out,
                            json_error *err);

/* Members of an object / elements of an array that pinetl__json_parse or pinetl__json_scan_value already checked:
 * iteration cannot fail. */
typedef struct json_iter {
    const char *p, *end;
} json_iter;
void pinetl__json_iter_object(json_iter *it, const json_value *object);
int pinetl__json_iter_member(json_iter *it, json_value *key,
                             json_value *value); /* 1, or 0 at the end */
void pinetl__json_iter_array(json_iter *it, const json_value *array);
int pinetl__json_iter_element(json_iter *it, json_value *value); /* 1, or 0 at the end */

/* Looks up a member by key (compares the decoded key; the last duplicate wins). 1 if found. */
int pinetl__json_object_get(const json_value *object, const char *key, json_value *value);

/* Does the string's decoded text equal key (len bytes)? */
int pinetl__json_string_equals(const json_value *string, const char *key, size_t len);

/* Decodes a checked string value into dst (which has room for string->len bytes) and returns the
 * decoded length, or -1 when it holds a lone UTF-16 surrogate escape (not representable as UTF-8). */
long pinetl__json_string_decode(const json_value *string, char *dst);

/* Validates UTF-8 (no overlongs, no surrogates, max U+10FFFF). 1 if valid; else 0 with *bad set. */
int pinetl__json_utf8_valid(const char *p, size_t len, size_t *bad);

/* One member of an object, as pinetl__json_parse_members hands it out. */
typedef struct json_member {
    json_value key, value;
} json_member;

/* pinetl__json_parse that also records the first max members of a top-level object in one pass (the hot
 * path of flat records): *count is the number of members (may exceed max; then iterate). */
int pinetl__json_parse_members(const char *p, const char *end, json_value *out,
                               json_member *members, size_t max, size_t *count, json_error *err);

/* pinetl__json_parse_members for a text whose UTF-8 the caller has checked (utf8_checked: 1,
 * e.g. a whole run of lines by pinetl__utf8_valid_block): strings are then scanned for quotes,
 * backslashes and control bytes only. With 0 it is pinetl__json_parse_members. */
int pinetl__json_parse_members_utf8(const char *p, const char *end, json_value *out,
                                    json_member *members, size_t max, size_t *count,
                                    json_error *err, int utf8_checked);

/* The hot path of JSON lines: a flat object [p, end) lying in a chunk that
 * pinetl__utf8_valid_index checked and indexed (base: the chunk's first byte; quotes and odd:
 * its index), walked from the index without reading the bytes of its strings. 1 with *out,
 * members and *count exactly as pinetl__json_parse_members_utf8 gives them; 0 when the line has
 * a backslash, a control byte, a nested value, or is not valid JSON: the caller then runs the
 * full scanner, which words any error. */
int pinetl__json_members_indexed(const char *p, const char *end, const char *base,
                                 const uint64_t *quotes, const uint64_t *odd, json_value *out,
                                 json_member *members, size_t max, size_t *count);

/* Is c ASCII whitespace as the spec means it (space, \t, \n, \v, \f, \r)? */
static inline int pinetl__json_is_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

#endif
