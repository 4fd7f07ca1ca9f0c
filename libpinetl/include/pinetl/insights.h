/* Insights: the nine result tables of spec section 3, computed over cleaned rows.
 *
 * A dataset gathers the cleaned rows of the three tables from batches (rejected rows are skipped),
 * keeping one row per ind and table: a later row replaces an earlier one, "later" meaning later
 * batches and later rows within a batch. Only the columns the insights use are kept (pin: category,
 * poster_name, follower_count; geo: country, timestamp; user: user_name, age, date_joined).
 *
 * A result (pinetl_insights) holds one or more named tables of typed values. The SQLite warehouse
 * produces the same result type (warehouse.h), so both paths render identically. Results are
 * read-only once made and may be read from several threads; a dataset is not shared between
 * threads while it is being added to. */
#ifndef PINETL_INSIGHTS_H
#define PINETL_INSIGHTS_H

#include "batch.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinetl_dataset pinetl_dataset;
typedef struct pinetl_insights pinetl_insights;

/* The insights, in the spec's order. */
typedef enum pinetl_insight {
    PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY = 0,
    PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR = 1,
    PINETL_INSIGHT_TOP_USER_BY_COUNTRY = 2,
    PINETL_INSIGHT_TOP_COUNTRY_BY_FOLLOWERS = 3,
    PINETL_INSIGHT_TOP_CATEGORY_BY_AGE_GROUP = 4,
    PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP = 5,
    PINETL_INSIGHT_USERS_JOINED_BY_YEAR = 6,
    PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR = 7,
    PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP_AND_JOIN_YEAR = 8
} pinetl_insight;
enum { PINETL_INSIGHT_COUNT = 9 };

/* "top_category_by_country", ...; NULL when out of range. */
PINETL_API const char *pinetl_insight_name(pinetl_insight insight);
/* PINETL_ENOTFOUND (with a message listing the names) for an unknown name. */
PINETL_API int pinetl_insight_from_name(pinetl_insight *out, const char *name);
/* Which source tables an insight reads: bit (1 << PINETL_TABLE_PIN) and so on. */
PINETL_API unsigned pinetl_insight_tables(pinetl_insight insight);
/* The year window of an insight's post_year column (spec section 3): 1 with *first and *last
 * (inclusive) set for the insights that count years, 0 for the others and out of range. */
PINETL_API int pinetl_insight_years(int *first, int *last, pinetl_insight insight);

/* Which median: percentile_approx(x, 0.5) (the element at rank ceil(n/2) of the sorted values, an
 * int64; the default) or the interpolated median (the mean of the two middle values for even n,
 * always a REAL value, e.g. 1500.0 or 1500.5; exact while the values stay below 2^53). */
typedef enum pinetl_median_kind {
    PINETL_MEDIAN_APPROX = 0,
    PINETL_MEDIAN_INTERPOLATED = 1
} pinetl_median_kind;

/* The SQL dialects the insights are written in: SQLite (the warehouse's views, with the
 * library's SQL functions, warehouse.h) and Spark SQL (pinetl.spark). */
typedef enum pinetl_sql_dialect { PINETL_SQL_SQLITE = 0, PINETL_SQL_SPARK = 1 } pinetl_sql_dialect;

/* "sqlite", "spark"; NULL when unknown. */
PINETL_API const char *pinetl_sql_dialect_name(pinetl_sql_dialect dialect);
/* PINETL_EINVAL (with a message listing the names) for an unknown name. */
PINETL_API int pinetl_sql_dialect_from_name(pinetl_sql_dialect *out, const char *name);

/* The SELECT of an insight in a dialect, giving the rows of pinetl_insights_compute (same columns,
 * values and order) over tables that hold one row per ind. The year windows, age groups and
 * median come from the library's one definition of each. tables: NULL ("pin", "geo", "user") or
 * PINETL_TABLE_COUNT names in table order, each letters, digits, '_' and '.' (PINETL_EINVAL
 * otherwise). SQLite's text is the warehouse's view (pinetl_warehouse_insight_sql). *out is NUL
 * terminated; free it with pinetl_free. PINETL_EINVAL for an unknown insight, dialect or median
 * kind. */
PINETL_API int pinetl_insight_sql(char **out, pinetl_insight insight, pinetl_sql_dialect dialect,
                                  pinetl_median_kind median, const char *const *tables);

/* Versioned options (see pinetl.h): init with the version the caller was written for. */
enum { PINETL_INSIGHTS_OPTIONS_VERSION = 1 };

/* "approx", "interpolated"; NULL when unknown. */
PINETL_API const char *pinetl_median_kind_name(pinetl_median_kind kind);
/* PINETL_EINVAL (with a message listing the names) for an unknown name. */
PINETL_API int pinetl_median_kind_from_name(pinetl_median_kind *out, const char *name);

typedef struct pinetl_insights_options {
    unsigned version;          /* set by pinetl_insights_options_init */
    pinetl_median_kind median; /* PINETL_MEDIAN_APPROX by default */
    const char *const *names;  /* insights to compute, in this order; NULL = all nine */
    size_t nnames;
} pinetl_insights_options;

PINETL_API int pinetl_insights_options_init(pinetl_insights_options *options, unsigned version);

