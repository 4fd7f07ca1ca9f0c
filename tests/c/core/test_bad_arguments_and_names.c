/* The core API on bad arguments: NULL handles and out-params, unknown tables, columns, reject
 * codes and result codes, offsets that decrease, accessors of the wrong type or out of range.
 * Each fallible call returns PINETL_EINVAL with a message; each accessor returns NULL / 0; none
 * crashes, and the batch stays usable. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"

static void test_result_code_descriptions(void) {
    const struct {
        int code;
        const char *text;
    } codes[] = {
        {PINETL_OK, "ok"},
        {PINETL_ERROR, "internal error"},
        {PINETL_ENOMEM, "out of memory"},
        {PINETL_EINVAL, "invalid argument"},
        {PINETL_EIO, "input/output error"},
        {PINETL_EFORMAT, "unusable input format"},
        {PINETL_ESQL, "SQLite error"},
        {-7, "unknown result code"}, /* was PINETL_EREJECT, which no call returned */
        {PINETL_ENOTFOUND, "not found"},
        {PINETL_BATCH, "a batch is ready"},
        {PINETL_DONE, "no more input"},
        {-99, "unknown result code"},
        {1, "unknown result code"},
    };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        CHECK_STR(pinetl_strerror(codes[i].code), codes[i].text);
    char v[32];
    int n = pinetl_version_number();
    snprintf(v, sizeof v, "%d.%d.%d", n / 10000, n / 100 % 100, n % 100);
    CHECK_STR(pinetl_version(), v);
}

