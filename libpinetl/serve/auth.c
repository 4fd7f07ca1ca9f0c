/* The one authentication and authorisation check of pinetl serve (serve_internal.h says how a
 * handler calls it): who the caller is (HTTP Basic, x-api-key or SigV4, as the endpoint takes
 * them), whether that credential may write or read the resource, and, when not, the refusal
 * each real endpoint gives (Kafka REST Proxy 401/40101 and 403/40301, API Gateway 403
 * {"message"}, Kinesis 400 {"__type"}). SigV4 requests must be signed within 5 minutes of the
 * server's clock, as AWS requires. Secrets are compared in constant time (nettle's memeql_sec)
 * and never copied into a reply. */
#include <nettle/memops.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "io/base64.h"
#include "auth_internal.h"

enum { SKEW_S = 5 * 60, MAX_BASIC = 1024 };

/* Why a request is refused. */
enum {
    NO_CREDENTIAL = 1,
    WRONG_SECRET,
    UNKNOWN_KEY_ID,
    BAD_SIGNATURE,
    STALE,
    INCOMPLETE,
    DENIED,
    NO_MEMORY /* the check itself could not run: a 500, retriable */
};

typedef struct verdict {
    int why;
    const serve_credential *who;
    char msg[320];
} verdict;

static const char sig_mismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
static const char bad_token[] = "The security token included in the request is invalid.";

static int refuse(verdict *v, int why, const char *msg) {
    v->why = why;
    snprintf(v->msg, sizeof v->msg, "%s", msg ? msg : "");
    return AUTH_REFUSED;
}

/* The credential of kind whose digest equals SHA-256(secret): every entry compared, none left
 * early, so the time taken does not say how close a guess was. */
static const serve_credential *by_digest(const cred_set *c, int kind, const void *secret,
                                         size_t n) {
    unsigned char d[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, n, d);
    const serve_credential *found = NULL;
    for (size_t i = 0; i < c->n; i++) {
        int eq = memeql_sec(d, c->items[i].digest, 32);
        if (eq & (c->items[i].kind == kind))
            found = &c->items[i];
    }
    return found;
}

static int basic(const cred_set *c, const serve_auth_request *rq, verdict *v) {
    const char *h = rq->header(rq->header_ctx, "authorization");
    if (!h || strncasecmp(h, "Basic ", 6) != 0)
        return refuse(v, NO_CREDENTIAL, NULL);
    h += 6;
    while (*h == ' ')
        h++;
    size_t n = strlen(h), out, bad;
    char buf[MAX_BASIC];
    if (n > sizeof buf || pinetl__io_base64_decode(h, n, buf, &out, &bad) != 0 ||
        !memchr(buf, ':', out))
        return refuse(v, WRONG_SECRET, NULL);
    v->who = by_digest(c, CRED_BASIC, buf, out);
    memset(buf, 0, sizeof buf);
    return v->who ? AUTH_ALLOWED : refuse(v, WRONG_SECRET, NULL);
}

static int api_key(const cred_set *c, const char *key, verdict *v) {
    v->who = by_digest(c, CRED_API_KEY, key, strlen(key));
    return v->who ? AUTH_ALLOWED : refuse(v, WRONG_SECRET, NULL);
}

/* YYYYMMDD'T'HHMMSS'Z' to Unix seconds, or -1. */
static int64_t iso_basic(const char *s) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int f[6], pos[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int k = 0; k < 6; k++) {
        f[k] = 0;
        for (int i = 0; i < len[k]; i++)
            f[k] = f[k] * 10 + (s[pos[k] + i] - '0');
    }
    tm.tm_year = f[0] - 1900, tm.tm_mon = f[1] - 1, tm.tm_mday = f[2];
    tm.tm_hour = f[3], tm.tm_min = f[4], tm.tm_sec = f[5];
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return -1;
    return (int64_t)timegm(&tm);
}

static void iso_format(char out[17], int64_t t) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* The value of "Name=" in the Authorization header's comma-separated list, into dst. */
static int auth_param(const char *h, const char *name, char *dst, size_t cap) {
    size_t nl = strlen(name);
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if (n > nl && !strncmp(p, name, nl) && p[nl] == '=') {
            size_t vl = n - nl - 1;
            while (vl && p[nl + vl] == ' ')
                vl--;
            if (vl >= cap)
                return -1;
            memcpy(dst, p + nl + 1, vl);
            dst[vl] = '\0';
            return 0;
        }
        p += n;
    }
    return -1;
}

/* Is name one of the ';'-separated list? */
static int listed(const char *list, const char *name) {
    size_t nl = strlen(name);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ";");
        if (n == nl && !strncmp(p, name, n))
            return 1;
        p += n + (p[n] == ';');
    }
    return 0;
}

