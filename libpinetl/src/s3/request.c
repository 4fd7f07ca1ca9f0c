/* Signed requests with retries (request.h). libcurl signs (CURLOPT_AWS_SIGV4, service s3); the
 * payload is declared UNSIGNED-PAYLOAD in x-amz-content-sha256, which S3 requires on every
 * request and accepts unsigned (TLS protects the body in transit); a session token goes in
 * x-amz-security-token, which curl signs with the other x-amz-* headers. */
#include "request.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/error.h"

enum { CONNECT_TIMEOUT_MS = 10000, LOW_SPEED_SECONDS = 60 };

int pinetl__s3_retryable(int curl_code, long status, const char *code) {
    static const char *const codes[] = {"SlowDown",       "Throttling",    "ThrottlingException",
                                        "RequestTimeout", "InternalError", "ServiceUnavailable"};
    if (curl_code)
        return 1;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return 1;
    for (size_t i = 0; code && i < sizeof codes / sizeof *codes; i++)
        if (!strcmp(code, codes[i]))
            return 1;
    return 0;
}

long pinetl__s3_backoff_ms(int failures) {
    long ms = 100;
    for (int i = 1; i < failures && ms < 5000; i++)
        ms *= 2;
    return ms < 5000 ? ms : 5000;
}

int pinetl__s3_encode(pinetl__buf *b, const char *s, int keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        if (plain ? pinetl__buf_append(b, p, 1) : pinetl__buf_append(b, e, 3))
            return -1;
    }
    return 0;
}

/* The state of one attempt. */
typedef struct attempt {
    pinetl__s3 *s;
    pinetl__s3_request *req;
    const pinetl__curl_api *c;
    CURL *h;
    long status;
    uint64_t from;       /* the Range asked for */
    uint64_t skip;       /* bytes to drop: a resumed GET answered 200 (the whole object) */
    int sink_rc;         /* the sink's failure: stop, no retry */
    pinetl__s3_xml *err; /* the body of an error answer */
    const char *put_at;
    size_t put_left;
} attempt;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    attempt *a = ud;
    size_t len = size * n;
    if (!a->status) {
        a->c->easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &a->status);
        if (a->status == 200)
            a->skip = a->from; /* the server ignored the Range: drop what was delivered */
        if (a->status >= 300 && pinetl__s3_xml_new(&a->err, NULL)) {
            a->sink_rc = PINETL_ENOMEM;
            return 0;
        }
    }
    if (a->status >= 300) { /* an error's XML; a broken one still leaves the status */
        if (a->err && pinetl__s3_xml_feed(a->err, p, len, 0)) {
            pinetl__s3_xml_free(a->err);
            a->err = NULL;
        }
        return len;
    }
    size_t drop = a->skip < len ? (size_t)a->skip : len;
    a->skip -= drop;
    if (len > drop && a->req->sink &&
        (a->sink_rc = a->req->sink(a->req->sink_ud, p + drop, len - drop)) != 0)
        return 0;
    return len;
}

