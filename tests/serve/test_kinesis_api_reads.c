/* Kinesis' own API reads acknowledged records only: GetRecords stops at the last record the
 * committer made durable, whatever else the log holds. Through the network-free seam
 * (pinetl__serve_handle_target, pinetl__serve_commit_now): records put and committed are read;
 * a record appended to the log behind the committer's back (as a write not yet synced would be)
 * is not, nor can an iterator start at it, until a later commit makes the log durable past it. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "serve/serve_internal.h"
#include "util/buf.h"

#define AMZ "application/x-amz-json-1.1"

static serve_catalog cat;

/* One request; its reply body in out (a put is committed first). Returns the HTTP status. */
static unsigned call(const char *op, const char *body, char *out, size_t cap) {
    char target[64];
    snprintf(target, sizeof target, "Kinesis_20131202.%s", op);
    serve_reply reply;
    memset(&reply, 0, sizeof reply);
    serve_job *job = NULL;
    int many = 0;
    if (pinetl__serve_handle_target(&cat, "POST", "/", AMZ, target, body, strlen(body), &job, &many,
                                    &reply)) {
        pinetl__serve_commit_now(&cat, 1, job);
        pinetl__serve_job_reply(job, many, &reply);
        pinetl__serve_job_free(job);
    }
    CHECK(reply.body.p != NULL);
    snprintf(out, cap, "%s", reply.body.p ? reply.body.p : "");
    pinetl__buf_free(&reply.body);
    return reply.status;
}

/* The ShardIterator of a reply (GetShardIterator's, or NextShardIterator). */
static void iterator_of(const char *reply, const char *member, char *out, size_t cap) {
    char key[48];
    snprintf(key, sizeof key, "\"%s\":\"", member);
    const char *p = strstr(reply, key);
    CHECK(p != NULL);
    p = p ? p + strlen(key) : "";
    snprintf(out, cap, "%.*s", (int)strcspn(p, "\""), p);
}

static int count(const char *s, const char *what) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void test_get_records_returns_acknowledged_records_only(void) {
    char dir[] = "/tmp/pinetl-kinesis-reads-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT(pinetl__serve_catalog_load(&cat, NULL, "k"), PINETL_OK);
    pinetl_serve_options o;
    pinetl_serve_options_init(&o, PINETL_SERVE_OPTIONS_VERSION);
    CHECK_INT(pinetl__serve_stores_open(&cat, dir, &o), PINETL_OK);
    serve_stream *s = pinetl__serve_stream_find(&cat, "streaming-k-pin");
    CHECK(s != NULL);
    static char reply[1 << 16], it[1024], body[2048];
    CHECK_INT(call("PutRecords",
                   "{\"StreamName\":\"streaming-k-pin\",\"Records\":[{\"Data\":\"eyJhIjoxfQ==\","
                   "\"PartitionKey\":\"1\"},{\"Data\":\"eyJhIjoyfQ==\",\"PartitionKey\":\"2\"}]}",
                   reply, sizeof reply),
              200);
    /* Record 3 is in the log, but no commit made it durable. */
    pinetl_streamlog_record rec = {.key = "k", .key_len = 1, .data = "{\"a\":3}", .data_len = 7};
    uint64_t seq;
    CHECK_INT(pinetl_streamlog_append(&seq, s->log, &rec, 1), PINETL_OK);
    CHECK(seq == 3);
    CHECK_INT(call("GetShardIterator",
                   "{\"StreamName\":\"streaming-k-pin\",\"ShardId\":\"shardId-000000000000\","
                   "\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                   reply, sizeof reply),
              200);
    iterator_of(reply, "ShardIterator", it, sizeof it);
    snprintf(body, sizeof body, "{\"ShardIterator\":\"%s\"}", it);
    CHECK_INT(call("GetRecords", body, reply, sizeof reply), 200);
    CHECK_INT(count(reply, "\"SequenceNumber\""), 2);
    CHECK(strstr(reply, "000000000000000000003") == NULL);
    CHECK(strstr(reply, "\"MillisBehindLatest\":0") != NULL);
    /* No iterator starts at it either. */
    CHECK_INT(call("GetShardIterator",
                   "{\"StreamName\":\"streaming-k-pin\",\"ShardId\":\"shardId-000000000000\","
                   "\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"3\"}",
                   reply, sizeof reply),
              400);
    CHECK(strstr(reply, "InvalidArgumentException") != NULL);
    /* The next commit syncs the log: 3 is durable now, and read, then 4. */
    char next[1024];
    CHECK_INT(call("GetRecords", body, reply, sizeof reply), 200);
    iterator_of(reply, "NextShardIterator", next, sizeof next);
    CHECK_INT(call("PutRecord",
                   "{\"StreamName\":\"streaming-k-pin\",\"Data\":\"eyJhIjo0fQ==\","
                   "\"PartitionKey\":\"4\"}",
                   reply, sizeof reply),
              200);
    CHECK(strstr(reply, "\"SequenceNumber\":\"000000000000000000004\"") != NULL);
    snprintf(body, sizeof body, "{\"ShardIterator\":\"%s\"}", next);
    CHECK_INT(call("GetRecords", body, reply, sizeof reply), 200);
    CHECK_INT(count(reply, "\"SequenceNumber\""), 2);
    CHECK(strstr(reply, "\"SequenceNumber\":\"000000000000000000003\"") != NULL);
    CHECK(strstr(reply, "\"Data\":\"eyJhIjo0fQ==\"") != NULL);
    CHECK_INT(pinetl__serve_stores_close(&cat, 1), PINETL_OK);
    pinetl__serve_catalog_free(&cat);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
    RUN(test_get_records_returns_acknowledged_records_only);
    return check_done();
}
