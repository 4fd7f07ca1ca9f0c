/* The splitting state machine. Line mode cuts at newlines and leaves each line to the worker;
 * value mode scans top-level values itself (a pretty-printed body, a top-level array streamed
 * element by element), because a bad value decides where the rest of the input stops making
 * sense, and that has to be known before the next bytes are split. */
#include "split.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/batch_internal.h"
#include "core/json.h"

enum {
    S_DETECT, S_LINES, S_SKIP_LINE, S_VALUES, S_ARRAY_OPEN, S_ARRAY_ELEM, S_ARRAY_NEXT, S_REST,
    S_DRAIN
};

/* A first line that opens an array and runs longer than this is streamed as a huge array. */
#define DETECT_ARRAY_BYTES ((size_t)1 << 20)

void pinetl__io_split_init(io_split *s, const char *source, int format, size_t max_record,
                   int64_t first_line, int64_t first_offset, io_emit_fn emit, void *ud) {
    memset(s, 0, sizeof *s);
    s->state = S_DETECT;
    s->format = format;
    s->max_record = max_record ? max_record : IO_MAX_RECORD_DEFAULT;
    s->source = source;
    s->line = first_line;
    s->offset = first_offset;
    s->at_start = 1;
    s->emit = emit;
    s->ud = ud;
}

static int json_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int is_delimiter(unsigned char c) {
    return json_ws(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' ||
           c == ':';
}

/* Length of the value at p if its end lies before end, judged by brackets and strings alone;
 * 0 when more bytes are needed to tell. Decides "truncated" versus "really invalid". */
static size_t structural_end(const char *p, const char *end) {
    const char *q = p;
    unsigned char c0 = (unsigned char)*p;
    if (c0 == '"') {
        for (q = p + 1; q < end; q++) {
            if (*q == '\\') {
                if (++q >= end)
                    return 0;
            } else if (*q == '"')
                return (size_t)(q - p) + 1;
        }
        return 0;
    }
    if (c0 == '{' || c0 == '[') {
        size_t depth = 0;
        int in_string = 0;
        for (; q < end; q++) {
            unsigned char c = (unsigned char)*q;
            if (in_string) {
                if (c == '\\') {
                    if (++q >= end)
                        return 0;
                } else if (c == '"')
                    in_string = 0;
            } else if (c == '"')
                in_string = 1;
            else if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return (size_t)(q - p) + 1;
        }
        return 0;
    }
    if (is_delimiter(c0))
        return 1;
    for (; q < end; q++)
        if (is_delimiter((unsigned char)*q))
            return (size_t)(q - p);
    return 0;
}

enum { SCAN_OK = 1, SCAN_MORE = 0, SCAN_BAD = -1, SCAN_HUGE = -2 };

static int scan(const io_split *s, const char *p, const char *end, int eof, json_value *v,
                json_error *e) {
    const char *q = p;
    memset(e, 0, sizeof *e);
    if (pinetl__json_scan_value(&q, end, p, v, e) == 0) {
        /* A number or literal that touches the end may go on in the next bytes. */
        if (q == end && !eof && v->type != JSON_OBJECT && v->type != JSON_ARRAY &&
            v->type != JSON_STRING)
            return SCAN_MORE;
        return SCAN_OK;
    }
    if (eof || structural_end(p, end))
        return SCAN_BAD;
    if ((size_t)(end - p) > s->max_record)
        return e->offset + 64 < (size_t)(end - p) ? SCAN_BAD : SCAN_HUGE;
    return SCAN_MORE;
}

static int emit(io_split *s, int kind, int code, const char *p, size_t n, const char *msg) {
    io_item it = {kind, code, p, n, s->line, s->offset, msg, s->source, s->format};
    return s->emit(s->ud, &it);
}

static void advance(io_split *s, const char *p, size_t n) {
    s->line += pinetl__io_count_lines(p, n);
    s->offset += (int64_t)n;
}

static void skip_ws(io_split *s, const char *buf, size_t len, size_t *pos) {
    size_t i = *pos;
    while (i < len && json_ws((unsigned char)buf[i])) {
        if (buf[i] == '\n')
            s->line++;
        i++;
    }
    s->offset += (int64_t)(i - *pos);
    *pos = i;
}

static size_t raw_keep(const io_split *s) {
    return s->max_record < IO_RAW_KEEP ? s->max_record : IO_RAW_KEEP;
}

/* A record larger than the limit that could be delimited: rejected alone. */
static int emit_too_large(io_split *s, const char *p, size_t n) {
    char msg[160];
    size_t keep = n < raw_keep(s) ? n : raw_keep(s);
    snprintf(msg, sizeof msg, "record larger than the limit of %zu bytes (raw holds its first %zu "
             "bytes)", s->max_record, keep);
    return emit(s, IO_ITEM_REJECT, PINETL_REJECT_TOO_LARGE, p, keep, msg);
}

/* Everything from the current position to the end of the input becomes one reject. */
__attribute__((format(printf, 3, 4)))
static void start_rest(io_split *s, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->rest_msg, sizeof s->rest_msg, fmt, ap);
    va_end(ap);
    s->rest_code = code;
    s->state = S_REST;
}

