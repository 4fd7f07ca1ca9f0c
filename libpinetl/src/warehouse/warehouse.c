/* Opening the warehouse, its schema and views, and reading results back. */
#include "warehouse_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insights/catalog.h"
#include "insights/result.h"
#include "util/error.h"
#include "util/alloc.h"

int pinetl_warehouse_open(pinetl_warehouse **out, const char *path, int flags) {
    if (!out || !path)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_open: NULL argument");
    *out = NULL;
    pinetl_warehouse *wh = pinetl__calloc(1, sizeof *wh);
    if (!wh)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    wh->flags = flags;
    pinetl__load_init(&wh->load);
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
    int rc = pinetl__db_setup(wh->db, flags & PINETL_WAREHOUSE_READONLY);
    if (rc) {
        /* The setup's message is in the buffer pinetl__error_set writes: copy it out first (no
         * allocation, so no failure path that would format the buffer into itself). */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", pinetl_error_last());
        rc = pinetl__error_set(rc, "%s: %s", path, msg);
        pinetl_warehouse_free(wh);
        return rc;
    }
    *out = wh;
    return PINETL_OK;
}

void pinetl_warehouse_free(pinetl_warehouse *wh) {
    if (!wh)
        return;
    pinetl__load_free(&wh->load, wh->db); /* an open load transaction is undone */
    sqlite3_close(wh->db);
    pinetl__free(wh);
}

int pinetl_warehouse_count(int64_t *out, pinetl_warehouse *wh, const char *table) {
    if (!wh || !table || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_count: NULL argument");
    if (strcmp(table, "pin") && strcmp(table, "geo") && strcmp(table, "user") &&
        strcmp(table, "rejects"))
        return pinetl__error_set(PINETL_ENOTFOUND, "no table '%s' in the warehouse", table);
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(wh->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pinetl__db_error(wh->db, table);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? PINETL_OK : pinetl__db_error(wh->db, table);
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
                if (s &&
                    pinetl__result_set_text(r, (size_t)c, s, (size_t)sqlite3_column_bytes(st, c)))
                    return PINETL_ENOMEM;
                break;
            }
            }
        }
    }
    return rc == SQLITE_DONE ? PINETL_OK : pinetl__db_error(wh->db, what);
}

int pinetl_warehouse_query(pinetl_insights **out, pinetl_warehouse *wh, const char *sql,
                           const char *name) {
    if (!wh || !sql || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_query: NULL argument");
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(wh->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pinetl__db_error(wh->db, "query");
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

int pinetl_warehouse_insights(pinetl_insights **out, pinetl_warehouse *wh,
                              const pinetl_insights_options *options) {
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
        char *sql;
        rc = pinetl_insight_sql(&sql, ids[i], PINETL_SQL_SQLITE, median, NULL);
        if (rc)
            break;
        int prepared = sqlite3_prepare_v2(wh->db, sql, -1, &st, NULL);
        pinetl_free(sql);
        if (prepared != SQLITE_OK) {
            rc = pinetl__db_error(wh->db, in->name);
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