static void test_names_of_tables_columns_formats_and_reasons(void) {
    pinetl_table t = PINETL_TABLE_GEO;
    CHECK_INT(pinetl_table_from_name(&t, "user"), PINETL_OK);
    CHECK_INT(t, PINETL_TABLE_USER);
    CHECK_INT(pinetl_table_from_name(&t, "users"), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown table 'users' (expected pin, geo or user)");
    CHECK_INT(pinetl_table_from_name(&t, NULL), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "unknown table '(null)' (expected pin, geo or user)");
    CHECK_INT(t, PINETL_TABLE_USER);
    CHECK(pinetl_table_name((pinetl_table)3) == NULL);
    CHECK(pinetl_table_name((pinetl_table)-1) == NULL);
    CHECK_INT(pinetl_column_count((pinetl_table)3), 0);
    CHECK(pinetl_column_name(PINETL_TABLE_PIN, -1) == NULL);
    CHECK(pinetl_column_name(PINETL_TABLE_GEO, PINETL_GEO_COLUMNS) == NULL);
    CHECK(pinetl_column_name((pinetl_table)7, 0) == NULL);
    CHECK_STR(pinetl_column_name(PINETL_TABLE_USER, PINETL_USER_DATE_JOINED), "date_joined");
    CHECK_INT(pinetl_column_type(PINETL_TABLE_USER, -1), 0);
    CHECK_INT(pinetl_column_type(PINETL_TABLE_USER, PINETL_USER_COLUMNS), 0);
    CHECK_INT(pinetl_column_type(PINETL_TABLE_USER, PINETL_USER_DATE_JOINED),
              PINETL_TYPE_TIMESTAMP);
    CHECK_STR(pinetl_type_name(PINETL_TYPE_INT64), "int64");
    CHECK_STR(pinetl_type_name(PINETL_TYPE_TEXT), "text");
    CHECK_STR(pinetl_type_name(PINETL_TYPE_COORDS), "coords");
    CHECK_STR(pinetl_type_name(PINETL_TYPE_TIMESTAMP), "timestamp");
    CHECK(pinetl_type_name((pinetl_type)0) == NULL);
    CHECK(pinetl_type_name((pinetl_type)5) == NULL);
    CHECK(pinetl_reject_name((pinetl_reject_code)0) == NULL);
    CHECK(pinetl_reject_name((pinetl_reject_code)PINETL_REJECT_CODES) == NULL);
    CHECK_STR(pinetl_reject_name(PINETL_REJECT_TOO_LARGE), "too_large");
    pinetl_input_format f = (pinetl_input_format)-1;
    CHECK(pinetl_input_format_name((pinetl_input_format)-1) == NULL);
    CHECK(pinetl_input_format_name((pinetl_input_format)7) == NULL);
    CHECK_INT(pinetl_input_format_from_name(&f, "kinesis"), PINETL_OK);
    CHECK_INT(f, PINETL_INPUT_KINESIS);
    CHECK(pinetl_input_format_from_name(&f, "csv") < 0);
    CHECK(strstr(pinetl_error_last(), "csv") != NULL);
    CHECK(pinetl_input_format_from_name(&f, NULL) < 0);
    CHECK(pinetl_input_format_from_name(NULL, "jsonl") < 0);
    CHECK_INT(f, PINETL_INPUT_KINESIS);
    CHECK(pinetl_insight_name((pinetl_insight)-1) == NULL);
    CHECK(pinetl_insight_name((pinetl_insight)PINETL_INSIGHT_COUNT) == NULL);
    CHECK_INT(pinetl_insight_tables((pinetl_insight)-1), 0);
    CHECK_INT(pinetl_insight_tables((pinetl_insight)PINETL_INSIGHT_COUNT), 0);
    CHECK_INT(pinetl_insight_tables(PINETL_INSIGHT_USERS_JOINED_BY_YEAR), 1u << PINETL_TABLE_USER);
    pinetl_insight id = (pinetl_insight)-1;
    CHECK_INT(pinetl_insight_from_name(&id, NULL), PINETL_ENOTFOUND);
    CHECK(strstr(pinetl_error_last(), "unknown insight '(null)'") != NULL);
    CHECK_INT(pinetl_insight_from_name(NULL, "users_joined_by_year"), PINETL_OK);
    CHECK_INT(id, (pinetl_insight)-1); /* not written on failure */
}

static void test_batch_calls_on_null_and_unknown(void) {
    pinetl_batch *b = (pinetl_batch *)1;
    CHECK_INT(pinetl_batch_new(NULL, PINETL_TABLE_PIN), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_batch_new: out is NULL");
    CHECK_INT(pinetl_batch_new(&b, (pinetl_table)9), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_batch_new: unknown table 9");
    CHECK(b == NULL);
    pinetl_batch_free(NULL);
    pinetl_batch_clear(NULL);
    CHECK_INT(pinetl_batch_select_columns(NULL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_selected_columns(NULL), 0);
    CHECK_INT(pinetl_batch_rows(NULL), 0);
    CHECK_INT(pinetl_batch_rejected(NULL), 0);
    CHECK(pinetl_batch_source_name(NULL, 0) == NULL);
    CHECK(pinetl_batch_validity(NULL, 0) == NULL);
    CHECK(pinetl_batch_reject_message(NULL, 0) == NULL);
    const char *raw = NULL;
    size_t len = 0;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, NULL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_clean_records(NULL, "", NULL, 0, NULL), PINETL_EINVAL);
    const char *out;
    CHECK_INT(pinetl_batch_render(&out, &len, NULL, PINETL_FORMAT_JSONL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_render_rejects(&out, &len, NULL), PINETL_EINVAL);
    pinetl_stats s;
    pinetl_stats_init(&s, PINETL_TABLE_PIN);
    pinetl_stats_add_batch(&s, NULL);
    pinetl_stats_add_batch(NULL, NULL);
    CHECK_INT(s.read, 0);
}

static void test_batch_accessors_out_of_range(void) {
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_GEO), PINETL_OK);
    const char blob[] =
        "{\"ind\":5,\"country\":\"Chad\",\"latitude\":1,\"longitude\":2}{\"ind\":\"x\"}";
    int64_t first = (int64_t)(strstr(blob, "}{") + 1 - blob);
    int64_t offs[] = {0, first, first, (int64_t)strlen(blob)};
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.source = "slices";
    CHECK_INT(pinetl_batch_clean_records(b, blob, offs, 3, &o), PINETL_OK);
    CHECK_INT(pinetl_batch_rows(b), 3);
    CHECK_INT(pinetl_batch_rejected(b), 2);
    CHECK_INT(pinetl_batch_status(b)[0], 0);
    CHECK_INT(pinetl_batch_status(b)[1], PINETL_REJECT_JSON); /* the empty slice */
    CHECK_STR(pinetl_batch_reject_message(b, 1), "empty record");
    CHECK_INT(pinetl_batch_status(b)[2], PINETL_REJECT_KEY);
    CHECK(pinetl_batch_reject_message(b, 0) == NULL); /* a cleaned row */
    CHECK(pinetl_batch_reject_message(b, 3) == NULL); /* past the end */
    const char *raw = NULL;
    size_t len = 0;
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 0), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "row 0 is not a rejected row");
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 1), PINETL_OK);
    CHECK_INT(len, 0);
    CHECK_INT(pinetl_batch_reject_raw(&raw, &len, b, 2), PINETL_OK);
    CHECK_MEM(raw, len, "{\"ind\":\"x\"}");
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[0]), "slices");
    CHECK(pinetl_batch_source_name(b, 1000) == NULL);
    CHECK(pinetl_batch_validity(b, -1) == NULL);
    CHECK(pinetl_batch_validity(b, PINETL_GEO_COLUMNS) == NULL);
    CHECK(pinetl_batch_int64(b, PINETL_GEO_COUNTRY) == NULL);   /* text, not int64 */
    CHECK(pinetl_batch_int64(b, PINETL_GEO_TIMESTAMP) != NULL); /* timestamps are int64 */
    CHECK(pinetl_batch_coords(b, PINETL_GEO_IND) == NULL);
    CHECK(pinetl_batch_text_data(b, PINETL_GEO_COORDINATES) == NULL);
    CHECK(pinetl_batch_text_offsets(b, PINETL_GEO_COORDINATES) == NULL);
    CHECK(pinetl_batch_coords(b, PINETL_GEO_COORDINATES)[0] == 1.0);
    /* Offsets that decrease, or start negative, are refused and add no row. */
    int64_t down[] = {0, 10, 5};
    CHECK_INT(pinetl_batch_clean_records(b, blob, down, 2, &o), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_batch_clean_records: offsets[1..2] decrease");
    int64_t neg[] = {-1, 5};
    CHECK_INT(pinetl_batch_clean_records(b, blob, neg, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_clean_records(b, NULL, offs, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_clean_records(b, blob, NULL, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_rows(b), 3);
    /* Zero records with NULL arrays is fine; default options number lines from 1. */
    CHECK_INT(pinetl_batch_clean_records(b, NULL, NULL, 0, NULL), PINETL_OK);
    CHECK_INT(pinetl_batch_clean_records(b, blob, offs, 1, NULL), PINETL_OK);
    CHECK_INT(pinetl_batch_rows(b), 4);
    CHECK_INT(pinetl_batch_lines(b)[3], 1);
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[3]), "<input>");
    /* The selection cannot change while the batch has rows, nor name a missing column. */
    CHECK_INT(pinetl_batch_select_columns(b, 1u << PINETL_GEO_COUNTRY), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_batch_select_columns: the batch has rows");
    pinetl_batch_clear(b);
    CHECK_INT(pinetl_batch_select_columns(b, 1u << 4), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(),
              "pinetl_batch_select_columns: mask 0x10 names a column past geo's 4");
    pinetl_batch_free(b);
}

static void test_render_arguments(void) {
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_USER), PINETL_OK);
    const char *out = NULL;
    size_t len = 0;
    CHECK_INT(pinetl_batch_render(NULL, &len, b, PINETL_FORMAT_JSONL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_render(&out, NULL, b, PINETL_FORMAT_JSONL, 0), PINETL_EINVAL);
    CHECK(pinetl_batch_render(&out, &len, b, 3, 0) < 0);
    CHECK_INT(pinetl_batch_render_rejects(NULL, &len, b), PINETL_EINVAL);
    CHECK_INT(pinetl_batch_render_rejects(&out, NULL, b), PINETL_EINVAL);
    /* An empty batch: CSV is the header alone, JSON lines and rejects are empty. */
    CHECK_INT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_CSV, 1), PINETL_OK);
    CHECK_MEM(out, len, "ind,user_name,age,date_joined\n");
    CHECK_INT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 1), PINETL_OK);
    CHECK_INT(len, 0);
    CHECK_INT(pinetl_batch_render_rejects(&out, &len, b), PINETL_OK);
    CHECK_INT(len, 0);
    pinetl_batch_free(b);
}

