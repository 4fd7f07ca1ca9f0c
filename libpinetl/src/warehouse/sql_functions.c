/* SQL functions over the public scalar API (scalar.h): each rule is implemented once, in the
 * core; these wrappers only convert SQLite values to the texts the rules read.
 *
 *   pinetl_follower_count(x)       -> INTEGER or NULL
 *   pinetl_timestamp(x)            -> TEXT in the spec's output form, or NULL; a TEXT x is parsed
 *                                     as a timestamp text, a number as seconds since the epoch
 *   pinetl_timestamp_us(x)         -> INTEGER microseconds since the epoch, or NULL
 *   pinetl_year(x)                 -> INTEGER UTC year of a timestamp, or NULL
 *   pinetl_age(x), pinetl_key(x)   -> INTEGER or NULL (a TEXT x must be ASCII digits)
 *   pinetl_age_group(age)          -> '18-24', '25-35', '36-50', '+50' or NULL
 *   pinetl_age_group_index(age)    -> 0..3 in that order, or NULL
 *   pinetl_save_location(x)        -> TEXT without one leading 'Local save in ', or NULL
 *   pinetl_median(x)               -> aggregate: percentile_approx(x, 0.5), INTEGER
 *   pinetl_median_interpolated(x)  -> aggregate: the interpolated median, REAL
 *   pinetl_version()               -> TEXT
 * The aggregates skip NULLs, return NULL for no values, and take integers (and REALs holding an
 * integer); other values are an error. */
#include "sql_functions.h"

#ifdef PINETL_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

#include <stdlib.h>
#include <string.h>

#include <pinetl/insights.h>
#include <pinetl/scalar.h>

#include "insights/median.h"
#include "util/alloc.h"

/* A value as the JSON text a rule reads: numbers as SQLite writes them, text quoted. *heap is set
 * when the text had to be allocated. NULL for SQL NULL, blobs, or text that cannot be quoted
 * plainly (such text is never a valid key or age anyway). */
static const char *json_text(sqlite3_value *v, char *small, size_t small_size, size_t *len,
                             char **heap) {
    *heap = NULL;
    int type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
        const char *s = (const char *)sqlite3_value_text(v);
        *len = (size_t)sqlite3_value_bytes(v);
        return s;
    }
    if (type != SQLITE_TEXT)
        return NULL;
    const char *s = (const char *)sqlite3_value_text(v);
    size_t n = (size_t)sqlite3_value_bytes(v);
    if (!s || memchr(s, '"', n) || memchr(s, '\\', n))
        return NULL;
    char *d = small;
    if (n + 2 > small_size && !(d = *heap = pinetl__malloc(n + 2)))
        return NULL;
    d[0] = '"';
    memcpy(d + 1, s, n);
    d[n + 1] = '"';
    *len = n + 2;
    return d;
}

typedef int (*json_rule)(const char *, size_t, int64_t *);

static void int_rule(sqlite3_context *ctx, sqlite3_value *v, json_rule rule) {
    char small[64], *heap;
    size_t len;
    int64_t out;
    const char *s = json_text(v, small, sizeof small, &len, &heap);
    if (s && rule(s, len, &out))
        sqlite3_result_int64(ctx, out);
    else
        sqlite3_result_null(ctx);
    pinetl__free(heap);
}

static void fn_age(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int_rule(ctx, argv[0], pinetl_age);
}

static void fn_key(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int_rule(ctx, argv[0], pinetl_key);
}

static void fn_follower_count(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int64_t out;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (s && sqlite3_value_type(argv[0]) != SQLITE_BLOB &&
        pinetl_follower_count(s, (size_t)sqlite3_value_bytes(argv[0]), &out))
        sqlite3_result_int64(ctx, out);
    else
        sqlite3_result_null(ctx);
}

/* Timestamp of a value: text parsed as a timestamp, a number as epoch seconds. 1 when valid. */
static int timestamp_of(sqlite3_value *v, int64_t *us) {
    int type = sqlite3_value_type(v);
    const char *s = (const char *)sqlite3_value_text(v);
    size_t n = (size_t)sqlite3_value_bytes(v);
    if (!s)
        return 0;
    if (type == SQLITE_TEXT)
        return pinetl_timestamp_parse(s, n, us);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
        return pinetl_timestamp_from_seconds(s, n, us);
    return 0;
}

