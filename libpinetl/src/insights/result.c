/* Results: building them, reading them, comparing them. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/batch_internal.h"
#include "util/error.h"
#include "util/alloc.h"

int pinetl__result_new(pinetl_insights **out) {
    *out = pinetl__calloc(1, sizeof **out);
    return *out ? PINETL_OK : pinetl__error_set(PINETL_ENOMEM, "out of memory");
}

void pinetl_insights_free(pinetl_insights *r) {
    if (!r)
        return;
    for (size_t t = 0; t < r->count; t++) {
        res_table *tb = &r->tables[t];
        pinetl__free(tb->name);
        for (size_t c = 0; c < tb->ncols && tb->colnames; c++)
            pinetl__free(tb->colnames[c]);
        pinetl__free(tb->colnames);
        pinetl__free(tb->cells);
    }
    pinetl__free(r->tables);
    pinetl__free(r->text);
    pinetl__free(r);
}

int pinetl__result_table(pinetl_insights *r, const char *name, size_t ncols, const char *const *colnames) {
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        res_table *t = pinetl__realloc(r->tables, cap * sizeof *t);
        if (!t)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        r->tables = t;
        r->cap = cap;
    }
    res_table *tb = &r->tables[r->count];
    memset(tb, 0, sizeof *tb);
    r->count++;   /* counted now so that pinetl__free() releases what was set up */
    tb->name = pinetl__strdup(name);
    tb->colnames = pinetl__calloc(ncols ? ncols : 1, sizeof *tb->colnames);
    if (!tb->name || !tb->colnames)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    tb->ncols = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!(tb->colnames[c] = pinetl__strdup(colnames[c])))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    return PINETL_OK;
}

int pinetl__result_row(pinetl_insights *r) {
    res_table *tb = &r->tables[r->count - 1];
    if (tb->nrows == tb->cap) {
        size_t cap = tb->cap ? tb->cap * 2 : 16;
        res_cell *c = pinetl__realloc(tb->cells, cap * (tb->ncols ? tb->ncols : 1) * sizeof *c);
        if (!c)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        tb->cells = c;
        tb->cap = cap;
    }
    memset(tb->cells + tb->nrows * tb->ncols, 0, tb->ncols * sizeof *tb->cells);
    tb->nrows++;
    return PINETL_OK;
}

static res_cell *last(pinetl_insights *r, size_t col) {
    res_table *tb = &r->tables[r->count - 1];
    return &tb->cells[(tb->nrows - 1) * tb->ncols + col];
}

void pinetl__result_set_int(pinetl_insights *r, size_t col, int64_t v) {
    res_cell *c = last(r, col);
    c->type = PINETL_VALUE_INT64;
    c->i = v;
}

void pinetl__result_set_real(pinetl_insights *r, size_t col, double v) {
    res_cell *c = last(r, col);
    c->type = PINETL_VALUE_REAL;
    c->d = v;
}

int pinetl__result_set_text(pinetl_insights *r, size_t col, const char *s, size_t len) {
    if (r->tlen + len + 1 > r->tcap) {
        size_t cap = r->tcap ? r->tcap : 1024;
        while (cap < r->tlen + len + 1)
            cap *= 2;
        char *t = pinetl__realloc(r->text, cap);
        if (!t)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        r->text = t;
        r->tcap = cap;
    }
    memcpy(r->text + r->tlen, s, len);
    r->text[r->tlen + len] = '\0';
    res_cell *c = last(r, col);
    c->type = PINETL_VALUE_TEXT;
    c->off = r->tlen;
    c->len = len;
    r->tlen += len + 1;
    return PINETL_OK;
}

/* Reading. */

size_t pinetl_insights_count(const pinetl_insights *r) { return r ? r->count : 0; }

static const res_table *table_at(const pinetl_insights *r, size_t t) {
    return r && t < r->count ? &r->tables[t] : NULL;
}

const char *pinetl_insights_name(const pinetl_insights *r, size_t t) {
    const res_table *tb = table_at(r, t);
    return tb ? tb->name : NULL;
}

int pinetl_insights_find(const pinetl_insights *r, const char *name) {
    for (size_t t = 0; r && name && t < r->count; t++)
        if (!strcmp(r->tables[t].name, name))
            return (int)t;
    return -1;
}

