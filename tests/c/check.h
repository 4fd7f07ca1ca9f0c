/* A minimal test harness: CHECK macros count failures, main() returns the count.
 * Usage: static void test_x(void) { CHECK(...); } ... int main(void) { RUN(test_x); return check_done(); } */
#ifndef PINETL_CHECK_H
#define PINETL_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        check_count++;                                                               \
        if (!(cond)) {                                                               \
            check_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        check_count++;                                                                             \
        if (a_ != b_) {                                                                            \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                       \
    do {                                                                                      \
        const char *a_ = (a), *b_ = (b);                                                      \
        check_count++;                                                                        \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                              \
            check_failures++;                                                                 \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                  \
        }                                                                                     \
    } while (0)

#define CHECK_MEM(a, alen, b)                                                                   \
    do {                                                                                        \
        const char *a_ = (a), *b_ = (b);                                                        \
        size_t al_ = (alen);                                                                    \
        check_count++;                                                                          \
        if (!a_ || al_ != strlen(b_) || memcmp(a_, b_, al_) != 0) {                             \
            check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: %s == \"%.*s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                    (int)al_, a_ ? a_ : "", b_);                                                \
        }                                                                                       \
    } while (0)

#define RUN(fn)                                                                       \
    do {                                                                              \
        int before_ = check_failures;                                                 \
        fn();                                                                         \
        fprintf(stderr, "%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #fn); \
    } while (0)

static inline int check_done(void) {
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
