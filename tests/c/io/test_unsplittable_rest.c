/* Spec 1, Splitting: when a value-by-value input stops being valid JSON, everything from the bad
 * value to the end is one reject (with the fault's line and byte), since no later record boundary
 * can be trusted; rows before it are kept. JSON lines never do this: a bad line is one reject. */
#include "check.h"
#include "io_util.h"

static void test_array_with_a_bad_element(void) {
    const char *path = "tests/data/io/unsplittable_array.json";
    pinetl_batch *b = clean_fixture(PINETL_TABLE_PIN, path, PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(row_ind(b, 0), 1);
    CHECK_INT(row_ind(b, 1), 2);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_JSON);
    CHECK_INT(pinetl_batch_lines(b)[2], 4);
    const char *msg = pinetl_batch_reject_message(b, 2);
    CHECK(strstr(msg, "invalid JSON at line 4, byte 48") != NULL);
    CHECK(strstr(msg, "rest of the input") != NULL);
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), 0);
    CHECK(len > 10 && strncmp(raw, "{\"index\": 3,,", 13) == 0);
    CHECK(raw[len - 2] == ']' && raw[len - 1] == '\n'); /* to the very end */
    pinetl_batch_free(b);
}

static void test_pretty_bodies(void) {
    pinetl_batch *b = clean_fixture(PINETL_TABLE_PIN, "tests/data/io/unsplittable_bodies.json",
                                    PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(row_ind(b, 0), 1);
    CHECK_INT(pinetl_batch_status(b)[1], PINETL_REJECT_JSON);
    CHECK_INT(pinetl_batch_lines(b)[1], 4);
    pinetl_batch_free(b);
}

static void test_invalid_utf8_and_truncation(void) {
    pinetl_batch *b = clean_text(
        PINETL_TABLE_PIN, "[\n {\"index\": 1},\n {\"index\": \"\xC0\xAF\"},\n {\"index\": 2}\n]",
        PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(pinetl_batch_status(b)[1], PINETL_REJECT_UTF8);
    pinetl_batch_free(b);
    /* An array cut short: the elements before the cut are rows, the cut is one reject. */
    b = clean_text(PINETL_TABLE_PIN, "[\n {\"index\": 1},\n {\"index\": 2},\n", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_JSON);
    CHECK(strstr(pinetl_batch_reject_message(b, 2), "ends inside a top-level array") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 2), "closing ']' is missing") != NULL);
    /* The reject stands for the bytes after the last ',': here one newline, at line 3. */
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), 0);
    CHECK_MEM(raw, len, "\n");
    CHECK_INT(pinetl_batch_lines(b)[2], 3);
    CHECK_INT(pinetl_batch_offsets(b)[2], 31);
    pinetl_batch_free(b);
    /* Cut right after an element: no bytes left, the message still names the missing ']'. */
    b = clean_text(PINETL_TABLE_PIN, "[\n {\"index\": 1},\n {\"index\": 2}", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_JSON);
    CHECK(strstr(pinetl_batch_reject_message(b, 2), "expected ',' or ']'") != NULL);
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), 0);
    CHECK_INT(len, 0);
    pinetl_batch_free(b);
    b = clean_text(PINETL_TABLE_PIN, "[\n {\"index\": 1},\n {\"index\": 2", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(pinetl_batch_status(b)[1], PINETL_REJECT_JSON);
    pinetl_batch_free(b);
}

/* The same through the reader with tiny blocks: the rest is found the same way. */
static void test_streamed(void) {
    const char *path = "tests/data/io/unsplittable_array.json";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 8;
    run_out out;
    CHECK_INT(read_all(PINETL_TABLE_PIN, &path, 1, &o, &out), PINETL_DONE);
    CHECK_INT(out.nrows, 3);
    CHECK_INT(out.nrejected, 1);
    CHECK(strstr(out.rejects.p, "\"line\":4") != NULL);
    run_out_free(&out);
}

int main(void) {
    RUN(test_array_with_a_bad_element);
    RUN(test_pretty_bodies);
    RUN(test_invalid_utf8_and_truncation);
    RUN(test_streamed);
    return check_done();
}
