/* Every allocation of the library goes through these wrappers, so that a test can make the N-th
 * allocation fail (issue 14's allocation-failure tests) without a special build. Memory from them
 * is ordinary malloc memory: pinetl__free and pinetl_free are pinetl__free(). */
#ifndef PINETL_UTIL_ALLOC_H
#define PINETL_UTIL_ALLOC_H

#include <stddef.h>

void *pinetl__malloc(size_t size);
void *pinetl__calloc(size_t count, size_t size);
void *pinetl__realloc(void *p, size_t size);
void pinetl__free(void *p);
char *pinetl__strdup(const char *s);
char *pinetl__strndup(const char *s, size_t n);
/* realloc of *p to count * size bytes that keeps *p on failure (and on overflow). 0 or -1. */
int pinetl__alloc_grow(void *pp, size_t count, size_t size);

/* Makes room for need elements of size bytes in *pp, whose capacity is *cap elements: grows
 * geometrically from first (or doubles *cap) and keeps *pp and *cap on failure. 0 or -1. */
int pinetl__alloc_reserve(void *pp, size_t *cap, size_t need, size_t size, size_t first);

/* Test hook. pinetl__alloc_fail_nth(n) with n > 0 makes the n-th allocation from now (counted
 * over all threads) return NULL, once; n = 0 disarms. pinetl__alloc_fail_pending() is how many
 * allocations are left before that failure, 0 when it already happened or nothing is armed: a
 * test runs a path with n = 1, 2, ... until the path finishes with the hook still armed.
 * Disarmed, the cost is one relaxed atomic load per allocation. */
void pinetl__alloc_fail_nth(long n);
long pinetl__alloc_fail_pending(void);

#endif
