/* Results (pinetl_insights): accessors on NULL handles and out-of-range indexes give 0 / NULL /
 * PINETL_VALUE_NULL, values convert only where the header says so, pinetl_insights_equal names
 * the first difference of every kind, and rendering handles nulls, reals, control characters,
 * tables without rows or columns, and bad arguments (an unknown format allocates nothing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "util/alloc.h"

static pinetl_warehouse *wh;

static pinetl_insights *q(const char *sql, const char *name) {
    pinetl_insights *r = NULL;
    if (pinetl_warehouse_query(&r, wh, sql, name)) {
        fprintf(stderr, "query failed: %s: %s\n", sql, pinetl_error_last());
        exit(99);
    }
    return r;
}

static const char values_sql[] = "SELECT 7 AS i, 2.5 AS d, 'tx' AS s, NULL AS n";

static void test_accessors_out_of_range(void) {
    pinetl_insights *r = q(values_sql, "v");
    CHECK_INT(pinetl_insights_count(NULL), 0);
    CHECK_INT(pinetl_insights_count(r), 1);
    CHECK(pinetl_insights_table_name(r, 1) == NULL);
    CHECK(pinetl_insights_table_name(NULL, 0) == NULL);
    CHECK_INT(pinetl_insights_find(r, "v"), 0);
    CHECK_INT(pinetl_insights_find(r, "w"), -1);
    CHECK_INT(pinetl_insights_find(r, NULL), -1);
    CHECK_INT(pinetl_insights_find(NULL, "v"), -1);
    CHECK_INT(pinetl_insights_rows(r, 1), 0);
    CHECK_INT(pinetl_insights_columns(r, 1), 0);
    CHECK_INT(pinetl_insights_columns(NULL, 0), 0);
    CHECK_STR(pinetl_insights_column_name(r, 0, 3), "n");
    CHECK(pinetl_insights_column_name(r, 0, 4) == NULL);
    CHECK(pinetl_insights_column_name(r, 1, 0) == NULL);
    CHECK_INT(pinetl_insights_value_type(r, 0, 1, 0), PINETL_VALUE_NULL); /* row 1 */
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 4), PINETL_VALUE_NULL); /* column 4 */
    CHECK_INT(pinetl_insights_value_type(r, 1, 0, 0), PINETL_VALUE_NULL); /* table 1 */
    CHECK_INT(pinetl_insights_int64(r, 0, 5, 0), 0);
    CHECK(pinetl_insights_real(r, 0, 0, 9) == 0.0);
    size_t len = 99;
    CHECK(pinetl_insights_text(r, 0, 0, 9, &len) == NULL);
    CHECK_INT(len, 0);
    pinetl_insights_free(r);
    pinetl_insights_free(NULL);
}

static void test_value_conversions(void) {
    pinetl_insights *r = q(values_sql, "v");
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 0), PINETL_VALUE_INT64);
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 1), PINETL_VALUE_REAL);
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 2), PINETL_VALUE_TEXT);
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 3), PINETL_VALUE_NULL);
    CHECK_INT(pinetl_insights_int64(r, 0, 0, 0), 7);
    CHECK_INT(pinetl_insights_int64(r, 0, 0, 1), 0); /* a REAL is not an int64 */
    CHECK_INT(pinetl_insights_int64(r, 0, 0, 2), 0);
    CHECK(pinetl_insights_real(r, 0, 0, 0) == 7.0); /* an int64 reads as a double */
    CHECK(pinetl_insights_real(r, 0, 0, 1) == 2.5);
    CHECK(pinetl_insights_real(r, 0, 0, 2) == 0.0);
    CHECK(pinetl_insights_real(r, 0, 0, 3) == 0.0);
    size_t len = 99;
    CHECK(pinetl_insights_text(r, 0, 0, 0, &len) == NULL);
    CHECK_INT(len, 0);
    CHECK(pinetl_insights_text(r, 0, 0, 0, NULL) == NULL);
    CHECK_STR(pinetl_insights_text(r, 0, 0, 2, &len), "tx");
    CHECK_INT(len, 2);
    pinetl_insights_free(r);
}

