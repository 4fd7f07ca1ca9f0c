/* Envelope edge cases: a Kafka REST 'records' array holding only whitespace is empty like "[]";
 * Kinesis Data that is JSON text after spaces, empty, blank or cut-short base64; a Kafka
 * consumer record whose value is an empty array; envelope elements and array elements that are
 * not objects. Each envelope that holds no usable record is one bad_envelope row with its
 * reason, and the records around it are kept. */
#include "check.h"
#include "io_util.h"

typedef struct row {
    int status;
    const char *message;
} row;

static void check_rows(const char *input, int format, const row *want, size_t n) {
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, PINETL_TABLE_PIN))
        exit(99);
    int before = check_failures;
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.input_format = format;
    CHECK_INT(pinetl_batch_clean(b, input, strlen(input), &o), PINETL_OK);
    CHECK_INT(pinetl_batch_rows(b), n);
    for (size_t i = 0; i < n && i < pinetl_batch_rows(b); i++) {
        CHECK_INT(pinetl_batch_status(b)[i], want[i].status);
        if (want[i].message) {
            CHECK_STR(pinetl_batch_reject_message(b, i), want[i].message);
        } else {
            CHECK(pinetl_batch_reject_message(b, i) == NULL);
        }
    }
    if (check_failures != before)
        fprintf(stderr, "  input: %s\n", input);
    pinetl_batch_free(b);
}

static void test_kafka_rest_records_of_whitespace_are_empty(void) {
    row r[] = {{PINETL_REJECT_ENVELOPE, "Kafka REST body: 'records' is empty"}, {0, NULL}};
    check_rows("{\"records\": [ \n ]}\n{\"index\":1}\n", PINETL_INPUT_AUTO, r, 2);
    check_rows("{\"records\": []}\n{\"index\":1}\n", PINETL_INPUT_AUTO, r, 2);
}

static void test_kinesis_data_edges(void) {
    row json_text[] = {{0, NULL}};
    check_rows("{\"Data\": \" \\t {\\\"index\\\": 4}\"}", PINETL_INPUT_KINESIS, json_text, 1);
    row empty[] = {{PINETL_REJECT_ENVELOPE, "kinesis Data is base64 of 0 bytes that are not a JSON "
                                            "record (invalid JSON at byte 0: empty record)"}};
    check_rows("{\"Data\": \"\"}", PINETL_INPUT_KINESIS, empty, 1);
    check_rows("{\"Data\": \"   \"}", PINETL_INPUT_KINESIS, empty, 1);
    row cut[] = {{PINETL_REJECT_ENVELOPE, "kinesis Data is not valid base64: it ends in the middle "
                                          "of a group"}};
    check_rows("{\"Data\": \"e\"}", PINETL_INPUT_KINESIS, cut, 1);
    /* A lone surrogate escape makes the whole body invalid JSON before Data is looked at. */
    row lone[] = {{PINETL_REJECT_JSON, "invalid JSON at byte 10: lone surrogate escape"}};
    check_rows("{\"Data\": \"\\ud800\"}", PINETL_INPUT_KINESIS, lone, 1);
}

static void test_kafka_values_and_elements_that_are_not_records(void) {
    row empty[] = {{PINETL_REJECT_ENVELOPE, "Kafka consumer record: 'value' is an empty array; "
                                            "expected one record or a one-element array"}};
    check_rows("{\"topic\":\"t\",\"key\":null,\"value\":[],\"partition\":0,\"offset\":1}",
               PINETL_INPUT_KAFKA_DUMP, empty, 1);
    row rest[] = {{PINETL_REJECT_ENVELOPE, "Kafka REST body: records[0] is a number; expected an "
                                           "object with 'value'"},
                  {0, NULL}};
    check_rows("{\"records\":[5, {\"value\":{\"index\":3}}]}", PINETL_INPUT_KAFKA_REST, rest, 2);
    row arr[] = {{0, NULL}, {PINETL_REJECT_NOT_OBJECT, "not an object: the record is a number"}};
    check_rows("[{\"index\":1}, 5]", PINETL_INPUT_ARRAY, arr, 2);
}

int main(void) {
    RUN(test_kafka_rest_records_of_whitespace_are_empty);
    RUN(test_kinesis_data_edges);
    RUN(test_kafka_values_and_elements_that_are_not_records);
    return check_done();
}
