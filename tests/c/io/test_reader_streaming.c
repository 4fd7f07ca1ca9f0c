/* The reader streams: with tiny blocks (records straddle block boundaries, pretty-printed values
 * need the buffer to grow) and 1, 2 or 4 threads, every fixture gives exactly the rows and
 * rejects of cleaning the whole file at once, in input order. */
#include "check.h"
#include "fixtures.h"
#include "io_util.h"

static void oneshot(const struct fixture *f, sbuf *rows, sbuf *rejects) {
    pinetl_batch *b = clean_fixture(f->table, f->path, PINETL_INPUT_AUTO);
    const char *t;
    size_t n;
    sbuf_add(rows, "", 0);
    sbuf_add(rejects, "", 0);
    pinetl_batch_render(&t, &n, b, PINETL_FORMAT_JSONL, 0);
    sbuf_add(rows, t, n);
    pinetl_batch_render_rejects(&t, &n, b);
    sbuf_add(rejects, t, n);
    pinetl_batch_free(b);
}

static void test_same_as_one_shot(void) {
    static const size_t blocks[] = {1, 7, 64, 1000, 65536};
    static const int threads[] = {1, 2, 4};
    for (size_t i = 0; i < NFIXTURES; i++) {
        const struct fixture *f = &fixtures[i];
        sbuf rows = {0}, rejects = {0};
        oneshot(f, &rows, &rejects);
        for (size_t bi = 0; bi < sizeof blocks / sizeof blocks[0]; bi++) {
            /* Tiny blocks over the big fixtures only at one thread count: enough and quick. */
            if (blocks[bi] < 64 && f->records > 100)
                continue;
            for (size_t ti = 0; ti < sizeof threads / sizeof threads[0]; ti++) {
                pinetl_reader_options o;
                pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
                o.batch_bytes = blocks[bi];
                o.threads = threads[ti];
                run_out out;
                CHECK_INT(read_all(f->table, &f->path, 1, &o, &out), PINETL_DONE);
                int same_rows = out.rows.len == rows.len && !memcmp(out.rows.p, rows.p, rows.len);
                int same_rejects = out.rejects.len == rejects.len &&
                                   !memcmp(out.rejects.p, rejects.p, rejects.len);
                if (!same_rows || !same_rejects)
                    fprintf(stderr, "  %s, batch_bytes %zu, %d threads: %s differ\n", f->path,
                            blocks[bi], threads[ti], same_rows ? "rejects" : "rows");
                CHECK(same_rows);
                CHECK(same_rejects);
                if (blocks[bi] <= 1000 && f->records > 100)
                    CHECK(out.batches > 10);
                run_out_free(&out);
            }
        }
        sbuf_free(&rows);
        sbuf_free(&rejects);
    }
}

/* Rendering ahead in the workers gives the consumer the same text it would render itself, the
 * CSV header only in the first batch. */
static void test_render_ahead(void) {
    const char *path = "tests/data/real-sample/geo.jsonl";
    pinetl_batch *whole = clean_fixture(PINETL_TABLE_GEO, path, PINETL_INPUT_AUTO);
    const char *t;
    size_t n;
    pinetl_batch_render(&t, &n, whole, PINETL_FORMAT_CSV, 1);
    sbuf want = {0};
    sbuf_add(&want, t, n);
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 5000;
    o.threads = 3;
    o.render_format = PINETL_FORMAT_CSV;
    o.render_header = 1;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o), 0);
    sbuf got = {0};
    sbuf_add(&got, "", 0);
    pinetl_batch *b;
    size_t k = 0;
    while (pinetl_reader_step(&b, r) == PINETL_BATCH) {
        CHECK_INT(pinetl_batch_render(&t, &n, b, PINETL_FORMAT_CSV, k++ == 0), 0);
        sbuf_add(&got, t, n);
    }
    CHECK(got.len == want.len && !memcmp(got.p, want.p, want.len));
    pinetl_reader_free(r);
    pinetl_batch_free(whole);
    sbuf_free(&want);
    sbuf_free(&got);
}

/* Freeing a reader before the end stops its threads (no hang, no leak under ASan). */
static void test_free_early(void) {
    const char *path = "tests/data/envelopes/pin.kafka-rest.jsonl";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 1000;
    o.threads = 2;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &path, 1, &o), 0);
    pinetl_batch *b;
    CHECK_INT(pinetl_reader_step(&b, r), PINETL_BATCH);
    pinetl_reader_free(r);
    r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &path, 1, &o), 0);
    pinetl_reader_free(r); /* before any step */
}

int main(void) {
    RUN(test_same_as_one_shot);
    RUN(test_render_ahead);
    RUN(test_free_early);
    return check_done();
}
