/* Names and types of tables and cleaned columns (spec section 2, in the spec's order). */
#include <string.h>

#include <pinetl/common.h>

#include "batch_internal.h"
#include "util/error.h"

static const char *const table_names[PINETL_TABLE_COUNT] = { "pin", "geo", "user" };

static const char *const pin_cols[PINETL_PIN_COLUMNS] = {
    "ind", "unique_id", "title", "description", "follower_count", "poster_name", "tag_list",
    "is_image_or_video", "image_src", "save_location", "category"
};
static const unsigned char pin_types[PINETL_PIN_COLUMNS] = {
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_INT64,
    PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT,
    PINETL_TYPE_TEXT
};
static const char *const geo_cols[PINETL_GEO_COLUMNS] = { "ind", "country", "coordinates", "timestamp" };
static const unsigned char geo_types[PINETL_GEO_COLUMNS] = {
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_COORDS, PINETL_TYPE_TIMESTAMP
};
static const char *const user_cols[PINETL_USER_COLUMNS] = { "ind", "user_name", "age", "date_joined" };
static const unsigned char user_types[PINETL_USER_COLUMNS] = {
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_INT64, PINETL_TYPE_TIMESTAMP
};

const char *pinetl_table_name(pinetl_table table)
{
    return (unsigned)table < PINETL_TABLE_COUNT ? table_names[table] : NULL;
}

int pinetl_table_from_name(const char *name, pinetl_table *out)
{
    for (int t = 0; name && t < PINETL_TABLE_COUNT; t++) {
        if (strcmp(name, table_names[t]) == 0) {
            *out = (pinetl_table)t;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_EINVAL, "unknown table '%s' (expected pin, geo or user)",
                            name ? name : "(null)");
}

int pinetl_column_count(pinetl_table table)
{
    switch (table) {
    case PINETL_TABLE_PIN: return PINETL_PIN_COLUMNS;
    case PINETL_TABLE_GEO: return PINETL_GEO_COLUMNS;
    case PINETL_TABLE_USER: return PINETL_USER_COLUMNS;
    default: return 0;
    }
}

const char *pinetl_column_name(pinetl_table table, int column)
{
    if (column < 0 || column >= pinetl_column_count(table)) return NULL;
    switch (table) {
    case PINETL_TABLE_PIN: return pin_cols[column];
    case PINETL_TABLE_GEO: return geo_cols[column];
    default: return user_cols[column];
    }
}

int pinetl_column_type(pinetl_table table, int column)
{
    if (column < 0 || column >= pinetl_column_count(table)) return 0;
    switch (table) {
    case PINETL_TABLE_PIN: return pin_types[column];
    case PINETL_TABLE_GEO: return geo_types[column];
    default: return user_types[column];
    }
}
