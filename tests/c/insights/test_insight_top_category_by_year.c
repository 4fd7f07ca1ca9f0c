/* top_category_by_year: UTC year of the geo timestamp, 2018..2022 inclusive, ties kept. */
#include "fixtures.h"

static const char *name = "top_category_by_year";

static void test_year_bounds_and_ties(void) {
    fx_data d = {"{\"index\": 1, \"category\": \"art\"}\n"
                 "{\"index\": 2, \"category\": \"diy\"}\n"
                 "{\"index\": 3, \"category\": \"art\"}\n"
                 "{\"index\": 4, \"category\": \"art\"}\n"
                 "{\"index\": 5, \"category\": \"travel\"}\n"
                 "{\"index\": 6, \"category\": \"travel\"}\n"
                 "{\"index\": 7, \"category\": \"beauty\"}\n"
                 "{\"index\": 8, \"category\": \"beauty\"}\n"
                 "{\"index\": 9, \"category\": \"art\"}\n"
                 "{\"index\": 10, \"category\": \"art\"}\n"
                 "{\"index\": 11}\n",
                 "{\"ind\": 1, \"timestamp\": \"2018-01-01 00:00:00\"}\n"
                 "{\"ind\": 2, \"timestamp\": \"2018-06-01\"}\n"
                 "{\"ind\": 3, \"timestamp\": \"2017-12-31 23:59:59\"}\n"
                 "{\"ind\": 4, \"timestamp\": \"2018-01-01T00:30:00+01:00\"}\n" /* 2017 in UTC */
                 "{\"ind\": 5, \"timestamp\": \"2022-12-31 23:59:59.999999\"}\n"
                 "{\"ind\": 6, \"timestamp\": \"2023-01-01 00:00:00\"}\n"
                 "{\"ind\": 7, \"timestamp\": 1546300800}\n" /* 2019-01-01 */
                 "{\"ind\": 8, \"timestamp\": \"2019-05-05T05:05:05.123456Z\"}\n"
                 "{\"ind\": 9, \"timestamp\": \"2019-02-02\"}\n"
                 "{\"ind\": 10, \"timestamp\": \"not a date\"}\n"
                 "{\"ind\": 11, \"timestamp\": \"2019-03-03\"}\n",
                 NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX,
                  "2018|art|1\n"
                  "2018|diy|1\n"
                  "2019|beauty|2\n"
                  "2022|travel|1\n");
}

static void test_duplicates_replace(void) {
    fx_data d = {"{\"index\": 1, \"category\": \"a\"}\n{\"index\": 1, \"category\": \"b\"}\n",
                 "{\"ind\": 1, \"timestamp\": \"2020-01-01\"}\n"
                 "{\"ind\": 1, \"timestamp\": \"2021-01-01\"}\n",
                 NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "2021|b|1\n");
}

static void test_empty(void) {
    fx_data d = {"", "", NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_year_bounds_and_ties);
    RUN(test_duplicates_replace);
    RUN(test_empty);
    return check_done();
}
