/* top_user_by_country: per country the poster(s) with the highest follower_count; distinct
 * (poster_name, follower_count); rows with a null poster, count or country left out. */
#include "fixtures.h"
#include "top_users_data.h"

static const char *name = "top_user_by_country";

static void test_ties_distinct_nulls(void) {
    CHECK_INSIGHT(top_users_data, name, PINETL_MEDIAN_APPROX,
                  "Albania|Frank|2000000\n"
                  "Chad|Hal|900\n"
                  "France|Alice|10000\n"
                  "France|Bob|10000\n"
                  "Spain|Eve|2000000\n"
                  "Spain|Zed|2000000\n");
}

static void test_zero_followers(void) {
    fx_data d = {"{\"index\": 1, \"poster_name\": \"A\", \"follower_count\": \"0\"}\n",
                 "{\"ind\": 1, \"country\": \"X\"}\n", NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "X|A|0\n");
}

static void test_empty(void) {
    fx_data d = {"", "{\"ind\": 1, \"country\": \"X\"}\n", NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_ties_distinct_nulls);
    RUN(test_zero_followers);
    RUN(test_empty);
    return check_done();
}
