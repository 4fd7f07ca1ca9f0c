/* Timestamp and number edge cases through the scalar API: every malformed position of a
 * timestamp text (digits, separators, time, fraction, offsets), the range ends 0001 and 9999,
 * epoch seconds with exponents and rounding; keys, ages and follower counts with signs,
 * exponents, huge exponents, whitespace and suffixes. Anything not accepted is null (0). */
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"

static int ts(const char *s, int64_t *us) { return pinetl_timestamp_parse(us, s, strlen(s)); }

static const char *fmt(int64_t us) {
    static char buf[PINETL_TIMESTAMP_BUFSIZE];
    if (pinetl_timestamp_format(buf, us) < 0)
        return "(out of range)";
    return buf;
}

static void test_timestamp_texts_rejected(void) {
    const char *bad[] = {
        "/020-01-01",
        ":020-01-01",
        "2/20-01-01",
        "2:20-01-01",
        "20/0-01-01",
        "20:0-01-01",
        "202/-01-01",
        "202:-01-01",
        "2020/01-01",
        "2020-/1-01",
        "2020-0:-01",
        "2020-01/01",
        "2020-01-/1",
        "2020-01-0:",
        "2020-00-01",
        "2020-13-01",
        "2020-01-00",
        "2020-04-31",
        "2019-02-29",
        "0000-01-01",
        "2020-01-01 ",
        "2020-01-01 12:00",
        "2020-01-01x12:00:00",
        "2020-01-01 /2:00:00",
        "2020-01-01 1:2:00:00",
        "2020-01-01 12-00:00",
        "2020-01-01 12:/0:00",
        "2020-01-01 12:0::00",
        "2020-01-01 12:00-00",
        "2020-01-01 12:00:/0",
        "2020-01-01 12:00:0:",
        "2020-01-01 24:00:00",
        "2020-01-01 23:60:00",
        "2020-01-01 23:59:60",
        "2020-01-01 12:00:00.",
        "2020-01-01 12:00:00.1234567890",
        "2020-01-01 12:00:00.5x",
        "2020-01-01 12:00:00Zx",
        "2020-01-01 12:00:00+0a:00",
        "2020-01-01 12:00:00+01:0a",
        "2020-01-01 12:00:00+0a00",
        "2020-01-01 12:00:00+010a",
        "2020-01-01 12:00:00+01",
        "2020-01-01 12:00:00+24:00",
        "2020-01-01 12:00:00+01:60",
        "2020-01-01 12:00:00 +01:00",
        "2020-01-01 12:00:00+01:00:00",
        "0001-01-01 00:00:00+00:01",
        "9999-12-31 23:59:59-00:01",
        "2020-01-01T12:00:00z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t us = 42;
        int ok = ts(bad[i], &us);
        if (ok)
            fprintf(stderr, "  accepted: %s -> %s\n", bad[i], fmt(us));
        CHECK_INT(ok, 0);
        CHECK_INT(us, 42);
    }
    int64_t us;
    CHECK_INT(pinetl_timestamp_parse(&us, NULL, 10), 0);
    CHECK_INT(pinetl_timestamp_parse(&us, "2020-01-01", 9), 0);
}

