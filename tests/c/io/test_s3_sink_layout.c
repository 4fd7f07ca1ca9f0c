/* Spec 1, s3-sink: a directory in the Kafka Connect S3 sink layout; the table's objects ordered by
 * topic, partition and offset numerically (partition 2 before 10, offset 5 before 40); other
 * tables skipped silently; files outside the layout skipped with a notice. */
#include "check.h"
#include "io_util.h"

static void test_order_and_notices(void) {
    const char *dir = "tests/data/io/s3-layout";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.threads = 1;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &dir, 1, &o), 0);
    if (!r)
        return;
    const char *notes = pinetl_reader_notices(r);
    CHECK(strstr(notes, "abc.pin+3+7.json") != NULL); /* partition in the name does not match */
    CHECK(strstr(notes, "notes.txt") != NULL);
    CHECK(strstr(notes, "abc.geo") == NULL); /* another table: silent */
    pinetl_batch *b;
    int64_t inds[8];
    size_t n = 0;
    const char *first_source = NULL;
    while (pinetl_reader_step(&b, r) == PINETL_BATCH) {
        for (size_t i = 0; i < pinetl_batch_rows(b) && n < 8; i++) {
            CHECK_INT(pinetl_batch_status(b)[i], 0);
            if (n == 0)
                first_source = pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[i]);
            if (n == 0)
                CHECK(first_source && strstr(first_source, "partition=2/abc.pin+2+5.json"));
            inds[n++] = row_ind(b, i);
        }
    }
    CHECK_INT(n, 4);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(inds[i], (int64_t)i + 1);
    pinetl_reader_free(r);
}

static void test_other_table(void) {
    const char *dir = "tests/data/io/s3-layout/";
    run_out out;
    CHECK_INT(read_all(PINETL_TABLE_GEO, &dir, 1, NULL, &out), PINETL_DONE);
    CHECK_INT(out.nrows, 1);
    run_out_free(&out);
    /* No objects of the table at all: an error naming what was skipped (before: a notice and no
     * rows). */
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_USER, &dir, 1, NULL), PINETL_EFORMAT);
    CHECK(r == NULL);
    CHECK(strstr(pinetl_error_last(), "no S3 sink objects of table 'user'") != NULL);
    CHECK(strstr(pinetl_error_last(), "skipped 2 topics or objects of other tables") != NULL);
}

static void test_generated_tree_matches_plain_lines(void) {
    static const char *const tables[3] = {"pin", "geo", "user"};
    for (int t = 0; t < 3; t++) {
        char plain[128];
        snprintf(plain, sizeof plain, "tests/data/real-sample/%s.jsonl", tables[t]);
        const char *p = plain, *dir = "tests/data/envelopes/s3-sink";
        pinetl_reader_options o;
        pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
        o.input_format = PINETL_INPUT_S3_SINK;
        run_out a, b;
        CHECK_INT(read_all((pinetl_table)t, &p, 1, NULL, &a), PINETL_DONE);
        CHECK_INT(read_all((pinetl_table)t, &dir, 1, &o, &b), PINETL_DONE);
        CHECK_INT(b.nrows, 2262);
        CHECK(a.rows.len == b.rows.len && memcmp(a.rows.p, b.rows.p, a.rows.len) == 0);
        run_out_free(&a);
        run_out_free(&b);
    }
}

static void test_s3_sink_wants_a_directory(void) {
    const char *file = "tests/data/io/crlf.jsonl";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.input_format = PINETL_INPUT_S3_SINK;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &file, 1, &o), PINETL_EFORMAT);
    CHECK(r == NULL);
    CHECK(strstr(pinetl_error_last(), "crlf.jsonl") != NULL);
}

int main(void) {
    RUN(test_order_and_notices);
    RUN(test_other_table);
    RUN(test_generated_tree_matches_plain_lines);
    RUN(test_s3_sink_wants_a_directory);
    return check_done();
}
