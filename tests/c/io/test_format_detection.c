/* Spec 1, Envelopes: with auto every top-level value is classified by its shape; a forced format
 * rejects values of another shape as bad_envelope; format names round-trip. */
#include "check.h"
#include "io_util.h"

static const char *const mixed =
    "{\"index\": 1}\n"
    "[{\"index\": 2}, {\"index\": 3}]\n"
    "{\"records\": [{\"value\": {\"index\": 4}}, {\"value\": [{\"index\": 5}]}]}\n"
    "{\"topic\": \"t.pin\", \"partition\": 0, \"value\": {\"index\": 6}}\n"
    "{\"StreamName\": \"s\", \"Records\": [{\"Data\": \"eyJpbmRleCI6IDd9\", \"PartitionKey\": \"p\"}]}\n"
    "{\"StreamName\": \"s\", \"Data\": {\"index\": 8}}\n"
    "{\"PartitionKey\": \"p\", \"Data\": \"eyJpbmRleCI6IDl9\"}\n";

static void test_auto_classifies_each_value(void) {
    pinetl_batch *b = clean_text(PINETL_TABLE_PIN, mixed, PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 9);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    for (size_t i = 0; i < pinetl_batch_rows(b) && i < 9; i++)
        CHECK_INT(row_ind(b, i), (int64_t)i + 1);
    pinetl_batch_free(b);
}

/* A record with "Data" but neither StreamName nor PartitionKey is a record under auto. */
static void test_auto_leaves_lookalikes_alone(void) {
    pinetl_batch *b = clean_text(
        PINETL_TABLE_PIN, "{\"index\": 1, \"Data\": \"x\"}\n{\"index\": 2, \"topic\": \"t\"}\n",
        PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    pinetl_batch_free(b);
}

/* Per forced format: how many of the 7 top-level values of `mixed` it accepts (rows) and how many
 * rows are bad_envelope. */
static void check_forced(int format, size_t cleaned, size_t envelope_rejects) {
    pinetl_batch *b = clean_text(PINETL_TABLE_PIN, mixed, format);
    size_t env = 0;
    const uint8_t *st = pinetl_batch_status(b);
    for (size_t i = 0; i < pinetl_batch_rows(b); i++)
        env += st[i] == PINETL_REJECT_ENVELOPE;
    CHECK_INT(pinetl_batch_rows(b) - pinetl_batch_rejected(b), cleaned);
    CHECK_INT(env, envelope_rejects);
    CHECK_INT(pinetl_batch_rejected(b), envelope_rejects);
    size_t r = find_row(b, PINETL_REJECT_ENVELOPE, 0);
    if (r != (size_t)-1) {
        const char *msg = pinetl_batch_reject_message(b, r);
        CHECK(msg && strstr(msg, "--input-format") &&
              strstr(msg, pinetl_input_format_name(format)));
    }
    pinetl_batch_free(b);
}

static void test_forced_formats(void) {
    /* jsonl: every object is a record (envelopes too: they lack 'index' -> bad_key), arrays are not */
    pinetl_batch *b = clean_text(PINETL_TABLE_PIN, mixed, PINETL_INPUT_JSONL);
    CHECK_INT(pinetl_batch_rows(b), 7);
    CHECK_INT(pinetl_batch_status(b)[0], 0);
    CHECK_INT(pinetl_batch_status(b)[1], PINETL_REJECT_ENVELOPE);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_KEY);
    pinetl_batch_free(b);
    check_forced(PINETL_INPUT_ARRAY, 2, 6);
    check_forced(PINETL_INPUT_KAFKA_REST, 2, 6);
    check_forced(PINETL_INPUT_KAFKA_DUMP, 1, 6);
    check_forced(PINETL_INPUT_KINESIS, 3, 4);
}

static void test_forced_scalar(void) {
    pinetl_batch *b = clean_text(PINETL_TABLE_PIN, "42\n", PINETL_INPUT_KAFKA_REST);
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_ENVELOPE);
    pinetl_batch_free(b);
    b = clean_text(PINETL_TABLE_PIN, "42\n", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_NOT_OBJECT);
    pinetl_batch_free(b);
}

/* The first value decides: on one line -> JSON lines, else value by value. */
static void test_line_or_value_mode(void) {
    /* Value mode: one object over several lines, then a second one. */
    pinetl_batch *b =
        clean_text(PINETL_TABLE_PIN, "{\n \"index\": 1\n}\n{\"index\":\n 2}\n", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    pinetl_batch_free(b);
    /* Line mode: a broken line is one reject and the next line still counts. */
    b = clean_text(PINETL_TABLE_PIN, "{\"index\": 1,\n{\"index\": 2}\n", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 2);
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_JSON);
    CHECK_INT(pinetl_batch_status(b)[1], 0);
    pinetl_batch_free(b);
    /* A UTF-8 byte order mark is skipped, but counted in offsets. */
    b = clean_text(PINETL_TABLE_PIN, "\xEF\xBB\xBF{\"index\": 1}\n", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 1);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    CHECK_INT(pinetl_batch_offsets(b)[0], 3);
    pinetl_batch_free(b);
    /* Empty and blank inputs hold no records. */
    b = clean_text(PINETL_TABLE_PIN, "", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 0);
    pinetl_batch_free(b);
    b = clean_text(PINETL_TABLE_PIN, "\n  \r\n\t\n", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 0);
    pinetl_batch_free(b);
}

static void test_format_names(void) {
    for (int f = 0; f <= PINETL_INPUT_S3_SINK; f++) {
        pinetl_input_format back = (pinetl_input_format)-1;
        CHECK(pinetl_input_format_name((pinetl_input_format)f) != NULL);
        CHECK_INT(
            pinetl_input_format_from_name(&back, pinetl_input_format_name((pinetl_input_format)f)),
            0);
        CHECK_INT(back, f);
    }
    CHECK_STR(pinetl_input_format_name(PINETL_INPUT_KAFKA_REST), "kafka-rest");
    CHECK(pinetl_input_format_name((pinetl_input_format)7) == NULL);
    CHECK(pinetl_input_format_name((pinetl_input_format)-1) == NULL);
    pinetl_input_format out;
    CHECK_INT(pinetl_input_format_from_name(&out, "xml"), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "xml") != NULL);
    CHECK_INT(pinetl_input_format_from_name(&out, NULL), PINETL_EINVAL);
}

static void test_bad_arguments(void) {
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), 0);
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.input_format = 42;
    CHECK_INT(pinetl_batch_clean(b, "{}", 2, &o), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_clean(NULL, "{}", 2, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_clean(b, NULL, 2, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_clean(b, NULL, 0, NULL), 0);
    CHECK_INT(pinetl_batch_rows(b), 0);
    pinetl_batch_free(b);
}

int main(void) {
    RUN(test_auto_classifies_each_value);
    RUN(test_auto_leaves_lookalikes_alone);
    RUN(test_forced_formats);
    RUN(test_forced_scalar);
    RUN(test_line_or_value_mode);
    RUN(test_format_names);
    RUN(test_bad_arguments);
    return check_done();
}
