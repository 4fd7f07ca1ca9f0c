/* Text views (pinetl_reader_options.text_views): string_view columns that point into the
 * memory-mapped input where a text needs no decoding, and into the batch's own blob where it
 * does. Pinned here: the same values, validity and rejects as the copied (large_string) export
 * on clean, dirty, enveloped and multi-file input; the views in range of their buffers; no copy
 * for plain JSON lines; copies for input that cannot be mapped (a pipe) or was decoded (Kinesis
 * base64); batches that outlive their reader; the options that cannot go with views; and an
 * export that fails on memory leaving the batch intact. Run under ASan + UBSan by tests/run.sh. */
#include <pinetl/pinetl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "util/alloc.h"

enum { MAX_BATCHES = 4096 };

typedef struct exported {
    struct ArrowArray rows[MAX_BATCHES], rejects[MAX_BATCHES];
    size_t n;
    int64_t in_region, in_blob, inlined; /* where the valid texts of longer than 12 bytes are */
} exported;

static int valid_at(const struct ArrowArray *a, int64_t i) {
    const uint8_t *v = a->buffers[0];
    return !v || ((v[(a->offset + i) >> 3] >> ((a->offset + i) & 7)) & 1);
}

/* The text of a string_view value; checks its prefix and that it lies inside its buffer. */
static const char *view_text(const struct ArrowArray *a, int64_t i, int32_t *len, int *buffer) {
    const uint8_t *v = (const uint8_t *)a->buffers[1] + 16 * (a->offset + i);
    memcpy(len, v, 4);
    *buffer = -1;
    if (*len <= 12)
        return (const char *)v + 4;
    int32_t buf, off;
    memcpy(&buf, v + 8, 4);
    memcpy(&off, v + 12, 4);
    int64_t nbuf = a->n_buffers - 3;
    const int64_t *sizes = a->buffers[a->n_buffers - 1];
    CHECK(buf >= 0 && buf < nbuf);
    if (buf < 0 || buf >= nbuf)
        return "";
    CHECK(off >= 0 && (int64_t)off + *len <= sizes[buf]);
    const char *s = (const char *)a->buffers[2 + buf] + off;
    CHECK(memcmp(s, v + 4, 4) == 0);
    *buffer = buf;
    return s;
}

static const char *large_text(const struct ArrowArray *a, int64_t i, int64_t *len) {
    const int64_t *o = a->buffers[1];
    *len = o[a->offset + i + 1] - o[a->offset + i];
    return (const char *)a->buffers[2] + o[a->offset + i];
}

/* Reads paths with or without views, exporting every batch. */
static void read_all(exported *e, pinetl_table t, const char *const *paths, size_t n, int views,
                     pinetl_input_format format) {
    pinetl_reader_options o;
    CHECK_INT(pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION), 0);
    o.batch_bytes = 16 * 1024; /* many batches, rejects inside them */
    o.threads = 2;
    o.text_views = views;
    o.input_format = format;
    pinetl_reader *r = NULL;
    e->n = 0;
    CHECK_INT(pinetl_reader_open(&r, t, paths, n, &o), 0);
    if (!r)
        return;
    pinetl_batch *batch;
    int rc;
    while ((rc = pinetl_reader_step(&batch, r)) == PINETL_BATCH && e->n < MAX_BATCHES) {
        CHECK_INT(pinetl_arrow_export_reader(&e->rows[e->n], &e->rejects[e->n], r), 0);
        e->n++;
    }
    CHECK_INT(rc, PINETL_DONE);
    pinetl_reader_free(r); /* the exported batches live on, and the mapping with them */
}

static void release_all(exported *e) {
    for (size_t i = 0; i < e->n; i++) {
        e->rows[i].release(&e->rows[i]);
        e->rejects[i].release(&e->rejects[i]);
    }
}

/* A row of an export: batch b, row i, walking all batches (batch boundaries may differ: a batch
 * with views never spans two mapped files). */
typedef struct cursor {
    const exported *e;
    size_t b;
    int64_t i;
} cursor;

