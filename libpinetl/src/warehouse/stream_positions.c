/* Stream positions: committed in the same SQLite transaction as the rows they produced, so a
 * consumer restarted after any crash applies each stream record exactly once. (Owner: streamlog,
 * issue 12.) */
#include "warehouse_internal.h"

#include <string.h>

#include <pinetl/stream_positions.h>

#include "util/error.h"

static const char positions_sql[] =
    "CREATE TABLE IF NOT EXISTS stream_positions(stream TEXT NOT NULL, shard TEXT NOT NULL,"
    " seq INTEGER NOT NULL, \"offset\" INTEGER NOT NULL, updated_at TEXT NOT NULL,"
    " PRIMARY KEY(stream, shard))";

int pinetl_warehouse_stream_position(uint64_t *seq, uint64_t *offset, pinetl_warehouse *wh,
                                     const char *stream, const char *shard) {
    if (!wh || !stream || !shard || !seq || !offset)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_stream_position: NULL argument");
    *seq = 0;
    *offset = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(wh->db,
                                "SELECT seq, \"offset\" FROM stream_positions"
                                " WHERE stream = ?1 AND shard = ?2",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        /* A database no consumer has written to yet has no positions table. */
        int none = strstr(sqlite3_errmsg(wh->db), "no such table") != NULL;
        sqlite3_finalize(st);
        return none ? PINETL_OK : pinetl__db_error(wh->db, "reading a stream position");
    }
    sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, shard, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t s = sqlite3_column_int64(st, 0), o = sqlite3_column_int64(st, 1);
        *seq = s > 0 ? (uint64_t)s : 0;
        *offset = o > 0 ? (uint64_t)o : 0;
        rc = SQLITE_DONE;
    }
    int out = rc == SQLITE_DONE ? PINETL_OK : pinetl__db_error(wh->db, "reading a stream position");
    sqlite3_finalize(st);
    return out;
}

int pinetl_warehouse_begin_stream(pinetl_warehouse *wh) {
    if (!wh)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_begin_stream: NULL argument");
    wh->load.keep_wal = 1;
    int rc = pinetl_warehouse_begin(wh);
    wh->load.keep_wal = 0;
    if (rc)
        return rc;
    if (sqlite3_exec(wh->db, positions_sql, NULL, NULL, NULL) != SQLITE_OK)
        return pinetl__load_abort(wh, pinetl__db_error(wh->db, "creating stream_positions"));
    return PINETL_OK;
}

int pinetl_warehouse_commit_positions(pinetl_warehouse *wh, const pinetl_stream_position *pos,
                                      size_t n) {
    if (!wh || (n && !pos))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_warehouse_commit_positions: NULL argument");
    if (!wh->load.in_transaction)
        return pinetl__error_set(PINETL_EINVAL,
                                 "pinetl_warehouse_commit_positions: no load transaction is open");
    if (n) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_exec(wh->db, positions_sql, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(wh->db,
                               "INSERT INTO stream_positions(stream, shard, seq, \"offset\","
                               " updated_at) VALUES(?1, ?2, ?3, ?4,"
                               " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
                               " ON CONFLICT(stream, shard) DO UPDATE SET seq = excluded.seq,"
                               " \"offset\" = excluded.\"offset\","
                               " updated_at = excluded.updated_at",
                               -1, &st, NULL) != SQLITE_OK) {
            sqlite3_finalize(st);
            return pinetl__load_abort(wh, pinetl__db_error(wh->db, "storing stream positions"));
        }
        int rc = PINETL_OK;
        for (size_t i = 0; !rc && i < n; i++) {
            if (!pos[i].stream || !pos[i].shard || pos[i].seq > INT64_MAX ||
                pos[i].offset > INT64_MAX) {
                rc = pinetl__error_set(PINETL_EINVAL,
                                       "pinetl_warehouse_commit_positions: "
                                       "position %zu is incomplete or too large",
                                       i);
                break;
            }
            sqlite3_bind_text(st, 1, pos[i].stream, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, pos[i].shard, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)pos[i].seq);
            sqlite3_bind_int64(st, 4, (sqlite3_int64)pos[i].offset);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = pinetl__db_error(wh->db, "storing a stream position");
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        if (rc)
            return pinetl__load_abort(wh, rc);
    }
    return pinetl_warehouse_commit(wh);
}
