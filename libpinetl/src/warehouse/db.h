/* The warehouse's connection: errors, the schema (built from the column catalogue, as the load's
 * upserts are) and its set-up. Below load.c and warehouse.c, which both use it. */
#ifndef PINETL_WAREHOUSE_DB_H
#define PINETL_WAREHOUSE_DB_H

#include <sqlite3.h>

#include <pinetl/common.h>

/* How long a statement waits for another connection's lock. */
enum { PINETL__DB_BUSY_MS = 10000 };

/* Sets the thread-local error from the connection's message ("what: message") and returns
 * PINETL_ESQL. db may be NULL. */
int pinetl__db_error(sqlite3 *db, const char *what);

/* The stored columns of cleaned column c of a table: its name, or "latitude" and "longitude" for
 * coordinates; names[1] is NULL for a single column. Returns how many (1 or 2). */
int pinetl__db_columns(pinetl_table table, int c, const char *names[2]);

/* Busy timeout and SQL functions; unless read-only, WAL mode, the tables and the views. */
int pinetl__db_setup(sqlite3 *db, int readonly);

#endif
