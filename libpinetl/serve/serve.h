/* pinetl serve: a Kafka REST Proxy v2 and Kinesis (API Gateway) endpoint that lands every
 * acknowledged record durably under a landing folder. The server library behind
 * `pinetl serve`; the command line (libpinetl/cli/cmd_serve.c) only parses options and handles
 * signals.
 *
 *   POST /topics/<topic>                       -> <landing>/topics/<topic>/partition=<p>/...json
 *   PUT  /streams/<stream>/record(s)           -> <landing>/streams/<stream>/shardId-000000000000.log
 *   POST /  (X-Amz-Target: Kinesis_20131202.*) Kinesis' own JSON API (the AWS SDKs and CLI) over
 *                                                the same stream logs: puts, iterators, GetRecords
 *
 * A request is answered only after its records are on disk (fdatasync), with one sync per group
 * of concurrent requests (group commit). */
#ifndef PINETL_SERVE_H
#define PINETL_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct pinetl_serve pinetl_serve;

/* Versioned options (see pinetl.h): init with the version the caller was written for. */
enum { PINETL_SERVE_OPTIONS_VERSION = 1 };

typedef struct pinetl_serve_options {
    unsigned version;           /* set by pinetl_serve_options_init */
    const char *listen_host;    /* numeric IPv4 or IPv6 address; default "127.0.0.1" */
    unsigned port;              /* 0: a free port */
    const char *landing;        /* landing folder (required) */
    const char *prefix;         /* default topics <prefix>.pin|geo|user, streams
                                  * streaming-<prefix>-pin|geo|user */
    const char *config;         /* JSON file naming topics and streams instead (NULL: defaults) */
    size_t max_body;            /* bytes of one request body */
    size_t max_memory;          /* bytes of request bodies held at once, all connections */
    unsigned max_connections;   /* more get 503 (and beyond twice as many, a closed socket) */
    unsigned header_timeout_ms; /* whole request head must arrive within this */
    unsigned body_timeout_ms;   /* whole body must arrive within this after the head */
    unsigned idle_timeout_s;    /* a connection silent this long is closed */
    unsigned threads;           /* HTTP worker threads (default: one per core, at most 16) */
    uint64_t flush_size;        /* records per landed file (flush.size) */
    int64_t rotate_ms;          /* a landed file is rolled when its first record is this old */
    int fsync;                  /* 1: acknowledge only after fdatasync (default) */
    FILE *log;                  /* notices (recovery, refusals); NULL: none */
    /* Security (docs/security.md). A non-loopback listen_host needs all three of TLS and
     * credentials, or insecure_no_tls_no_auth. */
    const char *tls_cert;            /* PEM certificate chain (with tls_key): HTTPS */
    const char *tls_key;             /* PEM private key */
    const char *credentials;         /* credentials file (JSON); NULL: no authentication */
    int insecure_no_tls_no_auth;     /* serve a non-loopback address without them (warns) */
    const char *test_public_address; /* tests only: this loopback address counts as public */
    int access_log_fd; /* one JSON line per request written here; -1 (default): none */
    /* s3://bucket/prefix: every rolled topic file is also uploaded to
     * prefix/topics/<topic>/partition=<p>/<name> (docs/s3.md); NULL: none. */
    const char *upload;
} pinetl_serve_options;

int pinetl_serve_options_init(pinetl_serve_options *o, unsigned version);

/* Recovers the landing folder, starts listening and serving in background threads. o must be
 * set up by pinetl_serve_options_init (PINETL_EINVAL otherwise). */
int pinetl_serve_start(pinetl_serve **out, const pinetl_serve_options *o);

/* The port actually bound (useful with port 0). */
unsigned pinetl_serve_port(const pinetl_serve *s);

/* Reads the TLS certificate and key files and the credentials file again (SIGHUP): new
 * connections get the new certificate, requests that begin later the new credentials. What
 * fails to load is refused (the error says why) and what was in use stays; the other file is
 * still reloaded. PINETL_EINVAL with neither TLS nor credentials. */
int pinetl_serve_reload(pinetl_serve *s);

/* Graceful stop: stops accepting, lets requests in flight finish (up to the body timeout),
 * syncs, rolls the open landing files, closes. Frees s. Returns the first failure. NULL-safe. */
int pinetl_serve_stop(pinetl_serve *s);

#endif