size_t pinetl_insights_rows(const pinetl_insights *r, size_t t) {
    const res_table *tb = table_at(r, t);
    return tb ? tb->nrows : 0;
}

size_t pinetl_insights_columns(const pinetl_insights *r, size_t t) {
    const res_table *tb = table_at(r, t);
    return tb ? tb->ncols : 0;
}

const char *pinetl_insights_column_name(const pinetl_insights *r, size_t t, size_t column) {
    const res_table *tb = table_at(r, t);
    return tb && column < tb->ncols ? tb->colnames[column] : NULL;
}

static const res_cell *cell(const pinetl_insights *r, size_t t, size_t row, size_t column) {
    const res_table *tb = table_at(r, t);
    if (!tb || row >= tb->nrows || column >= tb->ncols)
        return NULL;
    return &tb->cells[row * tb->ncols + column];
}

int pinetl_insights_value_type(const pinetl_insights *r, size_t t, size_t row, size_t column) {
    const res_cell *c = cell(r, t, row, column);
    return c ? c->type : PINETL_VALUE_NULL;
}

int64_t pinetl_insights_int64(const pinetl_insights *r, size_t t, size_t row, size_t column) {
    const res_cell *c = cell(r, t, row, column);
    return c && c->type == PINETL_VALUE_INT64 ? c->i : 0;
}

double pinetl_insights_real(const pinetl_insights *r, size_t t, size_t row, size_t column) {
    const res_cell *c = cell(r, t, row, column);
    if (!c)
        return 0;
    return c->type == PINETL_VALUE_REAL ? c->d : c->type == PINETL_VALUE_INT64 ? (double)c->i : 0;
}

const char *pinetl_insights_text(const pinetl_insights *r, size_t t, size_t row, size_t column,
                                 size_t *len) {
    const res_cell *c = cell(r, t, row, column);
    if (!c || c->type != PINETL_VALUE_TEXT) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = c->len;
    return r->text + c->off;
}

/* Comparing. */

__attribute__((format(printf, 2, 3)))
static int differ(char **why, const char *fmt, ...) {
    if (why) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n >= 0 && (*why = pinetl__malloc((size_t)n + 1))) {
            va_start(ap, fmt);
            vsnprintf(*why, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    return 0;
}

static int cells_equal(const pinetl_insights *a, const res_cell *x, const pinetl_insights *b,
                       const res_cell *y) {
    if (x->type != y->type)
        return 0;
    switch (x->type) {
    case PINETL_VALUE_INT64: return x->i == y->i;
    case PINETL_VALUE_REAL: return x->d == y->d;
    case PINETL_VALUE_TEXT:
        return x->len == y->len && !memcmp(a->text + x->off, b->text + y->off, x->len);
    }
    return 1;
}

int pinetl_insights_equal(const pinetl_insights *a, const pinetl_insights *b, char **why) {
    if (why)
        *why = NULL;
    if (!a || !b)
        return a == b;
    if (a->count != b->count)
        return differ(why, "not the same number of tables (%zu, %zu)", a->count, b->count);
    for (size_t t = 0; t < a->count; t++) {
        const res_table *x = &a->tables[t], *y = &b->tables[t];
        if (strcmp(x->name, y->name))
            return differ(why, "table %zu: names differ (%s, %s)", t, x->name, y->name);
        if (x->ncols != y->ncols)
            return differ(why, "%s: column counts differ (%zu, %zu)", x->name, x->ncols, y->ncols);
        for (size_t c = 0; c < x->ncols; c++)
            if (strcmp(x->colnames[c], y->colnames[c]))
                return differ(why, "%s: column %zu: names differ (%s, %s)", x->name, c,
                              x->colnames[c], y->colnames[c]);
        if (x->nrows != y->nrows)
            return differ(why, "%s: row counts differ (%zu, %zu)", x->name, x->nrows, y->nrows);
        for (size_t r = 0; r < x->nrows; r++)
            for (size_t c = 0; c < x->ncols; c++)
                if (!cells_equal(a, &x->cells[r * x->ncols + c], b, &y->cells[r * y->ncols + c]))
                    return differ(why, "%s: values differ at row %zu, column %zu", x->name, r, c);
    }
    return 1;
}