static int sigv4(const cred_set *c, const serve_auth_request *rq, verdict *v) {
    const char *h = rq->header(rq->header_ctx, "authorization");
    if (!h || strncmp(h, "AWS4-HMAC-SHA256 ", 17) != 0)
        return refuse(v, NO_CREDENTIAL, "Missing Authentication Token");
    h += 17;
    char cred[256], signed_h[512], sig[80];
    static const char *const need[] = {"Credential", "SignedHeaders", "Signature"};
    char *dst[] = {cred, signed_h, sig};
    size_t cap[] = {sizeof cred, sizeof signed_h, sizeof sig};
    for (int i = 0; i < 3; i++)
        if (auth_param(h, need[i], dst[i], cap[i]) != 0) {
            char m[96];
            snprintf(m, sizeof m, "Authorization header requires '%s' parameter.", need[i]);
            return refuse(v, INCOMPLETE, m);
        }
    /* Credential=KEYID/DATE/REGION/SERVICE/aws4_request */
    char *part[5], *save = NULL, *p = cred;
    int k = 0;
    for (char *t = strtok_r(p, "/", &save); t && k < 5; t = strtok_r(NULL, "/", &save))
        part[k++] = t;
    if (k != 5 || strtok_r(NULL, "/", &save) || strcmp(part[4], "aws4_request") != 0 ||
        strlen(part[1]) != 8)
        return refuse(v, INCOMPLETE,
                      "Credential should be scoped to a valid region, service and "
                      "date: KEYID/YYYYMMDD/REGION/SERVICE/aws4_request.");
    for (size_t i = 0; i < c->n && !v->who; i++)
        if (c->items[i].kind == CRED_AWS && !strcmp(c->items[i].access_key_id, part[0]))
            v->who = &c->items[i];
    if (!v->who)
        return refuse(v, UNKNOWN_KEY_ID, bad_token);
    const char *amz_date = rq->header(rq->header_ctx, "x-amz-date");
    if (!amz_date)
        return refuse(v, INCOMPLETE,
                      "Authorization header requires existence of a 'X-Amz-Date' "
                      "header.");
    if (!listed(signed_h, "host") || !listed(signed_h, "x-amz-date"))
        return refuse(v, BAD_SIGNATURE,
                      "'Host' and 'X-Amz-Date' must be SignedHeaders in the "
                      "AWS Authorization.");
    int64_t t = iso_basic(amz_date);
    if (t < 0 || strncmp(amz_date, part[1], 8) != 0)
        return refuse(v, BAD_SIGNATURE,
                      "X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z' and its date "
                      "the date of the Credential scope.");
    char now[17], edge[17];
    iso_format(now, rq->now_s);
    if (t < rq->now_s - SKEW_S || t > rq->now_s + SKEW_S) {
        int past = t < rq->now_s;
        iso_format(edge, past ? rq->now_s - SKEW_S : rq->now_s + SKEW_S);
        snprintf(v->msg, sizeof v->msg,
                 past ? "Signature expired: %.16s is now earlier than %s (%s - 5 min.)"
                      : "Signature not yet current: %.16s is still later than %s (%s + 5 min.)",
                 amz_date, edge, now);
        v->why = STALE;
        return AUTH_REFUSED;
    }
    if (!rq->body_known)
        return AUTH_NEED_BODY;
    char want[65];
    const serve_credential *e = v->who;
    int rc = pinetl__sigv4_signature(want, e->secret, e->secret_len, rq, amz_date, part[1], part[2],
                                     part[3], signed_h);
    if (rc == PINETL_ENOMEM)
        return refuse(v, NO_MEMORY, "out of memory; retry later");
    if (rc != 0 || strlen(sig) != 64 || !memeql_sec(want, sig, 64)) {
        memset(want, 0, sizeof want);
        return refuse(v, BAD_SIGNATURE, sig_mismatch);
    }
    memset(want, 0, sizeof want);
    return AUTH_ALLOWED;
}

static int matches(char *const *list, size_t n, const char *resource) {
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(list[i]);
        if (l && list[i][l - 1] == '*' ? !strncmp(list[i], resource, l - 1)
                                       : !strcmp(list[i], resource))
            return 1;
    }
    return 0;
}

static int permitted(const serve_credential *e, const serve_auth_request *rq) {
    if (!rq->resource)
        return 1;
    return rq->action == AUTH_WRITE ? matches(e->write, e->nwrite, rq->resource)
                                    : matches(e->read, e->nread, rq->resource);
}

/* ---- the refusals, as each endpoint words them ---- */

