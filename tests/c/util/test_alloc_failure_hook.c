/* The allocation-failure hook: the N-th allocation fails once, every library allocation counts,
 * and a public path fails cleanly (PINETL_ENOMEM with a message, nothing leaked under
 * LeakSanitizer) for every N until it completes. Issue 14's allocation-failure tests build on
 * this loop. */
#include <stdlib.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "util/alloc.h"

static void test_nth_allocation_fails_once(void)
{
    pinetl__alloc_fail_nth(3);
    CHECK_INT(pinetl__alloc_fail_pending(), 3);
    void *a = pinetl__malloc(8), *b = pinetl__calloc(1, 8), *c = pinetl__malloc(8),
         *d = pinetl__malloc(8);
    CHECK(a && b && !c && d);
    CHECK_INT(pinetl__alloc_fail_pending(), 0);
    pinetl__free(a);
    pinetl__free(b);
    pinetl__free(d);
    /* Disarming stops it before it fires. */
    pinetl__alloc_fail_nth(1);
    pinetl__alloc_fail_nth(0);
    void *e = pinetl__realloc(NULL, 8);
    CHECK(e != NULL);
    pinetl__free(e);
    char *s = pinetl__strdup("x");
    CHECK_STR(s, "x");
    pinetl__free(s);
}

static const char input[] =
    "{\"index\":1,\"ind\":10,\"country\":\"Chad\",\"latitude\":1.5,\"longitude\":2,"
    "\"timestamp\":\"2020-01-01 00:00:00\"}\n"
    "not json\n"
    "{\"index\":2,\"ind\":11,\"country\":\"Peru\",\"latitude\":\"x\",\"longitude\":3,"
    "\"timestamp\":\"2021-02-03 04:05:06\"}\n";

/* Batch new + clean + render + rejects, failing at allocation n. 1 when the path completed. */
static int clean_path(long n, int *clean_errors)
{
    pinetl__alloc_fail_nth(n);
    pinetl_batch *b = NULL;
    int rc = pinetl_batch_new(&b, PINETL_TABLE_GEO);
    const char *out = NULL;
    size_t len = 0;
    pinetl_clean_options opts;
    pinetl_clean_options_init(&opts);
    opts.source = "input.jsonl";
    if (rc == PINETL_OK) rc = pinetl_batch_clean(b, input, sizeof input - 1, &opts);
    if (rc == PINETL_OK) rc = pinetl_batch_render(b, PINETL_FORMAT_CSV, 1, &out, &len);
    if (rc == PINETL_OK) rc = pinetl_batch_render_rejects(b, &out, &len);
    int completed = pinetl__alloc_fail_pending() > 0;
    pinetl__alloc_fail_nth(0);
    if (rc != PINETL_OK) {
        if (rc != PINETL_ENOMEM || !*pinetl_error_last()) (*clean_errors)++;
    } else if (!completed) {
        /* Every allocation of this path is checked, so a failed one shows as an error. */
        (*clean_errors)++;
    }
    pinetl_batch_free(b);
    return rc == PINETL_OK && completed;
}

static void test_every_allocation_of_a_clean_fails_cleanly(void)
{
    int bad = 0;
    long n = 1;
    while (!clean_path(n, &bad) && n < 10000) n++;
    CHECK(n > 3);       /* the path allocates: the hook saw it */
    CHECK(n < 10000);   /* and eventually completed */
    CHECK_INT(bad, 0);
}

int main(void)
{
    RUN(test_nth_allocation_fails_once);
    RUN(test_every_allocation_of_a_clean_fails_cleanly);
    return check_done();
}
