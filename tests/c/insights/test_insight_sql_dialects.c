/* pinetl_insight_sql: every insight in every dialect and median kind expands fully; SQLite's text
 * is the warehouse's view; Spark's age groups are the bounds pinetl_age_group gives (found here
 * by scanning ages, not restated); table names are substituted and checked; bad arguments are
 * PINETL_EINVAL with a message. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

static void test_every_insight_expands_in_every_dialect(void) {
    for (int i = 0; i < PINETL_INSIGHT_COUNT; i++)
        for (int d = PINETL_SQL_SQLITE; d <= PINETL_SQL_SPARK; d++)
            for (int m = PINETL_MEDIAN_APPROX; m <= PINETL_MEDIAN_INTERPOLATED; m++) {
                char *sql = NULL;
                CHECK_INT(pinetl_insight_sql(&sql, i, d, m, NULL), PINETL_OK);
                CHECK(sql && !strchr(sql, '{') && !strchr(sql, '}'));
                if (sql && d == PINETL_SQL_SQLITE)
                    CHECK_STR(sql, pinetl_warehouse_insight_sql(i, m));
                if (sql && d == PINETL_SQL_SPARK)
                    CHECK(!strstr(sql, "pinetl_")); /* no SQLite function of the library */
                pinetl_free(sql);
            }
}

/* The CASE that Spark gets names every age group with the bounds pinetl_age_group has. */
static void test_spark_age_groups_are_the_library_bounds(void) {
    char *sql = NULL;
    CHECK_INT(pinetl_insight_sql(&sql, PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP,
                                 PINETL_SQL_SPARK, PINETL_MEDIAN_APPROX, NULL),
              PINETL_OK);
    int groups = 0;
    for (int64_t age = 0; sql && age <= 150;) {
        const char *g = pinetl_age_group(age);
        int64_t last = age;
        while (last < 150 && pinetl_age_group(last + 1) == g)
            last++;
        if (g) {
            char want[128];
            if (last == 150) /* the open-ended group */
                snprintf(want, sizeof want, "WHEN u.age >= %lld THEN '%s'", (long long)age, g);
            else
                snprintf(want, sizeof want, "WHEN u.age BETWEEN %lld AND %lld THEN '%s'",
                         (long long)age, (long long)last, g);
            CHECK(strstr(sql, want) != NULL);
            groups++;
        }
        age = last + 1;
    }
    CHECK_INT(groups, 4);
    pinetl_free(sql);
}

static void test_table_names(void) {
    const char *names[] = {"db.pins_1", "geo_v", "u"};
    char *sql = NULL;
    CHECK_INT(pinetl_insight_sql(&sql, PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY, PINETL_SQL_SPARK,
                                 PINETL_MEDIAN_APPROX, names),
              PINETL_OK);
    CHECK(sql && strstr(sql, "FROM db.pins_1 p JOIN geo_v g") && !strstr(sql, " pin "));
    pinetl_free(sql);
    CHECK_INT(pinetl_insight_sql(&sql, PINETL_INSIGHT_USERS_JOINED_BY_YEAR, PINETL_SQL_SQLITE,
                                 PINETL_MEDIAN_APPROX, names),
              PINETL_OK);
    CHECK(sql && strstr(sql, "FROM u WHERE"));
    pinetl_free(sql);
    const char *bad[] = {"pin", "geo; DROP TABLE pin", "user"};
    sql = (char *)"untouched";
    CHECK_INT(pinetl_insight_sql(&sql, 0, PINETL_SQL_SPARK, PINETL_MEDIAN_APPROX, bad),
              PINETL_EINVAL);
    CHECK(sql == NULL);
    CHECK(strstr(pinetl_error_last(), "geo table's name 'geo; DROP TABLE pin'") != NULL);
    const char *empty[] = {"pin", "geo", ""};
    CHECK_INT(pinetl_insight_sql(&sql, 0, PINETL_SQL_SPARK, PINETL_MEDIAN_APPROX, empty),
              PINETL_EINVAL);
}