/* pinetl_insights_equal of two queries' results, and its description. */
static int eq(const char *a_sql, const char *a_name, const char *b_sql, const char *b_name,
              const char *why_expected) {
    pinetl_insights *a = q(a_sql, a_name), *b = q(b_sql, b_name);
    char *why = (char *)1;
    int e = pinetl_insights_equal(&why, a, b);
    if (why_expected) {
        CHECK_STR(why, why_expected);
    } else {
        CHECK(why == NULL);
    }
    CHECK_INT(pinetl_insights_equal(NULL, a, b), e); /* no description asked */
    pinetl_free(why);
    pinetl_insights_free(a);
    pinetl_insights_free(b);
    return e;
}

static void test_equality_names_the_first_difference(void) {
    CHECK_INT(eq(values_sql, "v", values_sql, "v", NULL), 1);
    CHECK_INT(eq(values_sql, "v", values_sql, "w", "table 0: names differ (v, w)"), 0);
    CHECK_INT(
        eq("SELECT 1 AS a", "v", "SELECT 1 AS a, 2 AS b", "v", "v: column counts differ (1, 2)"),
        0);
    CHECK_INT(eq("SELECT 1 AS a", "v", "SELECT 1 AS b", "v", "v: column 0: names differ (a, b)"),
              0);
    CHECK_INT(eq("SELECT 1 AS a", "v", "SELECT 1 AS a UNION ALL SELECT 2", "v",
                 "v: row counts differ (1, 2)"),
              0);
    CHECK_INT(eq("SELECT 1 AS a", "v", "SELECT 2 AS a", "v", "v: values differ at row 0, column 0"),
              0);
    CHECK_INT(
        eq("SELECT 1 AS a", "v", "SELECT 1.0 AS a", "v", "v: values differ at row 0, column 0"), 0);
    CHECK_INT(
        eq("SELECT 1.5 AS a", "v", "SELECT 1.25 AS a", "v", "v: values differ at row 0, column 0"),
        0);
    CHECK_INT(eq("SELECT 'ab' AS a", "v", "SELECT 'abc' AS a", "v",
                 "v: values differ at row 0, column 0"),
              0);
    CHECK_INT(
        eq("SELECT 'ab' AS a", "v", "SELECT 'ac' AS a", "v", "v: values differ at row 0, column 0"),
        0);
    CHECK_INT(eq("SELECT NULL AS a, 'x' AS b", "v", "SELECT NULL AS a, 'x' AS b", "v", NULL), 1);
    /* Results with different numbers of tables: the nine insights against one query. */
    pinetl_insights *all = NULL, *one = q("SELECT 1", "top_category_by_country");
    CHECK_INT(pinetl_warehouse_insights(&all, wh, NULL), PINETL_OK);
    char *why = NULL;
    CHECK_INT(pinetl_insights_equal(&why, all, one), 0);
    CHECK_STR(why, "not the same number of tables (9, 1)");
    pinetl_free(why);
    CHECK_INT(pinetl_insights_equal(&why, all, all), 1);
    CHECK_INT(pinetl_insights_equal(&why, NULL, NULL), 1);
    CHECK_INT(pinetl_insights_equal(&why, all, NULL), 0);
    CHECK(why == NULL);
    pinetl_insights_free(all);
    pinetl_insights_free(one);
}

static char *render(const pinetl_insights *r, int format) {
    char *out = NULL;
    size_t len = 0;
    if (pinetl_insights_render(&out, &len, r, format)) {
        fprintf(stderr, "render failed: %s\n", pinetl_error_last());
        return NULL;
    }
    CHECK_INT(strlen(out), len);
    return out;
}

