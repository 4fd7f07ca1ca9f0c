/* The warehouse handle, shared by warehouse.c (open, schema, queries) and load.c (loading). */
#ifndef PINETL_WAREHOUSE_INTERNAL_H
#define PINETL_WAREHOUSE_INTERNAL_H

#include <sqlite3.h>

#include <pinetl/warehouse.h>

#include "insights/hashmap.h"

struct pinetl_warehouse {
    sqlite3 *db;
    int flags;
    sqlite3_stmt *upsert[PINETL_TABLE_COUNT];  /* prepared on first use, reused */
    sqlite3_stmt *reject, *begin, *commit, *rollback;
    pinetl_load_stats stats;
    i64map last;          /* per batch: ind -> its last cleaned row (only that one is written) */
};

/* Sets the thread-local error from the connection's message and returns PINETL_ESQL. */
int warehouse_error(pinetl_warehouse *wh, const char *what);

/* Prepared statements of load.c; finalized by pinetl_warehouse_free. */
void warehouse_finalize_load(pinetl_warehouse *wh);

#endif
