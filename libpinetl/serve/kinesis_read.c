/* Kinesis' own API, reading: GetShardIterator (a position in the stream log, as an opaque
 * iterator: kinesis_iter.c) and GetRecords (the acknowledged records after it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/streamlog.h>

#include "util/error.h"
#include "kinesis_api_internal.h"

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
             text, KINESIS_SHARD_ID, s->name, KINESIS_ACCOUNT);
        return -1;
    }
}

int pinetl__kinesis_api_get_shard_iterator(kinesis_call *c, serve_reply *reply) {
    serve_stream *s = c->stream;
    char shard[64], type[32], seqtext[64];
    int64_t ts_us = -1;
    int hs = pinetl__kinesis_api_string(c->root, "ShardId", shard, sizeof shard, reply);
    int ht =
        hs < 0 ? -1
               : pinetl__kinesis_api_string(c->root, "ShardIteratorType", type, sizeof type, reply);
    int hq = ht < 0 ? -1
                    : pinetl__kinesis_api_string(c->root, "StartingSequenceNumber", seqtext,
                                                 sizeof seqtext, reply);
    if (hs < 0 || ht < 0 || hq < 0)
        return -1;
    if (!hs || !ht) {
        ERRF(reply, 400, "ValidationException",
             "1 validation error detected: Value null at '%s' failed to satisfy constraint: "
             "Member must not be null",
             hs ? "shardIteratorType" : "shardId");
        return -1;
    }
    if (strcmp(shard, KINESIS_SHARD_ID)) {
        ERRF(reply, 400, "ResourceNotFoundException",
             "Shard %.60s in stream %s under account %s does not exist", shard, s->name,
             KINESIS_ACCOUNT);
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
            pinetl__kinesis_api_error(reply, 400, "InvalidArgumentException",
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
                 seqtext, KINESIS_SHARD_ID, s->name, KINESIS_ACCOUNT);
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
    pinetl__kinesis_api_start_reply(reply, pinetl__kinesis_api_reply_max(c->op, c->cat, c->budget));
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

int pinetl__kinesis_api_get_records(kinesis_call *c, serve_reply *reply) {
    serve_stream *s = c->stream;
    long limit;
    if (pinetl__kinesis_api_int(c->root, "Limit", 1, GET_MAX_RECORDS, &limit,
                                "InvalidArgumentException", reply))
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
    size_t cap = pinetl__kinesis_api_get_cap(c->budget);
    pinetl__kinesis_api_start_reply(reply, cap);
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
