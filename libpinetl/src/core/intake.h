/* How the input layer (src/io) and the core (src/core) meet: the io layer splits inputs into
 * records and positions; the core parses, cleans and stores one record per row. */
#ifndef PINETL_CORE_INTAKE_H
#define PINETL_CORE_INTAKE_H

#include <pinetl/batch.h>

/* Positions of the next rows: the source name (interned per batch; the last one is reused when
 * the name is the same). */
int pinetl__batch_set_source(pinetl_batch *b, const char *source);

/* Parses and cleans one record (the bytes of one JSON text, without envelope) into a new row,
 * cleaned or rejected. Fails only on memory. */
int pinetl__batch_add_record(pinetl_batch *b, const char *rec, size_t len, int64_t line,
                             int64_t offset);

/* pinetl__batch_add_record for bytes whose UTF-8 the caller has checked when utf8_checked is 1
 * (a run of lines checked as a whole, core/simd.h); 0 is pinetl__batch_add_record. */
int pinetl__batch_add_checked(pinetl_batch *b, const char *rec, size_t len, int64_t line,
                              int64_t offset, int utf8_checked);

struct json_value;
struct json_member;

/* pinetl__batch_add_record for a record the caller already scanned with pinetl__json_parse_members (the io layer
 * scans each top-level value once to tell envelopes from records): root is the value, members its
 * count top-level members, or NULL when they were not all kept (then root is iterated). */
int pinetl__batch_add_parsed(pinetl_batch *b, const char *rec, size_t len,
                             const struct json_value *root, const struct json_member *members,
                             size_t count, int64_t line, int64_t offset);

/* Appends a rejected row for input that never became a record (bad envelope, unsplittable rest
 * of a stream, too large). message is copied; raw (len bytes) is copied. */
int pinetl__batch_add_reject(pinetl_batch *b, int code, const char *message, const char *raw,
                             size_t raw_len, int64_t line, int64_t offset);

#endif
