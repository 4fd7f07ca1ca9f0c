/* pinetl stream: tail the stream logs under a landing folder into the SQLite warehouse, in
 * micro-batches, exactly once (positions committed with the rows). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "commands.h"
#include "options.h"
#include "serve/stream_metrics.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void stream_usage(FILE *out) {
    fprintf(out,
            "usage: pinetl stream --landing DIR --db FILE [OPTIONS]\n"
            "\n"
            "Tails the stream logs that 'pinetl serve' writes under DIR\n"
            "(DIR/streams/<stream>/shardId-*.log), cleans their records in micro-batches and\n"
            "appends them to the SQLite warehouse FILE (created when missing): cleaned rows into\n"
            "the stream's table, rejected records into 'rejects' (source <stream>/<shard>, line =\n"
            "sequence number, offset = byte offset in the shard's log). Each shard's position is\n"
            "committed in the same transaction as the rows, in the table stream_positions, so a\n"
            "crash at any moment followed by a restart gives exactly the rows of an uninterrupted\n"
            "run. A stream feeds the table its name ends in (pin, geo or user, e.g.\n"
            "streaming-0a1b2c3d4e5f-pin), unless --stream maps it.\n"
            "\n"
            "A position belongs to one log (its identity): a log that was replaced, cut below\n"
            "the position or deleted stops the run (exit 1) with what happened and how to go\n"
            "on. Damaged bytes inside a log are skipped: each record they hid becomes a reject\n"
            "with reason 'quarantined'. One pinetl stream per warehouse. See docs/durability.md.\n"
            "Exit status: 0 done; 1 an error, or --until-idle stopped in front of bytes that are\n"
            "no valid record (not loaded); 2 a usage error.\n"
            "\n"
            "options:\n"
            "  --landing DIR          the landing folder (as given to pinetl serve)\n"
            "  --db FILE              the warehouse database\n"
            "  --follow               run until stopped (SIGTERM, SIGINT): the default\n"
            "  --until-idle           stop once every log is drained\n"
            "  --stream NAME=TABLE    the stream NAME feeds TABLE (pin, geo or user); repeatable\n"
            "  --batch-records N      commit a micro-batch at N records (default 10000)\n"
            "  --batch-ms MS          ... or MS milliseconds after its first record (default\n"
            "                         100; 0: as soon as the logs are drained)\n"
            "  --poll-ms MS           when the logs are drained, wait for a change at most MS\n"
            "                         milliseconds (default 50; a change wakes it at once)\n"
            "  --progress-interval S  without a terminal, a status line every S seconds\n"
            "                         (default 10; 0: none). On a terminal, a live status line.\n"
            "  --stats-json FILE      at the end, write the run's figures as JSON to FILE\n"
            "  --metrics-file FILE    keep FILE up to date with Prometheus metrics (records,\n"
            "                         batches, lag per shard, commit latency) for\n"
            "                         node-exporter's textfile collector: rewritten atomically\n"
            "                         after each micro-batch (docs/operating.md)\n"
            "  --forget STREAM/SHARD  delete that shard's position (its log is then read from\n"
            "                         its start) and exit; repeatable. For a log replaced on\n"
            "                         purpose.\n"
            "  -q, --quiet            no status and no summary\n"
            "  -h, --help             this help\n");
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void human_bytes(int64_t b, char *out, size_t cap) {
    if (b < 10 * 1024)
        snprintf(out, cap, "%lld B", (long long)b);
    else if (b < 10 * 1024 * 1024)
        snprintf(out, cap, "%.1f KiB", (double)b / 1024);
    else
        snprintf(out, cap, "%.1f MiB", (double)b / (1024 * 1024));
}

static void status_line(const pinetl_stream_status *s, double rate, char *out, size_t cap) {
    char behind[32];
    human_bytes(s->behind_bytes, behind, sizeof behind);
    snprintf(out, cap,
             "stream: %lld shards, %lld records committed (%lld rejected) in %lld batches, "
             "%.0f rec/s, lag %s + %lld pending, latency last %.1f ms p50 %.1f ms p99 %.1f ms",
             (long long)s->shards, (long long)s->records, (long long)s->rejects,
             (long long)s->batches, rate, behind, (long long)s->pending,
             (double)s->last_latency_us / 1000.0, (double)s->latency_p50_us / 1000.0,
             (double)s->latency_p99_us / 1000.0);
}

/* --stream NAME=TABLE: the stream name (into name) and its table; -1 when malformed. */
static int parse_map(const char *map, char *name, size_t cap, pinetl_table *table) {
    const char *eq = strrchr(map, '=');
    if (!eq || eq == map || (size_t)(eq - map) >= cap || pinetl_table_from_name(table, eq + 1))
        return -1;
    snprintf(name, cap, "%.*s", (int)(eq - map), map);
    return 0;
}

