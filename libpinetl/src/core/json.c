/* The strict JSON scanner of json.h: RFC 8259 syntax and UTF-8 checked in one pass, no allocation. */
#include "json.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Records are flat; a limit keeps hostile nesting from exhausting the stack. */
enum { JSON_MAX_DEPTH = 512 };

typedef struct scanner {
    const char *base, *end;
    json_error *err;
    json_member *members; /* top-level object members, when asked for */
    size_t max, count;
    int utf8_checked; /* the caller validated the text's UTF-8 (simd.h): strings skip it */
} scanner;

static int fail(scanner *s, const char *at, const char *what, int utf8) {
    if (s->err) {
        s->err->offset = (size_t)(at - s->base);
        s->err->what = what;
        s->err->utf8 = utf8;
    }
    return -1;
}

static const char *skip_ws(const char *p, const char *end) {
    /* Most calls meet a token at once: one compare rules out every byte above ' '. */
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0 (RFC 3629 table). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

int pinetl__json_utf8_valid(const char *p, size_t len, size_t *bad) {
    const unsigned char *s = (const unsigned char *)p, *e = s + len, *q = s;
    while (q < e) {
        /* Eight ASCII bytes at a time. */
        while (e - q >= 8) {
            uint64_t w;
            memcpy(&w, q, 8);
            if (w & 0x8080808080808080ull)
                break;
            q += 8;
        }
        if (q >= e)
            break;
        if (*q < 0x80) {
            q++;
            continue;
        }
        size_t n = utf8_seq(q, e);
        if (!n) {
            if (bad)
                *bad = (size_t)(q - s);
            return 0;
        }
        q += n;
    }
    return 1;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

/* A word has a byte that ends the fast path: '"', '\\', a control char or a non-ASCII byte. */
static inline int word_special(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w;
    return (t & high) != 0;
}

/* The same for UTF-8 already validated: non-ASCII bytes are plain content. */
static inline int word_special_checked(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
    return (t & high) != 0;
}

/* The first byte at or after p that is not plain string content ('"', '\\', a control byte,
 * and unless checked a non-ASCII byte), or a position less than 8 bytes before end. */
static inline const char *skip_plain(const char *p, const char *end, int checked) {
#ifdef __SSE2__
    /* Sixteen bytes at a time, straight to the first one that needs a look. */
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1F), space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i sp = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
        /* Checked: an unsigned v <= 0x1F. Else a signed compare: control bytes and non-ASCII
         * bytes (negative) are both below 0x20. */
        __m128i low = checked ? _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v) : _mm_cmplt_epi8(v, space);
        int mask = _mm_movemask_epi8(_mm_or_si128(sp, low));
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        if (checked ? word_special_checked(w) : word_special(w))
            break;
        p += 8;
    }
    return p;
}

/* Inlined into its two callers (keys and values of objects): strings are most of a record. */
static inline __attribute__((always_inline)) int scan_string(scanner *s, const char **pp,
                                                             json_value *out) {
    const char *p = *pp, *end = s->end, *start = p;
    int escaped = 0;
    p++;
    for (;;) {
        p = skip_plain(p, end, s->utf8_checked);
        if (p >= end)
            return fail(s, p, "unterminated string", 0);
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = 1;
            if (end - p < 2)
                return fail(s, p + 1, "unterminated string", 0);
            switch (p[1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': p += 2; continue;
            case 'u': {
                unsigned u, u2;
                if (end - p < 6 || hex4(p + 2, &u))
                    return fail(s, p, "bad \\u escape", 0);
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return fail(s, p, "lone surrogate escape", 0);
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &u2) ||
                        u2 < 0xDC00 || u2 > 0xDFFF)
                        return fail(s, p, "lone surrogate escape", 0);
                    p += 12;
                } else {
                    p += 6;
                }
                continue;
            }
            default: return fail(s, p, "bad escape in string", 0);
            }
        }
        if (c < 0x20)
            return fail(s, p, "control character in string", 0);
        if (c < 0x80 || s->utf8_checked) {
            p++;
            continue;
        }
        size_t n = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
        if (!n)
            return fail(s, p, "invalid UTF-8", 1);
        p += n;
    }
    p++;
    out->type = JSON_STRING;
    out->start = start;
    out->len = (size_t)(p - start);
    out->escaped = escaped;
    *pp = p;
    return 0;
}