static void rest_after_bad_scan(io_split *s, const char *p, const json_error *e) {
    start_rest(s, e->utf8 ? PINETL_REJECT_UTF8 : PINETL_REJECT_JSON,
               "%s at line %lld, byte %lld: %s", e->utf8 ? "invalid UTF-8" : "invalid JSON",
               (long long)(s->line + pinetl__io_count_lines(p, e->offset)),
               (long long)(s->offset + (int64_t)e->offset), e->what);
}

/* Inside a streamed array, whitespace is consumed only once a byte after it is seen: if the input
 * ends there instead, the array has lost its closing ']' and that whitespace is the raw tail of
 * the one reject for the cut (empty when the input stops right after an element or ','). A run
 * of whitespace as long as the raw limit is consumed anyway, so the buffer stays bounded.
 * Returns 1 (go on, whitespace skipped), 0 (more bytes), 2 (cut reported) or an emit code. */
static int array_ws(io_split *s, const char *buf, size_t len, int eof, size_t *pos,
                    const char *expected) {
    size_t i = *pos;
    while (i < len && json_ws((unsigned char)buf[i]))
        i++;
    if (i < len || (!eof && i - *pos >= raw_keep(s))) {
        skip_ws(s, buf, len, pos);
        return 1;
    }
    if (!eof)
        return 0;
    char msg[200];
    size_t n = len - *pos;
    snprintf(msg, sizeof msg, "the input ends inside a top-level array (opened at line %lld, "
             "byte %lld): expected %s; its closing ']' is missing (raw holds the %zu bytes after "
             "the last complete token)", (long long)s->array_line, (long long)s->array_offset,
             expected, n);
    int rc = emit(s, IO_ITEM_REJECT, PINETL_REJECT_JSON, buf + *pos, n, msg);
    if (rc)
        return rc;
    advance(s, buf + *pos, n);
    *pos = len;
    s->state = S_DRAIN;
    return 2;
}

/* Bytes past a fault that the scanner may have looked at to report it (a surrogate pair escape
 * is 12): a fault this far from the end stays where it is whatever bytes follow. */
#define FAULT_LOOKAHEAD 16

static int array_format(int format) {
    return format == PINETL_INPUT_AUTO || format == PINETL_INPUT_ARRAY;
}

/* Line or value mode, from the first value (spec 1, "Splitting" and "Decided (input layer)"):
 * - a first line that opens an array and runs past DETECT_ARRAY_BYTES without a newline and
 *   without the array closing: value mode (a huge array, streamed);
 * - a valid first value: lines when it ends on its first line;
 * - an invalid one: lines when the fault lies before the first newline, or when the next line is
 *   a JSON text on its own; otherwise values.
 * The reader decides on its first blocks and pinetl_batch_clean on the whole input, so an answer
 * is given only when no further byte could change it; -1 asks for more. Only the first
 * max_record + 1 bytes count (at the end of the input too): past them, a newline means values. */
