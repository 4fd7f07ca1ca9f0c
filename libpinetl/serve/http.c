/* The HTTP side of pinetl serve, on libmicrohttpd: routing, limits, the slow-client reaper, start
 * and graceful stop.
 *
 * libmicrohttpd runs a small pool of threads, each with its own epoll loop. A request's body is
 * gathered (bounded by max_body and by a server-wide memory budget), parsed and validated in the
 * HTTP thread; valid records become a job for the committer (commit.c) and the connection is
 * suspended, so a thread never waits for a disk sync and a handful of threads serve many
 * connections while they wait. The committer resumes each connection once its records are
 * durable, and the reply is queued then.
 *
 * Limits, each refused with an HTTP error while other connections are served:
 *   - body larger than max_body: 413, before the body is read when Content-Length says so;
 *   - memory budget for bodies held at once exhausted: 503 (retriable);
 *   - more than max_connections connections: 503 (libmicrohttpd itself closes sockets beyond
 *     twice that, the last line of defence);
 *   - request head not complete within header_timeout, or body within body_timeout after the
 *     head (a client trickling bytes resets an idle timer, not these): 408, then the socket is
 *     shut down, which makes libmicrohttpd drop the connection;
 *   - oversized request heads: libmicrohttpd's own 431 (its per-connection memory limit);
 *   - a connection silent for idle_timeout: closed. */
#include <arpa/inet.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "core/json.h"
#include "access_log.h"
#include "serve_internal.h"

enum { PH_HEAD = 0, PH_BODY, PH_BUSY, PH_REAPED };

typedef struct conn_info {
    struct conn_info *prev, *next;
    int fd;
    int phase; /* under pinetl_serve.conn_lock */
    int64_t since_ms;
    int mroute, mmethod; /* the request's, for counting it if the reaper ends it */
} conn_info;

enum { R_NONE = 0, R_PRODUCE, R_PUT_ONE, R_PUT_MANY, R_KINESIS_API };
enum { API_REST = 0, API_KINESIS };
/* How long a stop spends uploading what is pending (docs/s3.md). */
enum { UPLOAD_STOP_MS = 10000 };

typedef struct req {
    conn_info *ci;
    int route, api, fmt;
    int kop; /* R_KINESIS_API: the operation (KOP_*) */
    serve_topic *topic;
    serve_stream *stream;
    char *body;
    size_t len, cap, reserved;
    int queued;
    int has_reply, close;
    int auth_pending; /* SigV4: the signature is checked once the body is in */
    /* The server and connection of a request from the network (NULL through the network-free
     * seam, which does not authenticate): the Kinesis API's permission check needs them. */
    struct pinetl_serve *srv;
    struct MHD_Connection *conn;
    serve_reply reply;
    serve_job *job;
    /* metrics and the access log */
    pinetl__serve_metrics *metrics;
    int mroute, mmethod, reason;
    unsigned status;
    uint64_t bytes_in, bytes_out, records;
    int64_t start_us;
    char method[17], remote[64];
} req;

struct pinetl_serve {
    pinetl_serve_options opt;
    char *landing, *host;
    serve_catalog cat;
    serve_committer *committer;
    serve_uploader *uploader; /* NULL without --upload */
    serve_credentials *creds; /* NULL: no authentication */
    serve_tls *tls;           /* NULL: plain HTTP */
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t conn_lock;
    pthread_cond_t reaper_cond;
    conn_info *conns;
    unsigned nconns;
    atomic_size_t mem_used;
    atomic_uint active;    /* requests between their head and their completion */
    atomic_uint suspended; /* connections waiting for the committer */
    pthread_t reaper;
    int reaper_started, reaper_stop;
    atomic_int ready; /* the landing is recovered and the committer runs: writes are accepted */
    atomic_int
        stopping; /* pinetl_serve_stop began: new requests get 503 and the connection closes */
    pinetl__serve_metrics metrics;
};

int pinetl_serve_options_init(pinetl_serve_options *o, unsigned version) {
    if (!o || version != PINETL_SERVE_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_serve_options_init: %s",
                                 o ? "unknown version" : "NULL options");
    memset(o, 0, sizeof *o);
    o->version = version;
    o->listen_host = "127.0.0.1";
    o->prefix = "pinetl";
    o->max_body = 8u << 20;
    o->max_memory = 256u << 20;
    o->max_connections = 512;
    o->header_timeout_ms = 10000;
    o->body_timeout_ms = 30000;
    o->idle_timeout_s = 5;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = cores < 1 ? 1 : cores > 16 ? 16 : (unsigned)cores;
    o->flush_size = 1000;
    o->rotate_ms = 60000;
    o->fsync = 1;
    o->access_log_fd = -1;
    return PINETL_OK;
}

unsigned pinetl_serve_port(const pinetl_serve *s) { return s->port; }

/* ---- replies ---- */

