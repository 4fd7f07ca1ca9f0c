/* Kinesis' own JSON API, as the AWS SDKs and the AWS CLI speak it: POST / with
 * X-Amz-Target: Kinesis_20131202.<Operation> and Content-Type: application/x-amz-json-1.1, over
 * the same stream logs as the API Gateway routes (kinesis.c). One shard per stream,
 * shardId-000000000000; sequence numbers are the log's (21 decimal digits, growing by one per
 * record, never reused); shard iterators are opaque (kinesis_iter.c) and expire after five
 * minutes, as Kinesis's do.
 *
 * Writes (PutRecord, PutRecords) become jobs for the committer, as the API Gateway routes' do:
 * answered once durable. Reads (GetRecords) return acknowledged records only (up to the stream's
 * durable_seq), so a consumer never sees a record a crash could take back.
 *
 * Limits, as Kinesis's: a record's data plus partition key at most 1 MiB, PutRecords at most 500
 * records and 5 MiB, partition keys 1 to 256 characters (kinesis.c), GetRecords Limit 1 to
 * 10,000 and at most 10 MiB of data a call, ListStreams Limit 1 to 10,000. Errors carry Kinesis's
 * types: ResourceNotFoundException, ValidationException, InvalidArgumentException,
 * ExpiredIteratorException, SerializationException, UnknownOperationException (400), and
 * InternalFailure (500).
 *
 * This file routes, parses and answers listing and describing; kinesis_read.c reads
 * (GetShardIterator, GetRecords); kinesis_api_util.c reads members and starts replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis_api_internal.h"

static const struct {
    const char *name;
    int op;
} ops[] = {
    {"ListStreams", KOP_LIST_STREAMS},
    {"DescribeStream", KOP_DESCRIBE_STREAM},
    {"DescribeStreamSummary", KOP_DESCRIBE_SUMMARY},
    {"ListShards", KOP_LIST_SHARDS},
    {"PutRecord", KOP_PUT_RECORD},
    {"PutRecords", KOP_PUT_RECORDS},
    {"GetShardIterator", KOP_GET_SHARD_ITERATOR},
    {"GetRecords", KOP_GET_RECORDS},
};

const char *pinetl__kinesis_api_op_name(int op) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].op == op)
            return ops[i].name;
    return NULL;
}

int pinetl__kinesis_api_route(int *op, const char *method, const char *content_type,
                              const char *target, serve_reply *reply) {
    static const char prefix[] = "Kinesis_20131202.";
    *op = 0;
    if (strcmp(method, "POST") != 0) {
        pinetl__kinesis_api_error(reply, 405, "UnknownOperationException",
                                  "Kinesis' API takes POST / only");
        reply->allow = "POST";
        return -1;
    }
    size_t ct = content_type ? strcspn(content_type, "; ") : 0;
    if (!content_type || (ct != 26 || (strncmp(content_type, "application/x-amz-json-1.1", 26) &&
                                       strncmp(content_type, "application/x-amz-json-1.0", 26)))) {
        pinetl__kinesis_api_error(reply, 400, "SerializationException",
                                  "Kinesis' API takes Content-Type application/x-amz-json-1.1");
        return -1;
    }
    if (!strncmp(target, prefix, sizeof prefix - 1))
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            if (!strcmp(target + sizeof prefix - 1, ops[i].name)) {
                *op = ops[i].op;
                return 0;
            }
    ERRF(reply, 400, "UnknownOperationException",
         "X-Amz-Target '%.100s' is not an operation of this server (Kinesis_20131202.ListStreams, "
         "DescribeStream, DescribeStreamSummary, ListShards, PutRecord, PutRecords, "
         "GetShardIterator, GetRecords)",
         target);
    return -1;
}
size_t pinetl__kinesis_api_bytes(int op, const serve_catalog *cat, const char *body, size_t len,
                                 size_t budget) {
    size_t reader = op == KOP_GET_RECORDS || op == KOP_GET_SHARD_ITERATOR ? READER_BYTES : 0;
    return sizeof(kinesis_call) + reader + pinetl__kinesis_api_reply_max(op, cat, budget);
}
/* The stream a request names by StreamName and/or StreamARN. -1 with reply filled. */
static int find_stream(kinesis_call *c, serve_reply *reply) {
    char name[256], arn[512];
    int hn = pinetl__kinesis_api_string(c->root, "StreamName", name, sizeof name, reply);
    int ha = hn < 0 ? -1 : pinetl__kinesis_api_string(c->root, "StreamARN", arn, sizeof arn, reply);
    if (hn < 0 || ha < 0)
        return -1;
    if (ha) {
        const char *slash = strstr(arn, ":stream/");
        if (strncmp(arn, "arn:", 4) || !slash) {
            ERRF(reply, 400, "InvalidArgumentException",
                 "StreamARN '%.300s' is not a Kinesis stream ARN", arn);
            return -1;
        }
        if (hn && strcmp(name, slash + 8)) {
            ERRF(reply, 400, "InvalidArgumentException",
                 "StreamName '%s' and StreamARN '%.300s' name different streams", name, arn);
            return -1;
        }
        if (!hn)
            snprintf(name, sizeof name, "%.255s", slash + 8);
    } else if (!hn) {
        pinetl__kinesis_api_error(
            reply, 400, "ValidationException",
            "1 validation error detected: either StreamName or StreamARN must be given");
        return -1;
    }
    c->stream =
        pinetl__serve_name_ok(name, strlen(name)) ? pinetl__serve_stream_find(c->cat, name) : NULL;
    if (!c->stream) {
        ERRF(reply, 400, "ResourceNotFoundException", "Stream %.255s under account %s not found.",
             name, KINESIS_ACCOUNT);
        return -1;
    }
    return 0;
}

