/* Opening the warehouse, its schema and views, and reading results back. */
#include "warehouse_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/batch_internal.h"
#include "insights/catalog.h"
#include "insights/result.h"
#include "sql_functions.h"
#include "util/error.h"
#include "util/alloc.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS pin(ind INTEGER PRIMARY KEY, unique_id TEXT, title TEXT,"
    " description TEXT, follower_count INTEGER, poster_name TEXT, tag_list TEXT,"
    " is_image_or_video TEXT, image_src TEXT, save_location TEXT, category TEXT);"
    "CREATE TABLE IF NOT EXISTS geo(ind INTEGER PRIMARY KEY, country TEXT, latitude REAL,"
    " longitude REAL, timestamp TEXT);"
    "CREATE TABLE IF NOT EXISTS user(ind INTEGER PRIMARY KEY, user_name TEXT, age INTEGER,"
    " date_joined TEXT);"
    "CREATE TABLE IF NOT EXISTS rejects(\"table\" TEXT NOT NULL, source TEXT NOT NULL,"
    " line INTEGER NOT NULL, \"offset\" INTEGER NOT NULL, reason TEXT NOT NULL, message TEXT,"
    " raw, UNIQUE(\"table\", source, line, \"offset\"));";

int pinetl__warehouse_error(pinetl_warehouse *wh, const char *what) {
    return pinetl__error_set(PINETL_ESQL, "%s: %s", what, wh && wh->db ? sqlite3_errmsg(wh->db)
                                                                     : "no database");
}

