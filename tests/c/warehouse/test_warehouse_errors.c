/* Warehouse errors: NULL arguments, unknown tables and insights, bad median kinds, a read-only
 * open of a missing file, a corrupt database file, a database without pinetl's tables, SQL that
 * fails to prepare or fails while it runs. Each is a negative code with a message naming what
 * failed, and the handle stays usable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "fixtures.h"

static char dir[] = "/tmp/pinetl-wh-errors-XXXXXX";

static void path_in_dir(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(99);
    }
}

static void test_null_arguments(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(NULL, ":memory:", 0), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_open(&wh, NULL, 0), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "NULL argument") != NULL);
    CHECK(wh == NULL);
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    int64_t n = -1;
    CHECK_INT(pinetl_warehouse_count(&n, NULL, "pin"), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_count(&n, wh, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_count(NULL, wh, "pin"), PINETL_EINVAL);
    pinetl_insights *r = (pinetl_insights *)1;
    CHECK_INT(pinetl_warehouse_query(&r, NULL, "SELECT 1", "q"), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_query(&r, wh, NULL, "q"), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_query(NULL, wh, "SELECT 1", "q"), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_insights(&r, NULL, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_insights(NULL, wh, NULL), PINETL_EINVAL);
    pinetl_load_stats st;
    memset(&st, 0xff, sizeof st);
    pinetl_warehouse_load_stats(&st, NULL); /* zeroes for no handle */
    CHECK_INT(st.rows, 0);
    CHECK_INT(st.rejects_written, 0);
    pinetl_warehouse_load_stats(NULL, wh); /* no crash */
    /* The handle still works. */
    CHECK_INT(pinetl_warehouse_count(&n, wh, "user"), PINETL_OK);
    CHECK_INT(n, 0);
    pinetl_warehouse_free(wh);
    pinetl_warehouse_free(NULL);
}

static void test_unknown_table_is_not_found(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    int64_t n = 42;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "pins"), PINETL_ENOTFOUND);
    CHECK_STR(pinetl_error_last(), "no table 'pins' in the warehouse");
    /* No SQL can be smuggled through the table name. */
    CHECK_INT(pinetl_warehouse_count(&n, wh, "pin; DROP TABLE pin"), PINETL_ENOTFOUND);
    CHECK_INT(n, 42);
    CHECK_INT(pinetl_warehouse_count(&n, wh, "rejects"), PINETL_OK);
    CHECK_INT(n, 0);
    pinetl_warehouse_free(wh);
}

