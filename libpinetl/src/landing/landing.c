/* Landing writer for one topic partition: an open file under <landing>/.serve/, its state file,
 * and the rolled files in the S3 sink layout. See landing.h for the durability contract. */
#include "landing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s3sink/layout.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/file_id.h"

enum {
    STATE_MAGIC = 0x31534C50, /* "PLS1" in file order */
    STATE_SLOT = 512,         /* each slot in its own sector */
    WRITE_CHUNK = 1 << 20     /* pending bytes written out at this size */
};

/* One state slot as stored (little-endian on the machines we build for; checked by checksum). */
typedef struct state_slot {
    uint32_t magic, version;
    uint64_t gen;   /* higher wins */
    uint64_t start; /* start offset of the open file */
    uint64_t count; /* committed records in the open file */
    uint64_t bytes; /* committed bytes of the open file */
    uint64_t check; /* FNV-1a 64 of the fields above */
} state_slot;

struct pinetl__landing {
    pinetl__landing_options opt;
    char *topic;
    int partition;
    char *final_dir, *state_dir, *open_path, *state_path;
    int fd, sfd;
    pinetl__file_id open_id, state_id; /* what fd and sfd hold: checked before each ack */
    int created_unsynced;              /* the open file's directory entry is not synced yet */
    int broken;
    uint64_t gen;
    uint64_t start, count, bytes; /* open file: start offset, records and bytes appended */
    uint64_t c_count, c_bytes;    /* ... of which committed (state file) */
    int64_t first_ms;             /* arrival of the open file's first record */
    char *buf;
    size_t blen, bcap;
};

void pinetl__landing_options_init(pinetl__landing_options *o) {
    o->flush_size = 1000;
    o->rotate_ms = 60000;
    o->fsync = 1;
}

static uint64_t fnv1a(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static int fail(pinetl__landing *w, const char *what, const char *path) {
    int e = errno;
    if (w)
        w->broken = 1;
    return pinetl__error_set(PINETL_EIO, "landing: %s '%s': %s", what, path, strerror(e));
}

static int broken(const pinetl__landing *w) {
    return pinetl__error_set(PINETL_EIO,
                             "landing: topic '%s' partition %d failed earlier; "
                             "restart to recover it",
                             w->topic, w->partition);
}

static int fsync_dir(pinetl__landing *w, const char *path) {
    if (!w->opt.fsync)
        return PINETL_OK;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fail(w, "cannot open folder", path);
    int rc = fsync(fd) == 0 ? PINETL_OK : fail(w, "cannot sync folder", path);
    close(fd);
    return rc;
}

/* mkdir -p; with fsync on, the parent of each folder it creates is synced, so that the folders
 * of a landed file survive a power loss with it. */
static int mkdir_p(pinetl__landing *w, const char *path) {
    char *p = pinetl__strdup(path);
    if (!p)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    int rc = PINETL_OK;
    for (char *s = p + 1; rc == PINETL_OK; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) == 0) {
            char *slash = strrchr(p, '/');
            if (slash && slash != p) {
                *slash = '\0';
                rc = fsync_dir(w, p);
                *slash = '/';
            }
        } else if (errno != EEXIST) {
            rc = fail(NULL, "cannot create folder", p);
        }
        *s = c;
        if (!c)
            break;
    }
    pinetl__free(p);
    return rc;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The rolled file of the range starting at start, named by the S3 sink layout (s3sink.h). */
static char *final_path(const pinetl__landing *w, uint64_t start) {
    char *name = NULL, *p = NULL;
    if (pinetl_s3sink_object_name(&name, w->topic, w->partition, start) == PINETL_OK &&
        asprintf(&p, "%s/%s", w->final_dir, name) < 0)
        p = NULL;
    pinetl__free(name);
    return p;
}

