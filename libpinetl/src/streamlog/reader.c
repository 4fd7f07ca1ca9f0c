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

/* The sequence number before the next record. */
static uint64_t base_seq(const struct pinetl_streamlog_reader *r) {
    return r->expect ? r->expect - 1 : r->seq;
}

/* Takes in an identity frame met at the reader's position; 0 when it does not belong there (the
 * identity of another log, an older epoch, or a sequence it does not continue). */
static int take_identity(struct pinetl_streamlog_reader *r, const pinetl__slog_identity *id) {
    if (r->has_id && memcmp(r->id, id->id, sizeof r->id))
        return 0;
    if ((r->epoch_known && id->epoch < r->epoch) || id->next_seq <= id->prev_seq ||
        id->prev_seq != base_seq(r))
        return 0;
    if (!r->has_id) {
        memcpy(r->id, id->id, sizeof r->id);
        pinetl__slog_id_hex(r->id_hex, r->id);
        r->has_id = 1;
    }
    r->epoch = id->epoch;
    r->epoch_known = 1;
    r->expect = id->next_seq;
    return 1;
}

/* Whether a valid frame found at cand, after the invalid bytes from r->pos, continues the log:
 * the same log and epoch, and a sequence number the skipped bytes could have held (each frame
 * takes 32 bytes or more). Sets *last to the last sequence number the skipped bytes hid. */
static int continues(const struct pinetl_streamlog_reader *r, uint64_t cand, const unsigned char *p,
                     const pinetl__slog_header *h, uint64_t *last) {
    uint64_t base = base_seq(r), most = (cand - r->pos) / PINETL_STREAMLOG_HEADER_SIZE;
    pinetl__slog_identity id;
    if (pinetl__slog_identity_of(p, h, &id)) {
        if ((r->has_id && memcmp(r->id, id.id, sizeof r->id)) ||
            (r->epoch_known && id.epoch < r->epoch) || id.prev_seq < base ||
            id.prev_seq - base > most || id.next_seq <= id.prev_seq)
            return 0;
        *last = id.prev_seq;
        return 1;
    }
    if ((r->epoch_known && h->epoch != (uint16_t)r->epoch) || h->seq <= base ||
        h->seq - base - 1 > most)
        return 0;
    *last = h->seq - 1;
    return 1;
}

/* Whether a valid frame is of a later epoch of this log than the reader's. */
static int later_epoch(const struct pinetl_streamlog_reader *r, const unsigned char *p,
                       const pinetl__slog_header *h) {
    if (!r->epoch_known)
        return 0;
    pinetl__slog_identity id;
    if (pinetl__slog_identity_of(p, h, &id))
        return (!r->has_id || !memcmp(r->id, id.id, sizeof r->id)) && id.epoch > r->epoch;
    return h->epoch != (uint16_t)r->epoch && h->seq > base_seq(r);
}

/* After an invalid frame at r->pos: looks for the next valid frame that continues the log (by
 * magic, header and CRC). 1 with r->bad set and the reader moved there; 0 when there is none
 * (r->pos unchanged); negative on failure (PINETL_EFORMAT: what follows is of a later epoch,
 * for a reader; the writer's recovery takes it as continuing). */
