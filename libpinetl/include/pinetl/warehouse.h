/* The SQLite warehouse: the embedded stand-in for the pipeline's Delta tables and metastore.
 *
 * Schema (created when a database is opened for writing):
 *   pin(ind INTEGER PRIMARY KEY, unique_id TEXT, title TEXT, description TEXT,
 *       follower_count INTEGER, poster_name TEXT, tag_list TEXT, is_image_or_video TEXT,
 *       image_src TEXT, save_location TEXT, category TEXT)
 *   geo(ind INTEGER PRIMARY KEY, country TEXT, latitude REAL, longitude REAL, timestamp TEXT)
 *   user(ind INTEGER PRIMARY KEY, user_name TEXT, age INTEGER, date_joined TEXT)
 *   rejects("table" TEXT, source TEXT, line INTEGER, "offset" INTEGER, reason TEXT,
 *           message TEXT, raw TEXT or BLOB, UNIQUE("table", source, line, "offset"))
 * Coordinates are two REAL columns (null together). Timestamps are TEXT in the spec's output form
 * (YYYY-MM-DDTHH:MM:SS[.ffffff]Z), which sorts in time order and which SQLite's date functions
 * read. A reject's raw is TEXT when its bytes are UTF-8, else a BLOB.
 *
 * Loading upserts cleaned rows by ind (a later row replaces an earlier one; an identical row is
 * not rewritten) and inserts rejects unless one with the same table, source, line and offset is
 * already there, so loading the same inputs again changes nothing. One transaction per batch, or
 * one for many batches between pinetl_warehouse_begin and pinetl_warehouse_commit.
 *
 * Each insight is also a view named after it; views use the pinetl SQL functions (the warehouse
 * registers them on its own connection; other connections load the pinetl SQLite extension).
 * A warehouse handle is used by one thread at a time. */
#ifndef PINETL_WAREHOUSE_H
#define PINETL_WAREHOUSE_H

#include "batch.h"
#include "insights.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinetl_warehouse pinetl_warehouse;

/* Flags of pinetl_warehouse_open. */
enum {
    PINETL_WAREHOUSE_READONLY = 1 /* the database must exist; nothing is created or written */
};

/* Opens (creating when needed, unless READONLY) the database at path (":memory:" works), in WAL
 * mode with synchronous=NORMAL, and creates or refreshes the tables and views. */
PINETL_API int pinetl_warehouse_open(pinetl_warehouse **out, const char *path, int flags);
/* Closes the database. NULL-safe. */
PINETL_API void pinetl_warehouse_free(pinetl_warehouse *warehouse);

/* Loads one batch in one transaction: cleaned rows into the batch's table, rejected rows into
 * rejects. */
PINETL_API int pinetl_warehouse_load(pinetl_warehouse *warehouse, const pinetl_batch *batch);

/* Groups the loads that follow into one transaction, until pinetl_warehouse_commit: far faster
 * for large loads. Cleaned rows are staged in memory (up to 256 MiB) and written sorted by ind
 * when the stage is full and at commit, so a page is written once per pass instead of once per
 * batch. When no other connection has the database open, the transaction uses a rollback journal
 * (pages it adds are then written once, not twice as in WAL) and commit returns to WAL mode. The
 * transaction holds the write lock; other connections see its rows at commit, and queries on this
 * handle see staged rows once they are written (at the latest, at commit). Any failure inside
 * it (a load or the commit) rolls the whole transaction back, counts included, and says so in
 * pinetl_error_last; pinetl_warehouse_free without a commit rolls it back too. Loads being
 * idempotent, running the same load again completes it. synchronous stays NORMAL: a crash or
 * power loss loses at most the open transaction (synchronous=OFF would be faster, but with a
 * rollback journal a power loss could then corrupt rows stored before the load). */
PINETL_API int pinetl_warehouse_begin(pinetl_warehouse *warehouse);
PINETL_API int pinetl_warehouse_commit(pinetl_warehouse *warehouse);

/* What the loads of this handle did. */
typedef struct pinetl_load_stats {
    int64_t rows;            /* cleaned rows seen */
    int64_t written;         /* of which inserted or changed a stored row */
    int64_t rejects;         /* rejected rows seen */
    int64_t rejects_written; /* of which were not stored yet */
} pinetl_load_stats;

PINETL_API void pinetl_warehouse_load_stats(pinetl_load_stats *out,
                                            const pinetl_warehouse *warehouse);

/* Number of rows of a table ("pin", "geo", "user" or "rejects"). */
PINETL_API int pinetl_warehouse_count(int64_t *out, pinetl_warehouse *warehouse, const char *table);

/* The insights computed by SQLite from the stored tables (the views' queries), as the same
 * result type as pinetl_insights_compute. options may be NULL. */
PINETL_API int pinetl_warehouse_insights(pinetl_insights **out, pinetl_warehouse *warehouse,
                                         const pinetl_insights_options *options);

/* Runs one SQL query and returns its rows as a one-table result called name (INTEGER, REAL, TEXT
 * and NULL values; BLOBs as text). */
PINETL_API int pinetl_warehouse_query(pinetl_insights **out, pinetl_warehouse *warehouse,
                                      const char *sql, const char *name);

/* The SELECT that defines an insight's view, with the given median kind: pinetl_insight_sql's
 * SQLite text, made once and kept for the life of the process. NULL when out of range (or out
 * of memory on the first call for it). */
PINETL_API const char *pinetl_warehouse_insight_sql(pinetl_insight insight,
                                                    pinetl_median_kind median_kind);

#ifdef __cplusplus
}
#endif
#endif