static int error_reply(req *r, unsigned status, const char *kinesis_type, int rest_code,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int error_reply(req *r, unsigned status, const char *kinesis_type, int rest_code,
                       const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->api == API_KINESIS && kinesis_type)
        pinetl__kinesis_error(&r->reply, status, kinesis_type, "%s", msg);
    else
        pinetl__rest_error(&r->reply, status, rest_code, "%s", msg);
    r->has_reply = 1;
    return 0;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, req *r) {
    serve_reply *rep = &r->reply;
    if (rep->body.failed || !rep->body.p)
        return MHD_NO;
    r->status = rep->status;
    r->bytes_out = rep->body.len;
    /* Counted before it leaves: a client that has its reply finds it in the metrics. */
    pinetl__serve_metrics_request(r->metrics, r->mroute, r->mmethod, r->status, r->reason);
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(
        rep->body.len, rep->body.p, pinetl__free);
    if (!resp)
        return MHD_NO;
    rep->body.p = NULL;
    rep->body.len = rep->body.cap = 0;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
    if (rep->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow);
    if (rep->extra_header)
        MHD_add_response_header(resp, rep->extra_header, rep->extra_value);
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (rep->status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ret = MHD_queue_response(conn, rep->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- memory budget ---- */

static int reserve(pinetl_serve *s, req *r, size_t n) {
    size_t used = atomic_load(&s->mem_used);
    do {
        if (used + n > s->opt.max_memory || used + n < used)
            return -1;
    } while (!atomic_compare_exchange_weak(&s->mem_used, &used, used + n));
    r->reserved += n;
    return 0;
}

static void release(pinetl_serve *s, req *r, size_t n) {
    r->reserved -= n;
    atomic_fetch_sub(&s->mem_used, n);
}

/* Sets a request's reservation to n bytes: 0, or -1 when the budget has no room for the rise. */
static int reserve_exactly(pinetl_serve *s, req *r, size_t n) {
    if (n > r->reserved)
        return reserve(s, r, n - r->reserved);
    release(s, r, r->reserved - n);
    return 0;
}

enum {
    ENTRY_REST = 80,    /* ,{"partition":P,"offset":O,"error_code":null,"error":null}: P <= 4,
                           O <= 20 digits */
    ENTRY_KINESIS = 80, /* ,{"SequenceNumber":"<21 digits>","ShardId":"shardId-000000000000"} */
    ENTRY_FAILED = 2 * 256 + 64, /* a failed entry: serve_job.err (no control characters) */
    REPLY_ERROR = 2 * 256 + 128  /* a whole-request error: the same */
};

size_t pinetl__serve_reply_max(int kind, int many, size_t n) {
    size_t per = kind == JOB_TOPIC ? ENTRY_REST : many ? ENTRY_FAILED : ENTRY_KINESIS;
    return REPLY_ERROR + n * per;
}

size_t pinetl__serve_parse_bytes(int kind, int many, const char *body, size_t len) {
    size_t n = 1, per;
    if (kind == JOB_STREAM) {
        n = many ? 500 : 1;
        per = sizeof(json_value) + 2 * sizeof(size_t) + sizeof(pinetl_streamlog_record);
    } else {
        const char *p = body, *end = body ? body + len : NULL;
        while (p && p < end && (p = memchr(p, '{', (size_t)(end - p))) != NULL) {
            n++;
            p++;
        }
        per = sizeof(json_value) + sizeof(size_t) + sizeof(int) + sizeof(uint64_t);
    }
    return sizeof(serve_job) + n * per + pinetl__serve_reply_max(kind, many, n);
}

static void set_phase(pinetl_serve *s, conn_info *ci, int phase) {
    if (!ci)
        return;
    pthread_mutex_lock(&s->conn_lock);
    if (ci->phase != PH_REAPED) {
        ci->phase = phase;
        ci->since_ms = pinetl__serve_now_ms();
    }
    pthread_mutex_unlock(&s->conn_lock);
}

static int reaped(pinetl_serve *s, conn_info *ci) {
    if (!ci)
        return 0;
    pthread_mutex_lock(&s->conn_lock);
    int r = ci->phase == PH_REAPED;
    pthread_mutex_unlock(&s->conn_lock);
    return r;
}

/* ---- routing ---- */

static int content_type_is(const char *ct, const char *want) {
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; ");
    return n == strlen(want) && !strncasecmp(ct, want, n);
}

static int not_found(req *r) {
    r->api = API_REST;
    return error_reply(r, 404, NULL, 404, "HTTP 404 Not Found");
}

static int not_allowed(req *r, const char *allow) {
    r->api = API_REST;
    error_reply(r, 405, NULL, 405, "HTTP 405 Method Not Allowed");
    r->reply.allow = allow;
    return 0;
}

/* Splits url into at most 4 segments; -1 when there are more or a segment is empty. */
static int split(const char *url, char seg[4][256], int *n) {
    *n = 0;
    if (*url != '/')
        return -1;
    const char *p = url + 1;
    if (!*p)
        return 0;
    for (;;) {
        size_t k = strcspn(p, "/");
        if (k == 0 || k >= 256 || *n == 4)
            return -1;
        memcpy(seg[*n], p, k);
        seg[*n][k] = '\0';
        (*n)++;
        p += k;
        if (!*p)
            return 0;
        p++;
    }
}

/* Decides what the request is. Either sets r->route (a body to read) or r->has_reply. target:
 * the X-Amz-Target header (NULL: none). */
static int route(serve_catalog *cat, req *r, const char *ct, const char *target, const char *url,
                 const char *method) {
    char seg[4][256];
    int n;
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (target && !strcmp(url, "/")) { /* Kinesis' own API (kinesis_api.c) */
        r->api = API_KINESIS;
        if (pinetl__kinesis_api_route(&r->kop, method, ct, target, &r->reply) != 0)
            r->has_reply = 1;
        else
            r->route = R_KINESIS_API;
        return 0;
    }
    if (split(url, seg, &n) != 0 || n == 0)
        return not_found(r);
    if (!strcmp(seg[0], "topics")) {
        r->api = API_REST;
        if (n == 1) {
            if (!get)
                return not_allowed(r, "GET");
            pinetl__rest_list_topics(cat, &r->reply);
            r->has_reply = 1;
            return 0;
        }
        if (n != 2)
            return not_found(r);
        int post = !strcmp(method, "POST");
        if (!get && !post)
            return not_allowed(r, "GET, POST");
        if (post) {
            if (content_type_is(ct, "application/vnd.kafka.json.v2+json"))
                r->fmt = REST_JSON;
            else if (content_type_is(ct, "application/vnd.kafka.binary.v2+json"))
                r->fmt = REST_BINARY;
            else
                return error_reply(r, 415, NULL, 415,
                                   "HTTP 415 Unsupported Media Type: use "
                                   "application/vnd.kafka.json.v2+json or "
                                   "application/vnd.kafka.binary.v2+json");
        }
        serve_topic *t = pinetl__serve_name_ok(seg[1], strlen(seg[1]))
                             ? pinetl__serve_topic_find(cat, seg[1])
                             : NULL;
        if (!t)
            return error_reply(r, 404, NULL, 40401, "Topic %s not found.", seg[1]);
        if (get) {
            pinetl__rest_topic(t, &r->reply);
            r->has_reply = 1;
            return 0;
        }
        r->topic = t;
        r->route = R_PRODUCE;
        return 0;
    }
    if (!strcmp(seg[0], "streams")) {
        r->api = API_KINESIS;
        if (n == 1) {
            if (!get)
                return not_allowed(r, "GET");
            pinetl__kinesis_list_streams(cat, &r->reply);
            r->has_reply = 1;
            return 0;
        }
        int put = !strcmp(method, "PUT");
        int many = n == 3 && !strcmp(seg[2], "records");
        if (n > 3 || (n == 3 && !many && strcmp(seg[2], "record")))
            return not_found(r);
        if (n == 2 && !get)
            return not_allowed(r, "GET");
        if (n == 3 && !put)
            return not_allowed(r, "PUT");
        serve_stream *st = pinetl__serve_name_ok(seg[1], strlen(seg[1]))
                               ? pinetl__serve_stream_find(cat, seg[1])
                               : NULL;
        if (!st)
            return error_reply(r, 400, "ResourceNotFoundException", 40401,
                               "Stream %s under account 000000000000 not found.", seg[1]);
        if (n == 2) {
            pinetl__kinesis_describe(st, &r->reply);
            r->has_reply = 1;
            return 0;
        }
        r->stream = st;
        r->route = many ? R_PUT_MANY : R_PUT_ONE;
        return 0;
    }
    return not_found(r);
}

/* PutRecords and the API Gateway's PUT .../records answer per record. */
static int many_of(const req *r) {
    return r->route == R_PUT_MANY || (r->route == R_KINESIS_API && r->kop == KOP_PUT_RECORDS);
}

/* Kinesis' own API: a job (0), or a reply in r->reply (-1: an answer or an error). budget: the
 * server's memory budget (0: none). */
static int kinesis_api(serve_catalog *cat, req *r, const char *body, size_t len, size_t budget,
                       serve_job **j) {
    kinesis_call call;
    json_value root;
    if (pinetl__kinesis_api_prepare(&call, &root, cat, r->kop, body, len, budget, &r->reply))
        return -1;
    /* Here the request's stream (call.stream; NULL for ListStreams) and action (call.write) are
     * known and nothing has run yet: the caller's permissions for them are checked (the
     * signature itself was checked when the body came in: authorize()). */
    if (r->srv && r->srv->creds) {
        serve_reply refusal;
        memset(&refusal, 0, sizeof refusal);
        if (pinetl__serve_auth_http(
                r->srv->creds, r->conn, "POST", "/", AUTH_KINESIS_JSON,
                call.stream ? call.stream->name : NULL, call.write ? AUTH_WRITE : AUTH_READ,
                pinetl__kinesis_api_op_name(r->kop), body, len, 1, &refusal) != AUTH_ALLOWED) {
            pinetl__buf_free(&r->reply.body);
            r->reply = refusal;
            return -1;
        }
    }
    return pinetl__kinesis_api_run(&call, j, &r->reply);
}

/* The body of a routed request: a job (0) or an error reply in r->reply (-1). */
static int parse_body(serve_catalog *cat, req *r, const char *body, size_t len, size_t budget,
                      serve_job **j) {
    if (r->route == R_KINESIS_API)
        return kinesis_api(cat, r, body, len, budget, j);
    if (r->route == R_PRODUCE)
        return pinetl__rest_produce_parse(r->topic, r->fmt, body, len, j, &r->reply);
    return pinetl__kinesis_put_parse(r->stream, r->route == R_PUT_MANY, body, len, j, &r->reply);
}

int pinetl__serve_handle_target(serve_catalog *cat, const char *method, const char *url,
                                const char *content_type, const char *target, const char *body,
                                size_t len, serve_job **job, int *many, serve_reply *reply) {
    req r;
    memset(&r, 0, sizeof r);
    *job = NULL;
    *many = 0;
    route(cat, &r, content_type, target, url, method);
    if (!r.has_reply && r.route != R_NONE &&
        parse_body(cat, &r, body ? body : "", len, 0, job) == 0) {
        *many = many_of(&r);
        return 1;
    }
    *reply = r.reply;
    return 0;
}

int pinetl__serve_handle(serve_catalog *cat, const char *method, const char *url,
                         const char *content_type, const char *body, size_t len, serve_job **job,
                         int *many, serve_reply *reply) {
    return pinetl__serve_handle_target(cat, method, url, content_type, NULL, body, len, job, many,
                                       reply);
}

void pinetl__serve_job_reply(const serve_job *j, int many, serve_reply *reply) {
    /* Its whole size at once: appends never double it past what the budget counted. */
    pinetl__serve_buf_exact(&reply->body, pinetl__serve_reply_max(j->kind, many, j->n));
    if (j->kind == JOB_TOPIC)
        pinetl__rest_produce_reply(j, reply);
    else
        pinetl__kinesis_put_reply(j, many, reply);
}

/* ---- libmicrohttpd callbacks ---- */

static int has_body(struct MHD_Connection *conn) {
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return te || (cl && strtoull(cl, NULL, 10) > 0);
}

/* Every Content-Length header must say the same, and not beside Transfer-Encoding: a request
 * whose length two parsers could read differently is refused (request smuggling). */
typedef struct length_headers {
    const char *first;
    int lengths, conflict;
} length_headers;

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value) {
    (void)kind;
    length_headers *h = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
        return MHD_YES;
    if (h->lengths++ && strcmp(h->first, value ? value : "") != 0)
        h->conflict = 1;
    if (!h->first)
        h->first = value ? value : "";
    return MHD_YES;
}

static const char *framing_fault(struct MHD_Connection *conn) {
    length_headers h = {NULL, 0, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_length, &h);
    if (h.conflict)
        return "the request has Content-Length headers that differ";
    if (h.lengths &&
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
        return "the request has both Content-Length and Transfer-Encoding";
    return NULL;
}

/* The credentials check (auth.c) of a routed request: the endpoint, resource and action from
 * its path. A refusal replaces whatever routing decided (an answer is not given before the
 * caller is known). 0, or -1 when refused (r->reply is the refusal). */
static int authorize(pinetl_serve *s, struct MHD_Connection *conn, req *r, const char *url,
                     const char *method, int body_known) {
    char seg[4][256];
    int n = 0;
    if (split(url, seg, &n) != 0)
        n = 0;
    int write = strcmp(method, "GET") && strcmp(method, "HEAD");
    serve_reply refusal;
    memset(&refusal, 0, sizeof refusal);
    /* Kinesis' own API names its stream in the body: here only who signed is checked (resource
     * NULL); what that credential may touch is checked once the body is parsed (kinesis_api). */
    int kapi = r->route == R_KINESIS_API;
    int endpoint = kapi                    ? AUTH_KINESIS_JSON
                   : r->api == API_KINESIS ? AUTH_API_GATEWAY
                                           : AUTH_KAFKA_REST;
    int rc = pinetl__serve_auth_http(
        s->creds, conn, method, kapi ? "/" : url, endpoint, !kapi && n >= 2 ? seg[1] : NULL,
        write ? AUTH_WRITE : AUTH_READ, kapi ? pinetl__kinesis_api_op_name(r->kop) : NULL, r->body,
        r->len, body_known, &refusal);
    r->auth_pending = rc == AUTH_NEED_BODY;
    if (rc != AUTH_REFUSED)
        return 0;
    pinetl__buf_free(&r->reply.body);
    r->reply = refusal;
    r->has_reply = 1;
    r->route = R_NONE;
    return -1;
}

/* ---- metrics and the access log ---- */

static int64_t real_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void observe_start(pinetl_serve *s, struct MHD_Connection *conn, req *r, const char *url,
                          const char *method) {
    r->metrics = &s->metrics;
    r->mroute = pinetl__metrics_route(url);
    r->mmethod = pinetl__metrics_method(method);
    if (r->ci) {
        r->ci->mroute = r->mroute;
        r->ci->mmethod = r->mmethod;
    }
    if (s->opt.access_log_fd < 0)
        return;
    r->start_us = real_us();
    snprintf(r->method, sizeof r->method, "%s", method);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    pinetl__access_log_peer(r->remote, sizeof r->remote, info ? info->client_addr : NULL);
}

/* The request is over: logged (counted already, by send_reply or by the reaper). */
static void observe_end(pinetl_serve *s, req *r) {
    if (s->opt.access_log_fd < 0)
        return;
    if (!r->status && reaped(s, r->ci)) {
        r->status = 408;
        r->reason = PM_REASON_BODY_TIMEOUT;
    }
    pinetl__access_entry e = {
        .start_us = r->start_us,
        .remote = r->remote,
        .method = r->method,
        .route = pinetl__metrics_route_name(r->mroute),
        .target = r->topic    ? r->topic->name
                  : r->stream ? r->stream->name
                              : NULL,
        .status = r->status,
        .reason = r->status >= 400 ? pinetl__metrics_reason_name(r->status, r->reason) : NULL,
        .bytes_in = r->bytes_in,
        .bytes_out = r->bytes_out,
        .records = r->records,
        .duration_us = real_us() - r->start_us,
    };
    pinetl__access_log_write(s->opt.access_log_fd, &e);
}

/* Before the landing is recovered: 503, in the error format of the API the request is for. */
static void not_ready(req *r) {
    int kinesis = r->mroute >= PM_ROUTE_STREAMS && r->mroute <= PM_ROUTE_STREAM_RECORDS;
    r->api = kinesis ? API_KINESIS : API_REST;
    r->reason = PM_REASON_NOT_READY;
    error_reply(r, 503, "ServiceUnavailable", 50003,
                "not ready: recovering the landing folder; retry later");
}

/* After pinetl_serve_stop began: 503, and the connection closes (the client retries elsewhere or
 * after the restart). */
static void stopping(req *r) {
    int kinesis = r->mroute >= PM_ROUTE_STREAMS && r->mroute <= PM_ROUTE_STREAM_RECORDS;
    r->api = kinesis ? API_KINESIS : API_REST;
    r->reason = PM_REASON_NOT_READY;
    r->close = 1;
    error_reply(r, 503, "ServiceUnavailable", 50003, "the server is stopping; retry later");
}

/* /metrics, /healthz and /readyz: answered in any state, before anything else. */
static int ops_reply(pinetl_serve *s, req *r, unsigned nconns) {
    if (r->mroute != PM_ROUTE_METRICS && r->mroute != PM_ROUTE_HEALTHZ &&
        r->mroute != PM_ROUTE_READYZ)
        return 0;
    pinetl__serve_gauges g = {nconns, atomic_load(&s->active), atomic_load(&s->mem_used),
                              s->opt.max_memory, atomic_load(&s->ready)};
    if (r->mmethod != PM_METHOD_GET && r->mmethod != PM_METHOD_HEAD) {
        not_allowed(r, "GET");
        return 1;
    }
    pinetl__serve_ops_reply(&r->reply, r->mroute, &s->metrics, &s->cat, &g);
    r->has_reply = 1;
    return 1;
}

/* Refusals are answered after the body has been read (and discarded; at most max_body bytes, or
 * the body deadline): a client that sends its whole body before reading, as most do, would see
 * a broken connection instead of the reply otherwise. The exception is a Content-Length over
 * max_body, answered at once, with the connection closed. */
static enum MHD_Result first_call(pinetl_serve *s, struct MHD_Connection *conn, req *r,
                                  const char *url, const char *method) {
    unsigned nconns;
    pthread_mutex_lock(&s->conn_lock);
    nconns = s->nconns;
    pthread_mutex_unlock(&s->conn_lock);
    observe_start(s, conn, r, url, method);
    if (atomic_load(&s->stopping))
        stopping(r);
    else if (!ops_reply(s, r, nconns)) {
        if (atomic_load(&s->ready))
            route(&s->cat, r,
                  MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
                  MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target"), url, method);
        else
            not_ready(r);
    }
    r->srv = s;
    r->conn = conn;
    /* Health checks answer anyone (load balancers do not sign); /metrics needs a credential
     * like every other route. A body still to come is signed only when it is routed to be read. */
    if (s->creds && r->mroute != PM_ROUTE_HEALTHZ && r->mroute != PM_ROUTE_READYZ)
        authorize(s, conn, r, url, method, r->has_reply || r->route == R_NONE || !has_body(conn));
    if (nconns > s->opt.max_connections) {
        r->close = 1;
        r->reason = PM_REASON_CONNECTIONS;
        error_reply(r, 503, "ServiceUnavailable", 50003,
                    "too many connections (%u, limit %u); "
                    "retry later",
                    nconns, s->opt.max_connections);
    }
    const char *fault = framing_fault(conn);
    if (fault) { /* its body cannot be delimited: answered at once, then the connection closes */
        r->close = 1;
        error_reply(r, 400, "SerializationException", 400, "%s", fault);
        set_phase(s, r->ci, PH_BUSY);
        return send_reply(conn, r);
    }
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
    if (want > s->opt.max_body) {
        r->close = 1;
        error_reply(r, 413, "ValidationException", 413,
                    "request body of %llu bytes exceeds "
                    "the limit of %zu bytes",
                    want, s->opt.max_body);
        set_phase(s, r->ci, PH_BUSY);
        return send_reply(conn, r);
    }
    if (!r->has_reply && want) {
        if (reserve(s, r, 2 * (size_t)want) != 0) {
            r->reason = PM_REASON_MEMORY;
            error_reply(r, 503, "ServiceUnavailable", 50003,
                        "server busy: request bodies in "
                        "memory are at the limit (%zu bytes); retry later",
                        s->opt.max_memory);
        } else if (!(r->body = pinetl__malloc((size_t)want))) {
            error_reply(r, 503, "ServiceUnavailable", 50003, "out of memory; retry later");
        } else {
            r->cap = (size_t)want;
        }
    }
    set_phase(s, r->ci, has_body(conn) ? PH_BODY : PH_BUSY);
    return MHD_YES; /* the reply, or the work, comes once the body is in */
}

static void take_body(pinetl_serve *s, req *r, const char *data, size_t n) {
    if (r->has_reply)
        return; /* refused already: the rest is read and discarded */
    if (r->len + n > s->opt.max_body) {
        r->close = 1; /* read to its end (bounded by the body deadline), then closed:
                          * libmicrohttpd cannot answer in the middle of a body */
        error_reply(r, 413, "ValidationException", 413,
                    "request body exceeds the limit of %zu "
                    "bytes",
                    s->opt.max_body);
        return;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        while (cap < r->len + n)
            cap *= 2;
        if (cap > s->opt.max_body)
            cap = s->opt.max_body;
        size_t extra = 2 * (cap - r->cap);
        char *p = NULL;
        if (reserve(s, r, extra) == 0 && !(p = pinetl__realloc(r->body, cap)))
            r->reserved -= extra, atomic_fetch_sub(&s->mem_used, extra);
        if (!p) {
            r->reason = PM_REASON_MEMORY;
            error_reply(r, 503, "ServiceUnavailable", 50003,
                        "server busy: request bodies in "
                        "memory are at the limit (%zu bytes); retry later",
                        s->opt.max_memory);
            return;
        }
        r->body = p;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
}

/* The memory budget cannot hold a parsed request and its reply: 503, nothing acknowledged. */
static enum MHD_Result busy(pinetl_serve *s, struct MHD_Connection *conn, req *r) {
    r->reason = PM_REASON_MEMORY;
    error_reply(r, 503, "ServiceUnavailable", 50003,
                "server busy: request bodies and replies in memory are at the limit (%zu "
                "bytes); retry later",
                s->opt.max_memory);
    return send_reply(conn, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls) {
    pinetl_serve *s = cls;
    req *r = *con_cls;
    if (!r) {
        if (!(r = pinetl__calloc(1, sizeof *r)))
            return MHD_NO;
        *con_cls = r;
        atomic_fetch_add(&s->active, 1);
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->ci = info ? info->socket_context : NULL;
        return first_call(s, conn, r, url, method);
    }
    if (r->queued) { /* resumed by the committer: the records are durable (or failed) */
        serve_job *j = r->job;
        if (!atomic_load(&j->done))
            return MHD_YES;
        r->records = j->rc ? 0 : j->n;
        pinetl__serve_job_reply(j, many_of(r), &r->reply);
        if (r->route == R_KINESIS_API)
            r->reply.content_type = pinetl__kinesis_api_content_type();
        r->has_reply = 1;
        pinetl__serve_job_free(j);
        r->job = NULL;
        r->queued = 0;
        atomic_fetch_sub(&s->suspended, 1);
        return send_reply(conn, r);
    }
    if (*upload_size) {
        r->bytes_in += *upload_size;
        take_body(s, r, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->has_reply || r->route == R_NONE) {
        set_phase(s, r->ci, PH_BUSY);
        return r->has_reply ? send_reply(conn, r) : MHD_NO;
    }
    /* The whole body is here. */
    set_phase(s, r->ci, PH_BUSY);
    if (reaped(s, r->ci))
        return MHD_NO;
    if (r->auth_pending && authorize(s, conn, r, url, method, 1) != 0) {
        pinetl__free(r->body);
        r->body = NULL;
        return send_reply(conn, r);
    }
    serve_job *j = NULL;
    int kind = r->route == R_PRODUCE ? JOB_TOPIC : JOB_STREAM, many = many_of(r);
    /* The budget counts what parsing holds, then what the job and its reply hold until the reply
     * is sent (replies can be several times their request: 80 bytes per 12-byte record). Kinesis
     * API reads hold their reply (and a stream reader) until it is sent. */
    int kinesis_read =
        r->route == R_KINESIS_API && r->kop != KOP_PUT_RECORD && r->kop != KOP_PUT_RECORDS;
    size_t parse = kinesis_read ? pinetl__kinesis_api_bytes(r->kop, &s->cat, r->body, r->len,
                                                            s->opt.max_memory)
                                : pinetl__serve_parse_bytes(kind, many, r->body, r->len);
    if (reserve(s, r, parse) != 0) {
        pinetl__free(r->body);
        r->body = NULL;
        if (r->reserved + parse > s->opt.max_memory || r->reserved + parse < parse) {
            error_reply(r, 413, "ValidationException", 413,
                        "this request's records and reply would need %zu bytes of memory, more "
                        "than the server's budget of %zu (--max-memory): send fewer records "
                        "at once",
                        r->reserved + parse, s->opt.max_memory);
            return send_reply(conn, r);
        }
        return busy(s, conn, r);
    }
    int bad = parse_body(&s->cat, r, r->body ? r->body : "", r->len, s->opt.max_memory, &j);
    pinetl__free(r->body); /* the job holds its own copy of the records */
    r->body = NULL;
    if (bad) {
        r->has_reply = 1;
        return send_reply(conn, r);
    }
    if (reserve_exactly(
            s, r, pinetl__serve_job_bytes(j) + pinetl__serve_reply_max(kind, many, j->n)) != 0) {
        pinetl__serve_job_free(j);
        return busy(s, conn, r);
    }
    j->conn = conn;
    r->job = j;
    r->queued = 1;
    atomic_fetch_add(&s->suspended, 1);
    MHD_suspend_connection(conn);
    pinetl__serve_committer_submit(s->committer, j);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    pinetl_serve *s = cls;
    req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    observe_end(s, r);
    if (r->reserved)
        atomic_fetch_sub(&s->mem_used, r->reserved);
    if (r->job && (!r->queued || atomic_load(&r->job->done))) {
        /* Resumed but closed before its reply (the client went away): the job is done. */
        pinetl__serve_job_free(r->job);
        if (r->queued)
            atomic_fetch_sub(&s->suspended, 1);
    }
    pinetl__free(r->body);
    pinetl__buf_free(&r->reply.body);
    set_phase(s, r->ci, PH_HEAD);
    pinetl__free(r);
    atomic_fetch_sub(&s->active, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    pinetl_serve *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_info *ci = pinetl__calloc(1, sizeof *ci);
        *socket_context = ci;
        if (!ci)
            return;
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        ci->fd = info ? info->connect_fd : -1;
        ci->since_ms = pinetl__serve_now_ms();
        pthread_mutex_lock(&s->conn_lock);
        ci->next = s->conns;
        if (s->conns)
            s->conns->prev = ci;
        s->conns = ci;
        s->nconns++;
        pthread_mutex_unlock(&s->conn_lock);
        return;
    }
    conn_info *ci = *socket_context;
    if (!ci)
        return;
    pthread_mutex_lock(&s->conn_lock); /* before the socket is closed: the reaper is done */
    if (ci->prev)
        ci->prev->next = ci->next;
    else
        s->conns = ci->next;
    if (ci->next)
        ci->next->prev = ci->prev;
    s->nconns--;
    pthread_mutex_unlock(&s->conn_lock);
    pinetl__free(ci);
    *socket_context = NULL;
}

/* Slow clients: a 408 written straight to the socket, then shutdown(), which libmicrohttpd sees
 * as the client going away. Runs under conn_lock, so the socket cannot be closed meanwhile. Over
 * TLS (tls) the plain text would break the stream: only the shutdown. */
static void reap(conn_info *ci, const char *what, unsigned ms, int tls) {
    char body[200], msg[400];
    int bl = snprintf(body, sizeof body,
                      "{\"error_code\":408,\"message\":\"request %s not "
                      "received within %u ms\"}",
                      what, ms);
    int ml = snprintf(msg, sizeof msg,
                      "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                      "Content-Type: application/vnd.kafka.v2+json\r\nContent-Length: %d\r\n\r\n%s",
                      bl, body);
    if (ci->fd >= 0) {
        ssize_t k = tls ? 0 : send(ci->fd, msg, (size_t)ml, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)k;
        shutdown(ci->fd, SHUT_RDWR);
    }
    ci->phase = PH_REAPED;
}

static void *reaper_main(void *arg) {
    pinetl_serve *s = arg;
    pthread_mutex_lock(&s->conn_lock);
    while (!s->reaper_stop) {
        int64_t now = pinetl__serve_now_ms();
        for (conn_info *ci = s->conns; ci; ci = ci->next) {
            /* Counted before the 408 leaves, as send_reply does. */
            if (ci->phase == PH_HEAD && now - ci->since_ms > (int64_t)s->opt.header_timeout_ms) {
                pinetl__serve_metrics_request(&s->metrics, PM_ROUTE_NONE, PM_METHOD_OTHER, 408,
                                              PM_REASON_HEAD_TIMEOUT);
                reap(ci, "head", s->opt.header_timeout_ms, s->tls != NULL);
            } else if (ci->phase == PH_BODY &&
                       now - ci->since_ms > (int64_t)s->opt.body_timeout_ms) {
                pinetl__serve_metrics_request(&s->metrics, ci->mroute, ci->mmethod, 408,
                                              PM_REASON_BODY_TIMEOUT);
                reap(ci, "body", s->opt.body_timeout_ms, s->tls != NULL);
            }
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->reaper_cond, &s->conn_lock, &ts);
    }
    pthread_mutex_unlock(&s->conn_lock);
    return NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    pinetl_serve *s = cls;
    if (!s->opt.log)
        return;
    fputs("pinetl serve: libmicrohttpd: ", s->opt.log);
    vfprintf(s->opt.log, fmt, ap);
}

/* libmicrohttpd's own unescaping turns %00 into a NUL that ends the URL: /topics/p.pin%00evil
 * would reach p.pin. Here %00 stays as it is (and fails the name check: '%' is in no name);
 * every other %HH is decoded as usual. */
static int hex_digit(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static size_t unescape(void *cls, struct MHD_Connection *conn, char *s) {
    (void)cls;
    (void)conn;
    char *out = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (*p == '%' && (hi = hex_digit(p[1])) >= 0 && (lo = hex_digit(p[2])) >= 0 &&
            (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

/* ---- start and stop ---- */

int pinetl__serve_stores_open(serve_catalog *cat, const char *landing,
                              const pinetl_serve_options *o) {
    pinetl__landing_options lo;
    pinetl__landing_options_init(&lo);
    lo.flush_size = o->flush_size;
    lo.rotate_ms = o->rotate_ms;
    lo.fsync = o->fsync;
    for (size_t i = 0; i < cat->ntopics; i++) { /* every name checked before anything opens */
        int rc = pinetl__landing_names_fit(landing, cat->topics[i].name, cat->topics[i].partitions);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < cat->ntopics; i++) {
        serve_topic *t = &cat->topics[i];
        if (!(t->parts = pinetl__calloc((size_t)t->partitions, sizeof *t->parts)))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        for (int p = 0; p < t->partitions; p++) {
            char notice[512];
            int rc =
                pinetl__landing_open(&t->parts[p], notice, sizeof notice, landing, t->name, p, &lo);
            if (rc)
                return rc;
            if (notice[0] && o->log)
                fprintf(o->log, "pinetl serve: recovery: %s\n", notice);
        }
    }
    for (size_t i = 0; i < cat->nstreams; i++) {
        serve_stream *st = &cat->streams[i];
        if (asprintf(&st->path, "%s/streams/%s/shardId-000000000000.log", landing, st->name) < 0) {
            st->path = NULL;
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        }
        int rc = pinetl_streamlog_open(&st->log, st->path, 0);
        if (!rc)
            rc = pinetl__file_id_of(&st->id, st->path);
        if (rc)
            return rc;
        pinetl_streamlog_recovery rec;
        pinetl_streamlog_recovery_info(&rec, st->log);
        if (rec.bad_ranges && o->log)
            fprintf(o->log,
                    "pinetl serve: recovery: stream '%s': %llu damaged range(s) inside the log "
                    "(%llu bytes, hiding %llu record(s)) skipped and copied to %s.quarantine.*; "
                    "every valid record around them is kept\n",
                    st->name, (unsigned long long)rec.bad_ranges, (unsigned long long)rec.bad_bytes,
                    (unsigned long long)rec.bad_records, st->path);
        if (rec.cut_bytes && o->log)
            fprintf(o->log,
                    "pinetl serve: recovery: cut %llu bytes (%s) at the tail of "
                    "stream '%s' (copied to %s.quarantine.*)%s\n",
                    (unsigned long long)rec.cut_bytes, rec.cut_reason ? rec.cut_reason : "invalid",
                    st->name, st->path,
                    rec.skipped_seqs ? "; sequence numbers move on past them (epoch starts)" : "");
        st->created_s = (int64_t)time(NULL);
        atomic_store(&st->durable_end, pinetl_streamlog_size(st->log));
        atomic_store(&st->durable_seq, pinetl_streamlog_last_seq(st->log));
    }
    return PINETL_OK;
}

int pinetl__serve_stores_close(serve_catalog *cat, int fsync) {
    int first = PINETL_OK;
    for (size_t i = 0; i < cat->ntopics; i++) {
        serve_topic *t = &cat->topics[i];
        for (int p = 0; t->parts && p < t->partitions; p++) {
            int rc = pinetl__landing_close(t->parts[p]);
            t->parts[p] = NULL;
            if (rc && !first)
                first = rc;
        }
    }
    for (size_t i = 0; i < cat->nstreams; i++) {
        serve_stream *st = &cat->streams[i];
        if (st->log && !st->broken && fsync) {
            int rc = pinetl_streamlog_sync(st->log);
            if (rc && !first)
                first = rc;
        }
        pinetl_streamlog_free(st->log);
        st->log = NULL;
    }
    return first;
}

static int open_stores(pinetl_serve *s) {
    return pinetl__serve_stores_open(&s->cat, s->landing, &s->opt);
}

static int close_stores(pinetl_serve *s) {
    return pinetl__serve_stores_close(&s->cat, s->opt.fsync);
}

static void destroy(pinetl_serve *s) {
    if (s->reaper_started) {
        pthread_mutex_lock(&s->conn_lock);
        s->reaper_stop = 1;
        pthread_cond_signal(&s->reaper_cond);
        pthread_mutex_unlock(&s->conn_lock);
        pthread_join(s->reaper, NULL);
    }
    pinetl__serve_catalog_free(&s->cat);
    pinetl__serve_credentials_free(s->creds);
    pinetl__serve_tls_free(s->tls);
    pthread_cond_destroy(&s->reaper_cond);
    pthread_mutex_destroy(&s->conn_lock);
    pinetl__free(s->landing);
    pinetl__free(s->host);
    pinetl__free(s);
}

int pinetl_serve_start(pinetl_serve **out, const pinetl_serve_options *o) {
    if (!out || !o)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_serve_start: NULL argument");
    *out = NULL;
    if (o->version != PINETL_SERVE_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_serve_start: options not set up with "
                                                "pinetl_serve_options_init");
    if (!o->landing || !*o->landing)
        return pinetl__error_set(PINETL_EINVAL, "a landing folder is needed (--landing DIR)");
    if (!o->config && (!o->prefix || !*o->prefix))
        return pinetl__error_set(PINETL_EINVAL, "a prefix is needed (--prefix)");
    if (o->port > 65535 || o->max_body < 1 || o->max_memory < o->max_body ||
        o->max_connections < 1 || o->flush_size < 1 || o->threads < 1 || o->threads > 64)
        return pinetl__error_set(PINETL_EINVAL, "bad server options (the memory budget must hold "
                                                "at least one body)");
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    int ipv6 = 0;
    if (inet_pton(AF_INET, o->listen_host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)o->port);
    } else if (inet_pton(AF_INET6, o->listen_host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)o->port);
        ipv6 = 1;
    } else {
        return pinetl__error_set(PINETL_EINVAL, "'%s' is not a numeric IPv4 or IPv6 address",
                                 o->listen_host);
    }
#ifdef __GLIBC__
    /* The budget counts live bytes; for the process's size to follow it, large blocks (bodies,
     * record indexes, replies) must go back to the system when freed. glibc otherwise raises its
     * mmap threshold after the first such free and keeps later ones in per-thread heaps, so a
     * burst of large requests left the server at twice its budget. */
    mallopt(M_MMAP_THRESHOLD, 256 << 10);
#endif
    pinetl_serve *s = pinetl__calloc(1, sizeof *s);
    if (!s)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    s->opt = *o;
    pthread_mutex_init(&s->conn_lock, NULL);
    pthread_cond_init(&s->reaper_cond, NULL);
    if (!(s->landing = pinetl__strdup(o->landing)) || !(s->host = pinetl__strdup(o->listen_host))) {
        destroy(s);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    int rc = pinetl__serve_exposure_check(o, o->log);
    if (!rc && o->credentials)
        rc = pinetl__serve_credentials_load(&s->creds, o->credentials);
    if (!rc && (o->tls_cert || o->tls_key))
        rc = pinetl__serve_tls_open(&s->tls, o->tls_cert, o->tls_key);
    pinetl__serve_metrics_init(&s->metrics);
    if (!rc)
        rc = pinetl__serve_catalog_load(&s->cat, o->config, o->prefix);
    if (rc) {
        destroy(s);
        return rc;
    }
    s->cat.metrics = &s->metrics;
    if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
        destroy(s);
        return pinetl__error_set(PINETL_ERROR, "cannot start a thread");
    }
    s->reaper_started = 1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0) | (s->tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem pool[] = {
        {o->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, o->threads, NULL},
        {s->tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, 0,
         s->tls ? pinetl__serve_tls_callback() : NULL},
        {MHD_OPTION_END, 0, NULL}};
    if (o->threads <= 1) /* the array ends at its first MHD_OPTION_END */
        pool[0] = pool[1], pool[1] = pool[2];
    s->d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
        2 * o->max_connections + 2, MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
    if (!s->d) {
        destroy(s);
        return pinetl__error_set(PINETL_EIO,
                                 "cannot listen on %s port %u (in use, or not an "
                                 "address of this machine)",
                                 o->listen_host, o->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : o->port;
    /* Listening already: while the landing is recovered, /healthz, /readyz (503) and /metrics
     * answer, every other request gets 503 (not ready). */
    rc = open_stores(s);
    if (!rc && o->upload) {
        s->metrics.upload = 1;
        rc = pinetl__serve_uploader_start(&s->uploader, &s->cat, s->landing, o->upload, &s->metrics,
                                          o->log);
    }
    if (!rc) {
        rc = pinetl__serve_committer_start(&s->committer, &s->cat, o->fsync, o->log);
        if (rc) { /* the message is the committer's */
            char keep[600];
            snprintf(keep, sizeof keep, "%s", pinetl_error_last());
            pinetl__serve_uploader_stop(s->uploader, 0);
            pinetl__error_set(rc, "%s", keep);
        }
    }
    if (rc) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", pinetl_error_last());
        MHD_stop_daemon(s->d);
        destroy(s); /* closes what was opened */
        return pinetl__error_set(rc, "%s", msg);
    }
    atomic_store(&s->ready, 1);
    *out = s;
    return PINETL_OK;
}

int pinetl_serve_reload(pinetl_serve *s) {
    if (!s || (!s->tls && !s->creds))
        return pinetl__error_set(PINETL_EINVAL, "the server has no TLS and no credentials");
    int rc = s->tls ? pinetl__serve_tls_reload(s->tls) : PINETL_OK;
    char first[512] = "";
    if (rc)
        snprintf(first, sizeof first, "%s", pinetl_error_last());
    int rc2 = s->creds ? pinetl__serve_credentials_reload(s->creds) : PINETL_OK;
    if (rc && rc2)
        return pinetl__error_set(rc, "%s; %s", first, pinetl_error_last());
    return rc ? pinetl__error_set(rc, "%s", first) : rc2;
}

int pinetl_serve_stop(pinetl_serve *s) {
    if (!s)
        return PINETL_OK;
    /* New requests are refused (503, connection closed) while those already started finish
     * (bounded by the body timeout). Not MHD_quiesce_daemon: on an epoll daemon with a thread
     * pool it races with the workers' own removal of the listening socket from their epoll sets
     * (an open libmicrohttpd defect: neither side holds a lock, the loser's epoll_ctl gets
     * ENOENT and MHD_PANIC aborts the process -- seen here as "Failed to remove listen FD from
     * epoll set" at SIGTERM). */
    atomic_store(&s->stopping, 1);
    atomic_store(&s->ready, 0);
    int64_t deadline = pinetl__serve_now_ms() + s->opt.header_timeout_ms + s->opt.body_timeout_ms;
    while (atomic_load(&s->active) > 0 && pinetl__serve_now_ms() < deadline) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* No connection may be suspended when the daemon stops: the committer resumes them all. */
    while (atomic_load(&s->suspended) > 0) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->d);
    pinetl__serve_committer_stop(s->committer);
    int rc = close_stores(s);
    /* After the close, which rolls the open files: they get their one try too. */
    pinetl__serve_uploader_stop(s->uploader, UPLOAD_STOP_MS);
    destroy(s);
    return rc;
}
