/* Stream log feeder for the streaming benchmark (bench/stream.sh): appends the lines of JSON-lines
 * files as records of stream logs, the way `pinetl serve` lands Kinesis records (one log per
 * stream, shard 0; each append synced before the next, as serve acknowledges).
 *
 *   stream_feed LANDING PREFIX --bulk PIN GEO USER
 *       every line of each file into <LANDING>/streams/<PREFIX>-<table>/shardId-000000000000.log,
 *       1000 records per append, one sync per log at the end
 *   stream_feed LANDING PREFIX --rate R --seconds S [--batch B] PIN GEO USER
 *       about R records per second in all (the three streams in turn), B records per append
 *       (default 1: a PutRecord), each append followed by fdatasync, for S seconds or until a
 *       file ends; every record's arrival time is its append time
 *
 * Built by bench/stream.sh against the library of the benchmark build. Public API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pinetl/streamlog.h>

typedef struct input {
    FILE *f;
    char *line;
    size_t cap;
    pinetl_streamlog *log;
    int done;
} input;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads up to n lines of in into recs (payload copies in bufs); returns how many. */
static size_t read_lines(input *in, pinetl_streamlog_record *recs, char **bufs, size_t *caps,
                         size_t n) {
    size_t k = 0;
    while (k < n && !in->done) {
        ssize_t len = getline(&in->line, &in->cap, in->f);
        if (len < 0) {
            in->done = 1;
            break;
        }
        while (len > 0 && (in->line[len - 1] == '\n' || in->line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if ((size_t)len > caps[k]) {
            char *b = realloc(bufs[k], (size_t)len);
            if (!b) {
                fprintf(stderr, "stream_feed: out of memory\n");
                exit(1);
            }
            bufs[k] = b;
            caps[k] = (size_t)len;
        }
        memcpy(bufs[k], in->line, (size_t)len);
        memset(&recs[k], 0, sizeof recs[k]);
        recs[k].data = bufs[k];
        recs[k].data_len = (size_t)len;
        recs[k].key = "pk";
        recs[k].key_len = 2;
        k++;
    }
    return k;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: stream_feed LANDING PREFIX --bulk PIN GEO USER\n"
                        "       stream_feed LANDING PREFIX --rate R --seconds S [--batch B] "
                        "PIN GEO USER\n");
        return 2;
    }
    const char *landing = argv[1], *prefix = argv[2];
    int bulk = 0, a = 3;
    double rate = 0, seconds = 0;
    size_t batch = 1;
    for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
        if (!strcmp(argv[a], "--bulk"))
            bulk = 1;
        else if (!strcmp(argv[a], "--rate") && a + 1 < argc)
            rate = atof(argv[++a]);
        else if (!strcmp(argv[a], "--seconds") && a + 1 < argc)
            seconds = atof(argv[++a]);
        else if (!strcmp(argv[a], "--batch") && a + 1 < argc)
            batch = (size_t)atol(argv[++a]);
        else {
            fprintf(stderr, "stream_feed: unknown option %s\n", argv[a]);
            return 2;
        }
    }
    if (argc - a != 3 || (!bulk && (rate <= 0 || seconds <= 0)) || batch < 1) {
        fprintf(stderr, "stream_feed: want --bulk, or --rate and --seconds, then three files\n");
        return 2;
    }
    static const char *tables[3] = {"pin", "geo", "user"};
    input in[3];
    memset(in, 0, sizeof in);
    for (int t = 0; t < 3; t++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/streams/%s-%s/shardId-000000000000.log", landing, prefix,
                 tables[t]);
        in[t].f = fopen(argv[a + t], "rb");
        if (!in[t].f || pinetl_streamlog_open(&in[t].log, path, 0)) {
            fprintf(stderr, "stream_feed: %s: %s\n", in[t].f ? path : argv[a + t],
                    in[t].f ? pinetl_error_last() : "cannot open");
            return 1;
        }
    }
    size_t cap = bulk ? 1000 : batch;
    pinetl_streamlog_record *recs = calloc(cap, sizeof *recs);
    char **bufs = calloc(cap, sizeof *bufs);
    size_t *caps = calloc(cap, sizeof *caps);
    if (!recs || !bufs || !caps)
        return 1;
    long long appended = 0;
    double start = now_s();
    for (int t = 0;; t = (t + 1) % 3) {
        if (in[0].done && in[1].done && in[2].done)
            break;
        if (!bulk && now_s() - start >= seconds)
            break;
        size_t n = read_lines(&in[t], recs, bufs, caps, cap);
        if (!n)
            continue;
        if (pinetl_streamlog_append(NULL, in[t].log, recs, n) ||
            (!bulk && pinetl_streamlog_sync(in[t].log))) {
            fprintf(stderr, "stream_feed: %s\n", pinetl_error_last());
            return 1;
        }
        appended += (long long)n;
        if (!bulk) {
            if (in[t].done)
                break; /* a file ended: the rate would change */
            double due = start + (double)appended / rate, now = now_s();
            if (due > now) {
                double d = due - now;
                struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    for (int t = 0; t < 3; t++) {
        if (bulk && pinetl_streamlog_sync(in[t].log)) {
            fprintf(stderr, "stream_feed: %s\n", pinetl_error_last());
            return 1;
        }
        pinetl_streamlog_free(in[t].log);
        fclose(in[t].f);
        free(in[t].line);
    }
    for (size_t i = 0; i < cap; i++)
        free(bufs[i]);
    free(bufs);
    free(caps);
    free(recs);
    printf("%lld records in %.3f s\n", appended, now_s() - start);
    return 0;
}