static int cursor_next(cursor *c, const struct ArrowArray *arrays) {
    while (c->b < c->e->n && c->i >= arrays[c->b].length) {
        c->b++;
        c->i = 0;
    }
    return c->b < c->e->n;
}

/* Views and copies hold the same rows, value for value, and the same rejects. */
static void compare(exported *v, exported *c, pinetl_table t) {
    int ncols = pinetl_column_count(t);
    cursor cv = {v, 0, 0}, cc = {c, 0, 0};
    int64_t rows = 0;
    while (cursor_next(&cv, v->rows) & cursor_next(&cc, c->rows)) {
        const struct ArrowArray *vr = &v->rows[cv.b], *cr = &c->rows[cc.b];
        for (int col = 0; col < ncols; col++) {
            const struct ArrowArray *va = vr->children[col], *ca = cr->children[col];
            int valid = valid_at(ca, cc.i);
            CHECK_INT(valid_at(va, cv.i), valid);
            if (!valid)
                continue;
            int type = pinetl_column_type(t, col);
            if (type == PINETL_TYPE_INT64 || type == PINETL_TYPE_TIMESTAMP) {
                CHECK_INT(((const int64_t *)va->buffers[1])[cv.i],
                          ((const int64_t *)ca->buffers[1])[cc.i]);
                continue;
            }
            if (type != PINETL_TYPE_TEXT)
                continue;
            int32_t vl;
            int64_t cl;
            int buf;
            const char *vs = view_text(va, cv.i, &vl, &buf);
            const char *cs = large_text(ca, cc.i, &cl);
            CHECK(vl == cl && memcmp(vs, cs, (size_t)cl) == 0);
            if (buf < 0)
                v->inlined++;
            else if (buf == 0)
                v->in_blob++;
            else
                v->in_region++;
        }
        cv.i++;
        cc.i++;
        rows++;
    }
    CHECK(!cursor_next(&cv, v->rows) && !cursor_next(&cc, c->rows)); /* as many rows */
    /* rejects: the same lines, in order */
    cursor rv = {v, 0, 0}, rc = {c, 0, 0};
    while (cursor_next(&rv, v->rejects) & cursor_next(&rc, c->rejects)) {
        CHECK_INT(((const int64_t *)v->rejects[rv.b].children[2]->buffers[1])[rv.i],
                  ((const int64_t *)c->rejects[rc.b].children[2]->buffers[1])[rc.i]);
        rv.i++;
        rc.i++;
    }
    CHECK(!cursor_next(&rv, v->rejects) && !cursor_next(&rc, c->rejects));
}

static exported views, copies;

static void check_same(pinetl_table t, const char *const *paths, size_t n,
                       pinetl_input_format format) {
    memset(&views, 0, sizeof views);
    read_all(&views, t, paths, n, 1, format);
    read_all(&copies, t, paths, n, 0, format);
    compare(&views, &copies, t);
    release_all(&views);
    release_all(&copies);
}

static void test_views_equal_copies_and_point_into_the_input(void) {
    static const char *const tables[] = {"pin", "geo", "user"};
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "tests/data/real-sample/%s.jsonl", tables[i]);
        const char *p = path;
        check_same((pinetl_table)i, &p, 1, PINETL_INPUT_AUTO);
        /* plain JSON lines: the long texts point into the mapped file; a pin's are hardly ever
         * copied (an escape), a user's name always is (first and last name joined) */
        if (i == PINETL_TABLE_PIN)
            CHECK(views.in_region > 10000 && views.in_blob * 100 < views.in_region);
        if (i == PINETL_TABLE_GEO)
            CHECK(views.in_region > 100 && views.in_blob == 0);
        if (i == PINETL_TABLE_USER)
            CHECK(views.in_region == 0 && views.in_blob > 1000);
    }
}

