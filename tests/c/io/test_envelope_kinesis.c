/* Spec 1, kinesis: PutRecords bodies and PutRecord objects; Data as an object, a JSON text
 * string, or base64 of the record (JSON escapes like \/ undone first). Bad base64, missing Data,
 * Data of another type, base64 of something that is not JSON, Records not an array: bad_envelope. */
#include "check.h"
#include "io_util.h"

static void test_fixture(void) {
    pinetl_batch *b =
        clean_fixture(PINETL_TABLE_PIN, "tests/data/io/kinesis.jsonl", PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), 12);
    CHECK_INT(pinetl_batch_rejected(b), 5);
    static const int64_t inds[12] = {1, -1, -1, -1, -1, 2, 3, 7, 4, 5, -1, 6};
    const uint8_t *st = pinetl_batch_status(b);
    for (int i = 0; i < 12; i++) {
        if (inds[i] < 0)
            CHECK_INT(st[i], PINETL_REJECT_ENVELOPE);
        else {
            CHECK_INT(st[i], 0);
            CHECK_INT(row_ind(b, i), inds[i]);
        }
    }
    CHECK(strstr(pinetl_batch_reject_message(b, 1), "Records[1].Data is not valid base64") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 2), "Records[2] has no 'Data'") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 3), "Records[3].Data is a number") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 4), "not a JSON record") != NULL);
    CHECK(strstr(pinetl_batch_reject_message(b, 10), "'Records' is an object") != NULL);
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 1), 0);
    CHECK_MEM(raw, len, "\"not base64!\"");
    /* Row 7 came from base64 with "\/" escapes: its title decoded intact. */
    const char *text = pinetl_batch_text_data(b, PINETL_PIN_TITLE);
    const int64_t *to = pinetl_batch_text_offsets(b, PINETL_PIN_TITLE);
    CHECK_MEM(text + to[7], (size_t)(to[8] - to[7]), "?\?\?>>>");
    pinetl_batch_free(b);
}

static void test_generated_bodies_match_plain_lines(void) {
    size_t rows, rejected;
    CHECK(envelope_matches_plain(PINETL_TABLE_PIN, "tests/data/envelopes/pin.kinesis.jsonl",
                                 PINETL_INPUT_KINESIS, &rows, &rejected));
    CHECK_INT(rows, 2262);
    CHECK_INT(rejected, 0);
}

/* A lone surrogate escape: in the envelope it makes the whole line invalid JSON; inside a JSON
 * text Data string it makes the record invalid JSON. A bare Data object under forced kinesis. */
static void test_edge_cases(void) {
    pinetl_batch *b = clean_text(
        PINETL_TABLE_PIN,
        "{\"PartitionKey\": \"p\", \"Data\": \"{\\\"index\\\": 1, \\\"title\\\": \\\"\\ud800\\\"}\"}\n"
        "{\"PartitionKey\": \"p\", \"Data\": \"{\\\"index\\\": 1, \\\"title\\\": \\\"\\\\ud800\\\"}\"}\n"
        "{\"Data\": {\"index\": 2}}\n",
        PINETL_INPUT_KINESIS);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_JSON);
    CHECK_INT(pinetl_batch_status(b)[1], PINETL_REJECT_JSON);
    CHECK(strstr(pinetl_batch_reject_message(b, 1), "surrogate") != NULL);
    CHECK_INT(pinetl_batch_status(b)[2], 0);
    pinetl_batch_free(b);
}

int main(void) {
    RUN(test_fixture);
    RUN(test_generated_bodies_match_plain_lines);
    RUN(test_edge_cases);
    return check_done();
}
