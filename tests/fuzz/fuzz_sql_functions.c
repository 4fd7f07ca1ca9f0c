/* Fuzz target: the pinetl SQL functions (warehouse/sql_functions.c) on an in-memory SQLite
 * connection with the functions registered.
 *
 * The input goes to each one-argument function four ways: as TEXT (any bytes, NULs and bad UTF-8
 * included), as a BLOB, as the INTEGER and as the REAL made of its first 8 bytes. Every call must
 * succeed with a result of the documented type (INTEGER, TEXT or NULL as the function says), the
 * timestamp functions must agree with each other, and pinetl_age_group must agree with
 * pinetl_age_group_index. The input, cut into 8-byte integers, is also fed to the two median
 * aggregates, whose results must lie between the smallest and the largest value. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "warehouse/sql_functions.h"

enum { R_INT = 1, R_TEXT = 2 };

static const struct {
    const char *name;
    int type;
} fns[] = {
    {"pinetl_follower_count", R_INT},
    {"pinetl_timestamp", R_TEXT},
    {"pinetl_timestamp_us", R_INT},
    {"pinetl_year", R_INT},
    {"pinetl_age", R_INT},
    {"pinetl_key", R_INT},
    {"pinetl_age_group", R_TEXT},
    {"pinetl_age_group_index", R_INT},
    {"pinetl_save_location", R_TEXT},
};
enum { NFN = sizeof fns / sizeof fns[0] };

static sqlite3 *db;
static sqlite3_stmt *calls[NFN], *ins, *clear, *median;

static void setup(void) {
    FUZZ_ASSERT(sqlite3_open(":memory:", &db) == SQLITE_OK);
    FUZZ_ASSERT(pinetl__sql_register(db) == SQLITE_OK);
    for (int i = 0; i < NFN; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT %s(?1)", fns[i].name);
        FUZZ_ASSERT(sqlite3_prepare_v2(db, sql, -1, &calls[i], NULL) == SQLITE_OK);
    }
    FUZZ_ASSERT(sqlite3_exec(db, "CREATE TABLE v(x INTEGER)", NULL, NULL, NULL) == SQLITE_OK);
    FUZZ_ASSERT(sqlite3_prepare_v2(db, "INSERT INTO v VALUES (?1)", -1, &ins, NULL) == SQLITE_OK);
    FUZZ_ASSERT(sqlite3_prepare_v2(db, "DELETE FROM v", -1, &clear, NULL) == SQLITE_OK);
    FUZZ_ASSERT(sqlite3_prepare_v2(db,
                                   "SELECT pinetl_median(x), pinetl_median_interpolated(x), "
                                   "min(x), max(x), count(x) FROM v",
                                   -1, &median, NULL) == SQLITE_OK);
}

/* Runs function i on the value bound by bind; returns the result's type, checked. */
static int call(int i, sqlite3_int64 *iv, char *text, size_t cap) {
    sqlite3_stmt *st = calls[i];
    FUZZ_ASSERT(sqlite3_step(st) == SQLITE_ROW);
    int t = sqlite3_column_type(st, 0);
    FUZZ_ASSERT(t == SQLITE_NULL || t == (fns[i].type == R_INT ? SQLITE_INTEGER : SQLITE_TEXT));
    if (t == SQLITE_INTEGER && iv)
        *iv = sqlite3_column_int64(st, 0);
    if (t == SQLITE_TEXT) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        FUZZ_ASSERT(s != NULL && n >= 0);
        FUZZ_ASSERT(fuzz_utf8_valid((const unsigned char *)s, (size_t)n) ||
                    !strcmp(fns[i].name, "pinetl_save_location"));
        if (text) {
            size_t k = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
            memcpy(text, s, k);
            text[k] = '\0';
        }
    }
    FUZZ_ASSERT(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
    return t;
}

