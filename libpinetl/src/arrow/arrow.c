/* Arrow C Data Interface export of batches (include/pinetl/arrow.h; SPEC.md "Arrow export").
 *
 * Ownership: one holder per exported batch counts the ArrowArray nodes alive (the struct arrays,
 * their columns, the coordinates' value children); each node's release drops one reference and
 * the last one frees the batch and the buffers gathered for it. Nodes may be released in any
 * order and on any thread (a consumer may move a child out and release it after its parent), so
 * the count is atomic. Besides the public batch API, a batch's text views are read through core's
 * text_views.h: this module sits above core and io. */
#include <pinetl/arrow.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/text_views.h"
#include "util/alloc.h"
#include "util/error.h"

enum { REJECT_COLUMNS = 7 };

static const int64_t zero_offsets[1] = {0};
static const char empty_bytes[1] = {0};

/* ---- schemas ---- */

typedef struct schema_node {
    struct ArrowSchema *ptrs[PINETL_MAX_COLUMNS];
    struct ArrowSchema kids[PINETL_MAX_COLUMNS];
} schema_node;

static void schema_release(struct ArrowSchema *s) {
    schema_node *nd = s->private_data;
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->release)
            s->children[i]->release(s->children[i]);
    pinetl__free(nd);
    s->release = NULL;
}

/* A schema node with n children (filled by the caller); its strings are static. */
static int schema_init(struct ArrowSchema *s, const char *format, const char *name, int64_t flags,
                       int n) {
    memset(s, 0, sizeof *s);
    schema_node *nd = pinetl__calloc(1, sizeof *nd);
    if (!nd)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory exporting an Arrow schema");
    s->format = format;
    s->name = name;
    s->flags = flags;
    s->children = n ? nd->ptrs : NULL;
    for (int i = 0; i < n; i++)
        nd->ptrs[i] = &nd->kids[i];
    s->release = schema_release;
    s->private_data = nd;
    return PINETL_OK;
}

static const char *column_format(int type, int views) {
    switch (type) {
    case PINETL_TYPE_INT64: return "l";
    case PINETL_TYPE_TIMESTAMP: return "tsu:UTC";
    case PINETL_TYPE_TEXT: return views ? "vu" : "U";
    case PINETL_TYPE_COORDS: return "+w:2";
    default: return NULL;
    }
}

static int table_schema(struct ArrowSchema *out, pinetl_table table, int views) {
    const char *fn = views ? "pinetl_arrow_view_schema" : "pinetl_arrow_schema";
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "%s: NULL argument", fn);
    int ncols = pinetl_column_count(table);
    if (ncols <= 0 || ncols > PINETL_MAX_COLUMNS)
        return pinetl__error_set(PINETL_EINVAL, "%s: unknown table %d", fn, (int)table);
    int rc = schema_init(out, "+s", "", 0, ncols);
    if (rc)
        return rc;
    for (int c = 0; c < ncols; c++) {
        int type = pinetl_column_type(table, c);
        struct ArrowSchema *kid = out->children[c];
        rc = schema_init(kid, column_format(type, views), pinetl_column_name(table, c),
                         c == 0 ? 0 : ARROW_FLAG_NULLABLE, type == PINETL_TYPE_COORDS);
        if (!rc)
            out->n_children = c + 1;
        if (!rc && type == PINETL_TYPE_COORDS &&
            !(rc = schema_init(kid->children[0], "g", "item", ARROW_FLAG_NULLABLE, 0)))
            kid->n_children = 1;
        if (rc) {
            out->release(out);
            return rc;
        }
    }
    return PINETL_OK;
}

int pinetl_arrow_schema(struct ArrowSchema *out, pinetl_table table) {
    return table_schema(out, table, 0);
}

int pinetl_arrow_view_schema(struct ArrowSchema *out, pinetl_table table) {
    return table_schema(out, table, 1);
}

static const char *const reject_names[REJECT_COLUMNS] = {"table",  "source",  "line", "offset",
                                                         "reason", "message", "raw"};
static const char *const reject_formats[REJECT_COLUMNS] = {"U", "U", "l", "l", "U", "U", "Z"};

