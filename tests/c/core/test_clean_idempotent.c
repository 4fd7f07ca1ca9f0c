/* Spec 2 "Cleaned records as input": cleaning is idempotent. The real sample cleaned, rendered as
 * JSON lines and cleaned again renders byte for byte the same; the rules that make it so (pin's
 * key "ind", geo's "coordinates", user's "user_name") each have unit cases. */
#include "check.h"
#include "core_util.h"

/* Cleans data line by line and renders the cleaned rows as JSON lines (a malloc'd copy). */
static char *clean_render(pinetl_table t, const char *data, size_t n, size_t *out_len,
                          size_t *rejected, int64_t *warnings) {
    pinetl_batch *b;
    if (pinetl_batch_new(&b, t) != PINETL_OK)
        abort();
    add_lines(b, data, n);
    *rejected = pinetl_batch_rejected(b);
    pinetl_stats s;
    pinetl_stats_init(&s, t);
    pinetl_stats_add_batch(&s, b);
    *warnings = 0;
    for (int c = 0; c < pinetl_column_count(t); c++)
        *warnings += s.warnings[c];
    const char *out;
    size_t len;
    if (pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0) != PINETL_OK)
        abort();
    char *copy = malloc(len + 1);
    if (!copy)
        abort();
    memcpy(copy, out, len);
    copy[len] = 0;
    *out_len = len;
    pinetl_batch_free(b);
    return copy;
}

/* clean(clean(data)) == clean(data), with nothing rejected or warned on the second pass. */
static void check_idempotent(pinetl_table t, const char *data, size_t n, size_t expect_rows) {
    size_t len1, len2, rej1, rej2;
    int64_t w1, w2;
    char *once = clean_render(t, data, n, &len1, &rej1, &w1);
    /* The rendered text ends in '\n': drop it so that add_lines sees no empty last line. */
    char *twice = clean_render(t, once, len1 ? len1 - 1 : 0, &len2, &rej2, &w2);
    size_t rows = 0;
    for (size_t i = 0; i < len1; i++)
        rows += once[i] == '\n';
    CHECK_INT(rows, expect_rows);
    CHECK_INT(rej2, 0);
    CHECK_INT(w2, 0);
    CHECK_INT(len2, len1);
    CHECK(len1 == len2 && memcmp(once, twice, len1) == 0);
    if (len1 == len2 && memcmp(once, twice, len1) != 0) {
        size_t i = 0;
        while (once[i] == twice[i])
            i++;
        fprintf(stderr, "  %s: first difference at byte %zu: %.60s | %.60s\n", pinetl_table_name(t),
                i, once + i, twice + i);
    }
    free(once);
    free(twice);
}

static void test_real_sample(void) {
    static const char *const paths[PINETL_TABLE_COUNT] = {"tests/data/real-sample/pin.jsonl",
                                                          "tests/data/real-sample/geo.jsonl",
                                                          "tests/data/real-sample/user.jsonl"};
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        size_t n;
        char *d = read_file(paths[t], &n);
        CHECK(d != NULL);
        if (!d)
            continue;
        while (n && d[n - 1] == '\n')
            n--;
        check_idempotent((pinetl_table)t, d, n, 2262);
        free(d);
    }
}

/* Values whose cleaned form differs from the raw one: escapes, numbers as text, suffixed
 * counts, offsets and epoch seconds, coordinates from strings. */
static void test_edge_values(void) {
    const char pin[] =
        "{\"index\": \"12\", \"title\": 1e5, \"description\": \"a\\\"b\\\\c\\n\\u0001\", \"follower_count\": \" 1.5k \","
        " \"poster_name\": true, \"tag_list\": \" x \", \"save_location\": \"Local save in /data/x y\","
        " \"category\": \"\\u00e9t\\u00e9\"}\n"
        "{\"index\": 7.0e0, \"follower_count\": \"User Info Error\", \"title\": \"No Title Data Available\"}\n"
        "{\"index\": 9223372036854775807, \"follower_count\": 9223372036854775807, \"image_src\": {}}";
    check_idempotent(PINETL_TABLE_PIN, pin, sizeof pin - 1, 3);
    const char geo[] =
        "{\"ind\": 1, \"latitude\": \" -0.0 \", \"longitude\": \"1e-7\", \"timestamp\": \"2020-02-29 23:30:00.1234567-01:30\"}\n"
        "{\"ind\": 2, \"latitude\": 90, \"longitude\": -180, \"timestamp\": 1598586767.0000005}\n"
        "{\"ind\": 3, \"latitude\": 91, \"longitude\": 0, \"timestamp\": \"bad\", \"country\": \"C\\u00f4te\"}";
    check_idempotent(PINETL_TABLE_GEO, geo, sizeof geo - 1, 3);
    const char user[] =
        "{\"ind\": 1, \"first_name\": \" A \", \"last_name\": \"B\\tC\", \"age\": \"20\", \"date_joined\": \"2015-10-24\"}\n"
        "{\"ind\": 2, \"first_name\": \"\", \"last_name\": 12, \"age\": 20.0, \"date_joined\": \"2016-10-23T14:06:51+0200\"}\n"
        "{\"ind\": 3, \"first_name\": [], \"age\": 151}";
    check_idempotent(PINETL_TABLE_USER, user, sizeof user - 1, 3);
}

