/* The API convention's versioned option structs and name tables (pinetl.h): each _options_init
 * refuses a NULL struct and an unknown version; each call taking options refuses a struct that
 * was not set up (version 0) or holds an unknown value, with a message naming the call and the
 * versions, and writes no out-parameter; each name table maps names to values and back and
 * refuses names and values it does not know. */
#include <stdio.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"

static const char *const no_paths[] = {"tests/c/io/data/none.json"};

static void test_options_init_refuses_null_and_unknown_versions(void) {
    pinetl_clean_options co;
    pinetl_reader_options ro;
    pinetl_insights_options io;
    CHECK_INT(pinetl_clean_options_init(NULL, PINETL_CLEAN_OPTIONS_VERSION), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_clean_options_init: NULL options");
    CHECK_INT(pinetl_clean_options_init(&co, PINETL_CLEAN_OPTIONS_VERSION + 1), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_clean_options_init: unknown version");
    CHECK_INT(pinetl_reader_options_init(NULL, PINETL_READER_OPTIONS_VERSION), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_reader_options_init: NULL options");
    CHECK_INT(pinetl_reader_options_init(&ro, 0), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_reader_options_init: unknown version");
    CHECK_INT(pinetl_insights_options_init(NULL, PINETL_INSIGHTS_OPTIONS_VERSION), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_insights_options_init: NULL options");
    CHECK_INT(pinetl_insights_options_init(&io, PINETL_INSIGHTS_OPTIONS_VERSION + 1),
              PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_insights_options_init: unknown version");

    CHECK_INT(pinetl_clean_options_init(&co, PINETL_CLEAN_OPTIONS_VERSION), PINETL_OK);
    CHECK_INT(co.version, PINETL_CLEAN_OPTIONS_VERSION);
    CHECK_INT(co.input_format, PINETL_INPUT_AUTO);
    CHECK_INT(co.first_line, 1);
    CHECK_INT(pinetl_reader_options_init(&ro, PINETL_READER_OPTIONS_VERSION), PINETL_OK);
    CHECK_INT(ro.version, PINETL_READER_OPTIONS_VERSION);
    CHECK_INT(ro.render_format, PINETL_FORMAT_NONE);
    CHECK_INT(pinetl_insights_options_init(&io, PINETL_INSIGHTS_OPTIONS_VERSION), PINETL_OK);
    CHECK_INT(io.version, PINETL_INSIGHTS_OPTIONS_VERSION);
    CHECK_INT(io.median, PINETL_MEDIAN_APPROX);
    CHECK(io.names == NULL);
}

static void test_calls_refuse_options_not_set_up(void) {
    const char *rec = "{\"index\": 1, \"category\": \"travel\"}\n";
    char expect[160];
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), PINETL_OK);

    pinetl_clean_options co;
    memset(&co, 0, sizeof co); /* declared, never initialised */
    CHECK_INT(pinetl_batch_clean(b, rec, strlen(rec), &co), PINETL_EINVAL);
    snprintf(expect, sizeof expect,
             "pinetl_batch_clean: options of version 0 (expected %d: set them up with the "
             "matching _options_init)",
             PINETL_CLEAN_OPTIONS_VERSION);
    CHECK_STR(pinetl_error_last(), expect);
    CHECK_INT(pinetl_batch_rows(b), 0);
    int64_t offs[] = {0, (int64_t)strlen(rec) - 1};
    co.version = PINETL_CLEAN_OPTIONS_VERSION + 7;
    CHECK_INT(pinetl_batch_clean_records(b, rec, offs, 1, &co), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "pinetl_batch_clean_records: options of version 8") ==
          pinetl_error_last());
    CHECK_INT(pinetl_batch_rows(b), 0);
    /* The batch is still usable, with set-up options and with none. */
    CHECK_INT(pinetl_clean_options_init(&co, PINETL_CLEAN_OPTIONS_VERSION), PINETL_OK);
    CHECK_INT(pinetl_batch_clean(b, rec, strlen(rec), &co), PINETL_OK);
    CHECK_INT(pinetl_batch_rows(b), 1);
    CHECK_INT(pinetl_batch_clean_records(b, rec, offs, 1, NULL), PINETL_OK);
    CHECK_INT(pinetl_batch_rows(b), 2);

    pinetl_reader_options ro;
    memset(&ro, 0, sizeof ro);
    pinetl_reader *r = (pinetl_reader *)&ro;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, no_paths, 1, &ro), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "pinetl_reader_open: options of version 0") ==
          pinetl_error_last());
    CHECK(r == NULL);

    pinetl_dataset *ds = NULL;
    CHECK_INT(pinetl_dataset_new(&ds), PINETL_OK);
    CHECK_INT(pinetl_dataset_add(ds, b), PINETL_OK);
    pinetl_insights_options io;
    memset(&io, 0, sizeof io);
    pinetl_insights *res = (pinetl_insights *)&io;
    CHECK_INT(pinetl_insights_compute(&res, ds, &io), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "insights options: options of version 0") ==
          pinetl_error_last());
    CHECK(res == NULL);
    CHECK_INT(pinetl_insights_options_init(&io, PINETL_INSIGHTS_OPTIONS_VERSION), PINETL_OK);
    io.median = (pinetl_median_kind)7;
    CHECK_INT(pinetl_insights_compute(&res, ds, &io), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown median kind 7");
    CHECK(res == NULL);
    io.median = PINETL_MEDIAN_INTERPOLATED;
    CHECK_INT(pinetl_insights_compute(&res, ds, &io), PINETL_OK);
    CHECK(res != NULL);
    pinetl_insights_free(res);

    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), PINETL_OK);
    io.version = 0;
    res = (pinetl_insights *)&io;
    CHECK_INT(pinetl_warehouse_insights(&res, wh, &io), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "insights options: options of version 0") ==
          pinetl_error_last());
    CHECK(res == NULL);
    CHECK_INT(pinetl_insights_options_init(&io, PINETL_INSIGHTS_OPTIONS_VERSION), PINETL_OK);
    io.median = (pinetl_median_kind)-1;
    CHECK_INT(pinetl_warehouse_insights(&res, wh, &io), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown median kind -1");
    pinetl_warehouse_free(wh);
    pinetl_dataset_free(ds);
    pinetl_batch_free(b);
}

