/* SPEC.md "Limits", each just below and just above: the record (line) size, the nesting depth,
 * the number of keys of an object (no limit of its own: bounded by the record size, scanned in
 * one pass), and the raw bytes a too_large reject keeps. Beyond a limit is a reject with its
 * reason, reading goes on, and memory stays bounded (a 256 MiB line through a pipe). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "io_util.h"

enum { MiB = 1 << 20 };

/* {"index":2,"title":"xxx...x"} exactly len bytes long. */
static void add_record_of(sbuf *t, size_t len) {
    static const char head[] = "{\"index\":2,\"title\":\"";
    size_t fill = len - (sizeof head - 1) - 2;
    sbuf_add(t, head, sizeof head - 1);
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    for (size_t i = 0; i < fill; i += sizeof chunk)
        sbuf_add(t, chunk, fill - i < sizeof chunk ? fill - i : sizeof chunk);
    sbuf_add(t, "\"}", 2);
}

/* Three JSON lines, the middle one `len` bytes long without its line end: `lead`, a record,
 * `trail`, then `eol`. */
static char *three_lines(size_t len, const char *lead, const char *trail, const char *eol,
                         size_t *total) {
    sbuf t = {0};
    sbuf_add(&t, "{\"index\":1}\n", 12);
    sbuf_add(&t, lead, strlen(lead));
    add_record_of(&t, len - strlen(lead) - strlen(trail));
    sbuf_add(&t, trail, strlen(trail));
    sbuf_add(&t, eol, strlen(eol));
    sbuf_add(&t, "{\"index\":3}\n", 12);
    *total = t.len;
    return t.p;
}

static char tmp_path[64];

static const char *write_tmp(const char *data, size_t len) {
    snprintf(tmp_path, sizeof tmp_path, "/tmp/pinetl-limits-XXXXXX");
    int fd = mkstemp(tmp_path);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len)
        exit(99);
    close(fd);
    return tmp_path;
}

/* What happened to line 2 of a three-line input read by a reader with this limit and block. */
typedef struct outcome {
    size_t rows;
    int status;
    size_t raw_len;
    char msg[200];
    int third_ok;
} outcome;

static outcome read_three(const char *path, size_t max_record, size_t block) {
    outcome o = {0};
    pinetl_reader_options opt;
    pinetl_reader_options_init(&opt, PINETL_READER_OPTIONS_VERSION);
    opt.threads = 1;
    opt.max_record_bytes = max_record;
    opt.batch_bytes = block;
    pinetl_reader *r = NULL;
    if (pinetl_reader_open(&r, PINETL_TABLE_PIN, &path, 1, &opt)) {
        snprintf(o.msg, sizeof o.msg, "open: %s", pinetl_error_last());
        return o;
    }
    pinetl_batch *b;
    while (pinetl_reader_step(&b, r) == PINETL_BATCH)
        for (size_t i = 0; i < pinetl_batch_rows(b); i++, o.rows++) {
            int64_t line = pinetl_batch_lines(b)[i];
            int st = pinetl_batch_status(b)[i];
            if (line == 2) {
                o.status = st;
                const char *raw;
                if (st && !pinetl_batch_reject_raw(&raw, &o.raw_len, b, i))
                    snprintf(o.msg, sizeof o.msg, "%s", pinetl_batch_reject_message(b, i));
            } else if (line == 3) {
                o.third_ok = st == 0 && pinetl_batch_int64(b, 0)[i] == 3;
            }
        }
    pinetl_reader_free(r);
    return o;
}

/* A line (without its \n or \r\n end) at the limit is a record; one byte more is a too_large
 * reject holding the line's first `limit` bytes. The same whatever the reader's block size: a
 * block smaller than the line meets it in pieces, a larger one whole. (The whole line used to
 * keep all its bytes as raw, with another message; and a record at the limit followed by \r\n
 * or spaces was too_large only when a read happened to end inside that line end.) */
static void test_line_length_at_the_limit(void) {
    static const char *const shapes[][3] = {
        {"", "", "\n"},
        {"", "", "\r\n"},
        {"  ", " \t", "\n"},
        {"\t", "  ", "\r\n"},
    };
    static const size_t blocks[] = {16, 128, 1000, 1011, 1012, 1013, 1014, 1015, 1016, 4096, 65536};
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++)
        for (size_t extra = 0; extra <= 1; extra++) {
            size_t len;
            char *text = three_lines(1000 + extra, shapes[k][0], shapes[k][1], shapes[k][2], &len);
            const char *path = write_tmp(text, len);
            int before = check_failures;
            for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) {
                outcome o = read_three(path, 1000, blocks[i]);
                CHECK_INT(o.rows, 3);
                CHECK(o.third_ok);
                if (!extra) {
                    CHECK_INT(o.status, 0);
                } else {
                    CHECK_INT(o.status, PINETL_REJECT_TOO_LARGE);
                    CHECK_INT(o.raw_len, 1000);
                    CHECK_STR(o.msg, "record larger than the limit of 1000 bytes (raw holds its "
                                     "first 1000 bytes)");
                }
                if (check_failures != before) {
                    fprintf(stderr, "  (line of %zu bytes, shape %zu, block %zu)\n", 1000 + extra,
                            k, blocks[i]);
                    break;
                }
            }
            unlink(tmp_path);
            free(text);
        }
}

