/* What the files of Kinesis' own API share (kinesis_api.c: routing, the body, listing and
 * describing; kinesis_read.c: iterators and GetRecords; kinesis_api_util.c: members and
 * replies). */
#ifndef PINETL_SERVE_KINESIS_API_INTERNAL_H
#define PINETL_SERVE_KINESIS_API_INTERNAL_H

#include "core/json.h"
#include "serve_internal.h"

#define KINESIS_SHARD_ID "shardId-000000000000"
#define KINESIS_ACCOUNT "000000000000"

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

/* An error reply of the API: Kinesis's shape, the API's content type. */
void pinetl__kinesis_api_error(serve_reply *r, unsigned status, const char *type, const char *msg);
#define ERRF(r, status, type, ...)                                 \
    do {                                                           \
        pinetl__kinesis_error((r), (status), (type), __VA_ARGS__); \
        (r)->content_type = pinetl__kinesis_api_content_type();    \
    } while (0)

/* A member that must be a string, decoded into out (cap bytes with the NUL). 1: present, 0:
 * absent or null, -1: not a string or too long (reply filled). */
int pinetl__kinesis_api_string(const json_value *root, const char *name, char *out, size_t cap,
                               serve_reply *reply);
/* A member that must be an integer in [lo, hi] (lo - 1 when absent); above hi the error is
 * type_above. -1 with reply filled. */
int pinetl__kinesis_api_int(const json_value *root, const char *name, long lo, long hi, long *out,
                            const char *type_above, serve_reply *reply);
/* A 200 reply whose body has room for max bytes, all it may hold (the memory budget counted
 * them). */
void pinetl__kinesis_api_start_reply(serve_reply *r, size_t max);
/* The longest reply of a read operation; GetRecords' within budget (0: none). */
size_t pinetl__kinesis_api_reply_max(int op, const serve_catalog *cat, size_t budget);
size_t pinetl__kinesis_api_get_cap(size_t budget);

/* kinesis_read.c: GetShardIterator and GetRecords (-1 with reply filled, as the API's run). */
int pinetl__kinesis_api_get_shard_iterator(kinesis_call *c, serve_reply *reply);
int pinetl__kinesis_api_get_records(kinesis_call *c, serve_reply *reply);

#endif
