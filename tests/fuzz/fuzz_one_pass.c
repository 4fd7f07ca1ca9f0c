/* Fuzz target: the one-pass render against the columnar batch on the same bytes.
 *
 * The bytes are a whole input (pinetl_batch_clean), with every input format and every table.
 * A columnar batch rendered as JSON lines and as CSV must give exactly the bytes of a one-pass
 * batch (core/direct.h) of each format, the same rejects render, the same rows, statuses and
 * positions, and the same stats (read, cleaned, rejected by reason, nulls and warnings per
 * column). With a column selection too: a one-pass batch counts only the selected columns. */
#include <stdlib.h>
#include <string.h>

#include "core/direct.h"
#include "fuzz.h"

static void same_bytes(const char *a, size_t na, const char *b, size_t nb) {
    FUZZ_ASSERT(na == nb && (na == 0 || !memcmp(a, b, na)));
}

static void compare(pinetl_batch *cols, pinetl_batch *one, pinetl_format format) {
    const char *a, *b;
    size_t na, nb;
    FUZZ_ASSERT(pinetl_batch_rows(cols) == pinetl_batch_rows(one));
    FUZZ_ASSERT(pinetl_batch_rejected(cols) == pinetl_batch_rejected(one));
    size_t rows = pinetl_batch_rows(cols);
    if (rows) {
        FUZZ_ASSERT(!memcmp(pinetl_batch_status(cols), pinetl_batch_status(one), rows));
        FUZZ_ASSERT(!memcmp(pinetl_batch_lines(cols), pinetl_batch_lines(one), rows * 8));
        FUZZ_ASSERT(!memcmp(pinetl_batch_offsets(cols), pinetl_batch_offsets(one), rows * 8));
    }
    FUZZ_ASSERT(pinetl_batch_render(&a, &na, cols, format, format == PINETL_FORMAT_CSV) ==
                PINETL_OK);
    FUZZ_ASSERT(pinetl_batch_render(&b, &nb, one, format, format == PINETL_FORMAT_CSV) ==
                PINETL_OK);
    same_bytes(a, na, b, nb);
    FUZZ_ASSERT(pinetl_batch_render_rejects(&a, &na, cols) == PINETL_OK);
    FUZZ_ASSERT(pinetl_batch_render_rejects(&b, &nb, one) == PINETL_OK);
    same_bytes(a, na, b, nb);
    pinetl_stats sa, sb;
    pinetl_stats_init(&sa, pinetl_batch_table(cols));
    pinetl_stats_init(&sb, pinetl_batch_table(one));
    pinetl_stats_add_batch(&sa, cols);
    pinetl_stats_add_batch(&sb, one);
    FUZZ_ASSERT(!memcmp(&sa, &sb, sizeof sa));
    /* A one-pass batch keeps no columns. */
    FUZZ_ASSERT(pinetl_batch_validity(one, 0) == NULL);
}

static pinetl_batch *batch(pinetl_table t, uint32_t select, pinetl_format direct) {
    pinetl_batch *b;
    FUZZ_ASSERT(pinetl_batch_new(&b, t) == PINETL_OK);
    FUZZ_ASSERT(pinetl_batch_select_columns(b, select) == PINETL_OK);
    if (direct) {
        FUZZ_ASSERT(pinetl__batch_use_direct(b, direct) == PINETL_OK);
        FUZZ_ASSERT(pinetl__batch_direct_header(b) == PINETL_OK);
    }
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pinetl_clean_options opt;
    pinetl_clean_options_init(&opt, PINETL_CLEAN_OPTIONS_VERSION);
    opt.source = "fuzz";
    const char *p = size ? (const char *)data : "";
    for (int f = PINETL_INPUT_AUTO; f <= PINETL_INPUT_S3_SINK; f++) {
        opt.input_format = f;
        for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
            /* All columns, then every other one (the key stays: it decides rejects). */
            uint32_t selects[2] = {0, 0x155};
            int ncols = pinetl_column_count((pinetl_table)t);
            selects[1] &= (1u << ncols) - 1;
            for (int k = 0; k < 2; k++) {
                pinetl_batch *cols = batch((pinetl_table)t, selects[k], 0);
                FUZZ_ASSERT(pinetl_batch_clean(cols, p, size, &opt) == PINETL_OK);
                for (int fmt = PINETL_FORMAT_JSONL; fmt <= PINETL_FORMAT_CSV; fmt++) {
                    pinetl_batch *one = batch((pinetl_table)t, selects[k], (pinetl_format)fmt);
                    FUZZ_ASSERT(pinetl_batch_clean(one, p, size, &opt) == PINETL_OK);
                    compare(cols, one, (pinetl_format)fmt);
                    /* Cleared and cleaned again: the same bytes (nothing carried over). */
                    pinetl_batch_clear(one);
                    FUZZ_ASSERT(pinetl__batch_direct_header(one) == PINETL_OK);
                    FUZZ_ASSERT(pinetl_batch_clean(one, p, size, &opt) == PINETL_OK);
                    compare(cols, one, (pinetl_format)fmt);
                    pinetl_batch_free(one);
                }
                pinetl_batch_free(cols);
            }
        }
    }
    return 0;
}
