/* The warehouse's views: each insight's SQLite SELECT (insights/sql.c), kept for
 * pinetl_warehouse_insight_sql's static text. The warehouse itself asks pinetl_insight_sql. */
#include <pthread.h>

#include <pinetl/warehouse.h>

/* Made on first use and kept for the life of the process (the caller holds no reference to
 * free); a failed allocation leaves the slot empty, for a later call to try again. */
static char *made[2][PINETL_INSIGHT_COUNT];
static pthread_mutex_t made_lock = PTHREAD_MUTEX_INITIALIZER;

const char *pinetl_warehouse_insight_sql(pinetl_insight insight, pinetl_median_kind median_kind) {
    if (median_kind != PINETL_MEDIAN_APPROX && median_kind != PINETL_MEDIAN_INTERPOLATED)
        return NULL;
    if ((int)insight < 0 || (int)insight >= PINETL_INSIGHT_COUNT)
        return NULL;
    pthread_mutex_lock(&made_lock);
    char **slot = &made[median_kind][insight];
    if (!*slot && pinetl_insight_sql(slot, insight, PINETL_SQL_SQLITE, median_kind, NULL))
        *slot = NULL;
    const char *sql = *slot;
    pthread_mutex_unlock(&made_lock);
    return sql;
}
