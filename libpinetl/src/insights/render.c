/* Rendering results as aligned tables, JSON or CSV. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "result.h"

typedef pinetl__buf buf;

static void put(buf *b, const char *s, size_t n) { pinetl__buf_append(b, s, n); }

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void pad(buf *b, size_t n) {
    while (n--)
        put(b, " ", 1);
}

/* A value's text: numbers formatted into tmp, text as it is, null as "". */
static const char *value_text(const pinetl_insights *r, const res_cell *c, char *tmp, size_t *len) {
    switch (c->type) {
    case PINETL_VALUE_INT64:
        *len = (size_t)snprintf(tmp, PINETL_DOUBLE_BUFSIZE, "%lld", (long long)c->i);
        return tmp;
    case PINETL_VALUE_REAL:
        *len = (size_t)pinetl_double_format(c->d, tmp);
        return tmp;
    case PINETL_VALUE_TEXT:
        *len = c->len;
        return r->text + c->off;
    }
    *len = 0;
    return "";
}

/* JSON strings: only '"', '\\' and control characters escaped, as in the cleaned output. */
static void json_string(buf *b, const char *s, size_t n) { pinetl__buf_json_string(b, s, n); }

static void render_json(buf *b, const pinetl_insights *r) {
    puts_(b, "{");
    for (size_t t = 0; t < r->count; t++) {
        const res_table *tb = &r->tables[t];
        puts_(b, t ? ",\n" : "\n");
        json_string(b, tb->name, strlen(tb->name));
        puts_(b, ": [");
        for (size_t row = 0; row < tb->nrows; row++) {
            puts_(b, row ? ",\n  {" : "\n  {");
            for (size_t col = 0; col < tb->ncols; col++) {
                const res_cell *c = &tb->cells[row * tb->ncols + col];
                if (col)
                    puts_(b, ", ");
                json_string(b, tb->colnames[col], strlen(tb->colnames[col]));
                puts_(b, ": ");
                char tmp[PINETL_DOUBLE_BUFSIZE];
                size_t len;
                const char *s = value_text(r, c, tmp, &len);
                if (c->type == PINETL_VALUE_TEXT)
                    json_string(b, s, len);
                else if (c->type == PINETL_VALUE_NULL)
                    puts_(b, "null");
                else
                    put(b, s, len);
            }
            puts_(b, "}");
        }
        puts_(b, tb->nrows ? "\n]" : "]");
    }
    puts_(b, "\n}\n");
}

static void csv_field(buf *b, const char *s, size_t n) { pinetl__buf_csv_field(b, s, n); }

static void render_csv(buf *b, const pinetl_insights *r) {
    for (size_t t = 0; t < r->count; t++) {
        const res_table *tb = &r->tables[t];
        if (r->count > 1) {
            puts_(b, "# ");
            puts_(b, tb->name);
            puts_(b, "\n");
        }
        for (size_t col = 0; col < tb->ncols; col++) {
            if (col)
                puts_(b, ",");
            csv_field(b, tb->colnames[col], strlen(tb->colnames[col]));
        }
        puts_(b, "\n");
        for (size_t row = 0; row < tb->nrows; row++) {
            for (size_t col = 0; col < tb->ncols; col++) {
                char tmp[PINETL_DOUBLE_BUFSIZE];
                size_t len;
                const char *s = value_text(r, &tb->cells[row * tb->ncols + col], tmp, &len);
                if (col)
                    puts_(b, ",");
                csv_field(b, s, len);
            }
            puts_(b, "\n");
        }
        if (r->count > 1 && t + 1 < r->count)
            puts_(b, "\n");
    }
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t width(const char *s, size_t n) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Text for a table cell: control characters would break the layout, so they print as spaces. */
static void table_cell(buf *b, const char *s, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x20)
            continue;
        put(b, s + run, i - run);
        put(b, " ", 1);
        run = i + 1;
    }
    put(b, s + run, n - run);
}

static int render_table(buf *b, const pinetl_insights *r) {
    for (size_t t = 0; t < r->count; t++) {
        const res_table *tb = &r->tables[t];
        size_t *w = pinetl__calloc(tb->ncols ? tb->ncols : 1, sizeof *w);
        if (!w)
            return -1;
        int *numeric = pinetl__calloc(tb->ncols ? tb->ncols : 1, sizeof *numeric);
        if (!numeric) {
            pinetl__free(w);
            return -1;
        }
        for (size_t col = 0; col < tb->ncols; col++)
            w[col] = width(tb->colnames[col], strlen(tb->colnames[col]));
        for (size_t row = 0; row < tb->nrows; row++)
            for (size_t col = 0; col < tb->ncols; col++) {
                const res_cell *c = &tb->cells[row * tb->ncols + col];
                char tmp[PINETL_DOUBLE_BUFSIZE];
                size_t len;
                const char *s = value_text(r, c, tmp, &len);
                size_t cw = width(s, len);
                if (cw > w[col])
                    w[col] = cw;
                if (c->type == PINETL_VALUE_INT64 || c->type == PINETL_VALUE_REAL)
                    numeric[col] = 1;
            }
        char head[64];
        snprintf(head, sizeof head, " (%zu row%s)\n", tb->nrows, tb->nrows == 1 ? "" : "s");
        if (t)
            puts_(b, "\n");
        puts_(b, tb->name);
        puts_(b, head);
        for (size_t col = 0; col < tb->ncols; col++) {
            const char *s = tb->colnames[col];
            size_t cw = width(s, strlen(s));
            if (numeric[col])
                pad(b, w[col] - cw);
            puts_(b, s);
            if (col + 1 < tb->ncols)
                pad(b, (numeric[col] ? 0 : w[col] - cw) + 2);
        }
        puts_(b, "\n");
        for (size_t col = 0; col < tb->ncols; col++) {
            for (size_t i = 0; i < w[col]; i++)
                put(b, "-", 1);
            if (col + 1 < tb->ncols)
                puts_(b, "  ");
        }
        puts_(b, "\n");
        for (size_t row = 0; row < tb->nrows; row++) {
            for (size_t col = 0; col < tb->ncols; col++) {
                const res_cell *c = &tb->cells[row * tb->ncols + col];
                char tmp[PINETL_DOUBLE_BUFSIZE];
                size_t len;
                const char *s = value_text(r, c, tmp, &len);
                size_t cw = width(s, len);
                if (numeric[col])
                    pad(b, w[col] - cw);
                table_cell(b, s, len);
                if (col + 1 < tb->ncols)
                    pad(b, (numeric[col] ? 0 : w[col] - cw) + 2);
            }
            puts_(b, "\n");
        }
        pinetl__free(w);
        pinetl__free(numeric);
    }
    return 0;
}

int pinetl_insights_render(const pinetl_insights *r, int format, char **out, size_t *len) {
    if (!r || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insights_render: NULL argument");
    *out = NULL;
    buf b = {0};
    put(&b, "", 0);   /* an empty result still renders as "" */
    switch (format) {
    case PINETL_INSIGHTS_TABLE:
        if (render_table(&b, r))
            b.failed = 1;
        break;
    case PINETL_INSIGHTS_JSON: render_json(&b, r); break;
    case PINETL_INSIGHTS_CSV: render_csv(&b, r); break;
    default:
        return pinetl__error_set(PINETL_EINVAL, "unknown insights format %d", format);
    }
    if (b.failed) {
        pinetl__free(b.p);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    *out = b.p;
    if (len)
        *len = b.len;
    return PINETL_OK;
}
