/* The pinetl SQL functions on every SQLite argument type: NULL, BLOB, INTEGER, REAL and TEXT,
 * including texts longer than the functions' small buffer and texts with quotes or backslashes.
 * Values that a rule cannot read are NULL, never an error. Run on a warehouse connection, which
 * registers the functions itself. */
#include <stdio.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"

static pinetl_warehouse *wh;

/* The single value of a one-row, one-column query as text ("NULL" for SQL NULL). */
static const char *one(const char *sql) {
    static char buf[256];
    pinetl_insights *r = NULL;
    if (pinetl_warehouse_query(&r, wh, sql, "v")) {
        snprintf(buf, sizeof buf, "ERROR %s", pinetl_error_last());
        return buf;
    }
    if (pinetl_insights_rows(r, 0) != 1 || pinetl_insights_columns(r, 0) != 1)
        snprintf(buf, sizeof buf, "%zu rows", pinetl_insights_rows(r, 0));
    else
        switch (pinetl_insights_value_type(r, 0, 0, 0)) {
        case PINETL_VALUE_NULL: snprintf(buf, sizeof buf, "NULL"); break;
        case PINETL_VALUE_INT64:
            snprintf(buf, sizeof buf, "%lld", (long long)pinetl_insights_int64(r, 0, 0, 0));
            break;
        case PINETL_VALUE_REAL: {
            char d[PINETL_DOUBLE_BUFSIZE];
            pinetl_double_format(d, pinetl_insights_real(r, 0, 0, 0));
            snprintf(buf, sizeof buf, "%s", d);
            break;
        }
        default: snprintf(buf, sizeof buf, "'%s'", pinetl_insights_text(r, 0, 0, 0, NULL));
        }
    pinetl_insights_free(r);
    return buf;
}

static void test_null_and_blob_arguments_are_null(void) {
    const char *fns[] = {"pinetl_follower_count",
                         "pinetl_timestamp",
                         "pinetl_timestamp_us",
                         "pinetl_year",
                         "pinetl_age",
                         "pinetl_key",
                         "pinetl_age_group",
                         "pinetl_age_group_index",
                         "pinetl_save_location"};
    char sql[128];
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        snprintf(sql, sizeof sql, "SELECT %s(NULL)", fns[i]);
        CHECK_STR(one(sql), "NULL");
        /* The bytes "20" as a BLOB: pinetl_follower_count and pinetl_save_location used to
         * read them as the text "20" (sqlite3_value_text converted the value before its type
         * was checked). */
        snprintf(sql, sizeof sql, "SELECT %s(x'3230')", fns[i]);
        if (strcmp(one(sql), "NULL"))
            fprintf(stderr, "  %s\n", sql);
        CHECK_STR(one(sql), "NULL");
    }
}

static void test_numbers_as_epoch_seconds(void) {
    CHECK_STR(one("SELECT pinetl_timestamp(1598586767.25)"), "'2020-08-28T03:52:47.250000Z'");
    CHECK_STR(one("SELECT pinetl_timestamp_us(1.5)"), "1500000");
    CHECK_STR(one("SELECT pinetl_year(0)"), "1970");
    CHECK_STR(one("SELECT pinetl_year(-62135596801)"), "NULL");      /* before year 1 */
    CHECK_STR(one("SELECT pinetl_timestamp(253402300800)"), "NULL"); /* year 10000 */
    CHECK_STR(one("SELECT pinetl_timestamp_us('not a time')"), "NULL");
    CHECK_STR(one("SELECT pinetl_year('2020-13-01')"), "NULL");
}

static void test_ages_and_keys_from_each_type(void) {
    CHECK_STR(one("SELECT pinetl_age(20.5)"), "NULL");
    CHECK_STR(one("SELECT pinetl_age('0020')"), "20");
    CHECK_STR(one("SELECT pinetl_key(-3)"), "-3");
    CHECK_STR(one("SELECT pinetl_key(1e3)"), "1000");
    CHECK_STR(one("SELECT pinetl_key('12\"3')"), "NULL"); /* a quote cannot be a key */
    CHECK_STR(one("SELECT pinetl_key('12\\3')"), "NULL"); /* nor a backslash */
    /* Longer than the 64-byte buffer: still read (here too long for int64, then a valid one). */
    CHECK_STR(
        one("SELECT pinetl_key('1234567890123456789012345678901234567890123456789012345678901234567890')"),
        "NULL");
    CHECK_STR(
        one("SELECT pinetl_key('000000000000000000000000000000000000000000000000000000000000000000042')"),
        "42");
}

static void test_age_groups_of_reals_and_texts(void) {
    CHECK_STR(one("SELECT pinetl_age_group(30.0)"), "'25-35'");
    CHECK_STR(one("SELECT pinetl_age_group(30.5)"), "NULL");
    CHECK_STR(one("SELECT pinetl_age_group(1e300)"), "NULL");
    CHECK_STR(one("SELECT pinetl_age_group('30')"), "NULL");
    CHECK_STR(one("SELECT pinetl_age_group(17)"), "NULL");
    CHECK_STR(one("SELECT pinetl_age_group_index(24.0)"), "0");
    CHECK_STR(one("SELECT pinetl_age_group_index(-1e300)"), "NULL");
}

static void test_text_only_functions(void) {
    CHECK_STR(one("SELECT pinetl_save_location(12)"), "NULL");
    CHECK_STR(one("SELECT pinetl_follower_count(x'3132')"), "NULL");
    CHECK_STR(one("SELECT pinetl_follower_count(x'31326b')"), "NULL"); /* "12k" as a BLOB */
    CHECK_STR(one("SELECT pinetl_save_location(x'4c6f63616c207361766520696e202f61')"), "NULL");
    /* Numbers are read through their text, like the JSON text of the cleaner. */
    CHECK_STR(one("SELECT pinetl_follower_count(2.5)"), one("SELECT pinetl_follower_count('2.5')"));
}

static void test_median_of_reals_and_nulls(void) {
    CHECK_STR(one("WITH t(x) AS (VALUES (1.0), (NULL), (3.0), (2)) SELECT pinetl_median(x) FROM t"),
              "2");
    CHECK_STR(one("WITH t(x) AS (VALUES (1), (2)) SELECT pinetl_median_interpolated(x) FROM t"),
              "1.5");
    CHECK_STR(
        one("WITH t(x) AS (VALUES (NULL), (NULL)) SELECT pinetl_median_interpolated(x) FROM t"),
        "NULL");
    CHECK_STR(one("SELECT pinetl_median(x) FROM (SELECT 1 AS x) WHERE x > 1"), "NULL");
    /* 1000 values: the value buffer grows several times. */
    CHECK_STR(one("WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < 1000)"
                  " SELECT pinetl_median(x) FROM t"),
              "500");
    const char *bad = one("WITH t(x) AS (VALUES (1), (2.5)) SELECT pinetl_median(x) FROM t");
    CHECK(strstr(bad, "ERROR") == bad);
    CHECK(strstr(bad, "values must be integers") != NULL);
}

int main(void) {
    if (pinetl_warehouse_open(&wh, ":memory:", 0)) {
        fprintf(stderr, "%s\n", pinetl_error_last());
        return 99;
    }
    RUN(test_null_and_blob_arguments_are_null);
    RUN(test_numbers_as_epoch_seconds);
    RUN(test_ages_and_keys_from_each_type);
    RUN(test_age_groups_of_reals_and_texts);
    RUN(test_text_only_functions);
    RUN(test_median_of_reals_and_nulls);
    pinetl_warehouse_free(wh);
    return check_done();
}
