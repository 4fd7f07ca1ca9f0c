/* pinetl clean: cleans the records of one table into JSON lines or CSV on standard output, in
 * input order; rejects go to a file (JSON lines) or, one line each, to standard error, so that
 * nothing is lost. Inputs are checked before anything is written. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "commands.h"
#include "options.h"

enum { REJECTS_SHOWN = 10 };

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinetl clean --table {pin,geo,user} [OPTIONS] [FILE|DIR|- ...]\n"
            "\n"
            "Cleans the records of one table and writes them to standard output in input order.\n"
            "Inputs are JSON lines, JSON arrays, Kafka REST bodies, Kafka consumer dumps, Kinesis\n"
            "PutRecord(s) bodies, or Kafka Connect S3 sink directories; standard input when none.\n"
            "A DIR is read only as an S3 sink tree: the landing holding topics/, topics/, a topic\n"
            "(pin, 0a1b.pin) or a partition (partition=<n>); any other folder is an error.\n"
            "An s3://bucket/key input is read as the object of that key, or else as the folder\n"
            "of that name (AWS_* configuration; docs/s3.md).\n"
            "\n"
            "options:\n"
            "  -t, --table NAME          pin, geo or user (required)\n"
            "  -f, --format FMT          jsonl (default) or csv\n"
            "  -r, --rejects FILE        write rejected records to FILE as JSON lines\n"
            "                            (without it, every reject is a line on standard error)\n"
            "  -i, --input-format FMT    auto (default), jsonl, array, kafka-rest, kafka-dump,\n"
            "                            kinesis or s3-sink\n"
            "  -s, --strict              stop with exit status 1 at the first rejected record\n"
            "  -j, --summary-json FILE   write the run's counts to FILE as JSON\n"
            "  -T, --threads N           worker threads (default 0: one per core)\n"
            "  -q, --quiet               no summary on standard error\n"
            "  -h, --help                this help\n"
            "\n"
            "Exit status: 0 the run completed (rejects included), 1 --strict saw a reject or the\n"
            "run failed, 2 a usage error or an unreadable input.\n");
}

/* Writes everything; 0, or errno (EPIPE when the reader went away). */
static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void print_reject(FILE *err, const pinetl_batch *b, size_t row, const char *prefix) {
    fprintf(err, "%s%s:%lld (byte %lld): %s\n", prefix,
            pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[row]),
            (long long)pinetl_batch_lines(b)[row], (long long)pinetl_batch_offsets(b)[row],
            pinetl_batch_reject_message(b, row));
}

typedef struct clean_args {
    pinetl_table table;
    pinetl_format format;
    const char *rejects_path, *summary_path;
    pinetl_input_format input_format;
    int strict, threads, quiet;
} clean_args;

static int run_clean(const clean_args *args, const cli_list *rest);

int cmd_clean(int argc, char **argv) {
    clean_args a = {.format = PINETL_FORMAT_JSONL};
    const cli_option options[] = {
        {.name = "table", .short_name = 't', .kind = CLI_TABLE, .target = &a.table, .required = 1},
        {.name = "format", .short_name = 'f', .kind = CLI_FORMAT, .target = &a.format},
        {.name = "rejects", .short_name = 'r', .kind = CLI_STRING, .target = &a.rejects_path},
        {.name = "input-format",
         .short_name = 'i',
         .kind = CLI_INPUT_FORMAT,
         .target = &a.input_format},
        {.name = "strict", .short_name = 's', .kind = CLI_FLAG, .target = &a.strict},
        {.name = "summary-json", .short_name = 'j', .kind = CLI_STRING, .target = &a.summary_path},
        {.name = "threads",
         .short_name = 'T',
         .kind = CLI_NUMBER,
         .target = &a.threads,
         .min = 0,
         .max = CLI_MAX_THREADS},
        {.name = "quiet", .short_name = 'q', .kind = CLI_FLAG, .target = &a.quiet},
        {.name = NULL}};
    cli_list rest;
    int status = cli_parse("clean", argc, argv, options, usage, &rest);
    if (status >= 0) {
        cli_free(options, &rest);
        return status;
    }
    status = run_clean(&a, &rest);
    cli_free(options, &rest);
    return status;
}

