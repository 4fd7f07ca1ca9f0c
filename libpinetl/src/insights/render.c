/* Rendering results as aligned tables, JSON or CSV. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "core/batch_internal.h"
#include "result.h"

typedef struct buf { char *p; size_t len, cap; int failed; } buf;

static void put(buf *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

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

/* JSON strings: only '"', '\' and control characters escaped, as in the cleaned output. */
static void json_string(buf *b, const char *s, size_t n) {
    put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        put(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (ch) {
        case '"': puts_(b, "\\\""); break;
        case '\\': puts_(b, "\\\\"); break;
        case '\n': puts_(b, "\\n"); break;
        case '\t': puts_(b, "\\t"); break;
        case '\r': puts_(b, "\\r"); break;
        case '\b': puts_(b, "\\b"); break;
        case '\f': puts_(b, "\\f"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            puts_(b, esc);
        }
    }
    put(b, s + run, n - run);
    put(b, "\"", 1);
}

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

static void csv_field(buf *b, const char *s, size_t n) {
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        put(b, s, n);
        return;
    }
    put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {   /* a quote is doubled */
            put(b, s + run, i + 1 - run);
            run = i;
        }
    }
    put(b, s + run, n - run);
    put(b, "\"", 1);
}

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
        size_t *w = calloc(tb->ncols ? tb->ncols : 1, sizeof *w);
        if (!w)
            return -1;
        int *numeric = calloc(tb->ncols ? tb->ncols : 1, sizeof *numeric);
        if (!numeric) {
            free(w);
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
        free(w);
        free(numeric);
    }
    return 0;
}

int pinetl_insights_render(const pinetl_insights *r, int format, char **out, size_t *len) {
    if (!r || !out)
        return pinetl_set_error(PINETL_EINVAL, "pinetl_insights_render: NULL argument");
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
        return pinetl_set_error(PINETL_EINVAL, "unknown insights format %d", format);
    }
    if (b.failed) {
        free(b.p);
        return pinetl_set_error(PINETL_ENOMEM, "out of memory");
    }
    *out = b.p;
    if (len)
        *len = b.len;
    return PINETL_OK;
}