static void test_stats_of_unknown_table(void) {
    pinetl_stats s;
    pinetl_stats_init(&s, PINETL_TABLE_PIN);
    s.table = 5;
    char *text = (char *)1;
    CHECK_INT(pinetl_stats_to_text(&text, &s), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_stats_to_text: unknown table 5");
    CHECK(pinetl_stats_to_json(&text, &s) < 0);
    pinetl_stats_init(&s, PINETL_TABLE_GEO);
    s.read = s.rejected = 2;
    s.rejected_by_code[PINETL_REJECT_UTF8] = 2;
    CHECK_INT(pinetl_stats_to_text(&text, &s), PINETL_OK);
    CHECK(strstr(text, "geo: read 2, cleaned 0, rejected 2\n  rejected invalid_utf8: 2\n") == text);
    pinetl_free(text);
    pinetl_free(NULL);
}

static void test_text_helpers_on_bad_arguments(void) {
    int64_t offs[] = {0, 2, 1};
    CHECK_INT(pinetl_text_dict_new(NULL), PINETL_EINVAL);
    pinetl_text_dict *d = NULL;
    CHECK_INT(pinetl_text_dict_new(&d), PINETL_OK);
    CHECK_STR(pinetl_text_dict_data(d), ""); /* nothing stored yet */
    CHECK_INT(pinetl_text_dict_offsets(d)[0], 0);
    CHECK(pinetl_text_dict_data(NULL) == NULL);
    CHECK(pinetl_text_dict_offsets(NULL) == NULL);
    CHECK_INT(pinetl_text_dict_count(NULL), 0);
    int32_t codes[2];
    CHECK_INT(pinetl_text_dict_encode(codes, NULL, "ab", offs, NULL, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_text_dict_encode(codes, d, NULL, offs, NULL, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_text_dict_encode(codes, d, "ab", NULL, NULL, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_text_dict_encode(NULL, d, "ab", offs, NULL, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_text_dict_encode(NULL, d, NULL, NULL, NULL, 0), PINETL_OK);
    CHECK_INT(pinetl_text_dict_count(d), 0);
    pinetl_text_dict_free(d);
    pinetl_text_dict_free(NULL);
}

int main(void) {
    RUN(test_result_code_descriptions);
    RUN(test_names_of_tables_columns_formats_and_reasons);
    RUN(test_batch_calls_on_null_and_unknown);
    RUN(test_batch_accessors_out_of_range);
    RUN(test_render_arguments);
    RUN(test_stats_of_unknown_table);
    RUN(test_text_helpers_on_bad_arguments);
    return check_done();
}
