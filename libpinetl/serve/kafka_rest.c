/* Kafka REST Proxy v2: produce bodies parsed into jobs, and the proxy's reply and error shapes.
 *
 * Bodies are scanned with the project's own JSON scanner (core/json.h): it allocates nothing,
 * keeps each value's exact text (a record's value is landed as its own bytes, compacted onto one
 * line), validates UTF-8, and has no process-global state, so HTTP worker threads parse at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "core/json.h"
#include "io/base64.h"
#include "serve_internal.h"

const char *pinetl__rest_content_type(void) { return "application/vnd.kafka.v2+json"; }

void pinetl__rest_error(serve_reply *r, unsigned status, int code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->status = status;
    r->content_type = pinetl__rest_content_type();
    r->body.len = 0;
    pinetl__buf_printf(&r->body, "{\"error_code\":%d,\"message\":", code);
    pinetl__buf_json_string(&r->body, msg, strlen(msg));
    pinetl__buf_puts(&r->body, "}");
}

void pinetl__rest_list_topics(const serve_catalog *c, serve_reply *r) {
    r->status = 200;
    r->content_type = pinetl__rest_content_type();
    pinetl__buf_puts(&r->body, "[");
    for (size_t i = 0; i < c->ntopics; i++) {
        if (i)
            pinetl__buf_puts(&r->body, ",");
        pinetl__buf_json_string(&r->body, c->topics[i].name, strlen(c->topics[i].name));
    }
    pinetl__buf_puts(&r->body, "]");
}

void pinetl__rest_topic(const serve_topic *t, serve_reply *r) {
    r->status = 200;
    r->content_type = pinetl__rest_content_type();
    pinetl__buf_puts(&r->body, "{\"name\":");
    pinetl__buf_json_string(&r->body, t->name, strlen(t->name));
    pinetl__buf_puts(&r->body, ",\"configs\":{},\"partitions\":[");
    for (int p = 0; p < t->partitions; p++)
        pinetl__buf_printf(&r->body,
                           "%s{\"partition\":%d,\"leader\":0,\"replicas\":"
                           "[{\"broker\":0,\"leader\":true,\"in_sync\":true}]}",
                           p ? "," : "", p);
    pinetl__buf_puts(&r->body, "]}");
}

static uint32_t hash_bytes(const char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h;
}

/* A JSON integer in [0, INT32_MAX] or -1. */
static long small_int(const json_value *v) {
    if (v->type != JSON_NUMBER || v->len > 10)
        return -1;
    long k = 0;
    for (size_t i = 0; i < v->len; i++) {
        if (v->start[i] < '0' || v->start[i] > '9')
            return -1;
        k = k * 10 + (v->start[i] - '0');
    }
    return k;
}

/* Appends a binary (base64) value: decoded; a decoded JSON text is compacted onto one line, other
 * bytes are landed as they are unless they hold a line break. -1 with reply filled on failure. */
static int add_binary(serve_job *j, const json_value *v, size_t i, char **scratch, size_t *cap,
                      serve_reply *reply) {
    if (v->type != JSON_STRING) {
        pinetl__rest_error(reply, 422, 422,
                           "records[%zu].value: the binary format needs a "
                           "base64 string",
                           i);
        return -1;
    }
    if (v->len > *cap) {
        char *p = pinetl__realloc(*scratch, v->len);
        if (!p) {
            pinetl__rest_error(reply, 500, 50002, "out of memory");
            return -1;
        }
        *scratch = p;
        *cap = v->len;
    }
    long k = pinetl__json_string_decode(v, *scratch);
    size_t out, bad;
    if (k < 0 || pinetl__io_base64_decode(*scratch, (size_t)k, *scratch, &out, &bad) != 0) {
        pinetl__rest_error(reply, 422, 422, "records[%zu].value: not valid base64", i);
        return -1;
    }
    json_value parsed;
    json_error err;
    if (pinetl__json_parse(*scratch, *scratch + out, &parsed, &err) == 0) {
        pinetl__serve_json_compact(&j->lines, *scratch, out);
        return 0;
    }
    if (memchr(*scratch, '\n', out) || memchr(*scratch, '\r', out)) {
        pinetl__rest_error(reply, 422, 422,
                           "records[%zu].value: the decoded bytes hold a line "
                           "break and are not JSON; landed files hold one value per line",
                           i);
        return -1;
    }
    pinetl__buf_append(&j->lines, *scratch, out);
    return 0;
}