/* Reads the newest valid slot. 1 when one was found, 0 when none. */
static int state_read(pinetl__landing *w, state_slot *out) {
    int found = 0;
    for (int i = 0; i < 2; i++) {
        state_slot s;
        if (pread(w->sfd, &s, sizeof s, (off_t)i * STATE_SLOT) != (ssize_t)sizeof s)
            continue;
        if (s.magic != STATE_MAGIC || s.version != 1 ||
            s.check != fnv1a(&s, offsetof(state_slot, check)))
            continue;
        if (!found || s.gen > out->gen) {
            *out = s;
            found = 1;
        }
    }
    return found;
}

static int state_write(pinetl__landing *w) {
    state_slot s = {STATE_MAGIC, 1, w->gen + 1, w->start, w->c_count, w->c_bytes, 0};
    s.check = fnv1a(&s, offsetof(state_slot, check));
    if (pwrite(w->sfd, &s, sizeof s, (off_t)(s.gen & 1) * STATE_SLOT) != (ssize_t)sizeof s)
        return fail(w, "cannot write state", w->state_path);
    if (w->opt.fsync && fdatasync(w->sfd) != 0)
        return fail(w, "cannot sync state", w->state_path);
    w->gen = s.gen;
    return PINETL_OK;
}

static int flush_buf(pinetl__landing *w) {
    if (!w->blen)
        return PINETL_OK;
    if (write_all(w->fd, w->buf, w->blen) != 0)
        return fail(w, "cannot write", w->open_path);
    w->blen = 0;
    return PINETL_OK;
}

static int do_sync(pinetl__landing *w) {
    if (w->count == w->c_count && w->bytes == w->c_bytes)
        return PINETL_OK;
    int rc = flush_buf(w);
    if (rc)
        return rc;
    if (w->opt.fsync && fdatasync(w->fd) != 0)
        return fail(w, "cannot sync", w->open_path);
    if (w->created_unsynced) {
        if ((rc = fsync_dir(w, w->state_dir)))
            return rc;
        w->created_unsynced = 0;
    }
    w->c_count = w->count;
    w->c_bytes = w->bytes;
    return state_write(w);
}

/* Renames the open file (synced first) into the sink layout and starts the next offset range.
 * A crash after the rename but before the state write is recognised on open: the final file of
 * the state's start offset exists. */
static int roll(pinetl__landing *w) {
    if (w->count == 0)
        return PINETL_OK;
    int rc = do_sync(w);
    if (rc)
        return rc;
    char *dst = final_path(w, w->start);
    if (!dst)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    close(w->fd);
    w->fd = -1;
    if (rename(w->open_path, dst) != 0) {
        rc = fail(w, "cannot roll into place", dst);
        pinetl__free(dst);
        return rc;
    }
    pinetl__free(dst);
    if ((rc = fsync_dir(w, w->final_dir)) || (rc = fsync_dir(w, w->state_dir)))
        return rc;
    w->start += w->count;
    w->count = w->bytes = w->c_count = w->c_bytes = 0;
    return state_write(w);
}

static int ensure_open(pinetl__landing *w) {
    if (w->fd >= 0)
        return PINETL_OK;
    w->fd = open(w->open_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (w->fd < 0)
        return fail(w, "cannot create", w->open_path);
    w->created_unsynced = 1;
    return pinetl__file_id_of_fd(&w->open_id, w->fd, w->open_path);
}

/* Without a state file: the next offset follows the last rolled file (its lines counted). */
static int scan_rolled(pinetl__landing *w, uint64_t *next) {
    *next = 0;
    DIR *d = opendir(w->final_dir);
    if (!d)
        return fail(NULL, "cannot read folder", w->final_dir);
    uint64_t best = 0;
    int have = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t tlen;
        int32_t part;
        uint64_t v;
        if (!pinetl__s3sink_name_parse(&tlen, &part, &v, e->d_name) || part != w->partition ||
            tlen != strlen(w->topic) || memcmp(e->d_name, w->topic, tlen) != 0)
            continue;
        if (!have || v > best) {
            best = v;
            have = 1;
        }
    }
    closedir(d);
    if (!have)
        return PINETL_OK;
    char *path = final_path(w, best);
    if (!path)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int rc = fail(NULL, "cannot open", path);
        pinetl__free(path);
        return rc;
    }
    char buf[65536];
    uint64_t lines = 0;
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < k; i++)
            lines += buf[i] == '\n';
    int rc = k < 0 ? fail(NULL, "cannot read", path) : PINETL_OK;
    close(fd);
    pinetl__free(path);
    *next = best + lines;
    return rc;
}

