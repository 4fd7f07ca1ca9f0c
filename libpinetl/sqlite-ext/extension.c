/* The pinetl SQLite extension: `.load ./pinetl` in the sqlite3 shell, or
 * connection.load_extension("./pinetl") in Python. Registers the pinetl SQL functions
 * (src/warehouse/sql_functions.c) on the connection. Built without linking libsqlite3: every
 * SQLite call goes through the routines table the host passes in. */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "warehouse/sql_functions.h"

/* The entry point SQLite derives from the file name "pinetl.so". */
__attribute__((visibility("default")))
int sqlite3_pinetl_init(sqlite3 *db, char **error, const sqlite3_api_routines *api);

int sqlite3_pinetl_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
    SQLITE_EXTENSION_INIT2(api);
    int rc = pinetl__sql_register(db);
    if (rc != SQLITE_OK && error)
        *error = sqlite3_mprintf("pinetl: registering SQL functions failed: %s", sqlite3_errstr(rc));
    return rc;
}
