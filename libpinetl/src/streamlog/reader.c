/* Reading and tailing a stream log. The reader keeps a buffer of the file; whenever it needs bytes
 * it does not have, it reads afresh from the start of the record it is at, so bytes of a torn
 * tail (which the writer may cut and overwrite) are never combined with newer ones. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "streamlog/frame.h"
#include "streamlog/reader_internal.h"

enum { READ_CHUNK = 1 << 20 };

int pinetl__slog_reader_init_fd(struct pinetl_streamlog_reader *r, int fd, const char *path) {
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->path = pinetl__strdup(path ? path : "<stream log>");
    if (!r->path)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening a stream log reader");
    return PINETL_OK;
}

void pinetl__slog_reader_release(struct pinetl_streamlog_reader *r) {
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    pinetl__free(r->buf);
    pinetl__free(r->path);
    r->buf = NULL;
    r->path = NULL;
}

/* Reads afresh from r->pos, at least want bytes if the file has them. */
static int refill(struct pinetl_streamlog_reader *r, size_t want) {
    size_t size = want > READ_CHUNK ? want : READ_CHUNK;
    if (size > r->cap) {
        unsigned char *b = pinetl__realloc(r->buf, size);
        if (!b)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory reading %s", r->path);
        r->buf = b;
        r->cap = size;
    }
    r->buf_off = r->pos;
    r->buf_len = 0;
    while (r->buf_len < want) {
        ssize_t n =
            pread(r->fd, r->buf + r->buf_len, r->cap - r->buf_len, (off_t)(r->pos + r->buf_len));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pinetl__error_set(PINETL_EIO, "reading %s: %s", r->path, strerror(errno));
        if (n == 0)
            break;
        r->buf_len += (size_t)n;
    }
    return PINETL_OK;
}

static int file_size(struct pinetl_streamlog_reader *r, uint64_t *size) {
    struct stat st;
    if (fstat(r->fd, &st))
        return pinetl__error_set(PINETL_EIO, "stat %s: %s", r->path, strerror(errno));
    *size = (uint64_t)st.st_size;
    return PINETL_OK;
}

/* The frame at r->pos, checked (CRC too when check_crc), reading afresh once when the buffered
 * bytes do not make a valid frame. Returns a PINETL__SLOG_* code, or a negative error. */
static int frame_at(struct pinetl_streamlog_reader *r, int check_crc, pinetl__slog_header *h,
                    size_t *total, const unsigned char **frame) {
    int fresh = 0;
    for (;;) {
        size_t have = 0;
        if (r->pos >= r->buf_off && r->pos - r->buf_off <= r->buf_len)
            have = r->buf_len - (size_t)(r->pos - r->buf_off);
        const unsigned char *p = r->buf ? r->buf + (r->pos - r->buf_off) : NULL;
        int c = have ? pinetl__slog_check(p, have, check_crc, h, total) : PINETL__SLOG_INCOMPLETE;
        if (c == PINETL__SLOG_VALID) {
            *frame = p;
            return c;
        }
        if (fresh)
            return c;
        /* Not enough, or not valid: read again from the record's start. */
        size_t want = PINETL_STREAMLOG_HEADER_SIZE;
        if (c == PINETL__SLOG_INCOMPLETE && have >= PINETL_STREAMLOG_HEADER_SIZE && check_crc)
            want = *total;
        int rc = refill(r, want);
        if (rc)
            return rc;
        fresh = 1;
    }
}

static int scan_to(struct pinetl_streamlog_reader *r, uint64_t after_seq);

