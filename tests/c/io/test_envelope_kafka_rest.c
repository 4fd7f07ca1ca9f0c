/* Spec 1, kafka-rest: each element's value is a record, a one-element array as value is
 * unwrapped; records that is not an array, an element without value or not an object, and a
 * value of several elements are bad_envelope rows naming the element. */
#include "check.h"
#include "io_util.h"

static void test_pretty_body(void) {
    pinetl_batch *b = clean_fixture(PINETL_TABLE_GEO, "tests/data/io/kafka_rest_pretty.json",
                                    PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 7);
    CHECK_INT(pinetl_batch_rejected(b), 4);
    const uint8_t *st = pinetl_batch_status(b);
    static const uint8_t want[7] = {0, 0, PINETL_REJECT_ENVELOPE, PINETL_REJECT_ENVELOPE,
                                    PINETL_REJECT_ENVELOPE, 0, PINETL_REJECT_ENVELOPE};
    for (int i = 0; i < 7; i++) CHECK_INT(st[i], want[i]);
    CHECK_INT(row_ind(b, 0), 1);
    CHECK_INT(row_ind(b, 1), 2);
    CHECK_INT(row_ind(b, 5), 3);
    CHECK_STR(pinetl_batch_reject_message(b, 2), "Kafka REST body: records[2] has no 'value'");
    CHECK(strstr(pinetl_batch_reject_message(b, 3), "records[3] is a number") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 4), "records[4]") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 6), "'records' is a string") != NULL);
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(b, 2, &raw, &len), 0);
    CHECK_MEM(raw, len, "{\"key\": \"no value\"}");
    pinetl_batch_free(b);
}

static void test_generated_bodies_match_plain_lines(void) {
    static const char *const tables[3] = {"pin", "geo", "user"};
    for (int t = 0; t < 3; t++) {
        char plain[128], rest[128];
        snprintf(plain, sizeof plain, "tests/data/real-sample/%s.jsonl", tables[t]);
        snprintf(rest, sizeof rest, "tests/data/envelopes/%s.kafka-rest.jsonl", tables[t]);
        pinetl_batch *a = clean_fixture((pinetl_table)t, plain, PINETL_INPUT_AUTO);
        pinetl_batch *b = clean_fixture((pinetl_table)t, rest, PINETL_INPUT_KAFKA_REST);
        const char *ta, *tb;
        size_t la, lb;
        pinetl_batch_render(a, PINETL_FORMAT_JSONL, 0, &ta, &la);
        pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &tb, &lb);
        CHECK_INT(pinetl_batch_rows(b), 2262);
        CHECK(la == lb && memcmp(ta, tb, la) == 0);
        pinetl_batch_free(a);
        pinetl_batch_free(b);
    }
}

int main(void) {
    RUN(test_pretty_body);
    RUN(test_generated_bodies_match_plain_lines);
    return check_done();
}
