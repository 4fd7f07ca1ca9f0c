/* The dataset's layout, shared by dataset.c (filling) and compute.c (the insights). */
#ifndef PINETL_INSIGHTS_DATASET_H
#define PINETL_INSIGHTS_DATASET_H

#include <pinetl/insights.h>

#include "hashmap.h"
#include "strpool.h"

/* One row per ind and table. Text columns are string ids (0 = null); has_* flags mark non-null
 * integers. */
typedef struct ds_pin { int64_t ind, followers; uint32_t category, poster; uint8_t has_followers; } ds_pin;
typedef struct ds_geo { int64_t ind, ts; uint32_t country; uint8_t has_ts; } ds_geo;
typedef struct ds_user {
    int64_t ind, age, joined;
    uint32_t name;
    uint8_t has_age, has_joined;
} ds_user;

struct pinetl_dataset {
    strpool strings;
    ds_pin *pin;
    ds_geo *geo;
    ds_user *user;
    size_t npin, ngeo, nuser, cap_pin, cap_geo, cap_user;
    i64map index[PINETL_TABLE_COUNT];   /* ind -> row number, per table */
};

#endif
