/* Spec 2 bad_key: index / ind is an integer, an integral number or a digit string, within int64. */
#include "check.h"
#include "core_util.h"

static int64_t key_of(const char *json, int *ok) {
    int64_t v = -12345;
    *ok = pinetl_key(&v, json, strlen(json));
    return v;
}

static void test_scalar_key(void) {
    int ok;
    CHECK_INT(key_of("7528", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("7528.0", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("7.528e3", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("752800e-2", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("0.7528E4", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("\"7528\"", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("\"007528\"", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("\"\\u0037528\"", &ok), 7528);
    CHECK(ok);
    CHECK_INT(key_of("0", &ok), 0);
    CHECK(ok);
    CHECK_INT(key_of("-0", &ok), 0);
    CHECK(ok);
    CHECK_INT(key_of("-0.0", &ok), 0);
    CHECK(ok);
    CHECK_INT(key_of("-5", &ok), -5);
    CHECK(ok);
    CHECK_INT(key_of("9223372036854775807", &ok), INT64_MAX);
    CHECK(ok);
    CHECK_INT(key_of("-9223372036854775808", &ok), INT64_MIN);
    CHECK(ok);
    CHECK_INT(key_of("\"9223372036854775807\"", &ok), INT64_MAX);
    CHECK(ok);
    CHECK_INT(key_of("9.223372036854775807e18", &ok), INT64_MAX);
    CHECK(ok);
    CHECK_INT(key_of("1e18", &ok), 1000000000000000000LL);
    CHECK(ok);
    CHECK_INT(key_of("10000000000000000000e-1", &ok), 1000000000000000000LL);
    CHECK(ok);
    CHECK_INT(key_of(" 12 ", &ok), 12);
    CHECK(ok); /* JSON whitespace around the value */

    const char *bad[] = {
        "9223372036854775808",
        "-9223372036854775809",
        "\"9223372036854775808\"",
        "1e19",
        "1e999999999999",
        "7528.5",
        "7.5285e3",
        "1e-1",
        "0.1",
        "\"12a\"",
        "\"-5\"",
        "\"+5\"",
        "\" 5\"",
        "\"5 \"",
        "\"\"",
        "\"7528.0\"",
        "\"\\u0661\"",
        "true",
        "false",
        "null",
        "[1]",
        "{}",
        "01",
        "12 3",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        key_of(bad[i], &ok);
        if (ok)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(!ok);
    }
    /* Zero is integral whatever its exponent. */
    CHECK_INT(key_of("0e999999999999999999", &ok), 0);
    CHECK(ok);
    CHECK_INT(key_of("0.000e-5", &ok), 0);
    CHECK(ok);
}

static void test_key_in_records(void) {
    int w;
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"index\": 7.528e3}", PINETL_PIN_IND, &w), "7528");
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\": \"42\"}", PINETL_GEO_IND, &w), "42");
    CHECK_STR(clean_cell(PINETL_TABLE_USER, "{\"ind\": -9223372036854775808}", PINETL_USER_IND, &w),
              "-9223372036854775808");
    /* The last duplicate wins, also for the key. */
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\": \"x\", \"ind\": 3}", PINETL_GEO_IND, &w),
              "3");
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\": 3, \"ind\": \"x\"}", PINETL_GEO_IND, &w),
              "REJECT field 'ind': \"x\" is not an integer");
    /* pin reads "index" (and "ind" only when "index" is absent: a cleaned pin, see
     * test_clean_idempotent); geo and user read "ind" only. */
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"ind\": 3}", 0, &w), "3");
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"title\": \"t\"}", 0, &w),
              "REJECT field 'index' is missing");
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"index\": 3}", 0, &w),
              "REJECT field 'ind' is missing");
    CHECK_STR(clean_cell(PINETL_TABLE_USER, "{\"ind\": null}", 0, &w),
              "REJECT field 'ind' is null");
    /* An escaped key name still matches. */
    CHECK_STR(clean_cell(PINETL_TABLE_USER, "{\"i\\u006ed\": 9}", 0, &w), "9");
}

int main(void) {
    RUN(test_scalar_key);
    RUN(test_key_in_records);
    return check_done();
}
