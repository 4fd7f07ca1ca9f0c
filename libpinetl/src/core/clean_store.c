/* The columnar sink of the cleaned values (clean.h): typed columns, validity, warnings and the
 * escape bits, for the Arrow export, pandas, insights and the warehouse. */
#include <string.h>

#include "clean.h"
#include "rules.h"

static void set_null(pinetl_batch *b, int ci, size_t r, int warn) {
    column *c = &b->cols[ci];
    bit_clear(c->validity, r);
    switch (c->type) {
    case PINETL_TYPE_TEXT: pinetl__text_null(c, r); break;
    case PINETL_TYPE_COORDS: c->coords[2 * r] = c->coords[2 * r + 1] = 0; break;
    default: c->i64[r] = 0; break;
    }
    if (warn)
        b->warnings[r] |= 1u << ci;
}

/* With text views, an unescaped string is pointed to where it lies when a region of the batch
 * holds it; any other text is copied into the column. */
static int put_text(pinetl_batch *b, int ci, size_t r, const clean_value *v) {
    column *c = &b->cols[ci];
    if (!(c->viewed && v->in_place && pinetl__text_ref(b, c, r, v->s, v->n))) {
        char *dst = pinetl__text_room(c, r, v->n);
        if (!dst)
            return -1;
        memcpy(dst, v->s, v->n);
        pinetl__text_commit(c, r, dst, v->n);
    }
    if (v->esc)
        b->escape[r] |= 1u << ci;
    return 0;
}

int pinetl__clean_store(pinetl_batch *b, size_t r, const clean_value *v) {
    for (int ci = 1; ci < b->ncols; ci++) {
        column *c = &b->cols[ci];
        if (v[ci].state != RULE_VALUE) {
            set_null(b, ci, r, v[ci].state == RULE_WARN);
            continue;
        }
        bit_set(c->validity, r);
        switch (c->type) {
        case PINETL_TYPE_TEXT:
            if (put_text(b, ci, r, &v[ci]))
                return -1;
            break;
        case PINETL_TYPE_COORDS:
            c->coords[2 * r] = v[ci].xy[0];
            c->coords[2 * r + 1] = v[ci].xy[1];
            break;
        default: c->i64[r] = v[ci].i64; break;
        }
    }
    return 0;
}
