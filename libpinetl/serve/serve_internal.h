/* What the parts of the server share: the catalogue of topics and streams, jobs handed to the
 * committer, reply buffers. */
#ifndef PINETL_SERVE_INTERNAL_H
#define PINETL_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <pinetl/streamlog.h>

#include "landing/landing.h"
#include "metrics.h"
#include "util/buf.h"
#include "util/file_id.h"
#include "serve.h"

struct MHD_Connection;

/* ---- reply text: util's buffer, used sticky (b->failed checked once, at the end) ---- */
/* Gives an empty buffer room for exactly n bytes (and the NUL): appends within n never double
 * it past what the memory budget counted. -1 (and b->failed) when out of memory. */
int pinetl__serve_buf_exact(pinetl__buf *b, size_t n);
/* Appends a checked JSON value's text without insignificant whitespace (one line). */
void pinetl__serve_json_compact(pinetl__buf *b, const char *p, size_t n);
void pinetl__serve_u64(pinetl__buf *b, uint64_t v, int width); /* decimal, zero-padded to width */

/* ---- JSON helpers (values already checked by pinetl__json_parse) ---- */
struct json_value;
/* One pass over an object's members: out[i] is the member named names[i], or has type 0. */
void pinetl__serve_members(const struct json_value *object, const char *const *names, size_t k,
                           struct json_value *out);
/* The elements of an array, in a malloc'd array (*items, free it). -1 when out of memory. */
int pinetl__serve_elements(const struct json_value *array, struct json_value **items, size_t *n);

/* ---- catalogue ---- */
typedef struct serve_topic {
    char *name;
    int partitions;
    pinetl__landing **parts;
    atomic_uint next_part; /* round robin for records without key or partition */
    int dirty;             /* committer only */
    _Atomic uint64_t acked_records, acked_bytes; /* metrics: added by the committer */
} serve_topic;

typedef struct serve_stream {
    char *name;
    char *path;
    pinetl_streamlog *log;
    pinetl__file_id id; /* the log file opened: checked before each ack (deleted landing) */
    int dirty, broken;  /* committer only */
    int64_t created_s;
    _Atomic uint64_t acked_records, acked_bytes; /* metrics: added by the committer */
} serve_stream;

typedef struct serve_catalog {
    serve_topic *topics;
    size_t ntopics;
    serve_stream *streams;
    size_t nstreams;
    pinetl__serve_metrics *metrics; /* the server's counters (NULL: none, as in tests) */
} serve_catalog;

/* [A-Za-z0-9._-]{1,249}, not "." or "..". */
int pinetl__serve_name_ok(const char *s, size_t n);
/* From the config file, or the defaults for prefix. Names only; nothing opened. */
int pinetl__serve_catalog_load(serve_catalog *c, const char *config, const char *prefix);
/* Opens every topic partition's landing writer and every stream's log under landing (the
 * options' flush_size, rotate_ms, fsync, log); on failure what was opened stays for _close. */
int pinetl__serve_stores_open(serve_catalog *cat, const char *landing,
                              const pinetl_serve_options *o);
/* Closes them (a last sync of the streams when fsync); the first error code. */
int pinetl__serve_stores_close(serve_catalog *cat, int fsync);
serve_topic *pinetl__serve_topic_find(serve_catalog *c, const char *name);
serve_stream *pinetl__serve_stream_find(serve_catalog *c, const char *name);
void pinetl__serve_catalog_free(serve_catalog *c);

/* ---- jobs: validated records waiting for the committer ---- */
enum { JOB_TOPIC = 1, JOB_STREAM = 2 };

typedef struct serve_job {
    struct serve_job *next;
    struct MHD_Connection *conn; /* resumed when done */
    int kind;
    serve_topic *topic;
    serve_stream *stream;
    size_t n;
    /* topic: record i is lines[off[i] .. off[i+1]), to partition part[i] */
    pinetl__buf lines;
    size_t *off;
    int *part;
    uint64_t *offsets; /* out: offset of each record */
    /* stream */
    pinetl_streamlog_record *recs;
    uint64_t first_seq; /* out */
    /* out */
    int rc; /* 0 ok, else a pinetl code; message in err */
    char err[256];
    atomic_int done;
} serve_job;

