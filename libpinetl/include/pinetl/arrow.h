/* Arrow: cleaned batches and their rejects through the Arrow C Data Interface.
 *
 * A batch's cleaned rows become one Arrow struct array (a record batch: one child per column, in
 * the spec's order) and its rejected rows another; the schemas are fixed per table (SPEC.md,
 * "Arrow export"). The export takes the batch over: the arrays point into its memory (zero-copy)
 * and the last release callback frees it, whichever array is released last and on whichever
 * thread. Column layouts:
 *   INT64      int64 "l"                      values and validity: the batch's own buffers
 *   TIMESTAMP  timestamp[us, UTC] "tsu:UTC"   the same
 *   TEXT       large_string "U"               the batch's text blob as is; offsets its own
 *              or, for a batch read with text views, string_view "vu": the views as they are,
 *              pointing into the batch's blob and the memory-mapped input it keeps alive
 *   COORDS     fixed_size_list<double>[2] "+w:2" (child "item", "g": latitude, longitude)
 * When the batch also holds rejected rows, the cleaned rows are not contiguous: then the
 * validity bitmaps, int64 values, coordinates, text offsets and views of the kept rows are gathered into
 * new buffers (owned by the export); text bytes are never copied (a rejected row has none).
 *
 * The structs below are the Arrow C Data Interface ABI, declared under their standard names and
 * guard, so that a program that includes Arrow's own header as well gets one definition. */
#ifndef PINETL_ARROW_H
#define PINETL_ARROW_H

#include "batch.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    /* Array type description */
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;

    /* Release callback */
    void (*release)(struct ArrowSchema *);
    /* Opaque producer-specific data */
    void *private_data;
};

struct ArrowArray {
    /* Array data description */
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;

    /* Release callback */
    void (*release)(struct ArrowArray *);
    /* Opaque producer-specific data */
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/* The schema of a table's cleaned rows: a struct ("+s") with one child per column, named as in
 * pinetl_column_name; the key column is not nullable, the others are. The caller releases it. */
PINETL_API int pinetl_arrow_schema(struct ArrowSchema *out, pinetl_table table);

/* The schema of batches read with text views (pinetl_reader_options.text_views): as above, with
 * string_view "vu" text columns, whose values point into the input without a copy. */
PINETL_API int pinetl_arrow_view_schema(struct ArrowSchema *out, pinetl_table table);

/* The schema of rejects (any table): a struct of table "U", source "U", line "l", offset "l",
 * reason "U" (pinetl_reject_name), message "U", raw "Z" (large_binary: the record as it arrived,
 * maybe not UTF-8); no column holds nulls. The caller releases it. */
PINETL_API int pinetl_arrow_rejects_schema(struct ArrowSchema *out);

/* Exports a batch: its cleaned rows into *rows and its rejected rows into *rejects (either may be
 * NULL when not wanted), each a struct array of the schemas above, and takes the batch over: on
 * success the caller must not use or free the batch any more (the arrays' release callbacks free
 * it); on failure (PINETL_ENOMEM, PINETL_EINVAL) nothing is exported and the batch is still the
 * caller's. The arrays stay valid, whatever happens to other batches, until released. */
PINETL_API int pinetl_arrow_export_batch(struct ArrowArray *rows, struct ArrowArray *rejects,
                                         pinetl_batch *batch);

/* pinetl_arrow_export_batch of the batch the reader's last pinetl_reader_step handed out: the
 * reader lets go of it (pinetl_reader_take_batch) and goes on with a new one, so the arrays live
 * on after later steps. One call per step. PINETL_EINVAL when no batch is handed out. */
PINETL_API int pinetl_arrow_export_reader(struct ArrowArray *rows, struct ArrowArray *rejects,
                                          pinetl_reader *reader);

#ifdef __cplusplus
}
#endif
#endif
