/* Spec 1, Positions: every row carries its source, the 1-based line where its record starts and
 * the byte offset of its first byte; CRLF and blank lines; records inside pretty-printed
 * envelopes; base64 Kinesis data at its Data string; options shift lines and offsets. */
#include "check.h"
#include "io_util.h"

static void test_crlf_and_blank_lines(void) {
    /* "{\"ind\": 1, ...}\r\n\r\n  \r\n{\"ind\": 2...}\r\n\t{\"ind\": 3...}  \r\n\r\n" */
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_GEO, "tests/data/io/crlf.jsonl", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    const int64_t *lines = pinetl_batch_lines(b), *offs = pinetl_batch_offsets(b);
    CHECK_INT(lines[0], 1);
    CHECK_INT(offs[0], 0);
    CHECK_INT(lines[1], 4);
    CHECK_INT(offs[1], 34);
    CHECK_INT(lines[2], 5);
    CHECK_INT(offs[2], 63); /* after the tab */
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[2]),
              "tests/data/io/crlf.jsonl");
    pinetl_batch_free(b);
}

static void test_pretty_printed_envelope(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_GEO, "tests/data/io/kafka_rest_pretty.json", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 7);
    const int64_t *lines = pinetl_batch_lines(b), *offs = pinetl_batch_offsets(b);
    static const int64_t want_lines[7] = {3, 4, 5, 6, 7, 9, 16};
    for (int i = 0; i < 7; i++)
        CHECK_INT(lines[i], want_lines[i]);
    /* Row 0 is the object after "value": on line 3. */
    size_t len;
    char *data = read_fixture("tests/data/io/kafka_rest_pretty.json", &len);
    CHECK(strncmp(data + offs[0], "{\"ind\": 1,", 10) == 0);
    CHECK(strncmp(data + offs[1], "{\"ind\": 2,", 10) == 0); /* inside the one-element list */
    CHECK(strncmp(data + offs[5], "{\n        \"ind\": 3", 18) == 0);
    CHECK(strncmp(data + offs[6], "{\"records\": \"not", 16) == 0);
    free(data);
    pinetl_batch_free(b);
}

static void test_kinesis_data_position(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_PIN, "tests/data/io/kinesis.jsonl", PINETL_INPUT_AUTO);
    size_t len;
    char *data = read_fixture("tests/data/io/kinesis.jsonl", &len);
    const int64_t *offs = pinetl_batch_offsets(b), *lines = pinetl_batch_lines(b);
    CHECK(strncmp(data + offs[0], "\"eyJpbmRleCI6IDF9\"", 18) == 0); /* base64 Data string */
    CHECK_INT(lines[0], 1);
    CHECK(strncmp(data + offs[6], "\"{\\\"index\\\": 3}\"", 16) == 0); /* JSON text Data string */
    CHECK_INT(lines[8], 2);
    CHECK(strncmp(data + offs[8], "\"eyJpbmRleCI6IDR9\"", 18) == 0);
    free(data);
    pinetl_batch_free(b);
}

static void test_first_line_and_offset_options(void) {
    pinetl_batch *b = NULL;
    pinetl_batch_new(&b, PINETL_TABLE_PIN);
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.first_line = 100;
    o.first_offset = 5000;
    o.source = "chunk-7";
    const char *text = "{\"index\": 1}\n\n{\"index\": 2}\n";
    CHECK_INT(pinetl_batch_clean(b, text, strlen(text), &o), 0);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(pinetl_batch_lines(b)[0], 100);
    CHECK_INT(pinetl_batch_offsets(b)[0], 5000);
    CHECK_INT(pinetl_batch_lines(b)[1], 102);
    CHECK_INT(pinetl_batch_offsets(b)[1], 5014);
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[1]), "chunk-7");
    pinetl_batch_clear(b);
    CHECK_INT(pinetl_batch_clean(b, text, strlen(text), NULL), 0);
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[0]), "<input>");
    CHECK_INT(pinetl_batch_lines(b)[0], 1);
    pinetl_batch_free(b);
}

/* The reader counts lines across its blocks: tiny blocks give the same positions. */
static void test_reader_positions_across_blocks(void) {
    const char *path = "tests/data/real-sample/user.jsonl";
    pinetl_batch *whole = clean_fixture(PINETL_TABLE_USER, path, PINETL_INPUT_AUTO);
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 333;
    o.threads = 2;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_USER, &path, 1, &o), 0);
    pinetl_batch *b;
    size_t row = 0, mismatches = 0;
    while (pinetl_reader_step(&b, r) == PINETL_BATCH) {
        for (size_t i = 0; i < pinetl_batch_rows(b); i++, row++) {
            if (row >= pinetl_batch_rows(whole)) {
                mismatches++;
                continue;
            }
            mismatches += pinetl_batch_lines(b)[i] != pinetl_batch_lines(whole)[row];
            mismatches += pinetl_batch_offsets(b)[i] != pinetl_batch_offsets(whole)[row];
            mismatches += pinetl_batch_lines(b)[i] != (int64_t)row + 1;
        }
    }
    CHECK_INT(row, 2262);
    CHECK_INT(mismatches, 0);
    pinetl_reader_free(r);
    pinetl_batch_free(whole);
}

int main(void) {
    RUN(test_crlf_and_blank_lines);
    RUN(test_pretty_printed_envelope);
    RUN(test_kinesis_data_position);
    RUN(test_first_line_and_offset_options);
    RUN(test_reader_positions_across_blocks);
    return check_done();
}
