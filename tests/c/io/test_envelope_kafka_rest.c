/* Spec 1, kafka-rest: each element's value is a record, a one-element array as value is
 * unwrapped; records that is not an array, an element without value or not an object, and a
 * value of several elements are bad_envelope rows naming the element. */
#include "check.h"
#include "io_util.h"

static void test_pretty_body(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_GEO, "tests/data/io/kafka_rest_pretty.json", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 7);
    CHECK_INT(pinetl_batch_rejected(b), 4);
    const uint8_t *st = pinetl_batch_status(b);
    static const uint8_t want[7] = {0,
                                    0,
                                    PINETL_REJECT_ENVELOPE,
                                    PINETL_REJECT_ENVELOPE,
                                    PINETL_REJECT_ENVELOPE,
                                    0,
                                    PINETL_REJECT_ENVELOPE};
    for (int i = 0; i < 7; i++)
        CHECK_INT(st[i], want[i]);
    CHECK_INT(row_ind(b, 0), 1);
    CHECK_INT(row_ind(b, 1), 2);
    CHECK_INT(row_ind(b, 5), 3);
    CHECK_STR(pinetl_batch_reject_message(b, 2), "Kafka REST body: records[2] has no 'value'");
    CHECK(strstr(pinetl_batch_reject_message(b, 3), "records[3] is a number") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 4), "records[4]") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 6), "'records' is a string") != NULL);
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), 0);
    CHECK_MEM(raw, len, "{\"key\": \"no value\"}");
    pinetl_batch_free(b);
}

static void test_generated_bodies_match_plain_lines(void) {
    static const char *const tables[3] = {"pin", "geo", "user"};
    for (int t = 0; t < 3; t++) {
        char rest[128];
        size_t rows, rejected;
        snprintf(rest, sizeof rest, "tests/data/envelopes/%s.kafka-rest.jsonl", tables[t]);
        CHECK(envelope_matches_plain((pinetl_table)t, rest, PINETL_INPUT_KAFKA_REST, &rows,
                                     &rejected));
        CHECK_INT(rows, 2262);
    }
}

int main(void) {
    RUN(test_pretty_body);
    RUN(test_generated_bodies_match_plain_lines);
    return check_done();
}
