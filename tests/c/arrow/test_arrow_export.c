/* The Arrow C Data Interface export: schema formats and names, lengths, null counts, offsets,
 * zero-copy where the layout allows, gathered rows when rejects sit between cleaned rows, the
 * rejects' columns, and release semantics (children moved out and released after their parent,
 * the batch kept alive until the last release). Run under ASan + UBSan by tests/run.sh, which
 * catches a use after free or a leak in the release paths. */
#include <pinetl/pinetl.h>
#include <stdlib.h>

#include "check.h"
#include "util/alloc.h"

static pinetl_batch *clean(pinetl_table table, const char *jsonl) {
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, table) != 0)
        return NULL;
    if (pinetl_batch_clean(b, jsonl, strlen(jsonl), NULL) != 0) {
        pinetl_batch_free(b);
        return NULL;
    }
    return b;
}

static const char *text_at(const struct ArrowArray *a, int64_t i, int64_t *len) {
    const int64_t *o = a->buffers[1];
    *len = o[a->offset + i + 1] - o[a->offset + i];
    return (const char *)a->buffers[2] + o[a->offset + i];
}

static int is_valid(const struct ArrowArray *a, int64_t i) {
    const uint8_t *v = a->buffers[0];
    return !v || ((v[(a->offset + i) >> 3] >> ((a->offset + i) & 7)) & 1);
}

