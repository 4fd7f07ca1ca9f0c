/* Column selection (pinetl_batch_select_columns): cleaning only some columns rejects exactly the
 * same records with the same messages and positions, gives the same values and warnings in the
 * selected columns, and null (no warning, no stats) in the others. Checked on the real sample, the
 * malformed inputs, the envelopes, the fuzz corpora and hand-made dirty records, per table, for
 * many masks. */
#include <dirent.h>

#include "check.h"
#include "core_util.h"

/* Does the masked batch m agree with the fully cleaned batch f? Returns 1 when it does. */
static int same_as_full(const pinetl_batch *f, const pinetl_batch *m, uint32_t mask,
                        const char *what) {
    int before = check_failures;
    pinetl_table t = pinetl_batch_table(f);
    size_t n = pinetl_batch_rows(f);
    CHECK_INT(pinetl_batch_rows(m), n);
    CHECK_INT(pinetl_batch_rejected(m), pinetl_batch_rejected(f));
    CHECK_INT(pinetl_batch_selected_columns(m), mask | 1u);
    if (pinetl_batch_rows(m) != n)
        return 0;
    char a[4096], b[4096];
    for (size_t r = 0; r < n; r++) {
        CHECK_INT(pinetl_batch_status(m)[r], pinetl_batch_status(f)[r]);
        CHECK_INT(pinetl_batch_lines(m)[r], pinetl_batch_lines(f)[r]);
        CHECK_INT(pinetl_batch_offsets(m)[r], pinetl_batch_offsets(f)[r]);
        CHECK_STR(pinetl_batch_source_name(m, pinetl_batch_source_ids(m)[r]),
                  pinetl_batch_source_name(f, pinetl_batch_source_ids(f)[r]));
        if (pinetl_batch_status(f)[r]) {
            CHECK_STR(pinetl_batch_reject_message(m, r), pinetl_batch_reject_message(f, r));
            const char *rf, *rm;
            size_t lf = 0, lm = 1;
            CHECK(pinetl_batch_reject_raw(&rf, &lf, f, r) == PINETL_OK);
            CHECK(pinetl_batch_reject_raw(&rm, &lm, m, r) == PINETL_OK);
            CHECK(lf == lm && memcmp(rf, rm, lf) == 0);
            continue;
        }
        for (int c = 0; c < pinetl_column_count(t); c++) {
            int wf = (pinetl_batch_warnings(f)[r] >> c) & 1,
                wm = (pinetl_batch_warnings(m)[r] >> c) & 1;
            if ((mask | 1u) >> c & 1) {
                CHECK_STR(cell(m, r, c, b, sizeof b), cell(f, r, c, a, sizeof a));
                CHECK_INT(wm, wf);
            } else {
                CHECK_STR(cell(m, r, c, b, sizeof b), "null");
                CHECK_INT(wm, 0);
            }
        }
        if (check_failures > before)
            break;
    }
    /* Stats: the same counts, and no nulls or warnings for the columns not cleaned. */
    pinetl_stats sf, sm;
    pinetl_stats_init(&sf, t);
    pinetl_stats_init(&sm, t);
    pinetl_stats_add_batch(&sf, f);
    pinetl_stats_add_batch(&sm, m);
    CHECK_INT(sm.read, sf.read);
    CHECK_INT(sm.cleaned, sf.cleaned);
    CHECK_INT(sm.rejected, sf.rejected);
    for (int k = 0; k < 8; k++)
        CHECK_INT(sm.rejected_by_code[k], sf.rejected_by_code[k]);
    for (int c = 0; c < pinetl_column_count(t); c++) {
        int sel = (mask | 1u) >> c & 1;
        CHECK_INT(sm.nulls[c], sel ? sf.nulls[c] : 0);
        CHECK_INT(sm.warnings[c], sel ? sf.warnings[c] : 0);
    }
    if (check_failures > before)
        fprintf(stderr, "  ... %s, table %s, mask 0x%x\n", what, pinetl_table_name(t),
                (unsigned)mask);
    return check_failures == before;
}

/* Cleans data in full and under every mask worth trying (the key alone, each column alone, all
 * but each column, what the insights read); each masked batch must agree with the full one.
 * Returns the number of rows. */
