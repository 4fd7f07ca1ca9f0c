/* The insights as SQL, for every dialect the project runs (pinetl_sql_dialect): one template per
 * insight, expanded per dialect. The templates give the same rows in the same order as the
 * in-memory insights (compute.c), and take the year windows (pinetl_insight_years), the age groups
 * (core/age_groups.h) and the median rule from the same definitions as compute.c does: no
 * dialect restates a window, a group boundary or a median.
 *
 * Placeholders, each {name} or {name:argument}:
 *   {pin} {geo} {user}       the tables (or views) read, one row per ind
 *   {year:x}                 the UTC year of timestamp x (SQLite: stored text YYYY-MM-DDT...Z;
 *                            Spark: a TIMESTAMP, whatever the session time zone)
 *   {years}                  " BETWEEN first AND last": the insight's year window
 *                            (pinetl_insight_years)
 *   {age_group:x} {age_index:x} the age group of age x (name, 0-based index) or NULL
 *   {median}                 the median of follower_count (pinetl_median_kind) */
#include <pinetl/insights.h>

#include <stdint.h>
#include <string.h>

#include "core/age_groups.h"
#include "util/buf.h"
#include "util/error.h"

/* Top categories of groups from j (k: the group's order, name: the group's value, category);
 * ties kept. */
#define TOP_CATEGORY(name, j)                                                                  \
    "WITH j AS (" j "),"                                                                       \
    " c AS (SELECT k, " name ", category, count(*) AS category_count FROM j"                   \
    " GROUP BY k, " name ", category),"                                                        \
    " r AS (SELECT *, rank() OVER (PARTITION BY k ORDER BY category_count DESC) AS rk FROM c)" \
    " SELECT " name ", category, category_count FROM r WHERE rk = 1 ORDER BY k, category"

#define TOP_USERS                                                                            \
    "d AS (SELECT DISTINCT g.country AS country, p.poster_name AS poster_name,"              \
    " p.follower_count AS follower_count FROM {pin} p JOIN {geo} g ON g.ind = p.ind"         \
    " WHERE g.country IS NOT NULL AND p.poster_name IS NOT NULL"                             \
    " AND p.follower_count IS NOT NULL),"                                                    \
    " r AS (SELECT *, rank() OVER (PARTITION BY country ORDER BY follower_count DESC) AS rk" \
    " FROM d)"

/* Pins joined to their users, with the age group (k, age_group) and join year (post_year). */
#define PIN_USER                                                        \
    "SELECT {age_index:u.age} AS k, {age_group:u.age} AS age_group,"    \
    " {year:u.date_joined} AS post_year, p.category AS category,"       \
    " p.follower_count AS follower_count, u.date_joined AS date_joined" \
    " FROM {pin} p JOIN {user} u ON u.ind = p.ind"