static void test_schema_formats(void) {
    struct ArrowSchema s;
    CHECK_INT(pinetl_arrow_schema(&s, PINETL_TABLE_GEO), 0);
    CHECK_STR(s.format, "+s");
    CHECK_INT(s.n_children, 4);
    CHECK_STR(s.children[0]->name, "ind");
    CHECK_STR(s.children[0]->format, "l");
    CHECK_INT(s.children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK_STR(s.children[1]->name, "country");
    CHECK_STR(s.children[1]->format, "U");
    CHECK_INT(s.children[1]->flags & ARROW_FLAG_NULLABLE, ARROW_FLAG_NULLABLE);
    CHECK_STR(s.children[2]->name, "coordinates");
    CHECK_STR(s.children[2]->format, "+w:2");
    CHECK_INT(s.children[2]->n_children, 1);
    CHECK_STR(s.children[2]->children[0]->format, "g");
    CHECK_STR(s.children[3]->name, "timestamp");
    CHECK_STR(s.children[3]->format, "tsu:UTC");
    /* a child moved out lives on after its parent's release */
    struct ArrowSchema moved = *s.children[2];
    s.children[2]->release = NULL;
    s.release(&s);
    CHECK(s.release == NULL);
    CHECK_STR(moved.children[0]->name, "item");
    moved.release(&moved);

    CHECK_INT(pinetl_arrow_schema(&s, PINETL_TABLE_PIN), 0);
    CHECK_INT(s.n_children, pinetl_column_count(PINETL_TABLE_PIN));
    for (int c = 0; c < s.n_children; c++)
        CHECK_STR(s.children[c]->name, pinetl_column_name(PINETL_TABLE_PIN, c));
    s.release(&s);

    CHECK_INT(pinetl_arrow_rejects_schema(&s), 0);
    CHECK_INT(s.n_children, 7);
    const char *names[] = {"table", "source", "line", "offset", "reason", "message", "raw"};
    const char *formats[] = {"U", "U", "l", "l", "U", "U", "Z"};
    for (int c = 0; c < 7; c++) {
        CHECK_STR(s.children[c]->name, names[c]);
        CHECK_STR(s.children[c]->format, formats[c]);
    }
    s.release(&s);
    CHECK(pinetl_arrow_schema(&s, (pinetl_table)7) == PINETL_EINVAL);
}

/* No rejects: every buffer is the batch's own. */
static void test_zero_copy_without_rejects(void) {
    pinetl_batch *b = clean(
        PINETL_TABLE_GEO,
        "{\"ind\": 1, \"country\": \"Chad\", \"latitude\": 1.5, \"longitude\": -2.25, "
        "\"timestamp\": \"2020-01-02 03:04:05\"}\n"
        "{\"ind\": 2, \"country\": null, \"latitude\": \"x\", \"longitude\": 0}\n"
        "{\"ind\": 3, \"country\": \"\u00c9\", \"latitude\": 0, \"longitude\": 0, \"timestamp\": 0}\n");
    CHECK(b != NULL);
    if (!b)
        return;
    const char *text = pinetl_batch_text_data(b, 1);
    const int64_t *offs = pinetl_batch_text_offsets(b, 1);
    const int64_t *ind = pinetl_batch_int64(b, 0);
    const double *coords = pinetl_batch_coords(b, 2);
    struct ArrowArray rows, rej;
    CHECK_INT(pinetl_arrow_export_batch(&rows, &rej, b), 0);
    CHECK_INT(rows.length, 3);
    CHECK_INT(rows.null_count, 0);
    CHECK_INT(rows.n_children, 4);
    CHECK_INT(rows.n_buffers, 1);
    CHECK(rows.buffers[0] == NULL);
    CHECK_INT(rej.length, 0);

    struct ArrowArray *a = rows.children[0];
    CHECK_INT(a->n_buffers, 2);
    CHECK_INT(a->null_count, 0);
    CHECK(a->buffers[0] == NULL);
    CHECK(a->buffers[1] == ind);
    CHECK_INT(((const int64_t *)a->buffers[1])[2], 3);

    a = rows.children[1];
    CHECK_INT(a->n_buffers, 3);
    CHECK_INT(a->null_count, 1);
    CHECK(a->buffers[1] == offs);
    CHECK(a->buffers[2] == text);
    CHECK(!is_valid(a, 1) && is_valid(a, 0) && is_valid(a, 2));
    int64_t len;
    const char *s = text_at(a, 0, &len);
    CHECK_MEM(s, (size_t)len, "Chad");
    text_at(a, 1, &len);
    CHECK_INT(len, 0);
    s = text_at(a, 2, &len);
    CHECK_MEM(s, (size_t)len, "\xc3\x89");

    a = rows.children[2];
    CHECK_INT(a->n_buffers, 1); /* validity only: the values are the child's */
    CHECK_INT(a->children[0]->n_buffers, 2);
    CHECK_INT(a->null_count, 1);
    CHECK_INT(a->n_children, 1);
    CHECK_INT(a->children[0]->length, 6);
    CHECK(a->children[0]->buffers[1] == coords);
    CHECK(((const double *)a->children[0]->buffers[1])[1] == -2.25);

    a = rows.children[3];
    CHECK_INT(a->null_count, 1);
    CHECK_INT(((const int64_t *)a->buffers[1])[0], 1577934245000000LL);
    CHECK_INT(((const int64_t *)a->buffers[1])[2], 0);

    /* Release order: move a column out, release the parent, then the rejects, then the column:
     * the batch's text must still be readable until the last release (ASan checks). */
    struct ArrowArray country = *rows.children[1];
    rows.children[1]->release = NULL;
    rows.release(&rows);
    CHECK(rows.release == NULL);
    rej.release(&rej);
    s = text_at(&country, 0, &len);
    CHECK_MEM(s, (size_t)len, "Chad");
    country.release(&country);
    CHECK(country.release == NULL);
}

/* Rejects between cleaned rows: the cleaned rows are gathered; text bytes stay the batch's. */
static void test_rows_gathered_around_rejects(void) {
    pinetl_batch *b =
        clean(PINETL_TABLE_USER,
              "{\"ind\": 10, \"first_name\": \"Ann\", \"age\": 20}\n"
              "{\"ind\": \"x\"}\n"
              "not json\n"
              "{\"ind\": 11, \"first_name\": null, \"age\": \"old\"}\n"
              "[1]\n"
              "{\"ind\": 12, \"first_name\": \"Bo\", \"last_name\": \"Li\", \"age\": 30}\n");
    CHECK(b != NULL);
    if (!b)
        return;
    CHECK_INT(pinetl_batch_rows(b), 6);
    CHECK_INT(pinetl_batch_rejected(b), 3);
    struct ArrowArray rows, rej;
    CHECK_INT(pinetl_arrow_export_batch(&rows, &rej, b), 0);
    CHECK_INT(rows.length, 3);
    int ind_col = -1, first = -1, age = -1;
    for (int c = 0; c < pinetl_column_count(PINETL_TABLE_USER); c++) {
        const char *name = pinetl_column_name(PINETL_TABLE_USER, c);
        if (!strcmp(name, "ind"))
            ind_col = c;
        if (!strcmp(name, "user_name"))
            first = c;
        if (!strcmp(name, "age"))
            age = c;
    }
    CHECK(ind_col == 0 && first > 0 && age > 0);
    const int64_t *ind = rows.children[ind_col]->buffers[1];
    CHECK_INT(ind[0], 10);
    CHECK_INT(ind[1], 11);
    CHECK_INT(ind[2], 12);
    CHECK_INT(rows.children[ind_col]->null_count, 0);

    struct ArrowArray *a = rows.children[first];
    CHECK_INT(a->length, 3);
    CHECK_INT(a->null_count, 1);
    CHECK(a->buffers[2] == pinetl_batch_text_data(b, first));
    const int64_t *o = a->buffers[1];
    CHECK(o[0] <= o[1] && o[1] <= o[2] && o[2] <= o[3]);
    int64_t len;
    const char *s = text_at(a, 0, &len);
    CHECK_MEM(s, (size_t)len, "Ann");
    CHECK(!is_valid(a, 1));
    s = text_at(a, 2, &len);
    CHECK_MEM(s, (size_t)len, "Bo Li");

    a = rows.children[age];
    CHECK_INT(a->null_count, 1);
    CHECK(is_valid(a, 0) && !is_valid(a, 1) && is_valid(a, 2));
    CHECK_INT(((const int64_t *)a->buffers[1])[2], 30);

    CHECK_INT(rej.length, 3);
    CHECK_INT(rej.n_children, 7);
    const struct ArrowArray *reason = rej.children[4], *raw = rej.children[6];
    const int64_t *lines = rej.children[2]->buffers[1];
    CHECK_INT(lines[0], 2);
    CHECK_INT(lines[1], 3);
    CHECK_INT(lines[2], 5);
    s = text_at(reason, 0, &len);
    CHECK_MEM(s, (size_t)len, "bad_key");
    s = text_at(reason, 1, &len);
    CHECK_MEM(s, (size_t)len, "invalid_json");
    s = text_at(reason, 2, &len);
    CHECK_MEM(s, (size_t)len, "not_an_object");
    s = text_at(raw, 1, &len);
    CHECK_MEM(s, (size_t)len, "not json");
    s = text_at(rej.children[0], 2, &len);
    CHECK_MEM(s, (size_t)len, "user");
    s = text_at(rej.children[1], 0, &len);
    CHECK_MEM(s, (size_t)len, "<input>");
    s = text_at(rej.children[5], 0, &len);
    CHECK(len > 0 && memchr(s, '\'', (size_t)len) != NULL); /* names the field */
    for (int c = 0; c < 7; c++)
        CHECK_INT(rej.children[c]->null_count, 0);

    /* rejects released first, then the rows: either order frees everything once */
    rej.release(&rej);
    s = text_at(rows.children[first], 2, &len);
    CHECK_MEM(s, (size_t)len, "Bo Li");
    rows.release(&rows);
}

/* Only rejects, only rows wanted, an empty batch. */
static void test_edge_cases(void) {
    pinetl_batch *b = clean(PINETL_TABLE_PIN, "{\"ind\": 1.5}\n\"text\"\n");
    CHECK(b != NULL);
    if (!b)
        return;
    struct ArrowArray rows, rej;
    CHECK_INT(pinetl_arrow_export_batch(&rows, NULL, b), 0);
    CHECK_INT(rows.length, 0);
    for (int c = 0; c < rows.n_children; c++) {
        CHECK_INT(rows.children[c]->length, 0);
        CHECK(rows.children[c]->n_buffers < 2 || rows.children[c]->buffers[1] != NULL);
    }
    rows.release(&rows);

    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), 0);
    CHECK_INT(pinetl_arrow_export_batch(NULL, &rej, b), 0);
    CHECK_INT(rej.length, 0);
    CHECK(((const int64_t *)rej.children[6]->buffers[1])[0] == 0);
    rej.release(&rej);

    CHECK(pinetl_arrow_export_batch(NULL, NULL, NULL) == PINETL_EINVAL);
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), 0);
    CHECK(pinetl_arrow_export_batch(NULL, NULL, b) == PINETL_EINVAL); /* still ours */
    pinetl_batch_free(b);
}

