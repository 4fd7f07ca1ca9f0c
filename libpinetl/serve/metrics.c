/* The metric families of pinetl serve and pinetl stream, their Prometheus text format, and
 * pinetl serve's counters (metrics.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "serve_internal.h"

const pinetl__metric_family pinetl__metric_families[PM_FAMILY_COUNT] = {
    [PM_SERVE_REQUESTS] = {"pinetl_serve_requests_total", PINETL__PROM_COUNTER,
                           "route,method,status",
                           "HTTP requests answered, by route template, method and status."},
    [PM_SERVE_REJECTED] = {"pinetl_serve_rejected_requests_total", PINETL__PROM_COUNTER, "reason",
                           "Requests answered with a status of 400 or more, by reason."},
    [PM_SERVE_RECORDS] = {"pinetl_serve_acknowledged_records_total", PINETL__PROM_COUNTER,
                          "kind,name",
                          "Records acknowledged (durable on disk) per topic or stream."},
    [PM_SERVE_BYTES] = {"pinetl_serve_acknowledged_bytes_total", PINETL__PROM_COUNTER, "kind,name",
                        "Bytes of acknowledged records per topic (each record's value as landed, "
                        "without its newline) or stream (each record's data)."},
    [PM_SERVE_COMMIT_RECORDS] = {"pinetl_serve_group_commit_records", PINETL__PROM_HISTOGRAM, "",
                                 "Records per group commit (one append and sync round)."},
    [PM_SERVE_FSYNC_SECONDS] = {"pinetl_serve_fdatasync_seconds", PINETL__PROM_HISTOGRAM, "",
                                "Duration of each fdatasync of a landing file or stream log."},
    [PM_SERVE_CONNECTIONS] = {"pinetl_serve_open_connections", PINETL__PROM_GAUGE, "",
                              "Open client connections."},
    [PM_SERVE_REQUESTS_IN_FLIGHT] = {"pinetl_serve_requests_in_flight", PINETL__PROM_GAUGE, "",
                                     "Requests between their head and their reply."},
    [PM_SERVE_MEMORY_USED] = {"pinetl_serve_memory_budget_used_bytes", PINETL__PROM_GAUGE, "",
                              "Bytes of request bodies, parsed records and replies held now "
                              "(the --max-memory accounting)."},
    [PM_SERVE_MEMORY_LIMIT] = {"pinetl_serve_memory_budget_limit_bytes", PINETL__PROM_GAUGE, "",
                               "The memory budget (--max-memory)."},
    [PM_SERVE_READY] = {"pinetl_serve_ready", PINETL__PROM_GAUGE, "",
                        "1 once recovery of the landing is done and writes are accepted."},
    [PM_SERVE_UPLOADS] = {"pinetl_serve_uploads_total", PINETL__PROM_COUNTER, "result",
                          "PUTs of rolled topic files to the --upload bucket (ok or error)."},
    [PM_SERVE_UPLOADS_PENDING] = {"pinetl_serve_uploads_pending", PINETL__PROM_GAUGE, "",
                                  "Rolled topic files not uploaded yet (as of the last scan)."},
    [PM_STREAM_RECORDS] = {"pinetl_stream_records_committed_total", PINETL__PROM_COUNTER, "",
                           "Records committed to the warehouse (rows and rejects) by this run."},
    [PM_STREAM_REJECTS] = {"pinetl_stream_rejects_committed_total", PINETL__PROM_COUNTER, "",
                           "Of the records committed, those that went to rejects."},
    [PM_STREAM_BATCHES] = {"pinetl_stream_batches_total", PINETL__PROM_COUNTER, "",
                           "Micro-batches committed by this run."},
    [PM_STREAM_SHARDS] = {"pinetl_stream_shards", PINETL__PROM_GAUGE, "", "Shard logs being read."},
    [PM_STREAM_SHARD_RECORDS] = {"pinetl_stream_shard_records_committed_total",
                                 PINETL__PROM_COUNTER, "stream,shard",
                                 "Records of the shard's log committed by this run (damaged "
                                 "ranges' rejects not counted)."},
    [PM_STREAM_LAG_RECORDS] = {"pinetl_stream_shard_lag_records", PINETL__PROM_GAUGE,
                               "stream,shard",
                               "Records read from the shard's log but not committed yet."},
    [PM_STREAM_LAG_BYTES] = {"pinetl_stream_shard_lag_bytes", PINETL__PROM_GAUGE, "stream,shard",
                             "Bytes of the shard's log after its committed position."},
    [PM_STREAM_BATCH_LATENCY] = {"pinetl_stream_commit_latency_seconds", PINETL__PROM_HISTOGRAM, "",
                                 "Per micro-batch: its commit time minus the arrival time of "
                                 "its newest record."},
    [PM_STREAM_LAST_BATCH_TIME] = {"pinetl_stream_last_commit_timestamp_seconds",
                                   PINETL__PROM_GAUGE, "",
                                   "When the last micro-batch was committed (Unix time)."},
};

const uint64_t pinetl__bounds_records[14] = {1,   2,   5,    10,   20,   50,    100,
                                             200, 500, 1000, 2000, 5000, 10000, 50000};
const uint64_t pinetl__bounds_seconds_ns[16] = {
    50000,    100000,   250000,    500000,    1000000,   2500000,    5000000,    10000000,
    25000000, 50000000, 100000000, 250000000, 500000000, 1000000000, 2500000000, 10000000000};

const uint64_t pinetl__bounds_latency_ns[15] = {
    10000000ull,    50000000ull,     100000000ull,    250000000ull,     500000000ull,
    1000000000ull,  2500000000ull,   5000000000ull,   10000000000ull,   30000000000ull,
    60000000000ull, 300000000000ull, 900000000000ull, 1800000000000ull, 3600000000000ull};

const char *pinetl__prom_content_type(void) { return "text/plain; version=0.0.4; charset=utf-8"; }

/* HELP text: backslash and newline escaped. Label values: also the double quote. */
static void escaped(pinetl__buf *b, const char *s, int quote) {
    for (; *s; s++) {
        if (*s == '\\')
            pinetl__buf_puts(b, "\\\\");
        else if (*s == '\n')
            pinetl__buf_puts(b, "\\n");
        else if (*s == '"' && quote)
            pinetl__buf_puts(b, "\\\"");
        else
            pinetl__buf_append(b, s, 1);
    }
}

