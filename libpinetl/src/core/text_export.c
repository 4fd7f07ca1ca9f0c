/* Text columns for consumers that turn each text into an object (Python str, ...): a separator
 * join, so one split makes a batch's strings in one call, and a dictionary that stores each
 * distinct text once, so repeated texts become one object each. */
#include <stdlib.h>
#include <string.h>

#include "batch_internal.h"

struct pinetl_text_dict {
    char *data;          /* texts back to back, each followed by a NUL byte */
    size_t len, cap;
    int64_t *offs;       /* count + 1 offsets into data */
    uint64_t *hashes;    /* per code: the text's hash (rehash without rereading the texts) */
    size_t count, codes_cap;
    uint32_t *slots;     /* open addressing: code + 1; 0 = empty */
    size_t nslots;       /* a power of two, or 0 */
};

static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 31);
}

/* Four independent lanes of eight bytes: texts run to hundreds of bytes, and this runs once per
 * row, so the multiplies must not wait on each other. */
static uint64_t hash_text(const char *s, size_t len)
{
    uint64_t a = 0x9e3779b97f4a7c15u ^ len, b = 0xc2b2ae3d27d4eb4fu, c = 0x165667b19e3779f9u,
             d = 0x27d4eb2f165667c5u, w[4];
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        memcpy(w, s + i, 32);
        a = mix(a, w[0]);
        b = mix(b, w[1]);
        c = mix(c, w[2]);
        d = mix(d, w[3]);
    }
    for (; i + 8 <= len; i += 8) {
        memcpy(w, s + i, 8);
        a = mix(a, w[0]);
    }
    w[0] = 0;
    memcpy(w, s + i, len - i);
    a = mix(a, w[0]);
    uint64_t h = a ^ (b << 17 | b >> 47) ^ (c << 31 | c >> 33) ^ (d << 47 | d >> 17);
    h *= 0x94d049bb133111ebu;
    return h ^ (h >> 29);
}

int pinetl_text_join(const char *data, const int64_t *offsets, size_t n, char sep, char *out)
{
    if (n && (!data || !offsets || !out))
        return pinetl_set_error(PINETL_EINVAL, "pinetl_text_join: NULL argument");
    for (size_t r = 0; r < n; r++) {
        if (offsets[r + 1] < offsets[r])
            return pinetl_set_error(PINETL_EINVAL, "pinetl_text_join: offsets decrease at row %zu", r);
        size_t len = (size_t)(offsets[r + 1] - offsets[r]);
        memcpy(out, data + offsets[r], len);
        out[len] = sep;
        out += len + 1;
    }
    return PINETL_OK;
}

int pinetl_text_dict_new(pinetl_text_dict **out)
{
    if (!out) return pinetl_set_error(PINETL_EINVAL, "pinetl_text_dict_new: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out || !((*out)->offs = calloc(1, sizeof *(*out)->offs))) {
        free(*out);
        *out = NULL;
        return pinetl_set_error(PINETL_ENOMEM, "out of memory creating a text dictionary");
    }
    return PINETL_OK;
}

void pinetl_text_dict_free(pinetl_text_dict *d)
{
    if (!d) return;
    free(d->data);
    free(d->offs);
    free(d->hashes);
    free(d->slots);
    free(d);
}

static int grow_slots(pinetl_text_dict *d)
{
    size_t n = d->nslots ? d->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) return -1;
    for (size_t code = 0; code < d->count; code++) {
        size_t i = d->hashes[code] & (n - 1);
        while (slots[i]) i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)code + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = n;
    return 0;
}

/* Appends a new text; its code is d->count - 1 afterwards. */
static int add_text(pinetl_text_dict *d, const char *s, size_t len, uint64_t h)
{
    if (d->count == d->codes_cap) {
        size_t cap = d->codes_cap ? d->codes_cap * 2 : 256;
        int64_t *offs = realloc(d->offs, (cap + 1) * sizeof *offs);
        if (!offs) return -1;
        d->offs = offs;
        uint64_t *hashes = realloc(d->hashes, cap * sizeof *hashes);
        if (!hashes) return -1;
        d->hashes = hashes;
        d->codes_cap = cap;
    }
    if (len + 1 > d->cap - d->len) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap - d->len < len + 1) cap *= 2;
        char *data = realloc(d->data, cap);
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

int pinetl_text_dict_encode(pinetl_text_dict *d, const char *data, const int64_t *offsets,
                            const uint8_t *validity, size_t n, int32_t *codes)
{
    if (!d || (n && (!data || !offsets || !codes)))
        return pinetl_set_error(PINETL_EINVAL, "pinetl_text_dict_encode: NULL argument");
    for (size_t r = 0; r < n; r++) {
        if (validity && !(validity[r >> 3] >> (r & 7) & 1)) {
            codes[r] = -1;
            continue;
        }
        if (offsets[r + 1] < offsets[r])
            return pinetl_set_error(PINETL_EINVAL, "pinetl_text_dict_encode: offsets decrease at row %zu", r);
        const char *s = data + offsets[r];
        size_t len = (size_t)(offsets[r + 1] - offsets[r]);
        if ((d->count + 1) * 2 > d->nslots && grow_slots(d))
            return pinetl_set_error(PINETL_ENOMEM, "out of memory growing a text dictionary");
        uint64_t h = hash_text(s, len);
        size_t mask = d->nslots - 1, i = h & mask;
        uint32_t slot;
        for (; (slot = d->slots[i]) != 0; i = (i + 1) & mask) {
            size_t code = slot - 1;
            if (d->hashes[code] == h && (size_t)(d->offs[code + 1] - d->offs[code]) == len + 1 &&
                !memcmp(d->data + d->offs[code], s, len))
                break;
        }
        if (!slot) {
            if (d->count >= INT32_MAX)
                return pinetl_set_error(PINETL_ERROR, "a text dictionary holds at most %d texts",
                                        INT32_MAX);
            if (add_text(d, s, len, h))
                return pinetl_set_error(PINETL_ENOMEM, "out of memory growing a text dictionary");
            slot = d->slots[i] = (uint32_t)d->count;
        }
        codes[r] = (int32_t)(slot - 1);
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