static void test_pin_key_ind(void) {
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"ind\": 5, \"title\": \"t\"}", PINETL_PIN_IND, NULL),
              "5");
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"ind\": \"42\"}", PINETL_PIN_IND, NULL), "42");
    /* index wins over ind, wherever it is. */
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"index\": 1, \"ind\": 2}", PINETL_PIN_IND, NULL),
              "1");
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"ind\": 2, \"index\": 1}", PINETL_PIN_IND, NULL),
              "1");
    /* ind is the key by the key rule, and its messages name it. */
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"ind\": \"12a\"}", PINETL_PIN_IND, NULL),
              "REJECT field 'ind': \"12a\" is not an integer");
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"ind\": null}", PINETL_PIN_IND, NULL),
              "REJECT field 'ind' is null");
    /* index present (even null) is the key: ind is only read when index is absent. */
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"index\": null, \"ind\": 3}", PINETL_PIN_IND, NULL),
              "REJECT field 'index' is null");
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, "{\"title\": \"t\"}", PINETL_PIN_IND, NULL),
              "REJECT field 'index' is missing");
    /* A cleaned pin's integer follower_count and unprefixed save_location round-trip. */
    const char rec[] = "{\"ind\": 9, \"follower_count\": 124000, \"save_location\": \"/data/x\"}";
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, rec, PINETL_PIN_FOLLOWER_COUNT, NULL), "124000");
    CHECK_STR(clean_cell(PINETL_TABLE_PIN, rec, PINETL_PIN_SAVE_LOCATION, NULL), "/data/x");
}

static const char *geo_coords(const char *members, int *warn) {
    static char rec[512];
    snprintf(rec, sizeof rec, "{\"ind\": 1, %s}", members);
    return clean_cell(PINETL_TABLE_GEO, rec, PINETL_GEO_COORDINATES, warn);
}

static void test_geo_coordinates(void) {
    int w;
    CHECK_STR(geo_coords("\"coordinates\": [-89.9787, -173.293]", &w), "[-89.9787,-173.293]");
    CHECK_INT(w, 0);
    CHECK_STR(geo_coords("\"coordinates\": [\" 1.5 \", \"2\"]", &w), "[1.5,2.0]");
    CHECK_INT(w, 0);
    CHECK_STR(geo_coords("\"coordinates\": [ 90 , -180 ]", &w), "[90.0,-180.0]");
    CHECK_INT(w, 0);
    /* null, or a null or blank part: null without a warning (as a missing latitude). */
    CHECK_STR(geo_coords("\"coordinates\": null", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(geo_coords("\"coordinates\": [null, 1]", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(geo_coords("\"coordinates\": [1, \"\"]", &w), "null");
    CHECK_INT(w, 0);
    /* latitude or longitude present: coordinates is not read. */
    CHECK_STR(geo_coords("\"latitude\": 1, \"coordinates\": [1, 2]", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(geo_coords("\"coordinates\": [1, 2], \"longitude\": null", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(geo_coords("\"latitude\": 3, \"longitude\": 4, \"coordinates\": [1, 2]", &w),
              "[3.0,4.0]");
    const char *warned[] = {
        "\"coordinates\": [91, 0]",
        "\"coordinates\": [0, -180.5]",
        "\"coordinates\": [1e999, 0]",
        "\"coordinates\": [\"abc\", 0]",
        "\"coordinates\": [true, 0]",
        "\"coordinates\": [[1], 0]",
        "\"coordinates\": [1]",
        "\"coordinates\": []",
        "\"coordinates\": [1, 2, 3]",
        "\"coordinates\": \"[1,2]\"",
        "\"coordinates\": {\"latitude\": 1, \"longitude\": 2}",
        "\"coordinates\": 1",
        "\"coordinates\": [\"bad\", null]",
    };
    for (size_t i = 0; i < sizeof warned / sizeof *warned; i++) {
        CHECK_STR(geo_coords(warned[i], &w), "null");
        if (w != 1)
            fprintf(stderr, "  no warning: %s\n", warned[i]);
        CHECK_INT(w, 1);
    }
}

static const char *user_name(const char *members, int *warn) {
    static char rec[512];
    snprintf(rec, sizeof rec, "{\"ind\": 1, \"age\": 30, %s}", members);
    return clean_cell(PINETL_TABLE_USER, rec, PINETL_USER_USER_NAME, warn);
}

static void test_user_user_name(void) {
    int w;
    CHECK_STR(user_name("\"user_name\": \"Abigail Ali\"", &w), "Abigail Ali");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": \" A  B \"", &w), " A  B ");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": \"a\\\"b\"", &w), "a\"b");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": 12", &w), "12");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": \" \\t\"", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": null", &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": [\"A\"]", &w), "null");
    CHECK_INT(w, 1);
    CHECK_STR(user_name("\"user_name\": {}", &w), "null");
    CHECK_INT(w, 1);
    /* first_name or last_name present (even null): user_name is not read. */
    CHECK_STR(user_name("\"first_name\": \"A\", \"user_name\": \"B C\"", &w), "A");
    CHECK_INT(w, 0);
    CHECK_STR(user_name("\"user_name\": \"B C\", \"last_name\": null", &w), "null");
    CHECK_INT(w, 0);
    /* The other columns are cleaned as before. */
    CHECK_STR(clean_cell(PINETL_TABLE_USER,
                         "{\"ind\": 1, \"user_name\": \"A\", \"age\": 20,"
                         " \"date_joined\": \"2015-10-24T11:23:51Z\"}",
                         PINETL_USER_DATE_JOINED, NULL),
              "2015-10-24T11:23:51Z");
    CHECK_STR(clean_cell(PINETL_TABLE_USER, "{\"ind\": 1, \"user_name\": \"A\", \"age\": 20}",
                         PINETL_USER_AGE, NULL),
              "20");
}

int main(void) {
    RUN(test_real_sample);
    RUN(test_edge_values);
    RUN(test_pin_key_ind);
    RUN(test_geo_coordinates);
    RUN(test_user_user_name);
    return check_done();
}