int pinetl_arrow_rejects_schema(struct ArrowSchema *out) {
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_arrow_rejects_schema: NULL argument");
    int rc = schema_init(out, "+s", "", 0, REJECT_COLUMNS);
    if (rc)
        return rc;
    for (int c = 0; c < REJECT_COLUMNS; c++) {
        if ((rc = schema_init(out->children[c], reject_formats[c], reject_names[c], 0, 0))) {
            out->release(out);
            return rc;
        }
        out->n_children = c + 1;
    }
    return PINETL_OK;
}

/* ---- arrays ---- */

struct plan;

typedef struct holder {
    atomic_long refs;
    struct plan *plan;   /* while exporting: the moves of kept rows */
    pinetl_batch *batch; /* NULL while an export is failing: the caller keeps the batch */
    void **owned;        /* buffers gathered for this export */
    size_t nowned, owned_cap;
} holder;

typedef struct array_node {
    holder *h;
    const void *buffers[3];
    struct ArrowArray *ptrs[PINETL_MAX_COLUMNS];
    struct ArrowArray kids[PINETL_MAX_COLUMNS];
} array_node;

static void holder_unref(holder *h) {
    if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1)
        return;
    pinetl_batch_free(h->batch);
    for (size_t i = 0; i < h->nowned; i++)
        pinetl__free(h->owned[i]);
    pinetl__free(h->owned);
    pinetl__free(h);
}

/* Memory the holder frees with the batch; NULL (error set) when out of memory. */
static void *holder_alloc(holder *h, size_t bytes) {
    if (h->nowned == h->owned_cap) {
        size_t cap = h->owned_cap ? 2 * h->owned_cap : 32;
        void **p = pinetl__realloc(h->owned, cap * sizeof *p);
        if (!p)
            goto oom;
        h->owned = p;
        h->owned_cap = cap;
    }
    void *p = pinetl__malloc(bytes ? bytes : 1);
    if (!p)
        goto oom;
    h->owned[h->nowned++] = p;
    return p;
oom:
    pinetl__error_set(PINETL_ENOMEM, "out of memory exporting a batch to Arrow");
    return NULL;
}

static void array_release(struct ArrowArray *a) {
    array_node *nd = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++)
        if (a->children[i]->release)
            a->children[i]->release(a->children[i]);
    holder *h = nd->h;
    pinetl__free(nd);
    a->release = NULL;
    holder_unref(h);
}

/* A node of length rows with n_buffers buffers (set by the caller) and n child slots (built by
 * the caller, counted in n_children as they are). */
static int array_init(struct ArrowArray *a, holder *h, int64_t length, int n_buffers, int n) {
    memset(a, 0, sizeof *a);
    array_node *nd = pinetl__calloc(1, sizeof *nd);
    if (!nd)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory exporting a batch to Arrow");
    nd->h = h;
    atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
    a->length = length;
    a->n_buffers = n_buffers;
    a->buffers = nd->buffers;
    a->children = n ? nd->ptrs : NULL;
    for (int i = 0; i < n; i++)
        nd->ptrs[i] = &nd->kids[i];
    a->release = array_release;
    a->private_data = nd;
    return PINETL_OK;
}

/* Rows kept by an export: all rows (keep == NULL) or the listed ones. */
typedef struct rowset {
    size_t n;             /* rows exported */
    const uint32_t *keep; /* their batch rows, ascending; NULL: rows 0 .. n - 1 */
} rowset;

static int64_t count_nulls(const uint8_t *bits, size_t n) {
    size_t set = 0, full = n / 8;
    for (size_t i = 0; i < full; i++)
        set += (size_t)__builtin_popcount(bits[i]);
    for (size_t r = full * 8; r < n; r++)
        set += (bits[r >> 3] >> (r & 7)) & 1;
    return (int64_t)(n - set);
}

/* Kept rows are moved to the front of the batch's own buffers (the export owns the batch, so
 * nothing else reads them), not copied out: new memory costs page faults on every fresh page.
 * The moves are planned while the arrays are built and made only once nothing can fail any more,
 * so a failed export leaves the batch as it was. */
enum { MOVE_BITS, MOVE_FIXED, MOVE_OFFSETS };

typedef struct move {
    int kind;
    struct ArrowArray *a; /* MOVE_BITS: its validity and null count are set */
    void *data;
    size_t width; /* MOVE_FIXED */
} move;

struct plan {
    move m[3 * PINETL_MAX_COLUMNS + 1];
    int n;
};

/* The batch's buffers are written in place, through the export's ownership of it. */
static void plan_add(holder *h, int kind, struct ArrowArray *a, const void *data, size_t width) {
    h->plan->m[h->plan->n++] = (move){kind, a, (void *)(uintptr_t)data, width};
}

