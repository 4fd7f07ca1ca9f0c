/* The daily ledger (daily_ledger.h): the daily chain's record of what it loaded, kept in the
 * warehouse's own schema beside stream_positions rather than by a second owner. */
#include "warehouse_internal.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <pinetl/daily_ledger.h>

#include "util/alloc.h"
#include "util/error.h"

/* The very table (and text) that pinetl's Python daily chain created before the ledger moved
 * here, so that its warehouses are used as they are. */
static const char ledger_sql[] =
    "CREATE TABLE IF NOT EXISTS pinetl_daily_load(day TEXT NOT NULL,"
    " \"table\" TEXT NOT NULL, fingerprint TEXT NOT NULL, files INTEGER NOT NULL,"
    " bytes INTEGER NOT NULL, read INTEGER NOT NULL, cleaned INTEGER NOT NULL,"
    " rejected INTEGER NOT NULL, rejected_by_reason TEXT NOT NULL,"
    " written INTEGER NOT NULL, PRIMARY KEY(day, \"table\"))";

/* 1 when day is YYYY-MM-DD with a month 01-12 and a day 01-31 (the chain checks the calendar). */
static int day_shaped(const char *d) {
    static const char shape[] = "dddd-dd-dd";
    if (!d || strlen(d) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? (d[i] < '0' || d[i] > '9') : d[i] != '-')
            return 0;
    int month = (d[5] - '0') * 10 + (d[6] - '0'), mday = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && mday >= 1 && mday <= 31;
}

static int check_load(const pinetl_daily_load *l) {
    if (!l || !l->fingerprint || !l->rejected_by_reason)
        return pinetl__error_set(PINETL_EINVAL, "daily ledger: NULL argument");
    if (!day_shaped(l->day))
        return pinetl__error_set(PINETL_EINVAL, "daily ledger: day '%.40s' is not YYYY-MM-DD",
                                 l->day ? l->day : "(null)");
    if (!pinetl_table_name(l->table))
        return pinetl__error_set(PINETL_EINVAL, "daily ledger: unknown table %d", (int)l->table);
    cJSON *reasons = cJSON_Parse(l->rejected_by_reason);
    int object = cJSON_IsObject(reasons);
    cJSON_Delete(reasons);
    if (!object)
        return pinetl__error_set(PINETL_EINVAL,
                                 "daily ledger: rejected_by_reason '%.80s' is not a JSON object",
                                 l->rejected_by_reason);
    return PINETL_OK;
}

int pinetl_warehouse_daily_load_put(pinetl_warehouse *wh, const pinetl_daily_load *l) {
    if (!wh)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_daily_load_put: NULL warehouse");
    int rc = check_load(l);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(wh->db, ledger_sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(wh->db,
                           "INSERT OR REPLACE INTO pinetl_daily_load VALUES(?1, ?2, ?3, ?4, ?5,"
                           " ?6, ?7, ?8, ?9, ?10)",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return pinetl__db_error(wh->db, "writing the daily ledger");
    }
    sqlite3_bind_text(st, 1, l->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pinetl_table_name(l->table), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, l->fingerprint, -1, SQLITE_STATIC);
    const int64_t counts[] = {l->files, l->bytes, l->read, l->cleaned, l->rejected};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_int64(st, 4 + i, counts[i]);
    sqlite3_bind_text(st, 9, l->rejected_by_reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, l->written);
    int step = sqlite3_step(st);
    rc = step == SQLITE_DONE ? PINETL_OK : pinetl__db_error(wh->db, "writing the daily ledger");
    sqlite3_finalize(st);
    return rc;
}

/* A JSON array of the rows, built by SQLite's JSON functions in the rows' order. */
static const char select_sql[] =
    "SELECT coalesce(json_group_array(json_object('day', day, 'table', \"table\","
    " 'fingerprint', fingerprint, 'files', files, 'bytes', bytes, 'read', read,"
    " 'cleaned', cleaned, 'rejected', rejected, 'rejected_by_reason', json(rejected_by_reason),"
    " 'written', written)), '[]') FROM (SELECT * FROM pinetl_daily_load"
    " WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) ORDER BY day, \"table\")";

int pinetl_warehouse_daily_loads(char **out, pinetl_warehouse *wh, const char *from_day,
                                 const char *until_day) {
    if (!out || !wh)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_daily_loads: NULL argument");
    sqlite3_stmt *st = NULL;
    const char *text = "[]";
    if (sqlite3_prepare_v2(wh->db, select_sql, -1, &st, NULL) != SQLITE_OK) {
        /* A warehouse the daily chain has not written to yet has no ledger. */
        int none = strstr(sqlite3_errmsg(wh->db), "no such table") != NULL;
        sqlite3_finalize(st);
        if (!none)
            return pinetl__db_error(wh->db, "reading the daily ledger");
        st = NULL;
    } else {
        sqlite3_bind_text(st, 1, from_day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, until_day, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            int rc = pinetl__db_error(wh->db, "reading the daily ledger");
            sqlite3_finalize(st);
            return rc;
        }
        text = (const char *)sqlite3_column_text(st, 0);
    }
    char *copy = text ? pinetl__strdup(text) : NULL;
    sqlite3_finalize(st);
    if (!copy)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory reading the daily ledger");
    *out = copy;
    return PINETL_OK;
}