static void test_timestamp_texts_accepted(void) {
    const struct {
        const char *in, *out;
    } good[] = {
        {"0001-01-01", "0001-01-01T00:00:00Z"},
        {"9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"},
        {"2000-02-29 00:00:00", "2000-02-29T00:00:00Z"},
        {"2020-01-01 12:00:00.123456789", "2020-01-01T12:00:00.123456Z"},
        {"2020-01-01 12:00:00.5", "2020-01-01T12:00:00.500000Z"},
        {"2020-01-01 12:00:00+0130", "2020-01-01T10:30:00Z"},
        {"2020-01-01 00:30:00+01:00", "2019-12-31T23:30:00Z"},
        {"2020-01-01 23:59:59-23:59", "2020-01-02T23:58:59Z"},
        {"1969-12-31 23:59:59.999999", "1969-12-31T23:59:59.999999Z"},
        {"1900-03-01", "1900-03-01T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        int64_t us = 0;
        CHECK_INT(ts(good[i].in, &us), 1);
        CHECK_STR(fmt(us), good[i].out);
    }
    CHECK_STR(fmt(INT64_C(-62135596800000000) - 1), "(out of range)");
    CHECK_STR(fmt(INT64_C(253402300800000000)), "(out of range)");
    CHECK_INT(pinetl_timestamp_year(INT64_C(-62135596800000000)), 1);
    CHECK_INT(pinetl_timestamp_year(-1), 1969);
    /* Any int64 has a (proleptic Gregorian, astronomical) year: day 0 of the civil-day arithmetic
     * is 0000-03-01, so the day before is 0000-02-29 (year 0 is a leap year) and 366 days before
     * it is in year -1. */
    const int64_t day = INT64_C(86400000000);
    CHECK_INT(pinetl_timestamp_year(-719468 * day), 0);
    CHECK_INT(pinetl_timestamp_year(-719469 * day), 0);
    CHECK_INT(pinetl_timestamp_year(-719834 * day), -1);
    CHECK(pinetl_timestamp_year(INT64_MIN) < -290000);
}

static int secs(const char *s, int64_t *us) {
    return pinetl_timestamp_from_seconds(us, s, strlen(s));
}

static void test_epoch_seconds(void) {
    int64_t us = 0;
    CHECK_INT(secs("1.5e+3", &us), 1);
    CHECK_INT(us, INT64_C(1500000000));
    CHECK_INT(secs("15E-1", &us), 1);
    CHECK_INT(us, 1500000);
    CHECK_INT(secs("0.0000005", &us), 1); /* half a microsecond rounds away from zero */
    CHECK_INT(us, 1);
    CHECK_INT(secs("-0.0000005", &us), 1);
    CHECK_INT(us, -1);
    CHECK_INT(secs("0.00000049999", &us), 1);
    CHECK_INT(us, 0);
    CHECK_INT(secs("1e-400", &us), 1);
    CHECK_INT(us, 0);
    us = 7;
    const char *bad[] = {
        "1e",           "1e+",          "1.",    ".5", "-", "+1", "1x", "1e99999999999999",
        "253402300800", "-62135596801", "\"1\"", "01", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int ok = secs(bad[i], &us);
        if (ok)
            fprintf(stderr, "  accepted seconds %s\n", bad[i]);
        CHECK_INT(ok, 0);
    }
    CHECK_INT(us, 7);
    CHECK_INT(pinetl_timestamp_from_seconds(&us, NULL, 3), 0);
}

static void test_keys_and_ages(void) {
    int64_t v = 0;
    CHECK_INT(pinetl_key(&v, "7.528e3", 7), 1);
    CHECK_INT(v, 7528);
    CHECK_INT(pinetl_key(&v, "752800e-2", 9), 1);
    CHECK_INT(v, 7528);
    CHECK_INT(pinetl_key(&v, "-9223372036854775808", 20), 1);
    CHECK(v == INT64_MIN);
    CHECK_INT(pinetl_key(&v, "9223372036854775808", 19), 0);
    CHECK_INT(pinetl_key(&v, "1e19", 4), 0);
    CHECK_INT(pinetl_key(&v, "1.5", 3), 0);
    CHECK_INT(pinetl_key(&v, "\"0042\"", 6), 1);
    CHECK_INT(v, 42);
    CHECK_INT(pinetl_key(&v, "\"4\\u0032\"", 9), 1); /* an escaped digit is still a digit */
    CHECK_INT(v, 42);
    CHECK_INT(pinetl_key(&v, "\"\"", 2), 0);
    CHECK_INT(pinetl_key(&v, "\"-1\"", 4), 0);
    CHECK_INT(pinetl_key(&v, "true", 4), 0);
    CHECK_INT(pinetl_key(&v, "{", 1), 0);
    CHECK_INT(pinetl_key(&v, NULL, 1), 0);
    CHECK_INT(pinetl_age(&v, "150", 3), 1);
    CHECK_INT(v, 150);
    CHECK_INT(pinetl_age(&v, "1.5e2", 5), 1);
    CHECK_INT(v, 150);
    CHECK_INT(pinetl_age(&v, "-1", 2), 0);
    CHECK_INT(pinetl_age(&v, "\"2\\u0030\"", 9), 1);
    CHECK_INT(v, 20);
    CHECK_INT(pinetl_age(&v, NULL, 2), 0);
    CHECK(pinetl_age_group(17) == NULL);
    CHECK_STR(pinetl_age_group(18), "18-24");
    CHECK_STR(pinetl_age_group(50), "36-50");
    CHECK_STR(pinetl_age_group(51), "+50");
    CHECK_INT(pinetl_age_group_index(17), -1);
    CHECK_INT(pinetl_age_group_index(25), 1);
}

static void test_follower_counts(void) {
    const struct {
        const char *in;
        int ok;
        int64_t v;
    } cases[] = {
        {"\t\v\f\r\n 12k \n", 1, 12000},
        {"1.5M", 1, 1500000},
        {"2b", 1, 2000000000},
        {"0", 1, 0},
        {"", 0, 0},
        {"   ", 0, 0},
        {"k", 0, 0},
        {"1.k", 0, 0},
        {"12q", 0, 0},
        {"-5", 0, 0},
        {"12 k", 0, 0},
        {"99999999999b", 0, 0},
        {"User Info Error", 0, 0},
        {"1.2345k", 1, 1234},
        {"9223372036854775807", 1, INT64_MAX},
        {"9223372036854775808", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t v = -1;
        int ok = pinetl_follower_count(&v, cases[i].in, strlen(cases[i].in));
        if (ok != cases[i].ok)
            fprintf(stderr, "  follower_count(\"%s\") = %d\n", cases[i].in, ok);
        CHECK_INT(ok, cases[i].ok);
        if (ok)
            CHECK_INT(v, cases[i].v);
    }
    int64_t v;
    CHECK_INT(pinetl_follower_count(&v, NULL, 3), 0);
    size_t start, len;
    CHECK_INT(pinetl_save_location(&start, &len, NULL, 3), 0);
}

int main(void) {
    RUN(test_timestamp_texts_rejected);
    RUN(test_timestamp_texts_accepted);
    RUN(test_epoch_seconds);
    RUN(test_keys_and_ages);
    RUN(test_follower_counts);
    return check_done();
}
