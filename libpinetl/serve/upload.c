/* The uploader of `pinetl serve --upload s3://bucket/prefix` (docs/s3.md). One thread copies
 * every rolled topic file to the bucket under the same relative name:
 *
 *   <landing>/topics/<topic>/partition=<p>/<name>  ->  s3://bucket/prefix/topics/<topic>/...
 *
 * A rolled file never changes and its object name is fixed by the layout, so a PUT may be
 * repeated without harm. That makes the record of what is done simple: after a successful PUT an
 * empty marker <landing>/.serve/uploaded/<name> is created (object names carry topic and
 * partition, so one flat folder holds them). A rolled file without a marker is pending; the
 * thread finds pending files by scanning the partitions' folders, at start (what a crash or an
 * outage left), every SCAN_MS and after a failure's backoff, so nothing needs a queue that a
 * crash could lose. A crash between a PUT and its marker only means one more identical PUT.
 *
 * A failed PUT (after the S3 client's own retries) keeps the file pending, logs one line naming
 * the object and the error (the client's messages carry no secret), and the thread waits,
 * doubling from 1 s to 60 s, before it scans again. At stop, one more pass tries what is pending
 * until a deadline; what is left waits for the next start. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pinetl/batch.h>

#include "s3/s3.h"
#include "s3sink/layout.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strlist.h"
#include "serve_internal.h"

enum { SCAN_MS = 500, BACKOFF_MIN_MS = 1000, BACKOFF_MAX_MS = 60000 };

struct serve_uploader {
    serve_catalog *cat;
    char *landing, *base, *marks; /* base: the destination URI without a trailing '/' */
    pinetl__s3 *s3;
    pinetl__serve_metrics *metrics;
    FILE *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stopping;
    /* Per partition (the catalog's topics in order): its folder's mtime when a pass last found
     * nothing left to upload there, or zero. A folder whose mtime is unchanged since then has
     * had no file rolled into it and is not listed again, so a long-lived landing does not cost
     * a stat per file every SCAN_MS. */
    struct timespec *seen;
    size_t nparts;
};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int same_time(struct timespec a, struct timespec b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Appends the "<topic dir>/<name>" of every rolled file of the catalog's partitions that has no
 * marker, each partition's in name (start offset) order. fresh (NULL: not kept) receives each
 * listed folder's mtime, or zero when it is too recent to be trusted: a rename in the same clock
 * tick as the stat would leave it unchanged. */
static int scan(pinetl__strlist *out, struct timespec *fresh, serve_uploader *u) {
    size_t k = 0;
    time_t now = time(NULL);
    for (size_t i = 0; i < u->cat->ntopics; i++) {
        serve_topic *t = &u->cat->topics[i];
        for (int p = 0; p < t->partitions; p++, k++) {
            char *dir = NULL, *path = NULL;
            int rc0 = pinetl_s3sink_partition_dir(&dir, t->name, p);
            if (rc0)
                return rc0;
            if (asprintf(&path, "%s/%s", u->landing, dir) < 0) {
                pinetl_free(dir);
                return pinetl__error_set(PINETL_ENOMEM, "out of memory");
            }
            struct stat ds;
            int have = stat(path, &ds) == 0;
            if (have && u->seen[k].tv_sec && same_time(ds.st_mtim, u->seen[k])) {
                if (fresh)
                    fresh[k] = u->seen[k];
                free(path);
                pinetl_free(dir);
                continue;
            }
            if (fresh && have && ds.st_mtim.tv_sec + 2 <= now)
                fresh[k] = ds.st_mtim;
            DIR *d = opendir(path);
            free(path);
            size_t first = out->n;
            struct dirent *e;
            int rc = PINETL_OK;
            while (d && !rc && (e = readdir(d))) {
                size_t tl;
                int32_t part;
                uint64_t start;
                if (!pinetl__s3sink_name_parse(&tl, &part, &start, e->d_name))
                    continue;
                char *mark = NULL, *rel = NULL;
                if (asprintf(&mark, "%s/%s", u->marks, e->d_name) < 0) {
                    rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
                    break;
                }
                struct stat st;
                int done = stat(mark, &st) == 0;
                free(mark);
                if (done)
                    continue;
                if (asprintf(&rel, "%s/%s", dir, e->d_name) < 0 ||
                    pinetl__strlist_push(out, rel) != 0)
                    rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
                free(rel);
            }
            if (d)
                closedir(d);
            pinetl_free(dir);
            if (rc)
                return rc;
            if (out->n > first) /* items is NULL while the list is empty */
                qsort(out->items + first, out->n - first, sizeof *out->items, cmp_str);
        }
    }
    return PINETL_OK;
}

static int read_all(pinetl__buf *b, const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pinetl__error_set(PINETL_EIO, "cannot open '%s': %s", path, strerror(errno));
    int rc = PINETL_OK;
    for (;;) {
        if (pinetl__buf_reserve(b, 65536)) {
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
            break;
        }
        ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = pinetl__error_set(PINETL_EIO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
    }
    close(fd);
    return rc;
}

/* PUTs one pending file (rel: "topics/<topic>/partition=<p>/<name>") and marks it done. */
static int upload_one(serve_uploader *u, const char *rel) {
    char *path = NULL, *uri = NULL, *mark = NULL;
    const char *name = strrchr(rel, '/') + 1;
    pinetl__buf data = {0};
    int rc = PINETL_OK;
    if (asprintf(&path, "%s/%s", u->landing, rel) < 0 ||
        asprintf(&uri, "%s/%s", u->base, rel) < 0 || asprintf(&mark, "%s/%s", u->marks, name) < 0)
        rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
    if (!rc)
        rc = read_all(&data, path);
    if (!rc)
        rc = pinetl__s3_put(u->s3, uri, data.p ? data.p : "", data.len);
    if (!rc) {
        int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            rc = pinetl__error_set(PINETL_EIO, "uploaded, but cannot record it in '%s': %s", mark,
                                   strerror(errno));
        else
            close(fd);
    }
    if (rc && u->log) {
        /* The client's messages begin with "'<uri>': "; the line names the object once. */
        const char *msg = pinetl_error_last(), *what = uri ? uri : rel;
        size_t n = strlen(what);
        if (msg[0] == '\'' && !strncmp(msg + 1, what, n) && !strncmp(msg + 1 + n, "': ", 3))
            msg += n + 4;
        fprintf(u->log, "pinetl serve: upload of '%s' failed (kept, will retry): %s\n", what, msg);
    }
    if (u->metrics)
        atomic_fetch_add_explicit(&u->metrics->uploads[rc ? 1 : 0], 1, memory_order_relaxed);
    pinetl__buf_free(&data);
    free(path);
    free(uri);
    free(mark);
    return rc;
}

/* Scans, then uploads in order until a failure or (deadline_ms > 0) the deadline: 0 when no
 * PUT failed, else the failure; *left receives how many files are still pending. */
static int pass(size_t *left_out, serve_uploader *u, int64_t deadline_ms) {
    pinetl__strlist todo = {0};
    struct timespec *fresh = pinetl__calloc(u->nparts ? u->nparts : 1, sizeof *fresh);
    int rc = scan(&todo, fresh, u);
    if (rc && u->log)
        fprintf(u->log, "pinetl serve: cannot list the rolled files to upload: %s\n",
                pinetl_error_last());
    size_t left = todo.n;
    if (u->metrics)
        atomic_store(&u->metrics->uploads_pending, left);
    for (size_t i = 0; !rc && i < todo.n; i++) {
        if (deadline_ms > 0 && pinetl__serve_now_ms() >= deadline_ms)
            break;
        rc = upload_one(u, todo.items[i]);
        if (!rc && u->metrics)
            atomic_store(&u->metrics->uploads_pending, left - 1);
        if (!rc)
            left--;
    }
    if (!rc && !left && fresh) /* all done: unchanged folders need no listing next time */
        memcpy(u->seen, fresh, u->nparts * sizeof *fresh);
    pinetl__free(fresh);
    pinetl__strlist_free(&todo);
    *left_out = left;
    return rc;
}

static void *run(void *arg) {
    serve_uploader *u = arg;
    int64_t wait_ms = 0, backoff = BACKOFF_MIN_MS;
    pthread_mutex_lock(&u->lock);
    for (;;) {
        int64_t until = pinetl__serve_now_ms() + wait_ms;
        while (!u->stopping && pinetl__serve_now_ms() < until) {
            struct timespec ts = {(time_t)(until / 1000), (long)(until % 1000) * 1000000};
            pthread_cond_timedwait(&u->cond, &u->lock, &ts);
        }
        if (u->stopping)
            break;
        pthread_mutex_unlock(&u->lock);
        size_t left;
        if (pass(&left, u, 0) == PINETL_OK) {
            wait_ms = SCAN_MS;
            backoff = BACKOFF_MIN_MS;
        } else {
            wait_ms = backoff;
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
        }
        pthread_mutex_lock(&u->lock);
    }
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

/* What start allocated, and the uploader itself (its thread, lock and condition are gone). */
static void uploader_free(serve_uploader *u) {
    pinetl__s3_free(u->s3);
    free(u->base);
    pinetl__free(u->landing);
    pinetl__free(u->seen);
    free(u->marks);
    pinetl__free(u);
}

int pinetl__serve_uploader_start(serve_uploader **out, serve_catalog *cat, const char *landing,
                                 const char *dest, pinetl__serve_metrics *m, FILE *log) {
    *out = NULL;
    char *bucket = NULL, *key = NULL;
    int rc = pinetl__s3_uri_split(&bucket, &key, dest);
    pinetl__free(bucket);
    pinetl__free(key);
    if (rc)
        return rc;
    serve_uploader *u = pinetl__calloc(1, sizeof *u);
    if (!u)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    u->cat = cat;
    for (size_t i = 0; i < cat->ntopics; i++)
        u->nparts += (size_t)cat->topics[i].partitions;
    u->metrics = m;
    u->log = log;
    size_t n = strlen(dest);
    while (n > 5 && dest[n - 1] == '/')
        n--;
    if (asprintf(&u->base, "%.*s", (int)n, dest) < 0)
        u->base = NULL;
    if (!u->base || !(u->landing = pinetl__strdup(landing)) ||
        !(u->seen = pinetl__calloc(u->nparts ? u->nparts : 1, sizeof *u->seen)) ||
        asprintf(&u->marks, "%s/.serve/uploaded", landing) < 0) {
        u->marks = NULL;
        rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    if (!rc && mkdir(u->marks, 0755) != 0 && errno != EEXIST)
        rc = pinetl__error_set(PINETL_EIO, "cannot create '%s': %s", u->marks, strerror(errno));
    if (!rc)
        rc = pinetl__s3_open(&u->s3);
    if (!rc) {
        pthread_mutex_init(&u->lock, NULL);
        pthread_cond_init(&u->cond, NULL);
        if (pthread_create(&u->thread, NULL, run, u) != 0) {
            pthread_cond_destroy(&u->cond);
            pthread_mutex_destroy(&u->lock);
            rc = pinetl__error_set(PINETL_ERROR, "cannot start the uploader thread");
        }
    }
    if (rc) {
        uploader_free(u);
        return rc;
    }
    *out = u;
    return PINETL_OK;
}

void pinetl__serve_uploader_stop(serve_uploader *u, int64_t budget_ms) {
    if (!u)
        return;
    pthread_mutex_lock(&u->lock);
    u->stopping = 1;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->lock);
    pthread_join(u->thread, NULL);
    /* The files rolled at close and what is still pending: one attempt each, begun within the
     * budget (a PUT under way when it runs out completes or fails first). */
    size_t left;
    pass(&left, u, pinetl__serve_now_ms() + budget_ms);
    if (left && u->log)
        fprintf(u->log,
                "pinetl serve: %zu rolled files not uploaded; the next start uploads them\n", left);
    pthread_cond_destroy(&u->cond);
    pthread_mutex_destroy(&u->lock);
    uploader_free(u);
}
