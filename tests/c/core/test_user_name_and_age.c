/* Spec 2 user: user_name joins first_name and last_name (text rule each) with one space, leaving
 * out a null part; age is an integer, integral number or digit string in 0..150; age groups. */
#include "check.h"
#include "core_util.h"

static const char *user(const char *fields, int c, int *warn) {
    static char rec[512];
    snprintf(rec, sizeof rec, "{\"ind\": 1%s%s}", *fields ? ", " : "", fields);
    return clean_cell(PINETL_TABLE_USER, rec, c, warn);
}

static void test_user_name(void) {
    int w;
    const int N = PINETL_USER_USER_NAME;
    CHECK_STR(user("\"first_name\": \"Abigail\", \"last_name\": \"Ali\"", N, &w), "Abigail Ali");
    CHECK_INT(w, 0);
    CHECK_STR(user("\"first_name\": \"Abigail\"", N, &w), "Abigail");
    CHECK_STR(user("\"last_name\": \"Ali\"", N, &w), "Ali");
    CHECK_STR(user("\"first_name\": \"Abigail\", \"last_name\": null", N, &w), "Abigail");
    CHECK_STR(user("\"first_name\": \" \", \"last_name\": \"Ali\"", N, &w), "Ali");
    CHECK_STR(user("\"first_name\": \"\", \"last_name\": \"\"", N, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(user("", N, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(user("\"first_name\": \" Ann \", \"last_name\": \"Lee \"", N, &w), " Ann  Lee ");
    CHECK_STR(user("\"first_name\": 42, \"last_name\": true", N, &w), "42 true");
    CHECK_STR(user("\"first_name\": \"Zo\\u00eb\", \"last_name\": \"O\\\"Neil\"", N, &w),
              "Zo\xc3\xab O\"Neil");
    /* A part that cannot be cleaned is left out; the name is warned only when it ends up null. */
    CHECK_STR(user("\"first_name\": [\"A\"], \"last_name\": \"Ali\"", N, &w), "Ali");
    CHECK_INT(w, 0);
    CHECK_STR(user("\"first_name\": {}, \"last_name\": null", N, &w), "null");
    CHECK_INT(w, 1);
}

static void test_age(void) {
    int w;
    const int A = PINETL_USER_AGE;
    CHECK_STR(user("\"age\": 20", A, &w), "20");
    CHECK_INT(w, 0);
    CHECK_STR(user("\"age\": 20.0", A, &w), "20");
    CHECK_STR(user("\"age\": 2e1", A, &w), "20");
    CHECK_STR(user("\"age\": \"20\"", A, &w), "20");
    CHECK_STR(user("\"age\": 0", A, &w), "0");
    CHECK_STR(user("\"age\": 150", A, &w), "150");
    CHECK_STR(user("\"age\": null", A, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(user("", A, &w), "null");
    CHECK_INT(w, 0);
    const char *warned[] = {"151",    "-1",      "20.5",       "\"20.0\"",
                            "\"-1\"", "\" 20\"", "\"twenty\"", "true",
                            "[20]",   "{}",      "1e400",      "99999999999999999999"};
    for (size_t i = 0; i < sizeof warned / sizeof *warned; i++) {
        char f[64];
        snprintf(f, sizeof f, "\"age\": %s", warned[i]);
        CHECK_STR(user(f, A, &w), "null");
        if (w != 1)
            fprintf(stderr, "  no warning for age %s\n", warned[i]);
        CHECK_INT(w, 1);
    }
    int64_t v = -1;
    CHECK(pinetl_age(&v, "36", 2));
    CHECK_INT(v, 36);
    CHECK(pinetl_age(&v, "\"36\"", 4));
    CHECK_INT(v, 36);
    CHECK(!pinetl_age(&v, "151", 3));
    CHECK(!pinetl_age(&v, "\"\"", 2));
}

static void test_age_groups(void) {
    CHECK(pinetl_age_group(17) == NULL);
    CHECK_INT(pinetl_age_group_index(17), -1);
    CHECK_STR(pinetl_age_group(18), "18-24");
    CHECK_STR(pinetl_age_group(24), "18-24");
    CHECK_STR(pinetl_age_group(25), "25-35");
    CHECK_STR(pinetl_age_group(35), "25-35");
    CHECK_STR(pinetl_age_group(36), "36-50");
    CHECK_STR(pinetl_age_group(50), "36-50");
    CHECK_STR(pinetl_age_group(51), "+50");
    CHECK_INT(pinetl_age_group_index(150), 3);
    CHECK_INT(pinetl_age_group_index(-3), -1);
}

int main(void) {
    RUN(test_user_name);
    RUN(test_age);
    RUN(test_age_groups);
    return check_done();
}
