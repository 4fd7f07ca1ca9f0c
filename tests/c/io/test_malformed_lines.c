/* Spec 1-2: in JSON lines every bad line is one reject with its reason and position, and the
 * lines after it still count: invalid UTF-8, broken JSON, non-objects, bad keys, two values on a
 * line; CRLF endings, blank lines and a last line without newline are fine. */
#include "check.h"
#include "io_util.h"

static void test_malformed_fixture(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_PIN, "tests/data/io/malformed.jsonl", PINETL_INPUT_AUTO);
    static const struct {
        int64_t line;
        int status;
        int64_t ind;
    } want[] = {
        {1, 0, 1},
        {3, PINETL_REJECT_UTF8, 0},
        {4, PINETL_REJECT_JSON, 0},
        {5, PINETL_REJECT_NOT_OBJECT, 0}, /* [1, {"index": 8}]: two records */
        {5, 0, 8},
        {6, PINETL_REJECT_NOT_OBJECT, 0},
        {7, PINETL_REJECT_KEY, 0},
        {8, PINETL_REJECT_KEY, 0},
        {9, 0, 4},
        {11, 0, 5},
        {12, PINETL_REJECT_JSON, 0},
        {13, 0, 7},
    };
    size_t n = sizeof want / sizeof want[0];
    CHECK_INT(pinetl_batch_rows(b), n);
    CHECK_INT(pinetl_batch_rejected(b), 7);
    for (size_t i = 0; i < n && i < pinetl_batch_rows(b); i++) {
        CHECK_INT(pinetl_batch_lines(b)[i], want[i].line);
        CHECK_INT(pinetl_batch_status(b)[i], want[i].status);
        if (!want[i].status)
            CHECK_INT(row_ind(b, i), want[i].ind);
        else
            CHECK(pinetl_batch_reject_message(b, i)[0] != '\0');
    }
    /* The raw bytes of a reject are the line without its newline. */
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), 0);
    CHECK_MEM(raw, len, "{\"index\": 3, \"title\": \"broken\"");
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 1), 0);
    CHECK_INT(len, 29);
    CHECK_INT((unsigned char)raw[26], 0xff);
    /* The CRLF line's title has no stray \r. */
    const char *t = pinetl_batch_text_data(b, PINETL_PIN_TITLE);
    const int64_t *o = pinetl_batch_text_offsets(b, PINETL_PIN_TITLE);
    CHECK_MEM(t + o[8], (size_t)(o[9] - o[8]), "crlf");
    pinetl_batch_free(b);
}

static void test_rejects_render_with_positions(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_PIN, "tests/data/io/malformed.jsonl", PINETL_INPUT_AUTO);
    const char *out;
    size_t len;
    CHECK_INT(pinetl_batch_render_rejects(&out, &len, b), 0);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out[i] == '\n';
    CHECK_INT(lines, 7);
    CHECK(strstr(out, "\"source\":\"tests/data/io/malformed.jsonl\"") != NULL);
    CHECK(strstr(out, "\"raw_base64\"") != NULL); /* the invalid UTF-8 line */
    pinetl_batch_free(b);
}

int main(void) {
    RUN(test_malformed_fixture);
    RUN(test_rejects_render_with_positions);
    return check_done();
}