/* The default limit, 8 MiB, in memory (pinetl_batch_clean) and through a reader; the raw bytes
 * kept are 1 MiB. */
static void test_default_record_limit(void) {
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t len;
        char *text = three_lines(8 * MiB + extra, "", "", "\n", &len);
        pinetl_batch *b = NULL;
        CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), PINETL_OK);
        CHECK_INT(pinetl_batch_clean(b, text, len, NULL), PINETL_OK);
        CHECK_INT(pinetl_batch_rows(b), 3);
        CHECK_INT(pinetl_batch_status(b)[1], extra ? PINETL_REJECT_TOO_LARGE : 0);
        CHECK_INT(pinetl_batch_status(b)[2], 0);
        if (extra) {
            const char *raw;
            size_t raw_len = 0;
            CHECK_INT(pinetl_batch_reject_raw(&raw, &raw_len, b, 1), PINETL_OK);
            CHECK_INT(raw_len, MiB);
            CHECK_STR(pinetl_batch_reject_message(b, 1),
                      "record larger than the limit of 8388608 "
                      "bytes (raw holds its first 1048576 bytes)");
        }
        pinetl_batch_free(b);
        const char *path = write_tmp(text, len);
        outcome o = read_three(path, 0, 0);
        CHECK_INT(o.rows, 3);
        CHECK(o.third_ok);
        CHECK_INT(o.status, extra ? PINETL_REJECT_TOO_LARGE : 0);
        if (extra)
            CHECK_INT(o.raw_len, MiB);
        unlink(tmp_path);
        free(text);
    }
}

/* A record nested `levels` deep (the record object is level 1). */
static char *nested_record(int levels) {
    sbuf t = {0};
    sbuf_add(&t, "{\"index\":5,\"x\":", 15);
    for (int i = 1; i < levels; i++)
        sbuf_add(&t, "[", 1);
    for (int i = 1; i < levels; i++)
        sbuf_add(&t, "]", 1);
    sbuf_add(&t, "}", 1);
    return t.p;
}

static void test_nesting_depth_at_the_limit(void) {
    for (int levels = 511; levels <= 513; levels++) {
        char *rec = nested_record(levels);
        pinetl_batch *b = NULL;
        CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), PINETL_OK);
        CHECK_INT(pinetl_batch_clean(b, rec, strlen(rec), NULL), PINETL_OK);
        CHECK_INT(pinetl_batch_rows(b), 1);
        if (levels <= 512) {
            CHECK_INT(pinetl_batch_status(b)[0], 0);
        } else {
            CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_JSON);
            const char *m = pinetl_batch_reject_message(b, 0);
            CHECK(m && strstr(m, "nesting too deep") != NULL);
        }
        pinetl_batch_free(b);
        free(rec);
    }
}

/* In value-by-value input (here a pretty-printed top-level array) an element nested too deeply
 * cannot be delimited without scanning it: it and the rest of the input become one invalid_json
 * reject, as for any invalid value there (spec 1). At 512 levels the element is a record. */
static void test_nesting_depth_in_a_streamed_array(void) {
    for (int levels = 512; levels <= 513; levels++) {
        char *rec = nested_record(levels);
        sbuf t = {0};
        sbuf_add(&t, "[\n", 2);
        sbuf_add(&t, rec, strlen(rec));
        sbuf_add(&t, ",\n{\"index\":6}\n]\n", 16);
        pinetl_batch *b = NULL;
        CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), PINETL_OK);
        CHECK_INT(pinetl_batch_clean(b, t.p, t.len, NULL), PINETL_OK);
        if (levels == 512) {
            CHECK_INT(pinetl_batch_rows(b), 2);
            CHECK_INT(pinetl_batch_rejected(b), 0);
        } else {
            CHECK_INT(pinetl_batch_rows(b), 1);
            CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_JSON);
            const char *m = pinetl_batch_reject_message(b, 0);
            CHECK(m && strstr(m, "nesting too deep; no record boundary can be trusted after it") !=
                           NULL);
        }
        pinetl_batch_free(b);
        sbuf_free(&t);
        free(rec);
    }
}

