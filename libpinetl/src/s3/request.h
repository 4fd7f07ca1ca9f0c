/* One signed S3 request with its retries (request.c), shared by listing, GET and PUT. */
#ifndef PINETL_S3_REQUEST_H
#define PINETL_S3_REQUEST_H

#include <stdint.h>

#include "dl.h"
#include "s3.h"

/* A client makes one request at a time (the reader lists, then fetches its objects one after
 * the other); its curl handle is kept across requests so that connections (and TLS sessions)
 * to the endpoint are reused. */
struct pinetl__s3 {
    pinetl__s3_config cfg;
    const pinetl__curl_api *curl;
    CURL *handle; /* made by the first request */
};

/* Where a successful answer's body goes: 0 to go on; else the transfer stops and the request
 * fails with that code (message set by the sink; no retry). */
typedef int (*pinetl__s3_sink)(void *ud, const char *p, size_t n);

typedef struct pinetl__s3_request {
    const char *method; /* "GET" or "PUT" */
    const char *bucket, *key;
    const char *query; /* encoded, parameters in SigV4 order, or NULL */
    const char *uri;   /* for messages */
    const void *body;  /* PUT */
    size_t body_len;
    pinetl__s3_sink sink; /* the body of a 2xx answer */
    void *sink_ud;
    /* GET: called before each attempt; returns the byte to resume at (a Range request) or 0. */
    uint64_t (*resume_at)(void *ud);
    /* Waits wait_ms unless the consumer goes meanwhile (then 1: give up now); also asked with
     * 0 during transfers, which stop when it says 1. */
    int (*cancelled)(void *ud, long wait_ms);
    long status; /* out: the last answer's HTTP status */
} pinetl__s3_request;

/* Performs req, retrying up to cfg.max_attempts times. */
int pinetl__s3_perform(pinetl__s3 *s, pinetl__s3_request *req);

#endif
