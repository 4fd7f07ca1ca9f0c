/* users_joined_by_year: distinct (user_name, date_joined) with a user_name, counted per UTC year
 * of date_joined, 2015..2020. */
#include "fixtures.h"

static const char *name = "users_joined_by_year";

static void test_distinct_bounds_nulls(void) {
    fx_data d = {
        NULL, NULL,
        "{\"ind\": 1, \"first_name\": \"Alice\", \"last_name\": \"Ali\", \"date_joined\": \"2015-01-01 00:00:00\"}\n"
        "{\"ind\": 2, \"first_name\": \"Alice\", \"last_name\": \"Ali\", \"date_joined\": \"2015-01-01T00:00:00Z\"}\n"
        "{\"ind\": 3, \"first_name\": \"Alice\", \"last_name\": \"Ali\", \"date_joined\": \"2016-03-03 10:00:00\"}\n"
        "{\"ind\": 4, \"first_name\": \"Bob\", \"date_joined\": \"2016-03-03 10:00:00\"}\n"
        "{\"ind\": 5, \"date_joined\": \"2016-04-04\"}\n"
        "{\"ind\": 6, \"first_name\": \"Carl\", \"last_name\": \"Cox\", \"date_joined\": \"2014-12-31 23:59:59\"}\n"
        "{\"ind\": 7, \"last_name\": \"Dan\", \"date_joined\": \"2020-12-31 23:59:59\"}\n"
        "{\"ind\": 8, \"first_name\": \"Eve\", \"date_joined\": \"2021-01-01\"}\n"
        "{\"ind\": 9, \"first_name\": \"Fay\"}\n"
        "{\"ind\": 10, \"first_name\": \"Gus\", \"date_joined\": \"2020-12-31T23:30:00-01:00\"}\n"
        "{\"ind\": 11, \"first_name\": \"Hal\", \"date_joined\": \"2017-01-01\"}\n"
        "{\"ind\": 11, \"first_name\": \"Hal\", \"date_joined\": \"2013-01-01\"}\n"};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "2015|1\n2016|2\n2020|1\n");
}

static void test_empty(void) {
    fx_data d = {NULL, NULL, ""};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_distinct_bounds_nulls);
    RUN(test_empty);
    return check_done();
}