int pinetl__kinesis_api_prepare(kinesis_call *c, json_value *root, serve_catalog *cat, int op,
                                const char *body, size_t len, size_t budget, serve_reply *reply) {
    memset(c, 0, sizeof *c);
    c->op = op;
    c->cat = cat;
    c->root = root;
    c->len = len;
    c->budget = budget;
    c->write = op == KOP_PUT_RECORD || op == KOP_PUT_RECORDS;
    json_error e;
    if (len == 0 && op == KOP_LIST_STREAMS) { /* an empty body is an empty request */
        body = "{}";
        len = 2;
    }
    if (pinetl__json_parse(body, body + len, root, &e) != 0) {
        ERRF(reply, 400, "SerializationException", "malformed JSON at byte %zu: %s%s", e.offset,
             e.what, e.utf8 ? " (invalid UTF-8)" : "");
        return -1;
    }
    if (root->type != JSON_OBJECT) {
        pinetl__kinesis_api_error(reply, 400, "SerializationException",
                                  "the body must be a JSON object");
        return -1;
    }
    if (op == KOP_LIST_STREAMS)
        return 0;
    if (op != KOP_GET_RECORDS)
        return find_stream(c, reply);
    /* GetRecords names its stream through the iterator (StreamARN, when given, must agree). */
    json_value v;
    if (!pinetl__json_object_get(root, "ShardIterator", &v) || v.type == JSON_NULL) {
        pinetl__kinesis_api_error(
            reply, 400, "ValidationException",
            "1 validation error detected: Value null at 'shardIterator' failed to satisfy "
            "constraint: Member must not be null");
        return -1;
    }
    char text[6 * KINESIS_ITER_TEXT_MAX]; /* any character may be a \\u escape */
    long k =
        v.type == JSON_STRING && v.len <= sizeof text ? pinetl__json_string_decode(&v, text) : -1;
    if (k < 0 || pinetl__kinesis_iter_decode(&c->it, text, (size_t)k) != 0) {
        pinetl__kinesis_api_error(
            reply, 400, "InvalidArgumentException",
            "Invalid ShardIterator: not a shard iterator this server returned");
        return -1;
    }
    c->stream = pinetl__serve_stream_find(cat, c->it.stream);
    if (!c->stream) {
        ERRF(reply, 400, "ResourceNotFoundException", "Stream %s under account %s not found.",
             c->it.stream, KINESIS_ACCOUNT);
        return -1;
    }
    char arn[512];
    int ha = pinetl__kinesis_api_string(root, "StreamARN", arn, sizeof arn, reply);
    if (ha < 0)
        return -1;
    const char *slash = ha ? strstr(arn, ":stream/") : NULL;
    if (ha && (!slash || strcmp(slash + 8, c->stream->name))) {
        ERRF(reply, 400, "InvalidArgumentException",
             "StreamARN '%.300s' is not the stream of the shard iterator (%s)", arn,
             c->stream->name);
        return -1;
    }
    return 0;
}

/* ---- replies ---- */

static void put_arn(pinetl__buf *b, const serve_stream *s) {
    pinetl__buf_printf(b, "\"arn:aws:kinesis:local:%s:stream/%s\"", KINESIS_ACCOUNT, s->name);
}

