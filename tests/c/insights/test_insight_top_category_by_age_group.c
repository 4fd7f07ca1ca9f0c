/* top_category_by_age_group: pin x user; groups 18-24, 25-35, 36-50, +50 with their bounds;
 * younger and unknown ages left out; ties kept; groups in the spec's order. */
#include "fixtures.h"

static const char *name = "top_category_by_age_group";

static void test_bounds_ties_order(void) {
    fx_data d = {"{\"index\": 1, \"category\": \"art\"}\n"
                 "{\"index\": 2, \"category\": \"art\"}\n"
                 "{\"index\": 3, \"category\": \"diy\"}\n"
                 "{\"index\": 4, \"category\": \"art\"}\n"
                 "{\"index\": 5, \"category\": \"art\"}\n"
                 "{\"index\": 6, \"category\": \"diy\"}\n"
                 "{\"index\": 7, \"category\": \"travel\"}\n"
                 "{\"index\": 8, \"category\": \"travel\"}\n"
                 "{\"index\": 9, \"category\": \"quotes\"}\n"
                 "{\"index\": 10, \"category\": \"quotes\"}\n"
                 "{\"index\": 11, \"category\": \"quotes\"}\n"
                 "{\"index\": 12, \"category\": \"beauty\"}\n"
                 "{\"index\": 13, \"category\": \"diy\"}\n",
                 NULL,
                 "{\"ind\": 1, \"age\": 17}\n"
                 "{\"ind\": 2, \"age\": 18}\n"
                 "{\"ind\": 3, \"age\": 24}\n"
                 "{\"ind\": 4, \"age\": 25}\n"
                 "{\"ind\": 5, \"age\": \"35\"}\n"
                 "{\"ind\": 6, \"age\": 35.0}\n"
                 "{\"ind\": 7, \"age\": 36}\n"
                 "{\"ind\": 8, \"age\": 50}\n"
                 "{\"ind\": 9, \"age\": 51}\n"
                 "{\"ind\": 10, \"age\": 151}\n"
                 "{\"ind\": 11}\n"
                 "{\"ind\": 12, \"age\": 90}\n"
                 "{\"ind\": 13, \"age\": 30}\n"
                 "{\"ind\": 13, \"age\": 0}\n"};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX,
                  "18-24|art|1\n"
                  "18-24|diy|1\n"
                  "25-35|art|2\n"
                  "36-50|travel|2\n"
                  "+50|beauty|1\n"
                  "+50|quotes|1\n");
}

static void test_empty(void) {
    fx_data d = {"{\"index\": 1, \"category\": \"art\"}\n", NULL, "{\"ind\": 1, \"age\": 5}\n"};
    CHECK_INSIGHT(d, name, PINETL_MEDIAN_APPROX, "");
}

int main(void) {
    RUN(test_bounds_ties_order);
    RUN(test_empty);
    return check_done();
}
