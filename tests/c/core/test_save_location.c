/* Spec 2 pin save_location: text, then one leading "Local save in " removed; null if nothing is left. */
#include "check.h"
#include "core_util.h"

static const char *sl(const char *value, int *warn) {
    static char rec[256];
    snprintf(rec, sizeof rec, "{\"index\": 1, \"save_location\": %s}", value);
    return clean_cell(PINETL_TABLE_PIN, rec, PINETL_PIN_SAVE_LOCATION, warn);
}

static void test_scalar(void) {
    size_t start = 99, len = 99;
    CHECK(pinetl_save_location(&start, &len, "Local save in /data/x", 21));
    CHECK_INT(start, 14);
    CHECK_INT(len, 7);
    CHECK(pinetl_save_location(&start, &len, "/data/x", 7));
    CHECK_INT(start, 0);
    CHECK_INT(len, 7);
    CHECK(!pinetl_save_location(&start, &len, "Local save in ", 14));
    CHECK(!pinetl_save_location(&start, &len, "Local save in   ", 16));
    CHECK(pinetl_save_location(&start, &len, "Local save in", 13));
    CHECK_INT(start, 0);
}

static void test_records(void) {
    int w;
    CHECK_STR(sl("\"Local save in /data/mens-fashion\"", &w), "/data/mens-fashion");
    CHECK_INT(w, 0);
    CHECK_STR(sl("\"/data/mens-fashion\"", &w), "/data/mens-fashion");
    /* Only one prefix, only at the start, case-sensitive. */
    CHECK_STR(sl("\"Local save in Local save in /x\"", &w), "Local save in /x");
    CHECK_STR(sl("\"x Local save in /x\"", &w), "x Local save in /x");
    CHECK_STR(sl("\"local save in /x\"", &w), "local save in /x");
    CHECK_STR(sl("\"Local save in \"", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(sl("\"Local save in  \\t\"", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(sl("\"Local\\u0020save in /e\"", &w), "/e");
    CHECK_STR(sl("\"\"", &w), "null");
    CHECK_STR(sl("[]", &w), "null");
    CHECK_INT(w, 1);
}

int main(void) {
    RUN(test_scalar);
    RUN(test_records);
    return check_done();
}
