/* Fuzz target: arbitrary bytes as one record of each table (pinetl_batch_clean_records).
 *
 * Whatever the bytes, each table's batch gets exactly one row, cleaned or rejected with a message
 * and the raw bytes kept, and every render of it reads back (fuzz_check_batch). Cleaning the same
 * bytes again after pinetl_batch_clear gives the same output (no state leaks between rows), and a
 * second record after the first is cleaned as if it were alone. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* The JSONL and rejects renders of a batch, concatenated into a malloc'd copy. */
static char *snapshot(pinetl_batch *b, size_t *len) {
    const char *rows, *rejects;
    size_t nrows, nrejects;
    FUZZ_ASSERT(pinetl_batch_render(&rows, &nrows, b, PINETL_FORMAT_JSONL, 0) == PINETL_OK);
    FUZZ_ASSERT(pinetl_batch_render_rejects(&rejects, &nrejects, b) == PINETL_OK);
    char *s = malloc(nrows + nrejects + 1);
    FUZZ_ASSERT(s != NULL);
    memcpy(s, rows, nrows);
    memcpy(s + nrows, rejects, nrejects);
    *len = nrows + nrejects;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A non-NULL blob even for empty input: an empty slice is a rejected row, not an error. */
    const char *blob = size ? (const char *)data : "";
    int64_t one[2] = {0, (int64_t)size};
    pinetl_clean_options opt;
    pinetl_clean_options_init(&opt, PINETL_CLEAN_OPTIONS_VERSION);
    opt.source = "fuzz";

    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        pinetl_batch *b;
        FUZZ_ASSERT(pinetl_batch_new(&b, (pinetl_table)t) == PINETL_OK);
        FUZZ_ASSERT(pinetl_batch_clean_records(b, blob, one, 1, &opt) == PINETL_OK);
        FUZZ_ASSERT(pinetl_batch_rows(b) == 1);
        size_t cleaned = fuzz_check_batch(b);
        FUZZ_ASSERT(cleaned + pinetl_batch_rejected(b) == 1);
        FUZZ_ASSERT(pinetl_batch_lines(b)[0] == 1 && pinetl_batch_offsets(b)[0] == 0);
        if (!cleaned) {
            const char *raw;
            size_t raw_len;
            FUZZ_ASSERT(pinetl_batch_reject_raw(&raw, &raw_len, b, 0) == PINETL_OK);
            FUZZ_ASSERT(raw_len == size && (size == 0 || !memcmp(raw, data, size)));
        }
        size_t len1, len2;
        char *first = snapshot(b, &len1);

        /* The same record again after clear: same bytes out. */
        pinetl_batch_clear(b);
        FUZZ_ASSERT(pinetl_batch_rows(b) == 0);
        FUZZ_ASSERT(pinetl_batch_clean_records(b, blob, one, 1, &opt) == PINETL_OK);
        char *second = snapshot(b, &len2);
        FUZZ_ASSERT(len1 == len2 && !memcmp(first, second, len1));
        free(second);

        /* After a row that used every column, the record still cleans the same: a fully
         * populated row must not leak into the next one. Positions differ, so compare the
         * rows' column renders only when both are cleaned. */
        static const char *const full[PINETL_TABLE_COUNT] = {
            "{\"index\":1,\"unique_id\":\"u\",\"title\":\"t\",\"description\":\"d\","
            "\"poster_name\":\"p\",\"follower_count\":\"1.5k\",\"tag_list\":\"a,b\","
            "\"is_image_or_video\":\"image\",\"image_src\":\"i\",\"save_location\":"
            "\"Local save in /x\",\"category\":\"c\"}",
            "{\"ind\":1,\"timestamp\":\"2020-01-01 00:00:00\",\"latitude\":1.5,"
            "\"longitude\":-2.25,\"country\":\"Chad\"}",
            "{\"ind\":1,\"first_name\":\"A\",\"last_name\":\"B\",\"age\":30,"
            "\"date_joined\":\"2016-02-29T10:00:00Z\"}",
        };
        pinetl_batch_clear(b);
        int64_t two[2] = {0, (int64_t)strlen(full[t])};
        FUZZ_ASSERT(pinetl_batch_clean_records(b, full[t], two, 1, &opt) == PINETL_OK);
        FUZZ_ASSERT(pinetl_batch_clean_records(b, blob, one, 1, &opt) == PINETL_OK);
        FUZZ_ASSERT(pinetl_batch_rows(b) == 2 && pinetl_batch_status(b)[0] == 0);
        FUZZ_ASSERT((pinetl_batch_status(b)[1] == 0) == (cleaned == 1));
        fuzz_check_batch(b);
        if (cleaned) {
            const char *out;
            size_t len;
            FUZZ_ASSERT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0) == PINETL_OK);
            const char *nl = memchr(out, '\n', len);
            FUZZ_ASSERT(nl != NULL);
            size_t rest = len - (size_t)(nl + 1 - out);
            FUZZ_ASSERT(rest == len1 && !memcmp(nl + 1, first, len1));
        }
        free(first);
        pinetl_batch_free(b);
    }
    return 0;
}
