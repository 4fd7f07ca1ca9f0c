/* The metrics registry and the Prometheus text format (libpinetl/serve/metrics.c), and the
 * access log's line (access_log.c), without a server: names and labels a Prometheus server
 * accepts, escaping, cumulative histograms, route templates, refusals by reason. The end-to-end
 * checks (a real server, prometheus_client's parser) are tests/serve/test_serve_metrics.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "check.h"
#include "serve/access_log.h"
#include "serve/serve_internal.h"
#include "util/buf.h"

static int name_ok(const char *s, size_t n, int colon) {
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

static void test_registry_names_types_and_labels_are_valid(void) {
    for (int i = 0; i < PM_FAMILY_COUNT; i++) {
        const pinetl__metric_family *f = &pinetl__metric_families[i];
        CHECK(f->name && name_ok(f->name, strlen(f->name), 1));
        CHECK(!strncmp(f->name, "pinetl_serve_", 13) || !strncmp(f->name, "pinetl_stream_", 14));
        CHECK(f->type >= PINETL__PROM_COUNTER && f->type <= PINETL__PROM_HISTOGRAM);
        /* Counters end in _total; nothing else does (Prometheus' naming rules). */
        CHECK((f->type == PINETL__PROM_COUNTER) == ends_with(f->name, "_total"));
        CHECK(f->help && *f->help && !strchr(f->help, '\n'));
        for (const char *l = f->labels; *l;) {
            size_t n = strcspn(l, ",");
            CHECK(name_ok(l, n, 0) && strncmp(l, "__", 2) != 0);
            CHECK(!(n == 2 && !strncmp(l, "le", 2))); /* le is the histograms' */
            l += n + (l[n] == ',');
        }
        for (int j = 0; j < i; j++) /* one owner per name */
            CHECK(strcmp(f->name, pinetl__metric_families[j].name) != 0);
    }
}

static void test_sample_escapes_label_values(void) {
    pinetl__buf b = {0};
    const char *v[2] = {"a\"b\\c\nd", "shardId-000000000000"};
    pinetl__prom_sample(&b, PM_STREAM_LAG_BYTES, "", v, NULL, NULL, 42);
    pinetl__prom_sample(&b, PM_STREAM_SHARDS, "", NULL, NULL, NULL, 0.25);
    CHECK(!b.failed);
    CHECK_STR(b.p, "pinetl_stream_shard_lag_bytes{stream=\"a\\\"b\\\\c\\nd\","
                   "shard=\"shardId-000000000000\"} 42\n"
                   "pinetl_stream_shards 0.25\n");
    pinetl__buf_free(&b);
}

static void test_head_has_help_and_type(void) {
    pinetl__buf b = {0};
    pinetl__prom_head(&b, PM_SERVE_COMMIT_RECORDS);
    CHECK_STR(b.p, "# HELP pinetl_serve_group_commit_records Records per group commit (one "
                   "append and sync round).\n"
                   "# TYPE pinetl_serve_group_commit_records histogram\n");
    pinetl__buf_free(&b);
}

static void test_histogram_buckets_are_cumulative(void) {
    static const uint64_t bounds[] = {1000, 5000, 10000};
    pinetl__histogram h;
    pinetl__histogram_init(&h, bounds, 3, 1000.0); /* observed in ms, shown in seconds */
    const uint64_t obs[] = {0, 1000, 2000, 5000, 11000};
    for (size_t i = 0; i < 5; i++)
        pinetl__histogram_observe(&h, obs[i]);
    pinetl__buf b = {0};
    pinetl__prom_histogram(&b, PM_SERVE_FSYNC_SECONDS, NULL, &h);
    CHECK_STR(b.p, "pinetl_serve_fdatasync_seconds_bucket{le=\"1\"} 2\n"
                   "pinetl_serve_fdatasync_seconds_bucket{le=\"5\"} 4\n"
                   "pinetl_serve_fdatasync_seconds_bucket{le=\"10\"} 4\n"
                   "pinetl_serve_fdatasync_seconds_bucket{le=\"+Inf\"} 5\n"
                   "pinetl_serve_fdatasync_seconds_sum 19\n"
                   "pinetl_serve_fdatasync_seconds_count 5\n");
    pinetl__buf_free(&b);
}

