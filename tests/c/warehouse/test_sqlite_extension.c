/* The loadable extension (pinetl.so) loads into a plain SQLite connection and provides the
 * cleaning rules and the medians as SQL functions. Its path comes from PINETL_SQLITE_EXTENSION
 * (set by meson). */
#include <sqlite3.h>
#include <stdlib.h>

#include "check.h"

static sqlite3 *db;

/* The first column of the first row of sql as text ("NULL" for null). */
static char result[256];
static const char *one(const char *sql) {
    sqlite3_stmt *st;
    snprintf(result, sizeof result, "ERROR");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        return result;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        snprintf(result, sizeof result, "%s", s ? s : "NULL");
    } else {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return result;
}

static void test_load(void) {
    const char *path = getenv("PINETL_SQLITE_EXTENSION");
    CHECK(path != NULL);
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_load_extension(db, path ? path : "pinetl", NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "load: %s\n", err ? err : "?");
    sqlite3_free(err);
    CHECK_INT(rc, SQLITE_OK);
}

static void test_functions(void) {
    CHECK_STR(one("SELECT pinetl_follower_count('26k')"), "26000");
    CHECK_STR(one("SELECT pinetl_follower_count('1.2345k')"), "1234");
    CHECK_STR(one("SELECT pinetl_follower_count('User Info Error')"), "NULL");
    CHECK_STR(one("SELECT pinetl_follower_count(437)"), "437");
    CHECK_STR(one("SELECT pinetl_timestamp('2020-08-28 03:52:47')"), "2020-08-28T03:52:47Z");
    CHECK_STR(one("SELECT pinetl_timestamp('2020-08-28T03:52:47.25+01:00')"),
              "2020-08-28T02:52:47.250000Z");
    CHECK_STR(one("SELECT pinetl_timestamp(1598586767)"), "2020-08-28T03:52:47Z");
    CHECK_STR(one("SELECT pinetl_timestamp('2021-02-29')"), "NULL");
    CHECK_STR(one("SELECT pinetl_timestamp_us('1970-01-01T00:00:01Z')"), "1000000");
    CHECK_STR(one("SELECT pinetl_year('2019-12-31T23:30:00-01:00')"), "2020");
    CHECK_STR(one("SELECT pinetl_age('20')"), "20");
    CHECK_STR(one("SELECT pinetl_age(151)"), "NULL");
    CHECK_STR(one("SELECT pinetl_age(20.0)"), "20");
    CHECK_STR(one("SELECT pinetl_key('7528')"), "7528");
    CHECK_STR(one("SELECT pinetl_key('75a')"), "NULL");
    CHECK_STR(one("SELECT pinetl_key('\"1\"')"), "NULL");
    const char *groups[][2] = {{"17", "NULL"},  {"18", "18-24"}, {"24", "18-24"},
                               {"25", "25-35"}, {"35", "25-35"}, {"36", "36-50"},
                               {"50", "36-50"}, {"51", "+50"},   {"NULL", "NULL"}};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT pinetl_age_group(%s)", groups[i][0]);
        CHECK_STR(one(sql), groups[i][1]);
    }
    CHECK_STR(one("SELECT pinetl_age_group_index(51)"), "3");
    CHECK_STR(one("SELECT pinetl_save_location('Local save in /data/art')"), "/data/art");
    CHECK_STR(one("SELECT pinetl_save_location('Local save in ')"), "NULL");
    CHECK(strlen(one("SELECT pinetl_version()")) > 0);
}

static void test_aggregates(void) {
    CHECK_STR(
        one("WITH t(x) AS (VALUES (4), (1), (NULL), (3), (2)) SELECT pinetl_median(x) FROM t"),
        "2");
    CHECK_STR(one("WITH t(x) AS (VALUES (4), (1), (3), (2)) SELECT pinetl_median_interpolated(x)"
                  " FROM t"),
              "2.5");
    CHECK_STR(one("WITH t(x) AS (VALUES (NULL)) SELECT pinetl_median(x) FROM t"), "NULL");
}

int main(void) {
    RUN(test_load);
    if (db) {
        RUN(test_functions);
        RUN(test_aggregates);
        sqlite3_close(db);
    }
    return check_done();
}
