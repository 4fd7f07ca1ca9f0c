/* The daily ledger in the warehouse's C schema (daily_ledger.h): rows stored and replaced per day
 * and table, read back as JSON in day and table order with bounds; "[]" without a ledger (also
 * read-only); bad days, tables and reason objects refused; a ledger an earlier pinetl created
 * from Python (the same table, written through sqlite3) is read and extended as it is. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "check.h"

static char path[] = "/tmp/pinetl-ledger-XXXXXX";

static pinetl_daily_load row(const char *day, pinetl_table t, int64_t read) {
    pinetl_daily_load l = {day, t, "f1", 1, 100, read, read - 1, 1, 0, "{\"bad_key\":1}"};
    l.written = read - 1;
    return l;
}

static char *loads(pinetl_warehouse *wh, const char *from, const char *until) {
    char *s = NULL;
    CHECK_INT(pinetl_warehouse_daily_loads(&s, wh, from, until), PINETL_OK);
    return s;
}

static void test_rows_are_stored_replaced_and_read(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, path, 0), PINETL_OK);
    char *s = loads(wh, NULL, NULL);
    CHECK_STR(s, "[]"); /* no ledger yet */
    pinetl_free(s);
    pinetl_daily_load a = row("2024-01-02", PINETL_TABLE_GEO, 5);
    pinetl_daily_load b = row("2024-01-01", PINETL_TABLE_USER, 7);
    pinetl_daily_load c = row("2024-01-02", PINETL_TABLE_GEO, 9); /* replaces a */
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &a), PINETL_OK);
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &b), PINETL_OK);
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &c), PINETL_OK);
    s = loads(wh, NULL, NULL);
    CHECK_STR(s, "[{\"day\":\"2024-01-01\",\"table\":\"user\",\"fingerprint\":\"f1\",\"files\":1,"
                 "\"bytes\":100,\"read\":7,\"cleaned\":6,\"rejected\":1,"
                 "\"rejected_by_reason\":{\"bad_key\":1},\"written\":6},"
                 "{\"day\":\"2024-01-02\",\"table\":\"geo\",\"fingerprint\":\"f1\",\"files\":1,"
                 "\"bytes\":100,\"read\":9,\"cleaned\":8,\"rejected\":1,"
                 "\"rejected_by_reason\":{\"bad_key\":1},\"written\":8}]");
    pinetl_free(s);
    s = loads(wh, NULL, "2024-01-01");
    CHECK(s && strstr(s, "2024-01-02") == NULL && strstr(s, "2024-01-01") != NULL);
    pinetl_free(s);
    s = loads(wh, "2024-01-02", "2024-01-02");
    CHECK(s && strstr(s, "2024-01-01") == NULL && strstr(s, "\"read\":9") != NULL);
    pinetl_free(s);
    pinetl_warehouse_free(wh);
}

static void test_bad_rows_are_refused(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    static const char *const days[] = {"2024-1-01", "2024-13-01", "2024-01-00", "20240101xx", ""};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        pinetl_daily_load l = row(days[i], PINETL_TABLE_PIN, 1);
        CHECK_INT(pinetl_warehouse_daily_load_put(wh, &l), PINETL_EINVAL);
    }
    CHECK(strstr(pinetl_error_last(), "is not YYYY-MM-DD") != NULL);
    pinetl_daily_load l = row("2024-01-01", (pinetl_table)5, 1);
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &l), PINETL_EINVAL);
    l = row("2024-01-01", PINETL_TABLE_PIN, 1);
    l.day = NULL;
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &l), PINETL_EINVAL);
    static const char *const not_objects[] = {"[]", "3", "{", ""};
    for (size_t i = 0; i < sizeof not_objects / sizeof *not_objects; i++) {
        l = row("2024-01-01", PINETL_TABLE_PIN, 1);
        l.rejected_by_reason = not_objects[i];
        CHECK_INT(pinetl_warehouse_daily_load_put(wh, &l), PINETL_EINVAL);
    }
    CHECK(strstr(pinetl_error_last(), "is not a JSON object") != NULL);
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_daily_load_put(NULL, &l), PINETL_EINVAL);
    char *s = loads(wh, NULL, NULL);
    CHECK_STR(s, "[]"); /* nothing was stored */
    pinetl_free(s);
    pinetl_warehouse_free(wh);
}

static void test_readonly_reads_and_refuses_writes(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, path, PINETL_WAREHOUSE_READONLY), PINETL_OK);
    char *s = loads(wh, NULL, NULL);
    CHECK(s && strstr(s, "\"read\":9") != NULL);
    pinetl_free(s);
    pinetl_daily_load l = row("2024-01-03", PINETL_TABLE_PIN, 1);
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &l), PINETL_ESQL);
    pinetl_warehouse_free(wh);
}

/* The ledger as pinetl's Python daily chain (airflow.py, through sqlite3) created and filled it. */
static void test_a_python_made_ledger_is_used_as_it_is(void) {
    char old[64];
    snprintf(old, sizeof old, "%s-old", path);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(old, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "CREATE TABLE IF NOT EXISTS pinetl_daily_load(day TEXT NOT NULL,"
                           " \"table\" TEXT NOT NULL, fingerprint TEXT NOT NULL, files INTEGER NOT"
                           " NULL, bytes INTEGER NOT NULL, read INTEGER NOT NULL, cleaned INTEGER"
                           " NOT NULL, rejected INTEGER NOT NULL, rejected_by_reason TEXT NOT"
                           " NULL, written INTEGER NOT NULL, PRIMARY KEY(day, \"table\"));"
                           "INSERT INTO pinetl_daily_load VALUES('2023-12-31', 'pin', 'abc', 2,"
                           " 10, 4, 3, 1, '{\"invalid_json\": 1}', 3);",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, old, 0), PINETL_OK);
    pinetl_daily_load l = row("2024-01-01", PINETL_TABLE_PIN, 2);
    CHECK_INT(pinetl_warehouse_daily_load_put(wh, &l), PINETL_OK);
    char *s = loads(wh, NULL, NULL);
    CHECK(s && strstr(s, "{\"day\":\"2023-12-31\",\"table\":\"pin\",\"fingerprint\":\"abc\","
                         "\"files\":2,\"bytes\":10,\"read\":4,\"cleaned\":3,\"rejected\":1,"
                         "\"rejected_by_reason\":{\"invalid_json\":1},\"written\":3},"
                         "{\"day\":\"2024-01-01\"") == s + 1);
    pinetl_free(s);
    pinetl_warehouse_free(wh);
    unlink(old);
}

int main(void) {
    int fd = mkstemp(path);
    if (fd < 0)
        return 99;
    close(fd);
    unlink(path);
    RUN(test_rows_are_stored_replaced_and_read);
    RUN(test_bad_rows_are_refused);
    RUN(test_readonly_reads_and_refuses_writes);
    RUN(test_a_python_made_ledger_is_used_as_it_is);
    char aux[80];
    const char *const suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(aux, sizeof aux, "%s%s", path, suffixes[i]);
        unlink(aux);
    }
    return check_done();
}
