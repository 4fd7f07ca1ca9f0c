/* Names and types of tables and cleaned columns (spec section 2, in the spec's order). */
#include <string.h>

#include <pinetl/batch.h>
#include <pinetl/common.h>

#include "intake.h"
#include "util/error.h"

/* Every fixed array of the public API is tied to its count. */
_Static_assert(PINETL_TABLE_COUNT == PINETL_TABLE_USER + 1, "a table without a count");
_Static_assert((int)PINETL_PIN_COLUMNS <= (int)PINETL_MAX_COLUMNS &&
                   (int)PINETL_GEO_COLUMNS <= (int)PINETL_MAX_COLUMNS &&
                   (int)PINETL_USER_COLUMNS <= (int)PINETL_MAX_COLUMNS,
               "PINETL_MAX_COLUMNS is below a table's column count");
_Static_assert(PINETL_MAX_COLUMNS <= 32, "column selections are 32-bit masks");
_Static_assert(sizeof((pinetl_stats *)0)->nulls / sizeof(int64_t) >= PINETL_MAX_COLUMNS &&
                   sizeof((pinetl_stats *)0)->warnings / sizeof(int64_t) >= PINETL_MAX_COLUMNS,
               "pinetl_stats.nulls/warnings hold fewer than PINETL_MAX_COLUMNS columns");
_Static_assert(sizeof((pinetl_stats *)0)->rejected_by_code / sizeof(int64_t) >= PINETL_REJECT_CODES,
               "pinetl_stats.rejected_by_code holds fewer than PINETL_REJECT_CODES codes");
_Static_assert(PINETL_REJECT_CODES == PINETL_REJECT_TOO_LARGE + 1, "a reject code without a count");

static const char *const table_names[PINETL_TABLE_COUNT] = {"pin", "geo", "user"};

static const char *const pin_cols[PINETL_PIN_COLUMNS] = {
    "ind",      "unique_id",         "title",     "description",   "follower_count", "poster_name",
    "tag_list", "is_image_or_video", "image_src", "save_location", "category"};
static const unsigned char pin_types[PINETL_PIN_COLUMNS] = {
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT,
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT, PINETL_TYPE_TEXT,
    PINETL_TYPE_TEXT,  PINETL_TYPE_TEXT, PINETL_TYPE_TEXT};
static const char *const geo_cols[PINETL_GEO_COLUMNS] = {"ind", "country", "coordinates",
                                                         "timestamp"};
static const unsigned char geo_types[PINETL_GEO_COLUMNS] = {
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_COORDS, PINETL_TYPE_TIMESTAMP};
static const char *const user_cols[PINETL_USER_COLUMNS] = {"ind", "user_name", "age",
                                                           "date_joined"};
static const unsigned char user_types[PINETL_USER_COLUMNS] = {
    PINETL_TYPE_INT64, PINETL_TYPE_TEXT, PINETL_TYPE_INT64, PINETL_TYPE_TIMESTAMP};

const char *pinetl_table_name(pinetl_table table) {
    return (unsigned)table < PINETL_TABLE_COUNT ? table_names[table] : NULL;
}

int pinetl_table_from_name(pinetl_table *out, const char *name) {
    for (int t = 0; name && t < PINETL_TABLE_COUNT; t++) {
        if (strcmp(name, table_names[t]) == 0) {
            *out = (pinetl_table)t;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_EINVAL, "unknown table '%s' (expected pin, geo or user)",
                             name ? name : "(null)");
}

int pinetl_column_count(pinetl_table table) {
    switch (table) {
    case PINETL_TABLE_PIN: return PINETL_PIN_COLUMNS;
    case PINETL_TABLE_GEO: return PINETL_GEO_COLUMNS;
    case PINETL_TABLE_USER: return PINETL_USER_COLUMNS;
    default: return 0;
    }
}

const char *pinetl_column_name(pinetl_table table, int column) {
    if (column < 0 || column >= pinetl_column_count(table))
        return NULL;
    switch (table) {
    case PINETL_TABLE_PIN: return pin_cols[column];
    case PINETL_TABLE_GEO: return geo_cols[column];
    default: return user_cols[column];
    }
}

const char *pinetl_type_name(pinetl_type type) {
    switch (type) {
    case PINETL_TYPE_INT64: return "int64";
    case PINETL_TYPE_TEXT: return "text";
    case PINETL_TYPE_COORDS: return "coords";
    case PINETL_TYPE_TIMESTAMP: return "timestamp";
    default: return NULL;
    }
}

pinetl_type pinetl_column_type(pinetl_table table, int column) {
    if (column < 0 || column >= pinetl_column_count(table))
        return 0;
    switch (table) {
    case PINETL_TABLE_PIN: return pin_types[column];
    case PINETL_TABLE_GEO: return geo_types[column];
    default: return user_types[column];
    }
}