static int resync(struct pinetl_streamlog_reader *r) {
    static const unsigned char magic[4] = {0x50, 0x53, 0x4C, 0x31};
    uint64_t from = r->pos, cand = from + 1, last = 0;
    int found = 0, rc = PINETL_OK;
    for (;;) {
        if (!(cand >= r->buf_off && cand + 4 <= r->buf_off + r->buf_len)) {
            r->pos = cand;
            if ((rc = refill(r, 4)) != PINETL_OK || r->buf_len < 4)
                break;
        }
        const unsigned char *b = r->buf + (cand - r->buf_off);
        size_t n = (size_t)(r->buf_off + r->buf_len - cand), i = 0;
        while (i + 4 <= n && memcmp(b + i, magic, 4))
            i++;
        if (i + 4 > n) {
            cand += n - 3;
            continue;
        }
        cand += i;
        pinetl__slog_header h;
        size_t total = 0;
        const unsigned char *p = NULL;
        r->pos = cand;
        int c = frame_at(r, 1, &h, &total, &p);
        if (c < 0) {
            rc = c;
            break;
        }
        r->pos = from;
        if (c == PINETL__SLOG_VALID && continues(r, cand, p, &h, &last)) {
            found = 1;
            break;
        }
        if (c == PINETL__SLOG_VALID && later_epoch(r, p, &h)) {
            /* Frames of a later epoch without their identity frame: the log was cut and
             * rewritten below this position (or that identity frame is damaged). */
            pinetl__slog_identity id;
            found = 2;
            last = pinetl__slog_identity_of(p, &h, &id) ? id.prev_seq : h.seq - 1;
            break;
        }
        cand++;
    }
    r->pos = from;
    if (rc || !found)
        return rc;
    /* A writer appends in order: once a later frame is complete, so is the one at from, unless
     * it is damaged. Look again, so a frame that was being written is not taken for damage. */
    r->buf_len = 0;
    pinetl__slog_header h;
    size_t total = 0;
    const unsigned char *p = NULL;
    int c = frame_at(r, 1, &h, &total, &p);
    if (c < 0)
        return c;
    if (c == PINETL__SLOG_VALID)
        return 0; /* the caller reads it */
    if (found == 2 && !r->recovering) {
        /* Either the identity frame of the next epoch is damaged (the log read from its start
         * still reaches this position), or the log was cut below it and rewritten. */
        struct pinetl_streamlog_reader saved = *r;
        int ok = 0;
        if (!r->verifying) {
            r->verifying = 1;
            ok = scan_to(r, saved.seq) == PINETL_OK && r->pos <= from;
            r->verifying = 0;
        }
        unsigned char *buf = r->buf;
        size_t cap = r->cap;
        *r = saved;
        r->buf = buf; /* the scan may have grown the buffer */
        r->cap = cap;
        r->buf_len = 0;
        if (!ok)
            return pinetl__error_set(PINETL_EFORMAT,
                                     "%s: after byte %llu come frames of another epoch without "
                                     "their identity frame: the log was cut and rewritten below "
                                     "the reader's position (records it returned may be gone)",
                                     r->path, (unsigned long long)from);
    }
    if (found == 2) {
        /* The writer keeps them (the damaged identity frame is the bad range); the epoch is
         * taken from what follows. */
        r->epoch_known = 0;
        if (last < base_seq(r))
            last = base_seq(r);
    }
    r->bad.offset = from;
    r->bad.length = cand - from;
    r->bad.first_seq = base_seq(r) + 1;
    r->bad.last_seq = last;
    r->bad.reason = pinetl__slog_reason(c);
    r->pos = cand;
    r->seq = last;
    r->expect = last + 1;
    return 1;
}

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
        if (c == PINETL__SLOG_VALID) {
            pinetl__slog_identity id;
            if (pinetl__slog_identity_of(p, &h, &id)) {
                if (take_identity(r, &id)) {
                    r->pos += total;
                    r->hinted = 0;
                    continue;
                }
            } else if ((!r->expect || h.seq == r->expect) &&
                       (!r->epoch_known || h.epoch == (uint16_t)r->epoch)) {
                if (!r->epoch_known) {
                    r->epoch = h.epoch;
                    r->epoch_known = 1;
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
                r->expect = h.seq + 1;
                r->stop = PINETL__SLOG_VALID;
                return PINETL_BATCH;
            }
            /* A valid frame that does not continue the log. */
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
            if (h.seq && r->epoch_known && h.epoch != (uint16_t)r->epoch)
                return pinetl__error_set(PINETL_EFORMAT,
                                         "%s: the frame at byte %llu is of epoch %u, the reader's "
                                         "of %u: the log was cut and rewritten below the "
                                         "reader's position (records it returned may be gone)",
                                         r->path, (unsigned long long)r->pos, (unsigned)h.epoch,
                                         (unsigned)(uint16_t)r->epoch);
            return pinetl__error_set(PINETL_EFORMAT,
                                     "%s: the %s at byte %llu has sequence number %llu, expected "
                                     "%llu",
                                     r->path, h.seq ? "record" : "identity frame",
                                     (unsigned long long)r->pos, (unsigned long long)h.seq,
                                     (unsigned long long)(h.seq ? base_seq(r) + 1 : 0));
        }
        uint64_t size = 0;
        int rc = file_size(r, &size);
        if (rc)
            return rc;
        if (r->hinted && r->pos < size) {
            /* The hint does not point at a whole frame (only the end of the file may wait for
             * one): find the position by a scan. */
            if ((rc = scan_to(r, r->seq)) != PINETL_OK)
                return rc;
            continue;
        }
        if (size < r->pos && !r->recovering)
            return pinetl__error_set(PINETL_EFORMAT,
                                     "%s: the log was cut to %llu bytes, below the reader's "
                                     "position %llu (records it returned are gone)",
                                     r->path, (unsigned long long)size, (unsigned long long)r->pos);
        rc = resync(r);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return PINETL_STREAMLOG_SKIPPED;
        if (rc == 0 && r->pos < size) {
            /* The frame at pos became valid while it was looked for: read it. */
            int again = frame_at(r, 1, &h, &total, &p);
            if (again < 0)
                return again;
            if (again == PINETL__SLOG_VALID)
                continue;
        }
        r->stop = c;
        return PINETL_DONE;
    }
}

/* Back to the start of the file, knowing nothing. */
static void rewind_reader(struct pinetl_streamlog_reader *r) {
    r->pos = 0;
    r->seq = 0;
    r->expect = 0;
    r->epoch = 0;
    r->epoch_known = 0;
    r->hinted = 0;
    r->buf_len = 0;
    r->buf_off = 0;
}