/* Batches taken from a reader outlive the steps after them. */
static void test_reader_batches_outlive_steps(void) {
    const char *path = "tests/data/real-sample/pin.jsonl";
    pinetl_reader_options o;
    CHECK_INT(pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION), 0);
    o.batch_bytes = 64 * 1024; /* several batches */
    o.threads = 2;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &path, 1, &o), 0);
    if (!r)
        return;
    struct ArrowArray arrays[256];
    size_t n = 0;
    int64_t total = 0, rejected = 0;
    pinetl_batch *batch;
    CHECK(pinetl_arrow_export_reader(&arrays[0], NULL, r) == PINETL_EINVAL); /* no step yet */
    while (pinetl_reader_step(&batch, r) == PINETL_BATCH && n < 256) {
        struct ArrowArray rej;
        CHECK_INT(pinetl_arrow_export_reader(&arrays[n], &rej, r), 0);
        CHECK(pinetl_reader_take_batch(&batch, r) == PINETL_EINVAL); /* taken already */
        total += arrays[n].length;
        rejected += rej.length;
        rej.release(&rej);
        n++;
    }
    CHECK(n > 1);
    pinetl_stats st;
    pinetl_reader_stats(&st, r);
    pinetl_reader_free(r);
    CHECK_INT(total, st.cleaned);
    CHECK_INT(rejected, st.rejected);
    /* every batch's first and last ind are still readable after the reader is gone */
    for (size_t i = 0; i < n; i++) {
        const int64_t *ind = arrays[i].children[0]->buffers[1];
        CHECK(arrays[i].length == 0 || (ind[0] >= 0 && ind[arrays[i].length - 1] >= 0));
        arrays[i].release(&arrays[i]);
    }
}

