/* top_country_by_followers: the countries of the highest follower_count in top_user_by_country,
 * one row per country even when several of its posters tie. */
#include "fixtures.h"
#include "top_users_data.h"

static const char *name = "top_country_by_followers";

static void test_ties_one_row_per_country(void) {
    CHECK_INSIGHT(top_users_data, name, PINETL_MEDIAN_APPROX,
                  "Albania|2000000\n"
                  "Spain|2000000\n");
}

static void test_single(void) {
    fx_data d = {"{\"index\": 1, \"poster_name\": \"A\", \"follower_count\": \"5\"}\n"
                 "{\"index\": 2, \"poster_name\": \"B\", \"follower_count\": \"7\"}\n",
                 "{\"ind\": 1, \"country\": \"X\"}\n{\"ind\": 2, \"country\": \"Y\"}\n", NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "Y|7\n");
}

static void test_empty(void) {
    fx_data d = {"{\"index\": 1, \"poster_name\": \"A\"}\n", "{\"ind\": 1, \"country\": \"X\"}\n",
                 NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_ties_one_row_per_country);
    RUN(test_single);
    RUN(test_empty);
    return check_done();
}
