/* The stream consumer: tails every shard log under <landing>/streams, cleans micro-batches (one
 * batch per table) and commits them to the warehouse together with each shard's position and
 * log identity, in one SQLite transaction. Before a commit, the logs it read are synced
 * (fdatasync), so a power loss on the writer's side cannot take back records whose rows are
 * committed. A log it does not know (another identity than its position's), one shorter than
 * its position, or one deleted or replaced while it reads, stops it with an error that says what
 * to do: it never skips and never loads twice. A damaged range inside a log becomes rejects
 * (reason "quarantined", one per sequence number it hid), committed with the position after it.
 * One consumer per warehouse (a lock beside the database file). */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <pinetl/stream.h>

#include "util/alloc.h"
#include "util/error.h"
#include "stream/latency.h"
#include "warehouse/stream_internal.h"

typedef struct shard {
    char *stream, *shard, *path, *source; /* source: "<stream>/<shard>" */
    pinetl_table table;
    pinetl_streamlog_reader *reader;
    uint64_t committed_seq, committed_offset;
    uint64_t read_seq, read_offset; /* read into the open micro-batch */
    int64_t read_records;           /* how many records that is */
    int64_t committed_records;      /* committed by this consumer */
    uint64_t stuck_offset;          /* where bytes that are no record yet were seen */
    int64_t stuck_since_ms;
    int stuck_noticed;
    char log_id[40];       /* the identity of the log being read ("" before identities) */
    char committed_id[40]; /* the identity the committed position was taken in */
} shard;

/* A damaged range skipped in a shard's log, to be committed as rejects. */
typedef struct bad_range {
    size_t shard;
    pinetl_streamlog_bad_range range;
} bad_range;

typedef struct mapping {
    char *stream;
    pinetl_table table;
} mapping;