/* Datasets. */
PINETL_API int pinetl_dataset_new(pinetl_dataset **out);
PINETL_API void pinetl_dataset_free(pinetl_dataset *dataset);
/* Adds the cleaned rows of a batch (any table); rejected rows are skipped. */
PINETL_API int pinetl_dataset_add(pinetl_dataset *dataset, const pinetl_batch *batch);
/* Distinct inds held for a table; counted on each call, in time linear in the rows added. */
PINETL_API size_t pinetl_dataset_rows(const pinetl_dataset *dataset, pinetl_table table);

/* What reading one table's inputs into a dataset saw. */
typedef struct pinetl_dataset_report {
    pinetl_stats stats; /* records read, cleaned and rejected (by reason) */
    char *first_reject; /* "source:line: message" of the first rejected record, or NULL;
                                * free with pinetl_free */
    char *notices;      /* the reader's notices, one per line, or NULL; free with pinetl_free */
} pinetl_dataset_report;

/* Cleans the inputs of the three tables into the dataset: paths[t] (npaths[t] of them) for table
 * t (pin, geo, user); a table with no inputs is skipped. The tables are read at the same time,
 * each by its own reader opened with options (its workers clean, one thread per table adds to
 * the dataset), so that the cleaning keeps every core busy. The readers clean only the columns
 * the insights read (options->columns is replaced): records are rejected exactly as by a full
 * cleaning, and the reports count no nulls or warnings for the other columns. reports, when not
 * NULL, has PINETL_TABLE_COUNT entries: those of the tables read are filled, even when reading
 * fails.
 * Returns the error of the first table (in table order) that failed, with its message; the
 * dataset then holds part of the input. */
PINETL_API int pinetl_dataset_read_files(pinetl_dataset_report *reports, pinetl_dataset *dataset,
                                         const char *const *const *paths, const size_t *npaths,
                                         const pinetl_reader_options *options);

/* Computes the insights. options may be NULL (all nine, percentile_approx median).
 * PINETL_ENOTFOUND for an unknown name. Free the result with pinetl_insights_free. */
PINETL_API int pinetl_insights_compute(pinetl_insights **out, const pinetl_dataset *dataset,
                                       const pinetl_insights_options *options);
PINETL_API void pinetl_insights_free(pinetl_insights *result);

/* Types of result values. */
typedef enum pinetl_value_type {
    PINETL_VALUE_NULL = 0,
    PINETL_VALUE_INT64 = 1,
    PINETL_VALUE_TEXT = 2,
    PINETL_VALUE_REAL = 3
} pinetl_value_type;

/* Result tables: t indexes the tables (0 .. count-1), then rows and columns. Out-of-range indexes
 * give 0 / NULL / PINETL_VALUE_NULL. */
PINETL_API size_t pinetl_insights_count(const pinetl_insights *result);
PINETL_API const char *pinetl_insights_table_name(const pinetl_insights *result, size_t t);
/* The index of the table with this name, or -1. */
PINETL_API int pinetl_insights_find(const pinetl_insights *result, const char *name);
PINETL_API size_t pinetl_insights_rows(const pinetl_insights *result, size_t t);
PINETL_API size_t pinetl_insights_columns(const pinetl_insights *result, size_t t);
PINETL_API const char *pinetl_insights_column_name(const pinetl_insights *result, size_t t,
                                                   size_t column);
PINETL_API pinetl_value_type pinetl_insights_value_type(const pinetl_insights *result, size_t t,
                                                        size_t row, size_t column);
PINETL_API int64_t pinetl_insights_int64(const pinetl_insights *result, size_t t, size_t row,
                                         size_t column);
PINETL_API double pinetl_insights_real(const pinetl_insights *result, size_t t, size_t row,
                                       size_t column);
/* Text values are UTF-8, NUL-terminated, *len (when not NULL) bytes long. */
PINETL_API const char *pinetl_insights_text(const pinetl_insights *result, size_t t, size_t row,
                                            size_t column, size_t *len);

/* Output formats of results. */
typedef enum pinetl_insights_format {
    PINETL_INSIGHTS_TABLE = 1, /* aligned text tables, each under its name */
    PINETL_INSIGHTS_JSON = 2,  /* one object keyed by table name; each a list of row objects */
    PINETL_INSIGHTS_CSV = 3    /* RFC 4180 with a header; with several tables, each preceded by a
                                 * line "# name" and followed by a blank line */
} pinetl_insights_format;

/* "table", "json", "csv"; NULL when unknown. */
PINETL_API const char *pinetl_insights_format_name(pinetl_insights_format format);
/* PINETL_EINVAL (with a message listing the names) for an unknown name. */
PINETL_API int pinetl_insights_format_from_name(pinetl_insights_format *out, const char *name);

/* Renders every table of the result. REAL values are written in the shortest form that reads
 * back exactly ("1500.0", "1500.5"); null is null in JSON, empty in CSV and table. *out is NUL
 * terminated; free it with pinetl_free. */
PINETL_API int pinetl_insights_render(char **out, size_t *len, const pinetl_insights *result,
                                      pinetl_insights_format format);

/* Two results hold the same tables with the same names, columns, rows and typed values (REAL
 * compared exactly). 1 when equal; 0 with a description of the first difference (free with
 * pinetl_free) in *why when why is not NULL. */
PINETL_API int pinetl_insights_equal(char **why, const pinetl_insights *a,
                                     const pinetl_insights *b);

#ifdef __cplusplus
}
#endif
#endif
