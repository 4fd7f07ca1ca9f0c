/* Cleaned rows as JSON lines or CSV, rejected rows as JSON lines, into buffers the batch owns.
 * A render is cached until the batch changes: workers render ahead and the consumer's own call
 * then returns the same bytes without work. */
#include <stdio.h>
#include <string.h>

#include "clean.h"
#include "direct.h"
#include "num.h"
#include "rules.h"
#include "util/error.h"

/* Worst case of one value that is not text: a coordinate pair or a timestamp, quoted. */
enum { VALUE_MAX = 2 * 32 + 8 };

static char *put(char *p, const char *s, size_t n) {
    memcpy(p, s, n);
    return p + n;
}

/* Copies a key ("," or "{", the quoted name, ":") whose buffer holds KEY_COPY bytes, by a copy
 * of constant size (no call): every key is shorter, and the row's reservation leaves at least
 * VALUE_MAX bytes after each key, so the bytes copied past it are overwritten or unused. */
enum { KEY_COPY = 32 };
static char *put_key(char *p, const char *key, size_t n) {
    memcpy(p, key, KEY_COPY);
    return p + n;
}

static char *put_coords(char *p, const double *xy) {
    *p++ = '[';
    p += pinetl__num_format_double(xy[0], p);
    *p++ = ',';
    p += pinetl__num_format_double(xy[1], p);
    *p++ = ']';
    return p;
}

static char *put_timestamp(char *p, int64_t us) {
    int n = pinetl__ts_format(us, p + 1);
    if (n < 0)
        return put(p, "null", 4); /* unreachable: cleaned timestamps are in range */
    *p = '"';
    p[n + 1] = '"';
    return p + n + 2;
}

/* Room one row needs: keys, punctuation, the widest non-text values and its texts, times the
 * given expansion factor (6 for texts that need JSON escaping). */
static size_t row_room(const pinetl_batch *b, const clean_value *v, size_t factor) {
    size_t n = b->kall + 4 + (size_t)b->ncols * (VALUE_MAX + 3);
    for (int c = 1; c < b->ncols; c++)
        if (v[c].state == RULE_VALUE && b->cols[c].type == PINETL_TYPE_TEXT)
            n += v[c].n * (v[c].esc ? 6 : factor);
    return n;
}

/* The keys of the JSON lines render ("," or "{", the quoted name, ":"), made once per batch. */
static int render_keys(pinetl_batch *b) {
    if (b->kall)
        return 0;
    size_t all = 0;
    for (int c = 0; c < b->ncols; c++) {
        const char *name = pinetl_column_name(b->table, c);
        int n = snprintf(b->keys[c], sizeof b->keys[c], "%s\"%s\":", c ? "," : "{", name);
        if (n < 0 || n >= KEY_COPY)
            return -1; /* no column name is that long */
        b->klen[c] = (unsigned char)n;
        all += (size_t)n;
    }
    b->kall = all;
    return 0;
}

/* One cleaned row as a JSON line at p (room reserved by row_room); returns the end. */
static char *put_row_jsonl(const pinetl_batch *b, char *p, const clean_value *v) {
    for (int c = 0; c < b->ncols; c++) {
        p = put_key(p, b->keys[c], b->klen[c]);
        if (v[c].state != RULE_VALUE) {
            p = put(p, "null", 4);
            continue;
        }
        switch (b->cols[c].type) {
        case PINETL_TYPE_INT64: p += pinetl__num_format_int64(v[c].i64, p); break;
        case PINETL_TYPE_TIMESTAMP: p = put_timestamp(p, v[c].i64); break;
        case PINETL_TYPE_COORDS: p = put_coords(p, v[c].xy); break;
        default:
            *p++ = '"';
            /* Texts that arrived without escapes need none: copied as they came. */
            p = v[c].esc ? pinetl__json_escape(p, v[c].s, v[c].n) : put(p, v[c].s, v[c].n);
            *p++ = '"';
        }
    }
    *p++ = '}';
    *p++ = '\n';
    return p;
}

