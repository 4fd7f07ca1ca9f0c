/* Helpers shared by the io tests: read a fixture, clean it in one shot, run it through a reader,
 * and describe rows. Paths are relative to the project root (meson's workdir for tests). */
#ifndef PINETL_TEST_IO_UTIL_H
#define PINETL_TEST_IO_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pinetl/pinetl.h>

/* A growable byte string. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static inline void sbuf_add(sbuf *b, const char *p, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(99);
        }
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void sbuf_free(sbuf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

static inline char *read_fixture(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s (run tests from the project root)\n", path);
        exit(99);
    }
    sbuf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        sbuf_add(&b, tmp, n);
    fclose(f);
    sbuf_add(&b, "", 0);
    *len = b.len;
    return b.p;
}

/* Cleans a whole fixture with pinetl_batch_clean, naming the source by its path. */
static inline pinetl_batch *clean_fixture(pinetl_table table, const char *path, int format) {
    size_t len;
    char *data = read_fixture(path, &len);
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, table))
        exit(99);
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.input_format = format;
    o.source = path;
    if (pinetl_batch_clean(b, data, len, &o)) {
        fprintf(stderr, "%s\n", pinetl_error_last());
        exit(99);
    }
    free(data);
    return b;
}

static inline pinetl_batch *clean_text(pinetl_table table, const char *text, int format) {
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, table))
        exit(99);
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.input_format = format;
    if (pinetl_batch_clean(b, text, strlen(text), &o)) {
        fprintf(stderr, "%s\n", pinetl_error_last());
        exit(99);
    }
    return b;
}

/* Cleans the real sample of a table and the same records in an envelope file; 1 when both render
 * to the same JSON lines. *rows and *rejected describe the envelope's batch. */
static inline int envelope_matches_plain(pinetl_table table, const char *envelope, int format,
                                         size_t *rows, size_t *rejected) {
    char plain[128];
    snprintf(plain, sizeof plain, "tests/data/real-sample/%s.jsonl", pinetl_table_name(table));
    pinetl_batch *a = clean_fixture(table, plain, PINETL_INPUT_AUTO);
    pinetl_batch *b = clean_fixture(table, envelope, format);
    const char *ta, *tb;
    size_t la, lb;
    int same = pinetl_batch_render(&ta, &la, a, PINETL_FORMAT_JSONL, 0) == PINETL_OK &&
               pinetl_batch_render(&tb, &lb, b, PINETL_FORMAT_JSONL, 0) == PINETL_OK && la == lb &&
               memcmp(ta, tb, la) == 0;
    *rows = pinetl_batch_rows(b);
    *rejected = pinetl_batch_rejected(b);
    pinetl_batch_free(a);
    pinetl_batch_free(b);
    return same;
}

/* What a run produced: cleaned rows as JSON lines, rejects as JSON lines, and counts. */
typedef struct run_out {
    sbuf rows, rejects;
    size_t nrows, nrejected, batches;
    pinetl_stats stats;
} run_out;

static inline void run_out_add_batch(run_out *r, pinetl_batch *b) {
    const char *t;
    size_t n;
    if (pinetl_batch_render(&t, &n, b, PINETL_FORMAT_JSONL, 0))
        exit(99);
    sbuf_add(&r->rows, t, n);
    if (pinetl_batch_render_rejects(&t, &n, b))
        exit(99);
    sbuf_add(&r->rejects, t, n);
    r->nrows += pinetl_batch_rows(b);
    r->nrejected += pinetl_batch_rejected(b);
    r->batches++;
}

static inline void run_out_free(run_out *r) {
    sbuf_free(&r->rows);
    sbuf_free(&r->rejects);
}

/* Runs a reader to the end; returns its final status (PINETL_DONE on success). */
static inline int read_all(pinetl_table table, const char *const *paths, size_t n,
                           const pinetl_reader_options *o, run_out *out) {
    memset(out, 0, sizeof *out);
    sbuf_add(&out->rows, "", 0);
    sbuf_add(&out->rejects, "", 0);
    pinetl_reader *r = NULL;
    int rc = pinetl_reader_open(&r, table, paths, n, o);
    if (rc)
        return rc;
    pinetl_batch *b;
    while ((rc = pinetl_reader_step(&b, r)) == PINETL_BATCH)
        run_out_add_batch(out, b);
    pinetl_reader_stats(&out->stats, r);
    pinetl_reader_free(r);
    return rc;
}

/* The first row with this status, or (size_t)-1. */
static inline size_t find_row(const pinetl_batch *b, int status, size_t from) {
    const uint8_t *st = pinetl_batch_status(b);
    for (size_t i = from; i < pinetl_batch_rows(b); i++)
        if (st[i] == status)
            return i;
    return (size_t)-1;
}

static inline int64_t row_ind(const pinetl_batch *b, size_t row) {
    return pinetl_batch_int64(b, 0)[row];
}

/* Writes text to root/rel, making the folders on the way (the S3 sink tests' trees). */
static inline void tree_put(const char *root, const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(99);
    }
    fputs(text, f);
    fclose(f);
}

/* Removes a test's temporary tree (made with mkdtemp) and everything in it. */
static inline void tree_remove(const char *root) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
}

#endif