static size_t compare_masks(pinetl_table t, const char *data, size_t len, const char *what) {
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.source = what;
    pinetl_batch *full = NULL, *m = NULL;
    CHECK(pinetl_batch_new(&full, t) == PINETL_OK);
    CHECK(pinetl_batch_new(&m, t) == PINETL_OK);
    if (!full || !m)
        abort();
    CHECK(pinetl_batch_clean(full, data, len, &o) == PINETL_OK);
    int nc = pinetl_column_count(t);
    uint32_t all = (1u << nc) - 1, masks[2 * 16 + 2];
    size_t nm = 0;
    masks[nm++] = 1;
    for (int c = 1; c < nc; c++) {
        masks[nm++] = 1u | 1u << c;
        masks[nm++] = all & ~(1u << c);
    }
    masks[nm++] =
        t == PINETL_TABLE_PIN ? 1u | 1u << PINETL_PIN_CATEGORY | 1u << PINETL_PIN_POSTER_NAME |
                                    1u << PINETL_PIN_FOLLOWER_COUNT
        : t == PINETL_TABLE_GEO ? 1u | 1u << PINETL_GEO_COUNTRY | 1u << PINETL_GEO_TIMESTAMP
                                : 1u | 1u << PINETL_USER_USER_NAME | 1u << PINETL_USER_AGE |
                                      1u << PINETL_USER_DATE_JOINED;
    for (size_t i = 0; i < nm; i++) {
        pinetl_batch_clear(m);
        CHECK(pinetl_batch_select_columns(m, masks[i]) == PINETL_OK);
        CHECK(pinetl_batch_clean(m, data, len, &o) == PINETL_OK);
        if (!same_as_full(full, m, masks[i], what))
            break;
    }
    size_t rows = pinetl_batch_rows(full);
    pinetl_batch_free(full);
    pinetl_batch_free(m);
    return rows;
}

static void compare_file(const char *path, size_t min_rows) {
    size_t len;
    char *d = read_file(path, &len);
    CHECK(d != NULL);
    if (!d) {
        fprintf(stderr, "  cannot read %s\n", path);
        return;
    }
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        CHECK(compare_masks((pinetl_table)t, d, len, path) >= min_rows);
    free(d);
}

static void test_real_sample(void) {
    compare_file("tests/data/real-sample/pin.jsonl", 2262);
    compare_file("tests/data/real-sample/geo.jsonl", 2262);
    compare_file("tests/data/real-sample/user.jsonl", 2262);
}

static void test_malformed_and_envelopes(void) {
    compare_file("tests/data/io/malformed.jsonl", 12);
    compare_file("tests/data/io/crlf.jsonl", 1);
    compare_file("tests/data/io/kafka_dump.jsonl", 1);
    compare_file("tests/data/io/kinesis.jsonl", 1);
    compare_file("tests/data/io/array_pretty.json", 1);
    static const char *const env[] = {"pin.array.json", "pin.kafka-dump.jsonl", "pin.kinesis.jsonl",
                                      "geo.kafka-rest.jsonl", "geo.kinesis.jsonl"};
    char path[256];
    for (size_t i = 0; i < sizeof env / sizeof *env; i++) {
        snprintf(path, sizeof path, "tests/data/envelopes/%s", env[i]);
        compare_file(path, 1);
    }
}

/* Every input of the cleaning fuzzers' corpora, as data for each table. */
static void test_fuzz_corpora(void) {
    static const char *const dirs[] = {"tests/fuzz/corpus/fuzz_clean_record",
                                       "tests/fuzz/corpus/fuzz_clean_buffer"};
    size_t files = 0;
    for (size_t i = 0; i < 2; i++) {
        DIR *dir = opendir(dirs[i]);
        CHECK(dir != NULL);
        if (!dir)
            continue;
        struct dirent *e;
        char path[512];
        while ((e = readdir(dir))) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", dirs[i], e->d_name);
            compare_file(path, 0);
            files++;
        }
        closedir(dir);
    }
    CHECK(files >= 50);
}

/* Records that warn, escape, fall back to cleaned names, or reject because of bytes inside fields
 * that a selection leaves out: the scan must still see them. */
static const char dirty[] =
    "{\"index\": 1, \"title\": \"a\\\"b\\u0000c\", \"description\": \"\\ud800\", \"follower_count\": \"12k\","
    " \"poster_name\": \"User Info Error\", \"tag_list\": 5, \"is_image_or_video\": [1],"
    " \"image_src\": {\"x\": 1}, \"save_location\": \"Local save in /data/x\", \"category\": \" \"}\n"
    "{\"index\": 2, \"title\": \"caf\xc3\xa9\", \"description\": \"bad \xff byte\"}\n"
    "{\"index\": 3, \"tag_list\": \"unterminated}\n"
    "{\"ind\": 4, \"category\": \"c\", \"follower_count\": 7, \"poster_name\": \"p\"}\n"
    "{\"index\": 5, \"follower_count\": \"1M\", \"follower_count\": \"abc\", \"category\": null}\n"
    "{\"ind\": 6, \"country\": \"\\u00e9\\n\", \"latitude\": 91, \"longitude\": \"x\","
    " \"timestamp\": \"2020-01-01 00:00:00\"}\n"
    "{\"ind\": 7, \"coordinates\": [1.5, -2.5], \"timestamp\": \"not a time\", \"country\": 3}\n"
    "{\"ind\": 8, \"coordinates\": [1], \"country\": \"  \"}\n"
    "{\"ind\": 9, \"first_name\": \"A\", \"last_name\": \"\\udc00\", \"age\": \"x\","
    " \"date_joined\": \"2016-05-05 10:00:00\"}\n"
    "{\"ind\": 10, \"user_name\": \"Cleaned Name\", \"age\": 40, \"date_joined\": 12}\n"
    "{\"ind\": 11, \"first_name\": \"\", \"last_name\": \"B\\tC\", \"age\": -3}\n"
    "{\"ind\": 12, \"first_name\": \"x\", \"age\": 1e400, \"extra\": {\"deep\": [1, {\"a\": \"\xc0\xaf\"}]}}\n"
    "{\"ind\": 13, \"last_name\": \"tr\\u00e8s\", \"user_name\": \"ignored\"}\n"
    "{\"ind\": \"14\", \"title\": 1.5e3, \"unique_id\": true}\n"
    "{\"ind\": 15, \"country\": \"x\", \"timestamp\": \"2019-02-30 00:00:00\", \"latitude\": 1}\n"
    "{\"index\": 16, \"ind\": 99, \"save_location\": \"/data/\"}\n";

