/* Text columns for consumers that turn each text into an object (Python str, ...): a separator
 * join, so one split makes a batch's strings in one call, and a dictionary that stores each
 * distinct text once, so repeated texts become one object each. */
#include <stdlib.h>
#include <string.h>

#include "batch_internal.h"
#include "util/error.h"
#include "util/alloc.h"

/* A slot holds the code and 32 bits of the hash, so a probe that misses is settled without
 * touching the texts or the per-code arrays: profiles showed those extra cache misses dominate. */
typedef struct dict_slot {
    uint32_t code1;      /* code + 1; 0 = empty */
    uint32_t tag;        /* the hash's high 32 bits */
} dict_slot;

struct pinetl_text_dict {
    char *data;          /* texts back to back, each followed by a NUL byte */
    size_t len, cap;
    int64_t *offs;       /* count + 1 offsets into data */
    uint64_t *hashes;    /* per code: the text's hash (rehash without rereading the texts) */
    size_t count, codes_cap;
    dict_slot *slots;    /* open addressing */
    size_t nslots;       /* a power of two, or 0 */
};

static uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Multiply and fold: 16 input bytes per multiply (the construction of wyhash). */
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128;
static uint64_t mum(uint64_t a, uint64_t b)
{
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}
#else
static uint64_t mum(uint64_t a, uint64_t b)
{
    uint64_t h = (a ^ (b << 32 | b >> 32)) * 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 31) ^ b;
}
#endif

enum { K0 = 0, K1, K2, K3 };
static const uint64_t keys[] = {0xa0761d6478bd642fu, 0xe7037ed1a0b428dbu, 0x8ebc6af09c88c6e3u,
                                0x589965cc75374cc3u};

/* A hash, not a checksum: equal hashes are confirmed by comparing the texts. Three independent
 * lanes for long texts, since this runs once per text of every row and the multiplies must not
 * wait on each other; every load has a fixed size (a variable-size copy is a call). */