int pinetl_streamlog_reader_next(pinetl_streamlog_record *out, pinetl_streamlog_reader *r) {
    if (!r || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_reader_next: NULL argument");
    for (;;) {
        pinetl__slog_header h;
        size_t total = 0;
        const unsigned char *p = NULL;
        int c = frame_at(r, 1, &h, &total, &p);
        if (c < 0)
            return c;
        if (c != PINETL__SLOG_VALID && r->hinted && c != PINETL__SLOG_INCOMPLETE) {
            /* The hint did not point at a record: find the position by a scan. */
            int rc = scan_to(r, r->seq);
            if (rc)
                return rc;
            continue;
        }
        if (c != PINETL__SLOG_VALID) {
            r->stop = c;
            uint64_t size = 0;
            int rc = file_size(r, &size);
            if (rc)
                return rc;
            if (size < r->pos && !r->recovering)
                return pinetl__error_set(PINETL_EFORMAT,
                                         "%s: the log was cut to %llu bytes, below the reader's "
                                         "position %llu (records it returned are gone)",
                                         r->path, (unsigned long long)size,
                                         (unsigned long long)r->pos);
            return PINETL_DONE;
        }
        int first = r->pos == 0 && r->seq == 0;
        if (!first && h.seq != r->seq + 1) {
            if (r->hinted) {
                int rc = scan_to(r, r->seq);
                if (rc)
                    return rc;
                continue;
            }
            if (r->recovering) {
                r->stop = -1;
                return PINETL_DONE;
            }
            return pinetl__error_set(PINETL_EFORMAT,
                                     "%s: record at byte %llu has sequence number %llu, expected "
                                     "%llu",
                                     r->path, (unsigned long long)r->pos, (unsigned long long)h.seq,
                                     (unsigned long long)(r->seq + 1));
        }
        r->hinted = 0;
        out->seq = h.seq;
        out->arrival_us = h.arrival_us;
        out->key = (const char *)p + PINETL_STREAMLOG_HEADER_SIZE;
        out->key_len = h.key_len;
        out->data = out->key + h.key_len;
        out->data_len = h.len;
        out->offset = r->pos;
        r->pos += total;
        r->seq = h.seq;
        r->stop = PINETL__SLOG_VALID;
        return PINETL_BATCH;
    }
}

/* Positions r after record after_seq by reading the headers from the start of the file. */
static int scan_to(struct pinetl_streamlog_reader *r, uint64_t after_seq) {
    r->pos = 0;
    r->seq = 0;
    r->hinted = 0;
    r->buf_len = 0;
    r->buf_off = 0;
    while (r->seq < after_seq) {
        pinetl__slog_header h;
        size_t total = 0;
        const unsigned char *p;
        int c = frame_at(r, 0, &h, &total, &p);
        if (c < 0)
            return c;
        if (c != PINETL__SLOG_VALID || (r->seq && h.seq != r->seq + 1) || h.seq > after_seq) {
            if (c == PINETL__SLOG_VALID && r->pos == 0 && h.seq == after_seq + 1)
                return PINETL_OK; /* a log that starts after the position */
            return pinetl__error_set(PINETL_EFORMAT,
                                     "%s: the log ends at sequence number %llu, before the "
                                     "position %llu",
                                     r->path, (unsigned long long)r->seq,
                                     (unsigned long long)after_seq);
        }
        r->pos += total;
        r->seq = h.seq;
    }
    return PINETL_OK;
}

static int reader_open(pinetl_streamlog_reader **out, const char *path, uint64_t after_seq,
                       int use_hint, uint64_t hint) {
    if (!out || !path)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_reader_open: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO, "%s: %s", path,
                                 strerror(errno));
    pinetl_streamlog_reader *r = pinetl__malloc(sizeof *r);
    if (!r) {
        close(fd);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening %s", path);
    }
    int rc = pinetl__slog_reader_init_fd(r, fd, path);
    r->own_fd = 1;
    if (!rc && use_hint && after_seq > 0) {
        uint64_t size = 0;
        rc = file_size(r, &size);
        if (!rc && hint <= size) {
            r->pos = hint;
            r->seq = after_seq;
            r->hinted = 1; /* confirmed (or replaced by a scan) by the first record */
            use_hint = 2;
        }
    }
    if (!rc && use_hint != 2)
        rc = scan_to(r, after_seq);
    if (rc) {
        pinetl__slog_reader_release(r);
        pinetl__free(r);
        return rc;
    }
    *out = r;
    return PINETL_OK;
}

int pinetl_streamlog_reader_open(pinetl_streamlog_reader **out, const char *path,
                                 uint64_t after_seq) {
    return reader_open(out, path, after_seq, 0, 0);
}

int pinetl_streamlog_reader_open_at(pinetl_streamlog_reader **out, const char *path,
                                    uint64_t after_seq, uint64_t hint) {
    return reader_open(out, path, after_seq, 1, hint);
}

uint64_t pinetl_streamlog_reader_seq(const pinetl_streamlog_reader *r) { return r ? r->seq : 0; }

uint64_t pinetl_streamlog_reader_offset(const pinetl_streamlog_reader *r) { return r ? r->pos : 0; }

int pinetl_streamlog_reader_behind(uint64_t *bytes, pinetl_streamlog_reader *r) {
    if (!r || !bytes)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_reader_behind: NULL argument");
    uint64_t size = 0;
    int rc = file_size(r, &size);
    if (rc)
        return rc;
    *bytes = size > r->pos ? size - r->pos : 0;
    return PINETL_OK;
}

int pinetl_streamlog_reader_sync(pinetl_streamlog_reader *r) {
    if (!r)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_reader_sync: NULL argument");
    if (fdatasync(r->fd))
        return pinetl__error_set(PINETL_EIO, "syncing %s: %s", r->path, strerror(errno));
    return PINETL_OK;
}

void pinetl_streamlog_reader_free(pinetl_streamlog_reader *r) {
    if (!r)
        return;
    pinetl__slog_reader_release(r);
    pinetl__free(r);
}
