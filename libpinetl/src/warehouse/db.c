/* The warehouse's connection: errors, schema, views, set-up. */
#include "db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <pinetl/warehouse.h>

#include "sql_functions.h"
#include "util/buf.h"
#include "util/error.h"

int pinetl__db_error(sqlite3 *db, const char *what) {
    return pinetl__error_set(PINETL_ESQL, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int pinetl__db_columns(pinetl_table table, int c, const char *names[2]) {
    if (pinetl_column_type(table, c) == PINETL_TYPE_COORDS) {
        names[0] = "latitude";
        names[1] = "longitude";
        return 2;
    }
    names[0] = pinetl_column_name(table, c);
    names[1] = NULL;
    return 1;
}

int pinetl__db_exec_waiting(sqlite3 *db, const char *sql) {
    struct timespec now, until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += PINETL__DB_BUSY_MS / 1000;
    long pause_us = 1000;
    for (;;) {
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            return rc;
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > until.tv_sec ||
            (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
            return rc;
        struct timespec pause = {0, pause_us * 1000};
        nanosleep(&pause, NULL);
        if (pause_us < 64000)
            pause_us *= 2;
    }
}

static const char *sql_type(int type) {
    switch (type) {
    case PINETL_TYPE_INT64: return "INTEGER";
    case PINETL_TYPE_COORDS: return "REAL";
    default: return "TEXT"; /* text; timestamps in the spec's output form */
    }
}

static const char rejects_sql[] =
    "CREATE TABLE IF NOT EXISTS rejects(\"table\" TEXT NOT NULL, source TEXT NOT NULL,"
    " line INTEGER NOT NULL, \"offset\" INTEGER NOT NULL, reason TEXT NOT NULL, message TEXT,"
    " raw, UNIQUE(\"table\", source, line, \"offset\"));";

/* CREATE TABLE of the three tables from the column catalogue (the key, ind, is the INTEGER
 * PRIMARY KEY), then rejects. */
static int schema_sql(pinetl__buf *b) {
    static const pinetl_table order[] = {PINETL_TABLE_PIN, PINETL_TABLE_GEO, PINETL_TABLE_USER};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        pinetl_table t = order[i];
        pinetl__buf_printf(b, "CREATE TABLE IF NOT EXISTS %s(%s INTEGER PRIMARY KEY",
                           pinetl_table_name(t), pinetl_column_name(t, 0));
        for (int c = 1; c < pinetl_column_count(t); c++) {
            const char *names[2];
            int n = pinetl__db_columns(t, c, names);
            for (int k = 0; k < n; k++)
                pinetl__buf_printf(b, ", %s %s", names[k], sql_type(pinetl_column_type(t, c)));
        }
        pinetl__buf_puts(b, ");");
    }
    pinetl__buf_puts(b, rejects_sql);
    return b->failed ? -1 : 0;
}

/* Drops and recreates every view so that it matches this library's queries. */
static int create_views(sqlite3 *db) {
    int rc = PINETL_OK;
    for (int i = 0; !rc && i < PINETL_INSIGHT_COUNT; i++) {
        const char *name = pinetl_insight_name(i);
        char *select, *sql = NULL;
        rc = pinetl_insight_sql(&select, i, PINETL_SQL_SQLITE, PINETL_MEDIAN_APPROX, NULL);
        if (rc)
            return rc;
        sql = sqlite3_mprintf("DROP VIEW IF EXISTS \"%w\"; CREATE VIEW \"%w\" AS %s", name, name,
                              select);
        pinetl_free(select);
        if (!sql)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = pinetl__db_error(db, name);
        sqlite3_free(sql);
    }
    return rc;
}

int pinetl__db_setup(sqlite3 *db, int readonly) {
    if (sqlite3_busy_timeout(db, PINETL__DB_BUSY_MS) != SQLITE_OK ||
        pinetl__sql_register(db) != SQLITE_OK)
        return pinetl__db_error(db, "setting up the connection");
    if (readonly)
        return PINETL_OK;
    /* 16 KiB pages (new databases only): a pin row is ~700 bytes, so 4 KiB pages split often and
     * a load writes ~4 times the page headers and syscalls. */
    /* Another connection may be loading (possibly with a rollback journal, see load.c): the
     * switch to WAL then waits for it like any other lock. */
    if (pinetl__db_exec_waiting(db, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL;"
                                    " PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;") !=
        SQLITE_OK)
        return pinetl__db_error(db, "setting WAL mode");
    pinetl__buf schema = {0};
    if (schema_sql(&schema)) {
        pinetl__buf_free(&schema);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    int rc;
    if (pinetl__db_exec_waiting(db, "BEGIN IMMEDIATE") != SQLITE_OK)
        rc = pinetl__db_error(db, "creating the schema");
    else {
        rc = sqlite3_exec(db, schema.p, NULL, NULL, NULL) == SQLITE_OK
                 ? create_views(db)
                 : pinetl__db_error(db, "creating the schema");
        if (!rc && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            rc = pinetl__db_error(db, "creating the schema");
        if (rc)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    pinetl__buf_free(&schema);
    return rc;
}
