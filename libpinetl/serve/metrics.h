/* Metrics in the Prometheus text exposition format (version 0.0.4): the registry of every metric
 * family pinetl serve and pinetl stream export (the one place that owns their names, help texts,
 * types and labels), the text formatting, and pinetl serve's counters.
 *
 * The counters are C11 atomics updated with relaxed increments: the request path pays one
 * uncontended atomic add per count, never a lock. A request is counted before its reply is sent
 * (a client that has its reply finds it counted). A scrape reads the counters one by one, so a
 * scrape taken while requests run may see one counter a request ahead of another. */
#ifndef PINETL_SERVE_METRICS_H
#define PINETL_SERVE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- the registry ---- */
enum { PINETL__PROM_COUNTER = 1, PINETL__PROM_GAUGE, PINETL__PROM_HISTOGRAM };

typedef struct pinetl__metric_family {
    const char *name;
    int type;
    const char *labels; /* label names, comma-separated ("" for none) */
    const char *help;
} pinetl__metric_family;

enum {
    /* pinetl serve */
    PM_SERVE_REQUESTS = 0,
    PM_SERVE_REJECTED,
    PM_SERVE_RECORDS,
    PM_SERVE_BYTES,
    PM_SERVE_COMMIT_RECORDS,
    PM_SERVE_FSYNC_SECONDS,
    PM_SERVE_CONNECTIONS,
    PM_SERVE_REQUESTS_IN_FLIGHT,
    PM_SERVE_MEMORY_USED,
    PM_SERVE_MEMORY_LIMIT,
    PM_SERVE_READY,
    PM_SERVE_UPLOADS,
    PM_SERVE_UPLOADS_PENDING,
    /* pinetl stream */
    PM_STREAM_RECORDS,
    PM_STREAM_REJECTS,
    PM_STREAM_BATCHES,
    PM_STREAM_SHARDS,
    PM_STREAM_SHARD_RECORDS,
    PM_STREAM_LAG_RECORDS,
    PM_STREAM_LAG_BYTES,
    PM_STREAM_BATCH_LATENCY,
    PM_STREAM_LAST_BATCH_TIME,
    PM_FAMILY_COUNT
};

/* Indexed by the PM_ values. */
extern const pinetl__metric_family pinetl__metric_families[PM_FAMILY_COUNT];

/* ---- formatting ---- */
/* "# HELP" and "# TYPE" lines of a family. */
void pinetl__prom_head(pinetl__buf *b, int family);
/* One sample line: the family's name + suffix ("" or _bucket/_sum/_count), its labels with
 * values[] in the registry's order (escaped: \\, \" and \n), then extra_label="extra_value" if
 * extra_label is not NULL (a histogram's le), then the value. */
void pinetl__prom_sample(pinetl__buf *b, int family, const char *suffix, const char *const *values,
                         const char *extra_label, const char *extra_value, double value);

/* A histogram over integer observations (records, or nanoseconds) with fixed upper bounds;
 * rendered in units of scale (1e9: nanoseconds shown as seconds). */
enum { PINETL__HIST_MAX = 20 };
typedef struct pinetl__histogram {
    const uint64_t *bounds; /* increasing; a last +Inf bucket is implied */
    size_t nbounds;
    double scale;
    _Atomic uint64_t count[PINETL__HIST_MAX + 1];
    _Atomic uint64_t sum;
} pinetl__histogram;

/* bounds must outlive h; nbounds <= PINETL__HIST_MAX. */
void pinetl__histogram_init(pinetl__histogram *h, const uint64_t *bounds, size_t nbounds,
                            double scale);
void pinetl__histogram_observe(pinetl__histogram *h, uint64_t v);
/* _bucket (cumulative, le), _sum and _count lines; _count is the +Inf bucket. */
void pinetl__prom_histogram(pinetl__buf *b, int family, const char *const *values,
                            const pinetl__histogram *h);

/* The buckets pinetl serve and pinetl stream use (counts and seconds in nanoseconds). */
extern const uint64_t pinetl__bounds_records[14];
extern const uint64_t pinetl__bounds_seconds_ns[16];
extern const uint64_t pinetl__bounds_latency_ns[15]; /* arrival to commit: up to an hour */

