/* pinetl serve: the Kafka REST Proxy v2 and Kinesis endpoint (libpinetl/serve). This file parses
 * options and waits for SIGINT/SIGTERM; the server runs in its own threads. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "commands.h"
#include "serve/serve.h"

static void serve_usage(FILE *out) {
    fprintf(out,
            "usage: pinetl serve --landing DIR [OPTIONS]\n"
            "\n"
            "Serves the Kafka REST Proxy v2 (GET /topics, GET|POST /topics/T) and Kinesis through\n"
            "API Gateway (GET /streams, GET /streams/S, PUT /streams/S/record, PUT\n"
            "/streams/S/records), and lands every acknowledged record under DIR: topics in the\n"
            "Kafka Connect S3 sink layout (DIR/topics/T/partition=P/T+P+OFFSET.json), streams in\n"
            "append-only logs (DIR/streams/S/shardId-000000000000.log). A request is answered only\n"
            "once its records are on disk. The first line on stdout says where it listens.\n"
            "SIGINT or SIGTERM stops it cleanly.\n"
            "\n"
            "options:\n"
            "  --listen ADDR:PORT      numeric address and port (default 127.0.0.1:8082; port 0\n"
            "                          picks a free one; IPv6 as [::1]:PORT)\n"
            "  --landing DIR           landing folder (required)\n"
            "  --prefix P              topics P.pin, P.geo, P.user and streams streaming-P-pin,\n"
            "                          -geo, -user (default pinetl)\n"
            "  --config FILE           topics and streams from JSON instead:\n"
            "                          {\"topics\":[\"a\",{\"name\":\"b\",\"partitions\":2}],\"streams\":[\"s\"]}\n"
            "  --flush-size N          records per landed file (flush.size; default 1000)\n"
            "  --rotate-interval-ms MS roll a landed file when its first record is MS old\n"
            "                          (default 60000; 0: only by size)\n"
            "  --max-body BYTES        largest request body (default 8388608)\n"
            "  --max-memory BYTES      request bodies held at once (default 268435456)\n"
            "  --max-connections N     more get 503 (default 512)\n"
            "  --header-timeout-ms MS  request head deadline (default 10000)\n"
            "  --body-timeout-ms MS    request body deadline (default 30000)\n"
            "  --idle-timeout S        close connections silent this long (default 5)\n"
            "  --threads N             HTTP threads (default 2)\n"
            "  --no-fsync              acknowledge without fdatasync (not durable; for\n"
            "                          measurements only)\n"
            "  --quiet                 no notices on stderr\n");
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out) {
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* ADDR:PORT, [V6]:PORT or :PORT. host receives the address text. */
static int parse_listen(const char *s, char *host, size_t hlen, unsigned *port) {
    const char *colon;
    const char *h = s;
    size_t n;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        n = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        n = (size_t)(colon - s);
    }
    if (n >= hlen)
        return -1;
    if (n == 0) {
        snprintf(host, hlen, "127.0.0.1");
    } else {
        memcpy(host, h, n);
        host[n] = '\0';
    }
    unsigned long long p;
    if (parse_u64(colon + 1, 65535, &p))
        return -1;
    *port = (unsigned)p;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    pinetl_serve_options o;
    pinetl_serve_options_init(&o);
    o.port = 8082;
    o.log = stderr;
    char host[128] = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long num = 0;
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            serve_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--no-fsync")) {
            o.fsync = 0;
            continue;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o.log = NULL;
            continue;
        } else if (!v || a[0] != '-') {
            fprintf(stderr, "pinetl serve: unknown or incomplete option '%s'\n", a);
            serve_usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--listen"))
            bad = parse_listen(v, host, sizeof host, &o.port);
        else if (!strcmp(a, "--landing"))
            o.landing = v;
        else if (!strcmp(a, "--prefix"))
            o.prefix = v;
        else if (!strcmp(a, "--config"))
            o.config = v;
        else if (!strcmp(a, "--flush-size") && !(bad = parse_u64(v, UINT64_MAX, &num) || !num))
            o.flush_size = num;
        else if (!strcmp(a, "--rotate-interval-ms") && !(bad = parse_u64(v, INT64_MAX, &num)))
            o.rotate_ms = (int64_t)num;
        else if (!strcmp(a, "--max-body") && !(bad = parse_u64(v, SIZE_MAX / 4, &num) || !num))
            o.max_body = (size_t)num;
        else if (!strcmp(a, "--max-memory") && !(bad = parse_u64(v, SIZE_MAX / 4, &num)))
            o.max_memory = (size_t)num;
        else if (!strcmp(a, "--max-connections") && !(bad = parse_u64(v, 100000, &num) || !num))
            o.max_connections = (unsigned)num;
        else if (!strcmp(a, "--header-timeout-ms") && !(bad = parse_u64(v, 3600000, &num) || !num))
            o.header_timeout_ms = (unsigned)num;
        else if (!strcmp(a, "--body-timeout-ms") && !(bad = parse_u64(v, 3600000, &num) || !num))
            o.body_timeout_ms = (unsigned)num;
        else if (!strcmp(a, "--idle-timeout") && !(bad = parse_u64(v, 86400, &num) || !num))
            o.idle_timeout_s = (unsigned)num;
        else if (!strcmp(a, "--threads") && !(bad = parse_u64(v, 64, &num) || !num))
            o.threads = (unsigned)num;
        else if (!bad) {
            fprintf(stderr, "pinetl serve: unknown option '%s'\n", a);
            serve_usage(stderr);
            return 2;
        }
        if (bad) {
            fprintf(stderr, "pinetl serve: bad value '%s' for %s\n", v, a);
            return 2;
        }
    }
    o.listen_host = host;
    if (!o.landing) {
        fprintf(stderr, "pinetl serve: --landing is required\n");
        serve_usage(stderr);
        return 2;
    }
    /* Signals are taken by this thread alone (sigwait); the server's threads inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pinetl_serve *srv;
    if (pinetl_serve_start(&srv, &o) != PINETL_OK) {
        fprintf(stderr, "pinetl serve: %s\n", pinetl_error_last());
        return 2;
    }
    int v6 = strchr(host, ':') != NULL;
    printf("pinetl serve: listening on http://%s%s%s:%u\n", v6 ? "[" : "", host, v6 ? "]" : "",
           pinetl_serve_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    if (o.log)
        fprintf(o.log, "pinetl serve: %s: finishing requests in flight, then stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (pinetl_serve_stop(srv) != PINETL_OK) {
        fprintf(stderr, "pinetl serve: %s\n", pinetl_error_last());
        return 1;
    }
    if (o.log)
        fprintf(o.log, "pinetl serve: stopped\n");
    return 0;
}
