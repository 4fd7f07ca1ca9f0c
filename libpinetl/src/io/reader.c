/* The streaming reader. One producer thread reads inputs block by block and splits them into
 * jobs (bytes copied out of the read buffer plus the items that point into them); `threads`
 * workers clean (and render) jobs into batches; pinetl_reader_step hands batches out strictly in
 * job order. Jobs live in a fixed ring of slots, so memory stays bounded whatever the input size
 * and the core count (slot_count): the producer waits for a free slot, workers for a filled one,
 * the consumer for the next done one (mutex + condition variables, no polling). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pinetl/reader.h>

#include "core/direct.h"
#include "core/text_views.h"
#include "batch_room.h"
#include "mapping.h"
#include "reader_dict.h"
#include "s3/s3.h"
#include "s3sink/list.h"
#include "split.h"
#include "util/error.h"
#include "util/alloc.h"

#define DEFAULT_BATCH_BYTES ((size_t)1 << 20)
#define MAX_MAPPED_SPAN ((size_t)1 << 30)
enum { MAX_THREADS = 64 };

/* Peak memory must not grow with the core count (issue #5: pinetl clean within 64 MB). A slot
 * holds one job's input (~batch_bytes) and its batch (cleaned columns and rendered text, about
 * twice that), so the ring gets as many slots as SLOT_BUDGET allows, within MIN_SLOTS..MAX_SLOTS,
 * and no more workers than slots - 1 (one slot is the batch the consumer holds). */
#define SLOT_BUDGET ((size_t)48 << 20)
enum { SLOT_COST = 3, MIN_SLOTS = 3, MAX_SLOTS = 16 };

static size_t slot_count(int workers, size_t batch_bytes) {
    size_t fit = SLOT_BUDGET / SLOT_COST / batch_bytes;
    if (fit > MAX_SLOTS)
        fit = MAX_SLOTS;
    if (fit < MIN_SLOTS)
        fit = MIN_SLOTS;
    size_t want = 2 * (size_t)workers + 1; /* two jobs per worker keep them all busy */
    return want < fit ? want : fit;
}

typedef struct job_item {
    int kind, code, format;
    size_t off, len;    /* bytes in the job's data */
    const char *mapped; /* or, when not NULL, the len bytes there in the job's mapping */
    int64_t line, offset;
    size_t msg;         /* in the job's msgs; SIZE_MAX when none */
    const char *source; /* an input path, owned by the reader */
} job_item;

typedef struct job {
    char *data;
    size_t len, cap;
    size_t bytes;        /* of all items, copied or mapped */
    io_mapping *mapping; /* a reference, when items point into a mapped input */
    const char *lo, *hi; /* the mapped bytes the items cover */
    job_item *items;
    size_t n, items_cap;
    char *msgs;
    size_t mlen, mcap;
} job;

enum { SLOT_FREE, SLOT_FILLED, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
    int state;
    uint64_t seq;
    job job;
    pinetl_batch *batch;
    rd_out dict_out[PINETL_MAX_COLUMNS]; /* the columns of opt.dict_columns */
    int rc;
    char err[512];
} slot;

typedef struct input {
    char *path; /* "-" for standard input */
    int format; /* how its content is split */
    int fd;     /* kept open from the check when not a regular file, else -1 */
} input;

struct pinetl_reader {
    pinetl_table table;
    pinetl_reader_options opt;
    input *inputs;
    size_t ninputs;

    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_work, cv_done;
    slot *slots;
    size_t nslots;
    uint64_t fill_seq, work_seq, out_seq;
    slot *handed; /* the batch the consumer holds */
    int producer_done, producer_rc, stop;
    char producer_err[512];

    pthread_t producer;
    pthread_t *workers;
    int nworkers, producer_started, sync_ready, worker_ids;
    int wake[2]; /* written on free: wakes a producer blocked on a pipe */

    /* Producer-only state. */
    job building;
    io_mapping *mapping; /* the input being split in place (text views), or NULL */
    char *stage;
    size_t stage_cap;

    pinetl_stats stats;
    pinetl__buf notices;
    pinetl__s3 *s3; /* the client of s3:// inputs, made for the first one */
    /* Rendered batches go one pass (core/direct.h): no columns. PINETL_ONE_PASS=0 in the
     * environment keeps the columnar path (the A/B of docs/performance.md). */
    int one_pass;
};

int pinetl_reader_options_init(pinetl_reader_options *o, unsigned version) {
    if (!o || version != PINETL_READER_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_options_init: %s",
                                 o ? "unknown version" : "NULL options");
    memset(o, 0, sizeof *o);
    o->version = version;
    o->input_format = PINETL_INPUT_AUTO;
    return PINETL_OK;
}