static int run_clean(const clean_args *args, const cli_list *rest) {
    clean_args a = *args;
    static const char *const stdin_only[] = {"-"};
    const char *const *inputs = rest->n ? rest->items : stdin_only;
    size_t ninputs = rest->n ? rest->n : 1;

    signal(SIGPIPE, SIG_IGN); /* a closed pipe shows up as EPIPE and ends the run quietly */
    pinetl_reader_options ro;
    pinetl_reader_options_init(&ro, PINETL_READER_OPTIONS_VERSION);
    ro.input_format = a.input_format;
    ro.threads = a.threads;
    ro.render_format = a.format;
    ro.render_header = a.format == PINETL_FORMAT_CSV;
    pinetl_reader *reader = NULL;
    int rc = pinetl_reader_open(&reader, a.table, inputs, ninputs, &ro);
    if (rc != PINETL_OK) {
        fprintf(stderr, "pinetl clean: %s\n", pinetl_error_last());
        return rc == PINETL_ENOMEM ? 1 : 2;
    }
    FILE *rejects = NULL, *summary = NULL;
    if (a.rejects_path && !(rejects = fopen(a.rejects_path, "w"))) {
        fprintf(stderr, "pinetl clean: cannot write rejects to '%s': %s\n", a.rejects_path,
                strerror(errno));
        pinetl_reader_free(reader);
        return 2;
    }
    if (a.summary_path && !(summary = fopen(a.summary_path, "w"))) {
        fprintf(stderr, "pinetl clean: cannot write the summary to '%s': %s\n", a.summary_path,
                strerror(errno));
        if (rejects)
            fclose(rejects);
        pinetl_reader_free(reader);
        return 2;
    }
    if (!a.quiet) {
        const char *notes = pinetl_reader_notices(reader);
        for (const char *p = notes; *p;) {
            const char *nl = strchr(p, '\n');
            int n = nl ? (int)(nl - p) : (int)strlen(p);
            fprintf(stderr, "pinetl: %.*s\n", n, p);
            p += n + (nl != NULL);
        }
    }

    int64_t nrejects = 0, batches = 0;
    /* The counts of what this run output. The reader's own counts run ahead of the output
     * (workers clean batches in advance), so a --strict run that stops early reports these. */
    pinetl_stats written;
    pinetl_stats_init(&written, a.table);
    int status = 0;
    pinetl_batch *b;
    const char *text;
    size_t len;
    while ((rc = pinetl_reader_step(&b, reader)) == PINETL_BATCH) {
        size_t rows = pinetl_batch_rows(b);
        if (a.strict && pinetl_batch_rejected(b)) {
            const uint8_t *st = pinetl_batch_status(b);
            size_t r = 0;
            while (r < rows && !st[r])
                r++;
            print_reject(stderr, b, r, "pinetl clean: --strict: rejected ");
            /* Nothing of this batch was written; the summary counts the one reject shown. */
            written.read++;
            written.rejected++;
            written.rejected_by_code[st[r]]++;
            status = 1;
            break;
        }
        rc = pinetl_batch_render(&text, &len, b, a.format,
                                 a.format == PINETL_FORMAT_CSV && batches == 0);
        if (rc != PINETL_OK)
            break;
        batches++;
        pinetl_stats_add_batch(&written, b);
        int werr = write_all(STDOUT_FILENO, text, len);
        if (werr == EPIPE) {
            status = 0; /* the reader of our output has seen enough (e.g. | head) */
            a.quiet = 1;
            goto done;
        }
        if (werr) {
            fprintf(stderr, "pinetl clean: cannot write the output: %s\n", strerror(werr));
            status = 1;
            goto done;
        }
        if (!pinetl_batch_rejected(b))
            continue;
        if (rejects) {
            if ((rc = pinetl_batch_render_rejects(&text, &len, b)) != PINETL_OK)
                break;
            if (fwrite(text, 1, len, rejects) != len || fflush(rejects) != 0) {
                fprintf(stderr, "pinetl clean: cannot write rejects to '%s': %s\n", a.rejects_path,
                        strerror(errno));
                status = 1;
                goto done;
            }
        }
        const uint8_t *st = pinetl_batch_status(b);
        for (size_t r = 0; r < rows; r++) {
            if (!st[r])
                continue;
            if (!rejects || nrejects < REJECTS_SHOWN)
                print_reject(stderr, b, r, "pinetl: rejected ");
            nrejects++;
        }
    }
    if (rc < 0) {
        fprintf(stderr, "pinetl clean: %s\n", pinetl_error_last());
        status = rc == PINETL_EIO || rc == PINETL_ENOTFOUND ? 2 : 1;
        goto done;
    }
    if (status)
        goto done;
    if (batches == 0 && a.format == PINETL_FORMAT_CSV) {
        /* No input at all: the CSV still gets its header line. */
        pinetl_batch *empty = NULL;
        if (pinetl_batch_new(&empty, a.table) == PINETL_OK &&
            pinetl_batch_render(&text, &len, empty, PINETL_FORMAT_CSV, 1) == PINETL_OK &&
            write_all(STDOUT_FILENO, text, len) == EPIPE)
            a.quiet = 1;
        pinetl_batch_free(empty);
    }
    if (rejects && nrejects > REJECTS_SHOWN)
        fprintf(stderr, "pinetl: ... %lld more in %s\n", (long long)(nrejects - REJECTS_SHOWN),
                a.rejects_path);

done:;
    if (status)
        a.quiet = 1; /* a failed run says one line: its reason */
    pinetl_stats stats;
    if (a.strict)
        stats = written;
    else
        pinetl_reader_stats(&stats, reader);
    char *s = NULL;
    if (!a.quiet && pinetl_stats_to_text(&s, &stats) == PINETL_OK)
        fputs(s, stderr);
    pinetl_free(s);
    s = NULL;
    int werr = 0;
    if (summary &&
        (pinetl_stats_to_json(&s, &stats) != PINETL_OK || fprintf(summary, "%s\n", s) < 0))
        werr = errno ? errno : EIO;
    pinetl_free(s);
    if (summary && (fclose(summary) != 0 || werr)) {
        fprintf(stderr, "pinetl clean: cannot write the summary to '%s': %s\n", a.summary_path,
                strerror(werr ? werr : errno));
        status = 1;
    }
    if (rejects && fclose(rejects) != 0) {
        fprintf(stderr, "pinetl clean: cannot write rejects to '%s': %s\n", a.rejects_path,
                strerror(errno));
        status = 1;
    }
    pinetl_reader_free(reader);
    return status;
}
