/* Kinesis behind API Gateway (the seed's API): PutRecord / PutRecords bodies parsed into jobs for
 * the stream log, ListStreams / DescribeStream replies, and Kinesis's error shape
 * {"__type": ..., "message": ...}. Kinesis answers HTTP 400 for ResourceNotFoundException,
 * ValidationException and SerializationException (malformed JSON), 500 for InternalFailure.
 *
 * Data is a JSON object (what the original gateway mapping received; landed as its JSON text,
 * compacted), or a string: the record's JSON text when it starts with '{', else base64 (landed
 * decoded) -- the readers' rule, pinetl__io_kinesis_data. A body's StreamName, when given, must
 * name the stream of the path. Limits as Kinesis's: a record's data plus
 * partition key at most 1 MiB, at most 500 records and 5 MiB a PutRecords, partition keys of 1 to
 * 256 characters. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "core/json.h"
#include "io/base64.h"
#include "serve_internal.h"

enum { MAX_RECORD = 1 << 20, MAX_REQUEST = 5 << 20, MAX_RECORDS = 500, MAX_KEY_CHARS = 256 };

static const char shard_id[] = "shardId-000000000000";

void pinetl__kinesis_error(serve_reply *r, unsigned status, const char *type, const char *fmt,
                           ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->status = status;
    r->content_type = "application/json";
    r->body.len = 0;
    pinetl__buf_puts(&r->body, "{\"__type\":");
    pinetl__buf_json_string(&r->body, type, strlen(type));
    pinetl__buf_puts(&r->body, ",\"message\":");
    pinetl__buf_json_string(&r->body, msg, strlen(msg));
    pinetl__buf_puts(&r->body, "}");
}

void pinetl__kinesis_list_streams(const serve_catalog *c, serve_reply *r) {
    r->status = 200;
    r->content_type = "application/json";
    pinetl__buf_puts(&r->body, "{\"HasMoreStreams\":false,\"StreamNames\":[");
    for (size_t i = 0; i < c->nstreams; i++) {
        if (i)
            pinetl__buf_puts(&r->body, ",");
        pinetl__buf_json_string(&r->body, c->streams[i].name, strlen(c->streams[i].name));
    }
    pinetl__buf_puts(&r->body, "]}");
}

void pinetl__kinesis_describe(const serve_stream *s, serve_reply *r) {
    r->status = 200;
    r->content_type = "application/json";
    pinetl__buf *b = &r->body;
    pinetl__buf_puts(b, "{\"StreamDescription\":{\"StreamName\":");
    pinetl__buf_json_string(b, s->name, strlen(s->name));
    pinetl__buf_printf(b,
                       ",\"StreamARN\":\"arn:aws:kinesis:local:000000000000:stream/%s\","
                       "\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":{\"StreamMode\":"
                       "\"PROVISIONED\"},\"Shards\":[{\"ShardId\":\"%s\",\"HashKeyRange\":{"
                       "\"StartingHashKey\":\"0\",\"EndingHashKey\":"
                       "\"340282366920938463463374607431768211455\"},\"SequenceNumberRange\":{"
                       "\"StartingSequenceNumber\":\"%021d\"}}],\"HasMoreShards\":false,"
                       "\"RetentionPeriodHours\":24,\"StreamCreationTimestamp\":%lld,"
                       "\"EnhancedMonitoring\":[{\"ShardLevelMetrics\":[]}],"
                       "\"EncryptionType\":\"NONE\"}}",
                       s->name, shard_id, 1, (long long)s->created_s);
}

static size_t utf8_chars(const char *p, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)p[i] & 0xC0) != 0x80;
    return k;
}

/* Appends one record's key then data to j->lines. -1 with reply filled on a validation failure. */
static int add_record(serve_job *j, const json_value *rec, const char *where, int native,
                      char **scratch, size_t *cap, size_t *total, size_t *key_end,
                      serve_reply *reply) {
    if (rec->type != JSON_OBJECT) {
        pinetl__kinesis_error(reply, 400, "ValidationException", "%s is not an object", where);
        return -1;
    }
    static const char *const names[] = {"PartitionKey", "Data"};
    json_value m[2];
    pinetl__serve_members(rec, names, 2, m);
    json_value key = m[0], data = m[1];
    if (!key.type || key.type == JSON_NULL) {
        pinetl__kinesis_error(reply, 400, "ValidationException",
                              "1 validation error detected: "
                              "Value null at '%spartitionKey' failed to satisfy constraint: "
                              "Member must not be null",
                              where);
        return -1;
    }
    if (key.type != JSON_STRING) {
        pinetl__kinesis_error(reply, 400, "ValidationException", "%sPartitionKey must be a string",
                              where);
        return -1;
    }
    if (!data.type || data.type == JSON_NULL) {
        pinetl__kinesis_error(reply, 400, "ValidationException",
                              "1 validation error detected: "
                              "Value null at '%sdata' failed to satisfy constraint: Member must "
                              "not be null",
                              where);
        return -1;
    }
    size_t need = key.len > data.len ? key.len : data.len;
    if (need > *cap) {
        char *p = pinetl__realloc(*scratch, need);
        if (!p) {
            pinetl__kinesis_error(reply, 500, "InternalFailure", "out of memory");
            return -1;
        }
        *scratch = p;
        *cap = need;
    }
    long klen = pinetl__json_string_decode(&key, *scratch);
    size_t kchars = klen < 0 ? 0 : utf8_chars(*scratch, (size_t)klen);
    if (klen < 0 || kchars < 1 || kchars > MAX_KEY_CHARS) {
        pinetl__kinesis_error(reply, 400, "ValidationException",
                              "1 validation error detected: "
                              "Value at '%spartitionKey' failed to satisfy constraint: Member "
                              "must have length between 1 and 256",
                              where);
        return -1;
    }
    size_t before = j->lines.len;
    pinetl__buf_append(&j->lines, *scratch, (size_t)klen);
    *key_end = j->lines.len;
    size_t dlen;
    if (native) { /* Kinesis' own API: a blob, always base64 */
        long k = data.type == JSON_STRING ? pinetl__json_string_decode(&data, *scratch) : -1;
        size_t bad;
        if (k < 0 || pinetl__io_base64_decode(*scratch, (size_t)k, *scratch, &dlen, &bad) != 0) {
            pinetl__kinesis_error(reply, 400, "SerializationException",
                                  "%sData is not a base64 string (a blob is sent as base64)",
                                  where);
            return -1;
        }
        pinetl__buf_append(&j->lines, *scratch, dlen);
    } else if (data.type == JSON_STRING) { /* the readers' rule: JSON text, or base64 */
        long k = pinetl__json_string_decode(&data, *scratch);
        size_t bad;
        int json_text;
        if (k < 0 || pinetl__io_kinesis_data(*scratch, (size_t)k, &dlen, &json_text, &bad) != 0) {
            pinetl__kinesis_error(reply, 400, "ValidationException",
                                  "%sData is a string but neither JSON text (starting with "
                                  "'{') nor valid base64 (give a JSON object, its text, or base64)",
                                  where);
            return -1;
        }
        pinetl__buf_append(&j->lines, *scratch, dlen);
    } else {
        size_t at = j->lines.len;
        pinetl__serve_json_compact(&j->lines, data.start, data.len);
        dlen = j->lines.len - at;
    }
    if (dlen + (size_t)klen > MAX_RECORD) {
        pinetl__kinesis_error(reply, 400, "ValidationException",
                              "1 validation error detected: "
                              "Value at '%sdata' failed to satisfy constraint: Member must have "
                              "length less than or equal to 1048576 (data and partition key)",
                              where);
        return -1;
    }
    *total += j->lines.len - before;
    return 0;
}

