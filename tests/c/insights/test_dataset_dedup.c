/* A dataset keeps one row per ind and table: later rows (later in a batch, later batches) replace
 * earlier ones; rejected rows are skipped. */
#include "fixtures.h"

static void test_one_row_per_ind(void) {
    pinetl_dataset *ds;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    pinetl_batch *a = fx_batch(PINETL_TABLE_PIN, "{\"index\": 1, \"category\": \"a\"}\n"
                                                 "{\"index\": 2, \"category\": \"a\"}\n"
                                                 "{\"index\": 1, \"category\": \"b\"}\n"
                                                 "{\"index\": \"x\", \"category\": \"c\"}\n"
                                                 "not json\n");
    pinetl_batch *b = fx_batch(PINETL_TABLE_PIN, "{\"index\": 2, \"category\": \"c\"}\n"
                                                 "{\"index\": \"3\", \"category\": \"c\"}\n");
    pinetl_batch *g = fx_batch(
        PINETL_TABLE_GEO, "{\"ind\": 1, \"country\": \"X\"}\n{\"ind\": 2, \"country\": \"X\"}\n"
                          "{\"ind\": 3, \"country\": \"X\"}\n{\"ind\": 3, \"country\": \"X\"}\n");
    CHECK(a && b && g);
    CHECK_INT(pinetl_batch_rejected(a), 2);
    CHECK_INT(pinetl_dataset_add(ds, a), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_PIN), 2);
    CHECK_INT(pinetl_dataset_add(ds, b), 0);
    CHECK_INT(pinetl_dataset_add(ds, g), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_PIN), 3);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_GEO), 3);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_USER), 0);
    /* ind 1 is b (replaced within the batch), ind 2 is c (replaced by the later batch). */
    const char *names[] = {"top_category_by_country"};
    pinetl_insights_options o = fx_options(names, 1, PINETL_MEDIAN_APPROX);
    pinetl_insights *r = NULL;
    CHECK_INT(pinetl_insights_compute(&r, ds, &o), 0);
    char *s = fx_rows(r);
    CHECK_STR(s, "X|c|2\n");
    free(s);
    pinetl_insights_free(r);
    pinetl_batch_free(a);
    pinetl_batch_free(b);
    pinetl_batch_free(g);
    pinetl_dataset_free(ds);
}

static void test_many_inds(void) {
    /* Enough rows to grow the hash map and the row arrays several times. */
    size_t n = 20000;
    char *text = malloc(n * 48 * 2);
    CHECK(text != NULL);
    if (!text)
        return;
    size_t len = 0;
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            len += (size_t)snprintf(text + len, n * 96 - len,
                                    "{\"index\": %zu, \"category\": \"c%zu\"}\n",
                                    i * 7919 % 1000003, pass);
    pinetl_batch *b = fx_batch(PINETL_TABLE_PIN, text);
    pinetl_dataset *ds;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    CHECK(b != NULL);
    CHECK_INT(pinetl_dataset_add(ds, b), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_PIN), n);
    pinetl_batch_free(b);
    pinetl_dataset_free(ds);
    free(text);
}

static void test_bad_arguments(void) {
    pinetl_dataset *ds;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    CHECK_INT(pinetl_dataset_add(ds, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_dataset_add(NULL, NULL), PINETL_EINVAL);
    pinetl_insights *r = NULL;
    const char *names[] = {"no_such_insight"};
    pinetl_insights_options o = fx_options(names, 1, PINETL_MEDIAN_APPROX);
    CHECK_INT(pinetl_insights_compute(&r, ds, &o), PINETL_ENOTFOUND);
    CHECK(strstr(pinetl_error_last(), "no_such_insight") != NULL);
    CHECK(r == NULL);
    o = fx_options(NULL, 0, 7);
    CHECK_INT(pinetl_insights_compute(&r, ds, &o), PINETL_EINVAL);
    CHECK_INT(pinetl_insights_compute(&r, ds, NULL), 0);
    CHECK_INT(pinetl_insights_count(r), PINETL_INSIGHT_COUNT);
    for (int i = 0; i < PINETL_INSIGHT_COUNT; i++) {
        CHECK_STR(pinetl_insights_table_name(r, (size_t)i), pinetl_insight_name(i));
        CHECK_INT(pinetl_insights_rows(r, (size_t)i), 0);
    }
    pinetl_insights_free(r);
    pinetl_dataset_free(NULL);
    pinetl_dataset_free(ds);
}

int main(void) {
    RUN(test_one_row_per_ind);
    RUN(test_many_inds);
    RUN(test_bad_arguments);
    return check_done();
}
