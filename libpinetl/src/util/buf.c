/* The growable buffer and the escaping rules of every output. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

int pinetl__buf_reserve(pinetl__buf *b, size_t n) {
    if (b->cap - b->len > n)
        return 0;
    if (n > SIZE_MAX / 2 - b->len)
        goto fail;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n)
        cap *= 2;
    char *p = pinetl__realloc(b->p, cap);
    if (!p)
        goto fail;
    b->p = p;
    b->cap = cap;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

int pinetl__buf_append(pinetl__buf *b, const void *p, size_t n) {
    if (pinetl__buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int pinetl__buf_puts(pinetl__buf *b, const char *s) { return pinetl__buf_append(b, s, strlen(s)); }

int pinetl__buf_vprintf(pinetl__buf *b, const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || pinetl__buf_reserve(b, (size_t)n)) {
        va_end(again);
        b->failed = 1;
        return -1;
    }
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
    return 0;
}

int pinetl__buf_printf(pinetl__buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = pinetl__buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *pinetl__buf_detach(pinetl__buf *b, size_t *len) {
    if (b->failed || pinetl__buf_reserve(b, 0)) {
        pinetl__buf_free(b);
        return NULL;
    }
    b->p[b->len] = '\0';
    char *p = b->p;
    if (len)
        *len = b->len;
    memset(b, 0, sizeof *b);
    return p;
}

void pinetl__buf_free(pinetl__buf *b) {
    pinetl__free(b->p);
    memset(b, 0, sizeof *b);
}

static const char hexdig[] = "0123456789abcdef";

char *pinetl__json_escape(char *dst, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *dst++ = (char)c;
            continue;
        }
        *dst++ = '\\';
        switch (c) {
        case '"': *dst++ = '"'; break;
        case '\\': *dst++ = '\\'; break;
        case '\n': *dst++ = 'n'; break;
        case '\t': *dst++ = 't'; break;
        case '\r': *dst++ = 'r'; break;
        case '\b': *dst++ = 'b'; break;
        case '\f': *dst++ = 'f'; break;
        default:
            *dst++ = 'u';
            *dst++ = '0';
            *dst++ = '0';
            *dst++ = hexdig[c >> 4];
            *dst++ = hexdig[c & 15];
        }
    }
    return dst;
}

int pinetl__buf_json_string(pinetl__buf *b, const char *s, size_t n) {
    if (n > (SIZE_MAX - 2) / PINETL__JSON_ESCAPE_MAX) {
        b->failed = 1;
        return -1;
    }
    if (pinetl__buf_reserve(b, PINETL__JSON_ESCAPE_MAX * n + 2))
        return -1;
    char *p = b->p + b->len;
    *p++ = '"';
    p = pinetl__json_escape(p, s, n);
    *p++ = '"';
    *p = '\0';
    b->len = (size_t)(p - b->p);
    return 0;
}

int pinetl__buf_base64(pinetl__buf *b, const void *data, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = data;
    if (n > (SIZE_MAX - 4) / 4 * 3) {
        b->failed = 1;
        return -1;
    }
    if (pinetl__buf_reserve(b, (n + 2) / 3 * 4 + 2))
        return -1;
    char *p = b->p + b->len;
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
    *p = '\0';
    b->len = (size_t)(p - b->p);
    return 0;
}

char *pinetl__csv_escape(char *dst, const char *s, size_t n) {
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        if (n)
            memcpy(dst, s, n);
        return dst + n;
    }
    *dst++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *dst++ = '"';
        *dst++ = s[i];
    }
    *dst++ = '"';
    return dst;
}

int pinetl__buf_csv_field(pinetl__buf *b, const char *s, size_t n) {
    if (n > (SIZE_MAX - 2) / PINETL__CSV_ESCAPE_MAX) {
        b->failed = 1;
        return -1;
    }
    if (pinetl__buf_reserve(b, PINETL__CSV_ESCAPE_MAX * n + 2))
        return -1;
    char *p = pinetl__csv_escape(b->p + b->len, s, n);
    *p = '\0';
    b->len = (size_t)(p - b->p);
    return 0;
}
