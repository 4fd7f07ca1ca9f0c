/* Loading batches: cleaned rows upserted by ind, rejects inserted once, one transaction per batch,
 * statements prepared once per handle. */
#include "warehouse_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "core/batch_internal.h"
#include "core/json.h"

/* Builds the upsert of a table from its cleaned columns (coordinates become latitude and
 * longitude). An unchanged row is not rewritten, so a reload writes nothing. */
static char *upsert_sql(pinetl_table table) {
    char cols[512] = "", params[256] = "", sets[1024] = "", olds[512] = "", news[512] = "";
    int n = pinetl_column_count(table), p = 0;
    for (int c = 0; c < n; c++) {
        const char *names[2] = {pinetl_column_name(table, c), NULL};
        if (pinetl_column_type(table, c) == PINETL_TYPE_COORDS) {
            names[0] = "latitude";
            names[1] = "longitude";
        }
        for (int k = 0; k < 2 && names[k]; k++) {
            const char *name = names[k];
            char tmp[128];
            snprintf(tmp, sizeof tmp, "%s\"%s\"", p ? ", " : "", name);
            strcat(cols, tmp);
            snprintf(tmp, sizeof tmp, "%s?%d", p ? ", " : "", p + 1);
            strcat(params, tmp);
            p++;
            if (c == 0)
                continue;   /* ind is the conflict target */
            snprintf(tmp, sizeof tmp, "%s\"%s\" = excluded.\"%s\"", sets[0] ? ", " : "", name, name);
            strcat(sets, tmp);
            snprintf(tmp, sizeof tmp, "%s\"%s\"", olds[0] ? ", " : "", name);
            strcat(olds, tmp);
            snprintf(tmp, sizeof tmp, "%sexcluded.\"%s\"", news[0] ? ", " : "", name);
            strcat(news, tmp);
        }
    }
    return sqlite3_mprintf("INSERT INTO \"%s\"(%s) VALUES(%s) ON CONFLICT(ind) DO UPDATE SET %s"
                           " WHERE (%s) IS NOT (%s)",
                           pinetl_table_name(table), cols, params, sets, olds, news);
}