static void test_views_on_dirty_and_enveloped_input(void) {
    const char *malformed = "tests/data/io/malformed.jsonl";
    for (int t = 0; t < 3; t++)
        check_same((pinetl_table)t, &malformed, 1, PINETL_INPUT_AUTO);
    const char *files[] = {"tests/data/envelopes/pin.kafka-rest.jsonl",
                           "tests/data/envelopes/pin.kafka-dump.jsonl",
                           "tests/data/envelopes/pin.array.json"};
    for (int i = 0; i < 3; i++)
        check_same(PINETL_TABLE_PIN, &files[i], 1, PINETL_INPUT_AUTO);
    /* Kinesis data in base64 is decoded, so nowhere in the file: those texts are copied */
    const char *kinesis = "tests/data/envelopes/pin.kinesis.jsonl";
    check_same(PINETL_TABLE_PIN, &kinesis, 1, PINETL_INPUT_AUTO);
    CHECK(views.in_blob > 1000);
    /* an S3 sink directory: many files, so many mappings; a batch never spans two */
    const char *sink = "tests/data/envelopes/s3-sink";
    check_same(PINETL_TABLE_GEO, &sink, 1, PINETL_INPUT_S3_SINK);
    CHECK(views.in_region > 0);
    /* several inputs in one reader */
    const char *two[] = {"tests/data/real-sample/user.jsonl", "tests/data/io/malformed.jsonl"};
    check_same(PINETL_TABLE_USER, two, 2, PINETL_INPUT_AUTO);
}

typedef struct feed {
    int fd;
    const char *data;
} feed;

static void *write_feed(void *arg) {
    feed *f = arg;
    size_t len = strlen(f->data), done = 0;
    while (done < len) {
        ssize_t n = write(f->fd, f->data + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(f->fd);
    return NULL;
}

/* Standard input from a pipe cannot be mapped: its texts are copied, still as views. */
static void test_views_from_a_pipe_are_copies(void) {
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    feed f = {fds[1], "{\"index\": 1, \"title\": \"A title longer than twelve\", \"category\": "
                      "\"art\"}\n{\"index\": 2, \"title\": \"x\\ny\"}\nnot json\n"};
    pthread_t th;
    pthread_create(&th, NULL, write_feed, &f);
    const char *in = "-";
    memset(&views, 0, sizeof views);
    read_all(&views, PINETL_TABLE_PIN, &in, 1, 1, PINETL_INPUT_AUTO);
    pthread_join(th, NULL);
    dup2(saved, STDIN_FILENO);
    close(saved);
    CHECK_INT((int64_t)views.n, 1);
    if (views.n != 1)
        return;
    const struct ArrowArray *title = views.rows[0].children[PINETL_PIN_TITLE];
    CHECK_INT(views.rows[0].length, 2);
    CHECK_INT(views.rejects[0].length, 1);
    int32_t len;
    int buf;
    const char *s = view_text(title, 0, &len, &buf);
    CHECK(len == 26 && memcmp(s, "A title longer than twelve", 26) == 0);
    CHECK_INT(buf, 0);
    s = view_text(title, 1, &len, &buf);
    CHECK(len == 3 && memcmp(s, "x\ny", 3) == 0); /* decoded, inline */
    const struct ArrowArray *cat = views.rows[0].children[PINETL_PIN_CATEGORY];
    CHECK(valid_at(cat, 0) && !valid_at(cat, 1));
    release_all(&views);
}

static void test_views_options(void) {
    const char *path = "tests/data/real-sample/geo.jsonl";
    pinetl_reader_options o;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION), 0);
    o.text_views = 1;
    o.render_format = PINETL_FORMAT_JSONL;
    CHECK(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o) == PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "text views") != NULL);
    o.render_format = 0;
    o.dict_columns = 1u << PINETL_GEO_COUNTRY;
    CHECK(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o) == PINETL_EINVAL);

    /* a batch with views is not rendered and has no blob or offsets to hand out */
    o.dict_columns = 0;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o), 0);
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_reader_step(&b, r), PINETL_BATCH);
    const char *out;
    size_t len;
    CHECK(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0) == PINETL_EINVAL);
    CHECK(pinetl_batch_text_data(b, PINETL_GEO_COUNTRY) == NULL);
    CHECK(pinetl_batch_text_offsets(b, PINETL_GEO_COUNTRY) == NULL);
    pinetl_reader_free(r);

    /* options of version 1 (before text_views) still open a reader, without views */
    pinetl_reader_options v1;
    CHECK_INT(pinetl_reader_options_init(&v1, PINETL_READER_OPTIONS_VERSION), 0);
    v1.version = 1;
    v1.text_views = 1; /* not part of version 1: ignored */
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &v1), 0);
    CHECK_INT(pinetl_reader_step(&b, r), PINETL_BATCH);
    CHECK(pinetl_batch_text_data(b, PINETL_GEO_COUNTRY) != NULL);
    pinetl_reader_free(r);
    v1.version = 3;
    CHECK(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &v1) == PINETL_EINVAL);

    struct ArrowSchema s;
    CHECK_INT(pinetl_arrow_view_schema(&s, PINETL_TABLE_GEO), 0);
    CHECK_STR(s.children[PINETL_GEO_COUNTRY]->format, "vu");
    CHECK_STR(s.children[PINETL_GEO_TIMESTAMP]->format, "tsu:UTC");
    s.release(&s);
}

