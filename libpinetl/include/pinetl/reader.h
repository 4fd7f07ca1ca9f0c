/* Readers: files, directories and stdin cleaned in batches, in constant memory, in input order.
 *
 * prepare/step style: open a reader on inputs, step until PINETL_DONE; each step hands out the next
 * batch, valid until the next step or free. Worker threads parse and clean (and, when asked, render)
 * batches ahead of the consumer; batches still come out in input order.
 *
 * Memory: batches in flight live in a ring of slots of about 3 x batch_bytes each (input, cleaned
 * columns, rendered text). The ring has at most 16 slots and at most 48 MiB / (3 x batch_bytes)
 * of them (but never fewer than 3), and there are at most slots - 1 workers whatever `threads`
 * asks: with the default 1 MiB batches about 48 MiB in flight on any machine, not one slot per
 * core. Larger batch_bytes buy fewer slots (fewer workers busy), not more memory. A single record
 * larger than batch_bytes makes its batch that large. */
#ifndef PINETL_READER_H
#define PINETL_READER_H

#include "batch.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinetl_reader pinetl_reader;

/* Versioned options (see pinetl.h): init with the version the caller was written for. */
enum { PINETL_READER_OPTIONS_VERSION = 2 };

typedef struct pinetl_reader_options {
    unsigned version;                 /* set by pinetl_reader_options_init */
    pinetl_input_format input_format; /* AUTO detects per input */
    int threads;                      /* worker threads; 0 = one per core */
    size_t batch_bytes;               /* input bytes per batch; 0 = default (1 MiB) */
    /* NONE, or a format: workers render cleaned rows ahead, in one pass (records go from the
     * input's bytes to the render without columns): such batches hold rows, statuses,
     * positions, rejects, the render and the stats, and their column accessors return NULL
     * (SPEC 2, Output). A regular file is then mapped, as with text_views below. */
    pinetl_format render_format;
    int render_header;       /* with render_format CSV: the first batch starts with the header */
    size_t max_record_bytes; /* larger records are rejected (too_large); 0 = default (8 MiB) */
    uint32_t columns;        /* columns to clean (pinetl_batch_select_columns); 0 = all */
    uint32_t
        dict_columns; /* text columns the workers dictionary-encode (pinetl_reader_text_codes) */
    /* Version 2. 1: batches hold their texts as views for Arrow export (arrow.h, string_view
     * columns): regular files are mapped into memory and split in place, and a text that needs
     * no decoding is not copied; the batches keep the mapping alive. Not with render_format or
     * dict_columns; the pinetl_batch_text_* accessors return NULL for such batches. A mapped
     * file is read up to the size it had when the reader came to it (what is appended later is
     * not read) and must not be truncated while it or a batch from it is in use (SIGBUS, as
     * with any mapping); files that cannot be mapped (pipes, standard input) are read and
     * copied. */
    int text_views;
} pinetl_reader_options;

PINETL_API int pinetl_reader_options_init(pinetl_reader_options *options, unsigned version);

/* Opens inputs: file paths, "-" for standard input, or directories in the Kafka Connect S3 sink
 * layout (topics/<prefix>.<table>/partition=<n>/<prefix>.<table>+<n>+<offset>.json; objects of
 * other tables are skipped). Fails with PINETL_EIO / PINETL_ENOTFOUND naming the input when one
 * cannot be opened. options may be NULL. */
PINETL_API int pinetl_reader_open(pinetl_reader **out, pinetl_table table, const char *const *paths,
                                  size_t npaths, const pinetl_reader_options *options);

/* PINETL_BATCH: *batch is the next batch (owned by the reader); PINETL_DONE: no more input;
 * negative: an I/O error (pinetl_error_last names the input). */
PINETL_API int pinetl_reader_step(pinetl_batch **batch, pinetl_reader *reader);

/* Takes over the batch the last step handed out: *batch is then the caller's (free it with
 * pinetl_batch_free; it stays valid after later steps) and the reader goes on with a new batch
 * (pinetl_reader_text_codes no longer applies to it). PINETL_EINVAL when no batch is handed out
 * or it was taken already; PINETL_ENOMEM. */
PINETL_API int pinetl_reader_take_batch(pinetl_batch **batch, pinetl_reader *reader);

/* Totals of all batches handed out so far. */
PINETL_API void pinetl_reader_stats(pinetl_stats *out, const pinetl_reader *reader);

/* Non-fatal notes gathered while reading (skipped files, ...), one per line; "" when none. */
PINETL_API const char *pinetl_reader_notices(const pinetl_reader *reader);

PINETL_API void pinetl_reader_free(pinetl_reader *reader);

/* Dictionary-encoded text columns, for consumers that make one object per text (a Python str):
 * the workers encode the columns of options.dict_columns (bit c = text column c) while they clean,
 * so the consumer turns codes into objects instead of hashing every text itself.
 *
 * Each worker keeps one dictionary per column for the reader's life (dictionary `dict`, codes 0,
 * 1, ... in order of first sight); a batch's codes belong to the dictionary of the worker that
 * cleaned it, and the batch carries the texts that got their codes in it, so a consumer that keeps
 * the texts of every batch it was handed knows every code it meets. A dictionary gives up on a
 * column of mostly distinct texts (more than half new after 4096 rows, or 32 MiB of text): from
 * the next batch of that worker on, codes is NULL and the batch's text accessors hold the texts. */
typedef struct pinetl_text_codes {
    int dict;                    /* which dictionary: 0 .. workers - 1 */
    const int32_t *codes;        /* per row of the batch: its text's code, -1 = null; or NULL */
    size_t first_new, new_count; /* codes first_new .. first_new + new_count - 1 are new here */
    const char *new_data;        /* their texts back to back, each followed by a NUL byte */
    const int64_t *new_offsets;  /* new_count + 1: text i at new_data[new_offsets[i] ..
                                  * new_offsets[i + 1] - 1) */
} pinetl_text_codes;

/* The codes of text column `column` in the batch the last step handed out; valid until the next
 * step or free. PINETL_EINVAL when no batch is handed out or the column is not in dict_columns. */
PINETL_API int pinetl_reader_text_codes(pinetl_text_codes *out, const pinetl_reader *reader,
                                        int column);

#ifdef __cplusplus
}
#endif
#endif