struct pinetl_stream_consumer {
    pinetl_warehouse *wh;
    char *landing;
    pinetl_stream_options opt;
    shard *shards;
    size_t nshards, shards_cap, next_shard;
    mapping *maps;
    size_t nmaps;
    char **ignored; /* streams mapped to no table (noticed once) */
    size_t nignored;
    pinetl_batch *batch[PINETL_TABLE_COUNT];
    int64_t *arrivals; /* arrival times of the open micro-batch's records */
    size_t pending, arrivals_cap;
    int64_t batch_start_ms; /* monotonic time of the open micro-batch's first record */
    int64_t last_scan_ms;
    int scanned, drained;
    int ino_fd;     /* inotify: wakes a waiting consumer when a log changes (-1: none) */
    int rescan_now; /* a folder got a new entry: scan at the next poll */
    int64_t batches, records, rejects, last_latency_us;
    pinetl__latency latency;
    char *notices;
    size_t notices_len;
    bad_range *bad; /* skipped in the open micro-batch */
    size_t nbad, bad_cap;
    int lock_fd; /* the warehouse's consumer lock */
};

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void notice(pinetl_stream_consumer *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void notice(pinetl_stream_consumer *c, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    char *grown = pinetl__realloc(c->notices, c->notices_len + len + 2);
    if (!grown)
        return; /* a notice is not worth failing for */
    c->notices = grown;
    memcpy(c->notices + c->notices_len, line, len);
    c->notices_len += len;
    c->notices[c->notices_len++] = '\n';
    c->notices[c->notices_len] = '\0';
}

int pinetl_stream_options_init(pinetl_stream_options *o, unsigned version) {
    if (!o || version != PINETL_STREAM_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_options_init: %s",
                                 o ? "unknown version" : "NULL options");
    memset(o, 0, sizeof *o);
    o->version = version;
    o->batch_records = 10000;
    o->batch_ms = 100;
    o->rescan_ms = 1000;
    o->stuck_notice_ms = 5000;
    return PINETL_OK;
}

int pinetl_stream_consumer_new(pinetl_stream_consumer **out, pinetl_warehouse *wh,
                               const char *landing, const pinetl_stream_options *options) {
    if (!out || !wh || !landing)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_new: NULL argument");
    *out = NULL;
    if (options && options->version != PINETL_STREAM_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_new: options not set up"
                                                " with pinetl_stream_options_init");
    pinetl_stream_consumer *c = pinetl__calloc(1, sizeof *c);
    if (!c || !(c->landing = pinetl__strdup(landing))) {
        pinetl__free(c);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    c->wh = wh;
    c->lock_fd = -1;
    c->ino_fd = -1;
    struct stat st;
    int rc = PINETL_OK;
    if (stat(landing, &st))
        rc = pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                               "the landing folder %s: %s", landing,
                               errno == ENOENT ? "does not exist" : strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = pinetl__error_set(PINETL_ENOTFOUND, "the landing folder %s is not a folder", landing);
    if (!rc)
        rc = pinetl__warehouse_lock_stream(&c->lock_fd, wh);
    if (rc) {
        pinetl__free(c->landing);
        pinetl__free(c);
        return rc;
    }
#ifdef __linux__
    c->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#else
    c->ino_fd = -1;
#endif
    pinetl_stream_options_init(&c->opt, PINETL_STREAM_OPTIONS_VERSION);
    if (options)
        c->opt = *options;
    if (!c->opt.batch_records)
        c->opt.batch_records = 10000;
    if (c->opt.batch_ms < 0)
        c->opt.batch_ms = 0;
    if (c->opt.rescan_ms <= 0)
        c->opt.rescan_ms = 1000;
    if (c->opt.stuck_notice_ms <= 0)
        c->opt.stuck_notice_ms = 5000;
    *out = c;
    return PINETL_OK;
}

int pinetl_stream_consumer_map(pinetl_stream_consumer *c, const char *stream, pinetl_table table) {
    if (!c || !stream || !pinetl_table_name(table))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_map: bad argument");
    mapping *m = pinetl__realloc(c->maps, (c->nmaps + 1) * sizeof *m);
    if (!m)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    c->maps = m;
    if (!(m[c->nmaps].stream = pinetl__strdup(stream)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    m[c->nmaps++].table = table;
    return PINETL_OK;
}

/* The table of a stream: its mapping, else the table its name ends in; -1 for none. */
static int stream_table(const pinetl_stream_consumer *c, const char *stream) {
    for (size_t i = c->nmaps; i-- > 0;)
        if (!strcmp(c->maps[i].stream, stream))
            return (int)c->maps[i].table;
    size_t len = strlen(stream);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        const char *name = pinetl_table_name((pinetl_table)t);
        size_t n = strlen(name);
        if (len >= n && !strcmp(stream + len - n, name) &&
            (len == n || strchr("-._", stream[len - n - 1])))
            return t;
    }
    return -1;
}

static int valid_name(const char *s) {
    if (!*s || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder that pass keep, sorted (for a stable shard order). */
static int list_dir(const char *dir, int (*keep)(const char *), char ***out, size_t *n) {
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? PINETL_OK
                               : pinetl__error_set(PINETL_EIO, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t cap = 0;
    int rc = PINETL_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!keep(e->d_name))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **g = pinetl__realloc(names, cap * sizeof *g);
            if (!g) {
                rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
                break;
            }
            names = g;
        }
        if (!(names[*n] = pinetl__strdup(e->d_name))) {
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, cmp_str);
    *out = names;
    return rc;
}

static void free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++)
        pinetl__free(names[i]);
    pinetl__free(names);
}

static int is_shard_log(const char *name) {
    size_t len = strlen(name);
    return len > 4 && !strcmp(name + len - 4, ".log") && !strncmp(name, "shardId-", 8);
}

/* Watches path for what mask says (a best effort: without it, waits are plain sleeps). */
static void watch(pinetl_stream_consumer *c, const char *path, uint32_t mask) {
#ifdef __linux__
    if (c->ino_fd >= 0)
        (void)inotify_add_watch(c->ino_fd, path, mask);
#else
    (void)c;
    (void)path;
    (void)mask;
#endif
}

static shard *find_shard(pinetl_stream_consumer *c, const char *stream, const char *name) {
    for (size_t i = 0; i < c->nshards; i++)
        if (!strcmp(c->shards[i].stream, stream) && !strcmp(c->shards[i].shard, name))
            return &c->shards[i];
    return NULL;
}

static void shard_free(shard *s) {
    pinetl_streamlog_reader_free(s->reader);
    pinetl__free(s->stream);
    pinetl__free(s->shard);
    pinetl__free(s->path);
    pinetl__free(s->source);
}

/* How an operator goes on when a log does not match its position. */
#define FORGET_HINT "To load the log there from its start: pinetl stream --db WAREHOUSE --forget %s"

/* Opens (or reopens) a shard's reader at its committed position, and checks that the log is
 * the one the position was taken in: the same identity, and the position's record ending where
 * the position says. */
static int shard_open_reader(pinetl_stream_consumer *c, shard *s) {
    pinetl_streamlog_reader_free(s->reader);
    s->reader = NULL;
    int rc = s->committed_seq ? pinetl_streamlog_reader_open_at(
                                    &s->reader, s->path, s->committed_seq, s->committed_offset)
                              : pinetl_streamlog_reader_open(&s->reader, s->path, 0);
    s->read_seq = s->committed_seq;
    s->read_offset = s->committed_offset;
    if (rc == PINETL_EFORMAT) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", pinetl_error_last());
        return pinetl__error_set(rc,
                                 "%s. The warehouse loaded it up to sequence number %llu, which "
                                 "the log no longer holds (cut, replaced or restored from an "
                                 "older copy): nothing more is loaded. " FORGET_HINT,
                                 msg, (unsigned long long)s->committed_seq, s->source);
    }
    if (rc)
        return rc;
    const char *id = pinetl_streamlog_reader_log_id(s->reader);
    snprintf(s->log_id, sizeof s->log_id, "%s", id);
    if (s->committed_id[0] && strcmp(s->committed_id, id))
        return pinetl__error_set(
            PINETL_EFORMAT,
            "the log is not the one this warehouse read (log %.8s, the "
            "position at sequence number %llu is of log %.8s): the log or "
            "the landing folder was replaced; nothing loaded from it. " FORGET_HINT,
            *id ? id : "(none)", (unsigned long long)s->committed_seq, s->committed_id, s->source);
    if (s->committed_seq && s->committed_offset &&
        pinetl_streamlog_reader_offset(s->reader) != s->committed_offset)
        return pinetl__error_set(
            PINETL_EFORMAT,
            "the log does not match the committed position: record %llu "
            "ends at byte %llu, the position says %llu (the log was "
            "rewritten or restored from another copy); nothing loaded. " FORGET_HINT,
            (unsigned long long)s->committed_seq,
            (unsigned long long)pinetl_streamlog_reader_offset(s->reader),
            (unsigned long long)s->committed_offset, s->source);
    if (!s->committed_id[0] && s->committed_seq && *id)
        notice(c,
               "stream %s: its position was committed before logs had identities; it is tied to "
               "log %s from the next commit on",
               s->source, id);
    return PINETL_OK;
}

static int add_shard(pinetl_stream_consumer *c, const char *stream, const char *file, int table) {
    if (c->nshards == c->shards_cap) {
        size_t cap = c->shards_cap ? c->shards_cap * 2 : 8;
        shard *g = pinetl__realloc(c->shards, cap * sizeof *g);
        if (!g)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        c->shards = g;
        c->shards_cap = cap;
    }
    shard *s = &c->shards[c->nshards];
    memset(s, 0, sizeof *s);
    s->table = (pinetl_table)table;
    size_t flen = strlen(file) - 4; /* without ".log" */
    size_t plen = strlen(c->landing) + strlen(stream) + strlen(file) + 16;
    s->stream = pinetl__strdup(stream);
    s->shard = pinetl__strndup(file, flen);
    s->path = pinetl__malloc(plen);
    s->source = pinetl__malloc(strlen(stream) + flen + 2);
    if (!s->stream || !s->shard || !s->path || !s->source) {
        shard_free(s);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    snprintf(s->path, plen, "%s/streams/%s/%s", c->landing, stream, file);
    sprintf(s->source, "%s/%s", stream, s->shard);
    int rc = pinetl_warehouse_stream_position(&s->committed_seq, &s->committed_offset, c->wh,
                                              stream, s->shard);
    if (!rc)
        rc = pinetl_warehouse_stream_position_log(s->committed_id, sizeof s->committed_id, c->wh,
                                                  stream, s->shard);
    if (!rc)
        rc = shard_open_reader(c, s);
    if (rc) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", pinetl_error_last());
        shard_free(s);
        return pinetl__error_set(rc, "stream %s, %s: %s", stream, file, msg);
    }
    c->nshards++;
#ifdef __linux__
    watch(c, s->path, IN_MODIFY);
#endif
    return PINETL_OK;
}

/* Finds shard logs not seen yet. */
static int scan(pinetl_stream_consumer *c) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/streams", c->landing);
    char **streams;
    size_t nstreams;
    int rc = list_dir(dir, valid_name, &streams, &nstreams);
#ifdef __linux__
    /* New streams and shards wake a waiting consumer and are scanned at once. */
    watch(c, c->landing, IN_CREATE | IN_MOVED_TO);
    watch(c, dir, IN_CREATE | IN_MOVED_TO);
#endif
    for (size_t i = 0; !rc && i < nstreams; i++) {
        int table = stream_table(c, streams[i]);
        if (table < 0) {
            size_t k = 0;
            while (k < c->nignored && strcmp(c->ignored[k], streams[i]))
                k++;
            if (k == c->nignored) {
                char **g = pinetl__realloc(c->ignored, (c->nignored + 1) * sizeof *g);
                if (g && (g[c->nignored] = pinetl__strdup(streams[i]))) {
                    c->ignored = g;
                    c->nignored++;
                } else if (g) {
                    c->ignored = g;
                }
                notice(c,
                       "stream %s: no table (its name does not end in pin, geo or user, and "
                       "no mapping names it); not read",
                       streams[i]);
            }
            continue;
        }
        char sdir[4096 + 256];
        snprintf(sdir, sizeof sdir, "%s/%s", dir, streams[i]);
        char **files;
        size_t nfiles;
        rc = list_dir(sdir, is_shard_log, &files, &nfiles);
#ifdef __linux__
        watch(c, sdir, IN_CREATE | IN_MOVED_TO);
#endif
        for (size_t f = 0; !rc && f < nfiles; f++) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(strlen(files[f]) - 4), files[f]);
            if (!find_shard(c, streams[i], name))
                rc = add_shard(c, streams[i], files[f], table);
        }
        free_names(files, nfiles);
    }
    free_names(streams, nstreams);
    c->scanned = 1;
    c->last_scan_ms = mono_ms();
    return rc;
}

