/* pinetl_dataset_read_files reads the three tables at the same time and gives the same dataset
 * (same insights, same distinct rows) as adding each reader's batches in turn; it reports each
 * table's counts and first reject, skips tables without inputs, and names an input it cannot
 * open. */
#include <unistd.h>

#include "fixtures.h"

static const char *const pin_path = "tests/data/real-sample/pin.jsonl";
static const char *const geo_path = "tests/data/real-sample/geo.jsonl";
static const char *const user_path = "tests/data/real-sample/user.jsonl";

/* The reference: one reader per table, one after another, batches added in order. */
static int add_sequentially(pinetl_dataset *ds, const char *const *paths[3], const size_t n[3],
                            const pinetl_reader_options *o) {
    for (int t = 0; t < 3; t++) {
        if (!n[t])
            continue;
        pinetl_reader *r;
        int rc = pinetl_reader_open(&r, (pinetl_table)t, paths[t], n[t], o);
        pinetl_batch *b;
        while (!rc && (rc = pinetl_reader_step(&b, r)) == PINETL_BATCH)
            rc = pinetl_dataset_add(ds, b);
        pinetl_reader_free(r);
        if (rc != PINETL_DONE)
            return rc;
    }
    return 0;
}

static void test_same_as_sequential(void) {
    /* Each table given twice: later rows replace earlier ones across inputs as well. */
    const char *pins[] = {pin_path, pin_path}, *geos[] = {geo_path},
               *users[] = {user_path, user_path};
    const char *const *paths[3] = {pins, geos, users};
    size_t n[3] = {2, 1, 2};
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 64 * 1024; /* many batches per table */
    pinetl_dataset *a, *b;
    CHECK_INT(pinetl_dataset_new(&a), 0);
    CHECK_INT(pinetl_dataset_new(&b), 0);
    pinetl_dataset_report reports[3];
    CHECK_INT(pinetl_dataset_read_files(reports, a, paths, n, &o), 0);
    CHECK_INT(add_sequentially(b, paths, n, &o), 0);
    for (int t = 0; t < 3; t++) {
        CHECK_INT(pinetl_dataset_rows(a, (pinetl_table)t), pinetl_dataset_rows(b, (pinetl_table)t));
        CHECK(pinetl_dataset_rows(a, (pinetl_table)t) > 1000);
        const pinetl_stats *s = &reports[t].stats;
        CHECK_INT(s->read, 2262 * (int64_t)n[t]);
        CHECK_INT(s->read, s->cleaned + s->rejected);
        CHECK_INT(reports[t].first_reject != NULL, s->rejected > 0);
        CHECK(reports[t].notices == NULL);
    }
    for (int median = 0; median < 2; median++) {
        pinetl_insights_options io = fx_options(NULL, 0, median);
        pinetl_insights *ra = NULL, *rb = NULL;
        CHECK_INT(pinetl_insights_compute(&ra, a, &io), 0);
        CHECK_INT(pinetl_insights_compute(&rb, b, &io), 0);
        char *why = NULL;
        CHECK(pinetl_insights_equal(&why, ra, rb));
        if (why) {
            fprintf(stderr, "  median %d: %s\n", median, why);
            pinetl_free(why);
        }
        for (size_t t = 0; t < pinetl_insights_count(ra); t++)
            CHECK(pinetl_insights_rows(ra, t) > 0);
        pinetl_insights_free(ra);
        pinetl_insights_free(rb);
    }
    for (int t = 0; t < 3; t++)
        pinetl_free(reports[t].first_reject);
    pinetl_dataset_free(a);
    pinetl_dataset_free(b);
}

static void test_first_reject_and_skipped_table(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/pinetl-read-files-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    const char *text = "{\"ind\": 1, \"first_name\": \"A\"}\n{\"ind\": \"x\"}\n"
                       "{\"ind\": 2, \"first_name\": \"B\"}\n{\"ind\": 1.5}\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    /* Only users given: the other tables are skipped. */
    const char *users[] = {path};
    const char *const *paths[3] = {NULL, NULL, users};
    size_t n[3] = {0, 0, 1};
    pinetl_dataset *ds;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    pinetl_dataset_report reports[3];
    CHECK_INT(pinetl_dataset_read_files(reports, ds, paths, n, NULL), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_PIN), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_GEO), 0);
    CHECK_INT(pinetl_dataset_rows(ds, PINETL_TABLE_USER), 2);
    CHECK_INT(reports[PINETL_TABLE_GEO].stats.read, 0);
    CHECK_INT(reports[PINETL_TABLE_USER].stats.read, 4);
    CHECK_INT(reports[PINETL_TABLE_USER].stats.rejected, 2);
    /* The first reject, by its line. */
    char expect[96];
    snprintf(expect, sizeof expect, "%s:2: ", path);
    CHECK(reports[PINETL_TABLE_USER].first_reject &&
          strncmp(reports[PINETL_TABLE_USER].first_reject, expect, strlen(expect)) == 0);
    CHECK(reports[PINETL_TABLE_USER].first_reject &&
          strstr(reports[PINETL_TABLE_USER].first_reject, "ind") != NULL);
    for (int t = 0; t < 3; t++)
        pinetl_free(reports[t].first_reject);
    pinetl_dataset_free(ds);
    unlink(path);
}

static void test_missing_input(void) {
    const char *pins[] = {pin_path}, *geos[] = {"tests/data/no-such-file.jsonl"};
    const char *const *paths[3] = {pins, geos, NULL};
    size_t n[3] = {1, 1, 0};
    pinetl_dataset *ds;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    int rc = pinetl_dataset_read_files(NULL, ds, paths, n, NULL);
    CHECK(rc == PINETL_ENOTFOUND || rc == PINETL_EIO);
    CHECK(strstr(pinetl_error_last(), "no-such-file.jsonl") != NULL);
    CHECK_INT(pinetl_dataset_read_files(NULL, NULL, paths, n, NULL), PINETL_EINVAL);
    pinetl_dataset_free(ds);
}

int main(void) {
    RUN(test_same_as_sequential);
    RUN(test_first_reject_and_skipped_table);
    RUN(test_missing_input);
    return check_done();
}