void pinetl__prom_head(pinetl__buf *b, int family) {
    static const char *const types[] = {"", "counter", "gauge", "histogram"};
    const pinetl__metric_family *f = &pinetl__metric_families[family];
    pinetl__buf_printf(b, "# HELP %s ", f->name);
    escaped(b, f->help, 0);
    pinetl__buf_printf(b, "\n# TYPE %s %s\n", f->name, types[f->type]);
}

static void number(pinetl__buf *b, double v) {
    if (isinf(v))
        pinetl__buf_puts(b, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 1e15)
        pinetl__buf_printf(b, "%.0f", v);
    else if (fabs(v) >= 1e6) /* timestamps: microseconds kept */
        pinetl__buf_printf(b, "%.6f", v);
    else
        pinetl__buf_printf(b, "%.9g", v);
}

void pinetl__prom_sample(pinetl__buf *b, int family, const char *suffix, const char *const *values,
                         const char *extra_label, const char *extra_value, double value) {
    const pinetl__metric_family *f = &pinetl__metric_families[family];
    pinetl__buf_puts(b, f->name);
    pinetl__buf_puts(b, suffix);
    char sep = '{';
    for (const char *l = f->labels; *l; l += strcspn(l, ","), l += *l == ',') {
        pinetl__buf_printf(b, "%c%.*s=\"", sep, (int)strcspn(l, ","), l);
        escaped(b, *values++, 1);
        pinetl__buf_puts(b, "\"");
        sep = ',';
    }
    if (extra_label) {
        pinetl__buf_printf(b, "%c%s=\"", sep, extra_label);
        escaped(b, extra_value, 1);
        pinetl__buf_puts(b, "\"");
        sep = ',';
    }
    pinetl__buf_puts(b, sep == ',' ? "} " : " ");
    number(b, value);
    pinetl__buf_puts(b, "\n");
}

void pinetl__histogram_init(pinetl__histogram *h, const uint64_t *bounds, size_t nbounds,
                            double scale) {
    memset(h, 0, sizeof *h);
    h->bounds = bounds;
    h->nbounds = nbounds < PINETL__HIST_MAX ? nbounds : PINETL__HIST_MAX;
    h->scale = scale;
}

