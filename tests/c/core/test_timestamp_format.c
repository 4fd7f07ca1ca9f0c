/* Spec 2 timestamps written as YYYY-MM-DDTHH:MM:SSZ, with .ffffff only when the microseconds are not
 * zero; years 0001..9999 only; the UTC year of a timestamp. Cross-checked against the parser. */
#include "check.h"
#include "core_util.h"

#define US 1000000LL

static void test_format(void) {
    char buf[PINETL_TIMESTAMP_BUFSIZE];
    CHECK_INT(pinetl_timestamp_format(buf, 0), 20);
    CHECK_STR(buf, "1970-01-01T00:00:00Z");
    pinetl_timestamp_format(buf, 1598586767LL * US);
    CHECK_STR(buf, "2020-08-28T03:52:47Z");
    CHECK_INT(pinetl_timestamp_format(buf, 1598586767LL * US + 250000), 27);
    CHECK_STR(buf, "2020-08-28T03:52:47.250000Z");
    pinetl_timestamp_format(buf, 1598586767LL * US + 1);
    CHECK_STR(buf, "2020-08-28T03:52:47.000001Z");
    pinetl_timestamp_format(buf, -1);
    CHECK_STR(buf, "1969-12-31T23:59:59.999999Z");
    pinetl_timestamp_format(buf, 951782400LL * US);
    CHECK_STR(buf, "2000-02-29T00:00:00Z");
    pinetl_timestamp_format(buf, -62135596800LL * US);
    CHECK_STR(buf, "0001-01-01T00:00:00Z");
    pinetl_timestamp_format(buf, 253402300799LL * US + 999999);
    CHECK_STR(buf, "9999-12-31T23:59:59.999999Z");
    CHECK_INT(pinetl_timestamp_format(buf, 253402300800LL * US), -1);
    CHECK_INT(pinetl_timestamp_format(buf, -62135596800LL * US - 1), -1);
    CHECK_INT(pinetl_timestamp_format(buf, INT64_MIN), -1);
}

static void test_year(void) {
    CHECK_INT(pinetl_timestamp_year(0), 1970);
    CHECK_INT(pinetl_timestamp_year(-1), 1969);
    CHECK_INT(pinetl_timestamp_year(1598586767LL * US), 2020);
    CHECK_INT(pinetl_timestamp_year(1609459199LL * US + 999999), 2020);
    CHECK_INT(pinetl_timestamp_year(1609459200LL * US), 2021);
    CHECK_INT(pinetl_timestamp_year(-62135596800LL * US), 1);
    CHECK_INT(pinetl_timestamp_year(253402300799LL * US), 9999);
}

/* Every day of 1600..2400 and a spread of times: format, parse back, same value. */
static void test_round_trip(void) {
    int bad = 0;
    int64_t start = -11676096000LL, end = 13569465600LL; /* 1600-01-01 .. 2400-01-01 */
    for (int64_t s = start; s < end; s += 86400 + 3607) {
        for (int k = 0; k < 2; k++) {
            int64_t us = s * US + (k ? 123457 : 0);
            char buf[PINETL_TIMESTAMP_BUFSIZE];
            int64_t back = 0;
            int n = pinetl_timestamp_format(buf, us);
            if (n <= 0 || !pinetl_timestamp_parse(&back, buf, (size_t)n) || back != us) {
                if (bad++ < 5)
                    fprintf(stderr, "  %lld -> %s -> %lld\n", (long long)us, buf, (long long)back);
            }
        }
    }
    CHECK_INT(bad, 0);
}

int main(void) {
    RUN(test_format);
    RUN(test_year);
    RUN(test_round_trip);
    return check_done();
}