static void move_bits(const move *mv, const rowset *rs) {
    uint8_t *bits = mv->data;
    size_t valid = 0;
    for (size_t j = 0; j < rs->n; j++) {
        uint32_t r = rs->keep[j]; /* r >= j: bit r is read before bit j is written */
        int set = (bits[r >> 3] >> (r & 7)) & 1;
        if (set)
            bits[j >> 3] |= (uint8_t)(1u << (j & 7));
        else
            bits[j >> 3] &= (uint8_t) ~(1u << (j & 7));
        valid += (size_t)set;
    }
    mv->a->null_count = (int64_t)(rs->n - valid);
    mv->a->buffers[0] = mv->a->null_count ? bits : NULL;
}

static void move_fixed(const move *mv, const rowset *rs) {
    char *v = mv->data;
    size_t w = mv->width;
    /* runs of consecutive rows: one move each, to a place at or before their own */
    for (size_t j = 0; j < rs->n;) {
        size_t k = j + 1;
        while (k < rs->n && rs->keep[k] == rs->keep[k - 1] + 1)
            k++;
        memmove(v + j * w, v + (size_t)rs->keep[j] * w, (k - j) * w);
        j = k;
    }
}

/* A rejected row holds no text, so the kept rows' texts are contiguous in the blob: only the
 * offsets move. */
static void move_offsets(const move *mv, const rowset *rs) {
    int64_t *o = mv->data;
    int64_t end = o[rs->keep[rs->n - 1] + 1];
    for (size_t j = 0; j < rs->n; j++)
        o[j] = o[rs->keep[j]];
    o[rs->n] = end;
}

static void plan_run(const struct plan *pl, const rowset *rs) {
    for (int i = 0; i < pl->n; i++) {
        const move *mv = &pl->m[i];
        if (mv->kind == MOVE_BITS)
            move_bits(mv, rs);
        else if (mv->kind == MOVE_FIXED)
            move_fixed(mv, rs);
        else
            move_offsets(mv, rs);
    }
}

/* The validity bitmap of the kept rows (NULL when none is null) and its null count. */
static void validity(holder *h, struct ArrowArray *a, const uint8_t *bits, const rowset *rs) {
    a->buffers[0] = NULL;
    a->null_count = 0;
    if (!rs->n || !bits)
        return;
    if (rs->keep) {
        plan_add(h, MOVE_BITS, a, bits, 0);
        return;
    }
    a->null_count = count_nulls(bits, rs->n);
    if (a->null_count)
        a->buffers[0] = bits;
}

/* Fixed-width values (width bytes per row) of the kept rows. */
static const void *gather(holder *h, const void *values, size_t width, const rowset *rs) {
    if (!rs->n)
        return zero_offsets; /* any non-NULL pointer: no value is read */
    if (!values) {
        pinetl__error_set(PINETL_ERROR, "a column has no values to export");
        return NULL;
    }
    if (rs->keep)
        plan_add(h, MOVE_FIXED, NULL, values, width);
    return values;
}

/* A string_view column: validity, the views (gathered like any fixed-width values), then the
 * buffers they point into (the column's blob and the batch's input regions, not copied) and
 * their sizes, as the C Data Interface lays out variadic buffers. */
static int export_views(struct ArrowArray *a, holder *h, const pinetl_batch *b, int c,
                        const rowset *rs) {
    size_t nb = pinetl__batch_view_buffers(b, c, NULL, NULL, 0);
    const void **bufs = holder_alloc(h, (3 + nb) * sizeof *bufs);
    const char **data = holder_alloc(h, nb * sizeof *data);
    int64_t *sizes = holder_alloc(h, nb * sizeof *sizes);
    if (!bufs || !data || !sizes)
        return PINETL_ENOMEM;
    pinetl__batch_view_buffers(b, c, data, sizes, nb);
    bufs[0] = a->buffers[0];
    if (!(bufs[1] = gather(h, pinetl__batch_text_views(b, c), 16, rs)))
        return PINETL_ENOMEM;
    for (size_t i = 0; i < nb; i++)
        bufs[2 + i] = data[i];
    bufs[2 + nb] = sizes;
    a->buffers = bufs;
    a->n_buffers = (int64_t)(3 + nb);
    return PINETL_OK;
}