static char *put_row_csv(const pinetl_batch *b, char *p, const clean_value *v) {
    for (int c = 0; c < b->ncols; c++) {
        if (c)
            *p++ = ',';
        if (v[c].state != RULE_VALUE)
            continue;
        switch (b->cols[c].type) {
        case PINETL_TYPE_INT64: p += pinetl__num_format_int64(v[c].i64, p); break;
        case PINETL_TYPE_TIMESTAMP: {
            int n = pinetl__ts_format(v[c].i64, p);
            if (n > 0)
                p += n;
            break;
        }
        case PINETL_TYPE_COORDS:
            /* "[lat,lon]" holds a comma: always quoted. */
            *p++ = '"';
            p = put_coords(p, v[c].xy);
            *p++ = '"';
            break;
        default: p = pinetl__csv_escape(p, v[c].s, v[c].n);
        }
    }
    *p++ = '\n';
    return p;
}

/* Appends one cleaned row to b->out in format. */
static int put_row(pinetl_batch *b, int format, const clean_value *v) {
    pinetl__buf *o = &b->out;
    if (pinetl__buf_reserve(o, row_room(b, v, format == PINETL_FORMAT_CSV ? 2 : 1)))
        return -1;
    char *p = o->p + o->len;
    p = format == PINETL_FORMAT_CSV ? put_row_csv(b, p, v) : put_row_jsonl(b, p, v);
    o->len = (size_t)(p - o->p);
    return 0;
}

static int put_header(pinetl_batch *b) {
    pinetl__buf *o = &b->out;
    for (int c = 0; c < b->ncols; c++) {
        const char *name = pinetl_column_name(b->table, c);
        if ((c && pinetl__buf_append(o, ",", 1)) || pinetl__buf_append(o, name, strlen(name)))
            return -1;
    }
    return pinetl__buf_append(o, "\n", 1);
}

/* The columnar render: each row's values read back from the columns, then the same row render
 * as the one-pass path. */
static int render_rows(pinetl_batch *b, int format, int with_header) {
    if (render_keys(b) || (with_header && put_header(b)))
        return -1;
    clean_value v[PINETL_MAX_COLUMNS];
    memset(v, 0, sizeof v);
    for (size_t r = 0; r < b->rows; r++) {
        if (b->status[r])
            continue;
        for (int c = 0; c < b->ncols; c++) {
            const column *k = &b->cols[c];
            v[c].state = bit_get(k->validity, r) ? RULE_VALUE : RULE_NULL;
            switch (k->type) {
            case PINETL_TYPE_TEXT:
                v[c].s = k->text + k->offsets[r];
                v[c].n = (size_t)(k->offsets[r + 1] - k->offsets[r]);
                v[c].esc = (b->escape[r] >> c) & 1;
                break;
            case PINETL_TYPE_COORDS:
                v[c].xy[0] = k->coords[2 * r];
                v[c].xy[1] = k->coords[2 * r + 1];
                break;
            default: v[c].i64 = k->i64[r]; break;
            }
        }
        if (put_row(b, format, v))
            return -1;
    }
    return 0;
}

/* The one-pass path (direct.h). */

int pinetl__batch_use_direct(pinetl_batch *b, pinetl_format format) {
    if (!b || b->rows || b->cap || b->views ||
        (format != PINETL_FORMAT_JSONL && format != PINETL_FORMAT_CSV))
        return pinetl__error_set(PINETL_EINVAL, "the one-pass render needs a new, empty batch "
                                                "without text views and a format");
    b->direct = format;
    return PINETL_OK;
}

int pinetl__batch_direct_header(pinetl_batch *b) {
    if (b->direct != PINETL_FORMAT_CSV || b->out.len)
        return PINETL_OK;
    if (put_header(b))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory rendering a batch");
    b->out_header = 1;
    return PINETL_OK;
}

int pinetl__batch_direct_format(const pinetl_batch *b) { return b ? b->direct : 0; }

int pinetl__render_direct(pinetl_batch *b, const clean_value *v) {
    if (render_keys(b) || put_row(b, b->direct, v))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory rendering a batch");
    for (int c = 1; c < b->ncols; c++) {
        if (!((b->select >> c) & 1))
            continue; /* not cleaned: nothing to count */
        b->dnulls[c] += v[c].state != RULE_VALUE;
        b->dwarnings[c] += v[c].state == RULE_WARN;
    }
    return PINETL_OK;
}

static const char *const format_names[] = {NULL, "jsonl", "csv"};
_Static_assert(sizeof format_names / sizeof format_names[0] == PINETL_FORMAT_CSV + 1,
               "an output format without a name");

const char *pinetl_format_name(pinetl_format format) {
    return (int)format > 0 && (int)format <= PINETL_FORMAT_CSV ? format_names[format] : NULL;
}

