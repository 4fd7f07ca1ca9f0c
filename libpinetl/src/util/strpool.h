/* Interned strings: each distinct byte string is stored once and named by a small id (0 = null),
 * so grouping and joining compare integers, and a dataset of many rows holds few strings. */
#ifndef PINETL_UTIL_STRPOOL_H
#define PINETL_UTIL_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

/* A hash slot: the id (0 = empty) and the string's hash, so that a probe compares bytes only
 * when the hashes agree (the strings themselves are elsewhere, usually out of cache). */
typedef struct strslot { uint32_t id, hash; } strslot;

typedef struct strpool {
    char *data;          /* strings back to back, each NUL-terminated */
    size_t len, cap;
    uint64_t *offs;      /* per id - 1: offset of the string in data */
    uint32_t *lens;      /* per id - 1: its length */
    size_t count, ids_cap;
    strslot *slots;      /* open addressing, linear probing, at most half full */
    size_t nslots;
} strpool;

void pinetl__strpool_free(strpool *p);
/* The hash pinetl__strpool_intern uses; callers that prefetch compute it once and pass it on. */
uint32_t pinetl__strpool_hash(const char *s, size_t len);
/* The id of the string (interned on first sight), or 0 on memory failure. */
uint32_t pinetl__strpool_intern(strpool *p, const char *s, size_t len);
/* The same with the hash already computed by pinetl__strpool_hash. */
uint32_t pinetl__strpool_intern_hashed(strpool *p, const char *s, size_t len, uint32_t hash);
/* Hints the cache that a string with this hash is about to be interned. */
void pinetl__strpool_prefetch(const strpool *p, uint32_t hash);
static inline const char *pinetl__strpool_str(const strpool *p, uint32_t id) { return p->data + p->offs[id - 1]; }
static inline uint32_t pinetl__strpool_len(const strpool *p, uint32_t id) { return p->lens[id - 1]; }
/* rank[id] for every id (rank[0] = 0): ranks ascend with byte order, so comparing ranks compares
 * strings. The caller frees it. NULL on memory failure. */
uint32_t *pinetl__strpool_ranks(const strpool *p);

#endif