static int detect(const io_split *s, const char *v0, const char *end, int eof) {
    size_t n = (size_t)(end - v0);
    int cut = n > s->max_record;
    if (cut) {
        n = s->max_record + 1;
        end = v0 + n;
        eof = 0;
    }
    const char *nl = memchr(v0, '\n', n);
    int mode = -1;
    if (*v0 == '[' && array_format(s->format)) {
        size_t a = n < DETECT_ARRAY_BYTES ? n : DETECT_ARRAY_BYTES;
        if (!memchr(v0, '\n', a) && !structural_end(v0, v0 + a) &&
            (n >= DETECT_ARRAY_BYTES || !eof)) {
            /* Shorter: a fault on this line must not decide for lines before the rule can. */
            mode = n >= DETECT_ARRAY_BYTES ? S_VALUES : -1;
            goto done;
        }
    }
    json_value v;
    json_error e;
    const char *q = v0;
    memset(&e, 0, sizeof e);
    if (pinetl__json_scan_value(&q, end, v0, &v, &e) == 0) {
        /* A number or literal that touches the end may go on in the next bytes. */
        if (q == end && !eof && v.type != JSON_OBJECT && v.type != JSON_ARRAY &&
            v.type != JSON_STRING)
            goto done;
        mode = !nl || v0 + v.len <= nl ? S_LINES : S_VALUES;
        goto done;
    }
    /* No token holds a newline, so a fault before the first one is final, as is one far enough
     * from the end; any other may be the cut of a value that goes on. */
    int final = eof || (nl && v0 + e.offset < nl) || e.offset + FAULT_LOOKAHEAD <= n;
    if (final && (!nl || v0 + e.offset < nl)) {
        if (nl || eof || e.offset < n)
            mode = S_LINES;   /* no newline yet: the first one comes after the fault */
        goto done;
    }
    if (!nl)
        goto done;
    /* The value goes on past the first newline (valid or not, the fault is not on line 1): the
     * second line decides for lines only when it is a JSON text on its own and the value is bad. */
    const char *l2 = nl + 1, *nl2 = memchr(l2, '\n', (size_t)(end - l2));
    if (!nl2 && !eof)
        goto done;
    json_value v2;
    json_error e2;
    int l2_json = pinetl__json_parse(l2, nl2 ? nl2 : end, &v2, &e2) == 0;
    if (!l2_json)
        mode = S_VALUES;
    else if (final)
        mode = S_LINES;
done:
    if (mode < 0 && cut)
        mode = nl ? S_VALUES : S_LINES;
    return mode;
}

