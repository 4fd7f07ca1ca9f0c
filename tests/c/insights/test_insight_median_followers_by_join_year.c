/* median_followers_by_join_year: pin x user, UTC year of date_joined 2015..2020, both medians. */
#include "fixtures.h"

static const char *name = "median_followers_by_join_year";

static const fx_data d = {"{\"index\": 1, \"follower_count\": \"3\"}\n"
                          "{\"index\": 2, \"follower_count\": \"1\"}\n"
                          "{\"index\": 3, \"follower_count\": \"2\"}\n"
                          "{\"index\": 4, \"follower_count\": \"8\"}\n"
                          "{\"index\": 5, \"follower_count\": \"7\"}\n"
                          "{\"index\": 6, \"follower_count\": \"100\"}\n"
                          "{\"index\": 7, \"follower_count\": \"100\"}\n"
                          "{\"index\": 8}\n",
                          NULL,
                          "{\"ind\": 1, \"date_joined\": \"2015-01-01 00:00:00\"}\n"
                          "{\"ind\": 2, \"date_joined\": \"2015-06-01 00:00:00\"}\n"
                          "{\"ind\": 3, \"date_joined\": \"2015-12-31 23:59:59\"}\n"
                          "{\"ind\": 4, \"date_joined\": \"2020-12-31 23:59:59\"}\n"
                          "{\"ind\": 5, \"date_joined\": \"2020-01-01\"}\n"
                          "{\"ind\": 6, \"date_joined\": \"2014-12-31 23:59:59\"}\n"
                          "{\"ind\": 7, \"date_joined\": \"2021-01-01 00:00:00\"}\n"
                          "{\"ind\": 8, \"date_joined\": \"2018-01-01\"}\n"};

static void test_approx(void) { CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "2015|2\n2020|7\n"); }

static void test_interpolated(void) {
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_INTERPOLATED, "2015|2r\n2020|7.5r\n");
}

static void test_empty(void) {
    fx_data e = {"", NULL, "{\"ind\": 1, \"date_joined\": \"2016-01-01\"}\n"};
    CHECK_INSIGHT(e, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_approx);
    RUN(test_interpolated);
    RUN(test_empty);
    return check_done();
}
