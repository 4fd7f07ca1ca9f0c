/* Where a text column's values go: offsets into the column's blob (the default: what rendering,
 * the warehouse and the insights read), or 16-byte views into input memory the batch keeps alive
 * (text views, for Arrow export: the text of a record that needs no decoding is never copied,
 * which is what makes reading into Arrow cheap on memory). */
#include <stdint.h>
#include <string.h>

#include "storage.h"
#include "text_views.h"
#include "util/alloc.h"
#include "util/error.h"

/* Offsets of a view's parts (Arrow's string view layout, little-endian). */
enum { VIEW_PREFIX = 4, VIEW_BUFFER = 8, VIEW_OFFSET = 12 };

static void view_set(uint8_t *v, const char *s, size_t n, int32_t buffer, size_t offset) {
    int32_t len = (int32_t)n;
    memset(v, 0, TEXT_VIEW);
    memcpy(v, &len, sizeof len);
    if (n <= TEXT_VIEW_INLINE) {
        memcpy(v + VIEW_PREFIX, s, n);
        return;
    }
    int32_t off = (int32_t)offset;
    memcpy(v + VIEW_PREFIX, s, 4);
    memcpy(v + VIEW_BUFFER, &buffer, sizeof buffer);
    memcpy(v + VIEW_OFFSET, &off, sizeof off);
}

int pinetl__batch_reserve_text(column *c, size_t r, size_t n) {
    size_t used = (size_t)c->offsets[r];
    if (c->text_cap - used >= n)
        return 0;
    size_t cap = c->text_cap ? c->text_cap : 4096;
    while (cap - used < n) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *p = pinetl__realloc(c->text, cap);
    if (!p)
        return -1;
    c->text = p;
    c->text_cap = cap;
    return 0;
}

/* With views the blob is only appended to; a text of up to 12 bytes is kept in its view. */
static int reserve_blob(column *c, size_t n) {
    if (c->text_cap - c->text_len >= n)
        return 0;
    return pinetl__alloc_reserve(&c->text, &c->text_cap, c->text_len + n, 1, 4096);
}

char *pinetl__text_room(column *c, size_t r, size_t n) {
    if (c->viewed)
        return reserve_blob(c, n) ? NULL : c->text + c->text_len;
    return pinetl__batch_reserve_text(c, r, n) ? NULL : c->text + c->offsets[r];
}

void pinetl__text_commit(column *c, size_t r, const char *dst, size_t n) {
    if (!c->viewed) {
        c->offsets[r + 1] = c->offsets[r] + (int64_t)n;
        return;
    }
    view_set(c->views + r * TEXT_VIEW, dst, n, 0, (size_t)(dst - c->text));
    if (n > TEXT_VIEW_INLINE)
        c->text_len = (size_t)(dst - c->text) + n;
}

void pinetl__text_null(column *c, size_t r) {
    if (c->viewed)
        memset(c->views + r * TEXT_VIEW, 0, TEXT_VIEW);
    else
        c->offsets[r + 1] = c->offsets[r];
}

int pinetl__text_ref(pinetl_batch *b, column *c, size_t r, const char *s, size_t n) {
    if (!b->nregions)
        return 0;
    size_t i = b->region;
    if (!(s >= b->regions[i].base && (size_t)(s - b->regions[i].base) + n <= b->regions[i].len)) {
        for (i = 0; i < b->nregions; i++)
            if (s >= b->regions[i].base &&
                (size_t)(s - b->regions[i].base) + n <= b->regions[i].len)
                break;
        if (i == b->nregions)
            return 0;
        b->region = i;
    }
    view_set(c->views + r * TEXT_VIEW, s, n, (int32_t)(1 + i), (size_t)(s - b->regions[i].base));
    return 1;
}

int pinetl__batch_use_views(pinetl_batch *b) {
    if (!b || b->rows || b->cap)
        return pinetl__error_set(PINETL_EINVAL, "text views need a new, empty batch");
    b->views = 1;
    for (int i = 0; i < b->ncols; i++)
        b->cols[i].viewed = b->cols[i].type == PINETL_TYPE_TEXT;
    return PINETL_OK;
}

int pinetl__batch_add_region(pinetl_batch *b, const char *base, size_t len, void *ref,
                             void (*release)(void *ref)) {
    int rc = PINETL_OK;
    if (!b->views || len >= (size_t)INT32_MAX)
        rc = pinetl__error_set(PINETL_EINVAL, "pinetl__batch_add_region: %s",
                               b->views ? "region of 2 GiB or more" : "the batch has no views");
    else if (b->nregions == b->regions_cap &&
             pinetl__alloc_reserve(&b->regions, &b->regions_cap, b->nregions + 1,
                                   sizeof *b->regions, 4))
        rc = pinetl__error_set(PINETL_ENOMEM, "out of memory adding an input region");
    if (rc) {
        if (release)
            release(ref);
        return rc;
    }
    b->regions[b->nregions++] = (region){base, len, ref, release};
    return PINETL_OK;
}

void pinetl__batch_drop_regions(pinetl_batch *b) {
    for (size_t i = 0; i < b->nregions; i++)
        if (b->regions[i].release)
            b->regions[i].release(b->regions[i].ref);
    b->nregions = 0;
    b->region = 0;
}

int pinetl__batch_has_views(const pinetl_batch *b) { return b && b->views; }

const uint8_t *pinetl__batch_text_views(const pinetl_batch *b, int c) {
    if (!b || !b->views || c < 0 || c >= b->ncols || !b->cols[c].viewed)
        return NULL;
    return b->cols[c].views;
}

size_t pinetl__batch_view_buffers(const pinetl_batch *b, int c, const char **data, int64_t *sizes,
                                  size_t max) {
    size_t n = 1 + b->nregions;
    for (size_t i = 0; i < n && i < max; i++) {
        if (i == 0) {
            data[0] = b->cols[c].text ? b->cols[c].text : "";
            sizes[0] = (int64_t)b->cols[c].text_len;
        } else {
            data[i] = b->regions[i - 1].base;
            sizes[i] = (int64_t)b->regions[i - 1].len;
        }
    }
    return n;
}
