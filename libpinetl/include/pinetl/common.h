/* Result codes, errors, versions, tables and columns: what every other pinetl header uses. */
#ifndef PINETL_COMMON_H
#define PINETL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes of fallible calls (SQLite style: 0 is success, errors negative, step codes positive).
 * A rejected record is data in a batch, never an error code (the CLI's --strict asks
 * pinetl_batch_rejected). -7 is not used: it was PINETL_EREJECT, which no call returned. */
enum {
    PINETL_OK = 0,
    PINETL_ERROR = -1,     /* internal or otherwise unclassified failure */
    PINETL_ENOMEM = -2,    /* an allocation failed */
    PINETL_EINVAL = -3,    /* a bad argument (unknown table, NULL handle, bad option) */
    PINETL_EIO = -4,       /* an input could not be opened or read, or an output written */
    PINETL_EFORMAT = -5,   /* an input as a whole is unusable (e.g. forced format does not apply) */
    PINETL_ESQL = -6,      /* the SQLite warehouse reported an error */
    PINETL_ENOTFOUND = -8, /* no such file, insight or column */
    PINETL_BATCH = 100,    /* step: a batch is ready */
    PINETL_DONE = 101      /* step: no more input */
};

/* The message of the last failed call on this thread (never NULL; "" when there is none). */
PINETL_API const char *pinetl_error_last(void);
/* A fixed description of a result code; needs no state. */
PINETL_API const char *pinetl_strerror(int code);

/* Library version, e.g. "0.1.0", and as MAJOR*10000 + MINOR*100 + PATCH. */
PINETL_API const char *pinetl_version(void);
PINETL_API int pinetl_version_number(void);

/* The three source tables. */
typedef enum pinetl_table {
    PINETL_TABLE_PIN = 0,
    PINETL_TABLE_GEO = 1,
    PINETL_TABLE_USER = 2
} pinetl_table;

enum { PINETL_TABLE_COUNT = 3, PINETL_MAX_COLUMNS = 11 };

/* "pin", "geo", "user"; NULL for an unknown table. */
PINETL_API const char *pinetl_table_name(pinetl_table table);
/* Parses a table name; PINETL_EINVAL for anything else. */
PINETL_API int pinetl_table_from_name(pinetl_table *out, const char *name);

/* Types of cleaned columns. */
typedef enum pinetl_type {
    PINETL_TYPE_INT64 = 1,  /* int64_t: ind, follower_count, age */
    PINETL_TYPE_TEXT = 2,   /* UTF-8 bytes in one blob, int64 offsets (Arrow large-string layout) */
    PINETL_TYPE_COORDS = 3, /* two doubles per row: latitude, longitude */
    PINETL_TYPE_TIMESTAMP = 4 /* int64_t microseconds since 1970-01-01T00:00:00Z */
} pinetl_type;

/* Name of a column type: "int64", "text", "coords", "timestamp"; NULL for anything else. The
 * names bindings use for the cleaned columns' types (Python's pinetl.columns). */
PINETL_API const char *pinetl_type_name(pinetl_type type);

/* Cleaned columns of each table, in the spec's order. Column 0 is always ind. */
enum {
    PINETL_PIN_IND = 0,
    PINETL_PIN_UNIQUE_ID,
    PINETL_PIN_TITLE,
    PINETL_PIN_DESCRIPTION,
    PINETL_PIN_FOLLOWER_COUNT,
    PINETL_PIN_POSTER_NAME,
    PINETL_PIN_TAG_LIST,
    PINETL_PIN_IS_IMAGE_OR_VIDEO,
    PINETL_PIN_IMAGE_SRC,
    PINETL_PIN_SAVE_LOCATION,
    PINETL_PIN_CATEGORY,
    PINETL_PIN_COLUMNS
};
enum {
    PINETL_GEO_IND = 0,
    PINETL_GEO_COUNTRY,
    PINETL_GEO_COORDINATES,
    PINETL_GEO_TIMESTAMP,
    PINETL_GEO_COLUMNS
};
enum {
    PINETL_USER_IND = 0,
    PINETL_USER_USER_NAME,
    PINETL_USER_AGE,
    PINETL_USER_DATE_JOINED,
    PINETL_USER_COLUMNS
};

/* Number of cleaned columns of a table (0 for an unknown table). */
PINETL_API int pinetl_column_count(pinetl_table table);
/* Name of a cleaned column ("ind", "unique_id", ...); NULL when out of range. */
PINETL_API const char *pinetl_column_name(pinetl_table table, int column);
/* Type of a cleaned column; 0 when out of range. */
PINETL_API pinetl_type pinetl_column_type(pinetl_table table, int column);

#ifdef __cplusplus
}
#endif
#endif