long pinetl__io_split_run(io_split *s, const char *buf, size_t len, int eof, int *more) {
    size_t pos = 0;
    int rc;
    json_value v;
    json_error e;
    *more = 0;
    for (;;) {
        const char *p = buf + pos;
        switch (s->state) {
        case S_DETECT: {
            if (s->at_start) {
                static const char bom[3] = {'\xEF', '\xBB', '\xBF'};
                size_t avail = len - pos;
                if (avail < 3 && !eof && memcmp(p, bom, avail) == 0) {
                    *more = 1;
                    return (long)pos;
                }
                if (avail >= 3 && memcmp(p, bom, 3) == 0) {
                    pos += 3;
                    s->offset += 3;
                }
                s->at_start = 0;
            }
            skip_ws(s, buf, len, &pos);
            if (pos == len)
                return (long)pos;
            int mode = detect(s, buf + pos, buf + len, eof);
            if (mode < 0) {
                *more = 1;
                return (long)pos;
            }
            s->state = mode;
            break;
        }
        case S_LINES: {
            if (pos == len)
                return (long)pos;
            if (eof) {
                if ((rc = emit(s, IO_ITEM_LINES, 0, p, len - pos, NULL)) != 0)
                    return rc;
                advance(s, p, len - pos);
                return (long)len;
            }
            const char *last = memrchr(p, '\n', len - pos);
            if (last) {
                size_t n = (size_t)(last + 1 - p);
                if ((rc = emit(s, IO_ITEM_LINES, 0, p, n, NULL)) != 0)
                    return rc;
                advance(s, p, n);
                pos += n;
            } else if (len - pos > s->max_record) {
                if ((rc = emit_too_large(s, p, len - pos)) != 0)
                    return rc;
                s->state = S_SKIP_LINE;
            } else {
                *more = 1;
                return (long)pos;
            }
            break;
        }
        case S_SKIP_LINE: {
            const char *nl = memchr(p, '\n', len - pos);
            size_t n = nl ? (size_t)(nl + 1 - p) : len - pos;
            advance(s, p, n);
            pos += n;
            if (!nl)
                return (long)pos;
            s->state = S_LINES;
            break;
        }
        case S_VALUES:
        case S_ARRAY_ELEM: {
            if (s->state == S_ARRAY_ELEM) {
                if ((rc = array_ws(s, buf, len, eof, &pos, "a value after ','")) <= 0) {
                    *more = rc == 0;
                    return rc < 0 ? rc : (long)pos;
                }
                if (rc == 2)
                    break;
            }
            skip_ws(s, buf, len, &pos);
            p = buf + pos;
            if (pos == len)
                return (long)pos;
            int top = s->state == S_VALUES;
            if (top && *p == '[' &&
                (s->format == PINETL_INPUT_AUTO || s->format == PINETL_INPUT_ARRAY)) {
                s->array_line = s->line;
                s->array_offset = s->offset;
                pos++;
                s->offset++;
                s->state = S_ARRAY_OPEN;
                break;
            }
            switch (scan(s, p, buf + len, eof, &v, &e)) {
            case SCAN_OK:
                rc = v.len > s->max_record
                         ? emit_too_large(s, p, v.len)
                         : emit(s, top ? IO_ITEM_VALUE : IO_ITEM_ELEMENT, 0, p, v.len, NULL);
                if (rc)
                    return rc;
                advance(s, p, v.len);
                pos += v.len;
                if (!top)
                    s->state = S_ARRAY_NEXT;
                break;
            case SCAN_MORE:
                *more = 1;
                return (long)pos;
            case SCAN_BAD:
                rest_after_bad_scan(s, p, &e);
                break;
            default:
                start_rest(s, PINETL_REJECT_TOO_LARGE, "a value at line %lld, byte %lld is larger "
                           "than the limit of %zu bytes", (long long)s->line,
                           (long long)s->offset, s->max_record);
                break;
            }
            break;
        }
        case S_ARRAY_OPEN:
        case S_ARRAY_NEXT: {
            if ((rc = array_ws(s, buf, len, eof, &pos, s->state == S_ARRAY_OPEN
                                   ? "an element or ']'" : "',' or ']'")) <= 0) {
                *more = rc == 0;
                return rc < 0 ? rc : (long)pos;
            }
            if (rc == 2)
                break;
            p = buf + pos;
            if (*p == ']' && s->state == S_ARRAY_OPEN) {
                /* Spec: an envelope that yields no record is a reject, so nothing vanishes. */
                int64_t line = s->line, offset = s->offset;
                s->line = s->array_line;
                s->offset = s->array_offset;
                rc = emit(s, IO_ITEM_REJECT, PINETL_REJECT_ENVELOPE, "[]", 2,
                          "empty top-level array: no records");
                s->line = line;
                s->offset = offset + 1;
                if (rc)
                    return rc;
                pos++;
                s->state = S_VALUES;
            } else if (*p == ']') {
                pos++;
                s->offset++;
                s->state = S_VALUES;
            } else if (s->state == S_ARRAY_OPEN) {
                s->state = S_ARRAY_ELEM;
            } else if (*p == ',') {
                pos++;
                s->offset++;
                s->state = S_ARRAY_ELEM;
            } else {
                start_rest(s, PINETL_REJECT_JSON, "invalid JSON at line %lld, byte %lld: expected "
                           "',' or ']' after an array element", (long long)s->line,
                           (long long)s->offset);
            }
            break;
        }
        case S_REST: {
            size_t avail = len - pos, keep = raw_keep(s);
            if (!eof && avail < keep) {
                *more = 1;
                return (long)pos;
            }
            char msg[sizeof s->rest_msg + 160];
            if (eof && avail <= keep)
                snprintf(msg, sizeof msg, "%s; no record boundary can be trusted after it, so the "
                         "rest of the input (%zu bytes) is one reject", s->rest_msg, avail);
            else
                snprintf(msg, sizeof msg, "%s; no record boundary can be trusted after it, so the "
                         "rest of the input is one reject (raw holds its first %zu bytes)",
                         s->rest_msg, keep);
            if ((rc = emit(s, IO_ITEM_REJECT, s->rest_code, p, avail < keep ? avail : keep, msg)))
                return rc;
            s->state = S_DRAIN;
            break;
        }
        default: /* S_DRAIN */
            advance(s, p, len - pos);
            return (long)len;
        }
    }
}

int pinetl__io_item_run(io_ctx *c, const io_item *it) {
    int rc = pinetl__batch_set_source(c->batch, it->source);
    if (rc)
        return rc;
    c->format = it->format;
    switch (it->kind) {
    case IO_ITEM_LINES:
        return pinetl__io_clean_lines(c, it->p, it->len, it->line, it->offset);
    case IO_ITEM_VALUE:
        return pinetl__io_unwrap(c, it->p, it->len, it->line, it->offset);
    case IO_ITEM_ELEMENT:
        return pinetl__batch_add_record(c->batch, it->p, it->len, it->line, it->offset);
    default:
        return pinetl__batch_add_reject(c->batch, it->code, it->msg, it->p, it->len, it->line,
                                it->offset);
    }
}
