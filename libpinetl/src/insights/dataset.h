/* The dataset's layout, shared by dataset.c (filling), dataset_read.c (reading files into it),
 * dataset_index.c and compute.c (the insights).
 *
 * Adding a row is an append: rows go, in arrival order, to one of DS_PARTS partitions chosen by
 * a hash of ind. The one-row-per-ind rule and the joins are applied later, one partition at a
 * time (dataset_index.h), where the hash tables are small enough to stay in cache: at a million
 * rows per table a single hash table costs a memory miss (100-200 ns here) per row and per
 * lookup, while appending and per-partition tables cost a few ns.
 *
 * Rows keep only what the insights read, already reduced: text as string ids of a pool per column
 * (0 = null), years only when inside the range an insight counts (0 otherwise), the age as its
 * group. The tables share nothing, so the three can be filled at the same time, one thread each. */
#ifndef PINETL_INSIGHTS_DATASET_H
#define PINETL_INSIGHTS_DATASET_H

#include <pinetl/insights.h>

#include "util/hashmap.h"
#include "util/strpool.h"

enum { FIRST_POST_YEAR = 2018, LAST_POST_YEAR = 2022, FIRST_JOIN_YEAR = 2015, LAST_JOIN_YEAR = 2020 };

/* 256 partitions: 4k rows each at a million rows, so a partition's hash table fits in L2. */
enum { DS_PART_BITS = 8, DS_PARTS = 1 << DS_PART_BITS };

typedef struct ds_pin {
    int64_t ind, followers;
    uint32_t category, poster;
    uint8_t has_followers;
} ds_pin;

typedef struct ds_geo {
    int64_t ind;
    uint32_t country;
    uint16_t post_year;       /* year of timestamp in FIRST_POST_YEAR..LAST_POST_YEAR, else 0 */
} ds_geo;

typedef struct ds_user {
    int64_t ind;
    int64_t joined;           /* date_joined (meaningful when join_year != 0) */
    uint32_t name;
    uint16_t join_year;       /* year of date_joined in FIRST_JOIN_YEAR..LAST_JOIN_YEAR, else 0 */
    int8_t age_group;         /* pinetl_age_group_index of age; -1 for none or a null age */
} ds_user;

/* A partition: rows of the table's row type, in arrival order. */
typedef struct ds_part { void *rows; size_t n, cap; } ds_part;

typedef struct ds_table { ds_part part[DS_PARTS]; size_t esize; } ds_table;

struct pinetl_dataset {
    ds_table table[PINETL_TABLE_COUNT];   /* ds_pin, ds_geo, ds_user rows */
    strpool category, poster;             /* pin */
    strpool country;                      /* geo */
    strpool user_name;                    /* user */
};

/* The columns of a table's batches that the dataset reads (bit c = column c): readers that fill
 * a dataset need clean no others (pinetl_batch_select_columns). */
uint32_t pinetl__dataset_columns(pinetl_table table);

/* The partition of an ind: the top bits of its hash (the partition's own tables use the low
 * bits, which stay independent). */
static inline size_t pinetl__dataset_part_of(int64_t ind) {
    return (size_t)(pinetl__hash_u64((uint64_t)ind) >> (64 - DS_PART_BITS));
}

#endif
