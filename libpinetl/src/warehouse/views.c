/* The insights in SQL: each view's SELECT, written with the pinetl SQL functions, giving the same
 * rows in the same order as the in-memory insights (src/insights/compute.c). Years are read from
 * the stored timestamp text (YYYY-MM-DDT...Z), whose first four characters are the UTC year. */
#include <pinetl/warehouse.h>

#include "insights/windows.h"

#define YEAR(col) "CAST(substr(" col ", 1, 4) AS INTEGER)"

#define TOP_USERS                                                                            \
    "d AS (SELECT DISTINCT g.country AS country, p.poster_name AS poster_name,"              \
    " p.follower_count AS follower_count FROM pin p JOIN geo g ON g.ind = p.ind"             \
    " WHERE g.country IS NOT NULL AND p.poster_name IS NOT NULL"                             \
    " AND p.follower_count IS NOT NULL),"                                                    \
    " r AS (SELECT *, rank() OVER (PARTITION BY country ORDER BY follower_count DESC) AS rk" \
    " FROM d)"

/* Top categories of groups from j(k: the group's order, category); ties kept. The group's value
 * is expr (over j's columns) named name. */
#define TOP_CATEGORY(expr, name, j)                                                            \
    "WITH j AS (" j "),"                                                                       \
    " c AS (SELECT k, " expr " AS " name ", category, count(*) AS category_count FROM j"       \
    " GROUP BY k, category),"                                                                  \
    " r AS (SELECT *, rank() OVER (PARTITION BY k ORDER BY category_count DESC) AS rk FROM c)" \
    " SELECT " name ", category, category_count FROM r WHERE rk = 1 ORDER BY k, category"

#define MEDIAN_BY_AGE(M)                                                                          \
    "WITH j AS (SELECT pinetl_age_group_index(u.age) AS k, pinetl_age_group(u.age) AS age_group," \
    " p.follower_count AS follower_count FROM pin p JOIN user u ON u.ind = p.ind)"                \
    " SELECT age_group, " M "(follower_count) AS median_follower_count FROM j"                    \
    " WHERE k IS NOT NULL GROUP BY k HAVING count(follower_count) > 0 ORDER BY k"

#define MEDIAN_BY_JOIN_YEAR(M)                                                                       \
    "WITH j AS (SELECT " YEAR(                                                                       \
        "u.date_joined") " AS post_year, p.follower_count AS follower_count"                         \
                         " FROM pin p JOIN user u ON u.ind = p.ind WHERE u.date_joined IS NOT NULL)" \
                         " SELECT post_year, " M                                                     \
                         "(follower_count) AS median_follower_count FROM j"                          \
                         " WHERE post_year" PINETL__JOIN_YEARS_SQL                                   \
                         " GROUP BY post_year HAVING count(follower_count) > 0"                      \
                         " ORDER BY post_year"

#define MEDIAN_BY_AGE_AND_JOIN_YEAR(M)                                                               \
    "WITH j AS (SELECT pinetl_age_group_index(u.age) AS k, pinetl_age_group(u.age) AS age_group,"    \
    " " YEAR(                                                                                        \
        "u.date_joined") " AS post_year, p.follower_count AS follower_count"                         \
                         " FROM pin p JOIN user u ON u.ind = p.ind WHERE u.date_joined IS NOT NULL)" \
                         " SELECT age_group, post_year, " M                                          \
                         "(follower_count) AS median_follower_count FROM j"                          \
                         " WHERE k IS NOT NULL AND post_year" PINETL__JOIN_YEARS_SQL                 \
                         " GROUP BY k, post_year"                                                    \
                         " HAVING count(follower_count) > 0 ORDER BY k, post_year"

static const char *const common_sql[] = {
    /* top_category_by_country */
    TOP_CATEGORY("k", "country",
                 "SELECT g.country AS k, p.category AS category FROM pin p JOIN geo g"
                 " ON g.ind = p.ind WHERE g.country IS NOT NULL AND p.category IS NOT NULL"),
    /* top_category_by_year */
    TOP_CATEGORY(
        "k", "post_year",
        "SELECT * FROM (SELECT " YEAR(
            "g.timestamp") " AS k, p.category AS category"
                           " FROM pin p JOIN geo g ON g.ind = p.ind WHERE g.timestamp IS NOT NULL"
                           " AND p.category IS NOT NULL) WHERE k" PINETL__POST_YEARS_SQL),
    /* top_user_by_country */
    "WITH " TOP_USERS " SELECT country, poster_name, follower_count FROM r WHERE rk = 1"
    " ORDER BY country, poster_name",
    /* top_country_by_followers */
    "WITH " TOP_USERS ", t AS (SELECT country, follower_count FROM r WHERE rk = 1)"
    " SELECT DISTINCT country, follower_count FROM t"
    " WHERE follower_count = (SELECT max(follower_count) FROM t) ORDER BY country",
    /* top_category_by_age_group */
    TOP_CATEGORY("pinetl_age_group(min(age))", "age_group",
                 "SELECT pinetl_age_group_index(u.age) AS k, u.age AS age, p.category AS category"
                 " FROM pin p JOIN user u ON u.ind = p.ind"
                 " WHERE p.category IS NOT NULL AND pinetl_age_group_index(u.age) IS NOT NULL"),
    NULL,
    /* users_joined_by_year */
    "WITH d AS (SELECT DISTINCT user_name, date_joined FROM user"
    " WHERE user_name IS NOT NULL AND date_joined IS NOT NULL),"
    " y AS (SELECT " YEAR("date_joined") " AS post_year FROM d)"
                                         " SELECT post_year, count(*) AS number_users_joined FROM y"
                                         " WHERE post_year" PINETL__JOIN_YEARS_SQL
                                         " GROUP BY post_year ORDER BY post_year",
};

/* The medians come from median_sql below; every other insight has its SELECT here. */
_Static_assert(sizeof common_sql / sizeof common_sql[0] == PINETL_INSIGHT_USERS_JOINED_BY_YEAR + 1,
               "an insight without its SQL");

static const char *const median_sql[2][3] = {
    {MEDIAN_BY_AGE("pinetl_median"), MEDIAN_BY_JOIN_YEAR("pinetl_median"),
     MEDIAN_BY_AGE_AND_JOIN_YEAR("pinetl_median")},
    {MEDIAN_BY_AGE("pinetl_median_interpolated"), MEDIAN_BY_JOIN_YEAR("pinetl_median_interpolated"),
     MEDIAN_BY_AGE_AND_JOIN_YEAR("pinetl_median_interpolated")},
};

const char *pinetl_warehouse_insight_sql(pinetl_insight insight, pinetl_median_kind median_kind) {
    if (median_kind != PINETL_MEDIAN_APPROX && median_kind != PINETL_MEDIAN_INTERPOLATED)
        return NULL;
    switch (insight) {
    case PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP: return median_sql[median_kind][0];
    case PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR: return median_sql[median_kind][1];
    case PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP_AND_JOIN_YEAR:
        return median_sql[median_kind][2];
    default: break;
    }
    return (int)insight >= 0 && (int)insight <= PINETL_INSIGHT_USERS_JOINED_BY_YEAR
               ? common_sql[insight]
               : NULL;
}
