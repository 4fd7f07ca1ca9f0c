/* Spec 2 output, JSON lines: keys in column order, every key present, minimal escaping, doubles
 * that read back exactly; checked against cJSON as an independent parser. */
#include <cjson/cJSON.h>
#include <math.h>

#include "check.h"
#include "core_util.h"

static void test_exact_lines(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_GEO);
    const char *recs[] = {
        "{\"ind\": 7528, \"timestamp\": \"2020-08-28 03:52:47\", \"latitude\": -89.9787, \"longitude\": -173.293, \"country\": \"Albania\"}",
        "{\"ind\": 1, \"country\": \"Tab\\there \\\"q\\\" back\\\\slash \\u0001 \\u00e9\"}",
        "not json",
        "{\"ind\": 2, \"latitude\": 1e-7, \"longitude\": 100, \"timestamp\": 0.5}",
    };
    for (int i = 0; i < 4; i++) pinetl__batch_add_record(b, recs[i], strlen(recs[i]), i + 1, 0);
    const char *out;
    size_t len;
    CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &out, &len), 0);
    CHECK_MEM(out, len,
              "{\"ind\":7528,\"country\":\"Albania\",\"coordinates\":[-89.9787,-173.293],\"timestamp\":\"2020-08-28T03:52:47Z\"}\n"
              "{\"ind\":1,\"country\":\"Tab\\there \\\"q\\\" back\\\\slash \\u0001 \xc3\xa9\",\"coordinates\":null,\"timestamp\":null}\n"
              "{\"ind\":2,\"country\":null,\"coordinates\":[1e-07,100.0],\"timestamp\":\"1970-01-01T00:00:00.500000Z\"}\n");
    /* The header flag means nothing for JSON lines. */
    const char *out2;
    size_t len2;
    CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_JSONL, 1, &out2, &len2), 0);
    CHECK_MEM(out2, len2, "{\"ind\":7528,\"country\":\"Albania\",\"coordinates\":[-89.9787,-173.293],\"timestamp\":\"2020-08-28T03:52:47Z\"}\n"
              "{\"ind\":1,\"country\":\"Tab\\there \\\"q\\\" back\\\\slash \\u0001 \xc3\xa9\",\"coordinates\":null,\"timestamp\":null}\n"
              "{\"ind\":2,\"country\":null,\"coordinates\":[1e-07,100.0],\"timestamp\":\"1970-01-01T00:00:00.500000Z\"}\n");
    CHECK(pinetl_batch_render(b, 99, 0, &out, &len) == PINETL_EINVAL);
    pinetl_batch_free(b);
}

static void test_escapes(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_PIN);
    const char *rec = "{\"index\": 1, \"title\": \"\\b\\f\\n\\r\\t\\u001f\\u007f/\\/\"}";
    pinetl__batch_add_record(b, rec, strlen(rec), 1, 0);
    const char *out;
    size_t len;
    pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &out, &len);
    CHECK(strstr(out, "\"title\":\"\\b\\f\\n\\r\\t\\u001f\x7f//\"") != NULL);
    pinetl_batch_free(b);
}

/* The real sample through cJSON: every line parses, keys in order, values agree with the columns. */
static void test_cjson_oracle(void)
{
    static const pinetl_table tables[3] = { PINETL_TABLE_PIN, PINETL_TABLE_GEO, PINETL_TABLE_USER };
    static const char *files[3] = { "tests/data/real-sample/pin.jsonl", "tests/data/real-sample/geo.jsonl",
                                    "tests/data/real-sample/user.jsonl" };
    for (int t = 0; t < 3; t++) {
        size_t n;
        char *d = read_file(files[t], &n);
        CHECK(d != NULL);
        if (!d) continue;
        pinetl_batch *b;
        pinetl_batch_new(&b, tables[t]);
        add_lines(b, d, n);
        const char *out;
        size_t len;
        CHECK_INT(pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &out, &len), 0);
        const char *p = out, *end = out + len;
        size_t row = 0;
        int bad = 0, ncols = pinetl_column_count(tables[t]);
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            cJSON *j = cJSON_ParseWithLength(p, (size_t)(nl - p));
            if (!j) { bad++; break; }
            int c = 0;
            for (cJSON *it = j->child; it; it = it->next, c++) {
                if (c >= ncols || strcmp(it->string, pinetl_column_name(tables[t], c)) != 0) bad++;
                char buf[4096];
                cell(b, row, c, buf, sizeof buf);
                if (cJSON_IsNull(it)) bad += strcmp(buf, "null") != 0;
                else if (cJSON_IsString(it)) bad += strcmp(buf, it->valuestring) != 0;
                else if (cJSON_IsNumber(it)) bad += strtoll(buf, NULL, 10) != (long long)it->valuedouble;
                else if (cJSON_IsArray(it)) {
                    const double *xy = pinetl_batch_coords(b, c) + 2 * row;
                    bad += cJSON_GetArrayItem(it, 0)->valuedouble != xy[0] ||
                           cJSON_GetArrayItem(it, 1)->valuedouble != xy[1];
                }
            }
            bad += c != ncols;
            cJSON_Delete(j);
            row++;
            p = nl + 1;
        }
        CHECK_INT(bad, 0);
        CHECK_INT(row, pinetl_batch_rows(b));
        pinetl_batch_free(b);
        free(d);
    }
}

static void test_cached_until_changed(void)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_USER);
    const char *r1 = "{\"ind\": 1, \"age\": 20}";
    pinetl__batch_add_record(b, r1, strlen(r1), 1, 0);
    const char *o1, *o2;
    size_t l1, l2;
    pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &o1, &l1);
    pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &o2, &l2);
    CHECK(o1 == o2 && l1 == l2); /* cached: same buffer, no re-render */
    pinetl__batch_add_record(b, r1, strlen(r1), 2, 0);
    pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &o2, &l2);
    CHECK_INT(l2, 2 * l1);
    pinetl_batch_free(b);
}

int main(void)
{
    RUN(test_exact_lines);
    RUN(test_escapes);
    RUN(test_cjson_oracle);
    RUN(test_cached_until_changed);
    return check_done();
}