static const char *const templates[PINETL_INSIGHT_COUNT] = {
    [PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY] = TOP_CATEGORY(
        "country", "SELECT g.country AS k, g.country AS country, p.category AS category"
                   " FROM {pin} p JOIN {geo} g ON g.ind = p.ind"
                   " WHERE g.country IS NOT NULL AND p.category IS NOT NULL"),
    [PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR] = TOP_CATEGORY(
        "post_year", "SELECT k, k AS post_year, category FROM (SELECT {year:g.timestamp} AS k,"
                     " p.category AS category FROM {pin} p JOIN {geo} g ON g.ind = p.ind"
                     " WHERE g.timestamp IS NOT NULL AND p.category IS NOT NULL) y"
                     " WHERE k{years}"),
    [PINETL_INSIGHT_TOP_USER_BY_COUNTRY] =
        "WITH " TOP_USERS " SELECT country, poster_name, follower_count FROM r WHERE rk = 1"
        " ORDER BY country, poster_name",
    [PINETL_INSIGHT_TOP_COUNTRY_BY_FOLLOWERS] =
        "WITH " TOP_USERS ", t AS (SELECT country, follower_count FROM r WHERE rk = 1)"
        " SELECT DISTINCT country, follower_count FROM t"
        " WHERE follower_count = (SELECT max(follower_count) FROM t) ORDER BY country",
    [PINETL_INSIGHT_TOP_CATEGORY_BY_AGE_GROUP] =
        TOP_CATEGORY("age_group", "SELECT k, age_group, category FROM (" PIN_USER ") a"
                                  " WHERE k IS NOT NULL AND category IS NOT NULL"),
    [PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP] =
        "WITH j AS (" PIN_USER ") SELECT age_group, {median} AS median_follower_count FROM j"
        " WHERE k IS NOT NULL GROUP BY k, age_group HAVING count(follower_count) > 0 ORDER BY k",
    [PINETL_INSIGHT_USERS_JOINED_BY_YEAR] =
        "WITH d AS (SELECT DISTINCT user_name, date_joined FROM {user}"
        " WHERE user_name IS NOT NULL AND date_joined IS NOT NULL),"
        " y AS (SELECT {year:date_joined} AS post_year FROM d)"
        " SELECT post_year, count(*) AS number_users_joined FROM y"
        " WHERE post_year{years} GROUP BY post_year ORDER BY post_year",
    [PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR] =
        "WITH j AS (" PIN_USER ") SELECT post_year, {median} AS median_follower_count FROM j"
        " WHERE date_joined IS NOT NULL AND post_year{years} GROUP BY post_year"
        " HAVING count(follower_count) > 0 ORDER BY post_year",
    [PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP_AND_JOIN_YEAR] =
        "WITH j AS (" PIN_USER ") SELECT age_group, post_year, {median} AS median_follower_count"
        " FROM j WHERE k IS NOT NULL AND date_joined IS NOT NULL AND post_year{years}"
        " GROUP BY k, age_group, post_year HAVING count(follower_count) > 0 ORDER BY k, post_year",
};

static const char *const dialect_names[] = {"sqlite", "spark"};
_Static_assert(sizeof dialect_names / sizeof dialect_names[0] == PINETL_SQL_SPARK + 1,
               "a dialect without a name");

const char *pinetl_sql_dialect_name(pinetl_sql_dialect dialect) {
    return (int)dialect >= 0 && (int)dialect <= PINETL_SQL_SPARK ? dialect_names[dialect] : NULL;
}

int pinetl_sql_dialect_from_name(pinetl_sql_dialect *out, const char *name) {
    for (int d = 0; name && d <= PINETL_SQL_SPARK; d++) {
        if (!strcmp(name, dialect_names[d])) {
            if (out)
                *out = (pinetl_sql_dialect)d;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_EINVAL, "unknown SQL dialect '%s' (expected sqlite or spark)",
                             name ? name : "(null)");
}

/* The median rule per dialect and kind (pinetl_median_kind): the same values as median.c. */
static const char *const medians[2][2] = {
    [PINETL_SQL_SQLITE] = {"pinetl_median(follower_count)",
                           "pinetl_median_interpolated(follower_count)"},
    [PINETL_SQL_SPARK] = {"percentile_approx(follower_count, 0.5)",
                          "percentile(follower_count, 0.5)"},
};

/* SQLite has the library's own functions (warehouse/sql_functions.c); Spark gets a CASE over the
 * age groups' table, giving each group's name (names) or index. */
static void put_age(pinetl__buf *b, pinetl_sql_dialect d, const char *x, size_t n, int names) {
    if (d == PINETL_SQL_SQLITE) {
        pinetl__buf_printf(b, "%s(%.*s)", names ? "pinetl_age_group" : "pinetl_age_group_index",
                           (int)n, x);
        return;
    }
    pinetl__buf_puts(b, "CASE");
    for (int i = 0; i < PINETL_AGE_GROUP_COUNT; i++) {
        const pinetl__age_group *g = &pinetl__age_groups[i];
        if (g->last == INT64_MAX)
            pinetl__buf_printf(b, " WHEN %.*s >= %lld", (int)n, x, (long long)g->first);
        else
            pinetl__buf_printf(b, " WHEN %.*s BETWEEN %lld AND %lld", (int)n, x,
                               (long long)g->first, (long long)g->last);
        if (names)
            pinetl__buf_printf(b, " THEN '%s'", g->name);
        else
            pinetl__buf_printf(b, " THEN %d", i);
    }
    pinetl__buf_puts(b, " END");
}

static void put_year(pinetl__buf *b, pinetl_sql_dialect d, const char *x, size_t n) {
    if (d == PINETL_SQL_SQLITE)
        pinetl__buf_printf(b, "CAST(substr(%.*s, 1, 4) AS INTEGER)", (int)n, x);
    else
        pinetl__buf_printf(
            b, "year(date_from_unix_date(CAST(floor(unix_micros(%.*s) / 86400000000) AS INT)))",
            (int)n, x);
}

static int is(const char *name, size_t n, const char *want) {
    return strlen(want) == n && !memcmp(name, want, n);
}

/* Appends the expansion of the placeholder name[0..n) (with its argument arg[0..narg)). */
static void put_placeholder(pinetl__buf *b, const char *name, size_t n, const char *arg,
                            size_t narg, pinetl_insight insight, pinetl_sql_dialect d,
                            pinetl_median_kind median, const char *const *tables) {
    int first, last;
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        const char *table = pinetl_table_name((pinetl_table)t); /* {pin}: the table pin */
        if (is(name, n, table)) {
            pinetl__buf_puts(b, tables ? tables[t] : table);
            return;
        }
    }
    if (is(name, n, "year"))
        put_year(b, d, arg, narg);
    else if (is(name, n, "age_group") || is(name, n, "age_index"))
        put_age(b, d, arg, narg, is(name, n, "age_group"));
    else if (is(name, n, "years") && pinetl_insight_years(&first, &last, insight))
        pinetl__buf_printf(b, " BETWEEN %d AND %d", first, last);
    else if (is(name, n, "median"))
        pinetl__buf_puts(b, medians[d][median]);
    /* the templates hold no other placeholder (test_insight_sql expands them all) */
}