/* Positions r after record after_seq by reading the log from the start (bad ranges skipped). */
static int scan_to(struct pinetl_streamlog_reader *r, uint64_t after_seq) {
    rewind_reader(r);
    int records = 0, ended = 0;
    while (r->seq < after_seq) {
        pinetl_streamlog_record rec;
        int rc = pinetl_streamlog_reader_next(&rec, r);
        if (rc < 0)
            return rc;
        if (rc == PINETL_BATCH) {
            if (rec.seq > after_seq) {
                if (!records && rec.seq == after_seq + 1) {
                    /* A log that starts after the position. */
                    r->pos = rec.offset;
                    r->seq = after_seq;
                    r->expect = rec.seq;
                    return PINETL_OK;
                }
                break;
            }
            records++;
            continue;
        }
        if (rc == PINETL_STREAMLOG_SKIPPED) {
            if (r->bad.first_seq <= after_seq && after_seq < r->bad.last_seq)
                return pinetl__error_set(
                    PINETL_EFORMAT,
                    "%s: the position (sequence number %llu) is inside the "
                    "damaged bytes %llu..%llu (sequence numbers %llu..%llu)",
                    r->path, (unsigned long long)after_seq, (unsigned long long)r->bad.offset,
                    (unsigned long long)(r->bad.offset + r->bad.length),
                    (unsigned long long)r->bad.first_seq, (unsigned long long)r->bad.last_seq);
            continue;
        }
        ended = 1; /* PINETL_DONE */
        break;
    }
    if (r->seq == after_seq)
        return PINETL_OK;
    if (ended)
        return pinetl__error_set(PINETL_EFORMAT,
                                 "%s: the log ends at sequence number %llu, before the position "
                                 "%llu",
                                 r->path, (unsigned long long)r->seq,
                                 (unsigned long long)after_seq);
    return pinetl__error_set(PINETL_EFORMAT,
                             "%s: the log has no record %llu (it skips to %llu): it is not the "
                             "log the position was taken in",
                             r->path, (unsigned long long)after_seq, (unsigned long long)r->seq);
}

/* Reads the log's identity: the first identity frame (at byte 0, or, in a log from before
 * identities, after its records). */
static int read_identity(struct pinetl_streamlog_reader *r) {
    uint64_t pos = 0;
    r->has_id = 0;
    r->id_hex[0] = '\0';
    for (;;) {
        pinetl__slog_header h;
        size_t total = 0;
        const unsigned char *p = NULL;
        r->pos = pos;
        int c = frame_at(r, 0, &h, &total, &p);
        if (c < 0)
            return c;
        if (c != PINETL__SLOG_VALID)
            break;
        if (h.seq == 0) {
            pinetl__slog_identity id;
            c = frame_at(r, 1, &h, &total, &p);
            if (c < 0)
                return c;
            if (c == PINETL__SLOG_VALID && pinetl__slog_identity_of(p, &h, &id)) {
                memcpy(r->id, id.id, sizeof r->id);
                pinetl__slog_id_hex(r->id_hex, r->id);
                r->has_id = 1;
            }
            break;
        }
        pos += total;
    }
    r->pos = 0;
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
    if (!rc)
        rc = read_identity(r);
    if (!rc && use_hint && after_seq > 0) {
        uint64_t size = 0;
        rc = file_size(r, &size);
        if (!rc && hint <= size) {
            r->pos = hint;
            r->seq = after_seq;
            r->expect = after_seq + 1;
            r->hinted = 1; /* confirmed (or replaced by a scan) by the first frame */
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

void pinetl_streamlog_reader_bad_range(pinetl_streamlog_bad_range *out,
                                       const pinetl_streamlog_reader *r) {
    if (!out)
        return;
    if (!r) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = r->bad;
}

const char *pinetl_streamlog_reader_log_id(const pinetl_streamlog_reader *r) {
    return r ? r->id_hex : "";
}

int pinetl_streamlog_reader_verify(pinetl_streamlog_reader *r) {
    if (!r)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_reader_verify: NULL argument");
    struct stat now, was;
    if (fstat(r->fd, &was))
        return pinetl__error_set(PINETL_EIO, "stat %s: %s", r->path, strerror(errno));
    if (stat(r->path, &now)) {
        if (errno == ENOENT)
            return pinetl__error_set(PINETL_ENOTFOUND,
                                     "%s was deleted while being read (its folder or the landing "
                                     "folder removed?)",
                                     r->path);
        return pinetl__error_set(PINETL_EIO, "stat %s: %s", r->path, strerror(errno));
    }
    if (now.st_ino != was.st_ino || now.st_dev != was.st_dev)
        return pinetl__error_set(PINETL_EFORMAT,
                                 "%s was replaced by another file while being read (the landing "
                                 "folder recreated?)",
                                 r->path);
    return PINETL_OK;
}

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
