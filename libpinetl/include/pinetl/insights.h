/* Filled in by issue #3 (insights and the SQLite warehouse). */
#ifndef PINETL_INSIGHTS_H
#define PINETL_INSIGHTS_H
#include "batch.h"
#endif