static void json_message(serve_reply *r, unsigned status, const char *type_field, const char *type,
                         const char *msg) {
    r->status = status;
    r->body.len = 0;
    pinetl__buf_puts(&r->body, "{");
    if (type_field) {
        pinetl__buf_printf(&r->body, "\"%s\":", type_field);
        pinetl__buf_json_string(&r->body, type, strlen(type));
        pinetl__buf_puts(&r->body, ",");
    }
    pinetl__buf_puts(&r->body, "\"message\":");
    pinetl__buf_json_string(&r->body, msg, strlen(msg));
    pinetl__buf_puts(&r->body, "}");
}

static void denial_text(char *out, size_t cap, const serve_auth_request *rq, const verdict *v) {
    if (rq->endpoint == AUTH_KAFKA_REST)
        snprintf(out, cap, "Not authorized to access topics: [%s]", rq->resource);
    else if (rq->endpoint == AUTH_KINESIS_JSON)
        snprintf(out, cap, "User: %s is not authorized to perform: kinesis:%s on resource: %s",
                 v->who->name, rq->operation ? rq->operation : rq->method, rq->resource);
    else
        snprintf(out, cap,
                 "User: %s is not authorized to perform: execute-api:Invoke on resource: %s %s",
                 v->who->name, rq->method, rq->path);
}

static void refusal(const serve_auth_request *rq, const verdict *v, serve_reply *r) {
    char denied[700];
    if (v->why == DENIED)
        denial_text(denied, sizeof denied, rq, v);
    if (v->why == NO_MEMORY) {
        if (rq->endpoint == AUTH_KAFKA_REST)
            pinetl__rest_error(r, 500, 50002, "%s", v->msg);
        else
            pinetl__kinesis_error(r, 500, "InternalFailure", "%s", v->msg);
        return;
    }
    if (rq->endpoint == AUTH_KAFKA_REST) {
        r->content_type = pinetl__rest_content_type();
        if (v->why == DENIED) {
            pinetl__rest_error(r, 403, 40301, "%s", denied);
        } else {
            pinetl__rest_error(r, 401, 40101, "Authentication failed");
            r->extra_header = "WWW-Authenticate";
            r->extra_value = "Basic realm=\"pinetl\"";
        }
        return;
    }
    static const char *const type[] = {[NO_CREDENTIAL] = "MissingAuthenticationTokenException",
                                       [WRONG_SECRET] = "ForbiddenException",
                                       [UNKNOWN_KEY_ID] = "UnrecognizedClientException",
                                       [BAD_SIGNATURE] = "InvalidSignatureException",
                                       [STALE] = "InvalidSignatureException",
                                       [INCOMPLETE] = "IncompleteSignatureException",
                                       [DENIED] = "AccessDeniedException"};
    const char *msg = v->why == DENIED ? denied : v->msg;
    if (rq->endpoint == AUTH_KINESIS_JSON) {
        json_message(r, 400, "__type", type[v->why], msg);
        r->content_type = "application/x-amz-json-1.1";
    } else { /* API Gateway: a missing or wrong API key is a bare "Forbidden" */
        int key = v->why == NO_CREDENTIAL || v->why == WRONG_SECRET;
        json_message(r, 403, NULL, NULL, key ? "Forbidden" : msg);
        r->content_type = "application/json";
        r->extra_header = "x-amzn-ErrorType";
        r->extra_value = key ? "ForbiddenException" : type[v->why];
    }
}

int pinetl__serve_auth_check(const serve_credentials *creds, const serve_auth_request *rq,
                             serve_reply *reply) {
    if (!creds)
        return AUTH_ALLOWED;
    verdict v;
    memset(&v, 0, sizeof v);
    const cred_set *set = atomic_load(&((serve_credentials *)creds)->current);
    int rc;
    if (rq->endpoint == AUTH_KAFKA_REST) {
        rc = basic(set, rq, &v);
    } else if (rq->endpoint == AUTH_API_GATEWAY) {
        const char *key = rq->header(rq->header_ctx, "x-api-key");
        const char *h = rq->header(rq->header_ctx, "authorization");
        if (key)
            rc = api_key(set, key, &v);
        else if (h && !strncmp(h, "AWS4-HMAC-SHA256 ", 17))
            rc = sigv4(set, rq, &v);
        else
            rc = refuse(&v, NO_CREDENTIAL, NULL);
    } else {
        rc = sigv4(set, rq, &v);
    }
    if (rc == AUTH_ALLOWED && !permitted(v.who, rq))
        rc = refuse(&v, DENIED, NULL);
    if (rc == AUTH_REFUSED)
        refusal(rq, &v, reply);
    return rc;
}