/* ---- pinetl serve's counters ---- */
/* Routes, as path templates (the label route): what a request asked for, whatever the answer. */
enum {
    PM_ROUTE_NONE = 0, /* no request line (a connection reaped before its head was complete) */
    PM_ROUTE_OTHER,
    PM_ROUTE_ROOT,
    PM_ROUTE_TOPICS,
    PM_ROUTE_TOPIC,
    PM_ROUTE_STREAMS,
    PM_ROUTE_STREAM,
    PM_ROUTE_STREAM_RECORD,
    PM_ROUTE_STREAM_RECORDS,
    PM_ROUTE_METRICS,
    PM_ROUTE_HEALTHZ,
    PM_ROUTE_READYZ,
    PM_ROUTE_COUNT
};
enum {
    PM_METHOD_GET = 0,
    PM_METHOD_HEAD,
    PM_METHOD_POST,
    PM_METHOD_PUT,
    PM_METHOD_OTHER,
    PM_METHOD_COUNT
};
/* Why a request was not accepted (the label reason). 0: derived from the status. */
enum {
    PM_REASON_FROM_STATUS = 0,
    PM_REASON_BAD_REQUEST,  /* 400: malformed body or framing (Kinesis: invalid records) */
    PM_REASON_INVALID,      /* 422: well-formed JSON, not valid records (Kafka REST) */
    PM_REASON_UNAUTHORIZED, /* 401 */
    PM_REASON_FORBIDDEN,    /* 403 */
    PM_REASON_NOT_FOUND,    /* 404 */
    PM_REASON_METHOD,       /* 405 */
    PM_REASON_HEAD_TIMEOUT, /* 408: the request head was too slow */
    PM_REASON_BODY_TIMEOUT, /* 408: the body was too slow */
    PM_REASON_TOO_LARGE,    /* 413 */
    PM_REASON_MEDIA_TYPE,   /* 415 */
    PM_REASON_CONNECTIONS,  /* 503: --max-connections */
    PM_REASON_MEMORY,       /* 503: --max-memory */
    PM_REASON_NOT_READY,    /* 503: recovery of the landing not finished */
    PM_REASON_SERVER_ERROR, /* 500: records not written or synced, or out of memory */
    PM_REASON_OTHER,
    PM_REASON_COUNT
};
enum { PM_STATUS_COUNT = 14 }; /* the statuses counted one by one, and "other" */

typedef struct pinetl__serve_metrics {
    _Atomic uint64_t requests[PM_ROUTE_COUNT][PM_METHOD_COUNT][PM_STATUS_COUNT];
    _Atomic uint64_t rejected[PM_REASON_COUNT];
    pinetl__histogram commit_records, fsync_seconds;
    int upload;                       /* --upload given: the upload families are exported */
    _Atomic uint64_t uploads[2];      /* PUTs of rolled files: [0] succeeded, [1] failed */
    _Atomic uint64_t uploads_pending; /* rolled files not uploaded yet, as of the last scan */
} pinetl__serve_metrics;

void pinetl__serve_metrics_init(pinetl__serve_metrics *m);
/* The route template a URL asks for (/topics/{topic}, ...). */
int pinetl__metrics_route(const char *url);
int pinetl__metrics_method(const char *method);
const char *pinetl__metrics_route_name(int route);
/* The label value of a refusal's reason (reason, or what status says). */
const char *pinetl__metrics_reason_name(unsigned status, int reason);
/* Counts one answered request; a status >= 400 also counts as rejected, for reason (or the
 * reason its status says when reason is PM_REASON_FROM_STATUS). */
void pinetl__serve_metrics_request(pinetl__serve_metrics *m, int route, int method, unsigned status,
                                   int reason);

/* The values a scrape reads from the server itself. */
typedef struct pinetl__serve_gauges {
    uint64_t connections, in_flight, memory_used, memory_limit;
    int ready;
} pinetl__serve_gauges;

struct serve_catalog;
/* The whole exposition: every family, its HELP and TYPE, then its samples. */
void pinetl__serve_metrics_render(pinetl__buf *b, const pinetl__serve_metrics *m,
                                  const struct serve_catalog *cat, const pinetl__serve_gauges *g);
const char *pinetl__prom_content_type(void);

/* The reply to GET (or HEAD) /metrics (the exposition), /healthz (200: the process serves) or
 * /readyz (200 once ready, else 503). route is one of those three. */
struct serve_reply;
void pinetl__serve_ops_reply(struct serve_reply *r, int route, const pinetl__serve_metrics *m,
                             const struct serve_catalog *cat, const pinetl__serve_gauges *g);

#endif