static void drop_open_batch(pinetl_stream_consumer *c) {
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        if (c->batch[t])
            pinetl_batch_clear(c->batch[t]);
    c->pending = 0;
    for (size_t i = 0; i < c->nshards; i++)
        c->shards[i].read_records = 0;
}

/* After a failed commit: back to the committed positions. */
static void rewind_shards(pinetl_stream_consumer *c) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", pinetl_error_last());
    drop_open_batch(c);
    for (size_t i = 0; i < c->nshards; i++) {
        shard *s = &c->shards[i];
        if (s->read_seq != s->committed_seq || s->read_offset != s->committed_offset || !s->reader)
            shard_open_reader(c, s);
    }
    c->nbad = 0;
    pinetl__error_set(PINETL_ERROR, "%s", msg);
}

/* The rejects of the damaged ranges skipped in the open micro-batch: one per sequence number a
 * range hid (a range that hid none is only a notice). Returns how many. */
static int reject_bad_ranges(pinetl_stream_consumer *c, int64_t *n) {
    *n = 0;
    for (size_t i = 0; i < c->nbad; i++) {
        const shard *s = &c->shards[c->bad[i].shard];
        const pinetl_streamlog_bad_range *b = &c->bad[i].range;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "bytes %llu..%llu of the log are damaged (%s): the record is lost; the server "
                 "keeps a copy of the bytes beside the log (%s.quarantine.*) when it reopens it",
                 (unsigned long long)b->offset, (unsigned long long)(b->offset + b->length),
                 b->reason ? b->reason : "invalid", s->shard);
        for (uint64_t seq = b->first_seq; seq <= b->last_seq && seq; seq++) {
            int rc = pinetl__warehouse_stream_reject(c->wh, pinetl_table_name(s->table), s->source,
                                                     (int64_t)seq, (int64_t)b->offset,
                                                     "quarantined", msg);
            if (rc)
                return rc;
            (*n)++;
        }
    }
    return PINETL_OK;
}

