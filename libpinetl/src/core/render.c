/* Cleaned rows as JSON lines or CSV, rejected rows as JSON lines, into buffers the batch owns.
 * A render is cached until the batch changes: workers render ahead and the consumer's own call
 * then returns the same bytes without work. */
#include <stdio.h>
#include <string.h>

#include "storage.h"
#include "num.h"
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

/* Bytes of row r's text columns, times the given expansion factor. */
static size_t text_bytes(const pinetl_batch *b, size_t r, size_t factor) {
    size_t n = 0;
    for (int c = 0; c < b->ncols; c++) {
        const column *k = &b->cols[c];
        if (k->type == PINETL_TYPE_TEXT)
            n += (size_t)(k->offsets[r + 1] - k->offsets[r]) *
                 ((b->escape[r] >> c) & 1 ? 6 : factor);
    }
    return n;
}

static int render_jsonl(pinetl_batch *b) {
    char keys[PINETL_MAX_COLUMNS][40] = {{0}};
    size_t klen[PINETL_MAX_COLUMNS], kall = 0;
    for (int c = 0; c < b->ncols; c++) {
        const char *name = pinetl_column_name(b->table, c);
        klen[c] = (size_t)snprintf(keys[c], sizeof keys[c], "%s\"%s\":", c ? "," : "{", name);
        if (klen[c] >= KEY_COPY)
            return -1; /* no column name is that long */
        kall += klen[c];
    }
    pinetl__buf *o = &b->out;
    for (size_t r = 0; r < b->rows; r++) {
        if (b->status[r])
            continue;
        if (pinetl__buf_reserve(o, kall + 2 + (size_t)b->ncols * VALUE_MAX + text_bytes(b, r, 1)))
            return -1;
        char *p = o->p + o->len;
        for (int c = 0; c < b->ncols; c++) {
            const column *k = &b->cols[c];
            p = put_key(p, keys[c], klen[c]);
            if (!bit_get(k->validity, r)) {
                p = put(p, "null", 4);
                continue;
            }
            switch (k->type) {
            case PINETL_TYPE_INT64: p += pinetl__num_format_int64(k->i64[r], p); break;
            case PINETL_TYPE_TIMESTAMP: p = put_timestamp(p, k->i64[r]); break;
            case PINETL_TYPE_COORDS: p = put_coords(p, &k->coords[2 * r]); break;
            default: {
                const char *s = k->text + k->offsets[r];
                size_t n = (size_t)(k->offsets[r + 1] - k->offsets[r]);
                *p++ = '"';
                /* Texts that arrived without escapes need none: copy them. */
                p = (b->escape[r] >> c) & 1 ? pinetl__json_escape(p, s, n) : put(p, s, n);
                *p++ = '"';
            }
            }
        }
        *p++ = '}';
        *p++ = '\n';
        o->len = (size_t)(p - o->p);
    }
    return 0;
}

static int render_csv(pinetl_batch *b, int with_header) {
    pinetl__buf *o = &b->out;
    if (with_header) {
        for (int c = 0; c < b->ncols; c++) {
            const char *name = pinetl_column_name(b->table, c);
            if ((c && pinetl__buf_append(o, ",", 1)) || pinetl__buf_append(o, name, strlen(name)))
                return -1;
        }
        if (pinetl__buf_append(o, "\n", 1))
            return -1;
    }
    for (size_t r = 0; r < b->rows; r++) {
        if (b->status[r])
            continue;
        if (pinetl__buf_reserve(o, 2 + (size_t)b->ncols * (VALUE_MAX + 3) + text_bytes(b, r, 2)))
            return -1;
        char *p = o->p + o->len;
        for (int c = 0; c < b->ncols; c++) {
            const column *k = &b->cols[c];
            if (c)
                *p++ = ',';
            if (!bit_get(k->validity, r))
                continue;
            switch (k->type) {
            case PINETL_TYPE_INT64: p += pinetl__num_format_int64(k->i64[r], p); break;
            case PINETL_TYPE_TIMESTAMP: {
                int n = pinetl__ts_format(k->i64[r], p);
                if (n > 0)
                    p += n;
                break;
            }
            case PINETL_TYPE_COORDS:
                /* "[lat,lon]" holds a comma: always quoted. */
                *p++ = '"';
                p = put_coords(p, &k->coords[2 * r]);
                *p++ = '"';
                break;
            default:
                p = pinetl__csv_escape(p, k->text + k->offsets[r],
                                       (size_t)(k->offsets[r + 1] - k->offsets[r]));
            }
        }
        *p++ = '\n';
        o->len = (size_t)(p - o->p);
    }
    return 0;
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
    if (!(b->out_valid && b->out_format == (int)format && b->out_header == with_header)) {
        b->out.len = 0;
        b->out_valid = 0;
        if (pinetl__buf_reserve(&b->out, 1) ||
            (format == PINETL_FORMAT_JSONL ? render_jsonl(b) : render_csv(b, with_header)))
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
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (pinetl__buf_reserve(o, (n + 2) / 3 * 4 + 2))
        return -1;
    char *p = o->p + o->len;
    *p++ = '"';
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *p++ = tab[v >> 18];
        *p++ = tab[(v >> 12) & 63];
        *p++ = tab[(v >> 6) & 63];
        *p++ = tab[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        *p++ = tab[v >> 18];
        *p++ = tab[(v >> 12) & 63];
        *p++ = '=';
        *p++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        *p++ = tab[v >> 18];
        *p++ = tab[(v >> 12) & 63];
        *p++ = tab[(v >> 6) & 63];
        *p++ = '=';
    }
    *p++ = '"';
    o->len = (size_t)(p - o->p);
    return 0;
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