/* A table name goes into the SQL as it is: letters, digits, '_' and '.' (a database prefix). */
static int check_table_name(const char *name, int t) {
    size_t n = name ? strlen(name) : 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            n = 0;
    }
    if (n)
        return PINETL_OK;
    return pinetl__error_set(PINETL_EINVAL,
                             "pinetl_insight_sql: the %s table's name '%s' is not a plain name "
                             "(letters, digits, '_', '.')",
                             pinetl_table_name((pinetl_table)t), name ? name : "(null)");
}

int pinetl_insight_sql(char **out, pinetl_insight insight, pinetl_sql_dialect dialect,
                       pinetl_median_kind median, const char *const *tables) {
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insight_sql: NULL out");
    *out = NULL;
    if ((int)insight < 0 || (int)insight >= PINETL_INSIGHT_COUNT)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insight_sql: unknown insight %d",
                                 (int)insight);
    if ((int)dialect < 0 || (int)dialect > PINETL_SQL_SPARK)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insight_sql: unknown dialect %d",
                                 (int)dialect);
    if (median != PINETL_MEDIAN_APPROX && median != PINETL_MEDIAN_INTERPOLATED)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insight_sql: unknown median kind %d",
                                 (int)median);
    for (int t = 0; tables && t < PINETL_TABLE_COUNT; t++) {
        int rc = check_table_name(tables[t], t);
        if (rc)
            return rc;
    }
    pinetl__buf b = {0};
    for (const char *s = templates[insight]; *s;) {
        const char *open = strchr(s, '{');
        if (!open) {
            pinetl__buf_puts(&b, s);
            break;
        }
        pinetl__buf_append(&b, s, (size_t)(open - s));
        const char *close = strchr(open, '}'), *colon = memchr(open, ':', (size_t)(close - open));
        const char *name_end = colon ? colon : close, *arg = colon ? colon + 1 : close;
        put_placeholder(&b, open + 1, (size_t)(name_end - open - 1), arg, (size_t)(close - arg),
                        insight, dialect, median, tables);
        s = close + 1;
    }
    if (b.failed || !(*out = pinetl__buf_detach(&b, NULL))) {
        pinetl__buf_free(&b);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    return PINETL_OK;
}
