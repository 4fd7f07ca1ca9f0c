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
 * InternalFailure (500). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/streamlog.h>

#include "util/alloc.h"
#include "util/error.h"
#include "core/json.h"
#include "serve_internal.h"

enum {
    ITER_TTL_MS = 300000,        /* an iterator expires 5 minutes after it was returned */
    GET_MAX_RECORDS = 10000,     /* GetRecords Limit */
    GET_MAX_DATA = 10 << 20,     /* bytes of data a GetRecords returns at most */
    GET_REPLY_MAX = 16 << 20,    /* its reply (base64 of 10 MiB is 13.4 MiB) */
    READER_BYTES = 2 << 20,      /* a stream reader's buffer: 1 MiB, or one frame */
    LIST_MAX = 10000,            /* ListStreams Limit */
    REPLY_SMALL = 4096,          /* replies without names or records; error replies */
    PER_STREAM = 12 * 249 + 512, /* one stream in a reply: its name (escaped) twice, fields */
    PER_RECORD = 200,            /* a GetRecords record's fields besides data and key */
    KEY_MAX = PINETL_STREAMLOG_MAX_KEY
};

static const char shard_id[] = "shardId-000000000000";
static const char account[] = "000000000000";

const char *pinetl__kinesis_api_content_type(void) { return "application/x-amz-json-1.1"; }

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

static void err(serve_reply *r, unsigned status, const char *type, const char *msg) {
    pinetl__kinesis_error(r, status, type, "%s", msg);
    r->content_type = pinetl__kinesis_api_content_type();
}

#define ERRF(r, status, type, ...)                                 \
    do {                                                           \
        pinetl__kinesis_error((r), (status), (type), __VA_ARGS__); \
        (r)->content_type = pinetl__kinesis_api_content_type();    \
    } while (0)

