/* Reading the three tables' files into a dataset at the same time.
 *
 * One reader per table, each on its own thread: a single table's reader alternates between its
 * workers cleaning and this thread adding, and the smaller tables alone cannot keep the cores
 * busy, so reading them one after another leaves cores idle. The tables of a dataset share
 * nothing (dataset.h), so the threads add without locks. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/batch_internal.h"
#include "dataset.h"
#include "util/error.h"
#include "util/alloc.h"

typedef struct table_job {
    pinetl_dataset *ds;
    pinetl_table table;
    const char *const *paths;
    size_t npaths;
    pinetl_reader_options options;   /* the caller's, cleaning only the dataset's columns */
    pinetl_dataset_report *report;   /* may be NULL */
    int rc;
    char error[512];                 /* the message of rc (messages are per thread) */
} table_job;

/* The first reject of a batch, "source:line: message", when none was noted yet. */
static void note_first_reject(const pinetl_batch *batch, char *buf, size_t cap) {
    if (buf[0] || !pinetl_batch_rejected(batch))
        return;
    const uint8_t *status = pinetl_batch_status(batch);
    for (size_t r = 0; r < pinetl_batch_rows(batch); r++) {
        if (!status[r])
            continue;
        const char *src = pinetl_batch_source_name(batch, pinetl_batch_source_ids(batch)[r]);
        snprintf(buf, cap, "%s:%lld: %s", src ? src : "<input>",
                 (long long)pinetl_batch_lines(batch)[r], pinetl_batch_reject_message(batch, r));
        return;
    }
}

static void read_table(table_job *j) {
    pinetl_reader *reader = NULL;
    int rc = pinetl_reader_open(&reader, j->table, j->paths, j->npaths, &j->options);
    pinetl_batch *batch;
    while (!rc && (rc = pinetl_reader_step(reader, &batch)) == PINETL_BATCH) {
        if (j->report)
            note_first_reject(batch, j->report->first_reject, sizeof j->report->first_reject);
        rc = pinetl_dataset_add(j->ds, batch);
    }
    if (rc == PINETL_DONE)
        rc = PINETL_OK;
    if (rc)
        snprintf(j->error, sizeof j->error, "%s", pinetl_error_last());
    if (reader && j->report) {
        pinetl_reader_stats(reader, &j->report->stats);
        const char *notices = pinetl_reader_notices(reader);
        if (notices && *notices && !(j->report->notices = pinetl__strdup(notices)) && !rc) {
            rc = PINETL_ENOMEM;
            snprintf(j->error, sizeof j->error, "out of memory");
        }
    }
    pinetl_reader_free(reader);
    j->rc = rc;
}

static void *read_table_main(void *arg) {
    read_table(arg);
    return NULL;
}

int pinetl_dataset_read_files(pinetl_dataset *ds, const char *const *const *paths,
                              const size_t *npaths, const pinetl_reader_options *options,
                              pinetl_dataset_report *reports) {
    if (!ds || !paths || !npaths)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_dataset_read_files: NULL argument");
    table_job jobs[PINETL_TABLE_COUNT];
    pthread_t threads[PINETL_TABLE_COUNT];
    int started[PINETL_TABLE_COUNT] = {0};
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        jobs[t] = (table_job){ds, (pinetl_table)t, paths[t], npaths[t], {0},
                              reports ? &reports[t] : NULL, PINETL_OK, ""};
        if (options)
            jobs[t].options = *options;
        else
            pinetl_reader_options_init(&jobs[t].options);
        /* Most of a pin is text the insights never read: it is checked, not decoded. */
        jobs[t].options.columns = pinetl__dataset_columns((pinetl_table)t);
        if (reports)
            memset(&reports[t], 0, sizeof reports[t]);
    }
    /* The first table read runs on this thread; the others get a thread each, or run here
     * afterwards when one cannot be started. */
    int here = -1;
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        if (!npaths[t])
            continue;
        if (here < 0)
            here = t;
        else
            started[t] = !pthread_create(&threads[t], NULL, read_table_main, &jobs[t]);
    }
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        if (npaths[t] && !started[t])
            read_table(&jobs[t]);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        if (started[t])
            pthread_join(threads[t], NULL);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        if (jobs[t].rc)
            return pinetl__error_set(jobs[t].rc, "%s", jobs[t].error);
    return PINETL_OK;
}