static void test_dirty_records(void) {
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        CHECK_INT(compare_masks((pinetl_table)t, dirty, sizeof dirty - 1, "dirty"), 16);
}

static void test_select_arguments(void) {
    pinetl_batch *b = NULL;
    CHECK(pinetl_batch_new(&b, PINETL_TABLE_GEO) == PINETL_OK);
    if (!b)
        return;
    CHECK_INT(pinetl_batch_selected_columns(b), 0xF);                  /* all by default */
    CHECK_INT(pinetl_batch_select_columns(b, 1u << 4), PINETL_EINVAL); /* geo has 4 columns */
    CHECK(strstr(pinetl_error_last(), "geo") != NULL);
    CHECK_INT(pinetl_batch_selected_columns(b), 0xF); /* unchanged */
    CHECK_INT(pinetl_batch_select_columns(b, 1u << PINETL_GEO_COUNTRY), PINETL_OK);
    CHECK_INT(pinetl_batch_selected_columns(b), 0x3); /* the key stays */
    CHECK_INT(pinetl_batch_select_columns(NULL, 0), PINETL_EINVAL);
    const char rec[] = "{\"ind\": 1, \"country\": \"x\", \"timestamp\": \"2020-01-01 00:00:00\"}";
    CHECK(pinetl_batch_clean(b, rec, sizeof rec - 1, NULL) == PINETL_OK);
    CHECK_INT(pinetl_batch_select_columns(b, 0), PINETL_EINVAL); /* it has rows */
    CHECK_INT(pinetl_batch_selected_columns(b), 0x3);
    pinetl_batch_clear(b); /* kept by clear */
    CHECK_INT(pinetl_batch_selected_columns(b), 0x3);
    CHECK_INT(pinetl_batch_select_columns(b, 0), PINETL_OK); /* 0 = all again */
    CHECK_INT(pinetl_batch_selected_columns(b), 0xF);
    pinetl_batch_free(b);
}

/* A reader opened with options.columns hands out batches with that selection. */
static void test_reader_columns(void) {
    const char *path = "tests/data/real-sample/user.jsonl";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    CHECK_INT(o.columns, 0);
    o.columns = 1u << PINETL_USER_AGE;
    o.threads = 2;
    pinetl_reader *rd = NULL;
    CHECK(pinetl_reader_open(&rd, PINETL_TABLE_USER, &path, 1, &o) == PINETL_OK);
    pinetl_batch *b;
    size_t rows = 0, ages = 0;
    while (rd && pinetl_reader_step(&b, rd) == PINETL_BATCH) {
        CHECK_INT(pinetl_batch_selected_columns(b), 1u | 1u << PINETL_USER_AGE);
        const uint8_t *va = pinetl_batch_validity(b, PINETL_USER_AGE);
        const uint8_t *vn = pinetl_batch_validity(b, PINETL_USER_USER_NAME);
        for (size_t r = 0; r < pinetl_batch_rows(b); r++) {
            ages += (va[r >> 3] >> (r & 7)) & 1;
            CHECK(!((vn[r >> 3] >> (r & 7)) & 1));
        }
        rows += pinetl_batch_rows(b);
    }
    CHECK_INT(rows, 2262);
    CHECK(ages > 2000);
    pinetl_reader_free(rd);

    o.columns = 1u << 9; /* user has 4 columns */
    rd = NULL;
    CHECK_INT(pinetl_reader_open(&rd, PINETL_TABLE_USER, &path, 1, &o), PINETL_EINVAL);
    CHECK(rd == NULL);
}

int main(void) {
    RUN(test_select_arguments);
    RUN(test_real_sample);
    RUN(test_malformed_and_envelopes);
    RUN(test_dirty_records);
    RUN(test_fuzz_corpora);
    RUN(test_reader_columns);
    return check_done();
}