/* Allocation failure: for N = 1, 2, ... the N-th allocation of an export fails; the export must
 * then fail with PINETL_ENOMEM, leave the batch the caller's (freed here) and leak nothing
 * (LeakSanitizer in the sanitizer build); the sweep ends when an export completes first. */
static void test_allocation_failure_leaves_the_batch_to_the_caller(void) {
    const char *input = "{\"ind\": 1, \"country\": \"Chad\", \"latitude\": 1, \"longitude\": 2}\n"
                        "[1]\n"
                        "{\"ind\": 2, \"country\": null, \"timestamp\": 0}\n";
    int failures = 0, completed = 0;
    for (long nth = 1; nth < 500 && !completed; nth++) {
        pinetl_batch *b = clean(PINETL_TABLE_GEO, input);
        CHECK(b != NULL);
        if (!b)
            return;
        struct ArrowArray rows, rej;
        pinetl__alloc_fail_nth(nth);
        int rc = pinetl_arrow_export_batch(&rows, &rej, b);
        long pending = pinetl__alloc_fail_pending();
        pinetl__alloc_fail_nth(0);
        if (rc == 0) {
            CHECK_INT(rows.length, 2);
            CHECK_INT(rej.length, 1);
            rows.release(&rows);
            rej.release(&rej);
            completed = pending > 0; /* finished before the failing allocation */
        } else {
            CHECK_INT(rc, PINETL_ENOMEM);
            CHECK(strstr(pinetl_error_last(), "memory") != NULL);
            CHECK(rows.release == NULL && rej.release == NULL);
            pinetl_batch_free(b);
            failures++;
        }
        struct ArrowSchema s;
        pinetl__alloc_fail_nth(nth);
        rc = pinetl_arrow_schema(&s, PINETL_TABLE_GEO);
        pinetl__alloc_fail_nth(0);
        if (rc == 0)
            s.release(&s);
        else
            CHECK_INT(rc, PINETL_ENOMEM);
    }
    CHECK(completed);
    CHECK(failures > 5);
}

int main(void) {
    RUN(test_schema_formats);
    RUN(test_zero_copy_without_rejects);
    RUN(test_rows_gathered_around_rejects);
    RUN(test_edge_cases);
    RUN(test_reader_batches_outlive_steps);
    RUN(test_allocation_failure_leaves_the_batch_to_the_caller);
    return check_done();
}
