/* Spec 2 summary: read = cleaned + rejected, rejects by reason, per column nulls and warnings;
 * merging; JSON (checked with cJSON) and text forms. */
#include <cjson/cJSON.h>

#include "check.h"
#include "core_util.h"

static void fill(pinetl_batch *b)
{
    const char *recs[] = {
        "{\"ind\": 1, \"first_name\": \"A\", \"age\": 20, \"date_joined\": \"2015-10-24 11:23:51\"}",
        "{\"ind\": 2, \"age\": 200, \"date_joined\": \"bad\"}",
        "{\"ind\": 3, \"first_name\": [], \"age\": null}",
        "{\"ind\": \"x\"}",
        "[1]",
        "{\"ind\": 6",
    };
    for (int i = 0; i < 6; i++) pinetl__batch_add_record(b, recs[i], strlen(recs[i]), i + 1, 0);
}

static void test_counts(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_USER);
    fill(b);
    pinetl_stats s;
    pinetl_stats_init(&s, PINETL_TABLE_USER);
    pinetl_stats_add_batch(&s, b);
    CHECK_INT(s.read, 6);
    CHECK_INT(s.cleaned, 3);
    CHECK_INT(s.rejected, 3);
    CHECK_INT(s.read, s.cleaned + s.rejected);
    CHECK_INT(s.rejected_by_code[PINETL_REJECT_KEY], 1);
    CHECK_INT(s.rejected_by_code[PINETL_REJECT_NOT_OBJECT], 1);
    CHECK_INT(s.rejected_by_code[PINETL_REJECT_JSON], 1);
    CHECK_INT(s.nulls[PINETL_USER_IND], 0);
    CHECK_INT(s.nulls[PINETL_USER_USER_NAME], 2);
    CHECK_INT(s.warnings[PINETL_USER_USER_NAME], 1);
    CHECK_INT(s.nulls[PINETL_USER_AGE], 2);
    CHECK_INT(s.warnings[PINETL_USER_AGE], 1);
    CHECK_INT(s.nulls[PINETL_USER_DATE_JOINED], 2);
    CHECK_INT(s.warnings[PINETL_USER_DATE_JOINED], 1);

    pinetl_stats t;
    pinetl_stats_init(&t, PINETL_TABLE_USER);
    pinetl_stats_merge(&t, &s);
    pinetl_stats_merge(&t, &s);
    CHECK_INT(t.read, 12);
    CHECK_INT(t.warnings[PINETL_USER_AGE], 2);
    CHECK_INT(t.rejected_by_code[PINETL_REJECT_JSON], 2);

    char *json = NULL;
    CHECK_INT(pinetl_stats_to_json(&s, &json), 0);
    cJSON *j = cJSON_Parse(json);
    CHECK(j != NULL);
    if (j) {
        CHECK_STR(cJSON_GetObjectItem(j, "table")->valuestring, "user");
        CHECK_INT(cJSON_GetObjectItem(j, "read")->valuedouble, 6);
        CHECK_INT(cJSON_GetObjectItem(j, "cleaned")->valuedouble, 3);
        CHECK_INT(cJSON_GetObjectItem(j, "rejected")->valuedouble, 3);
        cJSON *by = cJSON_GetObjectItem(j, "rejected_by_reason");
        CHECK_INT(cJSON_GetObjectItem(by, "bad_key")->valuedouble, 1);
        CHECK_INT(cJSON_GetObjectItem(by, "too_large")->valuedouble, 0);
        cJSON *age = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "columns"), "age");
        CHECK_INT(cJSON_GetObjectItem(age, "nulls")->valuedouble, 2);
        CHECK_INT(cJSON_GetObjectItem(age, "warnings")->valuedouble, 1);
        cJSON_Delete(j);
    }
    pinetl_free(json);

    char *text = NULL;
    CHECK_INT(pinetl_stats_to_text(&s, &text), 0);
    CHECK(text && strstr(text, "user: read 6, cleaned 3, rejected 3\n") == text);
    CHECK(text && strstr(text, "rejected bad_key: 1\n") != NULL);
    CHECK(text && strstr(text, "rejected too_large") == NULL); /* zero reasons are not listed */
    CHECK(text && strstr(text, "  age                         2          1\n") != NULL);
    pinetl_free(text);
    pinetl_batch_free(b);
}

static void test_empty_and_bad_table(void)
{
    pinetl_stats s;
    pinetl_stats_init(&s, PINETL_TABLE_GEO);
    char *json = NULL;
    CHECK_INT(pinetl_stats_to_json(&s, &json), 0);
    CHECK(json && strstr(json, "\"read\":0") != NULL);
    pinetl_free(json);
    s.table = 9;
    CHECK(pinetl_stats_to_json(&s, &json) == PINETL_EINVAL);
    CHECK(strlen(pinetl_error_last()) > 0);
    pinetl_free(NULL);
}

int main(void)
{
    RUN(test_counts);
    RUN(test_empty_and_bad_table);
    return check_done();
}
