/* The warehouse handle: the connection (db.c) and the load state (load.c), put together and
 * taken apart by warehouse.c. */
#ifndef PINETL_WAREHOUSE_INTERNAL_H
#define PINETL_WAREHOUSE_INTERNAL_H

#include <sqlite3.h>

#include <pinetl/warehouse.h>

#include "db.h"
#include "load.h"

struct pinetl_warehouse {
    sqlite3 *db;
    int flags;
    wh_load load;
};

#endif
