/* Spec 1, Envelopes: with auto an object is an envelope by its top-level members only, compared
 * decoded: envelope key text inside a string or a nested object leaves a record alone, an escaped
 * envelope key still counts, and so does one after many other members. */
#include "check.h"
#include "io_util.h"

/* Each row of text cleaned under auto: every row cleaned, inds 1..n in order. */
static void check_inds(const char *text, size_t n) {
    pinetl_batch *b = clean_text(PINETL_TABLE_PIN, text, PINETL_INPUT_AUTO);
    CHECK_INT(pinetl_batch_rows(b), n);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    for (size_t i = 0; i < pinetl_batch_rows(b) && i < n; i++)
        CHECK_INT(row_ind(b, i), (int64_t)i + 1);
    pinetl_batch_free(b);
}

static void test_key_text_in_strings_and_nested_objects(void) {
    check_inds("{\"index\": 1, \"title\": \"records\\\" topic\\\" Data\\\" \\u0041\"}\n"
               "{\"index\": 2, \"nested\": {\"records\": [{\"value\": {\"index\": 99}}]}}\n"
               "{\"index\": 3, \"x\": {\"topic\": \"t\", \"value\": {\"index\": 99}}}\n"
               "{\"index\": 4, \"x\": [{\"StreamName\": \"s\", \"Data\": {\"index\": 99}}]}\n",
               4);
}

static void test_escaped_envelope_keys(void) {
    check_inds("{\"rec\\u006frds\": [{\"value\": {\"index\": 1}}]}\n"
               "{\"\\u0074opic\": \"t\", \"valu\\u0065\": {\"index\": 2}}\n"
               "{\"Stream\\u004eame\": \"s\", \"D\\u0061ta\": {\"index\": 3}}\n",
               3);
}

/* 40 members before the envelope keys: more than the scan keeps at hand. */
static void test_envelope_keys_after_many_members(void) {
    sbuf t = {0};
    char m[32];
    sbuf_add(&t, "{", 1);
    for (int i = 0; i < 40; i++) {
        int n = snprintf(m, sizeof m, "\"k%d\": %d, ", i, i);
        sbuf_add(&t, m, (size_t)n);
    }
    const char *tail = "\"topic\": \"t\", \"value\": {\"index\": 1}}\n";
    sbuf_add(&t, tail, strlen(tail));
    /* And a plain record of as many members. */
    sbuf_add(&t, "{", 1);
    for (int i = 0; i < 40; i++) {
        int n = snprintf(m, sizeof m, "\"k%d\": %d, ", i, i);
        sbuf_add(&t, m, (size_t)n);
    }
    const char *plain = "\"index\": 2}\n";
    sbuf_add(&t, plain, strlen(plain));
    check_inds(t.p, 2);
    sbuf_free(&t);
}

int main(void) {
    RUN(test_key_text_in_strings_and_nested_objects);
    RUN(test_escaped_envelope_keys);
    RUN(test_envelope_keys_after_many_members);
    return check_done();
}
