/* Spec 2 geo coordinates: numbers or strings holding one; null when missing or null; null with a
 * warning when not a number, not finite or out of range; parsed with correct rounding. */
#include "check.h"
#include "core_util.h"

static const char *coords(const char *lat_lon, int *warn) {
    static char rec[512];
    snprintf(rec, sizeof rec, "{\"ind\": 1%s%s}", *lat_lon ? ", " : "", lat_lon);
    return clean_cell(PINETL_TABLE_GEO, rec, PINETL_GEO_COORDINATES, warn);
}

static void test_values(void) {
    int w;
    CHECK_STR(coords("\"latitude\": -89.9787, \"longitude\": -173.293", &w), "[-89.9787,-173.293]");
    CHECK_INT(w, 0);
    CHECK_STR(coords("\"latitude\": \"-89.9787\", \"longitude\": \" 1e2 \"", &w),
              "[-89.9787,100.0]");
    CHECK_STR(coords("\"latitude\": 90, \"longitude\": -180", &w), "[90.0,-180.0]");
    CHECK_STR(coords("\"latitude\": -0.0, \"longitude\": 0", &w), "[-0.0,0.0]");
    CHECK_STR(coords("\"latitude\": 1e-7, \"longitude\": 5e-324", &w), "[1e-07,5e-324]");
    CHECK_STR(coords("\"latitude\": 0.1e1, \"longitude\": 179.999999999999999999999", &w),
              "[1.0,180.0]");
    /* Correct rounding of halfway cases and long mantissas. */
    CHECK_STR(
        coords(
            "\"latitude\": 1.00000000000000011102230246251565404236316680908203125, \"longitude\": 9007199254740993e-14",
            &w),
        "[1.0,90.07199254740993]");
    CHECK_STR(
        coords(
            "\"latitude\": 1.00000000000000011102230246251565404236316680908203126, \"longitude\": 0",
            &w),
        "[1.0000000000000002,0.0]");
}

static void test_nulls_and_warnings(void) {
    int w;
    CHECK_STR(coords("", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(coords("\"latitude\": 1", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(coords("\"latitude\": null, \"longitude\": 1", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(coords("\"latitude\": \"\", \"longitude\": 1", &w), "null");
    CHECK_INT(w, 0);
    const char *warned[] = {
        "\"latitude\": 90.0000001, \"longitude\": 0",
        "\"latitude\": 0, \"longitude\": 180.5",
        "\"latitude\": -91, \"longitude\": 0",
        "\"latitude\": 1e999, \"longitude\": 0",
        "\"latitude\": \"NaN\", \"longitude\": 0",
        "\"latitude\": \"abc\", \"longitude\": 0",
        "\"latitude\": \"1.\", \"longitude\": 0",
        "\"latitude\": \"+1\", \"longitude\": 0",
        "\"latitude\": \"0x10\", \"longitude\": 0",
        "\"latitude\": true, \"longitude\": 0",
        "\"latitude\": [1], \"longitude\": 0",
        "\"latitude\": {}, \"longitude\": 0",
        "\"latitude\": \"1,5\", \"longitude\": 0",
        "\"latitude\": \"Infinity\", \"longitude\": 0",
        "\"latitude\": \"bad\"",
    };
    for (size_t i = 0; i < sizeof warned / sizeof *warned; i++) {
        CHECK_STR(coords(warned[i], &w), "null");
        if (w != 1)
            fprintf(stderr, "  no warning: %s\n", warned[i]);
        CHECK_INT(w, 1);
    }
}

int main(void) {
    RUN(test_values);
    RUN(test_nulls_and_warnings);
    return check_done();
}
