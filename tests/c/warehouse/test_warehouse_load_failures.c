/* Loads that fail inside SQLite: a trigger that refuses rows of a table or rejects, a table whose
 * columns are not pinetl's. A single load fails alone with PINETL_ESQL and SQLite's message; in a
 * load transaction the whole transaction is rolled back, counts included, and the message says
 * so. Either way nothing is half-stored and the handle loads again once the cause is gone. */
#include <stdio.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "fixtures.h"

static const char users[] = "{\"ind\":1,\"first_name\":\"A\",\"last_name\":\"B\",\"age\":30,"
                            "\"date_joined\":\"2016-01-01 00:00:00\"}\n"
                            "{\"ind\":2,\"age\":41}";
static const char geos[] = "{\"ind\":1,\"country\":\"Chad\",\"latitude\":1,\"longitude\":2,"
                           "\"timestamp\":\"2020-01-01 00:00:00\"}\nnot json";

static void sql(pinetl_warehouse *wh, const char *text) {
    pinetl_insights *r = NULL;
    if (pinetl_warehouse_query(&r, wh, text, "sql"))
        fprintf(stderr, "%s: %s\n", text, pinetl_error_last());
    pinetl_insights_free(r);
}

static int64_t count(pinetl_warehouse *wh, const char *table) {
    int64_t n = -1;
    if (pinetl_warehouse_count(&n, wh, table))
        return -1;
    return n;
}

static void test_null_arguments_and_double_begin(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    pinetl_batch *b = fx_batch(PINETL_TABLE_USER, users);
    CHECK_INT(pinetl_warehouse_load(NULL, b), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_load(wh, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_begin(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_commit(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_warehouse_begin: a load transaction is open");
    CHECK_INT(pinetl_warehouse_load(wh, b), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_OK);
    CHECK_INT(count(wh, "user"), 2);
    pinetl_batch_free(b);
    pinetl_warehouse_free(wh);
}

static void test_refused_rows_fail_one_load(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    sql(wh,
        "CREATE TRIGGER frozen BEFORE INSERT ON geo BEGIN SELECT RAISE(ABORT, 'geo is frozen'); END");
    pinetl_batch *g = fx_batch(PINETL_TABLE_GEO, geos), *u = fx_batch(PINETL_TABLE_USER, users);
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "geo is frozen") != NULL);
    CHECK(strstr(pinetl_error_last(), "rolled back") == NULL); /* no transaction was open */
    CHECK_INT(count(wh, "geo"), 0);
    CHECK_INT(count(wh, "rejects"), 0); /* the batch's reject went with it */
    pinetl_load_stats st;
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.rows, 0);
    CHECK_INT(st.rejects, 0);
    /* Other tables load; once the trigger is gone, so does geo. */
    CHECK_INT(pinetl_warehouse_load(wh, u), PINETL_OK);
    sql(wh, "DROP TRIGGER frozen");
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_OK);
    CHECK_INT(count(wh, "geo"), 1);
    CHECK_INT(count(wh, "rejects"), 1);
    CHECK_INT(count(wh, "user"), 2);
    pinetl_batch_free(g);
    pinetl_batch_free(u);
    pinetl_warehouse_free(wh);
}

static void test_refused_rows_roll_back_the_transaction(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    sql(wh,
        "CREATE TRIGGER frozen BEFORE INSERT ON geo BEGIN SELECT RAISE(ABORT, 'geo is frozen'); END");
    pinetl_batch *g = fx_batch(PINETL_TABLE_GEO, geos), *u = fx_batch(PINETL_TABLE_USER, users);
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, u), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_OK); /* staged: written at the commit */
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "geo is frozen") != NULL);
    CHECK(strstr(pinetl_error_last(), "(the load transaction was rolled back)") != NULL);
    CHECK_INT(count(wh, "user"), 0);
    CHECK_INT(count(wh, "rejects"), 0);
    pinetl_load_stats st;
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.rows, 0);
    CHECK_INT(st.written, 0);
    /* The transaction is over. */
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_EINVAL);
    sql(wh, "DROP TRIGGER frozen");
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, u), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_OK);
    CHECK_INT(count(wh, "user"), 2);
    CHECK_INT(count(wh, "geo"), 1);
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.rows, 3);
    CHECK_INT(st.rejects, 1);
    pinetl_batch_free(g);
    pinetl_batch_free(u);
    pinetl_warehouse_free(wh);
}

static void test_refused_rejects(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    sql(wh,
        "CREATE TRIGGER no_rejects BEFORE INSERT ON rejects BEGIN SELECT RAISE(ABORT, 'no rejects'); END");
    pinetl_batch *g = fx_batch(PINETL_TABLE_GEO, geos);
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "no rejects") != NULL);
    CHECK_INT(count(wh, "geo"), 0);
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "(the load transaction was rolled back)") != NULL);
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_EINVAL);
    pinetl_batch_free(g);
    pinetl_warehouse_free(wh);
}

/* A user table made by someone else, without pinetl's columns: the load cannot be prepared. */
static void test_foreign_table_schema(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    sql(wh, "DROP TABLE user");
    sql(wh, "CREATE TABLE user(ind INTEGER PRIMARY KEY, nickname TEXT)");
    pinetl_batch *u = fx_batch(PINETL_TABLE_USER, users), *g = fx_batch(PINETL_TABLE_GEO, geos);
    CHECK_INT(pinetl_warehouse_load(wh, u), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "user_name") != NULL); /* "no column named user_name" */
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, g), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, u), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "(the load transaction was rolled back)") != NULL);
    CHECK_INT(count(wh, "geo"), 0); /* the geo rows of the same transaction are undone too */
    CHECK_INT(count(wh, "user"), 0);
    pinetl_batch_free(u);
    pinetl_batch_free(g);
    pinetl_warehouse_free(wh);
}

int main(void) {
    RUN(test_null_arguments_and_double_begin);
    RUN(test_refused_rows_fail_one_load);
    RUN(test_refused_rows_roll_back_the_transaction);
    RUN(test_refused_rejects);
    RUN(test_foreign_table_schema);
    return check_done();
}