/* Keys per object: no limit of their own. A record at the record limit made of nothing but keys
 * (about 700,000) is cleaned in one pass, the last duplicate of a field winning; one byte
 * more is too_large like any record. */
static void test_keys_per_object_bounded_by_the_record_size(void) {
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t limit = 8 * MiB;
        sbuf t = {0};
        sbuf_add(&t, "{\"index\":9", 10);
        char key[32];
        size_t keys = 0;
        /* ,"k<n>":0 members up to the limit, then "category" (a duplicate: the last wins). */
        const char tail[] = ",\"category\":\"last\"}";
        while (t.len + 20 + sizeof tail < limit) {
            int n = snprintf(key, sizeof key, ",\"k%zu\":0", keys++);
            sbuf_add(&t, key, (size_t)n);
            if (keys == 10)
                sbuf_add(&t, ",\"category\":\"first\"", 19);
        }
        while (t.len + sizeof tail - 1 < limit + extra)
            sbuf_add(&t, " ", 1);
        sbuf_add(&t, tail, sizeof tail - 1);
        CHECK_INT(t.len, limit + extra);
        CHECK(keys > 600000); /* about 700,000 members of ~12 bytes */
        pinetl_batch *b = NULL;
        CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), PINETL_OK);
        CHECK_INT(pinetl_batch_clean(b, t.p, t.len, NULL), PINETL_OK);
        CHECK_INT(pinetl_batch_rows(b), 1);
        if (!extra) {
            CHECK_INT(pinetl_batch_status(b)[0], 0);
            const char *text = pinetl_batch_text_data(b, PINETL_PIN_CATEGORY);
            const int64_t *offs = pinetl_batch_text_offsets(b, PINETL_PIN_CATEGORY);
            CHECK_MEM(text + offs[0], (size_t)(offs[1] - offs[0]), "last");
        } else {
            CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_TOO_LARGE);
        }
        pinetl_batch_free(b);
        sbuf_free(&t);
    }
}

/* A 256 MiB line through a pipe, read with the default limit: one too_large reject, the next line
 * cleaned, and the process's peak memory grows by far less than the line (about 21 MiB in a
 * release build: the batches in flight, one record limit of buffer and the kept raw prefix; the
 * bound leaves room for a sanitizer's quarantine and shadow memory). */
typedef struct feeder {
    int fd;
    size_t line;
} feeder;

static void *feed(void *arg) {
    feeder *f = arg;
    static char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    const char head[] = "{\"index\":1,\"title\":\"";
    int ok = write(f->fd, head, sizeof head - 1) == (ssize_t)(sizeof head - 1);
    for (size_t done = 0; ok && done < f->line; done += sizeof chunk)
        ok = write(f->fd, chunk, sizeof chunk) == (ssize_t)sizeof chunk;
    const char end[] = "\"}\n{\"index\":2}\n";
    ok = ok && write(f->fd, end, sizeof end - 1) == (ssize_t)(sizeof end - 1);
    close(f->fd);
    return NULL;
}

static long peak_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_huge_line_in_bounded_memory(void) {
    int fds[2];
    if (pipe(fds))
        exit(99);
    feeder f = {fds[1], (size_t)256 * MiB};
    pthread_t th;
    long before = peak_rss_kib();
    if (pthread_create(&th, NULL, feed, &f))
        exit(99);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    const char *p = path;
    pinetl_reader_options opt;
    pinetl_reader_options_init(&opt, PINETL_READER_OPTIONS_VERSION);
    opt.threads = 2;
    run_out out;
    CHECK_INT(read_all(PINETL_TABLE_PIN, &p, 1, &opt, &out), PINETL_DONE);
    pthread_join(th, NULL);
    close(fds[0]);
    CHECK_INT(out.nrows, 2);
    CHECK_INT(out.stats.rejected_by_code[PINETL_REJECT_TOO_LARGE], 1);
    CHECK(strstr(out.rows.p, "\"ind\":2") != NULL);
    run_out_free(&out);
    long grew = peak_rss_kib() - before;
    fprintf(stderr, "  peak RSS grew by %ld KiB reading a 256 MiB line\n", grew);
    CHECK(grew < 64 * 1024);
}

int main(void) {
    RUN(test_huge_line_in_bounded_memory); /* first: the peak before it is the baseline */
    RUN(test_line_length_at_the_limit);
    RUN(test_default_record_limit);
    RUN(test_nesting_depth_at_the_limit);
    RUN(test_nesting_depth_in_a_streamed_array);
    RUN(test_keys_per_object_bounded_by_the_record_size);
    return check_done();
}
