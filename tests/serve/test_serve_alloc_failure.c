/* Allocation failure on pinetl serve's paths, without a network (pinetl__serve_handle, the seam
 * the HTTP threads use, and pinetl__serve_commit_now, the committer's work in this thread).
 *
 * For N = 1, 2, ... the N-th allocation fails while a path runs from scratch in a fresh landing
 * folder: the catalogue from a config file (and the defaults), the landing writers and stream
 * logs opened, then produce requests in both content types, PutRecord and PutRecords, each
 * routed, parsed, committed to the files and answered, and everything closed. Each request must
 * be answered 200, or refused cleanly: a 500 or 503 reply with a JSON message, or a reply the
 * server could not build (out of memory: the connection is dropped, the client retries). After a
 * refused request the same request, with no failure armed, must succeed on the same open stores;
 * setting up must fail with a negative code and a message. No crash, no leak (LeakSanitizer in
 * the sanitizer build), and a run without a failure gives the same replies. The sweep ends at
 * the first N the path completes before reaching. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_sweep.h"
#include "serve/serve_internal.h"
#include "util/buf.h"

static char config_path[256];

/* Kinesis' own API: X-Amz-Target set. iter: 1 keeps the ShardIterator of the reply, 2 sends it
 * (the body is a format for it); both are digested by status only (an iterator holds its expiry
 * time and the log's random id). */
#define KAPI(op) "Kinesis_20131202." op
#define AMZ "application/x-amz-json-1.1"
static char iterator[1024];

static const struct request {
    const char *method, *url, *content_type, *body;
    size_t records;
    const char *target;
    int iter;
} requests[] = {
    {"POST", "/topics/t.pin", "application/vnd.kafka.json.v2+json",
     "{\"records\":[{\"value\":{\"index\":1,\"title\":\"a\"}},{\"key\":\"k\",\"value\":{\"x\":[1,"
     "2]}},{\"partition\":1,\"value\":\"s\"}]}",
     3, NULL, 0},
    {"POST", "/topics/t.geo", "application/vnd.kafka.binary.v2+json",
     "{\"records\":[{\"value\":\"eyJpbmQiOjF9\"},{\"key\":\"a2V5\",\"value\":\"e30=\"}]}", 2, NULL,
     0},
    {"PUT", "/streams/s-pin/record", "application/json",
     "{\"StreamName\":\"s-pin\",\"Data\":{\"index\":1},\"PartitionKey\":\"p\"}", 1, NULL, 0},
    {"PUT", "/streams/s-pin/records", "application/json",
     "{\"StreamName\":\"s-pin\",\"Records\":[{\"Data\":{\"a\":1},\"PartitionKey\":\"1\"},{"
     "\"Data\":\"aGk=\",\"PartitionKey\":\"2\"}]}",
     2, NULL, 0},
    {"GET", "/topics", NULL, "", 0, NULL, 0},
    {"GET", "/streams/s-pin", NULL, "", 0, NULL, 0},
    {"POST", "/topics/t.pin", "application/vnd.kafka.json.v2+json", "{\"records\":[{\"value\":", 0,
     NULL, 0},
    {"POST", "/", AMZ, "{}", 0, KAPI("ListStreams"), 0},
    {"POST", "/", AMZ, "{\"StreamName\":\"s-geo\"}", 0, KAPI("DescribeStreamSummary"), 0},
    {"POST", "/", AMZ, "{\"StreamName\":\"s-geo\"}", 0, KAPI("ListShards"), 0},
    {"POST", "/", AMZ,
     "{\"StreamName\":\"s-geo\",\"Data\":\"eyJhIjoxfQ==\",\"PartitionKey\":\"p\"}", 1,
     KAPI("PutRecord"), 0},
    {"POST", "/", AMZ,
     "{\"StreamName\":\"s-geo\",\"Records\":[{\"Data\":\"aGk=\",\"PartitionKey\":\"1\"},{"
     "\"Data\":\"\",\"PartitionKey\":\"2\"}]}",
     2, KAPI("PutRecords"), 0},
    {"POST", "/", AMZ,
     "{\"StreamName\":\"s-geo\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
     "\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"2\"}",
     0, KAPI("GetShardIterator"), 1},
    {"POST", "/", AMZ, "{\"ShardIterator\":\"%s\",\"Limit\":5}", 0, KAPI("GetRecords"), 2},
};
enum { NREQ = sizeof requests / sizeof requests[0] };

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

/* One request end to end. 0: answered as without a failure (its reply appended to digest);
 * PINETL_ENOMEM or the commit's code: refused cleanly. Anything else is a CHECK failure. */
