/* The real sample (tests/data/real-sample), line by line and as an Arrow-layout blob: every record
 * cleaned, spot checks of values the spec's rules give. */
#include "check.h"
#include "core_util.h"

static pinetl_batch *load(pinetl_table t, const char *path, size_t *lines) {
    size_t n;
    char *d = read_file(path, &n);
    if (!d)
        return NULL;
    pinetl_batch *b;
    pinetl_batch_new(&b, t);
    *lines = add_lines(b, d, n);
    free(d);
    return b;
}

#define CELL(b, r, c) cell(b, r, c, buf, sizeof buf)

static void test_pin(void) {
    char buf[4096];
    size_t lines;
    pinetl_batch *b = load(PINETL_TABLE_PIN, "tests/data/real-sample/pin.jsonl", &lines);
    CHECK(b != NULL);
    if (!b)
        return;
    CHECK_INT(lines, 2262);
    CHECK_INT(pinetl_batch_rows(b), 2262);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    CHECK_STR(CELL(b, 0, PINETL_PIN_IND), "7528");
    CHECK_STR(CELL(b, 0, PINETL_PIN_UNIQUE_ID), "fbe53c66-3442-4773-b19e-d3ec6f54dddf");
    CHECK_STR(CELL(b, 0, PINETL_PIN_TITLE), "null");
    CHECK_STR(CELL(b, 0, PINETL_PIN_DESCRIPTION), "null");
    CHECK_STR(CELL(b, 0, PINETL_PIN_FOLLOWER_COUNT), "null");
    CHECK_STR(CELL(b, 0, PINETL_PIN_POSTER_NAME), "null");
    CHECK_STR(CELL(b, 0, PINETL_PIN_TAG_LIST), "null");
    CHECK_STR(CELL(b, 0, PINETL_PIN_IMAGE_SRC), "null");
    CHECK_STR(CELL(b, 0, PINETL_PIN_SAVE_LOCATION), "/data/mens-fashion");
    CHECK_STR(CELL(b, 0, PINETL_PIN_CATEGORY), "mens-fashion");
    CHECK_STR(CELL(b, 1, PINETL_PIN_IND), "2863");
    CHECK_STR(CELL(b, 1, PINETL_PIN_FOLLOWER_COUNT), "124000");
    CHECK_STR(CELL(b, 1, PINETL_PIN_POSTER_NAME), "Of Life & Lisa | Lifestyle Blog");
    CHECK_STR(CELL(b, 1, PINETL_PIN_SAVE_LOCATION), "/data/diy-and-crafts");
    /* Line 3's description holds escaped quotes, kept unescaped in the column. */
    CHECK(strstr(CELL(b, 2, PINETL_PIN_DESCRIPTION), "the \"basic\" couponer") != NULL);
    /* No value of the sample is unparsable: no warnings; sentinels became nulls. */
    pinetl_stats s;
    pinetl_stats_init(&s, PINETL_TABLE_PIN);
    pinetl_stats_add_batch(&s, b);
    int64_t warnings = 0;
    for (int c = 0; c < PINETL_PIN_COLUMNS; c++)
        warnings += s.warnings[c];
    CHECK_INT(warnings, 0);
    CHECK_INT(s.nulls[PINETL_PIN_TITLE], 21);
    CHECK_INT(s.nulls[PINETL_PIN_FOLLOWER_COUNT], 20);
    CHECK_INT(s.nulls[PINETL_PIN_SAVE_LOCATION], 0);
    /* No save_location keeps its prefix. */
    const char *data = pinetl_batch_text_data(b, PINETL_PIN_SAVE_LOCATION);
    const int64_t *off = pinetl_batch_text_offsets(b, PINETL_PIN_SAVE_LOCATION);
    int prefixed = 0;
    for (size_t r = 0; r < 2262; r++)
        prefixed += memcmp(data + off[r], "Local save in ", 14) == 0;
    CHECK_INT(prefixed, 0);
    pinetl_batch_free(b);
}