static void test_bad_arguments(void) {
    char *sql = NULL;
    CHECK_INT(pinetl_insight_sql(NULL, 0, PINETL_SQL_SQLITE, PINETL_MEDIAN_APPROX, NULL),
              PINETL_EINVAL);
    CHECK_INT(pinetl_insight_sql(&sql, (pinetl_insight)PINETL_INSIGHT_COUNT, PINETL_SQL_SQLITE,
                                 PINETL_MEDIAN_APPROX, NULL),
              PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "unknown insight") != NULL);
    CHECK_INT(pinetl_insight_sql(&sql, 0, (pinetl_sql_dialect)2, PINETL_MEDIAN_APPROX, NULL),
              PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "unknown dialect") != NULL);
    CHECK_INT(pinetl_insight_sql(&sql, 0, PINETL_SQL_SPARK, (pinetl_median_kind)-1, NULL),
              PINETL_EINVAL);
    CHECK(sql == NULL);
}

static void test_dialect_names(void) {
    for (int d = PINETL_SQL_SQLITE; d <= PINETL_SQL_SPARK; d++) {
        pinetl_sql_dialect back = (pinetl_sql_dialect)-1;
        CHECK_INT(pinetl_sql_dialect_from_name(&back, pinetl_sql_dialect_name(d)), PINETL_OK);
        CHECK_INT(back, d);
    }
    CHECK(pinetl_sql_dialect_name((pinetl_sql_dialect)2) == NULL);
    CHECK_INT(pinetl_sql_dialect_from_name(NULL, "duckdb"), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "sqlite or spark") != NULL);
}

/* The window pinetl_insight_years names is the one every dialect's SQL and the computation use. */
static void test_year_windows_are_the_catalogs(void) {
    int windows = 0;
    for (int i = 0; i < PINETL_INSIGHT_COUNT; i++) {
        int first = 0, last = 0, has = pinetl_insight_years(&first, &last, i);
        windows += has;
        for (int d = PINETL_SQL_SQLITE; d <= PINETL_SQL_SPARK; d++) {
            char *sql = NULL, want[64];
            CHECK_INT(pinetl_insight_sql(&sql, i, d, PINETL_MEDIAN_APPROX, NULL), PINETL_OK);
            snprintf(want, sizeof want, " BETWEEN %d AND %d", first, last);
            if (sql && has)
                CHECK(strstr(sql, want) != NULL);
            if (sql && !has && d == PINETL_SQL_SQLITE) /* Spark's age CASE has BETWEENs */
                CHECK(strstr(sql, "BETWEEN") == NULL);
            pinetl_free(sql);
        }
    }
    CHECK_INT(windows, 4);
    CHECK_INT(pinetl_insight_years(NULL, NULL, (pinetl_insight)PINETL_INSIGHT_COUNT), 0);
    /* Users joined the year before, the first, the last and the year after the window: the
     * computation and the warehouse count the two inside. */
    int first = 0, last = 0;
    CHECK(pinetl_insight_years(&first, &last, PINETL_INSIGHT_USERS_JOINED_BY_YEAR));
    char users[512], want[64];
    snprintf(users, sizeof users,
             "{\"ind\": 1, \"first_name\": \"A\", \"date_joined\": \"%d-06-01\"}\n"
             "{\"ind\": 2, \"first_name\": \"B\", \"date_joined\": \"%d-06-01\"}\n"
             "{\"ind\": 3, \"first_name\": \"C\", \"date_joined\": \"%d-06-01\"}\n"
             "{\"ind\": 4, \"first_name\": \"D\", \"date_joined\": \"%d-06-01\"}\n",
             first - 1, first, last, last + 1);
    snprintf(want, sizeof want, "%d|1\n%d|1\n", first, last);
    fx_data d = {NULL, NULL, users};
    CHECK_INSIGHT(d, "users_joined_by_year", PINETL_MEDIAN_APPROX, want);
}

/* pinetl_age_group_name(i) is the name pinetl_age_group gives the i-th group of ages. */
static void test_age_group_names(void) {
    int i = 0;
    const char *prev = NULL;
    for (int64_t age = 0; age <= 150; age++) {
        const char *g = pinetl_age_group(age);
        if (g && g != prev)
            CHECK_STR(pinetl_age_group_name(i++), g);
        prev = g;
    }
    CHECK_INT(i, PINETL_AGE_GROUP_COUNT);
    CHECK(pinetl_age_group_name(-1) == NULL);
    CHECK(pinetl_age_group_name(PINETL_AGE_GROUP_COUNT) == NULL);
}

int main(void) {
    RUN(test_every_insight_expands_in_every_dialect);
    RUN(test_spark_age_groups_are_the_library_bounds);
    RUN(test_table_names);
    RUN(test_bad_arguments);
    RUN(test_dialect_names);
    RUN(test_year_windows_are_the_catalogs);
    RUN(test_age_group_names);
    return check_done();
}