static void job_free(job *j) {
    pinetl__io_mapping_release(j->mapping);
    pinetl__free(j->data);
    pinetl__free(j->items);
    pinetl__free(j->msgs);
    memset(j, 0, sizeof *j);
}

static void job_clear(job *j, size_t keep) {
    j->len = j->n = j->mlen = j->bytes = 0;
    pinetl__io_mapping_release(j->mapping);
    j->mapping = NULL;
    j->lo = j->hi = NULL;
    if (j->cap > keep) { /* give back what one oversized value needed */
        pinetl__free(j->data);
        j->data = NULL;
        j->cap = 0;
    }
}

static int reserve(char **p, size_t *cap, size_t need) {
    return pinetl__alloc_reserve(p, cap, need, 1, 4096);
}

static int submit(pinetl_reader *r);

/* An emit result that is not an error: the reader is being freed. */
#define READER_STOPPED (-1000)

/* JSON lines fast path: a run of lines at the start of the read buffer, for an empty job, needs
 * no copy: the read buffer becomes the job's data and the job's old buffer becomes the read
 * buffer (read_input carries the unsplit tail over). Nothing writes the adopted buffer until a
 * worker is done with it and it comes back to the producer through submit. */
static int adopt_stage(pinetl_reader *r, const io_item *it) {
    job *j = &r->building;
    if (j->n || it->kind != IO_ITEM_LINES || it->p != r->stage || it->len >= r->stage_cap)
        return 0;
    char *data = j->data;
    size_t cap = j->cap;
    j->data = r->stage;
    j->cap = r->stage_cap;
    r->stage = data;
    r->stage_cap = cap;
    return 1;
}

/* Producer side of the split: items and their bytes are copied into the job being built; a full
 * job is handed on first, so a batch stays near batch_bytes even when one read holds many. */
static int emit_to_job(void *ud, const io_item *it) {
    pinetl_reader *r = ud;
    job *j = &r->building;
    const char *map = r->mapping ? pinetl__io_mapping_data(r->mapping) : NULL;
    const char *mapped =
        map && it->len && it->p >= map &&
                (size_t)(it->p - map) + it->len <= pinetl__io_mapping_size(r->mapping)
            ? it->p
            : NULL;
    /* A job points into one mapping (one region of its batch), and a view's offset is 32 bits:
     * its mapped bytes stay well below 2 GiB. */
    const char *lo = mapped && j->lo && j->lo < mapped ? j->lo : mapped;
    if (mapped && ((j->mapping && j->mapping != r->mapping) ||
                   (size_t)(mapped + it->len - lo) >= MAX_MAPPED_SPAN)) {
        if (j->n && submit(r) != 0)
            return READER_STOPPED;
        if (it->len >= MAX_MAPPED_SPAN)
            mapped = NULL; /* copied: no view can point past 2 GiB */
    }
    if (j->n && j->bytes + it->len > r->opt.batch_bytes && submit(r) != 0)
        return READER_STOPPED;
    int adopted = !mapped && adopt_stage(r, it);
    if (!adopted && !mapped && reserve(&j->data, &j->cap, j->len + it->len + 1))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", it->source);
    if (j->n == j->items_cap) {
        size_t cap = j->items_cap ? j->items_cap * 2 : 64;
        job_item *p = pinetl__realloc(j->items, cap * sizeof *p);
        if (!p)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", it->source);
        j->items = p;
        j->items_cap = cap;
    }
    size_t msg = SIZE_MAX;
    if (it->msg) {
        size_t ml = strlen(it->msg) + 1;
        if (reserve(&j->msgs, &j->mcap, j->mlen + ml))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", it->source);
        memcpy(j->msgs + j->mlen, it->msg, ml);
        msg = j->mlen;
        j->mlen += ml;
    }
    if (mapped) {
        if (!j->mapping) {
            pinetl__io_mapping_retain(r->mapping);
            j->mapping = r->mapping;
        }
        if (!j->lo || mapped < j->lo)
            j->lo = mapped;
        if (!j->hi || mapped + it->len > j->hi)
            j->hi = mapped + it->len;
    } else if (it->len && !adopted) {
        memcpy(j->data + j->len, it->p, it->len);
    }
    j->items[j->n++] = (job_item){it->kind, it->code, it->format, j->len, it->len,
                                  mapped,   it->line, it->offset, msg,    it->source};
    if (!mapped)
        j->len += it->len;
    j->bytes += it->len;
    return PINETL_OK;
}

/* Hands the job being built to the next slot (waiting for one to be free); its buffers are
 * swapped with the slot's old ones, which the producer reuses. Returns 0, or 1 when stopping. */