static void test_insights_options_are_checked(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    pinetl_insights_options o;
    pinetl_insights_options_init(&o, PINETL_INSIGHTS_OPTIONS_VERSION);
    pinetl_insights_options_init(NULL, PINETL_INSIGHTS_OPTIONS_VERSION); /* no crash */
    pinetl_insights *r = NULL;
    o.median = 7;
    CHECK_INT(pinetl_warehouse_insights(&r, wh, &o), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown median kind 7");
    CHECK(r == NULL);
    const char *names[] = {"users_joined_by_year", "no_such_insight"};
    o.median = PINETL_MEDIAN_INTERPOLATED;
    o.names = names;
    o.nnames = 2;
    CHECK_INT(pinetl_warehouse_insights(&r, wh, &o), PINETL_ENOTFOUND);
    CHECK(strstr(pinetl_error_last(), "unknown insight 'no_such_insight'") != NULL);
    CHECK(r == NULL);
    /* A name given twice is computed once. */
    const char *twice[] = {"users_joined_by_year", "median_followers_by_join_year",
                           "users_joined_by_year"};
    o.names = twice;
    o.nnames = 3;
    CHECK_INT(pinetl_warehouse_insights(&r, wh, &o), PINETL_OK);
    CHECK_INT(pinetl_insights_count(r), 2);
    CHECK_STR(pinetl_insights_table_name(r, 0), "users_joined_by_year");
    CHECK_STR(pinetl_insights_table_name(r, 1), "median_followers_by_join_year");
    pinetl_insights_free(r);
    /* The same checks in memory. */
    pinetl_dataset *ds = NULL;
    CHECK_INT(pinetl_dataset_new(&ds), PINETL_OK);
    o.median = -1;
    CHECK_INT(pinetl_insights_compute(&r, ds, &o), PINETL_EINVAL);
    o.median = PINETL_MEDIAN_APPROX;
    o.names = names;
    o.nnames = 2;
    CHECK_INT(pinetl_insights_compute(&r, ds, &o), PINETL_ENOTFOUND);
    pinetl_dataset_free(ds);
    pinetl_warehouse_free(wh);
}

static void test_insight_sql_out_of_range(void) {
    CHECK(pinetl_warehouse_insight_sql((pinetl_insight)-1, PINETL_MEDIAN_APPROX) == NULL);
    CHECK(pinetl_warehouse_insight_sql((pinetl_insight)PINETL_INSIGHT_COUNT,
                                       PINETL_MEDIAN_APPROX) == NULL);
    CHECK(pinetl_warehouse_insight_sql((pinetl_insight)0, (pinetl_median_kind)2) == NULL);
    CHECK(pinetl_warehouse_insight_sql(PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP,
                                       (pinetl_median_kind)-1) == NULL);
    CHECK(pinetl_warehouse_insight_sql((pinetl_insight)0, PINETL_MEDIAN_INTERPOLATED) != NULL);
    const char *a = pinetl_warehouse_insight_sql(PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR,
                                                 PINETL_MEDIAN_APPROX);
    const char *i = pinetl_warehouse_insight_sql(PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR,
                                                 PINETL_MEDIAN_INTERPOLATED);
    CHECK(a && i && strcmp(a, i) != 0);
    CHECK(i && strstr(i, "pinetl_median_interpolated") != NULL);
}

static void test_readonly_missing_file(void) {
    char path[256];
    path_in_dir(path, sizeof path, "missing.db");
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, path, PINETL_WAREHOUSE_READONLY), PINETL_ESQL);
    CHECK(wh == NULL);
    CHECK(strstr(pinetl_error_last(), "cannot open") != NULL);
    CHECK(strstr(pinetl_error_last(), path) != NULL);
    CHECK(access(path, F_OK) != 0); /* read-only never creates it */
}

static void test_corrupt_database_file(void) {
    char path[256];
    path_in_dir(path, sizeof path, "corrupt.db");
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 131 + 7);
    write_file(path, junk, sizeof junk);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, path, 0), PINETL_ESQL);
    CHECK(wh == NULL);
    /* "path: setting WAL mode: file is not a database" */
    CHECK(strstr(pinetl_error_last(), path) == pinetl_error_last());
    CHECK(strstr(pinetl_error_last(), "not a database") != NULL);
    CHECK_INT(pinetl_warehouse_open(&wh, path, PINETL_WAREHOUSE_READONLY), PINETL_OK);
    int64_t n;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "pin"), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "pin: ") == pinetl_error_last());
    CHECK(strstr(pinetl_error_last(), "not a database") != NULL);
    pinetl_warehouse_free(wh);
}

static void test_database_without_pinetl_tables(void) {
    char path[256];
    path_in_dir(path, sizeof path, "other.db");
    pinetl_warehouse *wh = NULL;
    /* An empty file is an empty SQLite database: read-only opens it, finds no tables. */
    write_file(path, "", 0);
    CHECK_INT(pinetl_warehouse_open(&wh, path, PINETL_WAREHOUSE_READONLY), PINETL_OK);
    int64_t n = 7;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "geo"), PINETL_ESQL);
    CHECK_STR(pinetl_error_last(), "geo: no such table: geo");
    CHECK_INT(n, 7);
    pinetl_insights *r = NULL;
    CHECK_INT(pinetl_warehouse_insights(&r, wh, NULL), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "top_category_by_country: no such table") != NULL);
    CHECK(r == NULL);
    /* Loading into a read-only handle fails and stores nothing. */
    pinetl_batch *b = fx_batch(PINETL_TABLE_USER, "{\"ind\":1,\"age\":30}");
    CHECK(b != NULL);
    CHECK_INT(pinetl_warehouse_load(wh, b), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "the warehouse was opened read-only");
    pinetl_batch_free(b);
    pinetl_warehouse_free(wh);
    /* Opened for writing, the same file gets the schema. */
    CHECK_INT(pinetl_warehouse_open(&wh, path, 0), PINETL_OK);
    CHECK_INT(pinetl_warehouse_count(&n, wh, "geo"), PINETL_OK);
    CHECK_INT(n, 0);
    pinetl_warehouse_free(wh);
}

