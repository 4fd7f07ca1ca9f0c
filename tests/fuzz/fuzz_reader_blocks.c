/* Fuzz target: the streaming reader against pinetl_batch_clean on the same bytes.
 *
 * The first byte picks the reader's block size (1..64 bytes, so records, escapes, envelopes
 * and CRLF pairs straddle block boundaries) and the table, the second the input format; the rest
 * is the input, held in a memfd. Reading it block by block must give exactly the rows, positions,
 * renders and rejects of cleaning it in one call, and every batch passes fuzz_check_batch. Read
 * once more with text views (the memfd mapped and split in place), every text must be the same
 * bytes, every view inside its buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/text_views.h"
#include "fuzz.h"

typedef struct text {
    char *p;
    size_t len;
} text;

static void append(text *t, const char *p, size_t n) {
    char *grown = realloc(t->p, t->len + n + 1);
    FUZZ_ASSERT(grown != NULL);
    t->p = grown;
    memcpy(t->p + t->len, p, n);
    t->len += n;
}

/* The text of row r of view column c, checked to lie inside its buffer. */
static const char *view_text(const pinetl_batch *b, int c, size_t r, int32_t *len) {
    const uint8_t *v = pinetl__batch_text_views(b, c) + 16 * r;
    memcpy(len, v, 4);
    FUZZ_ASSERT(*len >= 0);
    if (*len <= 12)
        return (const char *)v + 4;
    const char *data[64];
    int64_t sizes[64];
    size_t n = pinetl__batch_view_buffers(b, c, data, sizes, 64);
    int32_t buf, off;
    memcpy(&buf, v + 8, 4);
    memcpy(&off, v + 12, 4);
    FUZZ_ASSERT(buf >= 0 && (size_t)buf < n && n <= 64);
    FUZZ_ASSERT(off >= 0 && (int64_t)off + *len <= sizes[buf]);
    FUZZ_ASSERT(memcmp(data[buf] + off, v + 4, 4) == 0);
    return data[buf] + off;
}

/* The same input read with text views: the rows of `copied` (cleaned in one call), text for
 * text. */
static void check_views(const pinetl_batch *copied, pinetl_table table, int format, size_t block,
                        const char *path) {
    pinetl_reader_options ro;
    pinetl_reader_options_init(&ro, PINETL_READER_OPTIONS_VERSION);
    ro.input_format = format;
    ro.threads = 1;
    ro.batch_bytes = block;
    ro.text_views = 1;
    pinetl_reader *r;
    FUZZ_ASSERT(pinetl_reader_open(&r, table, &path, 1, &ro) == PINETL_OK);
    int ncols = pinetl_column_count(table);
    size_t g = 0;
    pinetl_batch *b;
    int rc;
    while ((rc = pinetl_reader_step(&b, r)) == PINETL_BATCH) {
        FUZZ_ASSERT(pinetl__batch_has_views(b));
        for (size_t i = 0; i < pinetl_batch_rows(b); i++, g++) {
            FUZZ_ASSERT(g < pinetl_batch_rows(copied));
            FUZZ_ASSERT(pinetl_batch_status(b)[i] == pinetl_batch_status(copied)[g]);
            for (int c = 0; c < ncols; c++) {
                const uint8_t *vv = pinetl_batch_validity(b, c),
                              *cv = pinetl_batch_validity(copied, c);
                int valid = (cv[g >> 3] >> (g & 7)) & 1;
                FUZZ_ASSERT(((vv[i >> 3] >> (i & 7)) & 1) == valid);
                if (!valid || pinetl_column_type(table, c) != PINETL_TYPE_TEXT)
                    continue;
                const int64_t *o = pinetl_batch_text_offsets(copied, c);
                int32_t len;
                const char *s = view_text(b, c, i, &len);
                FUZZ_ASSERT(len == o[g + 1] - o[g]);
                FUZZ_ASSERT(memcmp(s, pinetl_batch_text_data(copied, c) + o[g], (size_t)len) == 0);
            }
        }
    }
    FUZZ_ASSERT(rc == PINETL_DONE && g == pinetl_batch_rows(copied));
    pinetl_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    size_t block = 1 + data[0] % 64;
    pinetl_table table = (pinetl_table)(data[0] / 64 % PINETL_TABLE_COUNT);
    int format = data[1] % (PINETL_INPUT_KINESIS + 1); /* s3-sink needs a directory */
    data += 2;
    size -= 2;

    int fd = memfd_create("pinetl-fuzz", MFD_CLOEXEC);
    FUZZ_ASSERT(fd >= 0);
    FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *paths[1] = {path};

    pinetl_reader_options ro;
    pinetl_reader_options_init(&ro, PINETL_READER_OPTIONS_VERSION);
    ro.input_format = format;
    ro.threads = 1;
    ro.batch_bytes = block;
    pinetl_reader *r;
    FUZZ_ASSERT(pinetl_reader_open(&r, table, paths, 1, &ro) == PINETL_OK);
    text rows = {0}, rejects = {0};
    size_t nrows = 0;
    pinetl_batch *b;
    int rc;
    while ((rc = pinetl_reader_step(&b, r)) == PINETL_BATCH) {
        const char *out;
        size_t len;
        fuzz_check_batch(b);
        nrows += pinetl_batch_rows(b);
        FUZZ_ASSERT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0) == PINETL_OK);
        append(&rows, out, len);
        FUZZ_ASSERT(pinetl_batch_render_rejects(&out, &len, b) == PINETL_OK);
        append(&rejects, out, len);
    }
    FUZZ_ASSERT(rc == PINETL_DONE);
    pinetl_stats st;
    pinetl_reader_stats(&st, r);
    FUZZ_ASSERT(st.read == (int64_t)nrows && st.read == st.cleaned + st.rejected);
    pinetl_reader_free(r);

    pinetl_clean_options co;
    pinetl_clean_options_init(&co, PINETL_CLEAN_OPTIONS_VERSION);
    co.input_format = format;
    co.source = path;
    FUZZ_ASSERT(pinetl_batch_new(&b, table) == PINETL_OK);
    FUZZ_ASSERT(pinetl_batch_clean(b, (const char *)data, size, &co) == PINETL_OK);
    const char *out;
    size_t len;
    FUZZ_ASSERT(pinetl_batch_rows(b) == nrows);
    FUZZ_ASSERT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0) == PINETL_OK);
    FUZZ_ASSERT(len == rows.len && (len == 0 || !memcmp(out, rows.p, len)));
    FUZZ_ASSERT(pinetl_batch_render_rejects(&out, &len, b) == PINETL_OK);
    FUZZ_ASSERT(len == rejects.len && (len == 0 || !memcmp(out, rejects.p, len)));
    check_views(b, table, format, block, path);
    pinetl_batch_free(b);
    free(rows.p);
    free(rejects.p);
    close(fd);
    return 0;
}