/* The N-th allocation of an export of a batch with views and rejects fails: the export fails
 * cleanly and the batch is unchanged, so exporting it again gives the right rows. */
static void test_views_export_failure_leaves_the_batch_intact(void) {
    const char *path = "tests/data/io/malformed.jsonl";
    pinetl_reader_options o;
    CHECK_INT(pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION), 0);
    o.text_views = 1;
    o.batch_bytes = 16 * 1024; /* as read_all's: the same first batch */
    memset(&copies, 0, sizeof copies);
    read_all(&copies, PINETL_TABLE_PIN, &path, 1, 0, PINETL_INPUT_AUTO);
    int failures = 0, completed = 0;
    for (long nth = 1; nth < 500 && !completed; nth++) {
        pinetl_reader *r = NULL;
        CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &path, 1, &o), 0);
        pinetl_batch *b = NULL;
        if (!r || pinetl_reader_step(&b, r) != PINETL_BATCH ||
            pinetl_reader_take_batch(&b, r) != 0) {
            CHECK(0);
            pinetl_reader_free(r);
            return;
        }
        pinetl_reader_free(r);
        CHECK(pinetl_batch_rejected(b) > 0);
        struct ArrowArray rows, rej;
        pinetl__alloc_fail_nth(nth);
        int rc = pinetl_arrow_export_batch(&rows, &rej, b);
        long pending = pinetl__alloc_fail_pending();
        pinetl__alloc_fail_nth(0);
        if (rc == 0) {
            completed = pending > 0;
        } else {
            CHECK_INT(rc, PINETL_ENOMEM);
            failures++;
            CHECK_INT(pinetl_arrow_export_batch(&rows, &rej, b), 0);
        }
        /* the first batch of the copies is the same input */
        memset(&views, 0, sizeof views);
        views.rows[0] = rows;
        views.rejects[0] = rej;
        views.n = 1;
        CHECK_INT(rows.length, copies.rows[0].length);
        for (int c = 0; c < pinetl_column_count(PINETL_TABLE_PIN); c++)
            CHECK_INT(rows.children[c]->null_count, copies.rows[0].children[c]->null_count);
        const int64_t *ind = rows.children[0]->buffers[1];
        const int64_t *want = copies.rows[0].children[0]->buffers[1];
        CHECK(rows.length == 0 || memcmp(ind, want, (size_t)rows.length * 8) == 0);
        release_all(&views);
    }
    release_all(&copies);
    CHECK(completed);
    CHECK(failures > 5);
}

int main(void) {
    RUN(test_views_equal_copies_and_point_into_the_input);
    RUN(test_views_on_dirty_and_enveloped_input);
    RUN(test_views_from_a_pipe_are_copies);
    RUN(test_views_options);
    RUN(test_views_export_failure_leaves_the_batch_intact);
    return check_done();
}