static int prepare(pinetl_warehouse *wh, sqlite3_stmt **st, const char *sql) {
    if (*st)
        return PINETL_OK;
    if (!sql)
        return pinetl_set_error(PINETL_ENOMEM, "out of memory");
    if (sqlite3_prepare_v3(wh->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return warehouse_error(wh, "preparing a load statement");
    return PINETL_OK;
}

void warehouse_finalize_load(pinetl_warehouse *wh) {
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        sqlite3_finalize(wh->upsert[t]);
    sqlite3_finalize(wh->reject);
    sqlite3_finalize(wh->begin);
    sqlite3_finalize(wh->commit);
    sqlite3_finalize(wh->rollback);
}

static int step_once(pinetl_warehouse *wh, sqlite3_stmt *st, const char *what) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PINETL_OK : warehouse_error(wh, what);
}

/* The columns of a batch, fetched once per batch. */
typedef struct batch_cols {
    int n, type[PINETL_MAX_COLUMNS];
    const uint8_t *valid[PINETL_MAX_COLUMNS];
    const int64_t *i64[PINETL_MAX_COLUMNS];
    const double *coords[PINETL_MAX_COLUMNS];
    const char *text[PINETL_MAX_COLUMNS];
    const int64_t *offs[PINETL_MAX_COLUMNS];
} batch_cols;

static void get_cols(const pinetl_batch *b, pinetl_table table, batch_cols *k) {
    k->n = pinetl_column_count(table);
    for (int c = 0; c < k->n; c++) {
        k->type[c] = pinetl_column_type(table, c);
        k->valid[c] = pinetl_batch_validity(b, c);
        k->i64[c] = pinetl_batch_int64(b, c);
        k->coords[c] = pinetl_batch_coords(b, c);
        k->text[c] = pinetl_batch_text_data(b, c);
        k->offs[c] = pinetl_batch_text_offsets(b, c);
    }
}

static int bind_row(sqlite3_stmt *st, const batch_cols *k, size_t r) {
    int p = 1, rc = SQLITE_OK;
    for (int c = 0; rc == SQLITE_OK && c < k->n; c++) {
        int valid = k->valid[c] && (k->valid[c][r >> 3] >> (r & 7)) & 1;
        switch (k->type[c]) {
        case PINETL_TYPE_INT64:
            rc = valid && k->i64[c] ? sqlite3_bind_int64(st, p, k->i64[c][r]) : sqlite3_bind_null(st, p);
            p++;
            break;
        case PINETL_TYPE_TEXT:
            rc = valid && k->text[c]
                     ? sqlite3_bind_text64(st, p, k->text[c] + k->offs[c][r],
                                           (sqlite3_uint64)(k->offs[c][r + 1] - k->offs[c][r]),
                                           SQLITE_STATIC, SQLITE_UTF8)
                     : sqlite3_bind_null(st, p);
            p++;
            break;
        case PINETL_TYPE_COORDS:
            if (valid && k->coords[c]) {
                rc = sqlite3_bind_double(st, p, k->coords[c][2 * r]);
                if (rc == SQLITE_OK)
                    rc = sqlite3_bind_double(st, p + 1, k->coords[c][2 * r + 1]);
            } else {
                rc = sqlite3_bind_null(st, p);
                if (rc == SQLITE_OK)
                    rc = sqlite3_bind_null(st, p + 1);
            }
            p += 2;
            break;
        case PINETL_TYPE_TIMESTAMP: {
            char buf[PINETL_TIMESTAMP_BUFSIZE];
            int n = valid && k->i64[c] ? pinetl_timestamp_format(k->i64[c][r], buf) : -1;
            rc = n >= 0 ? sqlite3_bind_text(st, p, buf, n, SQLITE_TRANSIENT) : sqlite3_bind_null(st, p);
            p++;
            break;
        }
        default:
            rc = sqlite3_bind_null(st, p++);
        }
    }
    return rc;
}

static int load_reject(pinetl_warehouse *wh, const pinetl_batch *b, size_t r,
                       const char *table_name) {
    sqlite3_stmt *st = wh->reject;
    const char *raw = NULL, *source = pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[r]);
    const char *message = pinetl_batch_reject_message(b, r);
    size_t raw_len = 0, bad;
    pinetl_batch_reject_raw(b, r, &raw, &raw_len);
    sqlite3_bind_text(st, 1, table_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source ? source : "<input>", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, pinetl_batch_lines(b)[r]);
    sqlite3_bind_int64(st, 4, pinetl_batch_offsets(b)[r]);
    sqlite3_bind_text(st, 5, pinetl_reject_name(pinetl_batch_status(b)[r]), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
    if (!raw)
        sqlite3_bind_null(st, 7);
    else if (json_utf8_valid(raw, raw_len, &bad))
        sqlite3_bind_text64(st, 7, raw, raw_len, SQLITE_STATIC, SQLITE_UTF8);
    else
        sqlite3_bind_blob64(st, 7, raw, raw_len, SQLITE_STATIC);
    int rc = step_once(wh, st, "storing a reject");
    if (!rc) {
        wh->stats.rejects++;
        wh->stats.rejects_written += sqlite3_changes(wh->db);
    }
    return rc;
}

static int load_rows(pinetl_warehouse *wh, const pinetl_batch *b, pinetl_table table) {
    batch_cols k;
    get_cols(b, table, &k);
    const uint8_t *status = pinetl_batch_status(b);
    const char *table_name = pinetl_table_name(table);
    sqlite3_stmt *up = wh->upsert[table];
    size_t n = pinetl_batch_rows(b);
    /* A record repeated within the batch is written once, as its last version: the stored row
     * ends the same, and a reload rewrites nothing. */
    if (n && (!k.i64[0] || !status || n >= UINT32_MAX))
        return pinetl_set_error(PINETL_EINVAL, "pinetl_warehouse_load: malformed batch");
    i64map_clear(&wh->last);
    for (size_t r = 0; r < n; r++)
        if (!status[r] && i64map_set(&wh->last, k.i64[0][r], (uint32_t)r))
            return pinetl_set_error(PINETL_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++) {
        int rc;
        if (status[r]) {
            rc = load_reject(wh, b, r, table_name);
        } else if (*i64map_get(&wh->last, k.i64[0][r]) != r + 1) {
            wh->stats.rows++;   /* a later row of the batch replaces it */
            rc = PINETL_OK;
        } else {
            if (bind_row(up, &k, r) != SQLITE_OK)
                return warehouse_error(wh, "binding a row");
            rc = step_once(wh, up, table_name);
            if (!rc) {
                wh->stats.rows++;
                wh->stats.written += sqlite3_changes(wh->db);
            }
        }
        if (rc)
            return rc;
    }
    return PINETL_OK;
}

int pinetl_warehouse_load(pinetl_warehouse *wh, const pinetl_batch *b) {
    if (!wh || !b)
        return pinetl_set_error(PINETL_EINVAL, "pinetl_warehouse_load: NULL argument");
    if (wh->flags & PINETL_WAREHOUSE_READONLY)
        return pinetl_set_error(PINETL_EINVAL, "the warehouse was opened read-only");
    pinetl_table table = pinetl_batch_table(b);
    if (!pinetl_table_name(table))
        return pinetl_set_error(PINETL_EINVAL, "pinetl_warehouse_load: unknown table");
    int rc = prepare(wh, &wh->begin, "BEGIN IMMEDIATE");
    if (!rc)
        rc = prepare(wh, &wh->commit, "COMMIT");
    if (!rc)
        rc = prepare(wh, &wh->rollback, "ROLLBACK");
    if (!rc)
        rc = prepare(wh, &wh->reject,
                     "INSERT OR IGNORE INTO rejects(\"table\", source, line, \"offset\", reason,"
                     " message, raw) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!rc && !wh->upsert[table]) {
        char *sql = upsert_sql(table);
        rc = prepare(wh, &wh->upsert[table], sql);
        sqlite3_free(sql);
    }
    if (rc)
        return rc;
    pinetl_load_stats before = wh->stats;
    if ((rc = step_once(wh, wh->begin, "starting a transaction")))
        return rc;
    rc = load_rows(wh, b, table);
    if (!rc)
        rc = step_once(wh, wh->commit, "committing");
    if (rc) {
        sqlite3_reset(wh->upsert[table]);
        sqlite3_step(wh->rollback);
        sqlite3_reset(wh->rollback);
        wh->stats = before;   /* nothing of the batch was stored */
    }
    sqlite3_clear_bindings(wh->reject);   /* drop pointers into the batch */
    sqlite3_clear_bindings(wh->upsert[table]);
    return rc;
}