static void bind_all(int how, const uint8_t *data, size_t size) {
    sqlite3_int64 iv = 0;
    double dv = 0;
    memcpy(&iv, data, size < 8 ? size : 8);
    memcpy(&dv, &iv, sizeof dv);
    for (int i = 0; i < NFN; i++) {
        sqlite3_stmt *st = calls[i];
        int rc;
        if (how == 0)
            rc = sqlite3_bind_text64(st, 1, size ? (const char *)data : "", size, SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
        else if (how == 1)
            rc = sqlite3_bind_blob64(st, 1, size ? (const void *)data : "", size, SQLITE_TRANSIENT);
        else if (how == 2)
            rc = sqlite3_bind_int64(st, 1, iv);
        else
            rc = sqlite3_bind_double(st, 1, dv);
        FUZZ_ASSERT(rc == SQLITE_OK);
    }
}

static void one_way(int how, const uint8_t *data, size_t size) {
    bind_all(how, data, size);
    sqlite3_int64 r[NFN];
    char text[NFN][64];
    int t[NFN];
    for (int i = 0; i < NFN; i++)
        t[i] = call(i, &r[i], text[i], sizeof text[i]);
    /* pinetl_timestamp, _us and _year: all NULL or none. */
    FUZZ_ASSERT((t[1] == SQLITE_NULL) == (t[2] == SQLITE_NULL));
    FUZZ_ASSERT((t[1] == SQLITE_NULL) == (t[3] == SQLITE_NULL));
    /* A BLOB is never a timestamp, age group or save location. */
    if (how == 1)
        FUZZ_ASSERT(t[1] == SQLITE_NULL && t[6] == SQLITE_NULL && t[8] == SQLITE_NULL);
    /* pinetl_age_group and its index agree. */
    static const char *const groups[] = {"18-24", "25-35", "36-50", "+50"};
    FUZZ_ASSERT((t[6] == SQLITE_NULL) == (t[7] == SQLITE_NULL));
    if (t[7] != SQLITE_NULL) {
        FUZZ_ASSERT(r[7] >= 0 && r[7] <= 3);
        FUZZ_ASSERT(!strcmp(text[6], groups[r[7]]));
    }
}

static void medians(const uint8_t *data, size_t size) {
    FUZZ_ASSERT(sqlite3_step(clear) == SQLITE_DONE);
    sqlite3_reset(clear);
    for (size_t i = 0; i + 8 <= size && i < 8 * 256; i += 8) {
        sqlite3_int64 v;
        memcpy(&v, data + i, 8);
        FUZZ_ASSERT(sqlite3_bind_int64(ins, 1, v) == SQLITE_OK);
        FUZZ_ASSERT(sqlite3_step(ins) == SQLITE_DONE);
        sqlite3_reset(ins);
    }
    FUZZ_ASSERT(sqlite3_step(median) == SQLITE_ROW);
    if (sqlite3_column_int64(median, 4) == 0) {
        FUZZ_ASSERT(sqlite3_column_type(median, 0) == SQLITE_NULL);
        FUZZ_ASSERT(sqlite3_column_type(median, 1) == SQLITE_NULL);
    } else {
        sqlite3_int64 lo = sqlite3_column_int64(median, 2), hi = sqlite3_column_int64(median, 3);
        FUZZ_ASSERT(sqlite3_column_type(median, 0) == SQLITE_INTEGER);
        sqlite3_int64 m = sqlite3_column_int64(median, 0);
        FUZZ_ASSERT(m >= lo && m <= hi);
        FUZZ_ASSERT(sqlite3_column_type(median, 1) == SQLITE_FLOAT);
        double d = sqlite3_column_double(median, 1);
        FUZZ_ASSERT(!isnan(d) && d >= (double)lo && d <= (double)hi);
    }
    FUZZ_ASSERT(sqlite3_step(median) == SQLITE_DONE);
    sqlite3_reset(median);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!db)
        setup();
    for (int how = 0; how < 4; how++)
        one_way(how, data, size);
    medians(data, size);
    return 0;
}
