/* Spec 1, kafka-dump: an object with topic and value yields its value (a one-element array as
 * value is unwrapped, as for Kafka REST); a value that is not an object is not_an_object. */
#include "check.h"
#include "io_util.h"

static void test_dump_lines(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_USER, "tests/data/io/kafka_dump.jsonl", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_rejected(b), 1);
    CHECK_INT(row_ind(b, 0), 1);
    CHECK_INT(row_ind(b, 1), 2);
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_NOT_OBJECT);
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), 0);
    CHECK_MEM(raw, len, "\"not an object\""); /* the value, not the whole dump line */
    pinetl_batch_free(b);
}

static void test_forced_and_generated(void) {
    size_t rows, rejected;
    CHECK(envelope_matches_plain(PINETL_TABLE_USER, "tests/data/envelopes/user.kafka-dump.jsonl",
                                 PINETL_INPUT_KAFKA_DUMP, &rows, &rejected));
    CHECK_INT(rows, 2262);
    CHECK_INT(rejected, 0);
    /* Forced kafka-dump: a bare record is bad_envelope. */
    pinetl_batch *b =
        clean_text(PINETL_TABLE_USER, "{\"ind\": 1}\n{\"topic\": \"t\", \"value\": {\"ind\": 2}}\n",
                   PINETL_INPUT_KAFKA_DUMP);
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_ENVELOPE);
    CHECK_INT(pinetl_batch_status(b)[1], 0);
    pinetl_batch_free(b);
}

int main(void) {
    RUN(test_dump_lines);
    RUN(test_forced_and_generated);
    return check_done();
}
