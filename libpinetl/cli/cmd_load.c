/* pinetl load: clean inputs of one table and upsert them into the SQLite warehouse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "commands.h"

/* Rows per load transaction: large, since a transaction writes each page it touched once, and
 * with ind in random order a transaction touches nearly every page of the table; a commit at
 * this interval keeps a long load's progress. A failed or interrupted load loses at most its
 * open transaction, and running it again completes it: loads are idempotent. */
enum { LOAD_COMMIT_ROWS = 1000000 };

static void load_usage(FILE *out) {
    fprintf(out,
            "usage: pinetl load --db FILE --table pin|geo|user [OPTIONS] INPUT...\n"
            "\n"
            "Cleans the records of INPUT (files, '-' for stdin, or S3 sink directories) and loads\n"
            "them into the SQLite database FILE (created when missing): cleaned rows into the\n"
            "table (one row per ind; a later record replaces an earlier one), rejected records\n"
            "into 'rejects'. Loading the same inputs again changes nothing, so a failed or\n"
            "interrupted load (which keeps what it committed: every 1,000,000 rows) is completed\n"
            "by running it again.\n"
            "\n"
            "options:\n"
            "  --db FILE             the warehouse database\n"
            "  --table T             pin, geo or user\n"
            "  --input-format F      auto (default), jsonl, array, kafka-rest, kafka-dump,\n"
            "                        kinesis, s3-sink\n"
            "  --threads N           worker threads (default: one per core)\n"
            "  --quiet               no summary on stderr\n");
}

int cmd_load(int argc, char **argv) {
    const char *db = NULL, *table_name = NULL;
    int quiet = 0;
    pinetl_reader_options ropts;
    pinetl_reader_options_init(&ropts);
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t ninputs = 0;
    if (!inputs) {
        fprintf(stderr, "pinetl load: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            load_usage(stdout);
            free(inputs);
            return 0;
        } else if (!strcmp(a, "--db") && has_value) {
            db = argv[++i];
        } else if (!strcmp(a, "--table") && has_value) {
            table_name = argv[++i];
        } else if (!strcmp(a, "--input-format") && has_value) {
            if (pinetl_input_format_from_name(argv[++i], &ropts.input_format)) {
                fprintf(stderr, "pinetl load: unknown input format '%s'\n", argv[i]);
                free(inputs);
                return 2;
            }
        } else if (!strcmp(a, "--threads") && has_value) {
            ropts.threads = atoi(argv[++i]);
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pinetl load: unknown or incomplete option '%s'\n", a);
            load_usage(stderr);
            free(inputs);
            return 2;
        } else {
            inputs[ninputs++] = a;
        }
    }
    pinetl_table table;
    if (!db || !table_name || !ninputs || pinetl_table_from_name(table_name, &table)) {
        fprintf(stderr, "pinetl load: %s\n",
                !db ? "--db is required" : !table_name ? "--table is required"
                : !ninputs ? "no INPUT given" : "--table must be pin, geo or user");
        load_usage(stderr);
        free(inputs);
        return 2;
    }
    pinetl_warehouse *wh = NULL;
    pinetl_reader *reader = NULL;
    int rc = pinetl_warehouse_open(&wh, db, 0);
    if (rc) {
        fprintf(stderr, "pinetl load: %s\n", pinetl_error_last());
        free(inputs);
        return 1;
    }
    rc = pinetl_reader_open(&reader, table, inputs, ninputs, &ropts);
    if (rc) {
        fprintf(stderr, "pinetl load: %s\n", pinetl_error_last());
        pinetl_warehouse_free(wh);
        free(inputs);
        return 2;
    }
    pinetl_batch *batch;
    int64_t pending = 0;
    int open = (rc = pinetl_warehouse_begin(wh)) == PINETL_OK;
    while (open && (rc = pinetl_reader_step(reader, &batch)) == PINETL_BATCH) {
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
        pinetl_reader_stats(reader, &stats);
        pinetl_warehouse_load_stats(wh, &ls);
        fprintf(stderr,
                "%s: %lld records read, %lld cleaned, %lld rejected; "
                "%lld rows stored (%lld repeats or already stored), %lld new rejects\n",
                pinetl_table_name(table), (long long)stats.read, (long long)stats.cleaned,
                (long long)stats.rejected, (long long)ls.written,
                (long long)(ls.rows - ls.written), (long long)ls.rejects_written);
    }
    pinetl_reader_free(reader);
    pinetl_warehouse_free(wh);
    free(inputs);
    return status;
}