static int export_column(struct ArrowArray *a, holder *h, const pinetl_batch *b, int c,
                         const rowset *rs) {
    int type = pinetl_column_type(pinetl_batch_table(b), c);
    /* buffers: validity + values (int64), + offsets + data (text); a fixed-size list has only
     * its validity, the values are its child's */
    int nbuf = type == PINETL_TYPE_TEXT ? 3 : type == PINETL_TYPE_COORDS ? 1 : 2;
    int rc = array_init(a, h, (int64_t)rs->n, nbuf, type == PINETL_TYPE_COORDS);
    if (rc)
        return rc;
    validity(h, a, pinetl_batch_validity(b, c), rs);
    switch (type) {
    case PINETL_TYPE_INT64:
    case PINETL_TYPE_TIMESTAMP:
        if (!(a->buffers[1] = gather(h, pinetl_batch_int64(b, c), sizeof(int64_t), rs)))
            return PINETL_ENOMEM;
        return PINETL_OK;
    case PINETL_TYPE_COORDS: {
        struct ArrowArray *v = a->children[0];
        if ((rc = array_init(v, h, 2 * (int64_t)rs->n, 2, 0)))
            return rc;
        a->n_children = 1;
        if (!(v->buffers[1] = gather(h, pinetl_batch_coords(b, c), 2 * sizeof(double), rs)))
            return PINETL_ENOMEM;
        return PINETL_OK;
    }
    case PINETL_TYPE_TEXT: {
        if (pinetl__batch_has_views(b))
            return export_views(a, h, b, c, rs);
        const int64_t *offs = pinetl_batch_text_offsets(b, c);
        const char *data = pinetl_batch_text_data(b, c);
        a->buffers[2] = data ? data : empty_bytes;
        if (!rs->n || !offs) {
            a->buffers[1] = zero_offsets;
            return PINETL_OK;
        }
        if (rs->keep)
            plan_add(h, MOVE_OFFSETS, NULL, offs, 0);
        a->buffers[1] = offs;
        return PINETL_OK;
    }
    default: return pinetl__error_set(PINETL_ERROR, "column %d has an unknown type %d", c, type);
    }
}

static int export_rows(struct ArrowArray *a, holder *h, const pinetl_batch *b, const rowset *rs) {
    int ncols = pinetl_column_count(pinetl_batch_table(b));
    int rc = array_init(a, h, (int64_t)rs->n, 1, ncols);
    for (int c = 0; !rc && c < ncols; c++) {
        rc = export_column(a->children[c], h, b, c, rs);
        if (a->children[c]->release)
            a->n_children = c + 1; /* built, maybe partly */
    }
    return rc;
}

/* A large_string / large_binary column of n values: value i is texts[i] (lens[i] bytes). */
static int export_bytes(struct ArrowArray *a, holder *h, const char *const *texts,
                        const size_t *lens, size_t n) {
    int rc = array_init(a, h, (int64_t)n, 3, 0);
    if (rc)
        return rc;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lens[i];
    int64_t *o = holder_alloc(h, (n + 1) * sizeof *o);
    char *d = holder_alloc(h, total);
    if (!o || !d)
        return PINETL_ENOMEM;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        o[i] = (int64_t)at;
        if (lens[i])
            memcpy(d + at, texts[i], lens[i]);
        at += lens[i];
    }
    o[n] = (int64_t)at;
    a->buffers[1] = o;
    a->buffers[2] = d;
    return PINETL_OK;
}

