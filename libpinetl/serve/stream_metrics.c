/* pinetl stream's textfile of metrics (stream_metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "metrics.h"
#include "stream_metrics.h"

struct pinetl_stream_textfile {
    char *path, *tmp;
    pinetl__histogram latency;
    int64_t last_write_ms;
    double last_commit_s;
};

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pinetl_stream_textfile_new(pinetl_stream_textfile **out, const char *path) {
    *out = NULL;
    pinetl_stream_textfile *t = pinetl__calloc(1, sizeof *t);
    if (!t)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    if (!(t->path = pinetl__strdup(path)) ||
        asprintf(&t->tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
        t->tmp = NULL;
        pinetl_stream_textfile_free(t);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    pinetl__histogram_init(&t->latency, pinetl__bounds_latency_ns, 15, 1e9);
    *out = t;
    return PINETL_OK;
}

static void render(pinetl__buf *b, const pinetl_stream_textfile *t, pinetl_stream_consumer *c) {
    pinetl_stream_status st;
    pinetl_stream_consumer_status(&st, c);
    static const struct {
        int family;
        size_t offset;
    } plain[] = {
        {PM_STREAM_RECORDS, offsetof(pinetl_stream_status, records)},
        {PM_STREAM_REJECTS, offsetof(pinetl_stream_status, rejects)},
        {PM_STREAM_BATCHES, offsetof(pinetl_stream_status, batches)},
        {PM_STREAM_SHARDS, offsetof(pinetl_stream_status, shards)},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        int64_t v;
        memcpy(&v, (const char *)&st + plain[i].offset, sizeof v);
        pinetl__prom_head(b, plain[i].family);
        pinetl__prom_sample(b, plain[i].family, "", NULL, NULL, NULL, (double)v);
    }
    for (int family = PM_STREAM_SHARD_RECORDS; family <= PM_STREAM_LAG_BYTES; family++) {
        pinetl__prom_head(b, family);
        for (int64_t i = 0; i < st.shards; i++) {
            pinetl_stream_shard_status sh;
            if (pinetl_stream_consumer_shard_status(&sh, c, i) != PINETL_OK)
                continue;
            const char *v[2] = {sh.stream, sh.shard};
            pinetl__prom_sample(b, family, "", v, NULL, NULL,
                                (double)(family == PM_STREAM_SHARD_RECORDS ? sh.records
                                         : family == PM_STREAM_LAG_RECORDS ? sh.lag_records
                                                                           : sh.lag_bytes));
        }
    }
    pinetl__prom_head(b, PM_STREAM_BATCH_LATENCY);
    pinetl__prom_histogram(b, PM_STREAM_BATCH_LATENCY, NULL, &t->latency);
    pinetl__prom_head(b, PM_STREAM_LAST_BATCH_TIME);
    pinetl__prom_sample(b, PM_STREAM_LAST_BATCH_TIME, "", NULL, NULL, NULL, t->last_commit_s);
}

static int write_file(pinetl_stream_textfile *t, pinetl_stream_consumer *c) {
    pinetl__buf b = {0};
    render(&b, t, c);
    if (b.failed) {
        pinetl__buf_free(&b);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    FILE *f = fopen(t->tmp, "w");
    int ok = f && fwrite(b.p, 1, b.len, f) == b.len;
    if (f && fclose(f) != 0)
        ok = 0;
    pinetl__buf_free(&b);
    if (!ok || rename(t->tmp, t->path) != 0) {
        int e = errno;
        unlink(t->tmp);
        return pinetl__error_set(PINETL_EIO, "metrics file %s: %s", t->path, strerror(e));
    }
    return PINETL_OK;
}

int pinetl_stream_textfile_update(pinetl_stream_textfile *t, pinetl_stream_consumer *c,
                                  int committed, int force) {
    if (!t || !c)
        return PINETL_OK;
    if (committed) {
        pinetl_stream_status st;
        pinetl_stream_consumer_status(&st, c);
        pinetl__histogram_observe(&t->latency,
                                  st.last_latency_us > 0 ? (uint64_t)st.last_latency_us * 1000 : 0);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        t->last_commit_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    }
    int64_t now = mono_ms();
    if (!committed && !force && t->last_write_ms && now - t->last_write_ms < 1000)
        return PINETL_OK;
    t->last_write_ms = now;
    return write_file(t, c);
}

void pinetl_stream_textfile_free(pinetl_stream_textfile *t) {
    if (!t)
        return;
    pinetl__free(t->path);
    pinetl__free(t->tmp);
    pinetl__free(t);
}
