#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void pinetl__hashmap_free(i64map *m) {
    pinetl__free(m->keys);
    pinetl__free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->len = 0;
}

const uint32_t *pinetl__hashmap_get(const i64map *m, int64_t key) {
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = pinetl__hash_u64((uint64_t)key) & mask;; i = (i + 1) & mask) {
        if (!m->vals[i])
            return NULL;
        if (m->keys[i] == key)
            return &m->vals[i];
    }
}

static int grow(i64map *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    int64_t *keys = pinetl__malloc(cap * sizeof *keys);
    uint32_t *vals = pinetl__calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        pinetl__free(keys);
        pinetl__free(vals);
        return -1;
    }
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->vals[j])
            continue;
        size_t i = pinetl__hash_u64((uint64_t)m->keys[j]) & (cap - 1);
        while (vals[i])
            i = (i + 1) & (cap - 1);
        keys[i] = m->keys[j];
        vals[i] = m->vals[j];
    }
    pinetl__free(m->keys);
    pinetl__free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int64_t pinetl__hashmap_put(i64map *m, int64_t key, uint32_t val, int *found) {
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m))  /* load factor at most 3/4 */
        return -1;
    size_t mask = m->cap - 1;
    size_t i = pinetl__hash_u64((uint64_t)key) & mask;
    for (; m->vals[i]; i = (i + 1) & mask) {
        if (m->keys[i] == key) {
            *found = 1;
            return (int64_t)m->vals[i] - 1;
        }
    }
    m->keys[i] = key;
    m->vals[i] = val + 1;
    m->len++;
    *found = 0;
    return val;
}
