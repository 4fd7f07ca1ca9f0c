#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

void i64map_free(i64map *m) {
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->len = 0;
}

const uint32_t *i64map_get(const i64map *m, int64_t key) {
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = hash_u64((uint64_t)key) & mask;; i = (i + 1) & mask) {
        if (!m->vals[i])
            return NULL;
        if (m->keys[i] == key)
            return &m->vals[i];
    }
}

static int grow(i64map *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    int64_t *keys = malloc(cap * sizeof *keys);
    uint32_t *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->vals[j])
            continue;
        size_t i = hash_u64((uint64_t)m->keys[j]) & (cap - 1);
        while (vals[i])
            i = (i + 1) & (cap - 1);
        keys[i] = m->keys[j];
        vals[i] = m->vals[j];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int64_t i64map_put(i64map *m, int64_t key, uint32_t val, int *found) {
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m))  /* load factor at most 3/4 */
        return -1;
    size_t mask = m->cap - 1;
    size_t i = hash_u64((uint64_t)key) & mask;
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

int i64map_set(i64map *m, int64_t key, uint32_t val) {
    int found;
    if (i64map_put(m, key, val, &found) < 0)
        return -1;
    if (found)
        *(uint32_t *)i64map_get(m, key) = val + 1;
    return 0;
}

void i64map_clear(i64map *m) {
    if (m->cap)
        memset(m->vals, 0, m->cap * sizeof *m->vals);
    m->len = 0;
}