static inline int is_digit(const char *p, const char *end) {
    return p < end && *p >= '0' && *p <= '9';
}

static int scan_number(scanner *s, const char **pp, json_value *out) {
    const char *p = *pp, *end = s->end, *start = p;
    if (*p == '-')
        p++;
    if (!is_digit(p, end))
        return fail(s, p, "expected a digit", 0);
    if (*p == '0') {
        p++;
        if (is_digit(p, end))
            return fail(s, p - 1, "leading zeros are not allowed", 0);
    } else {
        while (is_digit(p, end))
            p++;
    }
    if (p < end && *p == '.') {
        p++;
        if (!is_digit(p, end))
            return fail(s, p, "expected a digit after '.'", 0);
        while (is_digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return fail(s, p, "expected a digit in exponent", 0);
        while (is_digit(p, end))
            p++;
    }
    out->type = JSON_NUMBER;
    out->start = start;
    out->len = (size_t)(p - start);
    out->escaped = 0;
    *pp = p;
    return 0;
}

static int scan_literal(scanner *s, const char **pp, const char *lit, size_t n, json_type t,
                        json_value *out) {
    const char *p = *pp;
    if ((size_t)(s->end - p) < n || memcmp(p, lit, n) != 0)
        return fail(s, p, "invalid literal", 0);
    out->type = t;
    out->start = p;
    out->len = n;
    out->escaped = 0;
    *pp = p + n;
    return 0;
}

static int scan_value(scanner *s, const char **pp, int depth, json_value *out);

static int scan_object(scanner *s, const char **pp, int depth, json_value *out) {
    const char *p = *pp, *start = p, *end = s->end;
    int top = depth == 0 && s->members;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        p++;
        goto done;
    }
    for (;;) {
        json_value key, val;
        if (p >= end)
            return fail(s, p, "unexpected end of input", 0);
        if (*p != '"')
            return fail(s, p, "expected a string key", 0);
        if (scan_string(s, &p, &key))
            return -1;
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return fail(s, p, "expected ':'", 0);
        p = skip_ws(p + 1, end);
        /* Records are flat: strings and numbers are scanned here, without scan_value's dispatch. */
        if (p < end && *p == '"') {
            if (scan_string(s, &p, &val))
                return -1;
        } else if (p < end && (*p == '-' || (*p >= '0' && *p <= '9'))) {
            if (scan_number(s, &p, &val))
                return -1;
        } else if (scan_value(s, &p, depth + 1, &val)) {
            return -1;
        }
        if (top) {
            if (s->count < s->max) {
                s->members[s->count].key = key;
                s->members[s->count].value = val;
            }
            s->count++;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == '}')
                return fail(s, p, "trailing comma", 0);
            continue;
        }
        if (p < end && *p == '}') {
            p++;
            break;
        }
        return fail(s, p, p < end ? "expected ',' or '}'" : "unexpected end of input", 0);
    }
done:
    out->type = JSON_OBJECT;
    out->start = start;
    out->len = (size_t)(p - start);
    out->escaped = 0;
    *pp = p;
    return 0;
}

static int scan_array(scanner *s, const char **pp, int depth, json_value *out) {
    const char *p = *pp, *start = p, *end = s->end;
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']') {
        p++;
        goto done;
    }
    for (;;) {
        json_value val;
        if (scan_value(s, &p, depth + 1, &val))
            return -1;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == ']')
                return fail(s, p, "trailing comma", 0);
            continue;
        }
        if (p < end && *p == ']') {
            p++;
            break;
        }
        return fail(s, p, p < end ? "expected ',' or ']'" : "unexpected end of input", 0);
    }
done:
    out->type = JSON_ARRAY;
    out->start = start;
    out->len = (size_t)(p - start);
    out->escaped = 0;
    *pp = p;
    return 0;
}