static int commit(pinetl_stream_consumer *c) {
    if (!c->pending && !c->nbad)
        return PINETL_DONE;
    pinetl_stream_position *pos = pinetl__calloc(c->nshards, sizeof *pos);
    if (!pos)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    size_t npos = 0;
    int rc = PINETL_OK;
    for (size_t i = 0; !rc && i < c->nshards; i++) {
        shard *s = &c->shards[i];
        if (s->read_seq == s->committed_seq && s->read_offset == s->committed_offset)
            continue;
        rc = pinetl_streamlog_reader_sync(s->reader);
        pos[npos].stream = s->stream;
        pos[npos].shard = s->shard;
        pos[npos].seq = s->read_seq;
        pos[npos].offset = s->read_offset;
        pos[npos].log_id = s->log_id;
        npos++;
    }
    int64_t rejects = 0, quarantined = 0;
    if (!rc)
        rc = pinetl_warehouse_begin_stream(c->wh);
    for (int t = 0; !rc && t < PINETL_TABLE_COUNT; t++)
        if (c->batch[t] && pinetl_batch_rows(c->batch[t])) {
            rc = pinetl_warehouse_load(c->wh, c->batch[t]);
            rejects += (int64_t)pinetl_batch_rejected(c->batch[t]);
        }
    if (!rc)
        rc = reject_bad_ranges(c, &quarantined);
    if (!rc)
        rc = pinetl_warehouse_commit_positions(c->wh, pos, npos);
    pinetl__free(pos);
    if (rc) {
        int code = rc;
        rewind_shards(c);
        return code;
    }
    int64_t now = real_us(), newest = c->pending ? INT64_MIN : now;
    for (size_t i = 0; i < c->pending; i++) {
        pinetl__latency_add(&c->latency, now - c->arrivals[i]);
        if (c->arrivals[i] > newest)
            newest = c->arrivals[i];
    }
    c->last_latency_us = now - newest;
    for (size_t i = 0; i < c->nshards; i++) {
        c->shards[i].committed_records += c->shards[i].read_records;
        c->shards[i].committed_seq = c->shards[i].read_seq;
        c->shards[i].committed_offset = c->shards[i].read_offset;
        if (c->shards[i].committed_seq)
            memcpy(c->shards[i].committed_id, c->shards[i].log_id, sizeof c->shards[i].log_id);
    }
    c->batches++;
    c->records += (int64_t)c->pending + quarantined;
    c->rejects += rejects + quarantined;
    c->nbad = 0;
    drop_open_batch(c);
    return PINETL_BATCH;
}

