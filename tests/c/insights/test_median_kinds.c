/* The two medians, in C and as the SQL aggregates pinetl_median / pinetl_median_interpolated:
 * rank ceil(n/2) for percentile_approx, the mean of the middle values for the interpolated one. */
#include "fixtures.h"
#include "insights/median.h"

static void test_c_medians(void) {
    int64_t one[] = {7};
    CHECK_INT(pinetl__median_approx(one, 1), 7);
    CHECK(pinetl__median_interpolated(one, 1) == 7.0);
    int64_t two[] = {1, 2};
    CHECK_INT(pinetl__median_approx(two, 2), 1);
    CHECK(pinetl__median_interpolated(two, 2) == 1.5);
    int64_t four[] = {40, 10, 30, 20};
    pinetl__median_sort(four, 4);
    CHECK_INT(four[0], 10);
    CHECK_INT(pinetl__median_approx(four, 4), 20);
    CHECK(pinetl__median_interpolated(four, 4) == 25.0);
    int64_t five[] = {1, 2, 3, 4, 100};
    CHECK_INT(pinetl__median_approx(five, 5), 3);
    CHECK(pinetl__median_interpolated(five, 5) == 3.0);
    int64_t neg[] = {-3, 4};
    CHECK(pinetl__median_interpolated(neg, 2) == 0.5);
    int64_t big[] = {INT64_MAX - 1, INT64_MAX};   /* no overflow in the mean */
    CHECK(pinetl__median_interpolated(big, 2) == (double)INT64_MAX);
    int64_t exact[] = {4503599627370494, 4503599627370495};   /* below 2^52: x.5 is exact */
    CHECK(pinetl__median_interpolated(exact, 2) == 4503599627370494.5);
}

/* The quickselect medians equal the sorted ones, on orders and duplicates that stress the
 * partitioning: random, sorted, reversed, all equal, few distinct values. */
static void test_select_matches_sort(void) {
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (size_t n = 1; n <= 2000; n += n < 40 ? 1 : 97) {
        for (int shape = 0; shape < 5; shape++) {
            int64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
            CHECK(a && b);
            if (!a || !b) {
                free(a);
                free(b);
                return;
            }
            for (size_t i = 0; i < n; i++) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                a[i] = shape == 0 ? (int64_t)(s >> 1) - INT64_MAX / 2
                     : shape == 1 ? (int64_t)i : shape == 2 ? -(int64_t)i
                     : shape == 3 ? 42 : (int64_t)(s % 3);
            }
            memcpy(b, a, n * sizeof *a);
            pinetl__median_sort(b, n);
            CHECK_INT(pinetl__median_approx_select(a, n), pinetl__median_approx(b, n));
            CHECK(pinetl__median_interpolated_select(a, n) == pinetl__median_interpolated(b, n));
            free(a);
            free(b);
        }
    }
}

static char *query(pinetl_warehouse *wh, const char *sql) {
    pinetl_insights *r = NULL;
    if (pinetl_warehouse_query(wh, sql, "q", &r)) {
        fprintf(stderr, "query failed: %s\n", pinetl_error_last());
        return NULL;
    }
    char *s = fx_rows(r);
    pinetl_insights_free(r);
    return s;
}

static void test_sql_aggregates(void) {
    pinetl_warehouse *wh;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), 0);
    char *s;
    s = query(wh, "WITH t(x) AS (VALUES (40), (10), (NULL), (30), (20))"
                  " SELECT pinetl_median(x), pinetl_median_interpolated(x) FROM t");
    CHECK_STR(s, "20|25r\n");
    free(s);
    s = query(wh, "WITH t(x) AS (VALUES (3), (1), (2.0)) SELECT pinetl_median(x),"
                  " pinetl_median_interpolated(x) FROM t");
    CHECK_STR(s, "2|2r\n");
    free(s);
    s = query(wh, "WITH t(x) AS (VALUES (NULL)) SELECT pinetl_median(x), "
                  "pinetl_median_interpolated(x) FROM t");
    CHECK_STR(s, "NULL|NULL\n");
    free(s);
    s = query(wh, "SELECT pinetl_median(x) FROM (SELECT 1 AS x WHERE 0)");
    CHECK_STR(s, "NULL\n");
    free(s);
    s = query(wh, "WITH t(g, x) AS (VALUES ('a', 1), ('a', 2), ('b', 5), ('a', 3), ('a', 4))"
                  " SELECT g, pinetl_median(x), pinetl_median_interpolated(x) FROM t"
                  " GROUP BY g ORDER BY g");
    CHECK_STR(s, "a|2|2.5r\nb|5|5r\n");
    free(s);
    /* Values that are not integers are an error, not a silent guess. */
    pinetl_insights *r = NULL;
    CHECK(pinetl_warehouse_query(wh, "WITH t(x) AS (VALUES ('x'), (1)) SELECT pinetl_median(x) FROM t",
                                 "q", &r) == PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "integers") != NULL);
    CHECK(pinetl_warehouse_query(wh, "WITH t(x) AS (VALUES (1.5)) SELECT pinetl_median(x) FROM t",
                                 "q", &r) == PINETL_ESQL);
    pinetl_warehouse_free(wh);
}

int main(void) {
    RUN(test_c_medians);
    RUN(test_select_matches_sort);
    RUN(test_sql_aggregates);
    return check_done();
}
