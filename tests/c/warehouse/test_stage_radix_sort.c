/* The load's stage sorts its rows by ind with a radix sort (issue 23): rows of one ind keep their
 * arrival order, so the last staged one is the one written ("the later record wins", SPEC.md);
 * negative and large inds sort as signed numbers; an empty stage sorts to nothing; and running out
 * of memory for the sort's buffer leaves the stage as it was. */
#include <stdlib.h>

#include "check.h"
#include "util/alloc.h"
#include "warehouse/stage.h"

/* Stages (ind[i], tag[i]) rows: ind, then one int64 column holding the tag that names the row. */
static void stage_rows(stage *s, const int64_t *ind, const int64_t *tag, size_t n) {
    static const uint8_t all_valid[1] = {0xff};
    batch_cols k = {0};
    k.n = 2;
    k.type[0] = k.type[1] = PINETL_TYPE_INT64;
    k.valid[1] = all_valid;
    for (size_t i = 0; i < n; i++) {
        k.i64[0] = ind + i;
        k.i64[1] = tag + i;
        CHECK_INT(pinetl__stage_add(s, 0, &k, 0), 0);
    }
}

/* The tag of sorted row i (the packed row: a flag byte, then the int64). */
static int64_t tag_at(const stage *s, size_t i) {
    int64_t v;
    memcpy(&v, s->data + s->rows[i].at + 1, sizeof v);
    return v;
}

static void test_ties_keep_input_order_so_the_later_row_wins(void) {
    stage s;
    pinetl__stage_init(&s);
    /* ind 7 three times, ind 3 twice, interleaved with others. */
    const int64_t ind[] = {7, 3, 9, 7, 3, 1, 7};
    const int64_t tag[] = {100, 101, 102, 103, 104, 105, 106};
    stage_rows(&s, ind, tag, 7);
    size_t n = 99;
    CHECK_INT(pinetl__stage_sort(&n, &s), 0);
    CHECK_INT(n, 4);
    const int64_t want_ind[] = {1, 3, 7, 9}, want_tag[] = {105, 104, 106, 102};
    for (size_t i = 0; i < 4 && i < n; i++) {
        CHECK_INT(s.rows[i].ind, want_ind[i]);
        CHECK_INT(tag_at(&s, i), want_tag[i]);
    }
    pinetl__stage_free(&s);
}

static void test_negative_and_large_inds_sort_as_signed(void) {
    stage s;
    pinetl__stage_init(&s);
    /* Keys that differ only in their high bytes, the sign bit, or not at all. */
    const int64_t ind[] = {INT64_MAX, -1,  0,   INT64_MIN, (int64_t)1 << 40, -((int64_t)1 << 40), 1,
                           INT64_MIN, 255, 256, -256,      INT64_MAX};
    int64_t tag[12];
    for (int i = 0; i < 12; i++)
        tag[i] = i;
    stage_rows(&s, ind, tag, 12);
    size_t n = 0;
    CHECK_INT(pinetl__stage_sort(&n, &s), 0);
    const int64_t want[] = {INT64_MIN, -((int64_t)1 << 40), -256,     -1, 0, 1, 255,
                            256,       (int64_t)1 << 40,    INT64_MAX};
    CHECK_INT(n, 10);
    for (size_t i = 0; i < 10 && i < n; i++)
        CHECK_INT(s.rows[i].ind, want[i]);
    CHECK_INT(tag_at(&s, 0), 7);  /* the second INT64_MIN */
    CHECK_INT(tag_at(&s, 9), 11); /* the second INT64_MAX */
    pinetl__stage_free(&s);
}

static void test_empty_stage_sorts_to_nothing(void) {
    stage s;
    pinetl__stage_init(&s);
    size_t n = 5;
    CHECK_INT(pinetl__stage_sort(&n, &s), 0);
    CHECK_INT(n, 0);
    pinetl__stage_free(&s);
}

/* 200k rows with inds drawn from 50k values (so most repeat), staged and sorted twice (the second
 * sort reuses the buffers): each ind once, ascending, with its last staged tag. */
static void test_many_repeated_inds_match_a_reference(void) {
    enum { N = 200000, V = 50000 };
    int64_t *ind = malloc(N * sizeof *ind), *tag = malloc(N * sizeof *tag);
    int64_t *last = malloc(V * sizeof *last);
    CHECK(ind && tag && last);
    if (!ind || !tag || !last)
        goto done;
    for (int round = 0; round < 2; round++) {
        stage s;
        pinetl__stage_init(&s);
        uint64_t x = 88172645463325252u + (uint64_t)round;
        for (size_t v = 0; v < V; v++)
            last[v] = -1;
        for (size_t i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t v = (size_t)(x % V);
            ind[i] = (int64_t)v * 1000003 - 20000000000; /* negative and positive, sparse */
            tag[i] = (int64_t)i;
            last[v] = (int64_t)i;
        }
        for (int pass = 0; pass < 2; pass++) {
            stage_rows(&s, ind, tag, N);
            size_t n = 0;
            CHECK_INT(pinetl__stage_sort(&n, &s), 0);
            size_t want = 0, bad = 0;
            for (size_t v = 0; v < V; v++) {
                if (last[v] < 0)
                    continue;
                if (want >= n || s.rows[want].ind != (int64_t)v * 1000003 - 20000000000 ||
                    tag_at(&s, want) != last[v])
                    bad++;
                want++;
            }
            CHECK_INT(n, want);
            CHECK_INT(bad, 0);
            pinetl__stage_clear(&s);
        }
        pinetl__stage_free(&s);
    }
done:
    free(ind);
    free(tag);
    free(last);
}

static void test_sort_out_of_memory_leaves_the_stage_unchanged(void) {
    stage s;
    pinetl__stage_init(&s);
    const int64_t ind[] = {5, 2, 5, 1};
    const int64_t tag[] = {0, 1, 2, 3};
    stage_rows(&s, ind, tag, 4);
    size_t n = 42;
    pinetl__alloc_fail_nth(1);
    CHECK_INT(pinetl__stage_sort(&n, &s), -1);
    pinetl__alloc_fail_nth(0);
    CHECK_INT(n, 42);
    CHECK_INT(s.n, 4);
    for (size_t i = 0; i < 4; i++)
        CHECK_INT(s.rows[i].ind, ind[i]);
    CHECK_INT(pinetl__stage_sort(&n, &s), 0);
    CHECK_INT(n, 3);
    CHECK_INT(tag_at(&s, 2), 2);
    pinetl__stage_free(&s);
}

int main(void) {
    RUN(test_ties_keep_input_order_so_the_later_row_wins);
    RUN(test_negative_and_large_inds_sort_as_signed);
    RUN(test_empty_stage_sorts_to_nothing);
    RUN(test_many_repeated_inds_match_a_reference);
    RUN(test_sort_out_of_memory_leaves_the_stage_unchanged);
    return check_done();
}
