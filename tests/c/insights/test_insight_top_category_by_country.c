/* top_category_by_country: pin x geo, the most frequent category per country, ties kept,
 * duplicates replaced by the later record, nulls and unmatched rows left out, byte order. */
#include "fixtures.h"

static const char *name = "top_category_by_country";

static void test_ties_dups_nulls_order(void) {
    fx_data d = {"{\"index\": 1, \"category\": \"art\"}\n"
                 "{\"index\": 2, \"category\": \"art\"}\n"
                 "{\"index\": 3, \"category\": \"diy\"}\n"
                 "{\"index\": 4, \"category\": \"diy\"}\n"
                 "{\"index\": 5, \"category\": \"quotes\"}\n"
                 "{\"index\": 5, \"category\": \"travel\"}\n" /* replaces the line above */
                 "{\"index\": 6}\n"                           /* no category */
                 "{\"index\": 7, \"category\": \"art\"}\n"    /* no geo row */
                 "{\"index\": 8, \"category\": \"beauty\"}\n" /* geo row without country */
                 "{\"index\": 9, \"category\": \"art\"}\n"
                 "{\"index\": 10, \"category\": \"art\"}\n"
                 "{\"index\": 11, \"category\": \"art\"}\n", /* geo row rejected */
                 "{\"ind\": 1, \"country\": \"France\"}\n"
                 "{\"ind\": 2, \"country\": \"France\"}\n"
                 "{\"ind\": 3, \"country\": \"Spain\"}\n"
                 "{\"ind\": 3, \"country\": \"France\"}\n"
                 "{\"ind\": 4, \"country\": \"France\"}\n"
                 "{\"ind\": 5, \"country\": \"Albania\"}\n"
                 "{\"ind\": 6, \"country\": \"Albania\"}\n"
                 "{\"ind\": 8, \"country\": \"\"}\n"
                 "{\"ind\": 9, \"country\": \"algeria\"}\n"
                 "{\"ind\": 10, \"country\": \"Zambia\"}\n"
                 "{\"ind\": \"11x\", \"country\": \"Chad\"}\n",
                 NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX,
                  "Albania|travel|1\n"
                  "France|art|2\n"
                  "France|diy|2\n"
                  "Zambia|art|1\n"
                  "algeria|art|1\n");
}

static void test_counts_posts(void) {
    fx_data d = {"{\"index\": 1, \"category\": \"a\"}\n{\"index\": 2, \"category\": \"a\"}\n"
                 "{\"index\": 3, \"category\": \"b\"}\n",
                 "{\"ind\": 1, \"country\": \"X\"}\n{\"ind\": 2, \"country\": \"X\"}\n"
                 "{\"ind\": 3, \"country\": \"X\"}\n",
                 NULL};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "X|a|2\n");
}

static void test_empty(void) {
    fx_data none = {"", "", ""};
    CHECK_INSIGHT(none, name, PINETL_MEDIAN_APPROX, "");
    fx_data no_geo = {"{\"index\": 1, \"category\": \"a\"}\n", "", NULL};
    CHECK_INSIGHT(no_geo, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_ties_dups_nulls_order);
    RUN(test_counts_posts);
    RUN(test_empty);
    return check_done();
}
