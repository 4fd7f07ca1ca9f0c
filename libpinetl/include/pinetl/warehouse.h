/* Filled in by issue #3 (insights and the SQLite warehouse). */
#ifndef PINETL_WAREHOUSE_H
#define PINETL_WAREHOUSE_H
#include "batch.h"
#endif