static int export_rejects(struct ArrowArray *a, holder *h, const pinetl_batch *b) {
    size_t rows = pinetl_batch_rows(b), n = pinetl_batch_rejected(b);
    int rc = array_init(a, h, (int64_t)n, 1, REJECT_COLUMNS);
    if (rc)
        return rc;
    /* Per reject: text and length of the five byte columns, line and offset. */
    const char **t = holder_alloc(h, 5 * (n ? n : 1) * sizeof *t);
    size_t *len = holder_alloc(h, 5 * (n ? n : 1) * sizeof *len);
    int64_t *lines = holder_alloc(h, (n ? n : 1) * sizeof *lines);
    int64_t *offsets = holder_alloc(h, (n ? n : 1) * sizeof *offsets);
    if (!t || !len || !lines || !offsets)
        return PINETL_ENOMEM;
    const uint8_t *status = pinetl_batch_status(b);
    const uint32_t *sids = pinetl_batch_source_ids(b);
    const int64_t *bl = pinetl_batch_lines(b), *bo = pinetl_batch_offsets(b);
    const char *table = pinetl_table_name(pinetl_batch_table(b));
    size_t j = 0;
    for (size_t r = 0; r < rows && j < n; r++) {
        if (!status[r])
            continue;
        const char *src = pinetl_batch_source_name(b, sids[r]);
        const char *reason = pinetl_reject_name(status[r]);
        const char *msg = pinetl_batch_reject_message(b, r);
        const char *raw = NULL;
        size_t raw_len = 0;
        if ((rc = pinetl_batch_reject_raw(&raw, &raw_len, b, r)))
            return rc;
        t[0 * n + j] = table;
        t[1 * n + j] = src ? src : "";
        t[2 * n + j] = reason ? reason : "";
        t[3 * n + j] = msg ? msg : "";
        t[4 * n + j] = raw;
        for (int k = 0; k < 4; k++)
            len[k * n + j] = strlen(t[k * n + j]);
        len[4 * n + j] = raw_len;
        lines[j] = bl[r];
        offsets[j] = bo[r];
        j++;
    }
    if (j != n)
        return pinetl__error_set(PINETL_ERROR, "the batch counts %zu rejects but holds %zu", n, j);
    /* columns: table, source, line, offset, reason, message, raw */
    static const int text_of[REJECT_COLUMNS] = {0, 1, -1, -1, 2, 3, 4};
    for (int c = 0; c < REJECT_COLUMNS; c++) {
        struct ArrowArray *kid = a->children[c];
        if (text_of[c] >= 0) {
            rc = export_bytes(kid, h, t + (size_t)text_of[c] * n, len + (size_t)text_of[c] * n, n);
        } else if (!(rc = array_init(kid, h, (int64_t)n, 2, 0))) {
            kid->buffers[1] = c == 2 ? lines : offsets;
        }
        if (kid->release)
            a->n_children = c + 1;
        if (rc)
            return rc;
    }
    return PINETL_OK;
}

int pinetl_arrow_export_batch(struct ArrowArray *rows, struct ArrowArray *rejects,
                              pinetl_batch *batch) {
    if (!batch || (!rows && !rejects))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_arrow_export_batch: NULL argument");
    if (rows)
        memset(rows, 0, sizeof *rows);
    if (rejects)
        memset(rejects, 0, sizeof *rejects);
    size_t n = pinetl_batch_rows(batch), nrej = pinetl_batch_rejected(batch);
    if (n > UINT32_MAX)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_arrow_export_batch: %zu rows in one batch",
                                 n);
    holder *h = pinetl__calloc(1, sizeof *h);
    if (!h)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory exporting a batch to Arrow");
    atomic_init(&h->refs, 1); /* this function's own reference, dropped at the end */
    struct plan plan = {.n = 0};
    h->plan = &plan;
    int rc = PINETL_OK;
    rowset rs = {n, NULL};
    if (rows) {
        if (nrej) {
            uint32_t *keep = holder_alloc(h, (n - nrej) * sizeof *keep);
            if (!keep)
                rc = PINETL_ENOMEM;
            const uint8_t *status = pinetl_batch_status(batch);
            size_t k = 0;
            for (size_t r = 0; keep && r < n; r++)
                if (!status[r])
                    keep[k++] = (uint32_t)r;
            rs.n = k;
            rs.keep = keep;
        }
        if (!rc)
            rc = export_rows(rows, h, batch, &rs);
    }
    if (!rc && rejects)
        rc = export_rejects(rejects, h, batch);
    if (rc) {
        /* Undo: the nodes built so far go, the batch stays the caller's. */
        if (rows && rows->release)
            rows->release(rows);
        if (rejects && rejects->release)
            rejects->release(rejects);
    } else {
        plan_run(&plan, &rs);
        h->batch = batch;
    }
    h->plan = NULL;
    holder_unref(h);
    return rc;
}

int pinetl_arrow_export_reader(struct ArrowArray *rows, struct ArrowArray *rejects,
                               pinetl_reader *reader) {
    if (!reader || (!rows && !rejects))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_arrow_export_reader: NULL argument");
    pinetl_batch *batch;
    int rc = pinetl_reader_take_batch(&batch, reader);
    if (rc)
        return rc;
    rc = pinetl_arrow_export_batch(rows, rejects, batch);
    if (rc)
        pinetl_batch_free(batch);
    return rc;
}