static void test_render_nulls_reals_and_control_characters(void) {
    pinetl_insights *r = q("SELECT 'a' || char(9) || 'b' || char(10) AS name, 1.5 AS x, NULL AS n"
                           " UNION ALL SELECT 'é', 10, 2",
                           "t");
    char *table = render(r, PINETL_INSIGHTS_TABLE);
    CHECK_STR(table, "t (2 rows)\n"
                     "name    x  n\n"
                     "----  ---  -\n"
                     "a b   1.5   \n"
                     "é      10  2\n");
    pinetl_free(table);
    char *json = render(r, PINETL_INSIGHTS_JSON);
    CHECK_STR(json, "{\n\"t\": [\n  {\"name\": \"a\\tb\\n\", \"x\": 1.5, \"n\": null},\n"
                    "  {\"name\": \"é\", \"x\": 10, \"n\": 2}\n]\n}\n");
    pinetl_free(json);
    char *csv = render(r, PINETL_INSIGHTS_CSV);
    CHECK_STR(csv, "name,x,n\n\"a\tb\n\",1.5,\n\xc3\xa9,10,2\n");
    pinetl_free(csv);
    pinetl_insights_free(r);
}

static void test_render_tables_without_rows_or_columns(void) {
    pinetl_insights *r = q("CREATE TABLE IF NOT EXISTS empty_t(x)", "ddl");
    char *out = render(r, PINETL_INSIGHTS_TABLE);
    CHECK_STR(out, "ddl (0 rows)\n\n\n");
    pinetl_free(out);
    pinetl_insights_free(r);
    r = q("SELECT 1 AS one WHERE 0", "none");
    out = render(r, PINETL_INSIGHTS_TABLE);
    CHECK_STR(out, "none (0 rows)\none\n---\n");
    pinetl_free(out);
    out = render(r, PINETL_INSIGHTS_JSON);
    CHECK_STR(out, "{\n\"none\": []\n}\n");
    pinetl_free(out);
    pinetl_insights_free(r);
}

static void test_render_bad_arguments(void) {
    pinetl_insights *r = q(values_sql, "v");
    char *out = (char *)1;
    size_t len = 5;
    CHECK_INT(pinetl_insights_render(&out, &len, NULL, PINETL_INSIGHTS_JSON), PINETL_EINVAL);
    CHECK_INT(pinetl_insights_render(NULL, &len, r, PINETL_INSIGHTS_JSON), PINETL_EINVAL);
    /* An unknown format is refused before anything is allocated (it used to leak a buffer):
     * the armed allocation failure is still pending afterwards. */
    pinetl__alloc_fail_nth(1);
    CHECK_INT(pinetl_insights_render(&out, &len, r, 0), PINETL_EINVAL);
    CHECK_INT(pinetl__alloc_fail_pending(), 1);
    pinetl__alloc_fail_nth(0);
    CHECK_STR(pinetl_error_last(), "unknown insights format 0");
    CHECK(out == NULL);
    CHECK_INT(pinetl_insights_render(&out, &len, r, 4), PINETL_EINVAL);
    /* len may be NULL. */
    CHECK_INT(pinetl_insights_render(&out, NULL, r, PINETL_INSIGHTS_CSV), PINETL_OK);
    CHECK_STR(out, "i,d,s,n\n7,2.5,tx,\n");
    pinetl_free(out);
    pinetl_insights_free(r);
}

int main(void) {
    if (pinetl_warehouse_open(&wh, ":memory:", 0)) {
        fprintf(stderr, "%s\n", pinetl_error_last());
        return 99;
    }
    RUN(test_accessors_out_of_range);
    RUN(test_value_conversions);
    RUN(test_equality_names_the_first_difference);
    RUN(test_render_nulls_reals_and_control_characters);
    RUN(test_render_tables_without_rows_or_columns);
    RUN(test_render_bad_arguments);
    pinetl_warehouse_free(wh);
    return check_done();
}
