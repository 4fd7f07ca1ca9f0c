/* Reply text on util's buffer: compacting a checked JSON value onto one line, zero-padded
 * numbers, and the JSON member helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "core/json.h"
#include "serve_internal.h"

int pinetl__serve_buf_exact(pinetl__buf *b, size_t n) {
    if (b->p)
        return 0;
    if (!(b->p = pinetl__malloc(n + 1))) {
        b->failed = 1;
        return -1;
    }
    b->cap = n + 1;
    b->p[0] = '\0';
    return 0;
}

void pinetl__serve_json_compact(pinetl__buf *b, const char *p, size_t n) {
    if (b->failed || pinetl__buf_reserve(b, n))
        return;
    char *d = b->p + b->len;
    const char *end = p + n;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            /* A string: copy up to its closing quote (one not preceded by an odd number of
             * backslashes), found with memchr. */
            const char *q = p + 1;
            for (;;) {
                q = memchr(q, '"', (size_t)(end - q));
                if (!q) {
                    q = end - 1; /* cannot happen for checked JSON; copy the rest */
                    break;
                }
                const char *bs = q;
                while (bs > p + 1 && bs[-1] == '\\')
                    bs--;
                if (((q - bs) & 1) == 0)
                    break;
                q++;
            }
            size_t k = (size_t)(q + 1 - p);
            memcpy(d, p, k);
            d += k;
            p = q + 1;
        } else {
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                *d++ = c;
            p++;
        }
    }
    b->len = (size_t)(d - b->p);
    b->p[b->len] = '\0';
}

/* Unsigned decimal, zero-padded to width (0: no padding). */
void pinetl__serve_u64(pinetl__buf *b, uint64_t v, int width) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width && n < (int)sizeof tmp)
        tmp[n++] = '0';
    if (b->failed || pinetl__buf_reserve(b, (size_t)n))
        return;
    while (n)
        b->p[b->len++] = tmp[--n];
    b->p[b->len] = '\0';
}

int64_t pinetl__serve_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pinetl__serve_members(const json_value *object, const char *const *names, size_t k,
                           json_value *out) {
    for (size_t i = 0; i < k; i++)
        out[i].type = 0;
    json_iter it;
    json_value key, value;
    pinetl__json_iter_object(&it, object);
    while (pinetl__json_iter_member(&it, &key, &value))
        for (size_t i = 0; i < k; i++)
            if (pinetl__json_string_equals(&key, names[i], strlen(names[i]))) {
                out[i] = value; /* the last duplicate wins, as with json_object_get */
                break;
            }
}

int pinetl__serve_elements(const json_value *array, json_value **items, size_t *n) {
    size_t cap = 0;
    *items = NULL;
    *n = 0;
    json_iter it;
    json_value v;
    pinetl__json_iter_array(&it, array);
    while (pinetl__json_iter_element(&it, &v)) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            json_value *p = pinetl__realloc(*items, cap * sizeof *p);
            if (!p) {
                pinetl__free(*items);
                *items = NULL;
                return -1;
            }
            *items = p;
        }
        (*items)[(*n)++] = v;
    }
    return 0;
}