static void fn_timestamp(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int64_t us;
    char buf[PINETL_TIMESTAMP_BUFSIZE];
    int n;
    if (timestamp_of(argv[0], &us) && (n = pinetl_timestamp_format(us, buf)) >= 0)
        sqlite3_result_text(ctx, buf, n, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

static void fn_timestamp_us(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int64_t us;
    if (timestamp_of(argv[0], &us))
        sqlite3_result_int64(ctx, us);
    else
        sqlite3_result_null(ctx);
}

static void fn_year(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int64_t us;
    if (timestamp_of(argv[0], &us))
        sqlite3_result_int(ctx, pinetl_timestamp_year(us));
    else
        sqlite3_result_null(ctx);
}

/* An age argument: INTEGER (or a REAL holding one); anything else has no group. */
static int age_of(sqlite3_value *v, int64_t *age) {
    int type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER) {
        *age = sqlite3_value_int64(v);
        return 1;
    }
    if (type == SQLITE_FLOAT) {
        double d = sqlite3_value_double(v);
        if (d >= -9e18 && d <= 9e18 && d == (double)(int64_t)d) {
            *age = (int64_t)d;
            return 1;
        }
    }
    return 0;
}

static void fn_age_group(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int64_t age;
    const char *g = age_of(argv[0], &age) ? pinetl_age_group(age) : NULL;
    if (g)
        sqlite3_result_text(ctx, g, -1, SQLITE_STATIC);
    else
        sqlite3_result_null(ctx);
}

static void fn_age_group_index(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int64_t age;
    int i = age_of(argv[0], &age) ? pinetl_age_group_index(age) : -1;
    if (i >= 0)
        sqlite3_result_int(ctx, i);
    else
        sqlite3_result_null(ctx);
}

static void fn_save_location(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t start, len;
    if (s && sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
        pinetl_save_location(s, (size_t)sqlite3_value_bytes(argv[0]), &start, &len))
        sqlite3_result_text64(ctx, s + start, len, SQLITE_TRANSIENT, SQLITE_UTF8);
    else
        sqlite3_result_null(ctx);
}

static void fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    sqlite3_result_text(ctx, pinetl_version(), -1, SQLITE_STATIC);
}

/* The median aggregates gather the values, sort them at the end, and use the same median code
 * as the in-memory insights. */
typedef struct median_acc { int64_t *v; size_t n, cap; int bad; } median_acc;

static void median_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    median_acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (!a) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    int type = sqlite3_value_type(argv[0]);
    if (type == SQLITE_NULL || a->bad)
        return;
    int64_t x;
    if (!age_of(argv[0], &x)) {   /* "an integer, or a REAL holding one", as for ages */
        a->bad = 1;
        return;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        int64_t *v = pinetl__realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->bad = 2;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
}

static void median_final(sqlite3_context *ctx, int interpolated) {
    median_acc *a = sqlite3_aggregate_context(ctx, 0);
    if (!a || !a->n) {
        if (a && a->bad)
            goto bad;
        sqlite3_result_null(ctx);
        if (a)
            pinetl__free(a->v);
        return;
    }
    if (a->bad)
        goto bad;
    pinetl__median_sort(a->v, a->n);
    if (interpolated)
        sqlite3_result_double(ctx, pinetl__median_interpolated(a->v, a->n));
    else
        sqlite3_result_int64(ctx, pinetl__median_approx(a->v, a->n));
    pinetl__free(a->v);
    return;
bad:
    if (a->bad == 2)
        sqlite3_result_error_nomem(ctx);
    else
        sqlite3_result_error(ctx, "pinetl_median: values must be integers", -1);
    pinetl__free(a->v);
}

static void median_approx_final(sqlite3_context *ctx) { median_final(ctx, 0); }
static void median_interpolated_final(sqlite3_context *ctx) { median_final(ctx, 1); }

typedef void (*scalar_fn)(sqlite3_context *, int, sqlite3_value **);

static const struct { const char *name; int nargs; scalar_fn fn; } scalars[] = {
    {"pinetl_follower_count", 1, fn_follower_count},
    {"pinetl_timestamp", 1, fn_timestamp},
    {"pinetl_timestamp_us", 1, fn_timestamp_us},
    {"pinetl_year", 1, fn_year},
    {"pinetl_age", 1, fn_age},
    {"pinetl_key", 1, fn_key},
    {"pinetl_age_group", 1, fn_age_group},
    {"pinetl_age_group_index", 1, fn_age_group_index},
    {"pinetl_save_location", 1, fn_save_location},
    {"pinetl_version", 0, fn_version},
};

#ifndef SQLITE_INNOCUOUS
#define SQLITE_INNOCUOUS 0
#endif

int pinetl__sql_register(sqlite3 *db) {
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        int rc = sqlite3_create_function_v2(db, scalars[i].name, scalars[i].nargs, flags, NULL,
                                            scalars[i].fn, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    int rc = sqlite3_create_function_v2(db, "pinetl_median", 1, flags, NULL, NULL, median_step,
                                        median_approx_final, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "pinetl_median_interpolated", 1, flags, NULL, NULL,
                                        median_step, median_interpolated_final, NULL);
    return rc;
}
