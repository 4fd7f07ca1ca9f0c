/* Spec 2 timestamps: every accepted form, calendar checks, offsets, fraction truncation, years
 * 0001..9999 (also after conversion to UTC), epoch seconds with exact decimal rounding. */
#include "check.h"
#include "core_util.h"

static int64_t tp(const char *s, int *ok) {
    int64_t v = -1;
    *ok = pinetl_timestamp_parse(&v, s, strlen(s));
    return v;
}

static int64_t ts(const char *s, int *ok) {
    int64_t v = -1;
    *ok = pinetl_timestamp_from_seconds(&v, s, strlen(s));
    return v;
}

#define US 1000000LL

static void test_forms(void) {
    int ok;
    const int64_t base = 1598586767LL * US; /* 2020-08-28T03:52:47Z */
    CHECK_INT(tp("2020-08-28 03:52:47", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28T03:52:47", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28T03:52:47Z", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28", &ok), 1598572800LL * US);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 03:52:47.5", &ok), base + 500000);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 03:52:47.123456", &ok), base + 123456);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 03:52:47.123456789", &ok), base + 123456);
    CHECK(ok); /* truncated */
    CHECK_INT(tp("2020-08-28 03:52:47.999999999Z", &ok), base + 999999);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 04:52:47+01:00", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 04:52:47+0100", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 01:22:47-02:30", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 01:22:47-0230", &ok), base);
    CHECK(ok);
    CHECK_INT(tp("2020-08-28 03:52:47.25-23:59", &ok), base + 250000 + (23 * 3600 + 59 * 60) * US);
    CHECK(ok);
    CHECK_INT(tp("1970-01-01", &ok), 0);
    CHECK(ok);
    CHECK_INT(tp("1969-12-31 23:59:59", &ok), -1 * US);
    CHECK(ok);
    CHECK_INT(tp("2000-02-29", &ok), 951782400LL * US);
    CHECK(ok);
    CHECK_INT(tp("0001-01-01", &ok), -62135596800LL * US);
    CHECK(ok);
    CHECK_INT(tp("9999-12-31 23:59:59.999999", &ok), 253402300799LL * US + 999999);
    CHECK(ok);
}

static void test_rejected_forms(void) {
    int ok;
    const char *bad[] = {
        "",
        "2020",
        "2020-8-28",
        "2020-08-28 ",
        " 2020-08-28",
        "2020-08-28x",
        "2020/08/28",
        "20-08-28",
        "2020-13-01",
        "2020-00-10",
        "2020-01-00",
        "2020-02-30",
        "2019-02-29",
        "1900-02-29",
        "2021-04-31",
        "0000-01-01",
        "2020-08-28 24:00:00",
        "2020-08-28 23:60:00",
        "2020-08-28 23:59:60",
        "2020-08-28 03:52",
        "2020-08-28T03:52:47.",
        "2020-08-28 03:52:47.1234567890",
        "2020-08-28 03:52:47+24:00",
        "2020-08-28 03:52:47+01:60",
        "2020-08-28 03:52:47+1",
        "2020-08-28 03:52:47+01",
        "2020-08-28 03:52:47+01:0",
        "2020-08-28 03:52:47z",
        "2020-08-28 03:52:47 Z",
        "2020-08-28 03:52:47Z ",
        "2020-08-28t03:52:47",
        "2020-08-28_03:52:47",
        "2020-08-28 03:52:47+01:00:00",
        "0001-01-01 00:30:00+01:00", /* year 0000 after conversion to UTC */
        "9999-12-31 23:30:00-01:00", /* year 10000 after conversion */
        "+2020-08-28",
        "2020-08-28 3:52:47",
        "2020-08-28 03:52:47.12a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tp(bad[i], &ok);
        if (ok)
            fprintf(stderr, "  accepted: '%s'\n", bad[i]);
        CHECK(!ok);
    }
    tp("0001-01-01 01:30:00+01:00", &ok);
    CHECK(ok);
}

static void test_epoch_seconds(void) {
    int ok;
    CHECK_INT(ts("1598586767", &ok), 1598586767LL * US);
    CHECK(ok);
    CHECK_INT(ts("1598586767.25", &ok), 1598586767LL * US + 250000);
    CHECK(ok);
    CHECK_INT(ts("1.59858676725e9", &ok), 1598586767LL * US + 250000);
    CHECK(ok);
    CHECK_INT(ts("0.0000005", &ok), 1);
    CHECK(ok); /* half -> away from zero */
    CHECK_INT(ts("0.00000049999999999", &ok), 0);
    CHECK(ok);
    CHECK_INT(ts("-0.0000005", &ok), -1);
    CHECK(ok);
    CHECK_INT(ts("-0.0000004", &ok), 0);
    CHECK(ok);
    CHECK_INT(ts("1.0000015", &ok), 1000002);
    CHECK(ok);
    CHECK_INT(ts("-1.5", &ok), -1500000);
    CHECK(ok);
    CHECK_INT(ts("1e-7", &ok), 0);
    CHECK(ok);
    CHECK_INT(ts("5e-7", &ok), 1);
    CHECK(ok);
    CHECK_INT(ts("-62135596800", &ok), -62135596800LL * US);
    CHECK(ok);
    CHECK_INT(ts("253402300799.9999994", &ok), 253402300799LL * US + 999999);
    CHECK(ok);
    ts("253402300799.9999995", &ok);
    CHECK(!ok); /* rounds into year 10000 */
    ts("-62135596800.000001", &ok);
    CHECK(!ok);
    ts("1e300", &ok);
    CHECK(!ok);
    ts("\"1598586767\"", &ok);
    CHECK(!ok);
    ts("01", &ok);
    CHECK(!ok);
    ts("1.", &ok);
    CHECK(!ok);
    ts("", &ok);
    CHECK(!ok);
}

static void test_in_records(void) {
    int w;
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\":1,\"timestamp\":\"2020-08-28 03:52:47\"}",
                         PINETL_GEO_TIMESTAMP, &w),
              "2020-08-28T03:52:47Z");
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\":1,\"timestamp\":1598586767.25}",
                         PINETL_GEO_TIMESTAMP, &w),
              "2020-08-28T03:52:47.250000Z");
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\":1,\"timestamp\":\"2020-02-30\"}",
                         PINETL_GEO_TIMESTAMP, &w),
              "null");
    CHECK_INT(w, 1);
    CHECK_STR(
        clean_cell(PINETL_TABLE_GEO, "{\"ind\":1,\"timestamp\":true}", PINETL_GEO_TIMESTAMP, &w),
        "null");
    CHECK_INT(w, 1);
    CHECK_STR(
        clean_cell(PINETL_TABLE_GEO, "{\"ind\":1,\"timestamp\":null}", PINETL_GEO_TIMESTAMP, &w),
        "null");
    CHECK_INT(w, 0);
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\":1}", PINETL_GEO_TIMESTAMP, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(clean_cell(PINETL_TABLE_USER,
                         "{\"ind\":1,\"date_joined\":\"2015-10-24T11:23:51+02:00\"}",
                         PINETL_USER_DATE_JOINED, &w),
              "2015-10-24T09:23:51Z");
}

int main(void) {
    RUN(test_forms);
    RUN(test_rejected_forms);
    RUN(test_epoch_seconds);
    RUN(test_in_records);
    return check_done();
}