static int recover(pinetl__landing *w, char *notice, size_t nlen) {
    state_slot st = {0};
    int rc;
    struct stat sb;
    int have_open = stat(w->open_path, &sb) == 0;
    if (!state_read(w, &st)) {
        uint64_t next;
        if ((rc = scan_rolled(w, &next)))
            return rc;
        w->start = next;
        if (have_open) { /* never committed: nothing in it was acknowledged */
            if (unlink(w->open_path) != 0)
                return fail(w, "cannot remove", w->open_path);
            snprintf(notice, nlen, "removed %lld uncommitted bytes of %s", (long long)sb.st_size,
                     w->open_path);
        }
        return state_write(w);
    }
    w->gen = st.gen;
    w->start = st.start;
    char *fin = final_path(w, st.start);
    if (!fin)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    int rolled = stat(fin, &sb) == 0;
    pinetl__free(fin);
    if (rolled) { /* crashed between the rename and the state write */
        w->start = st.start + st.count;
        if (have_open && unlink(w->open_path) != 0)
            return fail(w, "cannot remove", w->open_path);
        return state_write(w);
    }
    if (!have_open) {
        if (st.count)
            return pinetl__error_set(PINETL_EIO,
                                     "landing: '%s' is missing, but its state says "
                                     "it holds %" PRIu64 " acknowledged records",
                                     w->open_path, st.count);
        return PINETL_OK;
    }
    if ((uint64_t)sb.st_size < st.bytes)
        return pinetl__error_set(PINETL_EIO,
                                 "landing: '%s' has %lld bytes, fewer than the %" PRIu64
                                 " its state says were acknowledged",
                                 w->open_path, (long long)sb.st_size, st.bytes);
    if ((uint64_t)sb.st_size > st.bytes) {
        if (truncate(w->open_path, (off_t)st.bytes) != 0)
            return fail(w, "cannot cut the tail of", w->open_path);
        snprintf(notice, nlen,
                 "cut %" PRIu64 " unacknowledged bytes at the tail of topic %s "
                 "partition %d",
                 (uint64_t)sb.st_size - st.bytes, w->topic, w->partition);
    }
    if (st.count == 0) {
        if (unlink(w->open_path) != 0)
            return fail(w, "cannot remove", w->open_path);
        return PINETL_OK;
    }
    /* Roll what the last run committed, so that it is visible in the layout now. */
    w->fd = open(w->open_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (w->fd < 0)
        return fail(w, "cannot open", w->open_path);
    if ((rc = pinetl__file_id_of_fd(&w->open_id, w->fd, w->open_path)))
        return rc;
    if (w->opt.fsync && fdatasync(w->fd) != 0)
        return fail(w, "cannot sync", w->open_path);
    w->count = w->c_count = st.count;
    w->bytes = w->c_bytes = st.bytes;
    return roll(w);
}

/* The file-name limit of the file system the landing folder is on (or would be created on: the
 * nearest existing folder above it); NAME_MAX when it cannot be asked. */
static long name_max(const char *landing_dir) {
    char p[PATH_MAX];
    if (strlen(landing_dir) >= sizeof p) {
        long max = pathconf(landing_dir, _PC_NAME_MAX);
        return max > 0 ? max : NAME_MAX;
    }
    strcpy(p, landing_dir);
    for (;;) {
        errno = 0;
        long max = pathconf(*p ? p : ".", _PC_NAME_MAX);
        if (max > 0)
            return max;
        char *slash = strrchr(p, '/');
        if (errno != ENOENT || !*p || (slash == p && !p[1]))
            return NAME_MAX;
        if (!slash)
            p[0] = '\0'; /* a relative path: ask about "." */
        else if (slash == p)
            p[1] = '\0'; /* "/" */
        else
            *slash = '\0';
    }
}

/* Every name the writer makes must fit the file system, or records would be acknowledged into
 * an open file that can never be rolled into place. The longest is a rolled file's,
 * <topic>+<partition>+<start offset>.json, its offset as long as a 64-bit offset can print. */
static int names_fit(const char *landing_dir, const char *topic, int partition) {
    char *longest = NULL; /* the layout's name (s3sink.h) with the longest offset */
    int rc = pinetl_s3sink_object_name(&longest, topic, partition, UINT64_MAX);
    if (rc)
        return rc;
    size_t need = strlen(longest), tail = need - strlen(topic);
    pinetl__free(longest);
    long max = name_max(landing_dir);
    if (need <= (size_t)max)
        return PINETL_OK;
    struct stat sb;
    char left[200] = "", *open_path = NULL;
    if (asprintf(&open_path, "%s/.serve/%s+%d.open", landing_dir, topic, partition) < 0)
        open_path = NULL;
    if (open_path && stat(open_path, &sb) == 0 && sb.st_size > 0)
        snprintf(left, sizeof left,
                 "; an earlier server acknowledged records of it that wait in "
                 ".serve/<topic>+%d.open (%lld bytes, one JSON record a line): land them again "
                 "under a shorter name",
                 partition, (long long)sb.st_size);
    pinetl__free(open_path);
    return pinetl__error_set(PINETL_EINVAL,
                             "topic '%.40s%s' (%zu characters) is too long for the landing "
                             "folder's file system: its files <topic>+%d+<offset>.json need "
                             "names of up to %zu characters, the limit is %ld; use at most %zu "
                             "characters%s",
                             topic, strlen(topic) > 40 ? "..." : "", strlen(topic), partition, need,
                             max, (size_t)max - tail, left);
}

int pinetl__landing_names_fit(const char *landing_dir, const char *topic, int partitions) {
    int rc = PINETL_OK;
    for (int p = 0; p < partitions && !rc; p++)
        rc = names_fit(landing_dir, topic, p);
    return rc;
}

int pinetl__landing_open(pinetl__landing **out, char *notice, size_t notice_len,
                         const char *landing_dir, const char *topic, int partition,
                         const pinetl__landing_options *o) {
    char scratch[8];
    if (!notice) {
        notice = scratch;
        notice_len = sizeof scratch;
    }
    if (notice_len)
        notice[0] = '\0';
    *out = NULL;
    if (!o || o->flush_size < 1 || partition < 0)
        return pinetl__error_set(PINETL_EINVAL, "landing: bad options");
    pinetl__landing *w = pinetl__calloc(1, sizeof *w);
    if (!w)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    w->opt = *o;
    w->partition = partition;
    w->fd = w->sfd = -1;
    char *part_dir = NULL;
    int rc = pinetl_s3sink_partition_dir(&part_dir, topic, partition);
    if (rc) {
        pinetl__landing_close(w);
        return rc;
    }
    if (!(w->topic = pinetl__strdup(topic)) ||
        asprintf(&w->final_dir, "%s/%s", landing_dir, part_dir) < 0 ||
        asprintf(&w->state_dir, "%s/.serve", landing_dir) < 0 ||
        asprintf(&w->open_path, "%s/.serve/%s+%d.open", landing_dir, topic, partition) < 0 ||
        asprintf(&w->state_path, "%s/.serve/%s+%d.state", landing_dir, topic, partition) < 0) {
        pinetl__free(part_dir);
        pinetl__landing_close(w);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    pinetl__free(part_dir);
    rc = names_fit(landing_dir, topic, partition);
    if (!rc)
        rc = mkdir_p(w, w->final_dir);
    if (!rc)
        rc = mkdir_p(w, w->state_dir);
    if (!rc) {
        w->sfd = open(w->state_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (w->sfd < 0)
            rc = fail(NULL, "cannot open", w->state_path);
        else if (flock(w->sfd, LOCK_EX | LOCK_NB) != 0)
            rc = pinetl__error_set(PINETL_EIO,
                                   "landing: '%s' is locked: another pinetl serve "
                                   "writes this landing folder",
                                   w->state_path);
        else if (!(rc = pinetl__file_id_of_fd(&w->state_id, w->sfd, w->state_path)))
            /* the state file's own name must be durable before it vouches for data */
            rc = fsync_dir(w, w->state_dir);
    }
    if (!rc)
        rc = recover(w, notice, notice_len);
    if (rc) {
        w->broken = 1; /* close must not roll anything */
        pinetl__landing_close(w);
        return rc;
    }
    *out = w;
    return PINETL_OK;
}

uint64_t pinetl__landing_next_offset(const pinetl__landing *w) { return w->start + w->count; }

static int due(const pinetl__landing *w, int64_t now_ms) {
    return w->count > 0 && w->opt.rotate_ms > 0 && now_ms - w->first_ms >= w->opt.rotate_ms;
}

int pinetl__landing_append(uint64_t *first_offset, pinetl__landing *w, const char *data,
                           const size_t *off, size_t n, int64_t now_ms) {
    if (w->broken)
        return broken(w);
    int rc;
    if (due(w, now_ms) && (rc = roll(w)))
        return rc;
    if (w->count >= w->opt.flush_size && (rc = roll(w)))
        return rc;
    *first_offset = w->start + w->count;
    for (size_t i = 0; i < n; i++) {
        if (w->count >= w->opt.flush_size && (rc = roll(w)))
            return rc;
        if ((rc = ensure_open(w)))
            return rc;
        size_t len = off[i + 1] - off[i];
        if (w->blen + len + 1 > w->bcap) {
            size_t cap = w->bcap ? w->bcap : 65536;
            while (cap < w->blen + len + 1)
                cap *= 2;
            char *p = pinetl__realloc(w->buf, cap);
            if (!p)
                return pinetl__error_set(PINETL_ENOMEM, "out of memory");
            w->buf = p;
            w->bcap = cap;
        }
        memcpy(w->buf + w->blen, data + off[i], len);
        w->buf[w->blen + len] = '\n';
        w->blen += len + 1;
        if (w->count == 0)
            w->first_ms = now_ms;
        w->count++;
        w->bytes += len + 1;
        if (w->blen >= WRITE_CHUNK && (rc = flush_buf(w)))
            return rc;
    }
    return PINETL_OK;
}

int pinetl__landing_unsynced(const pinetl__landing *w) {
    return w->count != w->c_count || w->bytes != w->c_bytes;
}

int pinetl__landing_sync(pinetl__landing *w) {
    if (w->broken)
        return broken(w);
    int rc = do_sync(w);
    /* Synced is not kept if the files were removed meanwhile (the landing folder deleted under
     * the server): then nothing since is acknowledged, and the writer stops. */
    if (!rc && (rc = pinetl__file_id_check(&w->state_id, w->state_path)) == PINETL_OK && w->fd >= 0)
        rc = pinetl__file_id_check(&w->open_id, w->open_path);
    if (rc)
        w->broken = 1;
    return rc;
}

int pinetl__landing_tick(int64_t *next_ms, pinetl__landing *w, int64_t now_ms) {
    int rc = PINETL_OK;
    if (w->broken)
        rc = broken(w);
    else if (due(w, now_ms))
        rc = roll(w);
    if (next_ms)
        *next_ms = (!w->broken && w->count > 0 && w->opt.rotate_ms > 0)
                       ? w->first_ms + w->opt.rotate_ms
                       : INT64_MAX;
    return rc;
}

int pinetl__landing_close(pinetl__landing *w) {
    if (!w)
        return PINETL_OK;
    int rc = w->broken ? PINETL_OK : roll(w);
    if (w->fd >= 0)
        close(w->fd);
    if (w->sfd >= 0)
        close(w->sfd);
    pinetl__free(w->buf);
    pinetl__free(w->topic);
    pinetl__free(w->final_dir);
    pinetl__free(w->state_dir);
    pinetl__free(w->open_path);
    pinetl__free(w->state_path);
    pinetl__free(w);
    return rc;
}
