/* pinetl serve: the Kafka REST Proxy v2 and Kinesis endpoint (libpinetl/serve). This file parses
 * options and waits for SIGINT/SIGTERM; the server runs in its own threads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "commands.h"
#include "options.h"
#include "serve/serve.h"

static void serve_usage(FILE *out) {
    fprintf(
        out,
        "usage: pinetl serve --landing DIR [OPTIONS]\n"
        "\n"
        "Serves the Kafka REST Proxy v2 (GET /topics, GET|POST /topics/T) and Kinesis through\n"
        "API Gateway (GET /streams, GET /streams/S, PUT /streams/S/record, PUT\n"
        "/streams/S/records), Kinesis' own API for the AWS SDKs and CLI (POST / with\n"
        "X-Amz-Target: Kinesis_20131202.*), and lands every acknowledged record under DIR:\n"
        "topics in the Kafka Connect S3 sink layout (DIR/topics/T/partition=P/T+P+OFFSET.json),\n"
        "streams in append-only logs (DIR/streams/S/shardId-000000000000.log). A request is\n"
        "answered only once its records are on disk. The first line on stdout says where it\n"
        "listens (once the landing is recovered). GET /metrics (Prometheus text format),\n"
        "/healthz and /readyz (200 once the landing is recovered) are for operators\n"
        "(docs/operating.md).\n"
        "SIGINT or SIGTERM stops it cleanly; SIGHUP reloads the TLS certificate and\n"
        "key and the credentials file.\n"
        "\n"
        "Any address but loopback needs TLS and credentials (docs/security.md).\n"
        "\n"
        "options:\n"
        "  --listen ADDR:PORT      numeric address (or localhost) and port (default\n"
        "                          127.0.0.1:8082; port 0 picks a free one; IPv6 as [::1]:PORT)\n"
        "  --landing DIR           landing folder (required)\n"
        "  --prefix P              topics P.pin, P.geo, P.user and streams streaming-P-pin,\n"
        "                          -geo, -user (default pinetl)\n"
        "  --config FILE           topics and streams from JSON instead:\n"
        "                          {\"topics\":[\"a\",{\"name\":\"b\",\"partitions\":2}],\"streams\":[\"s\"]}\n"
        "  --flush-size N          records per landed file (flush.size; default 1000)\n"
        "  --rotate-interval-ms MS roll a landed file when its first record is MS old\n"
        "                          (default 60000; 0: only by size)\n"
        "  --max-body BYTES        largest request body (default 8388608)\n"
        "  --max-memory BYTES      request bodies, parsed records and replies held at\n"
        "                          once (default 268435456)\n"
        "  --max-connections N     more get 503 (default 512)\n"
        "  --header-timeout-ms MS  request head deadline (default 10000)\n"
        "  --body-timeout-ms MS    request body deadline (default 30000)\n"
        "  --idle-timeout S        close connections silent this long (default 5)\n"
        "  --threads N             HTTP threads (default: one per core, at most 16)\n"
        "  --no-fsync              acknowledge without fdatasync (not durable; for\n"
        "                          measurements only)\n"
        "  --tls-cert FILE         HTTPS with this PEM certificate chain (and --tls-key)\n"
        "  --tls-key FILE          the PEM private key of --tls-cert\n"
        "  --credentials FILE      authenticate every request: API keys (x-api-key),\n"
        "                          Basic users, AWS SigV4 keys, and what each may write\n"
        "                          and read (JSON; must not be group/world readable)\n"
        "  --insecure-no-tls-no-auth\n"
        "                          listen on a non-loopback address without TLS and/or\n"
        "                          credentials (anyone reaching it can read and write)\n"
        "  --access-log FILE|-     one JSON line per request, appended to FILE (- for\n"
        "                          stdout, after the first line); default: none\n"
        "  --upload s3://BUCKET/PREFIX\n"
        "                          also upload each rolled topic file to the bucket\n"
        "                          (PREFIX/topics/...; AWS configuration from the env)\n"
        "  -q, --quiet             no notices on stderr\n"
        "  -h, --help              this help\n");
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
    if (n == 0 || (n == 9 && !strncmp(h, "localhost", 9))) {
        snprintf(host, hlen, "127.0.0.1");
    } else {
        memcpy(host, h, n);
        host[n] = '\0';
    }
    const char *digits = colon + 1;
    char *end;
    errno = 0;
    unsigned long p = strtoul(digits, &end, 10);
    if (!*digits || *digits == '-' || *digits == '+' || errno || *end || p > 65535)
        return -1;
    *port = (unsigned)p;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    pinetl_serve_options o;
    pinetl_serve_options_init(&o, PINETL_SERVE_OPTIONS_VERSION);
    o.port = 8082;
    o.log = stderr;
    char host[128] = "127.0.0.1";
    const char *listen = NULL, *access_log = NULL;
    int no_fsync = 0, quiet = 0, insecure = 0;
    uint64_t max_body = o.max_body, max_memory = o.max_memory, rotate_ms = (uint64_t)o.rotate_ms;
    int max_connections = (int)o.max_connections, header_timeout_ms = (int)o.header_timeout_ms;
    int body_timeout_ms = (int)o.body_timeout_ms, idle_timeout_s = (int)o.idle_timeout_s;
    int threads = (int)o.threads;
    const cli_option options[] = {
        {.name = "listen", .short_name = 0, .kind = CLI_STRING, .target = &listen},
        {.name = "landing",
         .short_name = 0,
         .kind = CLI_STRING,
         .target = &o.landing,
         .required = 1},
        {.name = "prefix", .short_name = 0, .kind = CLI_STRING, .target = &o.prefix},
        {.name = "config", .short_name = 0, .kind = CLI_STRING, .target = &o.config},
        {.name = "flush-size",
         .short_name = 0,
         .kind = CLI_U64,
         .target = &o.flush_size,
         .min = 1,
         .max = LONG_MAX},
        {.name = "rotate-interval-ms",
         .short_name = 0,
         .kind = CLI_U64,
         .target = &rotate_ms,
         .min = 0,
         .max = LONG_MAX},
        {.name = "max-body",
         .short_name = 0,
         .kind = CLI_U64,
         .target = &max_body,
         .min = 1,
         .max = (long)(SIZE_MAX / 4 < LONG_MAX ? SIZE_MAX / 4 : LONG_MAX)},
        {.name = "max-memory",
         .short_name = 0,
         .kind = CLI_U64,
         .target = &max_memory,
         .min = 0,
         .max = (long)(SIZE_MAX / 4 < LONG_MAX ? SIZE_MAX / 4 : LONG_MAX)},
        {.name = "max-connections",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &max_connections,
         .min = 1,
         .max = 100000},
        {.name = "header-timeout-ms",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &header_timeout_ms,
         .min = 1,
         .max = 3600000},
        {.name = "body-timeout-ms",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &body_timeout_ms,
         .min = 1,
         .max = 3600000},
        {.name = "idle-timeout",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &idle_timeout_s,
         .min = 1,
         .max = 86400},
        {.name = "threads",
         .short_name = 0,
         .kind = CLI_NUMBER,
         .target = &threads,
         .min = 1,
         .max = 64},
        {.name = "no-fsync", .short_name = 0, .kind = CLI_FLAG, .target = &no_fsync},
        {.name = "tls-cert", .short_name = 0, .kind = CLI_STRING, .target = &o.tls_cert},
        {.name = "tls-key", .short_name = 0, .kind = CLI_STRING, .target = &o.tls_key},
        {.name = "credentials", .short_name = 0, .kind = CLI_STRING, .target = &o.credentials},
        {.name = "insecure-no-tls-no-auth", .short_name = 0, .kind = CLI_FLAG, .target = &insecure},
        {.name = "access-log", .short_name = 0, .kind = CLI_STRING, .target = &access_log},
        {.name = "upload", .short_name = 0, .kind = CLI_STRING, .target = &o.upload},
        {.name = "quiet", .short_name = 'q', .kind = CLI_FLAG, .target = &quiet},
        {.name = NULL}};
    cli_list rest;
    int status = cli_parse("serve", argc, argv, options, serve_usage, &rest);
    if (status < 0 && rest.n)
        status = cli_usage_error("serve", "unexpected argument '%s'", rest.items[0]);
    if (status < 0 && listen && parse_listen(listen, host, sizeof host, &o.port))
        status = cli_usage_error(
            "serve", "--listen wants ADDR:PORT, [ADDR]:PORT or :PORT, not '%s'", listen);
    if (status < 0 && access_log && strcmp(access_log, "-") != 0 &&
        (o.access_log_fd = open(access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0) {
        fprintf(stderr, "pinetl serve: --access-log %s: %s\n", access_log, strerror(errno));
        status = 2;
    }
    if (status < 0 && access_log && !strcmp(access_log, "-"))
        o.access_log_fd = STDOUT_FILENO;
    cli_free(options, &rest);
    if (status >= 0) {
        if (o.access_log_fd > STDOUT_FILENO)
            close(o.access_log_fd);
        return status;
    }
    o.listen_host = host;
    o.max_body = (size_t)max_body;
    o.max_memory = (size_t)max_memory;
    o.rotate_ms = (int64_t)rotate_ms;
    o.max_connections = (unsigned)max_connections;
    o.header_timeout_ms = (unsigned)header_timeout_ms;
    o.body_timeout_ms = (unsigned)body_timeout_ms;
    o.idle_timeout_s = (unsigned)idle_timeout_s;
    o.threads = (unsigned)threads;
    if (no_fsync)
        o.fsync = 0;
    if (quiet)
        o.log = NULL;
    o.insecure_no_tls_no_auth = insecure;
    /* For tests only (they may listen on loopback alone): this address counts as public. */
    o.test_public_address = getenv("PINETL_SERVE_TEST_PUBLIC_ADDRESS");
    /* Signals are taken by this thread alone (sigwait); the server's threads inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pinetl_serve *srv;
    if (pinetl_serve_start(&srv, &o) != PINETL_OK) {
        fprintf(stderr, "pinetl serve: %s\n", pinetl_error_last());
        if (o.access_log_fd > STDOUT_FILENO)
            close(o.access_log_fd);
        return 2;
    }
    int v6 = strchr(host, ':') != NULL;
    printf("pinetl serve: listening on http%s://%s%s%s:%u\n", o.tls_cert ? "s" : "", v6 ? "[" : "",
           host, v6 ? "]" : "", pinetl_serve_port(srv));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        if (!o.tls_cert && !o.credentials)
            continue;
        if (pinetl_serve_reload(srv) != PINETL_OK)
            fprintf(stderr, "pinetl serve: SIGHUP: %s; what was in use stays\n",
                    pinetl_error_last());
        else if (o.log)
            fprintf(o.log, "pinetl serve: SIGHUP: reloaded%s%s\n",
                    o.tls_cert ? " the TLS certificate and key" : "",
                    o.credentials ? (o.tls_cert ? " and the credentials" : " the credentials")
                                  : "");
    }
    if (o.log)
        fprintf(o.log, "pinetl serve: %s: finishing requests in flight, then stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (pinetl_serve_stop(srv) != PINETL_OK) {
        fprintf(stderr, "pinetl serve: %s\n", pinetl_error_last());
        return 1;
    }
    if (o.access_log_fd > STDOUT_FILENO)
        close(o.access_log_fd);
    if (o.log)
        fprintf(o.log, "pinetl serve: stopped\n");
    return 0;
}