/* Aborts a transfer whose consumer has gone (a GET whose reader stopped), rather than letting
 * it run to its end or to the connect timeout. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
    attempt *a = ud;
    (void)dt, (void)dn, (void)ut, (void)un;
    if (a->req->cancelled && a->req->cancelled(a->req->sink_ud, 0)) {
        a->sink_rc = pinetl__error_set(PINETL_EIO, "'%s': the reader stopped", a->req->uri);
        return 1;
    }
    return 0;
}

static size_t on_upload(char *p, size_t size, size_t n, void *ud) {
    attempt *a = ud;
    size_t len = size * n < a->put_left ? size * n : a->put_left;
    memcpy(p, a->put_at, len);
    a->put_at += len;
    a->put_left -= len;
    return len;
}

static int build_url(pinetl__buf *u, const pinetl__s3 *s, const pinetl__s3_request *req) {
    if (s->cfg.path_style || strchr(req->bucket, '.')) {
        const char *ep = s->cfg.endpoint;
        if (ep)
            pinetl__buf_puts(u, ep);
        else
            pinetl__buf_printf(u, "https://s3.%s.amazonaws.com", s->cfg.region);
        pinetl__buf_puts(u, "/");
        pinetl__s3_encode(u, req->bucket, 0);
    } else {
        pinetl__buf_printf(u, "https://%s.s3.%s.amazonaws.com", req->bucket, s->cfg.region);
    }
    pinetl__buf_puts(u, "/");
    pinetl__s3_encode(u, req->key ? req->key : "", 1);
    if (req->query)
        pinetl__buf_printf(u, "?%s", req->query);
    return u->failed ? -1 : 0;
}

/* Sets up one attempt's handle; headers in *hdrs (freed by the caller). */
static int setup(attempt *a, struct curl_slist **hdrs, pinetl__buf *url, pinetl__buf *tmp,
                 uint64_t from) {
    const pinetl__curl_api *c = a->c;
    pinetl__s3 *s = a->s;
    pinetl__s3_request *req = a->req;
    CURL *h = a->h;
    struct curl_slist *l = c->slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (l && s->cfg.session_token) {
        tmp->len = 0;
        if (pinetl__buf_printf(tmp, "x-amz-security-token: %s", s->cfg.session_token) == 0) {
            struct curl_slist *m = c->slist_append(l, tmp->p);
            l = m ? m : (c->slist_free_all(l), NULL);
        }
        memset(tmp->p, 0, tmp->len); /* no copy of the token left behind */
    }
    *hdrs = l;
    if (!l)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory requesting '%s'", req->uri);
    tmp->len = 0;
    if (pinetl__buf_printf(tmp, "aws:amz:%s:s3", s->cfg.region))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory requesting '%s'", req->uri);
    c->easy_setopt(h, CURLOPT_URL, url->p);
    c->easy_setopt(h, CURLOPT_AWS_SIGV4, tmp->p);
    c->easy_setopt(h, CURLOPT_USERNAME, s->cfg.access_key);
    c->easy_setopt(h, CURLOPT_PASSWORD, s->cfg.secret_key);
    c->easy_setopt(h, CURLOPT_HTTPHEADER, l);
    c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    c->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    c->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_SECONDS);
    c->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    c->easy_setopt(h, CURLOPT_WRITEDATA, a);
    if (req->cancelled) {
        c->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        c->easy_setopt(h, CURLOPT_XFERINFODATA, a);
        c->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (!strcmp(req->method, "PUT")) {
        a->put_at = req->body;
        a->put_left = req->body_len;
        c->easy_setopt(h, CURLOPT_UPLOAD, 1L);
        c->easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
        c->easy_setopt(h, CURLOPT_READDATA, a);
        c->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (from) {
        char range[48];
        snprintf(range, sizeof range, "%llu-", (unsigned long long)from);
        c->easy_setopt(h, CURLOPT_RANGE, range); /* copied by curl */
    }
    return PINETL_OK;
}

/* The message of a final S3 error answer. */
static int s3_error(const pinetl__s3 *s, const pinetl__s3_request *req, long status,
                    const char *code, const char *msg) {
    const char *hint = "";
    char more[600] = "";
    int rc = PINETL_EIO;
    if (!strcmp(code, "SignatureDoesNotMatch") || !strcmp(code, "InvalidAccessKeyId") ||
        !strcmp(code, "AccessDenied") || !strcmp(code, "ExpiredToken") ||
        !strcmp(code, "InvalidToken")) {
        snprintf(more, sizeof more, " (credentials from %s)", s->cfg.cred_source);
        hint = more;
    } else if (!strcmp(code, "NoSuchBucket")) {
        snprintf(more, sizeof more, " (no bucket '%.200s' at %.200s)", req->bucket,
                 s->cfg.endpoint ? s->cfg.endpoint : "AWS");
        hint = more;
        rc = PINETL_ENOTFOUND;
    } else if (!strcmp(code, "NoSuchKey") || (!*code && status == 404)) {
        rc = PINETL_ENOTFOUND;
    }
    return pinetl__error_set(rc, "'%s': S3 error %s (HTTP %ld)%s%s%s", req->uri,
                             *code ? code : "without a code", status, *msg ? ": " : "", msg, hint);
}

/* Sleeps ms unless the request is cancelled meanwhile: 1 when cancelled. */
static int wait_retry(pinetl__s3_request *req, long ms) {
    if (req->cancelled)
        return req->cancelled(req->sink_ud, ms);
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
    return 0;
}

int pinetl__s3_perform(pinetl__s3 *s, pinetl__s3_request *req) {
    const pinetl__curl_api *c = s->curl;
    pinetl__buf url = {0}, tmp = {0};
    if (build_url(&url, s, req)) {
        pinetl__buf_free(&url);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory requesting '%s'", req->uri);
    }
    int rc = PINETL_OK;
    char last[400] = "";
    for (int n = 1;; n++) {
        if (!s->handle)
            s->handle = c->easy_init();
        else
            c->easy_reset(s->handle); /* options go; the connection cache stays */
        attempt a = {s, req, c, s->handle, 0, 0, 0, 0, NULL, NULL, 0};
        struct curl_slist *hdrs = NULL;
        if (!a.h) {
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory requesting '%s'", req->uri);
            break;
        }
        uint64_t from = req->resume_at ? req->resume_at(req->sink_ud) : 0;
        a.from = from;
        rc = setup(&a, &hdrs, &url, &tmp, from);
        CURLcode cc = rc ? CURLE_OK : c->easy_perform(a.h);
        if (!rc && !a.status)
            c->easy_getinfo(a.h, CURLINFO_RESPONSE_CODE, &a.status);
        int retry = 0;
        const char *code = "";
        if (getenv("PINETL_S3_DEBUG")) /* one line per attempt, never a credential */
            fprintf(stderr, "pinetl s3: %s '%s'%s from byte %llu: curl %d, HTTP %ld\n", req->method,
                    req->uri, req->query ? " (listing)" : "", (unsigned long long)from, (int)cc,
                    a.status);
        if (!rc && a.err && pinetl__s3_xml_feed(a.err, "", 0, 1)) {
            pinetl__s3_xml_free(a.err);
            a.err = NULL;
        }
        if (a.err)
            code = pinetl__s3_xml_code(a.err);
        req->status = a.status;
        if (rc) {
            /* setup failed: message set */
        } else if (a.sink_rc) {
            rc = a.sink_rc; /* the sink said why (or the consumer is gone) */
        } else if (cc != CURLE_OK) {
            snprintf(last, sizeof last, "cannot reach %s: %s",
                     s->cfg.endpoint ? s->cfg.endpoint : "S3", c->easy_strerror(cc));
            retry = 1;
            rc = PINETL_EIO;
        } else if (a.status >= 300 || a.status < 200) {
            retry = pinetl__s3_retryable(0, a.status, code);
            rc = s3_error(s, req, a.status, code, a.err ? pinetl__s3_xml_message(a.err) : "");
            snprintf(last, sizeof last, "%s", pinetl_error_last());
        }
        pinetl__s3_xml_free(a.err);
        c->slist_free_all(hdrs);
        if (!retry)
            break;
        if (n >= s->cfg.max_attempts) {
            rc = pinetl__error_set(PINETL_EIO, "'%s': gave up after %d attempts: %s", req->uri, n,
                                   last);
            break;
        }
        if (wait_retry(req, pinetl__s3_backoff_ms(n))) {
            rc = pinetl__error_set(PINETL_EIO, "'%s': cancelled", req->uri);
            break;
        }
    }
    pinetl__buf_free(&url);
    pinetl__buf_free(&tmp);
    return rc;
}