/* --forget STREAM/SHARD...: deletes those positions. */
static int forget(const char *db, const cli_list *shards) {
    pinetl_warehouse *wh = NULL;
    int rc = pinetl_warehouse_open(&wh, db, 0);
    for (size_t i = 0; !rc && i < shards->n; i++) {
        const char *arg = shards->items[i], *slash = strrchr(arg, '/');
        char stream[512];
        snprintf(stream, sizeof stream, "%.*s", slash ? (int)(slash - arg) : 0, arg);
        int gone = 0;
        rc = pinetl_warehouse_forget_stream_position(&gone, wh, stream, slash + 1);
        if (!rc)
            fprintf(stderr, "pinetl stream: %s: %s\n", arg,
                    gone ? "position forgotten; its log is read from its start at the next run"
                         : "no position (nothing to forget)");
    }
    if (rc)
        fprintf(stderr, "pinetl stream: %s\n", pinetl_error_last());
    pinetl_warehouse_free(wh);
    return rc ? 1 : 0;
}

/* The metrics file after a poll or flush that returned rc; a failure is said once. */
static void metrics_update(pinetl_stream_textfile *tf, pinetl_stream_consumer *c, int rc, int force,
                           int *warned) {
    if (tf && pinetl_stream_textfile_update(tf, c, rc == PINETL_BATCH, force) != PINETL_OK &&
        !*warned) {
        fprintf(stderr, "pinetl stream: %s (loading goes on)\n", pinetl_error_last());
        *warned = 1;
    }
}

