/* The allocation-failure sweep, shared by every test of a path under allocation failure
 * (tests/c/reliability, tests/c/stream, tests/serve): for N = 1, 2, ... the N-th allocation of
 * the library fails (util/alloc.h's test hook) while the path runs from scratch. Each run must
 * fail cleanly (a negative code, and with ALLOC_SWEEP_MESSAGE a message in pinetl_error_last())
 * or complete with the same digest as the run without a failure, since an absorbed failure (a
 * cache that gave up) must not change the result; the next run without a failure must succeed
 * with that digest again. No crash, hang or leak (LeakSanitizer in the sanitizer build). The
 * sweep ends at the first N the path completes before reaching.
 *
 * A path writes a digest of its result (rendered text, counts, replies) as a C string into
 * digest, of cap bytes, and returns 0 or its first failure's code. The digests are the test's
 * own memory (malloc, never failed). */
#ifndef PINETL_TEST_ALLOC_SWEEP_H
#define PINETL_TEST_ALLOC_SWEEP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "util/alloc.h"

typedef int (*alloc_sweep_path)(char *digest, size_t cap);

/* A failed run must leave a message in pinetl_error_last(), not only a negative code. */
#define ALLOC_SWEEP_MESSAGE 1u
/* Far more allocations than any swept path makes: reaching it means the sweep never ended. */
#define ALLOC_SWEEP_LIMIT 200000L

/* Sweeps path; name labels its messages. Returns how many allocations the path makes. */
static long alloc_sweep(const char *name, alloc_sweep_path path, size_t cap, unsigned flags) {
    char *want = malloc(cap), *got = malloc(cap);
    if (!want || !got)
        abort();
    want[0] = '\0';
    pinetl__alloc_fail_nth(0);
    CHECK_INT(path(want, cap), PINETL_OK);
    long n;
    int failed = 0, absorbed = 0;
    for (n = 1; n < ALLOC_SWEEP_LIMIT; n++) {
        got[0] = '\0';
        pinetl__alloc_fail_nth(n);
        int rc = path(got, cap);
        long pending = pinetl__alloc_fail_pending();
        pinetl__alloc_fail_nth(0);
        if (pending > 0) { /* the path finished before the n-th allocation */
            CHECK_INT(rc, PINETL_OK);
            break;
        }
        if (rc == PINETL_OK) {
            absorbed++;
            if (strcmp(want, got)) {
                fprintf(stderr, "%s: allocation %ld failed and the result changed:\n%s\n---\n%s\n",
                        name, n, got, want);
                CHECK(0);
            }
        } else {
            failed++;
            if (rc >= 0 || ((flags & ALLOC_SWEEP_MESSAGE) && !pinetl_error_last()[0])) {
                fprintf(stderr, "%s: allocation %ld: code %d, message '%s'\n", name, n, rc,
                        pinetl_error_last());
                CHECK(0);
            }
        }
        /* The library is still usable. */
        got[0] = '\0';
        int again = path(got, cap);
        if (again != PINETL_OK || strcmp(want, got)) {
            fprintf(stderr, "%s: the run after allocation %ld failed: %d %s\n", name, n, again,
                    pinetl_error_last());
            CHECK(0);
        }
    }
    fprintf(stderr, "%s: %ld allocations; %d failed cleanly, %d absorbed\n", name, n - 1, failed,
            absorbed);
    CHECK(n > 1 && n < ALLOC_SWEEP_LIMIT);
    free(want);
    free(got);
    return n - 1;
}

#endif
