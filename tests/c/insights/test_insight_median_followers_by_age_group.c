/* median_followers_by_age_group: percentile_approx (lower middle for even n) by default, the
 * interpolated median as an option; nulls skipped; groups without values have no row. */
#include "fixtures.h"

static const char *name = "median_followers_by_age_group";

static const fx_data d = {"{\"index\": 1, \"follower_count\": \"40\"}\n"
                          "{\"index\": 2, \"follower_count\": \"10\"}\n"
                          "{\"index\": 3, \"follower_count\": \"30\"}\n"
                          "{\"index\": 4, \"follower_count\": \"999\"}\n"
                          "{\"index\": 4, \"follower_count\": \"20\"}\n" /* replaces 999 */
                          "{\"index\": 5, \"follower_count\": \"5\"}\n"
                          "{\"index\": 6, \"follower_count\": \"2\"}\n"
                          "{\"index\": 7, \"follower_count\": \"1\"}\n"
                          "{\"index\": 8, \"follower_count\": \"User Info Error\"}\n"
                          "{\"index\": 9, \"follower_count\": \"bad\"}\n"
                          "{\"index\": 10, \"follower_count\": \"7\"}\n"
                          "{\"index\": 11, \"follower_count\": \"8\"}\n",
                          NULL,
                          "{\"ind\": 1, \"age\": 18}\n"
                          "{\"ind\": 2, \"age\": 20}\n"
                          "{\"ind\": 3, \"age\": 22}\n"
                          "{\"ind\": 4, \"age\": 24}\n"
                          "{\"ind\": 5, \"age\": 25}\n"
                          "{\"ind\": 6, \"age\": 36}\n"
                          "{\"ind\": 7, \"age\": 50}\n"
                          "{\"ind\": 8, \"age\": 40}\n"
                          "{\"ind\": 9, \"age\": 60}\n"
                          "{\"ind\": 10, \"age\": 17}\n"
                          "{\"ind\": 11}\n"};

static void test_approx(void) {
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "18-24|20\n25-35|5\n36-50|1\n");
}

static void test_interpolated(void) {
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_INTERPOLATED, "18-24|25r\n25-35|5r\n36-50|1.5r\n");
}

static void test_empty(void) {
    fx_data e = {"", NULL, ""};
    CHECK_INSIGHT(e, name, PINETL_MEDIAN_APPROX, "");
    CHECK_INSIGHT(e, name, PINETL_MEDIAN_INTERPOLATED, "");
}

int main(void) {
    RUN(test_approx);
    RUN(test_interpolated);
    RUN(test_empty);
    return check_done();
}