static int submit(pinetl_reader *r) {
    pthread_mutex_lock(&r->mu);
    slot *s = &r->slots[r->fill_seq % r->nslots];
    while (s->state != SLOT_FREE && !r->stop)
        pthread_cond_wait(&r->cv_free, &r->mu);
    if (r->stop) {
        pthread_mutex_unlock(&r->mu);
        return 1;
    }
    job old = s->job;
    s->job = r->building;
    r->building = old;
    s->seq = r->fill_seq++;
    s->state = SLOT_FILLED;
    pthread_cond_signal(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    job_clear(&r->building, 4 * r->opt.batch_bytes);
    return 0;
}

static int stopping(pinetl_reader *r) {
    pthread_mutex_lock(&r->mu);
    int s = r->stop;
    pthread_mutex_unlock(&r->mu);
    return s;
}

/* A mapped input through the splitter, in place: its records are never copied, and batches
 * point into the mapping (text views). Takes over the caller's reference. The windows grow as
 * read_input's reads do, so jobs stay near batch_bytes and a large value is rescanned O(1)
 * times. 0, 1 when stopping, or a negative code. */
static int split_mapped(pinetl_reader *r, io_split *sp, io_mapping *m) {
    const char *data = pinetl__io_mapping_data(m);
    size_t size = pinetl__io_mapping_size(m), block = r->opt.batch_bytes, pos = 0, want = block;
    int rc = 0, more = 0;
    r->mapping = m;
    for (;;) {
        size_t len = want < size - pos ? want : size - pos;
        int eof = pos + len == size;
        long used = pinetl__io_split_run(sp, data + pos, len, eof, &more);
        if (used < 0) {
            rc = used == READER_STOPPED ? 1 : (int)used;
            break;
        }
        pos += (size_t)used;
        len -= (size_t)used;
        if (r->building.bytes >= block && (rc = submit(r)) != 0)
            break;
        if (eof)
            break;
        if (stopping(r)) {
            rc = 1;
            break;
        }
        want = more ? len + (len > block ? len : block) : len + block;
    }
    /* Jobs not yet handed on hold their own references. */
    r->mapping = NULL;
    pinetl__io_mapping_release(m);
    return rc;
}

/* Reads one input through the splitter. 0, 1 when stopping, or a negative code. */
static int read_input(pinetl_reader *r, input *in) {
    int is_stdin = !strcmp(in->path, "-");
    /* An s3:// object streams in through a socket, fetched by a thread (s3/get.c). */
    pinetl__s3_get *get = NULL;
    int fd = -1;
    if (pinetl__s3_is_uri(in->path)) {
        int grc = pinetl__s3_get_start(&get, &fd, r->s3, in->path);
        if (grc)
            return grc;
    }
    /* A FIFO or device is read through the descriptor its check opened: opening it a second
     * time could block forever once its writer has gone. */
    if (!get)
        fd = is_stdin ? STDIN_FILENO : in->fd >= 0 ? in->fd : open(in->path, O_RDONLY | O_CLOEXEC);
    in->fd = -1;
    if (fd < 0)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                 "cannot open '%s': %s", in->path, strerror(errno));
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    io_split sp;
    pinetl__io_split_init(&sp, in->path, in->format, r->opt.max_record_bytes, 1, 0, emit_to_job, r);
    /* Mapped, not read: text views point into the mapping; the one-pass render copies each
     * record's bytes once, from the mapping to the output (no read() copy in between); a read
     * whose batches go to the caller (Arrow, pandas, load) copies texts from the mapping into
     * its columns (read() would copy every byte once more, ~5% of pinetl.read_json's CPU). A job
     * points into one mapping, so there only a file of a batch or more is mapped: the small
     * objects of an S3 sink folder are read and share batches, not one batch each. */
    int caller = regular && !r->opt.render_format && (size_t)st.st_size >= r->opt.batch_bytes;
    if ((r->opt.text_views || r->one_pass || caller) && regular && st.st_size > 0) {
        io_mapping *m = pinetl__io_mapping_open(fd, (size_t)st.st_size);
        if (m) {
            if (!r->opt.text_views) /* read once, dropped as cleaned (clean_job) */
                pinetl__io_mapping_sequential(m);
            if (!is_stdin)
                close(fd);
            return split_mapped(r, &sp, m);
        }
    }
    size_t block = r->opt.batch_bytes, len = 0, want = block;
    int eof = 0, rc = 0, more = 0;
    for (;;) {
        if (want > r->stage_cap && reserve(&r->stage, &r->stage_cap, want)) {
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", in->path);
            break;
        }
        while (!eof && len < want) {
            if (!regular) {
                /* A pipe may stay silent: wait for it or for pinetl_reader_free, not forever. */
                struct pollfd pf[2] = {{fd, POLLIN, 0}, {r->wake[0], POLLIN, 0}};
                if (poll(pf, 2, -1) < 0 && errno != EINTR) {
                    rc = pinetl__error_set(PINETL_EIO, "error reading '%s': %s", in->path,
                                           strerror(errno));
                    break;
                }
                if (pf[1].revents) {
                    rc = 1;
                    break;
                }
            }
            ssize_t n = read(fd, r->stage + len, want - len);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n < 0) {
                rc = pinetl__error_set(PINETL_EIO, "error reading '%s': %s", in->path,
                                       strerror(errno));
                break;
            }
            if (n == 0)
                eof = 1;
            if (n == 0 && get) { /* the end of the object, or of a fetch that failed */
                rc = pinetl__s3_get_finish(get);
                get = NULL;
                if (rc)
                    break;
            }
            len += (size_t)n;
        }
        if (rc)
            break;
        const char *buf = r->stage;
        long used = pinetl__io_split_run(&sp, buf, len, eof, &more);
        if (used < 0) {
            rc = used == READER_STOPPED ? 1 : (int)used;
            break;
        }
        len -= (size_t)used;
        if (buf == r->stage) {
            memmove(r->stage, r->stage + used, len);
        } else if (len) { /* the buffer went to a job (adopt_stage): the tail moves over */
            if (reserve(&r->stage, &r->stage_cap, len)) {
                rc = pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", in->path);
                break;
            }
            memcpy(r->stage, buf + used, len);
        }
        if (r->building.bytes >= block && (rc = submit(r)) != 0)
            break;
        if (eof)
            break;
        if (stopping(r)) {
            rc = 1;
            break;
        }
        /* More for the same value: grow geometrically, so a large value is rescanned O(1) times. */
        want = more ? len + (len > block ? len : block) : len + block;
    }
    if (!is_stdin)
        close(fd);
    pinetl__s3_get_cancel(get); /* stopped early: the closed socket ends the fetch */
    if (r->stage_cap > 4 * block) {
        pinetl__free(r->stage);
        r->stage = NULL;
        r->stage_cap = 0;
    }
    return rc;
}