/* A log whose end does not form a record for long (a torn or corrupt tail, left by a writer that
 * has not reopened the log) is worth a notice: the consumer waits there. */
static void check_stuck(pinetl_stream_consumer *c, shard *s) {
    uint64_t behind = 0;
    if (pinetl_streamlog_reader_behind(&behind, s->reader) || !behind) {
        s->stuck_since_ms = 0;
        return;
    }
    uint64_t at = pinetl_streamlog_reader_offset(s->reader);
    int64_t now = mono_ms();
    if (!s->stuck_since_ms || s->stuck_offset != at) {
        s->stuck_offset = at;
        s->stuck_since_ms = now;
        s->stuck_noticed = 0;
    } else if (!s->stuck_noticed && now - s->stuck_since_ms >= c->opt.stuck_notice_ms) {
        s->stuck_noticed = 1;
        notice(c,
               "stream %s: the %llu bytes after sequence number %llu (byte %llu) are no valid "
               "record: a torn write or damage at the end of the log, not loaded. pinetl serve "
               "quarantines and cuts them when it reopens the log (a restart); waiting there",
               s->source, (unsigned long long)behind,
               (unsigned long long)pinetl_streamlog_reader_seq(s->reader), (unsigned long long)at);
    }
}

/* A log deleted or replaced while read stops the consumer: what was read from it is committed
 * first (those bytes are gone with the file once it is closed). */
static int check_log_still_there(pinetl_stream_consumer *c, shard *s) {
    int rc = pinetl_streamlog_reader_verify(s->reader);
    if (rc == PINETL_OK)
        return PINETL_OK;
    char msg[600];
    snprintf(msg, sizeof msg, "%s", pinetl_error_last());
    int done = commit(c);
    if (done < 0)
        return done;
    return pinetl__error_set(rc,
                             "stream %s: %s. Everything read from it (to sequence number %llu) "
                             "is committed. A new log there is another log, refused until "
                             "told. " FORGET_HINT,
                             s->source, msg, (unsigned long long)s->committed_seq, s->source);
}

