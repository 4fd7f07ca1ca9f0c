/* The warehouse's connection: errors, the schema (built from the column catalogue, as the load's
 * upserts are) and its set-up. Below load.c and warehouse.c, which both use it. */
#ifndef PINETL_WAREHOUSE_DB_H
#define PINETL_WAREHOUSE_DB_H

#include <sqlite3.h>

#include <pinetl/common.h>

/* How long a statement waits for another connection's lock: a load waits for another load's
 * whole transaction (one per pinetl load; about 5 s for 3M rows), so this is generous. */
enum { PINETL__DB_BUSY_MS = 60000 };

/* Sets the thread-local error from the connection's message ("what: message") and returns
 * PINETL_ESQL. db may be NULL. */
int pinetl__db_error(sqlite3 *db, const char *what);

/* The stored columns of cleaned column c of a table: its name, or "latitude" and "longitude" for
 * coordinates; names[1] is NULL for a single column. Returns how many (1 or 2). */
int pinetl__db_columns(pinetl_table table, int c, const char *names[2]);

/* sqlite3_exec that also waits out the SQLITE_BUSY the busy handler does not cover (journal
 * mode switches, and lock upgrades SQLite refuses at once to avoid a deadlock): it rolls back any
 * transaction the SQL opened and retries with backoff for up to PINETL__DB_BUSY_MS. */
int pinetl__db_exec_waiting(sqlite3 *db, const char *sql);

/* Busy timeout and SQL functions; unless read-only, WAL mode, the tables and the views. */
int pinetl__db_setup(sqlite3 *db, int readonly);

#endif