static void *producer_main(void *arg) {
    pinetl_reader *r = arg;
    int rc = 0;
    for (size_t i = 0; i < r->ninputs && rc == 0; i++)
        rc = read_input(r, &r->inputs[i]);
    if (rc == 0 && r->building.n)
        rc = submit(r);
    pthread_mutex_lock(&r->mu);
    r->producer_done = 1;
    if (rc < 0) {
        r->producer_rc = rc;
        snprintf(r->producer_err, sizeof r->producer_err, "%s", pinetl_error_last());
    }
    pthread_cond_broadcast(&r->cv_work);
    pthread_cond_broadcast(&r->cv_done);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static int clean_job(pinetl_reader *r, slot *s, io_ctx *ctx) {
    pinetl_batch_clear(s->batch);
    if (r->one_pass && r->opt.render_header && s->seq == 0) {
        int rc = pinetl__batch_direct_header(s->batch);
        if (rc)
            return rc;
    }
    ctx->batch = s->batch;
    job *j = &s->job;
    if (j->mapping &&
        r->opt.text_views) { /* the batch's own reference: its views outlive the job */
        pinetl__io_mapping_retain(j->mapping);
        int rc = pinetl__batch_add_region(s->batch, j->lo, (size_t)(j->hi - j->lo), j->mapping,
                                          pinetl__io_mapping_release);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < j->n; i++) {
        const job_item *ji = &j->items[i];
        io_item it = {
            ji->kind,  ji->code,   ji->mapped ? ji->mapped : j->data + ji->off,    ji->len,
            ji->line,  ji->offset, ji->msg == SIZE_MAX ? NULL : j->msgs + ji->msg, ji->source,
            ji->format};
        int rc = pinetl__io_item_run(ctx, &it);
        if (rc)
            return rc;
    }
    /* Without text views the batch holds no pointer into the input, so its mapped pages can go
     * (views keep the mapping, as a region of the batch). */
    if (!r->opt.text_views && j->mapping)
        pinetl__io_mapping_done(j->mapping, j->lo, (size_t)(j->hi - j->lo));
    if (r->opt.render_format) {
        const char *out;
        size_t len;
        return pinetl_batch_render(&out, &len, s->batch, r->opt.render_format,
                                   r->opt.render_header && s->seq == 0);
    }
    return PINETL_OK;
}

static void *worker_main(void *arg) {
    pinetl_reader *r = arg;
    io_ctx ctx;
    pinetl__io_ctx_init(&ctx, NULL, PINETL_INPUT_AUTO, r->opt.max_record_bytes);
    rd_worker dicts;
    memset(&dicts, 0, sizeof dicts);
    pthread_mutex_lock(&r->mu);
    dicts.id = r->worker_ids++;
    for (;;) {
        slot *s = &r->slots[r->work_seq % r->nslots];
        if (r->stop)
            break;
        if (s->state == SLOT_FILLED && s->seq == r->work_seq) {
            r->work_seq++;
            s->state = SLOT_BUSY;
            pthread_mutex_unlock(&r->mu);
            int rc = clean_job(r, s, &ctx);
            if (rc == 0 && r->opt.dict_columns)
                rc = pinetl__rdict_encode(&dicts, r->opt.dict_columns, s->batch, s->dict_out);
            s->err[0] = '\0';
            if (rc)
                snprintf(s->err, sizeof s->err, "%s", pinetl_error_last());
            pthread_mutex_lock(&r->mu);
            s->rc = rc;
            s->state = SLOT_DONE;
            pthread_cond_broadcast(&r->cv_done);
            continue;
        }
        if (r->producer_done && r->work_seq == r->fill_seq)
            break;
        pthread_cond_wait(&r->cv_work, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    pinetl__io_ctx_release(&ctx);
    pinetl__rdict_worker_release(&dicts);
    return NULL;
}

/* A batch as the reader's options want it: selected columns, text views. */
static int new_batch(pinetl_batch **out, const pinetl_reader *r) {
    pinetl_batch *b;
    int rc = pinetl_batch_new(&b, r->table);
    if (rc == 0)
        rc = pinetl_batch_select_columns(b, r->opt.columns);
    if (rc == 0 && r->opt.text_views)
        rc = pinetl__batch_use_views(b);
    if (rc == 0 && r->one_pass)
        rc = pinetl__batch_use_direct(b, r->opt.render_format);
    if (rc) {
        pinetl_batch_free(b);
        return rc;
    }
    *out = b;
    return PINETL_OK;
}

/* Adds an input; takes ownership of fd (-1 for none), closing it on failure. */
static int add_input(pinetl_reader *r, const char *path, int format, int fd) {
    input *p = pinetl__realloc(r->inputs, (r->ninputs + 1) * sizeof *p);
    if (!p) {
        if (fd >= 0)
            close(fd);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening inputs");
    }
    r->inputs = p;
    if (!(p[r->ninputs].path = pinetl__strdup(path))) {
        if (fd >= 0)
            close(fd);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening inputs");
    }
    p[r->ninputs].fd = fd;
    p[r->ninputs++].format = format;
    return PINETL_OK;
}

/* Checks now that the file opens, so that a run fails before it writes anything. A regular file
 * is closed again (an S3 sink folder may hold more objects than a process may keep open); any
 * other kind is kept open in *fd_out, since a FIFO's writer may be gone by a second open. */
static int check_readable(const char *path, int *fd_out) {
    *fd_out = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                 "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        close(fd);
    else
        *fd_out = fd;
    return PINETL_OK;
}

/* The objects an s3:// URI names: the object itself when it is one, else the S3 sink objects
 * below it (as a folder of that name is read: s3sink/list.c). */
static int expand_s3(pinetl_reader *r, const char *uri, int content, int sink_only) {
    char *bucket = NULL, *key = NULL, *dir = NULL;
    pinetl__strlist keys = {0};
    pinetl__strlist objs = {0};
    int rc = r->s3 ? PINETL_OK : pinetl__s3_open(&r->s3);
    if (rc && rc != PINETL_ENOMEM)
        rc = pinetl__error_set(rc, "reading '%s': %s", uri, pinetl_error_last());
    if (!rc)
        rc = pinetl__s3_uri_split(&bucket, &key, uri);
    if (!rc && !(dir = pinetl__strdup(uri)))
        rc = pinetl__error_set(PINETL_ENOMEM, "out of memory opening inputs");
    /* A trailing '/' names a folder, as for a local path; the URI's own slashes are kept. */
    size_t klen = key ? strlen(key) : 0, dlen = dir ? strlen(dir) : 0;
    int folder = !rc && dlen && dir[dlen - 1] == '/';
    while (!rc && klen && key[klen - 1] == '/')
        key[--klen] = '\0';
    while (!rc && dlen > sizeof "s3://" && dir[dlen - 1] == '/')
        dir[--dlen] = '\0';
    if (!rc)
        rc = pinetl__s3_list(&keys, r->s3, bucket, key, uri);
    /* Keys below the folder, relative to it; the object itself when one is named exactly. */
    size_t below = 0, exact = 0;
    for (size_t i = 0; !rc && i < keys.n; i++) {
        const char *k = keys.items[i];
        if (klen && !strcmp(k, key))
            exact = 1;
        else if (!klen || (!strncmp(k, key, klen) && k[klen] == '/')) {
            keys.items[i] = keys.items[below]; /* a stable partition: the listing's order kept */
            keys.items[below++] = (char *)k;
        }
    }
    if (!rc && exact && !sink_only && !folder) {
        rc = add_input(r, uri, content, -1);
    } else if (!rc && exact && !below) {
        rc = pinetl__error_set(PINETL_EFORMAT,
                               "'%s' is an object, not a folder (%s reads a Kafka Connect S3 sink "
                               "folder)",
                               uri, folder ? "a trailing '/'" : "--input-format s3-sink");
    } else if (!rc && !below) {
        rc = pinetl__error_set(PINETL_ENOTFOUND, "'%s': no such object or prefix in bucket '%s'",
                               uri, bucket);
    } else if (!rc) {
        char **rel = pinetl__malloc(below * sizeof *rel);
        if (!rel)
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory opening inputs");
        for (size_t i = 0; !rc && i < below; i++)
            rel[i] = keys.items[i] + (klen ? klen + 1 : 0);
        if (!rc)
            rc = pinetl__s3sink_list_keys(dir, (const char *const *)rel, below, r->table, 1, &objs,
                                          &r->notices);
        pinetl__free(rel);
        for (size_t k = 0; k < objs.n && rc == PINETL_OK; k++)
            rc = add_input(r, objs.items[k], content, -1);
    }
    pinetl__strlist_free(&objs);
    pinetl__strlist_free(&keys);
    pinetl__free(bucket);
    pinetl__free(key);
    pinetl__free(dir);
    return rc;
}

static int expand_inputs(pinetl_reader *r, const char *const *paths, size_t npaths) {
    int f = r->opt.input_format;
    /* Objects in an S3 sink hold JSON lines; a forced content format still applies to them. */
    int content = f == PINETL_INPUT_S3_SINK ? PINETL_INPUT_AUTO : f;
    int rc = PINETL_OK;
    for (size_t i = 0; i < npaths && rc == PINETL_OK; i++) {
        const char *path = paths[i];
        struct stat st;
        if (!path) {
            rc = pinetl__error_set(PINETL_EINVAL, "input %zu is NULL", i);
        } else if (!strcmp(path, "-")) {
            rc = f == PINETL_INPUT_S3_SINK
                     ? pinetl__error_set(PINETL_EFORMAT, "standard input cannot be an S3 sink "
                                                         "directory (--input-format s3-sink)")
                     : add_input(r, path, content, -1);
        } else if (pinetl__s3_is_uri(path)) {
            rc = expand_s3(r, path, content, f == PINETL_INPUT_S3_SINK);
        } else if (stat(path, &st) != 0) {
            rc = pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                   "cannot open '%s': %s", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            pinetl__strlist objs = {0};
            char *dir = pinetl__strdup(path);
            if (!dir) {
                rc = pinetl__error_set(PINETL_ENOMEM, "out of memory opening inputs");
                break;
            }
            for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--)
                dir[l - 1] = '\0';
            rc = pinetl__s3sink_list(dir, r->table, 1, &objs, &r->notices);
            for (size_t k = 0; k < objs.n && rc == PINETL_OK; k++) {
                int fd;
                if ((rc = check_readable(objs.items[k], &fd)) == PINETL_OK)
                    rc = add_input(r, objs.items[k], content, fd);
            }
            pinetl__strlist_free(&objs);
            pinetl__free(dir);
        } else if (f == PINETL_INPUT_S3_SINK) {
            rc = pinetl__error_set(PINETL_EFORMAT,
                                   "'%s' is not a directory (--input-format s3-sink "
                                   "reads a Kafka Connect S3 sink directory)",
                                   path);
        } else {
            int fd;
            if ((rc = check_readable(path, &fd)) == PINETL_OK)
                rc = add_input(r, path, content, fd);
        }
    }
    return rc;
}

static int start(pinetl_reader *r) {
    if (pthread_mutex_init(&r->mu, NULL) || pthread_cond_init(&r->cv_free, NULL) ||
        pthread_cond_init(&r->cv_work, NULL) || pthread_cond_init(&r->cv_done, NULL))
        return pinetl__error_set(PINETL_ERROR, "cannot create reader locks");
    r->sync_ready = 1;
    if (pipe(r->wake) != 0)
        return pinetl__error_set(PINETL_EIO, "cannot create a pipe: %s", strerror(errno));
    fcntl(r->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(r->wake[1], F_SETFD, FD_CLOEXEC);
    if (!(r->slots = pinetl__calloc(r->nslots, sizeof *r->slots)) ||
        !(r->workers = pinetl__calloc((size_t)r->nworkers, sizeof *r->workers)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening a reader");
    for (size_t i = 0; i < r->nslots; i++) {
        int rc = new_batch(&r->slots[i].batch, r);
        if (rc)
            return rc;
    }
    if (pthread_create(&r->producer, NULL, producer_main, r))
        return pinetl__error_set(PINETL_ERROR, "cannot start the reader thread");
    r->producer_started = 1;
    for (int i = 0; i < r->nworkers; i++) {
        if (pthread_create(&r->workers[i], NULL, worker_main, r)) {
            r->nworkers = i;
            return pinetl__error_set(PINETL_ERROR, "cannot start worker threads");
        }
    }
    return PINETL_OK;
}

int pinetl_reader_open(pinetl_reader **out, pinetl_table table, const char *const *paths,
                       size_t npaths, const pinetl_reader_options *options) {
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_open: no output pointer");
    *out = NULL;
    if (!pinetl_table_name(table))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_open: unknown table %d", (int)table);
    if (!paths || !npaths)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_open: no inputs");
    /* Version 1 is version 2 without text_views. */
    if (options && options->version != 1 &&
        pinetl__error_options("pinetl_reader_open", options, options->version,
                              PINETL_READER_OPTIONS_VERSION))
        return PINETL_EINVAL;
    pinetl_reader *r = pinetl__calloc(1, sizeof *r);
    if (!r)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening a reader");
    r->wake[0] = r->wake[1] = -1;
    r->table = table;
    pinetl_reader_options_init(&r->opt, PINETL_READER_OPTIONS_VERSION);
    if (options)
        memcpy(&r->opt, options,
               options->version == 1 ? offsetof(pinetl_reader_options, text_views) : sizeof r->opt);
    pinetl_stats_init(&r->stats, table);
    int rc = PINETL_OK;
    if (!pinetl_input_format_name(r->opt.input_format))
        rc = pinetl__error_set(PINETL_EINVAL, "unknown input format %d", r->opt.input_format);
    else if (r->opt.render_format != 0 && r->opt.render_format != PINETL_FORMAT_JSONL &&
             r->opt.render_format != PINETL_FORMAT_CSV)
        rc = pinetl__error_set(PINETL_EINVAL, "unknown render format %d", r->opt.render_format);
    else if (r->opt.text_views && (r->opt.render_format || r->opt.dict_columns))
        rc = pinetl__error_set(PINETL_EINVAL, "text views are for Arrow export: they cannot be "
                                              "rendered or dictionary-encoded");
    else if (r->opt.threads < 0)
        rc = pinetl__error_set(PINETL_EINVAL, "threads must be 0 (one per core) or more");
    else
        rc = pinetl__rdict_check_columns(table, r->opt.dict_columns, r->opt.columns);
    if (rc) {
        pinetl_reader_free(r);
        return rc;
    }
    const char *op = getenv("PINETL_ONE_PASS");
    r->one_pass = r->opt.render_format && !r->opt.dict_columns && !(op && !strcmp(op, "0"));
    /* One-pass batches too: 4 MiB batches (a quarter of the hand-overs) measured 1.2-1.3x the
     * CPU of 1 MiB ones (docs/performance.md). */
    if (!r->opt.batch_bytes)
        r->opt.batch_bytes = DEFAULT_BATCH_BYTES;
    if (!r->opt.max_record_bytes)
        r->opt.max_record_bytes = IO_MAX_RECORD_DEFAULT;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    r->nworkers = r->opt.threads ? r->opt.threads : (cores > 0 ? (int)cores : 1);
    if (r->nworkers > MAX_THREADS)
        r->nworkers = MAX_THREADS;
    r->nslots = slot_count(r->nworkers, r->opt.batch_bytes);
    if ((size_t)r->nworkers > r->nslots - 1)
        r->nworkers = (int)(r->nslots - 1);
    if ((rc = expand_inputs(r, paths, npaths)) != PINETL_OK || (rc = start(r)) != PINETL_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", pinetl_error_last());
        pinetl_reader_free(r);
        return pinetl__error_set(rc, "%s", msg);
    }
    *out = r;
    return PINETL_OK;
}

int pinetl_reader_step(pinetl_batch **batch, pinetl_reader *r) {
    if (!r || !batch)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_step: NULL argument");
    *batch = NULL;
    pthread_mutex_lock(&r->mu);
    if (r->handed) {
        r->handed->state = SLOT_FREE;
        r->handed = NULL;
        pthread_cond_signal(&r->cv_free);
    }
    slot *s = &r->slots[r->out_seq % r->nslots];
    while (!(s->state == SLOT_DONE && s->seq == r->out_seq)) {
        if (r->producer_done && r->out_seq == r->fill_seq) {
            int rc = r->producer_rc;
            char msg[sizeof r->producer_err];
            memcpy(msg, r->producer_err, sizeof msg);
            pthread_mutex_unlock(&r->mu);
            return rc ? pinetl__error_set(rc, "%s", msg) : PINETL_DONE;
        }
        pthread_cond_wait(&r->cv_done, &r->mu);
    }
    r->out_seq++;
    r->handed = s;
    pthread_mutex_unlock(&r->mu);
    if (s->rc)
        return pinetl__error_set(s->rc, "%s", s->err);
    pinetl_stats_add_batch(&r->stats, s->batch);
    *batch = s->batch;
    return PINETL_BATCH;
}

int pinetl_reader_take_batch(pinetl_batch **batch, pinetl_reader *r) {
    if (!r || !batch)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_take_batch: NULL argument");
    *batch = NULL;
    slot *s = r->handed; /* only the consumer's thread changes handed */
    if (!s || s->rc)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_take_batch: no batch handed out");
    pinetl_batch *fresh;
    int rc = new_batch(&fresh, r);
    if (rc)
        return rc;
    pinetl__io_batch_room_like(fresh, s->batch);
    *batch = s->batch;
    s->batch = fresh; /* the slot is the consumer's until freed here: no worker saw it */
    pthread_mutex_lock(&r->mu);
    s->state = SLOT_FREE; /* the producer may refill it now */
    r->handed = NULL;
    pthread_cond_signal(&r->cv_free);
    pthread_mutex_unlock(&r->mu);
    return PINETL_OK;
}

void pinetl_reader_stats(pinetl_stats *out, const pinetl_reader *r) {
    if (!out)
        return;
    if (!r) {
        pinetl_stats_init(out, PINETL_TABLE_PIN);
        return;
    }
    *out = r->stats;
}

const char *pinetl_reader_notices(const pinetl_reader *r) {
    return r && r->notices.p ? r->notices.p : "";
}

void pinetl_reader_free(pinetl_reader *r) {
    if (!r)
        return;
    if (r->sync_ready) {
        pthread_mutex_lock(&r->mu);
        r->stop = 1;
        pthread_cond_broadcast(&r->cv_free);
        pthread_cond_broadcast(&r->cv_work);
        pthread_cond_broadcast(&r->cv_done);
        pthread_mutex_unlock(&r->mu);
    }
    if (r->wake[1] >= 0) {
        ssize_t ignored = write(r->wake[1], "x", 1);
        (void)ignored;
    }
    if (r->producer_started)
        pthread_join(r->producer, NULL);
    for (int i = 0; r->workers && i < r->nworkers; i++)
        pthread_join(r->workers[i], NULL);
    if (r->sync_ready) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv_free);
        pthread_cond_destroy(&r->cv_work);
        pthread_cond_destroy(&r->cv_done);
    }
    for (size_t i = 0; r->slots && i < r->nslots; i++) {
        job_free(&r->slots[i].job);
        pinetl_batch_free(r->slots[i].batch);
        for (int c = 0; c < PINETL_MAX_COLUMNS; c++)
            pinetl__rdict_out_free(&r->slots[i].dict_out[c]);
    }
    pinetl__free(r->slots);
    pinetl__free(r->workers);
    job_free(&r->building);
    pinetl__free(r->stage);
    for (size_t i = 0; i < r->ninputs; i++) {
        if (r->inputs[i].fd >= 0)
            close(r->inputs[i].fd);
        pinetl__free(r->inputs[i].path);
    }
    pinetl__free(r->inputs);
    pinetl__buf_free(&r->notices);
    pinetl__s3_free(r->s3);
    if (r->wake[0] >= 0)
        close(r->wake[0]);
    if (r->wake[1] >= 0)
        close(r->wake[1]);
    pinetl__free(r);
}

int pinetl_reader_text_codes(pinetl_text_codes *out, const pinetl_reader *r, int column) {
    if (!r || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_text_codes: NULL argument");
    if (column < 0 || column >= PINETL_MAX_COLUMNS || !(r->opt.dict_columns >> column & 1))
        return pinetl__error_set(PINETL_EINVAL,
                                 "pinetl_reader_text_codes: column %d is not "
                                 "dictionary-encoded (dict_columns)",
                                 column);
    if (!r->handed || r->handed->rc)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_reader_text_codes: no batch handed out");
    pinetl__rdict_out_view(&r->handed->dict_out[column], out);
    return PINETL_OK;
}
