/* Splitting an input into top-level values (spec 1, "Splitting"), incrementally: the same state
 * machine serves pinetl_batch_clean (all bytes at once) and the streaming reader (blocks). It emits
 * items: runs of complete lines, top-level values, array elements and rejects, in input order. */
#ifndef PINETL_IO_SPLIT_H
#define PINETL_IO_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

enum {
    IO_ITEM_LINES = 1,  /* complete JSON lines: each non-blank line one top-level value */
    IO_ITEM_VALUE,      /* one top-level value (maybe an envelope) */
    IO_ITEM_ELEMENT,    /* one element of a streamed top-level array: a record */
    IO_ITEM_REJECT      /* input that never became a record (code, msg) */
};

typedef struct io_item {
    int kind;
    int code;              /* IO_ITEM_REJECT: a pinetl_reject_code */
    const char *p;         /* the bytes (for a reject: its raw bytes) */
    size_t len;
    int64_t line, offset;  /* position of p[0] in the source */
    const char *msg;       /* IO_ITEM_REJECT */
    const char *source;
    int format;            /* the input's pinetl_input_format */
} io_item;

/* Receives items; the bytes are only valid during the call. Returns 0 or a negative code. */
typedef int (*io_emit_fn)(void *ud, const io_item *item);

typedef struct io_split {
    int state;
    int format;
    size_t max_record;
    const char *source;
    int64_t line, offset;  /* position of the next unconsumed byte */
    int at_start;          /* a UTF-8 byte order mark may still be skipped */
    int64_t array_line, array_offset;   /* where the streamed top-level array opened */
    int rest_code;         /* pending "unsplittable rest" reject */
    char rest_msg[480];
    io_emit_fn emit;
    void *ud;
} io_split;

void pinetl__io_split_init(io_split *s, const char *source, int format, size_t max_record,
                   int64_t first_line, int64_t first_offset, io_emit_fn emit, void *ud);

/* Consumes a prefix of buf[0..len) (bytes not yet consumed from the input, len may be 0) and
 * returns its length, or a negative code from emit. *more is set when the rest cannot be split
 * before more bytes arrive; then the caller must offer the unconsumed rest again with more bytes
 * after it. With eof set everything is consumed. */
long pinetl__io_split_run(io_split *s, const char *buf, size_t len, int eof, int *more);

/* Runs one item against the context's batch (what a worker does with an item). */
int pinetl__io_item_run(io_ctx *c, const io_item *item);

#endif
