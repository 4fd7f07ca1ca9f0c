/* Spec 2 output, rejects: JSON lines with table, source, line, offset, reason, message and raw
 * (raw_base64 when the bytes are not UTF-8). */
#include <cjson/cJSON.h>

#include "check.h"
#include "core_util.h"

static void test_rejects(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_PIN);
    pinetl__batch_set_source(b, "in/pin \"1\".jsonl");
    const char *r1 = "{\"index\": \"12a\"}", *r2 = "{\"index\": \"\xff\xfe\"}", *r3 = "{\"index\": 4}";
    pinetl__batch_add_record(b, r1, strlen(r1), 3, 120);
    pinetl__batch_add_record(b, r3, strlen(r3), 4, 140);
    pinetl__batch_set_source(b, "-");
    pinetl__batch_add_record(b, r2, strlen(r2), 5, 160);
    pinetl__batch_add_record(b, "", 0, 6, 170);
    const char *out;
    size_t len;
    CHECK_INT(pinetl_batch_render_rejects(b, &out, &len), 0);
    CHECK_MEM(out, len,
              "{\"table\":\"pin\",\"source\":\"in/pin \\\"1\\\".jsonl\",\"line\":3,\"offset\":120,\"reason\":\"bad_key\","
              "\"message\":\"field 'index': \\\"12a\\\" is not an integer\",\"raw\":\"{\\\"index\\\": \\\"12a\\\"}\"}\n"
              "{\"table\":\"pin\",\"source\":\"-\",\"line\":5,\"offset\":160,\"reason\":\"invalid_utf8\","
              "\"message\":\"invalid UTF-8 at byte 11\",\"raw_base64\":\"eyJpbmRleCI6ICL//iJ9\"}\n"
              "{\"table\":\"pin\",\"source\":\"-\",\"line\":6,\"offset\":170,\"reason\":\"invalid_json\","
              "\"message\":\"invalid JSON at byte 0: empty record\",\"raw\":\"\"}\n");
    /* Each line is JSON with the fields in order. */
    static const char *keys[] = { "table", "source", "line", "offset", "reason", "message" };
    const char *p = out;
    int lines = 0;
    while (p < out + len) {
        const char *nl = strchr(p, '\n');
        cJSON *j = cJSON_ParseWithLength(p, (size_t)(nl - p));
        CHECK(j != NULL);
        if (!j) break;
        cJSON *it = j->child;
        for (int k = 0; k < 6 && it; k++, it = it->next) CHECK_STR(it->string, keys[k]);
        CHECK(it && (strcmp(it->string, "raw") == 0 || strcmp(it->string, "raw_base64") == 0));
        cJSON_Delete(j);
        lines++;
        p = nl + 1;
    }
    CHECK_INT(lines, 3);
    const char *o2;
    size_t l2;
    pinetl_batch_render_rejects(b, &o2, &l2);
    CHECK(o2 == out && l2 == len);
    pinetl_batch_free(b);
}

static void test_no_rejects(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_USER);
    const char *out = NULL;
    size_t len = 99;
    CHECK_INT(pinetl_batch_render_rejects(b, &out, &len), 0);
    CHECK_INT(len, 0);
    CHECK(out != NULL);
    pinetl_batch_free(b);
}

int main(void)
{
    RUN(test_rejects);
    RUN(test_no_rejects);
    return check_done();
}
