/* Spec 2 pin follower_count: the text grammar, exact and truncated; JSON integers as is; anything
 * else null with a warning; the sentinel and blanks null without one. */
#include "check.h"
#include "core_util.h"

static int fc(const char *s, int64_t *v) {
    *v = -1;
    return pinetl_follower_count(v, s, strlen(s));
}

static void test_text_grammar(void) {
    int64_t v;
    CHECK(fc("437", &v));
    CHECK_INT(v, 437);
    CHECK(fc("26k", &v));
    CHECK_INT(v, 26000);
    CHECK(fc("124k", &v));
    CHECK_INT(v, 124000);
    CHECK(fc("1.5k", &v));
    CHECK_INT(v, 1500);
    CHECK(fc("1.2345k", &v));
    CHECK_INT(v, 1234);
    CHECK(fc("1.9999K", &v));
    CHECK_INT(v, 1999);
    CHECK(fc("1.5M", &v));
    CHECK_INT(v, 1500000);
    CHECK(fc("2m", &v));
    CHECK_INT(v, 2000000);
    CHECK(fc(" 2b ", &v));
    CHECK_INT(v, 2000000000);
    CHECK(fc("3.000000001B", &v));
    CHECK_INT(v, 3000000001);
    CHECK(fc("3.0000000019b", &v));
    CHECK_INT(v, 3000000001);
    CHECK(fc("0.5", &v));
    CHECK_INT(v, 0);
    CHECK(fc("0", &v));
    CHECK_INT(v, 0);
    CHECK(fc("007", &v));
    CHECK_INT(v, 7);
    CHECK(fc("\t12\n", &v));
    CHECK_INT(v, 12);
    CHECK(fc("9223372036854775807", &v));
    CHECK_INT(v, INT64_MAX);
    CHECK(fc("9223372036854775.807k", &v));
    CHECK_INT(v, INT64_MAX);
    CHECK(fc("9223372036.854775807999b", &v));
    CHECK_INT(v, INT64_MAX);
    const char *bad[] = {"9223372036854775808",
                         "9223372036854776k",
                         "9223372037b",
                         "1,000",
                         "+5",
                         "-5",
                         "1.",
                         ".5k",
                         "5kk",
                         "k",
                         "",
                         "  ",
                         "1 k",
                         "1e3",
                         "0x10",
                         "5 5",
                         "1.5.2",
                         "User Info Error",
                         "\xd9\xa1",
                         "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (fc(bad[i], &v))
            fprintf(stderr, "  accepted: '%s'\n", bad[i]);
        CHECK(!fc(bad[i], &v));
    }
}

static const char *pin_fc(const char *value, int *warn) {
    static char rec[256];
    snprintf(rec, sizeof rec, "{\"index\": 1, \"follower_count\": %s}", value);
    return clean_cell(PINETL_TABLE_PIN, rec, PINETL_PIN_FOLLOWER_COUNT, warn);
}

static void test_json_values(void) {
    int w;
    CHECK_STR(pin_fc("\"124k\"", &w), "124000");
    CHECK_INT(w, 0);
    CHECK_STR(pin_fc("\"1\\u002e5k\"", &w), "1500");
    CHECK_STR(pin_fc("437", &w), "437");
    CHECK_INT(w, 0);
    CHECK_STR(pin_fc("0", &w), "0");
    CHECK_STR(pin_fc("-0", &w), "0");
    CHECK_STR(pin_fc("9223372036854775807", &w), "9223372036854775807");
    CHECK_STR(pin_fc("\"User Info Error\"", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin_fc("\"\"", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin_fc("\"   \"", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin_fc("null", &w), "null");
    CHECK_INT(w, 0);
    const char *warned[] = {"-5",
                            "9223372036854775808",
                            "1.0",
                            "1.5",
                            "1e3",
                            "true",
                            "false",
                            "{}",
                            "[1]",
                            "\"1,000\"",
                            "\"-5\"",
                            "\"k\"",
                            "\"99999999999b\""};
    for (size_t i = 0; i < sizeof warned / sizeof *warned; i++) {
        CHECK_STR(pin_fc(warned[i], &w), "null");
        if (w != 1)
            fprintf(stderr, "  no warning for %s\n", warned[i]);
        CHECK_INT(w, 1);
    }
}

int main(void) {
    RUN(test_text_grammar);
    RUN(test_json_values);
    return check_done();
}