int pinetl__warehouse_exec_waiting(pinetl_warehouse *wh, const char *sql) {
    struct timespec now, until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += WAREHOUSE_BUSY_MS / 1000;
    long pause_us = 1000;
    for (;;) {
        int rc = sqlite3_exec(wh->db, sql, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            return rc;
        if (!sqlite3_get_autocommit(wh->db))
            sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
            return rc;
        struct timespec pause = {0, pause_us * 1000};
        nanosleep(&pause, NULL);
        if (pause_us < 64000)
            pause_us *= 2;
    }
}

/* Drops and recreates every view so that it matches this library's queries. */
static int create_views(pinetl_warehouse *wh) {
    int rc = PINETL_OK;
    for (int i = 0; !rc && i < PINETL_INSIGHT_COUNT; i++) {
        const char *name = pinetl_insight_name(i);
        char *sql = sqlite3_mprintf("DROP VIEW IF EXISTS \"%w\"; CREATE VIEW \"%w\" AS %s",
                                    name, name,
                                    pinetl_warehouse_insight_sql(i, PINETL_MEDIAN_APPROX));
        if (!sql)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        if (sqlite3_exec(wh->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = pinetl__warehouse_error(wh, name);
        sqlite3_free(sql);
    }
    return rc;
}

static int setup(pinetl_warehouse *wh) {
    if (sqlite3_busy_timeout(wh->db, WAREHOUSE_BUSY_MS) != SQLITE_OK || pinetl__sql_register(wh->db) != SQLITE_OK)
        return pinetl__warehouse_error(wh, "setting up the connection");
    if (wh->flags & PINETL_WAREHOUSE_READONLY)
        return PINETL_OK;
    /* 16 KiB pages (new databases only): a pin row is ~700 bytes, so 4 KiB pages split often and
     * a load writes ~4 times the page headers and syscalls. */
    /* Another connection may be loading (possibly with a rollback journal, see load.c): the
     * switch to WAL then waits for it like any other lock. */
    if (pinetl__warehouse_exec_waiting(wh, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL;"
                                   " PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;")
        != SQLITE_OK)
        return pinetl__warehouse_error(wh, "setting WAL mode");
    if (pinetl__warehouse_exec_waiting(wh, "BEGIN IMMEDIATE") != SQLITE_OK)
        return pinetl__warehouse_error(wh, "creating the schema");
    int rc = sqlite3_exec(wh->db, schema_sql, NULL, NULL, NULL) == SQLITE_OK
                 ? create_views(wh) : pinetl__warehouse_error(wh, "creating the schema");
    if (!rc && sqlite3_exec(wh->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = pinetl__warehouse_error(wh, "creating the schema");
    if (rc)
        sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int pinetl_warehouse_open(pinetl_warehouse **out, const char *path, int flags) {
    if (!out || !path)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_open: NULL argument");
    *out = NULL;
    pinetl_warehouse *wh = pinetl__calloc(1, sizeof *wh);
    if (!wh)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    wh->flags = flags;
    pinetl__stage_init(&wh->stage);
    int open_flags = (flags & PINETL_WAREHOUSE_READONLY)
                         ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    /* FULLMUTEX off: a handle is used by one thread at a time. */
    if (sqlite3_open_v2(path, &wh->db, open_flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        int rc = pinetl__error_set(wh->db ? PINETL_ESQL : PINETL_ENOMEM, "cannot open %s: %s", path,
                                  wh->db ? sqlite3_errmsg(wh->db) : "out of memory");
        pinetl_warehouse_free(wh);
        return rc;
    }
    int rc = setup(wh);
    if (rc) {
        const char *msg = pinetl_error_last();
        char *copy = sqlite3_mprintf("%s: %s", path, msg);
        rc = pinetl__error_set(rc, "%s", copy ? copy : msg);
        sqlite3_free(copy);
        pinetl_warehouse_free(wh);
        return rc;
    }
    *out = wh;
    return PINETL_OK;
}

void pinetl_warehouse_free(pinetl_warehouse *wh) {
    if (!wh)
        return;
    if (wh->in_transaction && wh->db) {
        /* Freed without a commit: the load transaction is undone. */
        sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
        pinetl__warehouse_end_bulk(wh);
    }
    pinetl__warehouse_finalize_load(wh);
    sqlite3_close(wh->db);
    pinetl__free(wh);
}

void pinetl_warehouse_load_stats(const pinetl_warehouse *wh, pinetl_load_stats *out) {
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (wh)
        *out = wh->stats;
}

int pinetl_warehouse_count(pinetl_warehouse *wh, const char *table, int64_t *out) {
    if (!wh || !table || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_count: NULL argument");
    if (strcmp(table, "pin") && strcmp(table, "geo") && strcmp(table, "user") &&
        strcmp(table, "rejects"))
        return pinetl__error_set(PINETL_ENOTFOUND, "no table '%s' in the warehouse", table);
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(wh->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pinetl__warehouse_error(wh, table);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? PINETL_OK : pinetl__warehouse_error(wh, table);
}

/* Runs st to completion into the result's last table. */
static int collect(pinetl_warehouse *wh, sqlite3_stmt *st, pinetl_insights *r, const char *what) {
    int ncols = sqlite3_column_count(st), rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (pinetl__result_row(r))
            return PINETL_ENOMEM;
        for (int c = 0; c < ncols; c++) {
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER:
                pinetl__result_set_int(r, (size_t)c, sqlite3_column_int64(st, c));
                break;
            case SQLITE_FLOAT:
                pinetl__result_set_real(r, (size_t)c, sqlite3_column_double(st, c));
                break;
            case SQLITE_TEXT:
            case SQLITE_BLOB: {
                const char *s = (const char *)sqlite3_column_text(st, c);
                if (s && pinetl__result_set_text(r, (size_t)c, s, (size_t)sqlite3_column_bytes(st, c)))
                    return PINETL_ENOMEM;
                break;
            }
            }
        }
    }
    return rc == SQLITE_DONE ? PINETL_OK : pinetl__warehouse_error(wh, what);
}

int pinetl_warehouse_query(pinetl_warehouse *wh, const char *sql, const char *name,
                           pinetl_insights **out) {
    if (!wh || !sql || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_query: NULL argument");
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(wh->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pinetl__warehouse_error(wh, "query");
    pinetl_insights *r;
    int rc = pinetl__result_new(&r);
    int ncols = sqlite3_column_count(st);
    const char **cols = pinetl__calloc(ncols ? (size_t)ncols : 1, sizeof *cols);
    if (!rc && !cols)
        rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
    for (int c = 0; !rc && c < ncols; c++)
        cols[c] = sqlite3_column_name(st, c) ? sqlite3_column_name(st, c) : "";
    if (!rc)
        rc = pinetl__result_table(r, name ? name : "query", (size_t)ncols, cols);
    if (!rc)
        rc = collect(wh, st, r, "query");
    pinetl__free(cols);
    sqlite3_finalize(st);
    if (rc) {
        pinetl_insights_free(r);
        return rc;
    }
    *out = r;
    return PINETL_OK;
}

int pinetl_warehouse_insights(pinetl_warehouse *wh, const pinetl_insights_options *options,
                              pinetl_insights **out) {
    if (!wh || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_insights: NULL argument");
    *out = NULL;
    int ids[PINETL_INSIGHT_COUNT];
    int n = pinetl__catalog_selection(options, ids);
    if (n < 0)
        return n;
    int median = options ? options->median : PINETL_MEDIAN_APPROX;
    pinetl_insights *r;
    int rc = pinetl__result_new(&r);
    for (int i = 0; !rc && i < n; i++) {
        const insight_info *in = &pinetl__catalog_insights[ids[i]];
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(wh->db, pinetl_warehouse_insight_sql(ids[i], median), -1, &st,
                               NULL) != SQLITE_OK) {
            rc = pinetl__warehouse_error(wh, in->name);
            break;
        }
        rc = pinetl__result_table(r, in->name, in->ncols, in->cols);
        if (!rc)
            rc = collect(wh, st, r, in->name);
        sqlite3_finalize(st);
    }
    if (rc) {
        pinetl_insights_free(r);
        return rc;
    }
    *out = r;
    return PINETL_OK;
}
