/* Helpers of the `pinetl stream` tests: running the pinetl and writer programs, and checking a
 * warehouse against what stream_records.h says it must hold for its committed positions. */
#ifndef PINETL_TEST_STREAM_UTIL_H
#define PINETL_TEST_STREAM_UTIL_H

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "stream_records.h"

extern char **environ;

static inline pid_t st_spawn(char *const argv[]) {
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    return pid;
}

/* Waits for pid; its exit status, 128 + signal when killed, -1 on error. */
static inline int st_wait(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs argv to its end; its exit status. */
static inline int st_run(char *const argv[]) {
    pid_t pid = st_spawn(argv);
    return pid < 0 ? -1 : st_wait(pid);
}

static inline void st_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline int64_t st_query_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The committed position of a shard (0 when none). */
static inline uint64_t st_position(sqlite3 *db, int table, int shard) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT seq FROM stream_positions WHERE stream = '%s' AND shard = "
             "'shardId-%012d'), 0)",
             sr_stream_names[table], shard);
    int64_t v = st_query_int(db, sql);
    return v > 0 ? (uint64_t)v : 0;
}

/* Checks that db holds exactly what its positions say: per shard, the rows (the latest record of
 * each ind at or before the position, compared by a column that names the record) and the
 * rejects (each bad record at or before the position, with its sequence number as line).
 * Returns the number of differences (printed). positions_out (may be NULL) gets the positions. */
static inline int st_check_db(const char *path, uint64_t positions_out[3][2]) {
    sqlite3 *db;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT) {
        /* A consumer killed before it created the database (a sanitizer build takes tens of
         * milliseconds to get there): nothing stored. */
        if (positions_out)
            memset(positions_out, 0, sizeof(uint64_t[3][2]));
        return 0;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s\n", path);
        sqlite3_close(db);
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    int diffs = 0;
    int has_positions = st_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
                                         "'stream_positions'") == 1;
    /* A consumer killed before it created the schema leaves an empty database: nothing stored. */
    if (st_query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('pin', 'geo', 'user', 'rejects')") != 4) {
        if (positions_out)
            memset(positions_out, 0, sizeof(uint64_t[3][2]));
        sqlite3_close(db);
        return has_positions; /* positions without the tables would be a difference */
    }
    int64_t total_rows[3] = {0, 0, 0};
    for (int t = 0; t < 3; t++) {
        for (int s = 0; s < sr_shards(t); s++) {
            uint64_t pos = has_positions ? st_position(db, t, s) : 0;
            if (positions_out)
                positions_out[t][s] = pos;
            /* The latest valid seq of each ind up to pos. */
            uint64_t *latest = calloc(SR_INDS, sizeof *latest);
            int64_t bad = 0, rows = 0;
            for (uint64_t q = 1; q <= pos; q++) {
                if (sr_is_bad(q)) {
                    bad++;
                    continue;
                }
                int64_t i = sr_ind(s, q) - (int64_t)s * SR_SHARD_STRIDE;
                if (!latest[i])
                    rows++;
                latest[i] = q;
            }
            total_rows[t] += rows;
            char sql[512];
            const char *tname = t == 0 ? "pin" : t == 1 ? "geo" : "user";
            snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE ind >= %d AND ind < %d",
                     tname, s * SR_SHARD_STRIDE, (s + 1) * SR_SHARD_STRIDE);
            int64_t got = st_query_int(db, sql);
            if (got != rows) {
                fprintf(stderr, "%s shard %d at seq %llu: %lld rows, expected %lld\n", tname, s,
                        (unsigned long long)pos, (long long)got, (long long)rows);
                diffs++;
            }
            snprintf(sql, sizeof sql,
                     "SELECT count(*), coalesce(max(line), 0), count(DISTINCT line) FROM rejects "
                     "WHERE source = '%s/shardId-%012d'",
                     sr_stream_names[t], s);
            got = st_query_int(db, sql);
            if (got != bad) {
                fprintf(stderr, "%s shard %d at seq %llu: %lld rejects, expected %lld\n", tname, s,
                        (unsigned long long)pos, (long long)got, (long long)bad);
                diffs++;
            }
            /* Which record each row came from. */
            const char *col = t == 0 ? "unique_id" : t == 2 ? "user_name" : "country";
            snprintf(sql, sizeof sql, "SELECT ind, %s FROM \"%s\" WHERE ind >= %d AND ind < %d",
                     col, tname, s * SR_SHARD_STRIDE, (s + 1) * SR_SHARD_STRIDE);
            sqlite3_stmt *st;
            if (t != 1 && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
                while (sqlite3_step(st) == SQLITE_ROW) {
                    int64_t i = sqlite3_column_int64(st, 0) - (int64_t)s * SR_SHARD_STRIDE;
                    const char *v = (const char *)sqlite3_column_text(st, 1);
                    char want[64];
                    uint64_t q = i >= 0 && i < SR_INDS ? latest[i] : 0;
                    if (t == 0)
                        snprintf(want, sizeof want, "u-%d-%llu", s, (unsigned long long)q);
                    else
                        snprintf(want, sizeof want, "F%llu L", (unsigned long long)q);
                    if (!q || !v || strcmp(v, want)) {
                        if (diffs < 20)
                            fprintf(stderr, "%s ind %lld: '%s', expected '%s' (position %llu)\n",
                                    tname, (long long)i, v ? v : "(null)", want,
                                    (unsigned long long)pos);
                        diffs++;
                    }
                }
                sqlite3_finalize(st);
            }
            free(latest);
        }
    }
    sqlite3_close(db);
    return diffs;
}

/* Differences between two warehouses' tables (rows in one and not the other, both ways). */
static inline int st_compare_dbs(const char *a, const char *b) {
    sqlite3 *db;
    if (sqlite3_open_v2(a, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return 1;
    char sql[4600];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS other", b);
    int diffs = sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK;
    const char *tables[] = {"pin", "geo", "user", "rejects"};
    for (int t = 0; t < 4 && !diffs; t++) {
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM (SELECT * FROM main.\"%s\" EXCEPT SELECT * FROM "
                 "other.\"%s\")) + (SELECT count(*) FROM (SELECT * FROM other.\"%s\" EXCEPT "
                 "SELECT * FROM main.\"%s\")) + abs((SELECT count(*) FROM main.\"%s\") - "
                 "(SELECT count(*) FROM other.\"%s\"))",
                 tables[t], tables[t], tables[t], tables[t], tables[t], tables[t]);
        int64_t d = st_query_int(db, sql);
        if (d != 0) {
            fprintf(stderr, "table %s differs: %lld\n", tables[t], (long long)d);
            diffs++;
        }
    }
    int64_t d =
        st_query_int(db, "SELECT count(*) FROM (SELECT stream, shard, seq, \"offset\" FROM "
                         "main.stream_positions EXCEPT SELECT stream, shard, seq, \"offset\" "
                         "FROM other.stream_positions)");
    if (d != 0) {
        fprintf(stderr, "stream_positions differ: %lld\n", (long long)d);
        diffs++;
    }
    sqlite3_close(db);
    return diffs;
}

#endif
