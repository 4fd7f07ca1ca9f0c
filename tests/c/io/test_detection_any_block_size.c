/* Spec 1, Splitting / Decided (input layer): line or value mode is decided by the input, not by how
 * much of it the first block holds. The reader at every block size 1..64 (and larger) gives
 * exactly the rows and rejects of pinetl_batch_clean on the same bytes, for first values that are
 * bad or cut on line 1, 2 or 3, valid over several lines, or a one-line array past 1 MiB. */
#include <unistd.h>

#include "check.h"
#include "io_util.h"

static char path[64];

static const char *write_tmp(const char *p, size_t n) {
    snprintf(path, sizeof path, "/tmp/pinetl-detect-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        exit(99);
    if (write(fd, p, n) != (ssize_t)n)
        exit(99);
    close(fd);
    return path;
}

static void oneshot(pinetl_table t, const char *p, size_t n, const char *source, run_out *o) {
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, t))
        exit(99);
    pinetl_clean_options co;
    pinetl_clean_options_init(&co, PINETL_CLEAN_OPTIONS_VERSION);
    co.source = source;
    if (pinetl_batch_clean(b, p, n, &co))
        exit(99);
    memset(o, 0, sizeof *o);
    sbuf_add(&o->rows, "", 0);
    sbuf_add(&o->rejects, "", 0);
    run_out_add_batch(o, b);
    pinetl_batch_free(b);
}

/* Every block size agrees with the one-shot path; returns the one-shot rows and rejects. */
static void check_agree(const char *name, const char *p, size_t n, size_t min_block,
                        size_t max_block, run_out *want) {
    const char *f = write_tmp(p, n);
    oneshot(PINETL_TABLE_PIN, p, n, f, want);
    for (size_t block = min_block; block <= max_block;
         block = block < 64 ? block + 1 : block * 16) {
        pinetl_reader_options o;
        pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
        o.batch_bytes = block;
        o.threads = 1;
        run_out got;
        CHECK_INT(read_all(PINETL_TABLE_PIN, &f, 1, &o, &got), PINETL_DONE);
        int same = got.nrows == want->nrows && got.rows.len == want->rows.len &&
                   !memcmp(got.rows.p, want->rows.p, got.rows.len) &&
                   got.rejects.len == want->rejects.len &&
                   !memcmp(got.rejects.p, want->rejects.p, got.rejects.len);
        if (!same)
            fprintf(stderr, "  %s: block %zu differs\n  reader: %.300s\n  one-shot: %.300s\n", name,
                    block, got.rejects.p, want->rejects.p);
        CHECK(same);
        CHECK_INT(got.stats.read, got.stats.cleaned + got.stats.rejected);
        run_out_free(&got);
    }
    unlink(f);
}

#define AGREE(name, text, rows, rejected)                       \
    do {                                                        \
        run_out w_;                                             \
        check_agree(name, text, sizeof text - 1, 1, 4096, &w_); \
        CHECK_INT(w_.nrows, rows);                              \
        CHECK_INT(w_.nrejected, rejected);                      \
        run_out_free(&w_);                                      \
    } while (0)

static void test_first_value_faults(void) {
    /* Fuzz reproducers: a bad object whose fault is on line 3 and whose second line is a JSON
     * text (so: lines, each one a reject); an array then a number line. */
    AGREE("fault on line 3", "{\n  \"record  {lue\"\n  ]\n}\n", 4, 4);
    AGREE("array then number", "[\n-9223372036854775808", 2, 2);
    /* A fault on line 1: JSON lines, each bad line one reject, the good ones kept. */
    AGREE("fault on line 1", "{\"index\": 1, \"x\": tru}\n{\"index\": 2}\n{\"index\": 3}\n", 3, 1);
    /* Faults after the first newline: the second line decides. */
    AGREE("line 2 is JSON", "{\"index\": 1,\n{\"index\": 2}\n{\"index\": 3}\n", 3, 1);
    AGREE("line 2 is not JSON", "{\"index\": 1,\n \"title\": x}\n{\"index\": 3}\n", 1, 1);
    /* A valid first value over several lines: value mode. */
    AGREE("pretty", "{\n \"index\": 1\n}\n{\"index\":\n 2}\n", 2, 0);
    /* Escapes and literals cut by a block edge must not pass for faults. */
    AGREE("surrogate pair",
          "{\"index\": 1, \"title\": \"\\ud83d\\ude00\", \"a\": true}\n{\"index\": 2}\n", 2, 0);
    AGREE("surrogate pair over lines",
          "{\"index\": 1,\n \"title\": \"\\ud83d\\ude00\",\n \"a\": false}\n"
          "{\"index\": 2}\n",
          2, 0);
    AGREE("CRLF", "{\"index\": 1}\r\n{\"index\": 2, \"title\": \"\\u00e9\"}\r\n", 2, 0);
}

/* A one-line array past 1 MiB is streamed as an array by both paths: elements before a bad one are
 * rows, the rest one reject (and not the whole line one reject in one path only). */
static void test_long_one_line_array(void) {
    sbuf t = {0};
    sbuf_add(&t, "[", 1);
    size_t n = 0;
    char rec[64];
    while (t.len < ((size_t)1 << 20) + 1000) {
        int k = snprintf(rec, sizeof rec, "{\"index\": %zu, \"title\": \"abcdefghij\"},", ++n);
        sbuf_add(&t, rec, (size_t)k);
    }
    sbuf_add(&t, "{\"index\": x}]\n", strlen("{\"index\": x}]\n"));
    run_out want;
    check_agree("long array", t.p, t.len, 64, (size_t)1 << 22, &want);
    CHECK_INT(want.nrows, n + 1);
    CHECK_INT(want.nrejected, 1);
    run_out_free(&want);
    sbuf_free(&t);
}

int main(void) {
    RUN(test_first_value_faults);
    RUN(test_long_one_line_array);
    return check_done();
}
