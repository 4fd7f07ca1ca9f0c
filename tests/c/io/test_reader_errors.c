/* Readers fail before reading anything when an input cannot be opened, naming it; bad options
 * are EINVAL; standard input cannot be an S3 sink. */
#include "check.h"
#include "io_util.h"

static void test_missing_input(void) {
    const char *paths[] = {"tests/data/real-sample/pin.jsonl", "tests/data/io/no-such-file.jsonl"};
    pinetl_reader *r = (pinetl_reader *)1;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, paths, 2, NULL), PINETL_ENOTFOUND);
    CHECK(r == NULL);
    CHECK(strstr(pinetl_error_last(), "no-such-file.jsonl") != NULL);
}

static void test_bad_options(void) {
    const char *path = "tests/data/io/crlf.jsonl";
    pinetl_reader *r = NULL;
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.input_format = 99;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o), PINETL_EINVAL);
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.render_format = 7;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o), PINETL_EINVAL);
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.threads = -1;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_open(&r, (pinetl_table)9, &path, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 0, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_open(NULL, PINETL_TABLE_GEO, &path, 1, NULL), PINETL_EINVAL);
    const char *dash = "-";
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.input_format = PINETL_INPUT_S3_SINK;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &dash, 1, &o), PINETL_EFORMAT);
    CHECK_INT(pinetl_reader_step(NULL, NULL), PINETL_EINVAL);
    pinetl_reader_free(NULL);
    CHECK_STR(pinetl_reader_notices(NULL), "");
}

static void test_done_stays_done(void) {
    const char *path = "tests/data/io/crlf.jsonl";
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, NULL), 0);
    pinetl_batch *b;
    int rc;
    size_t rows = 0;
    while ((rc = pinetl_reader_step(&b, r)) == PINETL_BATCH)
        rows += pinetl_batch_rows(b);
    CHECK_INT(rc, PINETL_DONE);
    CHECK_INT(rows, 3);
    CHECK_INT(pinetl_reader_step(&b, r), PINETL_DONE);
    CHECK(b == NULL);
    CHECK_STR(pinetl_reader_notices(r), "");
    pinetl_reader_free(r);
}

int main(void) {
    RUN(test_missing_input);
    RUN(test_bad_options);
    RUN(test_done_stays_done);
    return check_done();
}
