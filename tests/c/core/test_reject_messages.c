/* Spec 2 rejects: every reason and a message naming the byte or field at fault; rows in = records in;
 * a rejected row is null everywhere and keeps its raw bytes and position. */
#include "check.h"
#include "core_util.h"

static void expect(pinetl_table t, const char *rec, int code, const char *message)
{
    pinetl_batch *b = clean_one(t, rec);
    CHECK_INT(pinetl_batch_rows(b), 1);
    CHECK_INT(pinetl_batch_rejected(b), 1);
    CHECK_INT(pinetl_batch_status(b)[0], code);
    CHECK_STR(pinetl_batch_reject_message(b, 0), message);
    const char *raw;
    size_t len;
    CHECK_INT(pinetl_batch_reject_raw(b, 0, &raw, &len), 0);
    CHECK_MEM(raw, len, rec);
    for (int c = 0; c < pinetl_column_count(t); c++) CHECK(!(pinetl_batch_validity(b, c)[0] & 1));
    pinetl_batch_free(b);
}

static void test_messages(void)
{
    expect(PINETL_TABLE_PIN, "{\"index\": \"12a\"}", PINETL_REJECT_KEY, "field 'index': \"12a\" is not an integer");
    expect(PINETL_TABLE_PIN, "{\"index\": 12.5}", PINETL_REJECT_KEY, "field 'index': 12.5 is not an integer");
    expect(PINETL_TABLE_PIN, "{\"index\": true}", PINETL_REJECT_KEY, "field 'index': true is not an integer");
    expect(PINETL_TABLE_PIN, "{\"index\": [1]}", PINETL_REJECT_KEY, "field 'index': [1] is not an integer");
    expect(PINETL_TABLE_GEO, "{\"ind\": 9223372036854775808}", PINETL_REJECT_KEY,
           "field 'ind': 9223372036854775808 is outside int64");
    expect(PINETL_TABLE_USER, "{\"ind\": \"99999999999999999999\"}", PINETL_REJECT_KEY,
           "field 'ind': \"99999999999999999999\" is outside int64");
    expect(PINETL_TABLE_USER, "{\"first_name\": \"A\"}", PINETL_REJECT_KEY, "field 'ind' is missing");
    expect(PINETL_TABLE_USER, "{\"ind\": null}", PINETL_REJECT_KEY, "field 'ind' is null");
    expect(PINETL_TABLE_GEO, "{\"ind\": \"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
           PINETL_REJECT_KEY,
           "field 'ind': \"01234567890123456789012345678901234567890123456789012345678... is outside int64");
    expect(PINETL_TABLE_GEO, "{\"ind\": 1 \"country\": \"x\"}", PINETL_REJECT_JSON,
           "invalid JSON at byte 10: expected ',' or '}'");
    expect(PINETL_TABLE_GEO, "{\"ind\": 1,}", PINETL_REJECT_JSON, "invalid JSON at byte 10: trailing comma");
    expect(PINETL_TABLE_GEO, "{\"ind\": 01}", PINETL_REJECT_JSON, "invalid JSON at byte 8: leading zeros are not allowed");
    expect(PINETL_TABLE_GEO, "{\"ind\": 1, \"country\": \"\\ud800\"}", PINETL_REJECT_JSON,
           "invalid JSON at byte 23: lone surrogate escape");
    expect(PINETL_TABLE_GEO, "{\"ind\": 1} {\"ind\": 2}", PINETL_REJECT_JSON,
           "invalid JSON at byte 11: unexpected bytes after the value");
    expect(PINETL_TABLE_GEO, "{\"ind\": NaN}", PINETL_REJECT_JSON, "invalid JSON at byte 8: expected a value");
    expect(PINETL_TABLE_GEO, "{'ind': 1}", PINETL_REJECT_JSON, "invalid JSON at byte 1: expected a string key");
    expect(PINETL_TABLE_GEO, "  ", PINETL_REJECT_JSON, "invalid JSON at byte 2: empty record");
    expect(PINETL_TABLE_GEO, "{\"ind\": \"\xff\"}", PINETL_REJECT_UTF8, "invalid UTF-8 at byte 9");
    expect(PINETL_TABLE_GEO, "[{\"ind\": 1}]", PINETL_REJECT_NOT_OBJECT, "not an object: the record is an array");
    expect(PINETL_TABLE_GEO, "\"text\"", PINETL_REJECT_NOT_OBJECT, "not an object: the record is a string");
    expect(PINETL_TABLE_GEO, "null", PINETL_REJECT_NOT_OBJECT, "not an object: the record is null");
    expect(PINETL_TABLE_GEO, "12", PINETL_REJECT_NOT_OBJECT, "not an object: the record is a number");
}

static void test_reject_names(void)
{
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_UTF8), "invalid_utf8");
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_JSON), "invalid_json");
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_NOT_OBJECT), "not_an_object");
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_KEY), "bad_key");
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_ENVELOPE), "bad_envelope");
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_TOO_LARGE), "too_large");
    CHECK(pinetl_reject_name(0) == NULL);
    CHECK(pinetl_reject_name(7) == NULL);
}

static void test_mixed_batch_and_positions(void)
{
    pinetl_batch *b;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_GEO), 0);
    const char blob[] = "{\"ind\": 1}{bad}{\"ind\": 3, \"country\": \"X\"}";
    const int64_t off[] = { 0, 10, 15, 15, 41 };
    pinetl_clean_options o;
    pinetl_clean_options_init(&o);
    o.source = "geo.jsonl";
    o.first_line = 10;
    o.first_offset = 1000;
    CHECK_INT(pinetl_batch_clean_records(b, blob, off, 4, &o), 0);
    CHECK_INT(pinetl_batch_rows(b), 4);
    CHECK_INT(pinetl_batch_rejected(b), 2);
    const uint8_t *st = pinetl_batch_status(b);
    CHECK_INT(st[0], 0);
    CHECK_INT(st[1], PINETL_REJECT_JSON);
    CHECK_INT(st[2], PINETL_REJECT_JSON);
    CHECK_INT(st[3], 0);
    CHECK_STR(pinetl_batch_reject_message(b, 1), "invalid JSON at byte 1: expected a string key");
    CHECK_STR(pinetl_batch_reject_message(b, 2), "empty record");
    CHECK(pinetl_batch_reject_message(b, 0) == NULL);
    CHECK_INT(pinetl_batch_lines(b)[1], 11);
    CHECK_INT(pinetl_batch_lines(b)[3], 13);
    CHECK_INT(pinetl_batch_offsets(b)[1], 1010);
    CHECK_INT(pinetl_batch_offsets(b)[3], 1015);
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[2]), "geo.jsonl");
    /* Rejects from the io layer (envelopes) are rows too. */
    CHECK_INT(pinetl__batch_add_reject(b, PINETL_REJECT_ENVELOPE, "Kinesis Data is not valid base64", "{\"Data\":\"!\"}", 12, 20, 2000), 0);
    CHECK_INT(pinetl_batch_rows(b), 5);
    CHECK_INT(pinetl_batch_status(b)[4], PINETL_REJECT_ENVELOPE);
    CHECK_STR(pinetl_batch_reject_message(b, 4), "Kinesis Data is not valid base64");
    CHECK(pinetl__batch_add_reject(b, 0, "x", NULL, 0, 0, 0) != 0);
    pinetl_batch_free(b);
}

int main(void)
{
    RUN(test_messages);
    RUN(test_reject_names);
    RUN(test_mixed_batch_and_positions);
    return check_done();
}
