/* The warehouse handle, shared by warehouse.c (open, schema, queries) and load.c (loading). */
#ifndef PINETL_WAREHOUSE_INTERNAL_H
#define PINETL_WAREHOUSE_INTERNAL_H

#include <sqlite3.h>

#include <pinetl/warehouse.h>

#include "stage.h"

/* How long a statement waits for another connection's lock: a load waits for another load's
 * whole transaction (one per pinetl load; about 5 s for 3M rows), so this is generous. */
enum { WAREHOUSE_BUSY_MS = 60000 };

struct pinetl_warehouse {
    sqlite3 *db;
    int flags;
    sqlite3_stmt *upsert[PINETL_TABLE_COUNT];  /* prepared on first use, reused */
    sqlite3_stmt *reject, *begin, *commit, *rollback;
    pinetl_load_stats stats, stats_at_begin;  /* stats_at_begin: restored when a load fails */
    int in_transaction;   /* pinetl_warehouse_begin was called and not yet committed */
    int bulk_journal;     /* begin switched WAL to a rollback journal; commit switches back */
    stage stage;          /* cleaned rows not yet upserted */
};

/* Sets the thread-local error from the connection's message and returns PINETL_ESQL. */
int pinetl__warehouse_error(pinetl_warehouse *wh, const char *what);

/* Prepared statements and stage of load.c; freed by pinetl_warehouse_free. */
void pinetl__warehouse_finalize_load(pinetl_warehouse *wh);

/* sqlite3_exec that also waits out the SQLITE_BUSY the busy handler does not cover (journal
 * mode switches, and lock upgrades SQLite refuses at once to avoid a deadlock): it rolls back any
 * transaction the SQL opened and retries with backoff for up to WAREHOUSE_BUSY_MS. */
int pinetl__warehouse_exec_waiting(pinetl_warehouse *wh, const char *sql);

/* Back to WAL after a load transaction that left it (no-op otherwise). */
void pinetl__warehouse_end_bulk(pinetl_warehouse *wh);

#endif
