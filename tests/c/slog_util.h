/* Helpers shared by the stream log tests: deterministic records (the payload of sequence number
 * s is a function of s, so a reader can check every byte it gets) and temporary folders. */
#ifndef PINETL_TEST_SLOG_UTIL_H
#define PINETL_TEST_SLOG_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/streamlog.h>

/* Payload length of record seq: mostly small, some spanning the reader's buffer. */
static inline size_t slog_len(uint64_t seq, size_t big) {
    if (big && seq % 97 == 0)
        return big + (size_t)(seq % 13);
    return (size_t)((seq * 2654435761u) % 300);
}

/* Fills buf with the payload of seq (len bytes). */
static inline void slog_fill(char *buf, size_t len, uint64_t seq) {
    uint64_t x = seq * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (char)(x & 0xff);
    }
}

/* 1 when rec is exactly the record that slog_fill makes for rec->seq. */
static inline int slog_matches(const pinetl_streamlog_record *rec, size_t big) {
    size_t len = slog_len(rec->seq, big);
    if (rec->data_len != len)
        return 0;
    char *want = malloc(len ? len : 1);
    if (!want)
        return 0;
    slog_fill(want, len, rec->seq);
    int ok = memcmp(want, rec->data, len) == 0;
    char key[32];
    int kl = snprintf(key, sizeof key, "k%llu", (unsigned long long)(rec->seq % 7));
    ok = ok && rec->key_len == (size_t)kl && memcmp(rec->key, key, (size_t)kl) == 0;
    free(want);
    return ok;
}

/* Appends records first..first+n-1 (as slog_fill makes them) in one call. */
static inline int slog_append(pinetl_streamlog *log, uint64_t first, size_t n, size_t big) {
    pinetl_streamlog_record *recs = calloc(n, sizeof *recs);
    char **bufs = calloc(n, sizeof *bufs);
    char(*keys)[32] = calloc(n, 32);
    int rc = recs && bufs && keys ? 0 : -1;
    for (size_t i = 0; !rc && i < n; i++) {
        uint64_t seq = first + i;
        size_t len = slog_len(seq, big);
        bufs[i] = malloc(len ? len : 1);
        if (!bufs[i]) {
            rc = -1;
            break;
        }
        slog_fill(bufs[i], len, seq);
        recs[i].data = bufs[i];
        recs[i].data_len = len;
        recs[i].key_len = (size_t)snprintf(keys[i], 32, "k%llu", (unsigned long long)(seq % 7));
        recs[i].key = keys[i];
    }
    uint64_t got = 0;
    if (!rc)
        rc = pinetl_streamlog_append(&got, log, recs, n);
    if (!rc && got != first) {
        fprintf(stderr, "append: first seq %llu, expected %llu\n", (unsigned long long)got,
                (unsigned long long)first);
        rc = -1;
    }
    for (size_t i = 0; bufs && i < n; i++)
        free(bufs[i]);
    free(bufs);
    free(recs);
    free(keys);
    return rc;
}

/* A fresh temporary folder (mkdtemp) in buf. */
static inline const char *slog_tmpdir(char *buf, size_t cap) {
    const char *base = getenv("TMPDIR");
    snprintf(buf, cap, "%s/pinetl-slog-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf);
}

static inline void slog_rmtree(const char *dir) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