int pinetl__kinesis_api_route(int *op, const char *method, const char *content_type,
                              const char *target, serve_reply *reply) {
    static const char prefix[] = "Kinesis_20131202.";
    *op = 0;
    if (strcmp(method, "POST") != 0) {
        err(reply, 405, "UnknownOperationException", "Kinesis' API takes POST / only");
        reply->allow = "POST";
        return -1;
    }
    size_t ct = content_type ? strcspn(content_type, "; ") : 0;
    if (!content_type || (ct != 26 || (strncmp(content_type, "application/x-amz-json-1.1", 26) &&
                                       strncmp(content_type, "application/x-amz-json-1.0", 26)))) {
        err(reply, 400, "SerializationException",
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

static size_t get_reply_cap(size_t budget) {
    size_t cap = GET_REPLY_MAX;
    if (budget && budget / 2 < cap)
        cap = budget / 2 > REPLY_SMALL ? budget / 2 : REPLY_SMALL;
    return cap;
}

/* The longest reply of a read operation. */
static size_t read_reply_max(int op, const serve_catalog *cat, size_t budget) {
    switch (op) {
    case KOP_LIST_STREAMS: return REPLY_SMALL + cat->nstreams * PER_STREAM;
    case KOP_GET_RECORDS: return get_reply_cap(budget);
    default: return REPLY_SMALL + PER_STREAM;
    }
}

size_t pinetl__kinesis_api_bytes(int op, const serve_catalog *cat, const char *body, size_t len,
                                 size_t budget) {
    size_t reader = op == KOP_GET_RECORDS || op == KOP_GET_SHARD_ITERATOR ? READER_BYTES : 0;
    return sizeof(kinesis_call) + reader + read_reply_max(op, cat, budget);
}

/* ---- reading the body ---- */

/* A member that must be a string, decoded into out (cap bytes with the NUL). 1: present, 0:
 * absent or null, -1: not a string or too long (reply filled). */
static int string_member(const json_value *root, const char *name, char *out, size_t cap,
                         serve_reply *reply) {
    json_value v;
    if (!pinetl__json_object_get(root, name, &v) || v.type == JSON_NULL)
        return 0;
    if (v.type != JSON_STRING || v.len >= cap) {
        ERRF(reply, 400, v.type != JSON_STRING ? "SerializationException" : "ValidationException",
             "%s must be a string of at most %zu characters", name, cap - 1);
        return -1;
    }
    long k = pinetl__json_string_decode(&v, out);
    if (k < 0 || memchr(out, '\0', (size_t)k)) {
        ERRF(reply, 400, "ValidationException", "%s is not a valid string", name);
        return -1;
    }
    out[k] = '\0';
    return 1;
}

/* A member that must be an integer in [lo, hi] (lo - 1 when absent). -1 with reply filled. */
static int int_member(const json_value *root, const char *name, long lo, long hi, long *out,
                      const char *type_above, serve_reply *reply) {
    json_value v;
    *out = lo - 1;
    if (!pinetl__json_object_get(root, name, &v) || v.type == JSON_NULL)
        return 0;
    char num[24];
    if (v.type != JSON_NUMBER || v.len >= sizeof num) {
        ERRF(reply, 400, "SerializationException", "%s must be an integer", name);
        return -1;
    }
    memcpy(num, v.start, v.len);
    num[v.len] = '\0';
    char *end;
    long long k = strtoll(num, &end, 10);
    if (*end) {
        ERRF(reply, 400, "SerializationException", "%s must be an integer", name);
        return -1;
    }
    if (k < lo) {
        ERRF(reply, 400, "ValidationException",
             "1 validation error detected: Value '%lld' at '%c%s' failed to satisfy constraint: "
             "Member must have value greater than or equal to %ld",
             k, name[0] + 32, name + 1, lo);
        return -1;
    }
    if (k > hi) {
        ERRF(reply, 400, type_above, "%s has value %lld, more than the most allowed, %ld", name, k,
             hi);
        return -1;
    }
    *out = (long)k;
    return 0;
}

/* The stream a request names by StreamName and/or StreamARN. -1 with reply filled. */
static int find_stream(kinesis_call *c, serve_reply *reply) {
    char name[256], arn[512];
    int hn = string_member(c->root, "StreamName", name, sizeof name, reply);
    int ha = hn < 0 ? -1 : string_member(c->root, "StreamARN", arn, sizeof arn, reply);
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
        err(reply, 400, "ValidationException",
            "1 validation error detected: either StreamName or StreamARN must be given");
        return -1;
    }
    c->stream =
        pinetl__serve_name_ok(name, strlen(name)) ? pinetl__serve_stream_find(c->cat, name) : NULL;
    if (!c->stream) {
        ERRF(reply, 400, "ResourceNotFoundException", "Stream %.255s under account %s not found.",
             name, account);
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
        err(reply, 400, "SerializationException", "the body must be a JSON object");
        return -1;
    }
    if (op == KOP_LIST_STREAMS)
        return 0;
    if (op != KOP_GET_RECORDS)
        return find_stream(c, reply);
    /* GetRecords names its stream through the iterator (StreamARN, when given, must agree). */
    json_value v;
    if (!pinetl__json_object_get(root, "ShardIterator", &v) || v.type == JSON_NULL) {
        err(reply, 400, "ValidationException",
            "1 validation error detected: Value null at 'shardIterator' failed to satisfy "
            "constraint: Member must not be null");
        return -1;
    }
    char text[6 * KINESIS_ITER_TEXT_MAX]; /* any character may be a \\u escape */
    long k =
        v.type == JSON_STRING && v.len <= sizeof text ? pinetl__json_string_decode(&v, text) : -1;
    if (k < 0 || pinetl__kinesis_iter_decode(&c->it, text, (size_t)k) != 0) {
        err(reply, 400, "InvalidArgumentException",
            "Invalid ShardIterator: not a shard iterator this server returned");
        return -1;
    }
    c->stream = pinetl__serve_stream_find(cat, c->it.stream);
    if (!c->stream) {
        ERRF(reply, 400, "ResourceNotFoundException", "Stream %s under account %s not found.",
             c->it.stream, account);
        return -1;
    }
    char arn[512];
    int ha = string_member(root, "StreamARN", arn, sizeof arn, reply);
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

static void start_reply(serve_reply *r, size_t max) {
    r->status = 200;
    r->content_type = pinetl__kinesis_api_content_type();
    r->body.len = 0;
    pinetl__serve_buf_exact(&r->body, max);
}

static void put_arn(pinetl__buf *b, const serve_stream *s) {
    pinetl__buf_printf(b, "\"arn:aws:kinesis:local:%s:stream/%s\"", account, s->name);
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
                       shard_id);
    pinetl__serve_u64(b, 1, PINETL_STREAMLOG_SEQ_DIGITS);
    pinetl__buf_puts(b, "\"}}");
}

static int list_streams(kinesis_call *c, serve_reply *reply) {
    long limit;
    char after[256];
    if (int_member(c->root, "Limit", 1, LIST_MAX, &limit, "InvalidArgumentException", reply))
        return -1;
    if (limit < 1)
        limit = 100;
    int ha = string_member(c->root, "ExclusiveStartStreamName", after, sizeof after, reply);
    int ht = ha < 0 ? -1 : string_member(c->root, "NextToken", after, sizeof after, reply);
    if (ha < 0 || ht < 0)
        return -1;
    size_t i = 0;
    if (ha || ht) { /* the list continues after the stream named (NextToken: the last listed) */
        while (i < c->cat->nstreams && strcmp(c->cat->streams[i].name, after))
            i++;
        if (i == c->cat->nstreams && ht) {
            err(reply, 400, "InvalidArgumentException", "NextToken is not one this server gave");
            return -1;
        }
        i = i < c->cat->nstreams ? i + 1 : i;
    }
    size_t end = i + (size_t)limit < c->cat->nstreams ? i + (size_t)limit : c->cat->nstreams;
    start_reply(reply, read_reply_max(KOP_LIST_STREAMS, c->cat, c->budget));
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
    start_reply(reply, read_reply_max(c->op, c->cat, c->budget));
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
    int ha = string_member(c->root, "ExclusiveStartShardId", after, sizeof after, reply);
    if (ha < 0)
        return -1;
    start_reply(reply, read_reply_max(c->op, c->cat, c->budget));
    pinetl__buf *b = &reply->body;
    pinetl__buf_puts(b, "{\"Shards\":[");
    if (!ha || strcmp(after, shard_id) < 0) /* shards after the one named, in id order */
        shard_object(b);
    pinetl__buf_puts(b, "]}");
    return -1;
}

/* ---- reading the log ---- */

/* A reader positioned after the iterator's record; -1 with reply filled when the log is not the
 * one the iterator was taken in any more (ExpiredIteratorException: get a new one). */
static int open_reader(pinetl_streamlog_reader **rd, const serve_stream *s, const kinesis_iter *it,
                       serve_reply *reply) {
    int rc = pinetl_streamlog_reader_open_at(rd, s->path, it->after_seq, it->hint);
    char id[32];
    if (!rc) {
        memset(id, 0, sizeof id);
        memcpy(id, pinetl_streamlog_reader_log_id(*rd),
               strlen(pinetl_streamlog_reader_log_id(*rd)));
        if (memcmp(id, it->log_id, sizeof id) == 0)
            return 0;
        pinetl_streamlog_reader_free(*rd);
        *rd = NULL;
        ERRF(reply, 400, "ExpiredIteratorException",
             "the log of stream %s was replaced since this iterator was returned; get a new one "
             "with GetShardIterator",
             s->name);
        return -1;
    }
    if (rc == PINETL_EFORMAT)
        ERRF(reply, 400, "ExpiredIteratorException",
             "the iterator's position is not in the log of stream %s any more (%s); get a new "
             "one with GetShardIterator",
             s->name, pinetl_error_last());
    else
        ERRF(reply, 500, "InternalFailure", "reading stream %s: %s", s->name, pinetl_error_last());
    return -1;
}

/* Where an iterator starts: for AT/AFTER_SEQUENCE_NUMBER (ts_us < 0), after the record before
 * seq (at) or after seq; for AT_TIMESTAMP (ts_us >= 0), before the first durable record that
 * arrived at ts_us or later (after the last durable record when none did). 0 with it->after_seq
 * and it->hint set; -1 with reply filled. */
static int seek(const serve_stream *s, uint64_t seq, int at, int64_t ts_us, uint64_t durable,
                kinesis_iter *it, serve_reply *reply) {
    pinetl_streamlog_reader *rd;
    kinesis_iter start = *it;
    start.after_seq = start.hint = 0;
    if (open_reader(&rd, s, &start, reply))
        return -1;
    uint64_t before_seq = 0, before_off = pinetl_streamlog_reader_offset(rd);
    for (;;) {
        pinetl_streamlog_record rec;
        int rc = pinetl_streamlog_reader_next(&rec, rd);
        if (ts_us >= 0 && (rc == PINETL_DONE || rc == PINETL_BATCH) &&
            (rc == PINETL_DONE || rec.seq > durable || rec.arrival_us >= ts_us)) {
            it->after_seq = before_seq;
            it->hint = before_off;
            pinetl_streamlog_reader_free(rd);
            return 0;
        }
        if (rc == PINETL_BATCH && (ts_us >= 0 || rec.seq < seq)) {
            before_seq = rec.seq;
            before_off = pinetl_streamlog_reader_offset(rd);
            continue;
        }
        if (rc == PINETL_STREAMLOG_SKIPPED) {
            before_seq = pinetl_streamlog_reader_seq(rd);
            before_off = pinetl_streamlog_reader_offset(rd);
            continue;
        }
        int found = rc == PINETL_BATCH && rec.seq == seq;
        if (found) {
            it->after_seq = at ? before_seq : rec.seq;
            it->hint = at ? before_off : pinetl_streamlog_reader_offset(rd);
        }
        pinetl_streamlog_reader_free(rd);
        if (found)
            return 0;
        if (rc < 0) {
            ERRF(reply, 500, "InternalFailure", "reading stream %s: %s", s->name,
                 pinetl_error_last());
            return -1;
        }
        char text[PINETL_STREAMLOG_SEQ_DIGITS + 1];
        pinetl_streamlog_seq_format(text, sizeof text, seq);
        ERRF(reply, 400, "InvalidArgumentException",
             "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under "
             "account %s is invalid because it did not come from this stream.",
             text, shard_id, s->name, account);
        return -1;
    }
}

static int get_shard_iterator(kinesis_call *c, serve_reply *reply) {
    serve_stream *s = c->stream;
    char shard[64], type[32], seqtext[64];
    int64_t ts_us = -1;
    int hs = string_member(c->root, "ShardId", shard, sizeof shard, reply);
    int ht = hs < 0 ? -1 : string_member(c->root, "ShardIteratorType", type, sizeof type, reply);
    int hq = ht < 0
                 ? -1
                 : string_member(c->root, "StartingSequenceNumber", seqtext, sizeof seqtext, reply);
    if (hs < 0 || ht < 0 || hq < 0)
        return -1;
    if (!hs || !ht) {
        ERRF(reply, 400, "ValidationException",
             "1 validation error detected: Value null at '%s' failed to satisfy constraint: "
             "Member must not be null",
             hs ? "shardIteratorType" : "shardId");
        return -1;
    }
    if (strcmp(shard, shard_id)) {
        ERRF(reply, 400, "ResourceNotFoundException",
             "Shard %.60s in stream %s under account %s does not exist", shard, s->name, account);
        return -1;
    }
    int at = !strcmp(type, "AT_SEQUENCE_NUMBER"), after = !strcmp(type, "AFTER_SEQUENCE_NUMBER");
    int latest = !strcmp(type, "LATEST"), trim = !strcmp(type, "TRIM_HORIZON");
    int stamp = !strcmp(type, "AT_TIMESTAMP");
    if (!at && !after && !latest && !trim && !stamp) {
        ERRF(reply, 400, "InvalidArgumentException",
             "ShardIteratorType '%.30s' is not TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
             "AFTER_SEQUENCE_NUMBER or AT_TIMESTAMP",
             type);
        return -1;
    }
    json_value tv;
    int has_ts = pinetl__json_object_get(c->root, "Timestamp", &tv) && tv.type != JSON_NULL;
    if (stamp != has_ts) {
        ERRF(reply, 400, "InvalidArgumentException", "Timestamp is %s with ShardIteratorType %s",
             has_ts ? "not allowed" : "needed", type);
        return -1;
    }
    if (stamp) { /* epoch seconds, as the SDKs send a timestamp */
        char num[40], *end = NULL;
        double secs = -1;
        if (tv.type == JSON_NUMBER && tv.len < sizeof num) {
            memcpy(num, tv.start, tv.len);
            num[tv.len] = '\0';
            secs = strtod(num, &end);
        }
        if (!end || *end || !(secs >= 0 && secs < 1e11)) {
            err(reply, 400, "InvalidArgumentException",
                "Timestamp must be a number of seconds since the epoch");
            return -1;
        }
        ts_us = (int64_t)(secs * 1e6);
    }
    uint64_t seq = 0;
    if ((at || after) != hq) {
        ERRF(reply, 400, "InvalidArgumentException",
             "StartingSequenceNumber is %s with ShardIteratorType %s",
             hq ? "not allowed" : "needed", type);
        return -1;
    }
    kinesis_iter it;
    memset(&it, 0, sizeof it);
    snprintf(it.stream, sizeof it.stream, "%s", s->name);
    if (at || after) {
        uint64_t durable = atomic_load(&s->durable_seq);
        if (pinetl_streamlog_seq_parse(&seq, seqtext) != 0 || seq == 0 || seq > durable) {
            ERRF(reply, 400, "InvalidArgumentException",
                 "StartingSequenceNumber %.60s used in GetShardIterator on shard %s in stream %s "
                 "under account %s is invalid because it did not come from this stream.",
                 seqtext, shard_id, s->name, account);
            return -1;
        }
    } else if (latest) {
        it.hint = atomic_load(&s->durable_end);
        it.after_seq = atomic_load(&s->durable_seq);
    }
    /* The log's identity (and, for a position, a check that the log has it). */
    pinetl_streamlog_reader *rd;
    kinesis_iter probe = it;
    memset(probe.log_id, 0, sizeof probe.log_id);
    int rc = pinetl_streamlog_reader_open_at(&rd, s->path, probe.after_seq, probe.hint);
    if (rc) {
        ERRF(reply, 500, "InternalFailure", "reading stream %s: %s", s->name, pinetl_error_last());
        return -1;
    }
    const char *id = pinetl_streamlog_reader_log_id(rd);
    memcpy(it.log_id, id, strlen(id) < sizeof it.log_id ? strlen(id) : sizeof it.log_id);
    pinetl_streamlog_reader_free(rd);
    if ((at || after || stamp) && seek(s, seq, at, ts_us, atomic_load(&s->durable_seq), &it, reply))
        return -1;
    it.expires_ms = pinetl__serve_now_ms() + ITER_TTL_MS;
    start_reply(reply, read_reply_max(c->op, c->cat, c->budget));
    pinetl__buf_puts(&reply->body, "{\"ShardIterator\":");
    pinetl__kinesis_iter_encode(&reply->body, &it);
    pinetl__buf_puts(&reply->body, "}");
    return -1;
}

/* Appends one record to a GetRecords reply. */
static void put_record_json(pinetl__buf *b, const pinetl_streamlog_record *rec, int first) {
    pinetl__buf_puts(b, first ? "{\"SequenceNumber\":\"" : ",{\"SequenceNumber\":\"");
    pinetl__serve_u64(b, rec->seq, PINETL_STREAMLOG_SEQ_DIGITS);
    int64_t ms = rec->arrival_us / 1000;
    pinetl__buf_printf(b, "\",\"ApproximateArrivalTimestamp\":%lld.%03d,\"Data\":",
                       (long long)(ms / 1000), (int)(ms % 1000 + (ms % 1000 < 0 ? 1000 : 0)));
    pinetl__buf_base64(b, rec->data, rec->data_len);
    pinetl__buf_puts(b, ",\"PartitionKey\":");
    pinetl__buf_json_string(b, rec->key, rec->key_len);
    pinetl__buf_puts(b, "}");
}

static int get_records(kinesis_call *c, serve_reply *reply) {
    serve_stream *s = c->stream;
    long limit;
    if (int_member(c->root, "Limit", 1, GET_MAX_RECORDS, &limit, "InvalidArgumentException", reply))
        return -1;
    if (limit < 1)
        limit = GET_MAX_RECORDS;
    int64_t now = pinetl__serve_now_ms();
    if (now > c->it.expires_ms) {
        ERRF(reply, 400, "ExpiredIteratorException",
             "Iterator expired. The iterator was created at time %lld while right now it is %lld "
             "which is further in the future than the tolerated delay of %d milliseconds.",
             (long long)(c->it.expires_ms - ITER_TTL_MS), (long long)now, ITER_TTL_MS);
        return -1;
    }
    uint64_t durable = atomic_load(&s->durable_seq);
    pinetl_streamlog_reader *rd;
    if (open_reader(&rd, s, &c->it, reply))
        return -1;
    size_t cap = get_reply_cap(c->budget);
    start_reply(reply, cap);
    pinetl__buf *b = &reply->body;
    pinetl__buf_puts(b, "{\"Records\":[");
    kinesis_iter next = c->it;
    next.hint = pinetl_streamlog_reader_offset(rd);
    size_t n = 0, data = 0;
    int caught_up = 0, rc = 0;
    int64_t last_ms = 0;
    while (n < (size_t)limit && !b->failed) {
        pinetl_streamlog_record rec;
        rc = pinetl_streamlog_reader_next(&rec, rd);
        if (rc == PINETL_STREAMLOG_SKIPPED) { /* damaged bytes: their records are lost */
            next.after_seq = pinetl_streamlog_reader_seq(rd);
            next.hint = pinetl_streamlog_reader_offset(rd);
            continue;
        }
        if (rc != PINETL_BATCH || rec.seq > durable) {
            caught_up = rc >= 0;
            break;
        }
        size_t need =
            PER_RECORD + (rec.data_len + 2) / 3 * 4 + 2 + PINETL__JSON_ESCAPE_MAX * rec.key_len + 2;
        if (b->len + need + KINESIS_ITER_TEXT_MAX + 128 > cap ||
            (n && data + rec.data_len > GET_MAX_DATA))
            break; /* the rest next time */
        put_record_json(b, &rec, n == 0);
        n++;
        data += rec.data_len;
        last_ms = rec.arrival_us / 1000;
        next.after_seq = rec.seq;
        next.hint = pinetl_streamlog_reader_offset(rd);
    }
    pinetl_streamlog_reader_free(rd);
    if (rc < 0 && rc != PINETL_ENOMEM) {
        ERRF(reply, rc == PINETL_EFORMAT ? 400 : 500,
             rc == PINETL_EFORMAT ? "ExpiredIteratorException" : "InternalFailure",
             "reading stream %s: %s%s", s->name, pinetl_error_last(),
             rc == PINETL_EFORMAT ? "; get a new iterator with GetShardIterator" : "");
        return -1;
    }
    if (rc == PINETL_ENOMEM || b->failed || (!n && !caught_up)) {
        ERRF(reply, 500, "InternalFailure", "reading stream %s: %s", s->name,
             rc == PINETL_ENOMEM || b->failed
                 ? "out of memory"
                 : "the next record does not fit in a reply within the server's memory budget "
                   "(--max-memory)");
        return -1;
    }
    next.expires_ms = now + ITER_TTL_MS;
    pinetl__buf_puts(b, "],\"NextShardIterator\":");
    pinetl__kinesis_iter_encode(b, &next);
    int64_t behind = caught_up || !n || now < last_ms ? 0 : now - last_ms;
    pinetl__buf_printf(b, ",\"MillisBehindLatest\":%lld}", (long long)behind);
    return -1;
}

int pinetl__kinesis_api_run(kinesis_call *c, serve_job **job, serve_reply *reply) {
    *job = NULL;
    switch (c->op) {
    case KOP_LIST_STREAMS: return list_streams(c, reply);
    case KOP_DESCRIBE_STREAM:
        pinetl__serve_buf_exact(&reply->body, read_reply_max(c->op, c->cat, c->budget));
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
    case KOP_GET_SHARD_ITERATOR: return get_shard_iterator(c, reply);
    case KOP_GET_RECORDS: return get_records(c, reply);
    default: err(reply, 400, "UnknownOperationException", "unknown operation"); return -1;
    }
}
