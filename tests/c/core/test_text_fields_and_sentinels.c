/* Spec 2 text fields: kept byte for byte after unescaping; empty, blank or a sentinel -> null
 * without a warning; numbers and booleans as written; objects and arrays -> null with a warning. */
#include "check.h"
#include "core_util.h"

static const char *pin(const char *field_json, int c, int *warn) {
    static char rec[1024];
    snprintf(rec, sizeof rec, "{\"index\": 1, %s}", field_json);
    return clean_cell(PINETL_TABLE_PIN, rec, c, warn);
}

static void test_strings(void) {
    int w;
    CHECK_STR(pin("\"title\": \"Hello\"", PINETL_PIN_TITLE, &w), "Hello");
    CHECK_INT(w, 0);
    CHECK_STR(pin("\"title\": \"  padded  \"", PINETL_PIN_TITLE, &w), "  padded  ");
    CHECK_STR(pin("\"title\": \"a\\\"b\\\\c\\/d\\u00e9\\n\"", PINETL_PIN_TITLE, &w),
              "a\"b\\c/d\xc3\xa9\n");
    CHECK_STR(pin("\"category\": \"\"", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin("\"category\": \" \\t\\n\\u000b\\f\\r \"", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 0);
    /* Non-ASCII space is not blank. */
    CHECK_STR(pin("\"category\": \"\\u00a0\"", PINETL_PIN_CATEGORY, &w), "\xc2\xa0");
    CHECK_STR(pin("\"category\": null", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin("\"unique_id\": \"u\"", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 0); /* missing */
}

static void test_sentinels(void) {
    int w;
    CHECK_STR(pin("\"title\": \"No Title Data Available\"", PINETL_PIN_TITLE, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin("\"title\": \"no title data available\"", PINETL_PIN_TITLE, &w),
              "no title data available");
    CHECK_STR(pin("\"title\": \" No Title Data Available\"", PINETL_PIN_TITLE, &w),
              " No Title Data Available");
    CHECK_STR(pin("\"description\": \"No description available Story format\"",
                  PINETL_PIN_DESCRIPTION, &w),
              "null");
    CHECK_STR(pin("\"description\": \"No description available\"", PINETL_PIN_DESCRIPTION, &w),
              "null");
    CHECK_STR(pin("\"description\": \"No description available.\"", PINETL_PIN_DESCRIPTION, &w),
              "No description available.");
    CHECK_STR(pin("\"poster_name\": \"User Info Error\"", PINETL_PIN_POSTER_NAME, &w), "null");
    CHECK_INT(w, 0);
    CHECK_STR(pin("\"tag_list\": \"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e\"", PINETL_PIN_TAG_LIST, &w),
              "null");
    CHECK_STR(pin("\"image_src\": \"Image src error.\"", PINETL_PIN_IMAGE_SRC, &w), "null");
    /* A sentinel is a column's own: another column keeps the text. */
    CHECK_STR(pin("\"category\": \"User Info Error\"", PINETL_PIN_CATEGORY, &w), "User Info Error");
    CHECK_STR(pin("\"title\": \"Image src error.\"", PINETL_PIN_TITLE, &w), "Image src error.");
    /* Compared after unescaping. */
    CHECK_STR(pin("\"title\": \"No Title Data Availabl\\u0065\"", PINETL_PIN_TITLE, &w), "null");
}

static void test_numbers_booleans_and_containers(void) {
    int w;
    CHECK_STR(pin("\"unique_id\": 12345", PINETL_PIN_UNIQUE_ID, &w), "12345");
    CHECK_INT(w, 0);
    CHECK_STR(pin("\"unique_id\": 1e5", PINETL_PIN_UNIQUE_ID, &w), "1e5");
    CHECK_STR(pin("\"unique_id\": -0.50", PINETL_PIN_UNIQUE_ID, &w), "-0.50");
    CHECK_STR(pin("\"is_image_or_video\": true", PINETL_PIN_IS_IMAGE_OR_VIDEO, &w), "true");
    CHECK_STR(pin("\"is_image_or_video\": false", PINETL_PIN_IS_IMAGE_OR_VIDEO, &w), "false");
    CHECK_STR(pin("\"category\": {\"a\": 1}", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 1);
    CHECK_STR(pin("\"category\": [\"a\"]", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 1);
    CHECK_STR(pin("\"country\": [\"a\"]", PINETL_PIN_CATEGORY, &w), "null");
    CHECK_INT(w, 0);
    /* downloaded is not part of the cleaned record; unknown keys are ignored. */
    CHECK_INT(pinetl_column_count(PINETL_TABLE_PIN), 11);
    for (int c = 0; c < 11; c++)
        CHECK(strcmp(pinetl_column_name(PINETL_TABLE_PIN, c), "downloaded") != 0);
}

static void test_last_duplicate_wins(void) {
    int w;
    CHECK_STR(pin("\"title\": \"first\", \"title\": \"second\"", PINETL_PIN_TITLE, &w), "second");
    CHECK_STR(pin("\"title\": \"first\", \"title\": null", PINETL_PIN_TITLE, &w), "null");
}

int main(void) {
    RUN(test_strings);
    RUN(test_sentinels);
    RUN(test_numbers_booleans_and_containers);
    RUN(test_last_duplicate_wins);
    return check_done();
}
