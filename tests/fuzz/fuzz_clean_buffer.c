/* Fuzz target: arbitrary bytes as a whole input (pinetl_batch_clean), with every input format
 * and every table.
 *
 * Whatever the bytes: the call succeeds, every row passes fuzz_check_batch, each row's position
 * is a real place in the input (line = 1 + newlines before its offset), positions never go
 * backwards, and splitting does not depend on the table: the three tables get the same rows at
 * the same positions. Blank input has no rows (an empty array has none either). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int all_blank(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Line number at each byte offset, to check positions against. */
    int64_t *line_at = malloc((size + 1) * sizeof *line_at);
    FUZZ_ASSERT(line_at != NULL);
    line_at[0] = 1;
    for (size_t i = 0; i < size; i++)
        line_at[i + 1] = line_at[i] + (data[i] == '\n');

    pinetl_clean_options opt;
    pinetl_clean_options_init(&opt, PINETL_CLEAN_OPTIONS_VERSION);
    opt.source = "fuzz";
    for (int f = PINETL_INPUT_AUTO; f <= PINETL_INPUT_S3_SINK; f++) {
        opt.input_format = f;
        size_t rows0 = 0;
        int64_t *pos0 = NULL;
        for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
            pinetl_batch *b;
            FUZZ_ASSERT(pinetl_batch_new(&b, (pinetl_table)t) == PINETL_OK);
            FUZZ_ASSERT(pinetl_batch_clean(b, (const char *)data, size, &opt) == PINETL_OK);
            size_t rows = pinetl_batch_rows(b);
            fuzz_check_batch(b);
            if (all_blank(data, size))
                FUZZ_ASSERT(rows == 0);
            const int64_t *lines = pinetl_batch_lines(b), *offs = pinetl_batch_offsets(b);
            for (size_t r = 0; r < rows; r++) {
                FUZZ_ASSERT(offs[r] >= 0 && (size_t)offs[r] <= size);
                FUZZ_ASSERT(lines[r] == line_at[offs[r]]);
                if (r)
                    FUZZ_ASSERT(offs[r] >= offs[r - 1]);
            }
            if (t == 0) {
                rows0 = rows;
                pos0 = malloc((rows + 1) * sizeof *pos0);
                FUZZ_ASSERT(pos0 != NULL);
                if (rows)
                    memcpy(pos0, offs, rows * sizeof *pos0);
            } else {
                FUZZ_ASSERT(rows == rows0 && (!rows || !memcmp(pos0, offs, rows * sizeof *pos0)));
            }
            pinetl_batch_free(b);
        }
        free(pos0);
    }
    free(line_at);
    return 0;
}