static int scan_value(scanner *s, const char **pp, int depth, json_value *out) {
    const char *p = *pp;
    if (p >= s->end)
        return fail(s, p, "unexpected end of input", 0);
    if (depth >= JSON_MAX_DEPTH)
        return fail(s, p, "nesting too deep", 0);
    switch (*p) {
    case '{': return scan_object(s, pp, depth, out);
    case '[': return scan_array(s, pp, depth, out);
    case '"': return scan_string(s, pp, out);
    case 't': return scan_literal(s, pp, "true", 4, JSON_TRUE, out);
    case 'f': return scan_literal(s, pp, "false", 5, JSON_FALSE, out);
    case 'n': return scan_literal(s, pp, "null", 4, JSON_NULL, out);
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': return scan_number(s, pp, out);
    default:
        if ((unsigned char)*p >= 0x80 &&
            !utf8_seq((const unsigned char *)p, (const unsigned char *)s->end))
            return fail(s, p, "invalid UTF-8", 1);
        return fail(s, p, "expected a value", 0);
    }
}

int pinetl__json_parse_members(const char *p, const char *end, json_value *out,
                               json_member *members, size_t max, size_t *count, json_error *err) {
    return pinetl__json_parse_members_utf8(p, end, out, members, max, count, err, 0);
}

int pinetl__json_parse_members_utf8(const char *p, const char *end, json_value *out,
                                    json_member *members, size_t max, size_t *count,
                                    json_error *err, int utf8_checked) {
    scanner s = {p, end, err, members, max, 0, utf8_checked};
    const char *q = skip_ws(p, end);
    if (q >= end)
        return fail(&s, q, "empty record", 0);
    if (scan_value(&s, &q, 0, out))
        return -1;
    q = skip_ws(q, end);
    if (q < end) {
        if ((unsigned char)*q >= 0x80 &&
            !utf8_seq((const unsigned char *)q, (const unsigned char *)end))
            return fail(&s, q, "invalid UTF-8", 1);
        return fail(&s, q, "unexpected bytes after the value", 0);
    }
    if (count)
        *count = s.count;
    return 0;
}

/* Any bit of [from, to) set? */
static inline int any_bit(const uint64_t *bits, size_t from, size_t to) {
    if (from >= to)
        return 0;
    size_t wa = from / 64, wb = (to - 1) / 64;
    uint64_t first = ~0ull << (from % 64), last = ~0ull >> (63 - (to - 1) % 64);
    if (wa == wb)
        return (bits[wa] & first & last) != 0;
    if (bits[wa] & first)
        return 1;
    for (size_t w = wa + 1; w < wb; w++)
        if (bits[w])
            return 1;
    return (bits[wb] & last) != 0;
}

/* The offset of the first quote after offset at in the chunk's quote index, or lim when the
 * line [.., lim) has none. No cursor: a string's opening quote needs no lookup, because the
 * walk reaches it by reading bytes outside strings, and every quote of a line without
 * backslashes opens or closes a string. */
static inline size_t quote_after(const uint64_t *bits, size_t at, size_t lim) {
    size_t from = at + 1, w = from / 64;
    uint64_t m = bits[w] & (~0ull << (from % 64));
    while (!m) {
        if (++w * 64 >= lim)
            return lim;
        m = bits[w];
    }
    size_t q = w * 64 + (size_t)__builtin_ctzll(m);
    return q < lim ? q : lim;
}

/* A string from its opening quote at p to the quote after it. */
static inline int indexed_string(const char **pp, const char *base, const uint64_t *quotes,
                                 size_t lim, json_value *out) {
    const char *p = *pp;
    size_t q = quote_after(quotes, (size_t)(p - base), lim);
    if (q >= lim)
        return -1;
    out->type = JSON_STRING;
    out->start = p;
    out->len = (size_t)(base + q + 1 - p);
    out->escaped = 0;
    *pp = base + q + 1;
    return 0;
}