void pinetl__serve_job_free(serve_job *j);
/* The memory budget (--max-memory) counts, per request: 2 x its body while it arrives (the body
 * and the job's copy of its records, which is never larger); once it is in, before it is parsed,
 * pinetl__serve_parse_bytes more (the parsed values, the job's index and the reply, for the most
 * records the body can hold); after parsing, exactly pinetl__serve_job_bytes plus
 * pinetl__serve_reply_max until the reply is sent. */
size_t pinetl__serve_job_bytes(const serve_job *j);
/* The longest reply to a job of n records (success or failure). many: PutRecords. */
size_t pinetl__serve_reply_max(int kind, int many, size_t n);
/* What parsing a complete body holds besides its text and the records' copy (a REST body has at
 * most one record per '{'; a PutRecords at most 500). */
size_t pinetl__serve_parse_bytes(int kind, int many, const char *body, size_t len);

/* ---- the committer: one thread appends queued jobs, syncs once, resumes their connections ---- */
typedef struct serve_committer serve_committer;
int pinetl__serve_committer_start(serve_committer **out, serve_catalog *cat, int fsync, FILE *log);
void pinetl__serve_committer_submit(serve_committer *c, serve_job *j);
/* Drains the queue, stops the thread. */
void pinetl__serve_committer_stop(serve_committer *c);
/* Commits one job in the calling thread, as the committer would (tests, with no committer
 * running on cat): appends, syncs, sets j->rc or the offsets / first sequence number. */
void pinetl__serve_commit_now(serve_catalog *cat, int fsync, serve_job *j);

/* ---- request handlers: parse and validate a body into a job, or produce an error reply ---- */
typedef struct serve_reply {
    unsigned status;
    pinetl__buf body;
    const char *content_type;
    const char *allow; /* for 405 */
} serve_reply;

/* Kafka REST Proxy v2. fmt: 1 JSON embedded, 2 binary. On a validation failure: returns -1 and
 * fills reply; else 0 with *job set. */
enum { REST_JSON = 1, REST_BINARY = 2 };
int pinetl__rest_produce_parse(serve_topic *t, int fmt, const char *body, size_t len,
                               serve_job **job, serve_reply *reply);
void pinetl__rest_produce_reply(const serve_job *j, serve_reply *reply);
void pinetl__rest_error(serve_reply *r, unsigned status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pinetl__rest_list_topics(const serve_catalog *c, serve_reply *r);
void pinetl__rest_topic(const serve_topic *t, serve_reply *r);
const char *pinetl__rest_content_type(void);

/* Kinesis through API Gateway. many: PutRecords. */
int pinetl__kinesis_put_parse(serve_stream *s, int many, const char *body, size_t len,
                              serve_job **job, serve_reply *reply);
void pinetl__kinesis_put_reply(const serve_job *j, int many, serve_reply *reply);
void pinetl__kinesis_error(serve_reply *r, unsigned status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pinetl__kinesis_list_streams(const serve_catalog *c, serve_reply *r);
void pinetl__kinesis_describe(const serve_stream *s, serve_reply *r);

/* One request without a network (the seam for tests and fuzzing): routes method, url and
 * content type (NULL: none) as the server does, then parses the body of a produce or put. Returns
 * 1 with *job set (valid records: commit them, then pinetl__serve_job_reply with *many), or 0
 * with *reply filled (an answer or a refusal; free reply->body). Nothing is opened or written. */
int pinetl__serve_handle(serve_catalog *cat, const char *method, const char *url,
                         const char *content_type, const char *body, size_t len, serve_job **job,
                         int *many, serve_reply *reply);
/* The reply to a committed job (j->rc set: an error reply). */
void pinetl__serve_job_reply(const serve_job *j, int many, serve_reply *reply);

int64_t pinetl__serve_now_ms(void);

#endif
