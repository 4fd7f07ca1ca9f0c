/* The allocation wrappers and their failure hook. */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 0: disarmed; n > 0: the n-th allocation from now fails. */
static atomic_long countdown;

static int should_fail_slow(void)
{
    long v = atomic_load_explicit(&countdown, memory_order_relaxed);
    while (v > 0) {
        if (atomic_compare_exchange_weak_explicit(&countdown, &v, v - 1, memory_order_relaxed,
                                                  memory_order_relaxed))
            return v == 1;
    }
    return 0;
}

static inline int should_fail(void)
{
    if (__builtin_expect(atomic_load_explicit(&countdown, memory_order_relaxed) == 0, 1)) return 0;
    return should_fail_slow();
}

void pinetl__alloc_fail_nth(long n)
{
    atomic_store(&countdown, n > 0 ? n : 0);
}

long pinetl__alloc_fail_pending(void)
{
    return atomic_load(&countdown);
}

void *pinetl__malloc(size_t size)
{
    return should_fail() ? NULL : malloc(size);
}

void *pinetl__calloc(size_t count, size_t size)
{
    return should_fail() ? NULL : calloc(count, size);
}

void *pinetl__realloc(void *p, size_t size)
{
    return should_fail() ? NULL : realloc(p, size);
}

void pinetl__free(void *p)
{
    free(p);
}

char *pinetl__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = pinetl__malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

char *pinetl__strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = pinetl__malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

int pinetl__alloc_reserve(void *pp, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : first ? first : 1;
    while (c < need) {
        if (c > SIZE_MAX / 2) return -1;
        c *= 2;
    }
    if (pinetl__alloc_grow(pp, c, size)) return -1;
    *cap = c;
    return 0;
}

int pinetl__alloc_grow(void *pp, size_t count, size_t size)
{
    void **p = pp;
    if (size && count > SIZE_MAX / size) return -1;
    void *q = pinetl__realloc(*p, count * size);
    if (!q) return -1;
    *p = q;
    return 0;
}
