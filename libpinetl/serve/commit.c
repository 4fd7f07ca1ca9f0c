/* Group commit. HTTP threads parse and validate requests, queue them here and suspend their
 * connections; one committer thread takes everything queued at once, appends it (landing files,
 * stream logs), syncs each file it touched once, and only then resumes the connections, whose
 * replies carry the offsets and sequence numbers. While it syncs, the next group queues up: one
 * fdatasync serves every request of a group, so throughput grows with concurrency instead of
 * collapsing to one sync per request.
 *
 * The committer is the only thread that touches landing writers and stream logs, so they need no
 * locks. Between groups it rolls landing files that are due by time. */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/error.h"
#include "serve_internal.h"

struct serve_committer {
    serve_catalog *cat;
    int fsync;
    FILE *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    serve_job *head, *tail;
    int stopping;
    uint64_t groups, jobs, records; /* committer thread only; read after it stopped */
};

void pinetl__serve_job_free(serve_job *j) {
    if (!j)
        return;
    pinetl__buf_free(&j->lines);
    pinetl__free(j->off);
    pinetl__free(j->part);
    pinetl__free(j->offsets);
    pinetl__free(j->recs);
    pinetl__free(j);
}

size_t pinetl__serve_job_bytes(const serve_job *j) {
    size_t per = j->kind == JOB_TOPIC ? sizeof *j->off + sizeof *j->part + sizeof *j->offsets
                                      : 2 * sizeof *j->off + sizeof *j->recs;
    return sizeof *j + j->lines.cap + (j->n + 1) * per;
}

