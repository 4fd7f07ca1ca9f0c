/* Spec 1, array: each element of a top-level array is a record, pretty-printed or on one line,
 * several arrays one after another; a non-object element is not_an_object; an empty array yields
 * no record, so it is one bad_envelope row. */
#include "check.h"
#include "io_util.h"

static void test_pretty_arrays(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_USER, "tests/data/io/array_pretty.json", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 5);
    CHECK_INT(pinetl_batch_rejected(b), 1);
    CHECK_INT(row_ind(b, 0), 1);
    CHECK_INT(row_ind(b, 1), 2);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_NOT_OBJECT);
    CHECK_INT(row_ind(b, 3), 3);
    CHECK_INT(row_ind(b, 4), 4);
    CHECK_INT(pinetl_batch_lines(b)[0], 2);
    CHECK_INT(pinetl_batch_lines(b)[4], 11);
    pinetl_batch_free(b);
}

static void test_one_line_arrays(void) {
    pinetl_batch *b =
        clean_text(PINETL_TABLE_USER, "[{\"ind\": 1}, {\"ind\": 2}]\n[]\n[{\"ind\": 3}]\n",
                   PINETL_INPUT_ARRAY);
    CHECK_INT(pinetl_batch_rows(b), 4);
    CHECK_INT(pinetl_batch_rejected(b), 1);
    CHECK_INT(pinetl_batch_offsets(b)[1], 13);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_ENVELOPE); /* [] yields no record */
    CHECK_INT(pinetl_batch_lines(b)[2], 2);
    CHECK_INT(pinetl_batch_lines(b)[3], 3);
    pinetl_batch_free(b);
    /* The same empty array streamed value by value, and empty envelopes. */
    b = clean_text(PINETL_TABLE_USER, "[\n]\n{\"records\": []}\n{\"Records\": [ ]}\n",
                   PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_rejected(b), 3);
    CHECK_INT(pinetl_batch_lines(b)[0], 1);
    CHECK(strstr(pinetl_batch_reject_message(b, 0), "empty top-level array") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 1), "'records' is empty") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 2), "'Records' is empty") != NULL);
    pinetl_batch_free(b);
}

static void test_generated_array_matches_plain_lines(void) {
    static const char *const tables[3] = {"pin", "geo", "user"};
    for (int t = 0; t < 3; t++) {
        char arr[128];
        size_t rows, rejected;
        snprintf(arr, sizeof arr, "tests/data/envelopes/%s.array.json", tables[t]);
        CHECK(envelope_matches_plain((pinetl_table)t, arr, PINETL_INPUT_AUTO, &rows, &rejected));
        CHECK_INT(rows, 2262);
    }
}

int main(void) {
    RUN(test_pretty_arrays);
    RUN(test_one_line_arrays);
    RUN(test_generated_array_matches_plain_lines);
    return check_done();
}