static int one_request(serve_catalog *cat, const struct request *q, char *digest, size_t cap) {
    serve_reply reply;
    memset(&reply, 0, sizeof reply);
    serve_job *job = NULL;
    int many = 0, rc = 0;
    char body[2048];
    snprintf(body, sizeof body, q->iter == 2 ? q->body : "%s", q->iter == 2 ? iterator : q->body);
    if (pinetl__serve_handle_target(cat, q->method, q->url, q->content_type, q->target, body,
                                    strlen(body), &job, &many, &reply)) {
        CHECK(job != NULL && job->n == q->records);
        pinetl__serve_commit_now(cat, 0, job);
        if (job->rc)
            rc = job->rc;
        pinetl__serve_job_reply(job, many, &reply);
        pinetl__serve_job_free(job);
    }
    if (reply.body.failed || !reply.body.p) {
        rc = rc ? rc : PINETL_ENOMEM; /* the server drops the connection */
    } else if (reply.status == 500 || reply.status == 503) {
        CHECK(strstr(reply.body.p, "\"message\"") != NULL);
        rc = rc ? rc : PINETL_ENOMEM;
    } else if (many && strstr(reply.body.p, "\"FailedRecordCount\":0,") == NULL) {
        CHECK(strstr(reply.body.p, "InternalFailure") != NULL); /* PutRecords: per record */
        rc = rc ? rc : PINETL_ENOMEM;
    } else {
        CHECK(rc == 0);
        CHECK(reply.status == (q->records || q->target    ? 200u
                               : strcmp(q->method, "GET") ? 400u
                                                          : 200u));
        size_t have = strlen(digest);
        if (q->iter == 1) {
            const char *p = strstr(reply.body.p, "\"ShardIterator\":\"");
            CHECK(p != NULL);
            snprintf(iterator, sizeof iterator, "%.*s", (int)strcspn(p + 17, "\""), p + 17);
        }
        if (q->iter == 2)
            CHECK(strstr(reply.body.p,
                         "\"Records\":[{\"SequenceNumber\":\"000000000000000000002\"") != NULL);
        if (q->iter)
            snprintf(digest + have, cap - have, "%u\n", reply.status);
        else
            snprintf(digest + have, cap - have, "%u %.*s\n", reply.status, (int)reply.body.len,
                     reply.body.p);
    }
    pinetl__buf_free(&reply.body);
    return rc;
}

/* The whole path; returns 0 or the first failure's code. */
static int path_serve(char *digest, size_t cap) {
    char dir[] = "/tmp/pinetl-serve-alloc-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    digest[0] = '\0';
    serve_catalog cat, defaults;
    int rc = pinetl__serve_catalog_load(&defaults, NULL, "pinetl");
    if (!rc) {
        size_t n = defaults.ntopics + defaults.nstreams;
        pinetl__serve_catalog_free(&defaults);
        snprintf(digest, cap, "defaults %zu\n", n);
    }
    if (!rc)
        rc = pinetl__serve_catalog_load(&cat, config_path, NULL);
    if (rc) {
        CHECK(rc < 0 && pinetl_error_last()[0]);
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return rc;
    }
    pinetl_serve_options o;
    pinetl_serve_options_init(&o, PINETL_SERVE_OPTIONS_VERSION);
    o.fsync = 0;
    o.flush_size = 4;
    rc = pinetl__serve_stores_open(&cat, dir, &o);
    if (rc) {
        CHECK(rc < 0 && pinetl_error_last()[0]);
    } else {
        for (size_t i = 0; i < cat.nstreams; i++)
            cat.streams[i].created_s = 0; /* DescribeStream's creation time: the same every run */
        for (int i = 0; i < NREQ; i++) {
            int r = one_request(&cat, &requests[i], digest, cap);
            if (!r)
                continue;
            /* Refused: the failure happened; the same request again must succeed. */
            CHECK(pinetl__alloc_fail_pending() == 0);
            pinetl__alloc_fail_nth(0);
            char again[4096] = "";
            CHECK_INT(one_request(&cat, &requests[i], again, sizeof again), 0);
            if (!rc)
                rc = r;
        }
        int crc = pinetl__serve_stores_close(&cat, 0);
        if (crc) {
            CHECK(crc < 0 && pinetl_error_last()[0]);
            if (!rc)
                rc = crc;
        }
    }
    pinetl__serve_catalog_free(&cat);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

/* A refused request may leave no message (the server drops the connection when it cannot build
 * a reply): a negative code is enough; setting up checks its message in path_serve. */
static void test_serve_paths(void) { alloc_sweep("serve", path_serve, 16384, 0); }

int main(void) {
    snprintf(config_path, sizeof config_path, "/tmp/pinetl-serve-alloc-%ld.json", (long)getpid());
    FILE *f = fopen(config_path, "w");
    if (!f)
        return 1;
    fputs("{\"topics\":[{\"name\":\"t.pin\",\"partitions\":2},\"t.geo\"],"
          "\"streams\":[\"s-pin\",{\"name\":\"s-geo\"}]}\n",
          f);
    fclose(f);
    RUN(test_serve_paths);
    remove(config_path);
    return check_done();
}
