/* Fuzz target: one request to pinetl serve, without a network (pinetl__serve_handle).
 *
 * The input is "METHOD URL [CONTENT-TYPE [X-AMZ-TARGET]]\n" followed by the body; a missing
 * newline is a request with no body. A target makes it a request of Kinesis' own API. The catalogue is the default one for the prefix "pinetl" (topics
 * pinetl.pin/geo/user, streams streaming-pinetl-pin/geo/user); nothing is opened or written:
 * a valid job is committed on paper (offsets 0..n-1, sequence numbers from 1).
 *
 * Whatever the bytes: every reply has an HTTP status the server uses and a body that cJSON
 * parses; a 200 produce reply has one offset per record of the body's "records" (counted by
 * cJSON), a PutRecords reply one entry per "Records" element, a PutRecord reply a
 * SequenceNumber and ShardId. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve/serve_internal.h"
#include "util/buf.h"

static int status_ok(unsigned s) {
    static const unsigned ok[] = {200, 400, 404, 405, 408, 413, 415, 422, 500, 503};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (s == ok[i])
            return 1;
    return 0;
}

/* The number of elements of body's array member name, per cJSON; -1 when it has none. */
static int count_of(const char *body, size_t len, const char *name) {
    cJSON *root = cJSON_ParseWithLength(body, len);
    int n = -1;
    if (root) {
        cJSON *a = cJSON_GetObjectItemCaseSensitive(root, name);
        if (cJSON_IsArray(a))
            n = cJSON_GetArraySize(a);
        cJSON_Delete(root);
    }
    return n;
}

static cJSON *check_reply(const serve_reply *r) {
    FUZZ_ASSERT(status_ok(r->status));
    FUZZ_ASSERT(!r->body.failed && r->body.p != NULL && r->content_type != NULL);
    cJSON *root = cJSON_ParseWithLength(r->body.p, r->body.len);
    /* An object, but for the list of topics (an array of names, as the REST Proxy answers). */
    FUZZ_ASSERT(root != NULL &&
                (cJSON_IsObject(root) || (r->status == 200 && cJSON_IsArray(root))));
    /* An error names itself: error_code and message (REST) or __type and message (Kinesis). */
    if (r->status != 200)
        FUZZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "message")));
    FUZZ_ASSERT(r->status != 405 || r->allow != NULL);
    return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static serve_catalog cat;
    static int loaded;
    if (!loaded) {
        FUZZ_ASSERT(pinetl__serve_catalog_load(&cat, NULL, "pinetl") == PINETL_OK);
        loaded = 1;
    }
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    size_t head_len = nl ? (size_t)(nl - p) : size;
    char *head = malloc(head_len + 1);
    FUZZ_ASSERT(head != NULL);
    memcpy(head, p, head_len);
    head[head_len] = '\0';
    const char *body = nl ? nl + 1 : "";
    size_t body_len = nl ? size - head_len - 1 : 0;
    /* Up to four space-separated words; NUL bytes in them end them early, as in C strings. */
    char *words[4] = {"", "", NULL, NULL};
    char *save = NULL;
    for (int i = 0; i < 4; i++) {
        char *w = strtok_r(i ? NULL : head, " ", &save);
        if (!w)
            break;
        words[i] = w;
    }

    serve_reply reply;
    memset(&reply, 0, sizeof reply);
    serve_job *job = NULL;
    int many = 0;
    int got = pinetl__serve_handle_target(&cat, words[0], words[1], words[2], words[3], body,
                                          body_len, &job, &many, &reply);
    if (got) {
        FUZZ_ASSERT(job != NULL && job->n > 0);
        FUZZ_ASSERT(reply.body.p == NULL);
        for (size_t i = 0; job->offsets && i < job->n; i++)
            job->offsets[i] = i;
        job->first_seq = 1;
        if (job->kind == JOB_TOPIC) {
            FUZZ_ASSERT(job->off[job->n] == job->lines.len);
            for (size_t i = 0; i < job->n; i++) {
                FUZZ_ASSERT(job->off[i] <= job->off[i + 1]);
                FUZZ_ASSERT(job->part[i] >= 0 && job->part[i] < job->topic->partitions);
            }
        }
        pinetl__serve_job_reply(job, many, &reply);
        cJSON *root = check_reply(&reply);
        FUZZ_ASSERT(reply.status == 200);
        if (job->kind == JOB_TOPIC) {
            cJSON *offsets = cJSON_GetObjectItemCaseSensitive(root, "offsets");
            FUZZ_ASSERT(cJSON_IsArray(offsets));
            FUZZ_ASSERT((size_t)cJSON_GetArraySize(offsets) == job->n);
            FUZZ_ASSERT(count_of(body, body_len, "records") == (int)job->n);
        } else if (many) {
            cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "Records");
            FUZZ_ASSERT(cJSON_IsArray(recs));
            FUZZ_ASSERT((size_t)cJSON_GetArraySize(recs) == job->n);
            FUZZ_ASSERT(count_of(body, body_len, "Records") == (int)job->n);
        } else {
            FUZZ_ASSERT(job->n == 1);
            FUZZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "SequenceNumber")));
            FUZZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "ShardId")));
        }
        cJSON_Delete(root);
        pinetl__serve_job_free(job);
    } else {
        FUZZ_ASSERT(job == NULL);
        cJSON *root = check_reply(&reply);
        cJSON_Delete(root);
    }
    pinetl__buf_free(&reply.body);
    free(head);
    return 0;
}