static void test_geo(void) {
    char buf[4096];
    size_t lines;
    pinetl_batch *b = load(PINETL_TABLE_GEO, "tests/data/real-sample/geo.jsonl", &lines);
    CHECK(b != NULL);
    if (!b)
        return;
    CHECK_INT(pinetl_batch_rows(b), 2262);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    CHECK_STR(CELL(b, 0, PINETL_GEO_IND), "7528");
    CHECK_STR(CELL(b, 0, PINETL_GEO_COUNTRY), "Albania");
    CHECK_STR(CELL(b, 0, PINETL_GEO_COORDINATES), "[-89.9787,-173.293]");
    CHECK_STR(CELL(b, 0, PINETL_GEO_TIMESTAMP), "2020-08-28T03:52:47Z");
    CHECK_STR(CELL(b, 6, PINETL_GEO_COUNTRY), "Cote d'Ivoire");
    CHECK_STR(CELL(b, 7, PINETL_GEO_COORDINATES), "[-89.5236,-154.567]");
    CHECK_INT(pinetl_batch_coords(b, PINETL_GEO_COORDINATES)[2], -5.34445);
    CHECK(pinetl_batch_coords(b, PINETL_GEO_COORDINATES)[3] == -177.924);
    pinetl_batch_free(b);
}

static void test_user(void) {
    char buf[4096];
    size_t lines;
    pinetl_batch *b = load(PINETL_TABLE_USER, "tests/data/real-sample/user.jsonl", &lines);
    CHECK(b != NULL);
    if (!b)
        return;
    CHECK_INT(pinetl_batch_rows(b), 2262);
    CHECK_INT(pinetl_batch_rejected(b), 0);
    CHECK_STR(CELL(b, 0, PINETL_USER_USER_NAME), "Abigail Ali");
    CHECK_STR(CELL(b, 0, PINETL_USER_AGE), "20");
    CHECK_STR(CELL(b, 0, PINETL_USER_DATE_JOINED), "2015-10-24T11:23:51Z");
    CHECK_STR(CELL(b, 1, PINETL_USER_USER_NAME), "Dylan Holmes");
    CHECK_INT(pinetl_timestamp_year(pinetl_batch_int64(b, PINETL_USER_DATE_JOINED)[1]), 2016);
    pinetl_batch_free(b);
}

/* The same file as one Arrow-layout blob through the public API gives the same rows. */
static void test_clean_records_blob(void) {
    size_t n;
    char *d = read_file("tests/data/real-sample/geo.jsonl", &n);
    CHECK(d != NULL);
    if (!d)
        return;
    int64_t *off = malloc(3000 * sizeof *off);
    size_t k = 0;
    off[0] = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] == '\n')
            off[++k] = (int64_t)i + 1; /* the newline stays in the slice: JSON whitespace */
    pinetl_batch *a, *b;
    pinetl_batch_new(&a, PINETL_TABLE_GEO);
    pinetl_batch_new(&b, PINETL_TABLE_GEO);
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.source = "geo.jsonl";
    CHECK_INT(pinetl_batch_clean_records(a, d, off, k, &o), 0);
    add_lines(b, d, n);
    CHECK_INT(pinetl_batch_rows(a), 2262);
    const char *x, *y;
    size_t xl, yl;
    pinetl_batch_render(&x, &xl, a, PINETL_FORMAT_JSONL, 0);
    pinetl_batch_render(&y, &yl, b, PINETL_FORMAT_JSONL, 0);
    CHECK(xl == yl && memcmp(x, y, xl) == 0);
    CHECK_INT(pinetl_batch_lines(a)[2261], 2262);
    CHECK_INT(pinetl_batch_offsets(a)[1], off[1]);
    CHECK_STR(pinetl_batch_source_name(a, pinetl_batch_source_ids(a)[5]), "geo.jsonl");
    CHECK(pinetl_batch_clean_records(a, NULL, off, 3, NULL) == PINETL_EINVAL);
    pinetl_batch_free(a);
    pinetl_batch_free(b);
    free(off);
    free(d);
}

int main(void) {
    RUN(test_pin);
    RUN(test_geo);
    RUN(test_user);
    RUN(test_clean_records_blob);
    return check_done();
}
