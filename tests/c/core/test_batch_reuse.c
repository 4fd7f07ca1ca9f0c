/* Batches keep their memory across pinetl_batch_clear: clearing and refilling gives byte-identical
 * output, and records in = rows every time; misc API contracts of batches and tables. */
#include "check.h"
#include "core_util.h"

static void test_clear_and_refill(void)
{
    size_t n;
    char *d = read_file("tests/data/real-sample/pin.jsonl", &n);
    CHECK(d != NULL);
    if (!d) return;
    pinetl_batch *b;
    pinetl_batch_new(&b, PINETL_TABLE_PIN);
    size_t lines = add_lines(b, d, n);
    pinetl__batch_add_record(b, "{bad", 4, 0, 0);
    CHECK_INT(pinetl_batch_rows(b), lines + 1);
    const char *out, *rej;
    size_t len, rlen;
    pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &out, &len);
    char *first = malloc(len);
    memcpy(first, out, len);
    pinetl_batch_render_rejects(b, &rej, &rlen);
    char *first_rej = malloc(rlen);
    memcpy(first_rej, rej, rlen);
    for (int round = 0; round < 3; round++) {
        pinetl_batch_clear(b);
        CHECK_INT(pinetl_batch_rows(b), 0);
        CHECK_INT(pinetl_batch_rejected(b), 0);
        pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &out, &len);
        CHECK_INT(len, 0); /* the cache is dropped on clear */
        CHECK_INT(add_lines(b, d, n), lines);
        pinetl__batch_add_record(b, "{bad", 4, 0, 0);
        CHECK_INT(pinetl_batch_rows(b), lines + 1);
        CHECK_INT(pinetl_batch_rejected(b), 1);
        pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &out, &len);
        CHECK(memcmp(out, first, len) == 0);
        pinetl_batch_render_rejects(b, &rej, &rlen);
        CHECK(memcmp(rej, first_rej, rlen) == 0);
    }
    free(first);
    free(first_rej);
    free(d);
    pinetl_batch_free(b);
}

static void test_contracts(void)
{
    pinetl_batch *b = NULL;
    CHECK(pinetl_batch_new(&b, (pinetl_table)7) == PINETL_EINVAL);
    CHECK(b == NULL);
    CHECK(strstr(pinetl_error_last(), "unknown table") != NULL);
    pinetl_batch_free(NULL);
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_GEO), 0);
    CHECK_INT(pinetl_batch_table(b), PINETL_TABLE_GEO);
    /* Accessors of the wrong type give NULL. */
    CHECK(pinetl_batch_coords(b, PINETL_GEO_COUNTRY) == NULL);
    CHECK(pinetl_batch_text_data(b, PINETL_GEO_IND) == NULL);
    CHECK(pinetl_batch_int64(b, PINETL_GEO_TIMESTAMP) != NULL || pinetl_batch_rows(b) == 0);
    CHECK(pinetl_batch_validity(b, 4) == NULL);
    CHECK(pinetl_batch_validity(b, -1) == NULL);
    const char *rec = "{\"ind\": 1}";
    pinetl__batch_add_record(b, rec, strlen(rec), 1, 0);
    CHECK(pinetl_batch_int64(b, PINETL_GEO_TIMESTAMP) != NULL);
    CHECK(pinetl_batch_text_offsets(b, PINETL_GEO_COUNTRY) != NULL);
    CHECK_STR(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[0]), "<input>");
    CHECK(pinetl_batch_source_name(b, 99) == NULL);
    pinetl_batch_free(b);

    pinetl_table t;
    CHECK_INT(pinetl_table_from_name("geo", &t), 0);
    CHECK_INT(t, PINETL_TABLE_GEO);
    CHECK(pinetl_table_from_name("pins", &t) == PINETL_EINVAL);
    CHECK_STR(pinetl_table_name(PINETL_TABLE_USER), "user");
    CHECK(pinetl_table_name((pinetl_table)3) == NULL);
    CHECK_INT(pinetl_column_type(PINETL_TABLE_GEO, PINETL_GEO_COORDINATES), PINETL_TYPE_COORDS);
    CHECK_INT(pinetl_column_type(PINETL_TABLE_USER, PINETL_USER_DATE_JOINED), PINETL_TYPE_TIMESTAMP);
    CHECK_INT(pinetl_column_type(PINETL_TABLE_USER, 4), 0);
    CHECK(pinetl_column_name(PINETL_TABLE_PIN, 11) == NULL);
    CHECK_STR(pinetl_strerror(PINETL_ENOMEM), "out of memory");
    CHECK_STR(pinetl_version(), PINETL_VERSION_STRING);
    CHECK_INT(pinetl_version_number(), PINETL_VERSION_NUMBER);
}

int main(void)
{
    RUN(test_clear_and_refill);
    RUN(test_contracts);
    return check_done();
}
