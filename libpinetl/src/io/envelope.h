/* Envelopes: one top-level JSON value (a line, or a value of a pretty-printed input) unwrapped
 * into records, which go to the batch as slices of the caller's bytes (zero-copy). */
#ifndef PINETL_IO_ENVELOPE_H
#define PINETL_IO_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include <pinetl/batch.h>

#include "core/json.h"

/* Default limit on one record (spec: 64 MiB). */
#define IO_MAX_RECORD_DEFAULT ((size_t)8 << 20)
/* Rejects of oversized or unsplittable input keep at most this many raw bytes. */
#define IO_RAW_KEEP ((size_t)1 << 20)

/* Top-level members kept from the one scan that classifies an object (a flat record has 12). */
enum { IO_MEMBERS_MAX = 32 };

/* What unwrapping needs; one per thread (the scratch buffer is reused for every record). */
typedef struct io_ctx {
    pinetl_batch *batch;
    int format; /* a pinetl_input_format */
    size_t max_record;
    char *scratch; /* decoded Kinesis Data; pinetl__batch_add_record copies what it keeps */
    size_t scratch_cap;
    /* Positions of records inside one top-level value, counted forward from its start. */
    const char *vbase, *cur;
    int64_t vbase_line, vbase_offset, cur_line;
    json_member members[IO_MEMBERS_MAX];
    int utf8_checked; /* 1: the value being unwrapped lies in bytes checked to be UTF-8 */
    uint32_t *nl;     /* the newlines of the run of lines being cleaned (offsets), nl_n of them */
    size_t nl_cap, nl_n;
    /* The string index of that run (core/simd.h), when its UTF-8 is valid: index_base is its
     * first byte, else NULL (the full scanner reads every line). */
    uint64_t *quotes, *odd;
    size_t bits_cap;
    const char *index_base;
} io_ctx;

void pinetl__io_ctx_init(io_ctx *c, pinetl_batch *batch, int format, size_t max_record);
void pinetl__io_ctx_release(io_ctx *c);

/* Unwraps one top-level value p[0..len) that starts at line/offset into rows. Invalid JSON is
 * handed on as a record, so the core's scanner words the reject. Fails only on memory. */
int pinetl__io_unwrap(io_ctx *c, const char *p, size_t len, int64_t line, int64_t offset);

/* JSON lines: every non-blank line of p[0..len) is one top-level value; p starts at line/offset. */
int pinetl__io_clean_lines(io_ctx *c, const char *p, size_t len, int64_t line, int64_t offset);

/* Number of '\n' in p[0..len). */
int64_t pinetl__io_count_lines(const char *p, size_t len);

#endif
