/* Writing a stream log: open with recovery (the valid records are kept, an invalid tail is cut
 * and reported), appends of many records in one write, fdatasync on demand. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "streamlog/frame.h"
#include "streamlog/reader_internal.h"

struct pinetl_streamlog {
    int fd;
    char *path;
    uint64_t size; /* end of the last record */
    uint64_t last_seq;
    uint64_t epoch;
    unsigned char *buf; /* frames of one append */
    size_t cap;
    pinetl_streamlog_recovery recovery;
};

/* Makes the directory entry of path (a new file or folder) durable: fsync of its folder. */
static int sync_parent(char *path) {
    char *slash = strrchr(path, '/');
    const char *dir = ".";
    if (slash)
        *slash = '\0';
    if (slash)
        dir = slash == path ? "/" : path;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = PINETL_OK;
    if (fd < 0 || fsync(fd))
        rc = pinetl__error_set(PINETL_EIO, "syncing the folder %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (slash)
        *slash = '/';
    return rc;
}

/* Creates the folders above path (like mkdir -p of its dirname); each new one is made durable. */
static int make_parents(const char *path) {
    char *copy = pinetl__strdup(path);
    if (!copy)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    char *slash = strrchr(copy, '/');
    int rc = PINETL_OK;
    if (slash && slash != copy) {
        *slash = '\0';
        for (char *p = copy + 1;; p++) {
            if (*p == '/' || *p == '\0') {
                char c = *p;
                *p = '\0';
                if (mkdir(copy, 0777) == 0)
                    rc = sync_parent(copy);
                else if (errno != EEXIST)
                    rc = pinetl__error_set(PINETL_EIO, "creating %s: %s", copy, strerror(errno));
                *p = c;
                if (rc || !c)
                    break;
            }
        }
    }
    pinetl__free(copy);
    return rc;
}

/* Copies bytes [off, off + len) of the log to <log>.quarantine.<epoch>.<off> (made durable),
 * unless that file is already there with that size (found again at a later open). */
static int quarantine(pinetl_streamlog *log, uint64_t epoch, uint64_t off, uint64_t len) {
    char *qpath = NULL;
    if (asprintf(&qpath, "%s.quarantine.%llu.%llu", log->path, (unsigned long long)epoch,
                 (unsigned long long)off) < 0)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    struct stat st;
    int rc = PINETL_OK;
    if (stat(qpath, &st) == 0 && (uint64_t)st.st_size == len) {
        free(qpath);
        return PINETL_OK;
    }
    int fd = open(qpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    unsigned char *buf = fd >= 0 ? pinetl__malloc(1 << 16) : NULL;
    if (fd < 0)
        rc = pinetl__error_set(PINETL_EIO, "%s: %s", qpath, strerror(errno));
    else if (!buf)
        rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
    for (uint64_t done = 0; !rc && done < len;) {
        size_t want = len - done < (1 << 16) ? (size_t)(len - done) : (1 << 16);
        ssize_t n = pread(log->fd, buf, want, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || write(fd, buf, (size_t)n) != n)
            rc = pinetl__error_set(PINETL_EIO, "copying damaged bytes of %s to %s: %s", log->path,
                                   qpath, n < 0 ? strerror(errno) : "short read or write");
        else
            done += (size_t)n;
    }
    if (!rc && fsync(fd))
        rc = pinetl__error_set(PINETL_EIO, "syncing %s: %s", qpath, strerror(errno));
    if (fd >= 0)
        close(fd);
    pinetl__free(buf);
    if (!rc)
        rc = sync_parent(qpath);
    free(qpath);
    return rc;
}

/* A random log id (from the system's random source; the clock and process id if it has none). */
static void random_id(unsigned char *id) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, id, PINETL__SLOG_ID_BYTES) : -1;
    if (fd >= 0)
        close(fd);
    if (n == PINETL__SLOG_ID_BYTES)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, y = (uint64_t)getpid();
    for (int i = 0; i < PINETL__SLOG_ID_BYTES; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17 ^ y;
        id[i] = (unsigned char)(x >> 24);
    }
}