static void job_fail(serve_job *j, int rc, const char *msg) {
    if (j->rc)
        return;
    j->rc = rc ? rc : PINETL_ERROR;
    snprintf(j->err, sizeof j->err, "%s", msg);
    /* No control characters: in a JSON reply each byte then takes at most 2 (\" or \\), which
     * the memory budget's bound on replies counts on (pinetl__serve_reply_max). */
    for (char *p = j->err; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

static void apply(serve_job *j, int64_t now_ms) {
    if (j->kind == JOB_STREAM) {
        serve_stream *s = j->stream;
        if (s->broken) {
            job_fail(j, PINETL_EIO, "the stream log failed earlier; restart the server");
            return;
        }
        int rc = pinetl_streamlog_append(&j->first_seq, s->log, j->recs, j->n);
        if (rc)
            job_fail(j, rc, pinetl_error_last());
        else
            s->dirty = 1;
        return;
    }
    serve_topic *t = j->topic;
    size_t i = 0;
    while (i < j->n) {
        size_t k = i + 1;
        while (k < j->n && j->part[k] == j->part[i])
            k++;
        uint64_t first;
        int rc = pinetl__landing_append(&first, t->parts[j->part[i]], j->lines.p, j->off + i, k - i,
                                        now_ms);
        if (rc) {
            job_fail(j, rc, pinetl_error_last());
            return;
        }
        for (size_t r = i; r < k; r++)
            j->offsets[r] = first + (r - i);
        i = k;
    }
    t->dirty = 1;
}

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A sync, timed into the fdatasync histogram when there is one and syncs are real. */
static int timed_sync(serve_catalog *cat, int fsync, pinetl__landing *part, pinetl_streamlog *log) {
    pinetl__histogram *h = fsync && cat->metrics && (!part || pinetl__landing_unsynced(part))
                               ? &cat->metrics->fsync_seconds
                               : NULL;
    uint64_t t0 = h ? mono_ns() : 0;
    int rc = part ? pinetl__landing_sync(part) : pinetl_streamlog_sync(log);
    if (h)
        pinetl__histogram_observe(h, mono_ns() - t0);
    return rc;
}

/* What a group acknowledged: per topic and stream, and its size. */
static void count_group(serve_catalog *cat, serve_job *group) {
    uint64_t records = 0;
    for (serve_job *j = group; j; j = j->next) {
        if (j->rc)
            continue;
        uint64_t bytes = 0;
        if (j->kind == JOB_TOPIC) {
            bytes = j->lines.len;
        } else {
            for (size_t i = 0; i < j->n; i++)
                bytes += j->recs[i].data_len;
        }
        _Atomic uint64_t *rec =
            j->kind == JOB_TOPIC ? &j->topic->acked_records : &j->stream->acked_records;
        _Atomic uint64_t *byt =
            j->kind == JOB_TOPIC ? &j->topic->acked_bytes : &j->stream->acked_bytes;
        atomic_fetch_add_explicit(rec, j->n, memory_order_relaxed);
        atomic_fetch_add_explicit(byt, bytes, memory_order_relaxed);
        records += j->n;
    }
    if (cat->metrics)
        pinetl__histogram_observe(&cat->metrics->commit_records, records);
}

/* Appends a group's records and syncs each file touched once; fills each job's rc and results. */
static void apply_group(serve_catalog *cat, int fsync, FILE *log, serve_job *group) {
    int64_t now = pinetl__serve_now_ms();
    for (serve_job *j = group; j; j = j->next)
        apply(j, now);
    /* One sync per file touched; a failed sync fails every job of the group on that file. */
    for (size_t i = 0; i < cat->ntopics; i++) {
        serve_topic *t = &cat->topics[i];
        if (!t->dirty)
            continue;
        t->dirty = 0;
        for (int p = 0; p < t->partitions; p++) {
            if (timed_sync(cat, fsync, t->parts[p], NULL) == PINETL_OK)
                continue;
            for (serve_job *j = group; j; j = j->next)
                if (j->topic == t)
                    job_fail(j, PINETL_EIO, pinetl_error_last());
        }
    }
    for (size_t i = 0; i < cat->nstreams; i++) {
        serve_stream *s = &cat->streams[i];
        if (!s->dirty)
            continue;
        s->dirty = 0;
        /* Synced, and still the file under the landing (the topic side checks the same). */
        if ((!fsync || timed_sync(cat, fsync, NULL, s->log) == PINETL_OK) &&
            pinetl__file_id_check(&s->id, s->path) == PINETL_OK) {
            /* What readers of Kinesis' API may see now (the end first: a reader that gets the
             * new sequence number with the old end only loses its hint). */
            atomic_store(&s->durable_end, pinetl_streamlog_size(s->log));
            atomic_store(&s->durable_seq, pinetl_streamlog_last_seq(s->log));
            continue;
        }
        s->broken = 1; /* after a failed fdatasync the file's state is unknown */
        if (log)
            fprintf(log, "pinetl serve: stream '%s': %s\n", s->name, pinetl_error_last());
        for (serve_job *j = group; j; j = j->next)
            if (j->stream == s)
                job_fail(j, PINETL_EIO, pinetl_error_last());
    }
}

void pinetl__serve_commit_now(serve_catalog *cat, int fsync, serve_job *j) {
    j->next = NULL;
    apply_group(cat, fsync, NULL, j);
    atomic_store(&j->done, 1);
}

static void commit_group(serve_committer *c, serve_job *group) {
    c->groups++;
    for (serve_job *j = group; j; j = j->next) {
        c->jobs++;
        c->records += j->n;
    }
    apply_group(c->cat, c->fsync, c->log, group);
    count_group(c->cat, group); /* before any reply: a client that saw its ack sees it counted */
    while (group) {
        serve_job *next = group->next;
        struct MHD_Connection *conn = group->conn;
        atomic_store(&group->done, 1); /* the HTTP thread owns the job from here on */
        MHD_resume_connection(conn);
        group = next;
    }
}

static int64_t tick(serve_committer *c) {
    int64_t now = pinetl__serve_now_ms(), next = INT64_MAX;
    for (size_t i = 0; i < c->cat->ntopics; i++) {
        serve_topic *t = &c->cat->topics[i];
        for (int p = 0; p < t->partitions; p++) {
            int64_t due;
            if (pinetl__landing_tick(&due, t->parts[p], now) != PINETL_OK && c->log)
                fprintf(c->log, "pinetl serve: %s\n", pinetl_error_last());
            if (due < next)
                next = due;
        }
    }
    return next;
}

static void *run(void *arg) {
    serve_committer *c = arg;
    int64_t next_tick = tick(c);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->head && !c->stopping) {
            if (next_tick == INT64_MAX) {
                pthread_cond_wait(&c->cond, &c->lock);
            } else {
                struct timespec ts = {(time_t)(next_tick / 1000),
                                      (long)(next_tick % 1000) * 1000000};
                if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
                    break;
            }
        }
        serve_job *group = c->head;
        c->head = c->tail = NULL;
        int stop = c->stopping && !group;
        pthread_mutex_unlock(&c->lock);
        if (stop)
            break;
        if (group)
            commit_group(c, group);
        next_tick = tick(c);
        pthread_mutex_lock(&c->lock);
    }
    return NULL;
}

int pinetl__serve_committer_start(serve_committer **out, serve_catalog *cat, int fsync, FILE *log) {
    serve_committer *c = pinetl__calloc(1, sizeof *c);
    if (!c)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    c->cat = cat;
    c->fsync = fsync;
    c->log = log;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca); /* CLOCK_REALTIME: the deadlines are wall-clock ms */
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        pthread_cond_destroy(&c->cond);
        pthread_mutex_destroy(&c->lock);
        pinetl__free(c);
        return pinetl__error_set(PINETL_ERROR, "cannot start the committer thread");
    }
    *out = c;
    return PINETL_OK;
}

void pinetl__serve_committer_submit(serve_committer *c, serve_job *j) {
    j->next = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->tail)
        c->tail->next = j;
    else
        c->head = j;
    c->tail = j;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void pinetl__serve_committer_stop(serve_committer *c) {
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    if (c->log)
        fprintf(c->log,
                "pinetl serve: %llu requests (%llu records) committed in %llu group "
                "commits\n",
                (unsigned long long)c->jobs, (unsigned long long)c->records,
                (unsigned long long)c->groups);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    pinetl__free(c);
}
