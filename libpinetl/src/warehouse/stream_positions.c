/* Stream positions: committed in the same SQLite transaction as the rows they produced, so a
 * consumer restarted after any crash applies each stream record exactly once. (Owner: streamlog,
 * issue 12.) */
#include "warehouse_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <pinetl/stream_positions.h>

#include "warehouse/stream_internal.h"

#include "util/error.h"

/* log_id: the identity of the log the position was taken in (NULL: committed by a pinetl from
 * before log identities; the next commit fills it in). */
static const char positions_sql[] =
    "CREATE TABLE IF NOT EXISTS stream_positions(stream TEXT NOT NULL, shard TEXT NOT NULL,"
    " seq INTEGER NOT NULL, \"offset\" INTEGER NOT NULL, updated_at TEXT NOT NULL,"
    " log_id TEXT, PRIMARY KEY(stream, shard))";

/* Creates stream_positions, or adds log_id to one made before log identities. */
static int positions_table(pinetl_warehouse *wh) {
    if (sqlite3_exec(wh->db, positions_sql, NULL, NULL, NULL) != SQLITE_OK)
        return pinetl__db_error(wh->db, "creating stream_positions");
    sqlite3_stmt *st = NULL;
    int has = sqlite3_prepare_v2(wh->db, "SELECT log_id FROM stream_positions LIMIT 0", -1, &st,
                                 NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    if (!has && sqlite3_exec(wh->db, "ALTER TABLE stream_positions ADD COLUMN log_id TEXT", NULL,
                             NULL, NULL) != SQLITE_OK)
        return pinetl__db_error(wh->db, "adding log_id to stream_positions");
    return PINETL_OK;
}

int pinetl_warehouse_stream_position_log(char *log_id, size_t cap, pinetl_warehouse *wh,
                                         const char *stream, const char *shard) {
    if (!wh || !stream || !shard || !log_id || !cap)
        return pinetl__error_set(PINETL_EINVAL,
                                 "pinetl_warehouse_stream_position_log: NULL argument");
    log_id[0] = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(wh->db,
                           "SELECT coalesce(log_id, '') FROM stream_positions"
                           " WHERE stream = ?1 AND shard = ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        /* No table, or one from before log identities: no identity. */
        sqlite3_finalize(st);
        return PINETL_OK;
    }
    sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, shard, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(log_id, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SQLITE_DONE;
    }
    int out = rc == SQLITE_DONE ? PINETL_OK : pinetl__db_error(wh->db, "reading a stream position");
    sqlite3_finalize(st);
    return out;
}

int pinetl_warehouse_forget_stream_position(int *forgotten, pinetl_warehouse *wh,
                                            const char *stream, const char *shard) {
    if (!wh || !stream || !shard)
        return pinetl__error_set(PINETL_EINVAL,
                                 "pinetl_warehouse_forget_stream_position: NULL argument");
    if (forgotten)
        *forgotten = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(wh->db, "DELETE FROM stream_positions WHERE stream = ?1 AND shard = ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        int none = strstr(sqlite3_errmsg(wh->db), "no such table") != NULL;
        sqlite3_finalize(st);
        return none ? PINETL_OK : pinetl__db_error(wh->db, "forgetting a stream position");
    }
    sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, shard, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? PINETL_OK
                 : pinetl__db_error(wh->db, "forgetting a stream position");
    if (!rc && forgotten)
        *forgotten = sqlite3_changes(wh->db) > 0;
    sqlite3_finalize(st);
    return rc;
}

int pinetl__warehouse_stream_reject(pinetl_warehouse *wh, const char *table, const char *source,
                                    int64_t line, int64_t offset, const char *reason,
                                    const char *message) {
    if (!wh->load.in_transaction)
        return pinetl__error_set(PINETL_EINVAL, "a stream reject outside a load transaction");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(wh->db,
                           "INSERT OR IGNORE INTO rejects(\"table\", source, line, \"offset\","
                           " reason, message, raw) VALUES(?1, ?2, ?3, ?4, ?5, ?6, NULL)",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return pinetl__load_abort(wh, pinetl__db_error(wh->db, "storing a stream reject"));
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, line);
    sqlite3_bind_int64(st, 4, offset);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? PINETL_OK
                                             : pinetl__db_error(wh->db, "storing a stream reject");
    sqlite3_finalize(st);
    return rc ? pinetl__load_abort(wh, rc) : PINETL_OK;
}

int pinetl__warehouse_lock_stream(int *fd_out, pinetl_warehouse *wh) {
    *fd_out = -1;
    const char *db = sqlite3_db_filename(wh->db, "main");
    if (!db || !*db)
        return PINETL_OK; /* an in-memory warehouse: no other process can reach it */
    char path[4200];
    snprintf(path, sizeof path, "%s.stream-lock", db);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return pinetl__error_set(PINETL_EIO, "%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        int busy = errno == EWOULDBLOCK;
        close(fd);
        return pinetl__error_set(PINETL_EIO, "%s: %s", path,
                                 busy ? "locked: another pinetl stream writes this warehouse "
                                        "(one consumer per warehouse; stop the other first)"
                                      : strerror(errno));
    }
    *fd_out = fd;
    return PINETL_OK;
}

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
    if ((rc = positions_table(wh)) != PINETL_OK)
        return pinetl__load_abort(wh, rc);
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
        if (positions_table(wh) != PINETL_OK ||
            sqlite3_prepare_v2(wh->db,
                               "INSERT INTO stream_positions(stream, shard, seq, \"offset\","
                               " updated_at, log_id) VALUES(?1, ?2, ?3, ?4,"
                               " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?5)"
                               " ON CONFLICT(stream, shard) DO UPDATE SET seq = excluded.seq,"
                               " \"offset\" = excluded.\"offset\","
                               " updated_at = excluded.updated_at,"
                               " log_id = coalesce(excluded.log_id, log_id)",
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
            if (pos[i].log_id && *pos[i].log_id)
                sqlite3_bind_text(st, 5, pos[i].log_id, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, 5);
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