int pinetl__json_members_indexed(const char *p, const char *end, const char *base,
                                 const uint64_t *quotes, const uint64_t *odd, json_value *out,
                                 json_member *members, size_t max, size_t *count) {
    /* Without backslashes and control bytes (tabs and carriage returns included: the only
     * whitespace left is ' '), every quote opens or closes a string, and a string's bytes are
     * valid content (the chunk's UTF-8 is checked): only the bytes between strings are read.
     * The line's last byte is its closing brace, so no loop below runs past it unchecked. */
    if (end - p < 2 || *p != '{' || end[-1] != '}' ||
        any_bit(odd, (size_t)(p - base), (size_t)(end - base)))
        return 0;
    scanner s = {p, end, NULL, NULL, 0, 0, 1};
    size_t lim = (size_t)(end - base);
    const char *start = p;
    size_t n = 0;
    p++;
    while (*p == ' ')
        p++;
    /* Members are written in place: a value built on the stack with scalar stores and then
     * copied as a struct is read back with one wide load, which cannot be forwarded from the
     * narrower stores (a stall that cost a third of this function's time). */
    json_member spill;
    if (*p != '}') {
        for (;;) {
            json_member *m = n < max ? &members[n] : &spill;
            json_value *val = &m->value;
            if (*p != '"' || indexed_string(&p, base, quotes, lim, &m->key))
                return 0;
            while (*p == ' ')
                p++;
            if (*p != ':')
                return 0;
            p++;
            while (*p == ' ')
                p++;
            int rc;
            switch (*p) {
            case '"': rc = indexed_string(&p, base, quotes, lim, val); break;
            case 't': rc = scan_literal(&s, &p, "true", 4, JSON_TRUE, val); break;
            case 'f': rc = scan_literal(&s, &p, "false", 5, JSON_FALSE, val); break;
            case 'n': rc = scan_literal(&s, &p, "null", 4, JSON_NULL, val); break;
            default:
                if (*p >= '1' && *p <= '9') { /* a plain integer (keys, counts), inline */
                    const char *q = p + 1;
                    while (*q >= '0' && *q <= '9') /* stops at the closing brace at the latest */
                        q++;
                    if (*q != '.' && *q != 'e' && *q != 'E') {
                        val->type = JSON_NUMBER;
                        val->start = p;
                        val->len = (size_t)(q - p);
                        val->escaped = 0;
                        p = q;
                        rc = 0;
                        break;
                    }
                }
                rc = *p == '-' || (*p >= '0' && *p <= '9') ? scan_number(&s, &p, val) : -1;
            }
            if (rc || p >= end)
                return 0; /* nested, or not valid: the full scanner decides and words it */
            n++;
            while (*p == ' ')
                p++;
            if (*p != ',')
                break;
            p++; /* a trailing comma: no '"' next, handed back */
            while (*p == ' ')
                p++;
        }
    }
    if (p != end - 1 || *p != '}')
        return 0;
    out->type = JSON_OBJECT;
    out->start = start;
    out->len = (size_t)(end - start);
    out->escaped = 0;
    *count = n;
    return 1;
}

int pinetl__json_parse(const char *p, const char *end, json_value *out, json_error *err) {
    return pinetl__json_parse_members(p, end, out, NULL, 0, NULL, err);
}

int pinetl__json_scan_value(const char **pp, const char *end, const char *base, json_value *out,
                            json_error *err) {
    scanner s = {base, end, err, NULL, 0, 0, 0};
    const char *q = skip_ws(*pp, end);
    if (scan_value(&s, &q, 0, out))
        return -1;
    *pp = q;
    return 0;
}

/* Iteration over checked values: only boundaries need finding. */

static const char *skip_checked_string(const char *p, const char *end) {
    p++;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return end;
        /* The quote ends the string unless an odd number of backslashes precedes it. */
        size_t bs = 0;
        while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (!(bs & 1))
            return q + 1;
        p = q + 1;
    }
}

static const char *skip_checked_value(const char *p, const char *end) {
    if (*p == '"')
        return skip_checked_string(p, end);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < end) {
            char c = *p;
            if (c == '"') {
                p = skip_checked_string(p, end);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return p + 1;
            }
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' &&
           !pinetl__json_is_space((unsigned char)*p))
        p++;
    return p;
}

static void fill(json_value *v, const char *start, const char *stop) {
    v->start = start;
    v->len = (size_t)(stop - start);
    v->escaped = 0;
    switch (*start) {
    case '{': v->type = JSON_OBJECT; break;
    case '[': v->type = JSON_ARRAY; break;
    case '"':
        v->type = JSON_STRING;
        v->escaped = memchr(start, '\\', v->len) != NULL;
        break;
    case 't': v->type = JSON_TRUE; break;
    case 'f': v->type = JSON_FALSE; break;
    case 'n': v->type = JSON_NULL; break;
    default: v->type = JSON_NUMBER; break;
    }
}