/* Notes a damaged range the reader skipped: its sequence numbers become rejects at the commit. */
static int take_bad_range(pinetl_stream_consumer *c, shard *s) {
    if (pinetl__alloc_reserve(&c->bad, &c->bad_cap, c->nbad + 1, sizeof *c->bad, 4))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    bad_range *b = &c->bad[c->nbad++];
    b->shard = (size_t)(s - c->shards);
    pinetl_streamlog_reader_bad_range(&b->range, s->reader);
    if (!c->pending && c->nbad == 1)
        c->batch_start_ms = mono_ms();
    s->read_seq = pinetl_streamlog_reader_seq(s->reader);
    s->read_offset = pinetl_streamlog_reader_offset(s->reader);
    const pinetl_streamlog_bad_range *r = &b->range;
    if (r->last_seq >= r->first_seq)
        notice(c,
               "stream %s: bytes %llu..%llu of the log are damaged (%s) and skipped: sequence "
               "numbers %llu..%llu go to rejects (reason quarantined)",
               s->source, (unsigned long long)r->offset,
               (unsigned long long)(r->offset + r->length), r->reason,
               (unsigned long long)r->first_seq, (unsigned long long)r->last_seq);
    else
        notice(c,
               "stream %s: bytes %llu..%llu of the log are damaged (%s) and skipped; they held "
               "no record",
               s->source, (unsigned long long)r->offset,
               (unsigned long long)(r->offset + r->length), r->reason);
    return PINETL_OK;
}

/* Reads up to the micro-batch's free room; sets c->drained when every log is at its end. */
static int read_some(pinetl_stream_consumer *c) {
    int drained = 1;
    size_t n = c->nshards;
    for (size_t k = 0; k < n; k++) {
        shard *s = &c->shards[(c->next_shard + k) % n];
        if (c->pending >= c->opt.batch_records) {
            drained = 0;
            break;
        }
        pinetl_batch **b = &c->batch[s->table];
        if (!*b && pinetl_batch_new(b, s->table))
            return PINETL_ENOMEM;
        pinetl_clean_options co;
        pinetl_clean_options_init(&co, PINETL_CLEAN_OPTIONS_VERSION);
        co.source = s->source;
        for (;;) {
            if (c->pending >= c->opt.batch_records) {
                drained = 0;
                break;
            }
            pinetl_streamlog_record rec;
            int rc = pinetl_streamlog_reader_next(&rec, s->reader);
            if (rc == PINETL_DONE) {
                if ((rc = check_log_still_there(c, s)) != PINETL_OK)
                    return rc;
                check_stuck(c, s);
                break;
            }
            if (rc == PINETL_STREAMLOG_SKIPPED) {
                if ((rc = take_bad_range(c, s)) != PINETL_OK)
                    return rc;
                continue;
            }
            if (rc != PINETL_BATCH) {
                char msg[600];
                snprintf(msg, sizeof msg, "%s", pinetl_error_last());
                rewind_shards(c);
                return pinetl__error_set(rc, "stream %s: %s", s->source, msg);
            }
            if (c->pending == c->arrivals_cap) {
                size_t cap = c->arrivals_cap ? c->arrivals_cap * 2 : 1024;
                int64_t *g = pinetl__realloc(c->arrivals, cap * sizeof *g);
                if (!g)
                    return pinetl__error_set(PINETL_ENOMEM, "out of memory");
                c->arrivals = g;
                c->arrivals_cap = cap;
            }
            int64_t offs[2] = {0, (int64_t)rec.data_len};
            co.first_line = (int64_t)rec.seq;
            co.first_offset = (int64_t)rec.offset;
            rc = pinetl_batch_clean_records(*b, rec.data_len ? rec.data : "", offs, 1, &co);
            if (rc) {
                rewind_shards(c);
                return rc;
            }
            if (!c->pending)
                c->batch_start_ms = mono_ms();
            c->arrivals[c->pending++] = rec.arrival_us;
            s->read_records++;
            s->read_seq = rec.seq;
            s->read_offset = pinetl_streamlog_reader_offset(s->reader);
        }
    }
    c->next_shard = n ? (c->next_shard + 1) % n : 0;
    c->drained = drained;
    return PINETL_OK;
}

int pinetl_stream_consumer_poll(pinetl_stream_consumer *c) {
    if (!c)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_poll: NULL argument");
    int rc;
    if (!c->scanned || c->rescan_now || mono_ms() - c->last_scan_ms >= c->opt.rescan_ms) {
        c->rescan_now = 0;
        if ((rc = scan(c)))
            return rc;
    }
    if ((rc = read_some(c)))
        return rc;
    if ((c->pending || c->nbad) &&
        (c->pending >= c->opt.batch_records || mono_ms() - c->batch_start_ms >= c->opt.batch_ms))
        return commit(c);
    return PINETL_DONE;
}

