/* The pinetl SQL functions: the spec's per-value rules and the two median aggregates.
 *
 * sql_functions.c is compiled twice: into the warehouse, calling SQLite directly, and with
 * PINETL_SQLITE_EXTENSION into the loadable extension, where every SQLite call goes through the
 * routines table the host hands over (sqlite3ext.h). */
#ifndef PINETL_WAREHOUSE_SQL_FUNCTIONS_H
#define PINETL_WAREHOUSE_SQL_FUNCTIONS_H

#ifdef PINETL_SQLITE_EXTENSION
#include <sqlite3ext.h>
#else
#include <sqlite3.h>
#endif

/* Registers every function on db; an SQLite result code. */
int pinetl__sql_register(sqlite3 *db);

#endif