static uint64_t hash_text(const char *s, size_t len)
{
    uint64_t seed = keys[K0] ^ len, a, b;
    if (len <= 16) {
        if (len >= 4) {
            size_t mid = (len >> 3) << 2;   /* 0 or 4: the two halves overlap for len < 8 */
            a = load32(s) << 32 | load32(s + mid);
            b = load32(s + len - 4) << 32 | load32(s + len - 4 - mid);
        } else if (len) {
            a = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[len >> 1] << 8 |
                (unsigned char)s[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        const char *p = s;
        size_t i = len;
        if (i > 48) {
            uint64_t s1 = seed, s2 = seed;
            do {
                seed = mum(load64(p) ^ keys[K1], load64(p + 8) ^ seed);
                s1 = mum(load64(p + 16) ^ keys[K2], load64(p + 24) ^ s1);
                s2 = mum(load64(p + 32) ^ keys[K3], load64(p + 40) ^ s2);
                p += 48;
                i -= 48;
            } while (i > 48);
            seed ^= s1 ^ s2;
        }
        while (i > 16) {
            seed = mum(load64(p) ^ keys[K1], load64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = load64(p + i - 16);   /* the last 16 bytes, overlapping what came before */
        b = load64(p + i - 8);
    }
    return mum(keys[K1] ^ len, mum(a ^ keys[K1], b ^ seed));
}

int pinetl_text_join(const char *data, const int64_t *offsets, size_t n, char sep, char *out)
{
    if (n && (!data || !offsets || !out))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_text_join: NULL argument");
    for (size_t r = 0; r < n; r++) {
        if (offsets[r + 1] < offsets[r])
            return pinetl__error_set(PINETL_EINVAL, "pinetl_text_join: offsets decrease at row %zu", r);
        size_t len = (size_t)(offsets[r + 1] - offsets[r]);
        memcpy(out, data + offsets[r], len);
        out[len] = sep;
        out += len + 1;
    }
    return PINETL_OK;
}

int pinetl_text_dict_new(pinetl_text_dict **out)
{
    if (!out) return pinetl__error_set(PINETL_EINVAL, "pinetl_text_dict_new: out is NULL");
    *out = pinetl__calloc(1, sizeof **out);
    if (!*out || !((*out)->offs = pinetl__calloc(1, sizeof *(*out)->offs))) {
        pinetl__free(*out);
        *out = NULL;
        return pinetl__error_set(PINETL_ENOMEM, "out of memory creating a text dictionary");
    }
    return PINETL_OK;
}

void pinetl_text_dict_free(pinetl_text_dict *d)
{
    if (!d) return;
    pinetl__free(d->data);
    pinetl__free(d->offs);
    pinetl__free(d->hashes);
    pinetl__free(d->slots);
    pinetl__free(d);
}

static int grow_slots(pinetl_text_dict *d)
{
    size_t n = d->nslots ? d->nslots * 2 : 1024;
    dict_slot *slots = pinetl__calloc(n, sizeof *slots);
    if (!slots) return -1;
    for (size_t code = 0; code < d->count; code++) {
        size_t i = d->hashes[code] & (n - 1);
        while (slots[i].code1) i = (i + 1) & (n - 1);
        slots[i] = (dict_slot){(uint32_t)code + 1, (uint32_t)(d->hashes[code] >> 32)};
    }
    pinetl__free(d->slots);
    d->slots = slots;
    d->nslots = n;
    return 0;
}

/* Appends a new text; its code is d->count - 1 afterwards. */
static int add_text(pinetl_text_dict *d, const char *s, size_t len, uint64_t h)
{
    if (d->count == d->codes_cap) {
        size_t cap = d->codes_cap ? d->codes_cap * 2 : 256;
        int64_t *offs = pinetl__realloc(d->offs, (cap + 1) * sizeof *offs);
        if (!offs) return -1;
        d->offs = offs;
        uint64_t *hashes = pinetl__realloc(d->hashes, cap * sizeof *hashes);
        if (!hashes) return -1;
        d->hashes = hashes;
        d->codes_cap = cap;
    }
    if (len + 1 > d->cap - d->len) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap - d->len < len + 1) cap *= 2;
        char *data = pinetl__realloc(d->data, cap);
        if (!data) return -1;
        d->data = data;
        d->cap = cap;
    }
    if (len) memcpy(d->data + d->len, s, len);
    d->data[d->len + len] = '\0';
    d->len += len + 1;
    d->hashes[d->count] = h;
    d->offs[++d->count] = (int64_t)d->len;
    return 0;
}

/* The code of one text (added when new). h: its hash. 0, or -1 when memory runs out. */
static int lookup(pinetl_text_dict *d, const char *s, size_t len, uint64_t h, int32_t *code)
{
    uint32_t tag = (uint32_t)(h >> 32), slot;
    size_t mask = d->nslots - 1, i = h & mask;
    for (; (slot = d->slots[i].code1) != 0; i = (i + 1) & mask) {
        if (d->slots[i].tag != tag)
            continue;
        size_t c = slot - 1;
        if ((size_t)(d->offs[c + 1] - d->offs[c]) == len + 1 && !memcmp(d->data + d->offs[c], s, len))
            break;
    }
    if (!slot) {
        if (add_text(d, s, len, h))
            return -1;
        slot = (uint32_t)d->count;
        d->slots[i] = (dict_slot){slot, tag};
    }
    *code = (int32_t)(slot - 1);
    return 0;
}

/* Rows are encoded in chunks, in stages: hash every row and prefetch its slot, then prefetch the
 * text each first slot names, then look up. A lookup is a chain of dependent cache misses (slot,
 * offsets, text) into a dictionary larger than L2; staging lets a chunk's misses overlap instead
 * of each row waiting for its own (profiles: the lookups, not the hashing, were the cost). */
enum { CHUNK = 64, SMALL_DICT_BYTES = 16 << 10 };

int pinetl_text_dict_encode(pinetl_text_dict *d, const char *data, const int64_t *offsets,
                            const uint8_t *validity, size_t n, int32_t *codes)
{
    if (!d || (n && (!data || !offsets || !codes)))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_text_dict_encode: NULL argument");
    uint64_t hashes[CHUNK];
    for (size_t lo = 0; lo < n; lo += CHUNK) {
        size_t k = n - lo < CHUNK ? n - lo : CHUNK;
        if (d->count > (size_t)INT32_MAX - k)
            return pinetl__error_set(PINETL_ERROR, "a text dictionary holds at most %d texts",
                                    INT32_MAX);
        while ((d->count + k) * 2 > d->nslots)   /* no growth inside the chunk */
            if (grow_slots(d))
                return pinetl__error_set(PINETL_ENOMEM, "out of memory growing a text dictionary");
        size_t mask = d->nslots - 1;
        for (size_t j = 0; j < k; j++) {
            size_t r = lo + j;
            if (offsets[r + 1] < offsets[r])
                return pinetl__error_set(PINETL_EINVAL,
                                        "pinetl_text_dict_encode: offsets decrease at row %zu", r);
            hashes[j] = hash_text(data + offsets[r], (size_t)(offsets[r + 1] - offsets[r]));
            __builtin_prefetch(&d->slots[hashes[j] & mask]);
        }
        /* A small dictionary (category, is_image_or_video) stays in L1: nothing to prefetch. */
        int small = d->len + d->nslots * sizeof *d->slots <= SMALL_DICT_BYTES;
        for (size_t j = 0; j < k && !small; j++) {
            uint32_t slot = d->slots[hashes[j] & mask].code1;
            if (slot)
                __builtin_prefetch(&d->offs[slot - 1]);
        }
        for (size_t j = 0; j < k && !small; j++) {
            uint32_t slot = d->slots[hashes[j] & mask].code1;
            if (!slot)
                continue;
            const char *t = d->data + d->offs[slot - 1], *end = d->data + d->offs[slot];
            for (int line = 0; line < 4 && t < end; line++, t += 64)   /* texts span lines */
                __builtin_prefetch(t);
        }
        for (size_t j = 0; j < k; j++) {
            size_t r = lo + j;
            if (validity && !(validity[r >> 3] >> (r & 7) & 1)) {
                codes[r] = -1;
                continue;
            }
            if (lookup(d, data + offsets[r], (size_t)(offsets[r + 1] - offsets[r]), hashes[j],
                       &codes[r]))
                return pinetl__error_set(PINETL_ENOMEM, "out of memory growing a text dictionary");
        }
    }
    return PINETL_OK;
}

size_t pinetl_text_dict_count(const pinetl_text_dict *d)
{
    return d ? d->count : 0;
}

const char *pinetl_text_dict_data(const pinetl_text_dict *d)
{
    return d ? (d->data ? d->data : "") : NULL;
}

const int64_t *pinetl_text_dict_offsets(const pinetl_text_dict *d)
{
    return d ? d->offs : NULL;
}
