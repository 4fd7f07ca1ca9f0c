/* A dataset takes batches that clean only the columns the insights read, and refuses a batch
 * that leaves one of those out (its rows would read as null: wrong insights, silently). */
#include "fixtures.h"

static const char pin_rec[] =
    "{\"index\": 1, \"category\": \"art\", \"poster_name\": \"p\", \"follower_count\": \"5k\"}\n";

static void test_needed_columns_only(void) {
    const uint32_t need =
        1u << PINETL_PIN_CATEGORY | 1u << PINETL_PIN_POSTER_NAME | 1u << PINETL_PIN_FOLLOWER_COUNT;
    pinetl_dataset *ds;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    pinetl_batch *b;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), 0);
    CHECK_INT(pinetl_batch_select_columns(b, need), 0);
    CHECK_INT(pinetl_batch_clean(b, pin_rec, sizeof pin_rec - 1, NULL), 0);
    CHECK_INT(pinetl_dataset_add(ds, b), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_PIN), 1);

    for (int c = 1; c < PINETL_PIN_COLUMNS; c++) {
        if (!((need >> c) & 1))
            continue;
        pinetl_batch_clear(b);
        CHECK_INT(pinetl_batch_select_columns(b, need & ~(1u << c)), 0);
        CHECK_INT(pinetl_batch_clean(b, pin_rec, sizeof pin_rec - 1, NULL), 0);
        CHECK_INT(pinetl_dataset_add(ds, b), PINETL_EINVAL);
        CHECK(strstr(pinetl_error_last(), "pin batch leaves out") != NULL);
    }
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_PIN), 1);
    pinetl_batch_free(b);
    pinetl_dataset_free(ds);
}

int main(void) {
    RUN(test_needed_columns_only);
    return check_done();
}
