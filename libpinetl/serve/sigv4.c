/* AWS Signature Version 4, the server's side: the signature a request should carry, computed the
 * way AWS and the SDKs do (docs.aws.amazon.com, "Create a signed AWS API request"):
 *
 *   canonical request = METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n hex(SHA256(body))
 *   string to sign    = AWS4-HMAC-SHA256 \n AMZ-DATE \n DATE/REGION/SERVICE/aws4_request \n
 *                       hex(SHA256(canonical request))
 *   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" secret, DATE), REGION), SERVICE),
 *                            "aws4_request")
 *   signature         = hex(HMAC(signing key, string to sign))
 *
 * URI: the path with every byte but the unreserved ones percent-encoded, twice (as every service
 * but S3 does: the SDKs encode the already-encoded path); QUERY: the pairs encoded, sorted by
 * name then value; HEADERS: each signed header "name:value\n" with the value trimmed and inner
 * runs of spaces made one. The body's hash is always computed from the body received (an
 * X-Amz-Content-Sha256 header is not trusted). SHA-256 and HMAC-SHA256 are GnuTLS's. */
#include <gnutls/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "serve_internal.h"

static void hex(char *out, const unsigned char *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static void encode(pinetl__buf *b, const char *s, size_t n, int keep_slash) {
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            pinetl__buf_append(b, &s[i], 1);
        } else {
            char e[3] = {'%', digits[c >> 4], digits[c & 15]};
            pinetl__buf_append(b, e, 3);
        }
    }
}

typedef struct pair {
    pinetl__buf name, value; /* encoded */
} pair;

static int pair_cmp(const void *a, const void *b) {
    const pair *x = a, *y = b;
    int c = strcmp(x->name.p ? x->name.p : "", y->name.p ? y->name.p : "");
    return c ? c : strcmp(x->value.p ? x->value.p : "", y->value.p ? y->value.p : "");
}

static int canonical_query(pinetl__buf *b, const serve_auth_request *rq) {
    if (!rq->nquery)
        return 0;
    pair *ps = pinetl__calloc(rq->nquery, sizeof *ps);
    if (!ps)
        return -1;
    int failed = 0;
    for (size_t i = 0; i < rq->nquery; i++) {
        const char *n = rq->query[2 * i], *v = rq->query[2 * i + 1];
        encode(&ps[i].name, n ? n : "", n ? strlen(n) : 0, 0);
        encode(&ps[i].value, v ? v : "", v ? strlen(v) : 0, 0);
        pinetl__buf_append(&ps[i].name, "", 0);
        pinetl__buf_append(&ps[i].value, "", 0);
        failed |= ps[i].name.failed | ps[i].value.failed;
    }
    if (!failed)
        qsort(ps, rq->nquery, sizeof *ps, pair_cmp);
    for (size_t i = 0; i < rq->nquery; i++) {
        if (!failed) {
            if (i)
                pinetl__buf_puts(b, "&");
            pinetl__buf_append(b, ps[i].name.p, ps[i].name.len);
            pinetl__buf_puts(b, "=");
            pinetl__buf_append(b, ps[i].value.p, ps[i].value.len);
        }
        pinetl__buf_free(&ps[i].name);
        pinetl__buf_free(&ps[i].value);
    }
    pinetl__free(ps);
    return failed ? -1 : 0;
}

/* "name:value\n" per signed header (names as listed: lower case, separated by ';'). */
static int canonical_headers(pinetl__buf *b, const serve_auth_request *rq, const char *signed_h) {
    const char *p = signed_h;
    while (*p) {
        size_t n = strcspn(p, ";");
        char name[128];
        if (n == 0 || n >= sizeof name)
            return -1;
        memcpy(name, p, n);
        name[n] = '\0';
        const char *v = rq->header(rq->header_ctx, name);
        if (!v)
            return -1;
        pinetl__buf_append(b, name, n);
        pinetl__buf_puts(b, ":");
        while (*v == ' ' || *v == '\t')
            v++;
        size_t len = strlen(v);
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        for (size_t i = 0; i < len; i++) {
            int space = v[i] == ' ' || v[i] == '\t';
            if (space && i && (v[i - 1] == ' ' || v[i - 1] == '\t'))
                continue;
            pinetl__buf_append(b, space ? " " : &v[i], 1);
        }
        pinetl__buf_puts(b, "\n");
        p += n;
        if (*p == ';')
            p++;
    }
    return 0;
}

static void hmac(unsigned char out[32], const void *key, size_t klen, const char *text) {
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, klen, text, strlen(text), out);
}

int pinetl__sigv4_signature(char sig[65], const char *secret, size_t secret_len,
                            const serve_auth_request *rq, const char *amz_date,
                            const char *scope_date, const char *region, const char *service,
                            const char *signed_headers) {
    pinetl__buf cr = {0}, once = {0};
    unsigned char digest[32];
    char body_hash[65], cr_hash[65];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, rq->body ? rq->body : "", rq->body_len, digest);
    hex(body_hash, digest, 32);
    pinetl__buf_puts(&cr, rq->method);
    pinetl__buf_puts(&cr, "\n");
    const char *path = rq->path && *rq->path ? rq->path : "/";
    encode(&once, path, strlen(path), 1);
    encode(&cr, once.p ? once.p : "", once.len, 1);
    int oom = once.failed; /* canonical_query fails only for memory */
    pinetl__buf_free(&once);
    pinetl__buf_puts(&cr, "\n");
    oom |= canonical_query(&cr, rq) != 0;
    pinetl__buf_puts(&cr, "\n");
    int missing = canonical_headers(&cr, rq, signed_headers) != 0;
    pinetl__buf_puts(&cr, "\n");
    pinetl__buf_puts(&cr, signed_headers);
    pinetl__buf_puts(&cr, "\n");
    pinetl__buf_puts(&cr, body_hash);
    oom |= cr.failed;
    if (oom || missing) {
        pinetl__buf_free(&cr);
        return oom ? pinetl__error_set(PINETL_ENOMEM, "out of memory") : -1;
    }
    gnutls_hash_fast(GNUTLS_DIG_SHA256, cr.p, cr.len, digest);
    hex(cr_hash, digest, 32);
    pinetl__buf_free(&cr);

    pinetl__buf sts = {0};
    pinetl__buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date,
                       scope_date, region, service, cr_hash);
    pinetl__buf k = {0};
    pinetl__buf_puts(&k, "AWS4");
    pinetl__buf_append(&k, secret, secret_len);
    if (sts.failed || k.failed) {
        pinetl__buf_free(&sts);
        if (k.p)
            memset(k.p, 0, k.len);
        pinetl__buf_free(&k);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    unsigned char kd[32], kr[32], ks[32], kn[32], out[32];
    hmac(kd, k.p, k.len, scope_date);
    hmac(kr, kd, 32, region);
    hmac(ks, kr, 32, service);
    hmac(kn, ks, 32, "aws4_request");
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, kn, 32, sts.p, sts.len, out);
    hex(sig, out, 32);
    memset(k.p, 0, k.len);
    memset(kd, 0, 32), memset(kr, 0, 32), memset(ks, 0, 32), memset(kn, 0, 32);
    pinetl__buf_free(&k);
    pinetl__buf_free(&sts);
    return 0;
}