void pinetl__histogram_observe(pinetl__histogram *h, uint64_t v) {
    size_t i = 0;
    while (i < h->nbounds && v > h->bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->count[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
}

void pinetl__prom_histogram(pinetl__buf *b, int family, const char *const *values,
                            const pinetl__histogram *h) {
    uint64_t cumulative = 0;
    char le[32];
    for (size_t i = 0; i <= h->nbounds; i++) {
        cumulative += atomic_load_explicit(&h->count[i], memory_order_relaxed);
        if (i < h->nbounds)
            snprintf(le, sizeof le, "%.9g", (double)h->bounds[i] / h->scale);
        else
            snprintf(le, sizeof le, "+Inf");
        pinetl__prom_sample(b, family, "_bucket", values, "le", le, (double)cumulative);
    }
    pinetl__prom_sample(b, family, "_sum", values, NULL, NULL,
                        (double)atomic_load_explicit(&h->sum, memory_order_relaxed) / h->scale);
    pinetl__prom_sample(b, family, "_count", values, NULL, NULL, (double)cumulative);
}

/* ---- pinetl serve ---- */

static const unsigned statuses[PM_STATUS_COUNT - 1] = {200, 400, 401, 403, 404, 405, 408,
                                                       413, 415, 422, 431, 500, 503};
static const char *const methods[PM_METHOD_COUNT] = {"GET", "HEAD", "POST", "PUT", "other"};
static const char *const routes[PM_ROUTE_COUNT] = {
    [PM_ROUTE_NONE] = "none",
    [PM_ROUTE_OTHER] = "other",
    [PM_ROUTE_ROOT] = "/",
    [PM_ROUTE_TOPICS] = "/topics",
    [PM_ROUTE_TOPIC] = "/topics/{topic}",
    [PM_ROUTE_STREAMS] = "/streams",
    [PM_ROUTE_STREAM] = "/streams/{stream}",
    [PM_ROUTE_STREAM_RECORD] = "/streams/{stream}/record",
    [PM_ROUTE_STREAM_RECORDS] = "/streams/{stream}/records",
    [PM_ROUTE_METRICS] = "/metrics",
    [PM_ROUTE_HEALTHZ] = "/healthz",
    [PM_ROUTE_READYZ] = "/readyz",
};
static const char *const reasons[PM_REASON_COUNT] = {
    [PM_REASON_FROM_STATUS] = "other",
    [PM_REASON_BAD_REQUEST] = "bad_request",
    [PM_REASON_INVALID] = "invalid_records",
    [PM_REASON_UNAUTHORIZED] = "unauthorized",
    [PM_REASON_FORBIDDEN] = "forbidden",
    [PM_REASON_NOT_FOUND] = "not_found",
    [PM_REASON_METHOD] = "method_not_allowed",
    [PM_REASON_HEAD_TIMEOUT] = "head_timeout",
    [PM_REASON_BODY_TIMEOUT] = "body_timeout",
    [PM_REASON_TOO_LARGE] = "too_large",
    [PM_REASON_MEDIA_TYPE] = "unsupported_media_type",
    [PM_REASON_CONNECTIONS] = "too_many_connections",
    [PM_REASON_MEMORY] = "memory_budget",
    [PM_REASON_NOT_READY] = "not_ready",
    [PM_REASON_SERVER_ERROR] = "server_error",
    [PM_REASON_OTHER] = "other",
};

void pinetl__serve_metrics_init(pinetl__serve_metrics *m) {
    memset(m, 0, sizeof *m);
    pinetl__histogram_init(&m->commit_records, pinetl__bounds_records, 14, 1.0);
    pinetl__histogram_init(&m->fsync_seconds, pinetl__bounds_seconds_ns, 16, 1e9);
}

const char *pinetl__metrics_route_name(int route) {
    return route >= 0 && route < PM_ROUTE_COUNT ? routes[route] : "other";
}

int pinetl__metrics_route(const char *url) {
    static const struct {
        const char *first, *third; /* third: NULL for none, "" for any name as second */
        int n, route;
    } shapes[] = {
        {"topics", NULL, 1, PM_ROUTE_TOPICS},
        {"topics", NULL, 2, PM_ROUTE_TOPIC},
        {"streams", NULL, 1, PM_ROUTE_STREAMS},
        {"streams", NULL, 2, PM_ROUTE_STREAM},
        {"streams", "record", 3, PM_ROUTE_STREAM_RECORD},
        {"streams", "records", 3, PM_ROUTE_STREAM_RECORDS},
        {"metrics", NULL, 1, PM_ROUTE_METRICS},
        {"healthz", NULL, 1, PM_ROUTE_HEALTHZ},
        {"readyz", NULL, 1, PM_ROUTE_READYZ},
    };
    if (!url || *url != '/')
        return PM_ROUTE_OTHER;
    if (!url[1])
        return PM_ROUTE_ROOT;
    /* Up to three non-empty segments: their starts and lengths. */
    const char *seg[3];
    size_t len[3];
    int n = 0;
    for (const char *p = url + 1;;) {
        size_t k = strcspn(p, "/?");
        if (!k || n == 3)
            return PM_ROUTE_OTHER;
        seg[n] = p;
        len[n++] = k;
        p += k;
        if (!*p || *p == '?')
            break;
        p++;
    }
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (shapes[i].n != n || len[0] != strlen(shapes[i].first) ||
            memcmp(seg[0], shapes[i].first, len[0]) != 0)
            continue;
        if (n == 3 &&
            (len[2] != strlen(shapes[i].third) || memcmp(seg[2], shapes[i].third, len[2]) != 0))
            continue;
        return shapes[i].route;
    }
    return PM_ROUTE_OTHER;
}

int pinetl__metrics_method(const char *method) {
    for (int i = 0; method && i < PM_METHOD_OTHER; i++)
        if (!strcmp(method, methods[i]))
            return i;
    return PM_METHOD_OTHER;
}

static int reason_of(unsigned status) {
    switch (status) {
    case 400: return PM_REASON_BAD_REQUEST;
    case 401: return PM_REASON_UNAUTHORIZED;
    case 403: return PM_REASON_FORBIDDEN;
    case 404: return PM_REASON_NOT_FOUND;
    case 405: return PM_REASON_METHOD;
    case 408: return PM_REASON_BODY_TIMEOUT;
    case 413: return PM_REASON_TOO_LARGE;
    case 415: return PM_REASON_MEDIA_TYPE;
    case 422: return PM_REASON_INVALID;
    case 500: return PM_REASON_SERVER_ERROR;
    default: return PM_REASON_OTHER;
    }
}

const char *pinetl__metrics_reason_name(unsigned status, int reason) {
    if (reason <= PM_REASON_FROM_STATUS || reason >= PM_REASON_COUNT)
        reason = reason_of(status);
    return reasons[reason];
}

void pinetl__serve_metrics_request(pinetl__serve_metrics *m, int route, int method, unsigned status,
                                   int reason) {
    if (!m)
        return;
    size_t si = 0;
    while (si < PM_STATUS_COUNT - 1 && statuses[si] != status)
        si++;
    if (route < 0 || route >= PM_ROUTE_COUNT)
        route = PM_ROUTE_OTHER;
    if (method < 0 || method >= PM_METHOD_COUNT)
        method = PM_METHOD_OTHER;
    atomic_fetch_add_explicit(&m->requests[route][method][si], 1, memory_order_relaxed);
    if (status < 400)
        return;
    if (reason <= PM_REASON_FROM_STATUS || reason >= PM_REASON_COUNT)
        reason = reason_of(status);
    atomic_fetch_add_explicit(&m->rejected[reason], 1, memory_order_relaxed);
}

static void per_store(pinetl__buf *b, int family, const struct serve_catalog *cat, int bytes) {
    pinetl__prom_head(b, family);
    for (size_t i = 0; i < cat->ntopics; i++) {
        const serve_topic *t = &cat->topics[i];
        const char *v[2] = {"topic", t->name};
        pinetl__prom_sample(b, family, "", v, NULL, NULL,
                            (double)atomic_load_explicit(
                                bytes ? &t->acked_bytes : &t->acked_records, memory_order_relaxed));
    }
    for (size_t i = 0; i < cat->nstreams; i++) {
        const serve_stream *s = &cat->streams[i];
        const char *v[2] = {"stream", s->name};
        pinetl__prom_sample(b, family, "", v, NULL, NULL,
                            (double)atomic_load_explicit(
                                bytes ? &s->acked_bytes : &s->acked_records, memory_order_relaxed));
    }
}

static void gauge(pinetl__buf *b, int family, double v) {
    pinetl__prom_head(b, family);
    pinetl__prom_sample(b, family, "", NULL, NULL, NULL, v);
}

void pinetl__serve_metrics_render(pinetl__buf *b, const pinetl__serve_metrics *m,
                                  const struct serve_catalog *cat, const pinetl__serve_gauges *g) {
    /* Requests: only the series seen so far (a counter appears with its first count). */
    pinetl__prom_head(b, PM_SERVE_REQUESTS);
    for (int r = 0; r < PM_ROUTE_COUNT; r++)
        for (int k = 0; k < PM_METHOD_COUNT; k++)
            for (int si = 0; si < PM_STATUS_COUNT; si++) {
                uint64_t n = atomic_load_explicit(&m->requests[r][k][si], memory_order_relaxed);
                if (!n)
                    continue;
                char status[16];
                if (si < PM_STATUS_COUNT - 1)
                    snprintf(status, sizeof status, "%u", statuses[si]);
                else
                    snprintf(status, sizeof status, "other");
                const char *v[3] = {routes[r], methods[k], status};
                pinetl__prom_sample(b, PM_SERVE_REQUESTS, "", v, NULL, NULL, (double)n);
            }
    /* Rejections: every reason, at 0 too, so that rate() works from the first one. */
    pinetl__prom_head(b, PM_SERVE_REJECTED);
    for (int i = PM_REASON_BAD_REQUEST; i < PM_REASON_COUNT; i++) {
        const char *v[1] = {reasons[i]};
        pinetl__prom_sample(b, PM_SERVE_REJECTED, "", v, NULL, NULL,
                            (double)atomic_load_explicit(&m->rejected[i], memory_order_relaxed));
    }
    per_store(b, PM_SERVE_RECORDS, cat, 0);
    per_store(b, PM_SERVE_BYTES, cat, 1);
    pinetl__prom_head(b, PM_SERVE_COMMIT_RECORDS);
    pinetl__prom_histogram(b, PM_SERVE_COMMIT_RECORDS, NULL, &m->commit_records);
    pinetl__prom_head(b, PM_SERVE_FSYNC_SECONDS);
    pinetl__prom_histogram(b, PM_SERVE_FSYNC_SECONDS, NULL, &m->fsync_seconds);
    gauge(b, PM_SERVE_CONNECTIONS, (double)g->connections);
    gauge(b, PM_SERVE_REQUESTS_IN_FLIGHT, (double)g->in_flight);
    gauge(b, PM_SERVE_MEMORY_USED, (double)g->memory_used);
    gauge(b, PM_SERVE_MEMORY_LIMIT, (double)g->memory_limit);
    gauge(b, PM_SERVE_READY, g->ready ? 1 : 0);
    if (m->upload) { /* only with --upload */
        pinetl__prom_head(b, PM_SERVE_UPLOADS);
        static const char *const results[2] = {"ok", "error"};
        for (int i = 0; i < 2; i++)
            pinetl__prom_sample(b, PM_SERVE_UPLOADS, "", &results[i], NULL, NULL,
                                (double)atomic_load_explicit(&m->uploads[i], memory_order_relaxed));
        gauge(b, PM_SERVE_UPLOADS_PENDING, (double)atomic_load(&m->uploads_pending));
    }
}

void pinetl__serve_ops_reply(serve_reply *r, int route, const pinetl__serve_metrics *m,
                             const struct serve_catalog *cat, const pinetl__serve_gauges *g) {
    r->status = 200;
    r->content_type = "text/plain; charset=utf-8";
    if (route == PM_ROUTE_METRICS) {
        r->content_type = pinetl__prom_content_type();
        pinetl__serve_metrics_render(&r->body, m, cat, g);
    } else if (route == PM_ROUTE_HEALTHZ) {
        pinetl__buf_puts(&r->body, "ok\n");
    } else if (g->ready) {
        pinetl__buf_puts(&r->body, "ready\n");
    } else {
        r->status = 503;
        pinetl__buf_puts(&r->body, "not ready: recovering the landing folder\n");
    }
}
