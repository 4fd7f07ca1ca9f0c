/* Loading batches: cleaned rows staged, then upserted by ind in key order; rejects inserted once;
 * statements prepared once per handle. A plain load is one transaction per batch; between
 * pinetl_warehouse_begin and pinetl_warehouse_commit, rows are staged across batches and written
 * when the stage is full or at commit. */
#include "warehouse_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "core/json.h"
#include "util/error.h"

/* Staged bytes that make a load transaction write its rows. Each write pass merges the sorted
 * stage into the whole table (with ind at random, it touches nearly every page), so fewer, larger
 * passes are cheaper: measured on 1M pins (~700 MB of JSON), 64 MiB gave 3.9 s of loading thread
 * time, 128 MiB 3.1 s, 256 MiB 2.7 s (~400k pins per pass). This bounds a load's memory. */
enum { STAGE_FLUSH_BYTES = 256 << 20 };

/* Staged rows read ahead while binding: they are visited in ind order, at random in memory. */
enum { PREFETCH_ROWS = 16 };

/* Builds the upsert of a table from its cleaned columns (coordinates become latitude and
 * longitude). An unchanged row is not rewritten, so a reload writes nothing. */
static char *upsert_sql(pinetl_table table) {
    char cols[512] = "", params[256] = "", sets[1024] = "", olds[512] = "", news[512] = "";
    int n = pinetl_column_count(table), p = 0;
    for (int c = 0; c < n; c++) {
        const char *names[2];
        pinetl__db_columns(table, c, names);
        for (int k = 0; k < 2 && names[k]; k++) {
            const char *name = names[k];
            char tmp[128];
            snprintf(tmp, sizeof tmp, "%s\"%s\"", p ? ", " : "", name);
            strcat(cols, tmp);
            snprintf(tmp, sizeof tmp, "%s?%d", p ? ", " : "", p + 1);
            strcat(params, tmp);
            p++;
            if (c == 0)
                continue; /* ind is the conflict target */
            snprintf(tmp, sizeof tmp, "%s\"%s\" = excluded.\"%s\"", sets[0] ? ", " : "", name,
                     name);
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
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    if (sqlite3_prepare_v3(wh->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return pinetl__db_error(wh->db, "preparing a load statement");
    return PINETL_OK;
}

static int step_once(pinetl_warehouse *wh, sqlite3_stmt *st, const char *what) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PINETL_OK : pinetl__db_error(wh->db, what);
}

/* Binds a staged row (ind, then the packed columns) to the table's upsert. */
static int bind_staged(sqlite3_stmt *st, const stage *s, const stage_row *row) {
    const char *p = s->data + row->at;
    int rc = sqlite3_bind_int64(st, 1, row->ind), param = 2;
    for (int c = 1; rc == SQLITE_OK && c < s->ncols; c++) {
        int valid = *p++;
        switch (s->type[c]) {
        case PINETL_TYPE_TEXT: {
            uint32_t n = 0;
            if (valid) {
                memcpy(&n, p, sizeof n);
                p += sizeof n;
            }
            rc = valid ? sqlite3_bind_text64(st, param, p, n, SQLITE_STATIC, SQLITE_UTF8)
                       : sqlite3_bind_null(st, param);
            p += n;
            param++;
            break;
        }
        case PINETL_TYPE_COORDS: {
            double v[2];
            if (valid) {
                memcpy(v, p, sizeof v);
                p += sizeof v;
                rc = sqlite3_bind_double(st, param, v[0]);
                if (rc == SQLITE_OK)
                    rc = sqlite3_bind_double(st, param + 1, v[1]);
            } else {
                rc = sqlite3_bind_null(st, param);
                if (rc == SQLITE_OK)
                    rc = sqlite3_bind_null(st, param + 1);
            }
            param += 2;
            break;
        }
        case PINETL_TYPE_TIMESTAMP: {
            int64_t us = 0;
            char buf[PINETL_TIMESTAMP_BUFSIZE];
            int n = -1;
            if (valid) {
                memcpy(&us, p, sizeof us);
                p += sizeof us;
                n = pinetl_timestamp_format(buf, us);
            }
            rc = n >= 0 ? sqlite3_bind_text(st, param, buf, n, SQLITE_TRANSIENT)
                        : sqlite3_bind_null(st, param);
            param++;
            break;
        }
        default: {
            int64_t v = 0;
            if (valid) {
                memcpy(&v, p, sizeof v);
                p += sizeof v;
            }
            rc = valid ? sqlite3_bind_int64(st, param, v) : sqlite3_bind_null(st, param);
            param++;
            break;
        }
        }
    }
    return rc;
}

/* Upserts the staged rows in ind order and empties the stage. */
static int flush(pinetl_warehouse *wh) {
    stage *s = &wh->load.stage;
    if (s->table < 0)
        return PINETL_OK;
    sqlite3_stmt *up = wh->load.upsert[s->table];
    const char *what = pinetl_table_name((pinetl_table)s->table);
    size_t n = 0;
    if (pinetl__stage_sort(&n, s))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory sorting the staged %s rows", what);
    int rc = PINETL_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if (i + PREFETCH_ROWS < n) {
            const char *next = s->data + s->rows[i + PREFETCH_ROWS].at;
            __builtin_prefetch(next);
            __builtin_prefetch(next + 64);
            __builtin_prefetch(next + 128);
            __builtin_prefetch(next + 192);
        }
        if (bind_staged(up, s, &s->rows[i]) != SQLITE_OK) {
            rc = pinetl__db_error(wh->db, "binding a row");
            break;
        }
        rc = step_once(wh, up, what);
        if (!rc)
            wh->load.stats.written += sqlite3_changes(wh->db);
    }
    sqlite3_clear_bindings(up); /* drop pointers into the stage */
    pinetl__stage_clear(s);
    return rc;
}

static int load_reject(pinetl_warehouse *wh, const pinetl_batch *b, size_t r,
                       const char *table_name) {
    sqlite3_stmt *st = wh->load.reject;
    const char *raw = NULL, *source = pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[r]);
    const char *message = pinetl_batch_reject_message(b, r);
    size_t raw_len = 0, bad;
    pinetl_batch_reject_raw(&raw, &raw_len, b, r);
    sqlite3_bind_text(st, 1, table_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source ? source : "<input>", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, pinetl_batch_lines(b)[r]);
    sqlite3_bind_int64(st, 4, pinetl_batch_offsets(b)[r]);
    sqlite3_bind_text(st, 5, pinetl_reject_name(pinetl_batch_status(b)[r]), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
    if (!raw)
        sqlite3_bind_null(st, 7);
    else if (pinetl__json_utf8_valid(raw, raw_len, &bad))
        sqlite3_bind_text64(st, 7, raw, raw_len, SQLITE_STATIC, SQLITE_UTF8);
    else
        sqlite3_bind_blob64(st, 7, raw, raw_len, SQLITE_STATIC);
    int rc = step_once(wh, st, "storing a reject");
    if (!rc) {
        wh->load.stats.rejects++;
        wh->load.stats.rejects_written += sqlite3_changes(wh->db);
    }
    return rc;
}

/* Rejects are stored now; cleaned rows are staged (a repeated ind keeps its last version). */
static int stage_batch(pinetl_warehouse *wh, const pinetl_batch *b, pinetl_table table) {
    batch_cols k;
    pinetl__stage_batch_columns(b, &k);
    const uint8_t *status = pinetl_batch_status(b);
    const char *table_name = pinetl_table_name(table);
    size_t n = pinetl_batch_rows(b);
    if (n && (!k.i64[0] || !status))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_load: malformed batch");
    int rc = PINETL_OK;
    for (size_t r = 0; !rc && r < n; r++) {
        if (status[r]) {
            rc = load_reject(wh, b, r, table_name);
        } else if (pinetl__stage_add(&wh->load.stage, (int)table, &k, r)) {
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory staging rows");
        } else {
            wh->load.stats.rows++;
        }
    }
    sqlite3_clear_bindings(wh->load.reject); /* drop pointers into the batch */
    return rc;
}

/* The statements every load uses, prepared once per handle. */
static int prepare_load(pinetl_warehouse *wh, int table) {
    int rc = prepare(wh, &wh->load.begin, "BEGIN IMMEDIATE");
    if (!rc)
        rc = prepare(wh, &wh->load.commit, "COMMIT");
    if (!rc)
        rc = prepare(wh, &wh->load.rollback, "ROLLBACK");
    if (!rc)
        rc = prepare(wh, &wh->load.reject,
                     "INSERT OR IGNORE INTO rejects(\"table\", source, line, \"offset\", reason,"
                     " message, raw) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!rc && table >= 0 && !wh->load.upsert[table]) {
        char *sql = upsert_sql((pinetl_table)table);
        rc = prepare(wh, &wh->load.upsert[table], sql);
        sqlite3_free(sql);
    }
    return rc;
}

/* The current journal mode after asking for mode (NULL: only ask), without waiting: other
 * connections can prevent a switch, which then simply does not happen. */
static void journal_mode(sqlite3 *db, const char *mode, char *out, size_t cap) {
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode%s%s", mode ? "=" : "", mode ? mode : "");
    sqlite3_stmt *st;
    out[0] = '\0';
    sqlite3_busy_timeout(db, 0);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_busy_timeout(db, PINETL__DB_BUSY_MS);
}

/* Back to WAL after a load transaction that left it (no-op otherwise). */
static void end_bulk(wh_load *load, sqlite3 *db) {
    if (!load->bulk_journal)
        return;
    /* Readers that opened meanwhile hold the switch back only while they read: wait for them. */
    pinetl__db_exec_waiting(db, "PRAGMA journal_mode=wal");
    load->bulk_journal = 0;
}

/* Ends a load transaction in failure: everything since pinetl_warehouse_begin is undone. */
static int abort_transaction(pinetl_warehouse *wh, int rc) {
    char msg[400];
    snprintf(msg, sizeof msg, "%s", pinetl_error_last());
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        if (wh->load.upsert[t])
            sqlite3_reset(wh->load.upsert[t]);
    sqlite3_reset(wh->load.reject);
    if (!sqlite3_get_autocommit(wh->db)) {
        sqlite3_step(wh->load.rollback);
        sqlite3_reset(wh->load.rollback);
    }
    pinetl__stage_clear(&wh->load.stage);
    wh->load.stats = wh->load.stats_at_begin;
    if (wh->load.in_transaction) {
        wh->load.in_transaction = 0;
        end_bulk(&wh->load, wh->db);
        return pinetl__error_set(rc, "%s (the load transaction was rolled back)", msg);
    }
    return pinetl__error_set(rc, "%s", msg);
}

int pinetl__load_abort(pinetl_warehouse *wh, int rc) { return abort_transaction(wh, rc); }

int pinetl_warehouse_load(pinetl_warehouse *wh, const pinetl_batch *b) {
    if (!wh || !b)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_load: NULL argument");
    if (wh->flags & PINETL_WAREHOUSE_READONLY)
        return pinetl__error_set(PINETL_EINVAL, "the warehouse was opened read-only");
    pinetl_table table = pinetl_batch_table(b);
    if (!pinetl_table_name(table))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_load: unknown table");
    int rc = prepare_load(wh, (int)table);
    if (rc)
        return wh->load.in_transaction ? abort_transaction(wh, rc) : rc;
    if (!wh->load.in_transaction) {
        /* One batch, one transaction. */
        wh->load.stats_at_begin = wh->load.stats;
        if ((rc = step_once(wh, wh->load.begin, "starting a transaction")))
            return rc;
        rc = stage_batch(wh, b, table);
        if (!rc)
            rc = flush(wh);
        if (!rc)
            rc = step_once(wh, wh->load.commit, "committing");
        return rc ? abort_transaction(wh, rc) : PINETL_OK;
    }
    /* The stage holds one table: another table's rows are written first. */
    if (wh->load.stage.table >= 0 && wh->load.stage.table != (int)table)
        rc = flush(wh);
    if (!rc)
        rc = stage_batch(wh, b, table);
    if (!rc && wh->load.stage.len >= STAGE_FLUSH_BYTES)
        rc = flush(wh);
    return rc ? abort_transaction(wh, rc) : PINETL_OK;
}

int pinetl_warehouse_begin(pinetl_warehouse *wh) {
    if (!wh)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_begin: NULL argument");
    if (wh->flags & PINETL_WAREHOUSE_READONLY)
        return pinetl__error_set(PINETL_EINVAL, "the warehouse was opened read-only");
    if (wh->load.in_transaction)
        return pinetl__error_set(PINETL_EINVAL,
                                 "pinetl_warehouse_begin: a load transaction is open");
    int rc = prepare_load(wh, -1);
    if (rc)
        return rc;
    /* A rollback journal while no other connection has the database open: pages the load adds
     * need no journal, so each is written once, where WAL writes it twice (log, then database). */
    char mode[16];
    journal_mode(wh->db, NULL, mode, sizeof mode);
    if (!strcmp(mode, "wal") && !wh->load.keep_wal) {
        journal_mode(wh->db, "delete", mode, sizeof mode);
        wh->load.bulk_journal = !strcmp(mode, "delete");
    }
    if ((rc = step_once(wh, wh->load.begin, "starting a transaction"))) {
        end_bulk(&wh->load, wh->db);
        return rc;
    }
    wh->load.stats_at_begin = wh->load.stats;
    wh->load.in_transaction = 1;
    return PINETL_OK;
}

int pinetl_warehouse_commit(pinetl_warehouse *wh) {
    if (!wh)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_commit: NULL argument");
    if (!wh->load.in_transaction)
        return pinetl__error_set(PINETL_EINVAL,
                                 "pinetl_warehouse_commit: no load transaction is open");
    int rc = flush(wh);
    if (!rc)
        rc = step_once(wh, wh->load.commit, "committing");
    if (rc)
        return abort_transaction(wh, rc);
    wh->load.in_transaction = 0;
    end_bulk(&wh->load, wh->db);
    return PINETL_OK;
}

void pinetl_warehouse_load_stats(pinetl_load_stats *out, const pinetl_warehouse *wh) {
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (wh)
        *out = wh->load.stats;
}

void pinetl__load_init(wh_load *load) {
    memset(load, 0, sizeof *load);
    pinetl__stage_init(&load->stage);
}

void pinetl__load_free(wh_load *load, sqlite3 *db) {
    if (load->in_transaction && db) {
        /* Freed without a commit: the load transaction is undone. */
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        end_bulk(load, db);
    }
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        sqlite3_finalize(load->upsert[t]);
    sqlite3_finalize(load->reject);
    sqlite3_finalize(load->begin);
    sqlite3_finalize(load->commit);
    sqlite3_finalize(load->rollback);
    pinetl__stage_free(&load->stage);
}
