/* median_followers_by_age_group_and_join_year: groups (age group, join year 2015..2020) in the
 * spec's order, both medians. */
#include "fixtures.h"

static const char *name = "median_followers_by_age_group_and_join_year";

static const fx_data d = {"{\"index\": 1, \"follower_count\": \"4\"}\n"
                          "{\"index\": 2, \"follower_count\": \"1\"}\n"
                          "{\"index\": 3, \"follower_count\": \"3\"}\n"
                          "{\"index\": 4, \"follower_count\": \"2\"}\n"
                          "{\"index\": 5, \"follower_count\": \"10\"}\n"
                          "{\"index\": 6, \"follower_count\": \"100\"}\n"
                          "{\"index\": 7, \"follower_count\": \"6\"}\n"
                          "{\"index\": 8, \"follower_count\": \"5\"}\n"
                          "{\"index\": 9, \"follower_count\": \"50\"}\n"
                          "{\"index\": 10, \"follower_count\": \"60\"}\n",
                          NULL,
                          "{\"ind\": 1, \"age\": 18, \"date_joined\": \"2015-01-01\"}\n"
                          "{\"ind\": 2, \"age\": 24, \"date_joined\": \"2015-02-01\"}\n"
                          "{\"ind\": 3, \"age\": 20, \"date_joined\": \"2015-03-01\"}\n"
                          "{\"ind\": 4, \"age\": 19, \"date_joined\": \"2015-04-01\"}\n"
                          "{\"ind\": 5, \"age\": 21, \"date_joined\": \"2016-01-01\"}\n"
                          "{\"ind\": 6, \"age\": 50, \"date_joined\": \"2015-01-01\"}\n"
                          "{\"ind\": 7, \"age\": 51, \"date_joined\": \"2020-01-01\"}\n"
                          "{\"ind\": 8, \"age\": 99, \"date_joined\": \"2020-12-31 23:59:59\"}\n"
                          "{\"ind\": 9, \"age\": 17, \"date_joined\": \"2016-01-01\"}\n"
                          "{\"ind\": 10, \"age\": 30, \"date_joined\": \"2021-01-01\"}\n"};

static void test_approx(void) {
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX,
                  "18-24|2015|2\n18-24|2016|10\n36-50|2015|100\n+50|2020|5\n");
}

static void test_interpolated(void) {
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_INTERPOLATED,
                  "18-24|2015|2.5r\n18-24|2016|10r\n36-50|2015|100r\n+50|2020|5.5r\n");
}

static void test_empty(void) {
    fx_data e = {"", NULL, ""};
    CHECK_INSIGHT(e, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_approx);
    RUN(test_interpolated);
    RUN(test_empty);
    return check_done();
}
