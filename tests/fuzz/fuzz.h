/* What every fuzz target shares: the libFuzzer entry point and the invariant checks (oracle.c).
 *
 * A broken invariant prints what broke and aborts, so libFuzzer (and the replay driver under
 * meson test) report it as a crash with the input that caused it. */
#ifndef PINETL_FUZZ_H
#define PINETL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <pinetl/pinetl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz invariant broken: ..." with the location and aborts. */
void fuzz_fail(const char *file, int line, const char *what);
#define FUZZ_ASSERT(cond)                         \
    do {                                          \
        if (!(cond))                              \
            fuzz_fail(__FILE__, __LINE__, #cond); \
    } while (0)

/* Checks a batch against the public API's promises: row counts and statuses, reject messages and
 * raw bytes, validity against warnings, typed values (ranges, UTF-8, sentinels never kept), then
 * renders JSON lines, CSV and rejects and reads each back (cJSON and a small CSV reader as oracles)
 * to compare with the columns, and checks the stats. Returns the number of cleaned rows. */
size_t fuzz_check_batch(pinetl_batch *batch);

/* 1 when p[0..len) is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF):
 * written independently of the library's validator so the two check each other. */
int fuzz_utf8_valid(const unsigned char *p, size_t len);

#endif