static void test_route_templates(void) {
    static const struct {
        const char *url;
        int route;
    } cases[] = {
        {"/", PM_ROUTE_ROOT},
        {"/topics", PM_ROUTE_TOPICS},
        {"/topics/t.pin", PM_ROUTE_TOPIC},
        {"/topics/t.pin/partitions", PM_ROUTE_OTHER},
        {"/streams", PM_ROUTE_STREAMS},
        {"/streams/s", PM_ROUTE_STREAM},
        {"/streams/s/record", PM_ROUTE_STREAM_RECORD},
        {"/streams/s/records", PM_ROUTE_STREAM_RECORDS},
        {"/streams/s/other", PM_ROUTE_OTHER},
        {"/metrics", PM_ROUTE_METRICS},
        {"/healthz", PM_ROUTE_HEALTHZ},
        {"/readyz", PM_ROUTE_READYZ},
        {"/readyz/x", PM_ROUTE_OTHER},
        {"//topics", PM_ROUTE_OTHER},
        {"/topics/", PM_ROUTE_OTHER},
        {"/a/b/c/d", PM_ROUTE_OTHER},
        {"topics", PM_ROUTE_OTHER},
        {"/metricsx", PM_ROUTE_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(pinetl__metrics_route(cases[i].url), cases[i].route);
    CHECK_STR(pinetl__metrics_route_name(PM_ROUTE_TOPIC), "/topics/{topic}");
    CHECK_INT(pinetl__metrics_method("PUT"), PM_METHOD_PUT);
    CHECK_INT(pinetl__metrics_method("DELETE"), PM_METHOD_OTHER);
}

static void test_requests_and_refusals_by_reason(void) {
    pinetl__serve_metrics *m = malloc(sizeof *m);
    CHECK(m != NULL);
    if (!m)
        return;
    pinetl__serve_metrics_init(m);
    pinetl__serve_metrics_request(m, PM_ROUTE_TOPIC, PM_METHOD_POST, 200, 0);
    pinetl__serve_metrics_request(m, PM_ROUTE_TOPIC, PM_METHOD_POST, 200, 0);
    pinetl__serve_metrics_request(m, PM_ROUTE_TOPIC, PM_METHOD_POST, 422, 0);
    pinetl__serve_metrics_request(m, PM_ROUTE_STREAM_RECORDS, PM_METHOD_PUT, 503, PM_REASON_MEMORY);
    pinetl__serve_metrics_request(m, PM_ROUTE_NONE, PM_METHOD_OTHER, 408, PM_REASON_HEAD_TIMEOUT);
    pinetl__serve_metrics_request(m, PM_ROUTE_OTHER, PM_METHOD_GET, 418, 0); /* unlisted status */
    CHECK_STR(pinetl__metrics_reason_name(408, 0), "body_timeout");
    CHECK_STR(pinetl__metrics_reason_name(503, PM_REASON_NOT_READY), "not_ready");
    serve_catalog cat;
    memset(&cat, 0, sizeof cat);
    pinetl__serve_gauges g = {3, 2, 1024, 4096, 1};
    pinetl__buf b = {0};
    pinetl__serve_metrics_render(&b, m, &cat, &g);
    CHECK(!b.failed);
    const char *want[] = {
        "pinetl_serve_requests_total{route=\"/topics/{topic}\",method=\"POST\",status=\"200\"} 2\n",
        "pinetl_serve_requests_total{route=\"/topics/{topic}\",method=\"POST\",status=\"422\"} 1\n",
        "pinetl_serve_requests_total{route=\"/streams/{stream}/records\",method=\"PUT\","
        "status=\"503\"} 1\n",
        "pinetl_serve_requests_total{route=\"none\",method=\"other\",status=\"408\"} 1\n",
        "pinetl_serve_requests_total{route=\"other\",method=\"GET\",status=\"other\"} 1\n",
        "pinetl_serve_rejected_requests_total{reason=\"invalid_records\"} 1\n",
        "pinetl_serve_rejected_requests_total{reason=\"memory_budget\"} 1\n",
        "pinetl_serve_rejected_requests_total{reason=\"head_timeout\"} 1\n",
        "pinetl_serve_rejected_requests_total{reason=\"other\"} 1\n",
        "pinetl_serve_rejected_requests_total{reason=\"not_ready\"} 0\n",
        "pinetl_serve_open_connections 3\n",
        "pinetl_serve_requests_in_flight 2\n",
        "pinetl_serve_memory_budget_used_bytes 1024\n",
        "pinetl_serve_memory_budget_limit_bytes 4096\n",
        "pinetl_serve_ready 1\n",
        "pinetl_serve_group_commit_records_count 0\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!b.p || !strstr(b.p, want[i])) {
            fprintf(stderr, "missing: %s", want[i]);
            CHECK(0);
        }
    /* Every pinetl serve family once, with its HELP and TYPE. */
    for (int i = PM_SERVE_REQUESTS; i <= PM_SERVE_READY; i++) {
        char line[256];
        snprintf(line, sizeof line, "# TYPE %s ", pinetl__metric_families[i].name);
        const char *at = b.p ? strstr(b.p, line) : NULL;
        CHECK(at && !strstr(at + 1, line));
    }
    pinetl__buf_free(&b);
    free(m);
}

static void test_access_log_line(void) {
    pinetl__access_entry e = {
        .start_us = 1796677802123456, /* 2026-12-07T21:10:02.123Z */
        .remote = "127.0.0.1:5000",
        .method = "PO\"ST\n",
        .route = "/topics/{topic}",
        .target = "t.pin",
        .status = 415,
        .reason = "unsupported_media_type",
        .bytes_in = 12,
        .bytes_out = 140,
        .records = 0,
        .duration_us = 1500,
    };
    char line[8200];
    size_t n = pinetl__access_log_format(line, sizeof line, &e);
    CHECK_STR(line, "{\"time\":\"2026-12-07T21:10:02.123Z\",\"remote\":\"127.0.0.1:5000\","
                    "\"method\":\"PO\\\"ST\\n\",\"route\":\"/topics/{topic}\",\"target\":\"t.pin\","
                    "\"status\":415,\"bytes_in\":12,\"bytes_out\":140,\"records\":0,"
                    "\"duration_ms\":1.500,\"reason\":\"unsupported_media_type\"}\n");
    CHECK_INT(n, strlen(line));
    /* The longest texts still fit: each is cut at 256 bytes, escaped at most 6 bytes a byte. */
    char big[2000];
    memset(big, 1, sizeof big - 1);
    big[sizeof big - 1] = '\0';
    e.remote = e.method = e.route = e.target = e.reason = big;
    n = pinetl__access_log_format(line, sizeof line, &e);
    CHECK(n > 5 * 256 * 6 && line[n - 1] == '\n');
    char small[16];
    CHECK_INT(pinetl__access_log_format(small, sizeof small, &e), 0); /* too small: nothing */
    struct sockaddr_in6 v6;
    memset(&v6, 0, sizeof v6);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(8082);
    inet_pton(AF_INET6, "::1", &v6.sin6_addr);
    char peer[64];
    pinetl__access_log_peer(peer, sizeof peer, (struct sockaddr *)&v6);
    CHECK_STR(peer, "[::1]:8082");
    pinetl__access_log_peer(peer, sizeof peer, NULL);
    CHECK_STR(peer, "");
}

int main(void) {
    RUN(test_registry_names_types_and_labels_are_valid);
    RUN(test_sample_escapes_label_values);
    RUN(test_head_has_help_and_type);
    RUN(test_histogram_buckets_are_cumulative);
    RUN(test_route_templates);
    RUN(test_requests_and_refusals_by_reason);
    RUN(test_access_log_line);
    return check_done();
}