int pinetl__rest_produce_parse(serve_topic *t, int fmt, const char *body, size_t len,
                               serve_job **job, serve_reply *reply) {
    *job = NULL;
    json_value root, records;
    json_error err;
    if (pinetl__json_parse(body, body + len, &root, &err) != 0) {
        pinetl__rest_error(reply, 400, 400, "malformed JSON at byte %zu: %s%s", err.offset,
                           err.what, err.utf8 ? " (invalid UTF-8)" : "");
        return -1;
    }
    if (root.type != JSON_OBJECT) {
        pinetl__rest_error(reply, 422, 422, "the body must be a JSON object with \"records\"");
        return -1;
    }
    if (!pinetl__json_object_get(&root, "records", &records) || records.type != JSON_ARRAY) {
        pinetl__rest_error(reply, 422, 422, "\"records\" must be an array of records");
        return -1;
    }
    json_value *items;
    size_t n;
    if (pinetl__serve_elements(&records, &items, &n) != 0) {
        pinetl__rest_error(reply, 500, 50002, "out of memory");
        return -1;
    }
    if (n == 0) {
        pinetl__free(items);
        pinetl__rest_error(reply, 422, 422, "records may not be empty");
        return -1;
    }
    serve_job *j = pinetl__calloc(1, sizeof *j);
    if (!j || !(j->off = pinetl__malloc((n + 1) * sizeof *j->off)) ||
        !(j->part = pinetl__malloc(n * sizeof *j->part)) ||
        !(j->offsets = pinetl__malloc(n * sizeof *j->offsets)) ||
        pinetl__serve_buf_exact(&j->lines, len) != 0) { /* records are never longer than body */
        pinetl__free(items);
        pinetl__serve_job_free(j);
        pinetl__rest_error(reply, 500, 50002, "out of memory");
        return -1;
    }
    j->kind = JOB_TOPIC;
    j->topic = t;
    j->n = n;
    char *scratch = NULL;
    size_t scap = 0;
    int rc = 0;
    static const char *const names[] = {"value", "key", "partition"};
    for (size_t i = 0; !rc && i < n; i++) {
        const json_value *rec = &items[i];
        j->off[i] = j->lines.len;
        if (rec->type != JSON_OBJECT) {
            pinetl__rest_error(reply, 422, 422, "records[%zu] is not an object", i);
            rc = -1;
            break;
        }
        json_value m[3];
        pinetl__serve_members(rec, names, 3, m);
        const json_value *v = &m[0], *key = &m[1], *part = &m[2];
        int p;
        if (part->type && part->type != JSON_NULL) {
            long k = small_int(part);
            if (k < 0 || k >= t->partitions) {
                pinetl__rest_error(reply, 404, 40402, "Partition %.*s not found.",
                                   (int)(part->len > 32 ? 32 : part->len), part->start);
                rc = -1;
                break;
            }
            p = (int)k;
        } else if (key->type && key->type != JSON_NULL) {
            p = (int)(hash_bytes(key->start, key->len) % (uint32_t)t->partitions);
        } else {
            p = (int)(atomic_fetch_add(&t->next_part, 1) % (unsigned)t->partitions);
        }
        j->part[i] = p;
        if (!v->type || v->type == JSON_NULL) {
            pinetl__rest_error(reply, 422, 422,
                               "records[%zu] has no value (a null value cannot "
                               "land: the sink writes one value per line)",
                               i);
            rc = -1;
            break;
        }
        if (fmt == REST_BINARY)
            rc = add_binary(j, v, i, &scratch, &scap, reply);
        else
            pinetl__serve_json_compact(&j->lines, v->start, v->len);
    }
    pinetl__free(items);
    pinetl__free(scratch);
    if (!rc && j->lines.failed) {
        pinetl__rest_error(reply, 500, 50002, "out of memory");
        rc = -1;
    }
    if (rc) {
        pinetl__serve_job_free(j);
        return -1;
    }
    j->off[n] = j->lines.len;
    *job = j;
    return 0;
}

void pinetl__rest_produce_reply(const serve_job *j, serve_reply *reply) {
    if (j->rc) {
        pinetl__rest_error(reply, 500, 50002, "%s", j->err);
        return;
    }
    reply->status = 200;
    reply->content_type = pinetl__rest_content_type();
    pinetl__buf *b = &reply->body;
    pinetl__buf_puts(b, "{\"key_schema_id\":null,\"value_schema_id\":null,\"offsets\":[");
    for (size_t i = 0; i < j->n; i++) {
        pinetl__buf_puts(b, i ? ",{\"partition\":" : "{\"partition\":");
        pinetl__serve_u64(b, (uint64_t)j->part[i], 0);
        pinetl__buf_puts(b, ",\"offset\":");
        pinetl__serve_u64(b, j->offsets[i], 0);
        pinetl__buf_puts(b, ",\"error_code\":null,\"error\":null}");
    }
    pinetl__buf_puts(b, "]}");
}