int pinetl_stream_consumer_flush(pinetl_stream_consumer *c) {
    if (!c)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_flush: NULL argument");
    return commit(c);
}

int pinetl_stream_consumer_wait_ms(const pinetl_stream_consumer *c, int max_ms) {
    if (!c || (!c->pending && !c->nbad))
        return max_ms;
    int64_t left = c->opt.batch_ms - (mono_ms() - c->batch_start_ms);
    if (left < 0)
        left = 0;
    return left < max_ms ? (int)left : max_ms;
}

int pinetl_stream_consumer_wait(pinetl_stream_consumer *c, int max_ms) {
    if (!c)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_wait: NULL argument");
    if (max_ms < 0)
        max_ms = 0;
    if (c->ino_fd < 0) {
        struct timespec ts = {max_ms / 1000, (long)(max_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return 0;
    }
    struct pollfd p = {c->ino_fd, POLLIN, 0};
    int woke = poll(&p, 1, max_ms) > 0;
#ifdef __linux__
    /* Take every pending event; a new folder entry asks for a scan. */
    _Alignas(struct inotify_event) char buf[4096];
    ssize_t n;
    while ((n = read(c->ino_fd, buf, sizeof buf)) > 0) {
        for (char *at = buf; at < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)(void *)at;
            if (e->mask & (IN_CREATE | IN_MOVED_TO | IN_Q_OVERFLOW))
                c->rescan_now = 1;
            at += sizeof *e + e->len;
        }
    }
#endif
    return woke;
}

int pinetl_stream_consumer_status(pinetl_stream_status *out, pinetl_stream_consumer *c) {
    if (!c || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_status: NULL argument");
    memset(out, 0, sizeof *out);
    out->shards = (int64_t)c->nshards;
    out->batches = c->batches;
    out->records = c->records;
    out->rejects = c->rejects;
    out->pending = (int64_t)c->pending;
    out->drained = c->drained;
    out->last_latency_us = c->last_latency_us;
    out->latency_p50_us = pinetl__latency_quantile(&c->latency, 0.50);
    out->latency_p99_us = pinetl__latency_quantile(&c->latency, 0.99);
    out->latency_max_us = c->latency.max;
    for (size_t i = 0; i < c->nshards; i++) {
        shard *s = &c->shards[i];
        uint64_t ahead = 0;
        if (s->reader && pinetl_streamlog_reader_behind(&ahead, s->reader) == PINETL_OK)
            out->behind_bytes += (int64_t)(ahead + (s->read_offset - s->committed_offset));
    }
    return PINETL_OK;
}

int pinetl_stream_consumer_shard_status(pinetl_stream_shard_status *out, pinetl_stream_consumer *c,
                                        int64_t index) {
    if (!c || !out || index < 0 || (uint64_t)index >= c->nshards)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stream_consumer_shard_status: %s",
                                 c && out ? "no such shard" : "NULL argument");
    const shard *s = &c->shards[index];
    uint64_t ahead = 0;
    if (s->reader)
        pinetl_streamlog_reader_behind(&ahead, s->reader);
    out->stream = s->stream;
    out->shard = s->shard;
    out->records = s->committed_records;
    out->lag_records = s->read_records;
    out->lag_bytes = (int64_t)(ahead + (s->read_offset - s->committed_offset));
    return PINETL_OK;
}

char *pinetl_stream_consumer_notices(pinetl_stream_consumer *c) {
    if (!c || !c->notices)
        return NULL;
    char *n = c->notices;
    c->notices = NULL;
    c->notices_len = 0;
    return n;
}

void pinetl_stream_consumer_free(pinetl_stream_consumer *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->nshards; i++)
        shard_free(&c->shards[i]);
    pinetl__free(c->shards);
    for (size_t i = 0; i < c->nmaps; i++)
        pinetl__free(c->maps[i].stream);
    pinetl__free(c->maps);
    free_names(c->ignored, c->nignored);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        pinetl_batch_free(c->batch[t]);
    pinetl__free(c->arrivals);
    pinetl__free(c->bad);
    pinetl__free(c->notices);
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    pinetl__free(c->landing);
    if (c->ino_fd >= 0)
        close(c->ino_fd);
    pinetl__free(c);
}