static void summary_fields(pinetl__buf *b, const serve_stream *s) {
    pinetl__buf_puts(b, "\"StreamName\":");
    pinetl__buf_json_string(b, s->name, strlen(s->name));
    pinetl__buf_puts(b, ",\"StreamARN\":");
    put_arn(b, s);
    pinetl__buf_printf(b,
                       ",\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":{\"StreamMode\":"
                       "\"PROVISIONED\"},\"StreamCreationTimestamp\":%lld",
                       (long long)s->created_s);
}

static void shard_object(pinetl__buf *b) {
    pinetl__buf_printf(b,
                       "{\"ShardId\":\"%s\",\"HashKeyRange\":{\"StartingHashKey\":\"0\","
                       "\"EndingHashKey\":\"340282366920938463463374607431768211455\"},"
                       "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"",
                       KINESIS_SHARD_ID);
    pinetl__serve_u64(b, 1, PINETL_STREAMLOG_SEQ_DIGITS);
    pinetl__buf_puts(b, "\"}}");
}

static int list_streams(kinesis_call *c, serve_reply *reply) {
    long limit;
    char after[256];
    if (pinetl__kinesis_api_int(c->root, "Limit", 1, LIST_MAX, &limit, "InvalidArgumentException",
                                reply))
        return -1;
    if (limit < 1)
        limit = 100;
    int ha =
        pinetl__kinesis_api_string(c->root, "ExclusiveStartStreamName", after, sizeof after, reply);
    int ht =
        ha < 0 ? -1 : pinetl__kinesis_api_string(c->root, "NextToken", after, sizeof after, reply);
    if (ha < 0 || ht < 0)
        return -1;
    size_t i = 0;
    if (ha || ht) { /* the list continues after the stream named (NextToken: the last listed) */
        while (i < c->cat->nstreams && strcmp(c->cat->streams[i].name, after))
            i++;
        if (i == c->cat->nstreams && ht) {
            pinetl__kinesis_api_error(reply, 400, "InvalidArgumentException",
                                      "NextToken is not one this server gave");
            return -1;
        }
        i = i < c->cat->nstreams ? i + 1 : i;
    }
    size_t end = i + (size_t)limit < c->cat->nstreams ? i + (size_t)limit : c->cat->nstreams;
    pinetl__kinesis_api_start_reply(
        reply, pinetl__kinesis_api_reply_max(KOP_LIST_STREAMS, c->cat, c->budget));
    pinetl__buf *b = &reply->body;
    pinetl__buf_puts(b, "{\"StreamNames\":[");
    for (size_t k = i; k < end; k++) {
        if (k > i)
            pinetl__buf_puts(b, ",");
        pinetl__buf_json_string(b, c->cat->streams[k].name, strlen(c->cat->streams[k].name));
    }
    pinetl__buf_puts(b, "],\"StreamSummaries\":[");
    for (size_t k = i; k < end; k++) {
        pinetl__buf_puts(b, k > i ? ",{" : "{");
        summary_fields(b, &c->cat->streams[k]);
        pinetl__buf_puts(b, "}");
    }
    int more = end < c->cat->nstreams;
    pinetl__buf_printf(b, "],\"HasMoreStreams\":%s", more ? "true" : "false");
    if (more && end > i) {
        pinetl__buf_puts(b, ",\"NextToken\":");
        pinetl__buf_json_string(b, c->cat->streams[end - 1].name,
                                strlen(c->cat->streams[end - 1].name));
    }
    pinetl__buf_puts(b, "}");
    return -1;
}

static int describe_summary(kinesis_call *c, serve_reply *reply) {
    pinetl__kinesis_api_start_reply(reply, pinetl__kinesis_api_reply_max(c->op, c->cat, c->budget));
    pinetl__buf *b = &reply->body;
    pinetl__buf_puts(b, "{\"StreamDescriptionSummary\":{");
    summary_fields(b, c->stream);
    pinetl__buf_puts(b, ",\"RetentionPeriodHours\":24,\"EnhancedMonitoring\":[{"
                        "\"ShardLevelMetrics\":[]}],\"EncryptionType\":\"NONE\","
                        "\"OpenShardCount\":1,\"ConsumerCount\":0}}");
    return -1;
}

static int list_shards(kinesis_call *c, serve_reply *reply) {
    char after[256];
    int ha =
        pinetl__kinesis_api_string(c->root, "ExclusiveStartShardId", after, sizeof after, reply);
    if (ha < 0)
        return -1;
    pinetl__kinesis_api_start_reply(reply, pinetl__kinesis_api_reply_max(c->op, c->cat, c->budget));
    pinetl__buf *b = &reply->body;
    pinetl__buf_puts(b, "{\"Shards\":[");
    if (!ha || strcmp(after, KINESIS_SHARD_ID) < 0) /* shards after the one named, in id order */
        shard_object(b);
    pinetl__buf_puts(b, "]}");
    return -1;
}

int pinetl__kinesis_api_run(kinesis_call *c, serve_job **job, serve_reply *reply) {
    *job = NULL;
    switch (c->op) {
    case KOP_LIST_STREAMS: return list_streams(c, reply);
    case KOP_DESCRIBE_STREAM:
        pinetl__serve_buf_exact(&reply->body,
                                pinetl__kinesis_api_reply_max(c->op, c->cat, c->budget));
        pinetl__kinesis_describe(c->stream, reply);
        reply->content_type = pinetl__kinesis_api_content_type();
        return -1;
    case KOP_DESCRIBE_SUMMARY: return describe_summary(c, reply);
    case KOP_LIST_SHARDS: return list_shards(c, reply);
    case KOP_PUT_RECORD:
    case KOP_PUT_RECORDS: {
        int rc = pinetl__kinesis_put_build(c->stream, c->op == KOP_PUT_RECORDS, 1, c->root, c->len,
                                           job, reply);
        if (rc)
            reply->content_type = pinetl__kinesis_api_content_type();
        return rc;
    }
    case KOP_GET_SHARD_ITERATOR: return pinetl__kinesis_api_get_shard_iterator(c, reply);
    case KOP_GET_RECORDS: return pinetl__kinesis_api_get_records(c, reply);
    default:
        pinetl__kinesis_api_error(reply, 400, "UnknownOperationException", "unknown operation");
        return -1;
    }
}