int pinetl__kinesis_put_parse(serve_stream *s, int many, const char *body, size_t len,
                              serve_job **job, serve_reply *reply) {
    *job = NULL;
    json_value root;
    json_error err;
    if (pinetl__json_parse(body, body + len, &root, &err) != 0) {
        pinetl__kinesis_error(reply, 400, "SerializationException",
                              "malformed JSON at byte %zu: "
                              "%s%s",
                              err.offset, err.what, err.utf8 ? " (invalid UTF-8)" : "");
        return -1;
    }
    if (root.type != JSON_OBJECT) {
        pinetl__kinesis_error(reply, 400, "SerializationException",
                              "the body must be a JSON "
                              "object");
        return -1;
    }
    json_value name;
    if (pinetl__json_object_get(&root, "StreamName", &name) &&
        (name.type != JSON_STRING ||
         !pinetl__json_string_equals(&name, s->name, strlen(s->name)))) {
        pinetl__kinesis_error(reply, 400, "ValidationException",
                              "the body's StreamName is not '%s', the stream of the path", s->name);
        return -1;
    }
    return pinetl__kinesis_put_build(s, many, 0, &root, len, job, reply);
}

int pinetl__kinesis_put_build(serve_stream *s, int many, int native, const json_value *root,
                              size_t len, serve_job **job, serve_reply *reply) {
    *job = NULL;
    json_value list;
    size_t n = 1;
    json_value *items = NULL;
    if (many) {
        if (!pinetl__json_object_get(root, "Records", &list) || list.type != JSON_ARRAY) {
            pinetl__kinesis_error(reply, 400, "ValidationException",
                                  "1 validation error "
                                  "detected: Value null at 'records' failed to satisfy "
                                  "constraint: Member must not be null");
            return -1;
        }
        if (pinetl__serve_elements(&list, &items, &n) != 0) {
            pinetl__kinesis_error(reply, 500, "InternalFailure", "out of memory");
            return -1;
        }
        if (n < 1 || n > MAX_RECORDS) {
            pinetl__free(items);
            pinetl__kinesis_error(reply, 400, "ValidationException",
                                  "1 validation error "
                                  "detected: Value at 'records' failed to satisfy constraint: "
                                  "Member must have length between 1 and 500 (got %zu)",
                                  n);
            return -1;
        }
    }
    serve_job *j = pinetl__calloc(1, sizeof *j);
    if (!j || !(j->off = pinetl__malloc((2 * n + 1) * sizeof *j->off)) ||
        !(j->recs = pinetl__calloc(n, sizeof *j->recs)) ||
        pinetl__serve_buf_exact(&j->lines, len) != 0) { /* records are never longer than body */
        pinetl__free(items);
        pinetl__serve_job_free(j);
        pinetl__kinesis_error(reply, 500, "InternalFailure", "out of memory");
        return -1;
    }
    j->kind = JOB_STREAM;
    j->stream = s;
    j->n = n;
    char *scratch = NULL;
    size_t cap = 0, total = 0;
    int rc = 0;
    if (many) {
        for (size_t i = 0; !rc && i < n; i++) {
            char where[48];
            snprintf(where, sizeof where, "records.%zu.member.", i + 1);
            j->off[2 * i] = j->lines.len;
            rc = add_record(j, &items[i], where, native, &scratch, &cap, &total, &j->off[2 * i + 1],
                            reply);
        }
        pinetl__free(items);
    } else {
        j->off[0] = 0;
        rc = add_record(j, root, "", native, &scratch, &cap, &total, &j->off[1], reply);
    }
    pinetl__free(scratch);
    if (!rc && total > MAX_REQUEST) {
        pinetl__kinesis_error(reply, 400, "ValidationException",
                              "the records of a PutRecords "
                              "request may hold at most 5 MiB (data and partition keys), these "
                              "hold %zu bytes",
                              total);
        rc = -1;
    }
    if (!rc && j->lines.failed) {
        pinetl__kinesis_error(reply, 500, "InternalFailure", "out of memory");
        rc = -1;
    }
    if (rc) {
        pinetl__serve_job_free(j);
        return -1;
    }
    j->off[2 * n] = j->lines.len;
    for (size_t i = 0; i < n; i++) { /* the text is complete: pointers are stable now */
        j->recs[i].key = j->lines.p + j->off[2 * i];
        j->recs[i].key_len = j->off[2 * i + 1] - j->off[2 * i];
        j->recs[i].data = j->lines.p + j->off[2 * i + 1];
        j->recs[i].data_len = j->off[2 * i + 2] - j->off[2 * i + 1];
    }
    *job = j;
    return 0;
}

