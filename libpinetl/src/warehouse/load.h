/* The load state of a warehouse handle, owned by load.c: prepared statements, counts, the open
 * load transaction and the stage of rows not yet written. warehouse.c holds one in the handle and
 * hands it back to pinetl__load_free; it reads no field of it. */
#ifndef PINETL_WAREHOUSE_LOAD_H
#define PINETL_WAREHOUSE_LOAD_H

#include <sqlite3.h>

#include <pinetl/warehouse.h>

#include "stage.h"

typedef struct wh_load {
    sqlite3_stmt *upsert[PINETL_TABLE_COUNT]; /* prepared on first use, reused */
    sqlite3_stmt *reject, *begin, *commit, *rollback;
    pinetl_load_stats stats, stats_at_begin; /* stats_at_begin: restored when a load fails */
    int in_transaction; /* pinetl_warehouse_begin was called and not yet committed */
    int bulk_journal;   /* begin switched WAL to a rollback journal; commit switches back */
    stage stage;        /* cleaned rows not yet upserted */
} wh_load;

void pinetl__load_init(wh_load *load);
/* Rolls back a load transaction left open (and returns to WAL), finalizes the statements and
 * frees the stage. */
void pinetl__load_free(wh_load *load, sqlite3 *db);

#endif
