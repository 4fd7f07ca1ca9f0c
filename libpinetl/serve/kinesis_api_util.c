/* Kinesis' own API: reading a request's members and starting its replies, with Kinesis's error
 * types for members of the wrong type or out of range. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis_api_internal.h"

const char *pinetl__kinesis_api_content_type(void) { return "application/x-amz-json-1.1"; }

void pinetl__kinesis_api_error(serve_reply *r, unsigned status, const char *type, const char *msg) {
    pinetl__kinesis_error(r, status, type, "%s", msg);
    r->content_type = pinetl__kinesis_api_content_type();
}

size_t pinetl__kinesis_api_get_cap(size_t budget) {
    size_t cap = GET_REPLY_MAX;
    if (budget && budget / 2 < cap)
        cap = budget / 2 > REPLY_SMALL ? budget / 2 : REPLY_SMALL;
    return cap;
}

/* The longest reply of a read operation. */
size_t pinetl__kinesis_api_reply_max(int op, const serve_catalog *cat, size_t budget) {
    switch (op) {
    case KOP_LIST_STREAMS: return REPLY_SMALL + cat->nstreams * PER_STREAM;
    case KOP_GET_RECORDS: return pinetl__kinesis_api_get_cap(budget);
    default: return REPLY_SMALL + PER_STREAM;
    }
}

/* ---- reading the body ---- */

/* A member that must be a string, decoded into out (cap bytes with the NUL). 1: present, 0:
 * absent or null, -1: not a string or too long (reply filled). */
int pinetl__kinesis_api_string(const json_value *root, const char *name, char *out, size_t cap,
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
int pinetl__kinesis_api_int(const json_value *root, const char *name, long lo, long hi, long *out,
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

/* ---- replies ---- */

void pinetl__kinesis_api_start_reply(serve_reply *r, size_t max) {
    r->status = 200;
    r->content_type = pinetl__kinesis_api_content_type();
    r->body.len = 0;
    pinetl__serve_buf_exact(&r->body, max);
}
