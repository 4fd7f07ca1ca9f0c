/* Reader memory does not grow with the core count: threads = 64 (as on a 64-core machine, where
 * 2 x threads + 1 slots would hold ~400 MB) still gives exactly the rows and rejects of the
 * one-shot path, in input order, with small and default batches. The bound itself (slots capped
 * by a memory budget) is measured by the bench: tests do not time or weigh things. */
#include "check.h"
#include "io_util.h"

static void check_same(const char *path, pinetl_table table, size_t batch_bytes,
                       size_t min_batches) {
    pinetl_batch *b = clean_fixture(table, path, PINETL_INPUT_AUTO);
    run_out want = {0};
    sbuf_add(&want.rows, "", 0);
    sbuf_add(&want.rejects, "", 0);
    run_out_add_batch(&want, b);
    pinetl_batch_free(b);

    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.threads = 64;
    o.batch_bytes = batch_bytes;
    run_out got;
    CHECK_INT(read_all(table, &path, 1, &o, &got), PINETL_DONE);
    CHECK_INT(got.nrows, want.nrows);
    CHECK_INT(got.stats.read, (int64_t)want.nrows);
    CHECK_INT(got.stats.read, got.stats.cleaned + got.stats.rejected);
    CHECK(got.rows.len == want.rows.len && !memcmp(got.rows.p, want.rows.p, want.rows.len));
    CHECK(got.rejects.len == want.rejects.len &&
          !memcmp(got.rejects.p, want.rejects.p, want.rejects.len));
    CHECK(got.batches >= min_batches); /* pin: many more batches than slots in the ring */
    run_out_free(&got);
    run_out_free(&want);
}

static void test_sixty_four_threads(void) {
    check_same("tests/data/real-sample/pin.jsonl", PINETL_TABLE_PIN, 2000, 200);
    check_same("tests/data/real-sample/geo.jsonl", PINETL_TABLE_GEO, 0, 1);
    check_same("tests/data/io/malformed.jsonl", PINETL_TABLE_PIN, 16, 5);
    check_same("tests/data/io/unsplittable_array.json", PINETL_TABLE_PIN, 8, 2);
}

/* Rows come out in input order: the pin sample's keys in file order. */
static void test_order(void) {
    const char *path = "tests/data/real-sample/user.jsonl";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.threads = 64;
    o.batch_bytes = 1500;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_USER, &path, 1, &o), PINETL_OK);
    pinetl_batch *b;
    int64_t last_line = 0;
    size_t rows = 0, batches = 0;
    int rc, ordered = 1;
    while ((rc = pinetl_reader_step(&b, r)) == PINETL_BATCH) {
        const int64_t *lines = pinetl_batch_lines(b);
        for (size_t i = 0; i < pinetl_batch_rows(b); i++, rows++) {
            ordered &= lines[i] == last_line + 1;
            last_line = lines[i];
        }
        batches++;
    }
    CHECK_INT(rc, PINETL_DONE);
    CHECK(ordered);
    CHECK_INT(rows, 2262);
    CHECK(batches > 64);
    pinetl_reader_free(r);
}

int main(void) {
    RUN(test_sixty_four_threads);
    RUN(test_order);
    return check_done();
}