void pinetl__json_iter_object(json_iter *it, const json_value *object) {
    it->p = object->start + 1;
    it->end = object->start + object->len - 1;
}

void pinetl__json_iter_array(json_iter *it, const json_value *array) {
    pinetl__json_iter_object(it, array);
}

int pinetl__json_iter_member(json_iter *it, json_value *key, json_value *value) {
    const char *p = skip_ws(it->p, it->end);
    if (p < it->end && *p == ',')
        p = skip_ws(p + 1, it->end);
    if (p >= it->end)
        return 0;
    const char *q = skip_checked_string(p, it->end);
    fill(key, p, q);
    p = skip_ws(q, it->end);
    p = skip_ws(p + 1, it->end); /* the ':' */
    q = skip_checked_value(p, it->end);
    fill(value, p, q);
    it->p = q;
    return 1;
}

int pinetl__json_iter_element(json_iter *it, json_value *value) {
    const char *p = skip_ws(it->p, it->end);
    if (p < it->end && *p == ',')
        p = skip_ws(p + 1, it->end);
    if (p >= it->end)
        return 0;
    const char *q = skip_checked_value(p, it->end);
    fill(value, p, q);
    it->p = q;
    return 1;
}

/* Decodes one escape at p (p[0] == '\\') into dst; returns bytes written, *adv the input used. */
static size_t decode_escape(const char *p, char *dst, size_t *adv) {
    unsigned u, u2;
    *adv = 2;
    switch (p[1]) {
    case 'b': *dst = '\b'; return 1;
    case 'f': *dst = '\f'; return 1;
    case 'n': *dst = '\n'; return 1;
    case 'r': *dst = '\r'; return 1;
    case 't': *dst = '\t'; return 1;
    case 'u': break;
    default: *dst = p[1]; return 1;
    }
    if (hex4(p + 2, &u))
        return (size_t)-1;
    *adv = 6;
    if (u >= 0xDC00 && u <= 0xDFFF)
        return (size_t)-1;
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &u2) || u2 < 0xDC00 || u2 > 0xDFFF)
            return (size_t)-1;
        u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
        *adv = 12;
    }
    unsigned char *d = (unsigned char *)dst;
    if (u < 0x80) {
        d[0] = (unsigned char)u;
        return 1;
    }
    if (u < 0x800) {
        d[0] = (unsigned char)(0xC0 | (u >> 6));
        d[1] = (unsigned char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (u >> 12));
        d[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (u & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (u >> 18));
    d[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (u & 0x3F));
    return 4;
}

long pinetl__json_string_decode(const json_value *string, char *dst) {
    const char *p = string->start + 1, *end = string->start + string->len - 1;
    char *d = dst;
    if (!string->escaped) {
        memcpy(dst, p, (size_t)(end - p));
        return (long)(end - p);
    }
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = (size_t)((bs ? bs : end) - p);
        memcpy(d, p, run);
        d += run;
        p += run;
        if (!bs)
            break;
        size_t adv, n = decode_escape(p, d, &adv);
        if (n == (size_t)-1)
            return -1;
        d += n;
        p += adv;
    }
    return (long)(d - dst);
}

int pinetl__json_string_equals(const json_value *string, const char *key, size_t len) {
    const char *p = string->start + 1, *end = string->start + string->len - 1;
    if (!string->escaped)
        return (size_t)(end - p) == len && memcmp(p, key, len) == 0;
    size_t i = 0;
    while (p < end) {
        if (*p != '\\') {
            if (i >= len || key[i] != *p)
                return 0;
            i++;
            p++;
            continue;
        }
        char buf[4];
        size_t adv, n = decode_escape(p, buf, &adv);
        if (n == (size_t)-1 || i + n > len || memcmp(key + i, buf, n) != 0)
            return 0;
        i += n;
        p += adv;
    }
    return i == len;
}

int pinetl__json_object_get(const json_value *object, const char *key, json_value *value) {
    json_iter it;
    json_value k, v;
    size_t len = strlen(key);
    int found = 0;
    pinetl__json_iter_object(&it, object);
    while (pinetl__json_iter_member(&it, &k, &v)) {
        if (pinetl__json_string_equals(&k, key, len)) {
            *value = v;
            found = 1;
        }
    }
    return found;
}
