/* pinetl load: clean inputs of one table and upsert them into the SQLite warehouse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "commands.h"
#include "options.h"

/* Rows per load transaction: large, since a transaction writes each page it touched once, and
 * with ind in random order a transaction touches nearly every page of the table; a commit at
 * this interval keeps a long load's progress. A failed or interrupted load loses at most its
 * open transaction, and running it again completes it: loads are idempotent. */
enum { LOAD_COMMIT_ROWS = 1000000 };

static void load_usage(FILE *out) {
    fprintf(out,
            "usage: pinetl load --db FILE --table pin|geo|user [OPTIONS] INPUT...\n"
            "\n"
            "Cleans the records of INPUT (files, '-', S3 sink directories, s3:// URIs) and loads\n"
            "them into the SQLite database FILE (created when missing): cleaned rows into the\n"
            "table (one row per ind; a later record replaces an earlier one), rejected records\n"
            "into 'rejects'. Loading the same inputs again changes nothing, so a failed or\n"
            "interrupted load (which keeps what it committed: every 1,000,000 rows) is completed\n"
            "by running it again.\n"
            "\n"
            "options:\n"
            "  --db FILE                 the warehouse database (required)\n"
            "  -t, --table T             pin, geo or user (required)\n"
            "  -i, --input-format F      auto (default), jsonl, array, kafka-rest, kafka-dump,\n"
            "                            kinesis, s3-sink\n"
            "  -T, --threads N           worker threads (default 0: one per core)\n"
            "  -q, --quiet               no summary on stderr\n"
            "  -h, --help                this help\n");
}

static int run_load(const char *db, pinetl_table table, int quiet,
                    const pinetl_reader_options *ropts, const cli_list *rest) {
    const char *const *inputs = rest->items;
    size_t ninputs = rest->n;
    pinetl_warehouse *wh = NULL;
    pinetl_reader *reader = NULL;
    int rc = pinetl_warehouse_open(&wh, db, 0);
    if (rc) {
        fprintf(stderr, "pinetl load: %s\n", pinetl_error_last());
        return 1;
    }
    rc = pinetl_reader_open(&reader, table, inputs, ninputs, ropts);
    if (rc) {
        fprintf(stderr, "pinetl load: %s\n", pinetl_error_last());
        pinetl_warehouse_free(wh);
        return 2;
    }
    pinetl_batch *batch;
    int64_t pending = 0;
    int open = (rc = pinetl_warehouse_begin(wh)) == PINETL_OK;
    while (open && (rc = pinetl_reader_step(&batch, reader)) == PINETL_BATCH) {
        if ((rc = pinetl_warehouse_load(wh, batch)))
            break;
        pending += (int64_t)pinetl_batch_rows(batch);
        if (pending >= LOAD_COMMIT_ROWS) {
            pending = 0;
            open = 0;
            if ((rc = pinetl_warehouse_commit(wh)) || (rc = pinetl_warehouse_begin(wh)))
                break;
            open = 1;
        }
    }
    int status = 0;
    if (rc != PINETL_DONE) {
        fprintf(stderr, "pinetl load: %s\n", pinetl_error_last());
        status = rc == PINETL_EIO || rc == PINETL_ENOTFOUND ? 2 : 1;
    }
    /* The batches loaded before a failure stay: a failed batch was undone alone. (EINVAL: the
     * failure already rolled the transaction back, and was reported.) */
    if (open && (rc = pinetl_warehouse_commit(wh)) && rc != PINETL_EINVAL) {
        fprintf(stderr, "pinetl load: %s\n", pinetl_error_last());
        status = 1;
    }
    const char *notices = pinetl_reader_notices(reader);
    if (notices && *notices)
        fputs(notices, stderr);
    if (!quiet) {
        pinetl_stats stats;
        pinetl_load_stats ls;
        pinetl_reader_stats(&stats, reader);
        pinetl_warehouse_load_stats(&ls, wh);
        fprintf(stderr,
                "%s: %lld records read, %lld cleaned, %lld rejected; "
                "%lld rows stored (%lld repeats or already stored), %lld new rejects\n",
                pinetl_table_name(table), (long long)stats.read, (long long)stats.cleaned,
                (long long)stats.rejected, (long long)ls.written, (long long)(ls.rows - ls.written),
                (long long)ls.rejects_written);
    }
    pinetl_reader_free(reader);
    pinetl_warehouse_free(wh);
    return status;
}

int cmd_load(int argc, char **argv) {
    const char *db = NULL;
    pinetl_table table = PINETL_TABLE_PIN;
    int quiet = 0;
    pinetl_reader_options ropts;
    pinetl_reader_options_init(&ropts, PINETL_READER_OPTIONS_VERSION);
    const cli_option options[] = {
        {.name = "db", .short_name = 0, .kind = CLI_STRING, .target = &db, .required = 1},
        {.name = "table", .short_name = 't', .kind = CLI_TABLE, .target = &table, .required = 1},
        {.name = "input-format",
         .short_name = 'i',
         .kind = CLI_INPUT_FORMAT,
         .target = &ropts.input_format},
        {.name = "threads",
         .short_name = 'T',
         .kind = CLI_NUMBER,
         .target = &ropts.threads,
         .min = 0,
         .max = CLI_MAX_THREADS},
        {.name = "quiet", .short_name = 'q', .kind = CLI_FLAG, .target = &quiet},
        {.name = NULL}};
    cli_list rest;
    int status = cli_parse("load", argc, argv, options, load_usage, &rest);
    if (status < 0 && !rest.n)
        status = cli_usage_error("load", "no INPUT given (see pinetl load --help)");
    if (status < 0)
        status = run_load(db, table, quiet, &ropts, &rest);
    cli_free(options, &rest);
    return status;
}