/* Appends an identity frame at the end of the log (made durable). */
static int write_identity(pinetl_streamlog *log, const pinetl__slog_identity *id) {
    unsigned char frame[PINETL_STREAMLOG_HEADER_SIZE + PINETL__SLOG_IDENTITY_LEN];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    pinetl__slog_encode_identity(frame, id, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
    size_t done = 0;
    while (done < sizeof frame) {
        ssize_t w = pwrite(log->fd, frame + done, sizeof frame - done, (off_t)(log->size + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return pinetl__error_set(PINETL_EIO, "writing the identity of %s: %s", log->path,
                                     w < 0 ? strerror(errno) : "short write");
        done += (size_t)w;
    }
    if (fdatasync(log->fd))
        return pinetl__error_set(PINETL_EIO, "syncing %s: %s", log->path, strerror(errno));
    log->size += sizeof frame;
    return PINETL_OK;
}

/* How many whole frames the invalid tail [end, end + len) is, when it is a chain of frames whose
 * headers are intact (the magic, lengths that end exactly at the file's end, sequence numbers
 * from next on, the log's epoch) and only a CRC fails: records that were written whole and then
 * damaged, kept in place rather than cut. 0 otherwise (a torn write, garbage). */
static int damaged_whole_frames(uint64_t *count, pinetl_streamlog *log, uint64_t end, uint64_t len,
                                uint64_t next, uint64_t epoch) {
    *count = 0;
    if (len < PINETL_STREAMLOG_HEADER_SIZE || len > PINETL_STREAMLOG_MAX_PAYLOAD)
        return PINETL_OK;
    unsigned char *buf = pinetl__malloc((size_t)len);
    if (!buf)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory reading the tail of %s", log->path);
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(log->fd, buf + got, (size_t)len - got, (off_t)(end + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    uint64_t at = 0, k = 0;
    while (got == len && at < len) {
        pinetl__slog_header h;
        size_t total = 0;
        if (pinetl__slog_check(buf + at, (size_t)(len - at), 0, &h, &total) != PINETL__SLOG_VALID ||
            total > len - at || h.seq != next + k || h.epoch != (uint16_t)epoch)
            break;
        at += total;
        k++;
    }
    pinetl__free(buf);
    if (got == len && at == len)
        *count = k;
    return PINETL_OK;
}

/* Reads the whole log: bad ranges are quarantined (and stay), an invalid tail is quarantined
 * and cut; a log without identity gets one, and a cut that may have taken records readers saw
 * moves the sequence on and starts a new epoch, so no sequence number is handed out twice. */
static int recover(pinetl_streamlog *log) {
    struct pinetl_streamlog_reader r;
    int rc = pinetl__slog_reader_init_fd(&r, log->fd, log->path);
    if (rc)
        return rc;
    r.recovering = 1;
    pinetl_streamlog_record rec;
    pinetl_streamlog_recovery *info = &log->recovery;
    memset(info, 0, sizeof *info);
    while ((rc = pinetl_streamlog_reader_next(&rec, &r)) == PINETL_BATCH ||
           rc == PINETL_STREAMLOG_SKIPPED) {
        if (rc == PINETL_BATCH) {
            if (!info->records)
                info->first_seq = rec.seq;
            info->records++;
            continue;
        }
        info->bad_ranges++;
        info->bad_bytes += r.bad.length;
        if (r.bad.last_seq >= r.bad.first_seq)
            info->bad_records += r.bad.last_seq - r.bad.first_seq + 1;
        if ((rc = quarantine(log, r.epoch, r.bad.offset, r.bad.length)) != PINETL_OK)
            break;
    }
    int stop = r.stop;
    uint64_t end = r.pos, next = r.expect ? r.expect : r.seq + 1;
    pinetl__slog_identity id;
    memset(&id, 0, sizeof id);
    int has_id = r.has_id;
    memcpy(id.id, r.id, sizeof id.id);
    id.epoch = r.epoch_known ? r.epoch : 0;
    pinetl__slog_reader_release(&r);
    if (rc != PINETL_DONE)
        return rc;
    struct stat st;
    if (fstat(log->fd, &st))
        return pinetl__error_set(PINETL_EIO, "stat %s: %s", log->path, strerror(errno));
    uint64_t cut = (uint64_t)st.st_size > end ? (uint64_t)st.st_size - end : 0;
    uint64_t whole = 0;
    if (cut && has_id && stop != PINETL__SLOG_INCOMPLETE &&
        (rc = damaged_whole_frames(&whole, log, end, cut, next, id.epoch)) != PINETL_OK)
        return rc;
    if (whole) {
        /* Whole records damaged at the end: a bad range like any other, kept and quarantined;
         * the identity frame after them says which sequence numbers they held. */
        info->bad_ranges++;
        info->bad_bytes += cut;
        info->bad_records += whole;
        if ((rc = quarantine(log, id.epoch, end, cut)) != PINETL_OK)
            return rc;
        log->size = (uint64_t)st.st_size;
        log->epoch = id.epoch;
        id.prev_seq = next + whole - 1;
        id.next_seq = next + whole;
        if ((rc = write_identity(log, &id)) != PINETL_OK)
            return rc;
        info->size = log->size;
        info->epoch = log->epoch;
        log->last_seq = id.next_seq - 1;
        return PINETL_OK;
    }
    if (cut) {
        info->cut_bytes = cut;
        info->cut_reason = stop < 0 ? "sequence gap" : pinetl__slog_reason(stop);
        if ((rc = quarantine(log, id.epoch, end, cut)) != PINETL_OK)
            return rc;
        if (ftruncate(log->fd, (off_t)end) || fdatasync(log->fd))
            return pinetl__error_set(PINETL_EIO, "cutting the invalid tail of %s: %s", log->path,
                                     strerror(errno));
    }
    log->size = end;
    log->epoch = id.epoch;
    /* Fewer than 32 bytes hold no record a reader could have returned. */
    if (!has_id || cut >= PINETL_STREAMLOG_HEADER_SIZE) {
        if (!has_id)
            random_id(id.id);
        id.prev_seq = next - 1;
        if (cut >= PINETL_STREAMLOG_HEADER_SIZE) {
            info->skipped_seqs = cut / PINETL_STREAMLOG_HEADER_SIZE + 1;
            next += info->skipped_seqs;
        }
        id.next_seq = next;
        id.epoch++; /* 1 for a new log or one from before epochs */
        if ((rc = write_identity(log, &id)) != PINETL_OK)
            return rc;
        log->epoch = id.epoch;
    }
    info->size = log->size;
    info->epoch = log->epoch;
    log->last_seq = next - 1;
    return PINETL_OK;
}

int pinetl_streamlog_open(pinetl_streamlog **out, const char *path, int flags) {
    if (!out || !path || !*path)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_open: NULL argument");
    *out = NULL;
    pinetl_streamlog *log = pinetl__calloc(1, sizeof *log);
    if (!log || !(log->path = pinetl__strdup(path))) {
        pinetl__free(log);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening %s", path);
    }
    log->fd = -1;
    int rc = PINETL_OK, created = 0;
    if (!(flags & PINETL_STREAMLOG_NOCREATE))
        rc = make_parents(path);
    if (!rc) {
        log->fd = open(path, O_RDWR | O_CLOEXEC);
        if (log->fd < 0 && errno == ENOENT && !(flags & PINETL_STREAMLOG_NOCREATE)) {
            log->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
            created = log->fd >= 0;
        }
        if (log->fd < 0)
            rc = pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO, "%s: %s", path,
                                   strerror(errno));
    }
    if (!rc && flock(log->fd, LOCK_EX | LOCK_NB))
        rc = pinetl__error_set(PINETL_EIO, "%s: %s", path,
                               errno == EWOULDBLOCK ? "another writer has the log open"
                                                    : strerror(errno));
    if (!rc && created)
        rc = sync_parent(log->path);
    if (!rc)
        rc = recover(log);
    if (rc) {
        pinetl_streamlog_free(log);
        return rc;
    }
    *out = log;
    return PINETL_OK;
}

void pinetl_streamlog_recovery_info(pinetl_streamlog_recovery *out, const pinetl_streamlog *log) {
    if (!out)
        return;
    if (!log) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = log->recovery;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int pinetl_streamlog_append(uint64_t *first_seq_out, pinetl_streamlog *log,
                            const pinetl_streamlog_record *recs, size_t n) {
    if (!log || (n && !recs))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_append: NULL argument");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const pinetl_streamlog_record *r = &recs[i];
        if (r->key_len > PINETL_STREAMLOG_MAX_KEY || r->data_len > PINETL_STREAMLOG_MAX_PAYLOAD ||
            (r->key_len && !r->key) || (r->data_len && !r->data))
            return pinetl__error_set(PINETL_EINVAL,
                                     "pinetl_streamlog_append: record %zu: key of %zu bytes, "
                                     "payload of %zu bytes (at most %d and %d)",
                                     i, r->key_len, r->data_len, PINETL_STREAMLOG_MAX_KEY,
                                     PINETL_STREAMLOG_MAX_PAYLOAD);
        size_t sz = (size_t)PINETL_STREAMLOG_HEADER_SIZE + r->key_len + r->data_len;
        if (total > SIZE_MAX - sz)
            return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_append: too much data");
        total += sz;
    }
    if (first_seq_out)
        *first_seq_out = log->last_seq + 1;
    if (!n)
        return PINETL_OK;
    if (total > log->cap) {
        unsigned char *b = pinetl__realloc(log->buf, total);
        if (!b)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory appending to %s", log->path);
        log->buf = b;
        log->cap = total;
    }
    int64_t now = 0;
    unsigned char *p = log->buf;
    for (size_t i = 0; i < n; i++) {
        const pinetl_streamlog_record *r = &recs[i];
        int64_t arrival = r->arrival_us;
        if (!arrival)
            arrival = now ? now : (now = now_us());
        pinetl__slog_encode(p, r->key, r->key_len, r->data, r->data_len, log->last_seq + 1 + i,
                            arrival, log->epoch);
        p += PINETL_STREAMLOG_HEADER_SIZE;
        if (r->key_len)
            memcpy(p, r->key, r->key_len);
        p += r->key_len;
        if (r->data_len)
            memcpy(p, r->data, r->data_len);
        p += r->data_len;
    }
    size_t done = 0;
    while (done < total) {
        ssize_t w = pwrite(log->fd, log->buf + done, total - done, (off_t)(log->size + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            /* Nothing of a failed append stays: cut what was written. */
            if (ftruncate(log->fd, (off_t)log->size) != 0) {
                /* The invalid tail is cut on the next open. */
            }
            return pinetl__error_set(PINETL_EIO, "appending to %s: %s", log->path, strerror(err));
        }
        done += (size_t)w;
    }
    log->size += total;
    log->last_seq += n;
    return PINETL_OK;
}

int pinetl_streamlog_sync(pinetl_streamlog *log) {
    if (!log)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_sync: NULL argument");
    if (fdatasync(log->fd))
        return pinetl__error_set(PINETL_EIO, "syncing %s: %s", log->path, strerror(errno));
    return PINETL_OK;
}

uint64_t pinetl_streamlog_last_seq(const pinetl_streamlog *log) { return log ? log->last_seq : 0; }

uint64_t pinetl_streamlog_size(const pinetl_streamlog *log) { return log ? log->size : 0; }

void pinetl_streamlog_free(pinetl_streamlog *log) {
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd);
    pinetl__free(log->buf);
    pinetl__free(log->path);
    pinetl__free(log);
}