static void test_median_kind_names(void) {
    CHECK_STR(pinetl_median_kind_name(PINETL_MEDIAN_APPROX), "approx");
    CHECK_STR(pinetl_median_kind_name(PINETL_MEDIAN_INTERPOLATED), "interpolated");
    CHECK(pinetl_median_kind_name((pinetl_median_kind)-1) == NULL);
    CHECK(pinetl_median_kind_name((pinetl_median_kind)(PINETL_MEDIAN_INTERPOLATED + 1)) == NULL);
    pinetl_median_kind k = PINETL_MEDIAN_APPROX;
    CHECK_INT(pinetl_median_kind_from_name(&k, "interpolated"), PINETL_OK);
    CHECK_INT(k, PINETL_MEDIAN_INTERPOLATED);
    CHECK_INT(pinetl_median_kind_from_name(&k, "approx"), PINETL_OK);
    CHECK_INT(k, PINETL_MEDIAN_APPROX);
    CHECK_INT(pinetl_median_kind_from_name(NULL, "interpolated"), PINETL_OK);
    CHECK_INT(pinetl_median_kind_from_name(&k, "mean"), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown median 'mean' (expected approx or interpolated)");
    CHECK_INT(pinetl_median_kind_from_name(&k, NULL), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown median '(null)' (expected approx or interpolated)");
    CHECK_INT(k, PINETL_MEDIAN_APPROX); /* not written on failure */
}

static void test_output_format_names(void) {
    CHECK(pinetl_format_name(PINETL_FORMAT_NONE) == NULL);
    CHECK_STR(pinetl_format_name(PINETL_FORMAT_JSONL), "jsonl");
    CHECK_STR(pinetl_format_name(PINETL_FORMAT_CSV), "csv");
    CHECK(pinetl_format_name((pinetl_format)3) == NULL);
    CHECK(pinetl_format_name((pinetl_format)-1) == NULL);
    pinetl_format f = PINETL_FORMAT_NONE;
    CHECK_INT(pinetl_format_from_name(&f, "csv"), PINETL_OK);
    CHECK_INT(f, PINETL_FORMAT_CSV);
    CHECK_INT(pinetl_format_from_name(NULL, "jsonl"), PINETL_OK);
    CHECK_INT(pinetl_format_from_name(&f, "json"), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown format 'json' (expected jsonl or csv)");
    CHECK_INT(pinetl_format_from_name(&f, NULL), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown format '(null)' (expected jsonl or csv)");
    CHECK_INT(f, PINETL_FORMAT_CSV);

    CHECK(pinetl_insights_format_name((pinetl_insights_format)0) == NULL);
    CHECK_STR(pinetl_insights_format_name(PINETL_INSIGHTS_TABLE), "table");
    CHECK_STR(pinetl_insights_format_name(PINETL_INSIGHTS_JSON), "json");
    CHECK_STR(pinetl_insights_format_name(PINETL_INSIGHTS_CSV), "csv");
    CHECK(pinetl_insights_format_name((pinetl_insights_format)4) == NULL);
    pinetl_insights_format g = PINETL_INSIGHTS_TABLE;
    CHECK_INT(pinetl_insights_format_from_name(&g, "json"), PINETL_OK);
    CHECK_INT(g, PINETL_INSIGHTS_JSON);
    CHECK_INT(pinetl_insights_format_from_name(NULL, "csv"), PINETL_OK);
    CHECK_INT(pinetl_insights_format_from_name(&g, "jsonl"), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown format 'jsonl' (expected table, json or csv)");
    CHECK_INT(pinetl_insights_format_from_name(&g, NULL), PINETL_EINVAL);
    CHECK_INT(g, PINETL_INSIGHTS_JSON);
}

static void test_reject_field_names(void) {
    static const char *const want[PINETL_REJECT_FIELDS] = {"table",  "source",  "line", "offset",
                                                           "reason", "message", "raw"};
    for (int i = 0; i < PINETL_REJECT_FIELDS; i++)
        CHECK_STR(pinetl_reject_field_name(i), want[i]);
    CHECK(pinetl_reject_field_name(-1) == NULL);
    CHECK(pinetl_reject_field_name(PINETL_REJECT_FIELDS) == NULL);
}

int main(void) {
    RUN(test_options_init_refuses_null_and_unknown_versions);
    RUN(test_calls_refuse_options_not_set_up);
    RUN(test_median_kind_names);
    RUN(test_output_format_names);
    RUN(test_reject_field_names);
    return check_done();
}