void pinetl__kinesis_put_reply(const serve_job *j, int many, serve_reply *reply) {
    if (j->rc && !many) {
        pinetl__kinesis_error(reply, 500, "InternalFailure", "%s", j->err);
        return;
    }
    reply->status = 200;
    reply->content_type = "application/json";
    pinetl__buf *b = &reply->body;
    if (!many) {
        pinetl__buf_puts(b, "{\"SequenceNumber\":\"");
        pinetl__serve_u64(b, j->first_seq, 21);
        pinetl__buf_printf(b, "\",\"ShardId\":\"%s\"}", shard_id);
        return;
    }
    pinetl__buf_printf(b, "{\"FailedRecordCount\":%zu,\"Records\":[", j->rc ? j->n : (size_t)0);
    for (size_t i = 0; i < j->n; i++) {
        if (i)
            pinetl__buf_puts(b, ",");
        if (j->rc) {
            pinetl__buf_puts(b, "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":");
            pinetl__buf_json_string(b, j->err, strlen(j->err));
            pinetl__buf_puts(b, "}");
        } else {
            pinetl__buf_puts(b, "{\"SequenceNumber\":\"");
            pinetl__serve_u64(b, j->first_seq + i, 21);
            pinetl__buf_puts(b, "\",\"ShardId\":\"shardId-000000000000\"}");
        }
    }
    pinetl__buf_puts(b, "]}");
}
