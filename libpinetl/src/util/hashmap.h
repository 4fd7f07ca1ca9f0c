/* An open-addressing hash map from int64 keys to uint32 values (row or group numbers): the join
 * index on ind and the group-by tables of the insights. */
#ifndef PINETL_UTIL_HASHMAP_H
#define PINETL_UTIL_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct i64map {
    int64_t *keys;
    uint32_t *vals;     /* value + 1; 0 marks an empty slot */
    size_t cap;         /* a power of two, or 0 */
    size_t len;
} i64map;

void pinetl__hashmap_free(i64map *m);
/* The slot of key: *val is the stored value, or NULL when absent. */
const uint32_t *pinetl__hashmap_get(const i64map *m, int64_t key);
/* Finds key or inserts it with value val; *found tells which. Returns the stored value, or -1 on
 * memory failure. */
int64_t pinetl__hashmap_put(i64map *m, int64_t key, uint32_t val, int *found);


/* splitmix64's finaliser: a cheap, well-mixed hash of 64 bits. Inline: it runs once per row
 * when rows are partitioned and indexed. */
static inline uint64_t pinetl__hash_u64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
