#include "strpool.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* Eight bytes at a time (names and categories are mostly 5..40 bytes, where a byte-wise hash
 * costs more than the probe), then splitmix64's finaliser to spread the bits. */
uint32_t pinetl__strpool_hash(const char *s, size_t len) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len, w;
    for (; len >= 8; s += 8, len -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
    }
    if (len) {
        w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    }
    h ^= h >> 31;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

void pinetl__strpool_free(strpool *p) {
    pinetl__free(p->data);
    pinetl__free(p->offs);
    pinetl__free(p->lens);
    pinetl__free(p->slots);
    memset(p, 0, sizeof *p);
}

static int rehash(strpool *p) {
    size_t n = p->nslots ? p->nslots * 2 : 256;
    strslot *slots = pinetl__calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t j = 0; j < p->nslots; j++) {
        if (!p->slots[j].id)
            continue;
        size_t i = p->slots[j].hash & (n - 1);
        while (slots[i].id)
            i = (i + 1) & (n - 1);
        slots[i] = p->slots[j];
    }
    pinetl__free(p->slots);
    p->slots = slots;
    p->nslots = n;
    return 0;
}

void pinetl__strpool_prefetch(const strpool *p, uint32_t hash) {
    if (p->nslots)
        __builtin_prefetch(&p->slots[hash & (p->nslots - 1)]);
}

uint32_t pinetl__strpool_intern(strpool *p, const char *s, size_t len) {
    return pinetl__strpool_intern_hashed(p, s, len, pinetl__strpool_hash(s, len));
}

uint32_t pinetl__strpool_intern_hashed(strpool *p, const char *s, size_t len, uint32_t h) {
    if (len >= UINT32_MAX || p->count >= UINT32_MAX - 1)
        return 0;
    if ((p->count + 1) * 2 > p->nslots && rehash(p))
        return 0;
    size_t mask = p->nslots - 1, i = h & mask;
    for (; p->slots[i].id; i = (i + 1) & mask) {
        uint32_t id = p->slots[i].id;
        if (p->slots[i].hash == h && p->lens[id - 1] == len &&
            !memcmp(p->data + p->offs[id - 1], s, len))
            return id;
    }
    if (p->count == p->ids_cap) {
        size_t cap = p->ids_cap ? p->ids_cap * 2 : 256;
        uint64_t *offs = pinetl__realloc(p->offs, cap * sizeof *offs);
        if (!offs)
            return 0;
        p->offs = offs;
        uint32_t *lens = pinetl__realloc(p->lens, cap * sizeof *lens);
        if (!lens)
            return 0;
        p->lens = lens;
        p->ids_cap = cap;
    }
    if (p->len + len + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + len + 1)
            cap *= 2;
        char *data = pinetl__realloc(p->data, cap);
        if (!data)
            return 0;
        p->data = data;
        p->cap = cap;
    }
    if (len)
        memcpy(p->data + p->len, s, len);
    p->data[p->len + len] = '\0';
    p->offs[p->count] = p->len;
    p->lens[p->count] = (uint32_t)len;
    p->len += len + 1;
    uint32_t id = (uint32_t)++p->count;
    p->slots[i] = (strslot){id, h};
    return id;
}

/* qsort has no context argument in C11: sort (offset, length) records instead of ids. */
typedef struct rank_item { const char *s; uint32_t len, id; } rank_item;

static int rank_cmp(const void *x, const void *y) {
    const rank_item *a = x, *b = y;
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

uint32_t *pinetl__strpool_ranks(const strpool *p) {
    uint32_t *rank = pinetl__calloc(p->count + 1, sizeof *rank);
    rank_item *items = pinetl__malloc((p->count ? p->count : 1) * sizeof *items);
    if (!rank || !items) {
        pinetl__free(rank);
        pinetl__free(items);
        return NULL;
    }
    for (size_t i = 0; i < p->count; i++)
        items[i] = (rank_item){p->data + p->offs[i], p->lens[i], (uint32_t)(i + 1)};
    qsort(items, p->count, sizeof *items, rank_cmp);
    for (size_t i = 0; i < p->count; i++)
        rank[items[i].id] = (uint32_t)(i + 1);
    pinetl__free(items);
    return rank;
}