int pinetl_format_from_name(pinetl_format *out, const char *name) {
    for (int f = 1; name && f <= PINETL_FORMAT_CSV; f++) {
        if (!strcmp(name, format_names[f])) {
            if (out)
                *out = (pinetl_format)f;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_EINVAL, "unknown format '%s' (expected jsonl or csv)",
                             name ? name : "(null)");
}

static const char *const reject_fields[PINETL_REJECT_FIELDS] = {
    "table", "source", "line", "offset", "reason", "message", "raw"};

const char *pinetl_reject_field_name(int field) {
    return field >= 0 && field < PINETL_REJECT_FIELDS ? reject_fields[field] : NULL;
}

int pinetl_batch_render(const char **out, size_t *len, pinetl_batch *b, pinetl_format format,
                        int with_header) {
    if (!b || !out || !len)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_render: NULL argument");
    if (format != PINETL_FORMAT_JSONL && format != PINETL_FORMAT_CSV)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_render: unknown format %d", format);
    if (b->views)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_render: the batch holds text views "
                                                "(read for Arrow export), which are not rendered");
    with_header = format == PINETL_FORMAT_CSV && with_header;
    if (b->direct) {
        /* Rendered as the records came in; the header is the worker's choice (first batch). */
        if ((int)format != b->direct)
            return pinetl__error_set(PINETL_EINVAL,
                                     "pinetl_batch_render: the batch was rendered "
                                     "as %s in one pass",
                                     pinetl_format_name(b->direct));
        *out = b->out.p ? b->out.p : "";
        *len = b->out.len;
        return PINETL_OK;
    }
    if (!(b->out_valid && b->out_format == (int)format && b->out_header == with_header)) {
        b->out.len = 0;
        b->out_valid = 0;
        if (pinetl__buf_reserve(&b->out, 1) || render_rows(b, format, with_header))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory rendering a batch");
        b->out_valid = 1;
        b->out_format = format;
        b->out_header = with_header;
    }
    *out = b->out.p;
    *len = b->out.len;
    return PINETL_OK;
}

static int append_str(pinetl__buf *o, const char *s) { return pinetl__buf_append(o, s, strlen(s)); }

static int append_int(pinetl__buf *o, int64_t v) {
    char tmp[24];
    return pinetl__buf_append(o, tmp, pinetl__num_format_int64(v, tmp));
}

static int append_base64(pinetl__buf *o, const unsigned char *s, size_t n) {
    return pinetl__buf_base64(o, s, n);
}

static int render_reject(pinetl_batch *b, const reject *rj) {
    pinetl__buf *o = &b->rout;
    size_t r = rj->row;
    const char *src = pinetl_batch_source_name(b, b->source_ids[r]);
    const char *raw = b->rblob.p + rj->raw;
    int utf8 = pinetl__json_utf8_valid(raw, rj->raw_len, NULL);
    return append_str(o, "{\"table\":\"") || append_str(o, pinetl_table_name(b->table)) ||
           append_str(o, "\",\"source\":") || pinetl__buf_json_string(o, src, strlen(src)) ||
           append_str(o, ",\"line\":") || append_int(o, b->lines[r]) ||
           append_str(o, ",\"offset\":") || append_int(o, b->offsets[r]) ||
           append_str(o, ",\"reason\":\"") || append_str(o, pinetl_reject_name(b->status[r])) ||
           append_str(o, "\",\"message\":") ||
           pinetl__buf_json_string(o, b->rblob.p + rj->msg, strlen(b->rblob.p + rj->msg)) ||
           append_str(o, utf8 ? ",\"raw\":" : ",\"raw_base64\":") ||
           (utf8 ? pinetl__buf_json_string(o, raw, rj->raw_len)
                 : append_base64(o, (const unsigned char *)raw, rj->raw_len)) ||
           append_str(o, "}\n");
}

int pinetl_batch_render_rejects(const char **out, size_t *len, pinetl_batch *b) {
    if (!b || !out || !len)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_render_rejects: NULL argument");
    if (!b->rout_valid) {
        b->rout.len = 0;
        if (pinetl__buf_reserve(&b->rout, 1))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory rendering rejects");
        for (size_t i = 0; i < b->nrejected; i++)
            if (render_reject(b, &b->rejects[i]))
                return pinetl__error_set(PINETL_ENOMEM, "out of memory rendering rejects");
        b->rout_valid = 1;
    }
    *out = b->rout.p;
    *len = b->rout.len;
    return PINETL_OK;
}