static void test_read_only_handle_rejects_writes(void) {
    char path[256];
    path_in_dir(path, sizeof path, "ro.db");
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, path, 0), PINETL_OK);
    pinetl_warehouse_free(wh);
    CHECK_INT(pinetl_warehouse_open(&wh, path, PINETL_WAREHOUSE_READONLY), PINETL_OK);
    pinetl_batch *b = fx_batch(PINETL_TABLE_GEO, "{\"ind\":1,\"country\":\"Chad\"}\nnot json");
    CHECK(b != NULL);
    CHECK_INT(pinetl_warehouse_load(wh, b), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "the warehouse was opened read-only");
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "the warehouse was opened read-only");
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_warehouse_commit: no load transaction is open");
    pinetl_insights *r = NULL;
    CHECK(pinetl_warehouse_query(&r, wh, "DELETE FROM geo", "d") < 0);
    CHECK(r == NULL);
    int64_t n = -1;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "geo"), PINETL_OK);
    CHECK_INT(n, 0);
    pinetl_batch_free(b);
    pinetl_warehouse_free(wh);
}

static void test_query_errors(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    pinetl_insights *r = (pinetl_insights *)1;
    CHECK_INT(pinetl_warehouse_query(&r, wh, "SELEKT 1", "q"), PINETL_ESQL);
    CHECK(r == NULL);
    CHECK(strstr(pinetl_error_last(), "query: ") == pinetl_error_last());
    CHECK(strstr(pinetl_error_last(), "syntax error") != NULL);
    /* Fails while running (integer overflow in abs()), after a first row. */
    CHECK_INT(pinetl_warehouse_query(&r, wh,
                                     "SELECT abs(x) FROM (SELECT 1 AS x UNION ALL "
                                     "SELECT -9223372036854775807 - 1)",
                                     "q"),
              PINETL_ESQL);
    CHECK(r == NULL);
    CHECK(strstr(pinetl_error_last(), "integer overflow") != NULL);
    /* The median aggregate refuses values that are not integers. */
    CHECK_INT(pinetl_warehouse_query(&r, wh,
                                     "SELECT pinetl_median(x) FROM (SELECT 1 AS x UNION ALL "
                                     "SELECT 'a' UNION ALL SELECT 3)",
                                     "q"),
              PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "pinetl_median: values must be integers") != NULL);
    CHECK_INT(pinetl_warehouse_query(&r, wh,
                                     "SELECT pinetl_median_interpolated(x) FROM (SELECT 'a' "
                                     "AS x)",
                                     "q"),
              PINETL_ESQL);
    /* The handle still works; no name gives "query"; BLOBs come back as text. */
    CHECK_INT(pinetl_warehouse_query(&r, wh, "SELECT x'6869' AS b, NULL AS n, 2.5 AS d", NULL),
              PINETL_OK);
    CHECK_STR(pinetl_insights_table_name(r, 0), "query");
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 0), PINETL_VALUE_TEXT);
    CHECK_STR(pinetl_insights_text(r, 0, 0, 0, NULL), "hi");
    CHECK_INT(pinetl_insights_value_type(r, 0, 0, 1), PINETL_VALUE_NULL);
    CHECK(pinetl_insights_real(r, 0, 0, 2) == 2.5);
    pinetl_insights_free(r);
    /* A statement without columns is a table with none. */
    CHECK_INT(pinetl_warehouse_query(&r, wh, "CREATE TABLE t(x)", "ddl"), PINETL_OK);
    CHECK_INT(pinetl_insights_columns(r, 0), 0);
    CHECK_INT(pinetl_insights_rows(r, 0), 0);
    pinetl_insights_free(r);
    pinetl_warehouse_free(wh);
}

int main(void) {
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 99;
    }
    RUN(test_null_arguments);
    RUN(test_unknown_table_is_not_found);
    RUN(test_insights_options_are_checked);
    RUN(test_insight_sql_out_of_range);
    RUN(test_readonly_missing_file);
    RUN(test_corrupt_database_file);
    RUN(test_database_without_pinetl_tables);
    RUN(test_read_only_handle_rejects_writes);
    RUN(test_query_errors);
    const char *names[] = {"missing.db",     "corrupt.db",    "other.db",     "ro.db",
                           "ro.db-wal",      "ro.db-shm",     "other.db-wal", "other.db-shm",
                           "corrupt.db-wal", "corrupt.db-shm"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char p[256];
        path_in_dir(p, sizeof p, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return check_done();
}