static int run(const char *landing, const char *db, const cli_list *maps,
               const pinetl_stream_options *opt, int until_idle, int quiet, int poll_ms,
               int progress_s, const char *stats_json, const char *metrics_file) {
    pinetl_warehouse *wh = NULL;
    pinetl_stream_consumer *c = NULL;
    pinetl_stream_textfile *tf = NULL;
    int metrics_warned = 0;
    int rc = pinetl_warehouse_open(&wh, db, 0);
    if (!rc)
        rc = pinetl_stream_consumer_new(&c, wh, landing, opt);
    for (size_t i = 0; !rc && i < maps->n; i++) {
        char name[512];
        pinetl_table table;
        parse_map(maps->items[i], name, sizeof name, &table); /* checked by cmd_stream */
        rc = pinetl_stream_consumer_map(c, name, table);
    }
    if (!rc && metrics_file) { /* a path that cannot be written stops the run before it starts */
        rc = pinetl_stream_textfile_new(&tf, metrics_file);
        if (!rc)
            rc = pinetl_stream_textfile_update(tf, c, 0, 1);
    }
    if (rc) {
        fprintf(stderr, "pinetl stream: %s\n", pinetl_error_last());
        pinetl_stream_textfile_free(tf);
        pinetl_stream_consumer_free(c);
        pinetl_warehouse_free(wh);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int tty = !quiet && isatty(STDERR_FILENO);
    int64_t start = mono_ms(), last_show = start, shown_records = 0;
    int64_t interval_ms = tty ? 250 : (int64_t)progress_s * 1000;
    int status = 0, live = 0;
    int64_t stuck_since = 0, stuck_records = -1;
    pinetl_stream_status st;
    char line[512];
    while (!stop_signal) {
        rc = pinetl_stream_consumer_poll(c);
        metrics_update(tf, c, rc, 0, &metrics_warned);
        char *notes = pinetl_stream_consumer_notices(c);
        if (notes && !quiet) {
            if (live)
                fputs("\r\033[K", stderr);
            fprintf(stderr, "pinetl stream: %s", notes);
        }
        pinetl_free(notes);
        if (rc < 0) {
            if (live)
                fputs("\n", stderr);
            fprintf(stderr, "pinetl stream: %s\n", pinetl_error_last());
            status = 1;
            break;
        }
        pinetl_stream_consumer_status(&st, c);
        int64_t now = mono_ms();
        if (!quiet && interval_ms > 0 && now - last_show >= interval_ms) {
            double rate = (double)(st.records - shown_records) * 1000.0 / (double)(now - last_show);
            status_line(&st, rate, line, sizeof line);
            if (tty) {
                fprintf(stderr, "\r\033[K%s", line);
                live = 1;
            } else {
                fprintf(stderr, "%s\n", line);
            }
            last_show = now;
            shown_records = st.records;
        }
        if (rc == PINETL_DONE && st.drained) {
            if (until_idle) {
                if ((rc = pinetl_stream_consumer_flush(c)) < 0) {
                    fprintf(stderr, "%spinetl stream: %s\n", live ? "\n" : "", pinetl_error_last());
                    status = 1;
                    break;
                }
                metrics_update(tf, c, rc, 0, &metrics_warned);
                pinetl_stream_consumer_status(&st, c);
                if (st.behind_bytes > 0 && st.records != stuck_records)
                    stuck_since = 0; /* records came meanwhile: the bytes are new */
                stuck_records = st.records;
                if (st.behind_bytes > 0) {
                    /* Bytes after a position that form no record: a write under way, or a torn
                     * or damaged tail. Look again until the consumer has noticed them (it names
                     * the shard), then stop saying what was not loaded. */
                    if (!stuck_since)
                        stuck_since = now;
                    if (now - stuck_since < opt->stuck_notice_ms + 2 * poll_ms) {
                        pinetl_stream_consumer_wait(c, poll_ms);
                        continue;
                    }
                    char b[32];
                    human_bytes(st.behind_bytes, b, sizeof b);
                    fprintf(stderr,
                            "%spinetl stream: stopped in front of %s that are no valid record "
                            "(see above); they are NOT loaded. Restart pinetl serve to "
                            "quarantine them (records it can find again behind them are kept), "
                            "then run pinetl stream again\n",
                            live ? "\n" : "", b);
                    status = 1;
                }
                break;
            }
            stuck_since = 0;
            /* Until a log changes, the batch is due or poll-ms pass; a signal ends it early. */
            pinetl_stream_consumer_wait(c, pinetl_stream_consumer_wait_ms(c, (int)poll_ms));
        }
    }
    /* Stopped by a signal: commit what was read, then stop. */
    if (stop_signal && status == 0 && (rc = pinetl_stream_consumer_flush(c)) < 0) {
        fprintf(stderr, "%spinetl stream: %s\n", live ? "\n" : "", pinetl_error_last());
        status = 1;
    }
    metrics_update(tf, c, stop_signal ? rc : 0, 1, &metrics_warned); /* the final figures */
    pinetl_stream_textfile_free(tf);
    pinetl_stream_consumer_status(&st, c);
    if (live)
        fputs("\r\033[K", stderr);
    double secs = (double)(mono_ms() - start) / 1000.0;
    if (!quiet) {
        status_line(&st, secs > 0 ? (double)st.records / secs : 0, line, sizeof line);
        fprintf(stderr, "%s%s\n", line,
                stop_signal             ? " (stopped by a signal)"
                : until_idle && !status ? " (drained)"
                : status                ? " (stopped by an error)"
                                        : "");
    }
    if (stats_json) {
        FILE *f = fopen(stats_json, "w");
        if (!f ||
            fprintf(f,
                    "{\"shards\": %lld, \"batches\": %lld, \"records\": %lld, "
                    "\"rejects\": %lld, \"seconds\": %.3f, \"records_per_second\": %.1f, "
                    "\"latency_p50_us\": %lld, \"latency_p99_us\": %lld, "
                    "\"latency_max_us\": %lld}\n",
                    (long long)st.shards, (long long)st.batches, (long long)st.records,
                    (long long)st.rejects, secs, secs > 0 ? (double)st.records / secs : 0,
                    (long long)st.latency_p50_us, (long long)st.latency_p99_us,
                    (long long)st.latency_max_us) < 0 ||
            fclose(f)) {
            fprintf(stderr, "pinetl stream: cannot write %s\n", stats_json);
            status = 1;
        }
    }
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    return status;
}

int cmd_stream(int argc, char **argv) {
    const char *landing = NULL, *db = NULL, *stats_json = NULL, *metrics_file = NULL;
    int follow = 0, until_idle = 0, quiet = 0, batch_records = 10000;
    int poll_ms = 50, progress_s = 10;
    pinetl_stream_options opt;
    pinetl_stream_options_init(&opt, PINETL_STREAM_OPTIONS_VERSION);
    cli_list maps = {NULL, 0}, forgets = {NULL, 0};
    const cli_option options[] = {
        {.name = "landing", .short_name = 0, .kind = CLI_STRING, .target = &landing},
        {.name = "db", .short_name = 0, .kind = CLI_STRING, .target = &db, .required = 1},
        {.name = "follow", .short_name = 0, .kind = CLI_FLAG, .target = &follow},
        {.name = "until-idle", .short_name = 0, .kind = CLI_FLAG, .target = &until_idle},
        {.name = "stream", .short_name = 0, .kind = CLI_LIST, .target = &maps},
        {.name = "forget", .short_name = 0, .kind = CLI_LIST, .target = &forgets},
        {.name = "batch-records",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &batch_records,
         .min = 1,
         .max = INT_MAX},
        {.name = "batch-ms",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &opt.batch_ms,
         .min = 0,
         .max = 86400000},
        {.name = "poll-ms",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &poll_ms,
         .min = 1,
         .max = 60000},
        {.name = "progress-interval",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &progress_s,
         .min = 0,
         .max = 86400},
        {.name = "stats-json", .short_name = 0, .kind = CLI_STRING, .target = &stats_json},
        {.name = "metrics-file", .short_name = 0, .kind = CLI_STRING, .target = &metrics_file},
        {.name = "quiet", .short_name = 'q', .kind = CLI_FLAG, .target = &quiet},
        {.name = NULL}};
    cli_list rest;
    int status = cli_parse("stream", argc, argv, options, stream_usage, &rest);
    if (status >= 0)
        goto done;
    status = 2;
    if (rest.n) {
        status = cli_usage_error("stream", "unexpected argument '%s'", rest.items[0]);
        goto done;
    }
    if (follow && until_idle) {
        status = cli_usage_error("stream", "--follow and --until-idle exclude each other");
        goto done;
    }
    for (size_t i = 0; i < forgets.n; i++) {
        const char *slash = strrchr(forgets.items[i], '/');
        if (!slash || slash == forgets.items[i] || !slash[1]) {
            status = cli_usage_error("stream", "--forget wants STREAM/SHARD, not '%s'",
                                     forgets.items[i]);
            goto done;
        }
    }
    if (forgets.n) {
        status = forget(db, &forgets);
        goto done;
    }
    if (!landing) {
        status = cli_usage_error("stream", "--landing is required");
        goto done;
    }
    if (until_idle && opt.stuck_notice_ms > 1000)
        opt.stuck_notice_ms = 1000; /* say soon what a run that stops did not load */
    opt.batch_records = (size_t)batch_records;
    for (size_t i = 0; i < maps.n; i++) {
        char name[512];
        pinetl_table table;
        if (parse_map(maps.items[i], name, sizeof name, &table)) {
            status = cli_usage_error("stream", "--stream wants NAME=pin|geo|user, not '%s'",
                                     maps.items[i]);
            goto done;
        }
    }
    status = run(landing, db, &maps, &opt, until_idle, quiet, poll_ms, progress_s, stats_json,
                 metrics_file);
done:
    cli_free(options, &rest);
    return status;
}
