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
    /* The last record made durable (0: none) and the log's size then, set by the committer after
     * each sync: what Kinesis' GetRecords may return (acknowledged records only). */
    _Atomic uint64_t durable_seq, durable_end;
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

/* The uploader of --upload (upload.c): a thread that PUTs every rolled topic file of the
 * catalog's partitions to dest (s3://bucket/prefix) under its landing-relative name, marking
 * each done in <landing>/.serve/uploaded/. Start fails on a bad URI or S3 configuration. Stop
 * ends the thread, then tries what is pending once until budget_ms has passed, and frees. */
typedef struct serve_uploader serve_uploader;
int pinetl__serve_uploader_start(serve_uploader **out, serve_catalog *cat, const char *landing,
                                 const char *dest, pinetl__serve_metrics *m, FILE *log);
void pinetl__serve_uploader_stop(serve_uploader *u, int64_t budget_ms);
/* Commits one job in the calling thread, as the committer would (tests, with no committer
 * running on cat): appends, syncs, sets j->rc or the offsets / first sequence number. */
void pinetl__serve_commit_now(serve_catalog *cat, int fsync, serve_job *j);

/* ---- request handlers: parse and validate a body into a job, or produce an error reply ---- */
typedef struct serve_reply {
    unsigned status;
    pinetl__buf body;
    const char *content_type;
    const char *allow; /* for 405 */
    /* one more header, or NULL: WWW-Authenticate (Kafka REST's 401), x-amzn-ErrorType (API
     * Gateway's and Kinesis's refusals) */
    const char *extra_header, *extra_value;
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
/* The same from a parsed body (len: its length, which bounds the records' text). native: Kinesis'
 * own API, where Data is always base64 (the readers' rule otherwise). */
int pinetl__kinesis_put_build(serve_stream *s, int many, int native, const struct json_value *root,
                              size_t len, serve_job **job, serve_reply *reply);
void pinetl__kinesis_put_reply(const serve_job *j, int many, serve_reply *reply);
void pinetl__kinesis_error(serve_reply *r, unsigned status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pinetl__kinesis_list_streams(const serve_catalog *c, serve_reply *r);
void pinetl__kinesis_describe(const serve_stream *s, serve_reply *r);

/* ---- Kinesis' own JSON API (kinesis_api.c): POST / with X-Amz-Target ---- */
enum {
    KOP_LIST_STREAMS = 1,
    KOP_DESCRIBE_STREAM,
    KOP_DESCRIBE_SUMMARY,
    KOP_LIST_SHARDS,
    KOP_PUT_RECORD,
    KOP_PUT_RECORDS,
    KOP_GET_SHARD_ITERATOR,
    KOP_GET_RECORDS
};

/* A shard iterator's contents (kinesis_iter.c): the stream, the log it was taken in, the position
 * (after record after_seq, at byte hint) and when it expires. */
typedef struct kinesis_iter {
    char log_id[32]; /* the log's identity in hex (zeros: a log without one) */
    uint64_t after_seq, hint;
    int64_t expires_ms;
    char stream[250]; /* NUL-terminated */
} kinesis_iter;
enum { KINESIS_ITER_TEXT_MAX = 512 }; /* the encoded text, quotes included, is never longer */
/* Appends the iterator as a quoted JSON string (opaque base64 with a checksum). */
int pinetl__kinesis_iter_encode(pinetl__buf *b, const kinesis_iter *it);
/* 0, or -1 when the text is no iterator this server made (bad base64, length or checksum). */
int pinetl__kinesis_iter_decode(kinesis_iter *it, const char *text, size_t n);

/* One request of the API, between its parse and its execution. */
typedef struct kinesis_call {
    int op;               /* KOP_* */
    int write;            /* 1: PutRecord(s) write records; every other operation reads */
    serve_stream *stream; /* the stream named (by StreamName, StreamARN or the shard iterator);
                             NULL for ListStreams, which touches none */
    serve_catalog *cat;
    struct json_value *root; /* the body, parsed (points into it) */
    size_t len;              /* the body's length */
    size_t budget;           /* the server's memory budget (0: none), bounding read replies */
    kinesis_iter it;         /* GetRecords: the iterator, decoded */
} kinesis_call;

/* The operation named by X-Amz-Target, for a POST / of Content-Type application/x-amz-json-1.1:
 * 0 with *op set, or -1 with reply filled (the API's error shapes). */
int pinetl__kinesis_api_route(int *op, const char *method, const char *content_type,
                              const char *target, serve_reply *reply);
/* The operation's name ("PutRecords"; NULL for an unknown op), for AccessDenied texts. */
const char *pinetl__kinesis_api_op_name(int op);
/* Bytes of memory a read operation needs besides its body (the parse, a stream reader, the
 * longest reply), for the server's memory budget; budget as in kinesis_call. PutRecord(s) hold
 * what the API Gateway's puts hold (pinetl__serve_parse_bytes). */
size_t pinetl__kinesis_api_bytes(int op, const serve_catalog *cat, const char *body, size_t len,
                                 size_t budget);
/* Parses the body and finds what the request touches: c->stream and c->write are known when it
 * returns 0 -- the one place where a caller checks who may read or write which stream (before
 * pinetl__kinesis_api_run). -1 with reply filled on a bad request. root: storage for the parsed
 * body, which must outlive c. */
int pinetl__kinesis_api_prepare(kinesis_call *c, struct json_value *root, serve_catalog *cat,
                                int op, const char *body, size_t len, size_t budget,
                                serve_reply *reply);
/* Executes a prepared call: PutRecord(s) give 0 with *job set (records to commit, answered by
 * pinetl__serve_job_reply with many = op is PutRecords); every other operation -1 with reply
 * filled (its answer, or an error). */
int pinetl__kinesis_api_run(kinesis_call *c, serve_job **job, serve_reply *reply);
const char *pinetl__kinesis_api_content_type(void);

/* One request without a network (the seam for tests and fuzzing): routes method, url and
 * content type (NULL: none) as the server does, then parses the body of a produce or put. Returns
 * 1 with *job set (valid records: commit them, then pinetl__serve_job_reply with *many), or 0
 * with *reply filled (an answer or a refusal; free reply->body). Nothing is opened or written. */
int pinetl__serve_handle(serve_catalog *cat, const char *method, const char *url,
                         const char *content_type, const char *body, size_t len, serve_job **job,
                         int *many, serve_reply *reply);
/* The same with the X-Amz-Target header (NULL: none): Kinesis' own API. */
int pinetl__serve_handle_target(serve_catalog *cat, const char *method, const char *url,
                                const char *content_type, const char *target, const char *body,
                                size_t len, serve_job **job, int *many, serve_reply *reply);
/* The reply to a committed job (j->rc set: an error reply). */
void pinetl__serve_job_reply(const serve_job *j, int many, serve_reply *reply);

int64_t pinetl__serve_now_ms(void);

/* ---- authentication: the credentials file (credentials.c) and the one check (auth.c) ----
 *
 * Every endpoint authenticates as the system it stands in for (docs/security.md):
 *   AUTH_KAFKA_REST    HTTP Basic (Kafka REST Proxy): 401 {"error_code":40101,...} with
 *                      WWW-Authenticate when missing or wrong, 403 {"error_code":40301,...}
 *                      when the user may not use the topic;
 *   AUTH_API_GATEWAY   x-api-key (usage plans) or AWS SigV4: 403 {"message":...} for every
 *                      refusal, with API Gateway's messages and x-amzn-ErrorType;
 *   AUTH_KINESIS_JSON  AWS SigV4 only: 400 {"__type":...,"message":...} with
 *                      MissingAuthenticationTokenException, UnrecognizedClientException,
 *                      InvalidSignatureException, IncompleteSignatureException or
 *                      AccessDeniedException (application/x-amz-json-1.1).
 * Secrets are compared in constant time and never appear in a reply or a log line. */
enum { AUTH_KAFKA_REST = 1, AUTH_API_GATEWAY = 2, AUTH_KINESIS_JSON = 3 };
enum { AUTH_READ = 1, AUTH_WRITE = 2 };
enum { AUTH_ALLOWED = 0, AUTH_REFUSED = 1, AUTH_NEED_BODY = 2 };

typedef struct serve_credentials serve_credentials;
/* Reads the credentials file (JSON, format in credentials.c and docs/security.md); refuses a
 * file readable or writable by group or others. */
int pinetl__serve_credentials_load(serve_credentials **out, const char *path);
/* Reads the file again (SIGHUP): checks that begin later use the new entries. On failure the
 * entries in use stay. */
int pinetl__serve_credentials_reload(serve_credentials *c);
void pinetl__serve_credentials_free(serve_credentials *c);

/* A request header by name (case-insensitive), or NULL. */
typedef const char *(*serve_header_fn)(void *ctx, const char *name);

typedef struct serve_auth_request {
    const char *method;       /* "PUT", "POST", "GET", ... */
    const char *path;         /* decoded path without the query: "/streams/s/records", "/" */
    const char *const *query; /* decoded name, value pairs: query[2i], query[2i+1] */
    size_t nquery;
    serve_header_fn header; /* the request's headers */
    void *header_ctx;
    const char *body; /* the whole body when body_known (SigV4 signs its hash) */
    size_t body_len;
    int body_known;        /* 0: the body has not arrived yet */
    int endpoint;          /* AUTH_KAFKA_REST, AUTH_API_GATEWAY, AUTH_KINESIS_JSON */
    const char *resource;  /* the topic or stream; NULL: a listing (any credential) */
    int action;            /* AUTH_WRITE or AUTH_READ */
    const char *operation; /* for AccessDenied texts ("PutRecords"); NULL: method + path */
    int64_t now_s;         /* the server's clock (Unix seconds) */
} serve_auth_request;

/* THE check, for every route. AUTH_ALLOWED; AUTH_REFUSED with *reply filled with the endpoint's
 * own refusal (status, body, content type, extra header; free reply->body); or AUTH_NEED_BODY:
 * a SigV4 request whose head is valid so far (known key id, well formed, date within 5 minutes)
 * and whose signature covers the body: call again with body_known once the whole body is in,
 * before acting on it (the signature, then the permission, are checked then). Basic and
 * x-api-key are decided from the head alone. The order: authenticate, then authorise
 * (resource + action against the credential's lists), so a stranger learns nothing of a path.
 *
 * How a handler calls it (http.c's authorize() does this for the /topics and /streams routes):
 *   1. after routing, at the request's first call: body_known = 0 if a body is coming, else 1
 *      with an empty body; refused -> answer the refusal (the body is read and discarded);
 *   2. when the whole body is in, if the first call said AUTH_NEED_BODY: again with the body.
 * A route whose resource is only known from the body (the Kinesis API, `POST /` with
 * X-Amz-Target: the StreamName) calls step 1 with resource NULL (rejects a missing, unknown or
 * stale signature before buffering) and step 2 after parsing, with the resource and action of
 * the operation (PutRecord(s): AUTH_WRITE; the reads: AUTH_READ; ListStreams: resource NULL):
 *
 *     serve_auth_request q = {.method = "POST", .path = "/", .header = h, .header_ctx = conn,
 *         .endpoint = AUTH_KINESIS_JSON, .resource = stream_name, .action = AUTH_WRITE,
 *         .operation = "PutRecords", .body = body, .body_len = n, .body_known = 1,
 *         .now_s = time(NULL)};
 *     if (pinetl__serve_auth_check(creds, &q, &reply) != AUTH_ALLOWED) -> send reply
 *
 * or the same through pinetl__serve_auth_http (headers and query from the connection). creds
 * NULL: every request is allowed (no --credentials). pinetl__serve_handle, the network-free
 * seam, does not authenticate. */
int pinetl__serve_auth_check(const serve_credentials *creds, const serve_auth_request *rq,
                             serve_reply *reply);
/* The same from a libmicrohttpd connection (headers and query from conn). */
int pinetl__serve_auth_http(const serve_credentials *creds, struct MHD_Connection *conn,
                            const char *method, const char *path, int endpoint,
                            const char *resource, int action, const char *operation,
                            const char *body, size_t body_len, int body_known, serve_reply *reply);

/* SigV4 (sigv4.c): the signature of a request, given the secret and the parsed Authorization
 * header's scope (date/region/service) and signed header list; hex into sig[65]. 0; -1 when a
 * signed header is absent (no signature can match);
 * PINETL_ENOMEM with a message when out of memory. */
int pinetl__sigv4_signature(char sig[65], const char *secret, size_t secret_len,
                            const serve_auth_request *rq, const char *amz_date,
                            const char *scope_date, const char *region, const char *service,
                            const char *signed_headers);

/* ---- TLS (tls.c): the certificate and key every new connection gets, swapped on reload ---- */
typedef struct serve_tls serve_tls;
/* Loads both PEM files (the key must match the certificate). */
int pinetl__serve_tls_open(serve_tls **out, const char *cert, const char *key);
/* Loads the files again; new connections get the new pair, connections open keep theirs. On
 * failure the pair in use stays. */
int pinetl__serve_tls_reload(serve_tls *t);
void pinetl__serve_tls_free(serve_tls *t);
/* libmicrohttpd's MHD_OPTION_HTTPS_CERT_CALLBACK (a gnutls_certificate_retrieve_function2),
 * which has no closure: it serves the process's one serve_tls (a second is refused). */
void *pinetl__serve_tls_callback(void);

/* ---- exposure (exposure.c): loopback needs nothing, any other address TLS and credentials ---- */
/* 0, or PINETL_EINVAL naming what is missing; with o->insecure_no_tls_no_auth, 0 and a warning
 * on log. */
int pinetl__serve_exposure_check(const pinetl_serve_options *o, FILE *log);

#endif
