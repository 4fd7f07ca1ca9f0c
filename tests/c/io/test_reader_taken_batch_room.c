/* pinetl__io_batch_room_like: the batch that succeeds one taken from the reader starts with the
 * text room the taken one used, so cleaning an alike input into it moves no text blob (a realloc
 * would copy what it holds into fresh pages). Out of memory it stays a batch that grows as usual. */
#include <stdlib.h>

#include "check.h"
#include "core/storage.h"
#include "io/batch_room.h"
#include "io_util.h"
#include "util/alloc.h"

enum { ROWS = 3000 };

/* ROWS pins with texts of some length and a reject every 100th line. */
static char *pins(size_t *len) {
    sbuf b = {0};
    for (int i = 0; i < ROWS; i++) {
        char line[256];
        int n = snprintf(line, sizeof line, "{\"index\": \"bad\"}\n");
        if (i % 100 != 99)
            n = snprintf(line, sizeof line,
                         "{\"index\": %d, \"unique_id\": \"id-%d\", \"title\": \"pin %d\", "
                         "\"description\": \"%0*d\", \"category\": \"diy\"}\n",
                         i, i, i, 20 + i % 50, i);
        sbuf_add(&b, line, (size_t)n);
    }
    *len = b.len;
    return b.p;
}

static pinetl_batch *cleaned(const char *data, size_t len) {
    pinetl_batch *b = NULL;
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_PIN), PINETL_OK);
    CHECK_INT(pinetl_batch_clean(b, data, len, &o), PINETL_OK);
    return b;
}

static void fill(pinetl_batch *b, const char *data, size_t len) {
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    CHECK_INT(pinetl_batch_clean(b, data, len, &o), PINETL_OK);
}

static void same_rows(const pinetl_batch *a, const pinetl_batch *b) {
    CHECK_INT(pinetl_batch_rows(a), pinetl_batch_rows(b));
    CHECK_INT(pinetl_batch_rejected(a), pinetl_batch_rejected(b));
    for (int c = 0; c < a->ncols; c++) {
        if (a->cols[c].type != PINETL_TYPE_TEXT)
            continue;
        int64_t used = a->cols[c].offsets[a->rows];
        CHECK_INT(b->cols[c].offsets[b->rows], used);
        if (used) /* a column without text may have no blob: memcmp takes no NULL */
            CHECK(memcmp(a->cols[c].text, b->cols[c].text, (size_t)used) == 0);
    }
}

static void test_successor_moves_no_text_blob(void) {
    size_t len;
    char *data = pins(&len);
    pinetl_batch *taken = cleaned(data, len), *fresh = NULL;
    CHECK_INT(pinetl_batch_new(&fresh, PINETL_TABLE_PIN), PINETL_OK);
    pinetl__io_batch_room_like(fresh, taken);
    const char *before[PINETL_MAX_COLUMNS];
    for (int c = 0; c < fresh->ncols; c++)
        before[c] = fresh->cols[c].text;
    fill(fresh, data, len);
    same_rows(taken, fresh);
    for (int c = 0; c < fresh->ncols; c++) {
        if (fresh->cols[c].type != PINETL_TYPE_TEXT || !taken->cols[c].offsets[taken->rows])
            continue; /* a column without text in the input */
        CHECK(before[c] != NULL);
        CHECK(fresh->cols[c].text == before[c]);
    }
    pinetl_batch_free(fresh);
    pinetl_batch_free(taken);
    free(data);
}

static void test_out_of_memory_leaves_a_batch_that_grows(void) {
    size_t len;
    char *data = pins(&len);
    pinetl_batch *taken = cleaned(data, len);
    int completed = 0, failures = 0;
    for (long nth = 1; nth < 200 && !completed; nth++) {
        pinetl_batch *fresh = NULL;
        CHECK_INT(pinetl_batch_new(&fresh, PINETL_TABLE_PIN), PINETL_OK);
        pinetl__alloc_fail_nth(nth);
        pinetl__io_batch_room_like(fresh, taken);
        completed = pinetl__alloc_fail_pending() > 0;
        failures += !completed;
        pinetl__alloc_fail_nth(0);
        fill(fresh, data, len);
        same_rows(taken, fresh);
        pinetl_batch_free(fresh);
    }
    CHECK(completed);
    CHECK(failures > 0);
    pinetl_batch_free(taken);
    free(data);
}

int main(void) {
    RUN(test_successor_moves_no_text_blob);
    RUN(test_out_of_memory_leaves_a_batch_that_grows);
    return check_done();
}
