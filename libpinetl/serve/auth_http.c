/* pinetl__serve_auth_check from a libmicrohttpd connection: its headers (looked up by name) and
 * its query arguments (decoded pairs) become a serve_auth_request. */
#include <microhttpd.h>
#include <string.h>
#include <time.h>

#include "serve_internal.h"

enum { MAX_QUERY = 64 };

static const char *header_of(void *ctx, const char *name) {
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

typedef struct query_args {
    const char *kv[2 * MAX_QUERY];
    size_t n;
    int overflow;
} query_args;

static enum MHD_Result take_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
    (void)kind;
    query_args *q = cls;
    if (q->n == MAX_QUERY) {
        q->overflow = 1;
        return MHD_NO;
    }
    q->kv[2 * q->n] = key ? key : "";
    q->kv[2 * q->n + 1] = value ? value : "";
    q->n++;
    return MHD_YES;
}

int pinetl__serve_auth_http(const serve_credentials *creds, struct MHD_Connection *conn,
                            const char *method, const char *path, int endpoint,
                            const char *resource, int action, const char *operation,
                            const char *body, size_t body_len, int body_known, serve_reply *reply) {
    if (!creds)
        return AUTH_ALLOWED;
    query_args q;
    q.n = 0;
    q.overflow = 0;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, take_arg, &q);
    serve_auth_request rq = {.method = method,
                             .path = path,
                             .query = q.kv,
                             .nquery = q.overflow ? 0 : q.n, /* too many: the signature fails */
                             .header = header_of,
                             .header_ctx = conn,
                             .body = body,
                             .body_len = body_len,
                             .body_known = body_known,
                             .endpoint = endpoint,
                             .resource = resource,
                             .action = action,
                             .operation = operation,
                             .now_s = (int64_t)time(NULL)};
    return pinetl__serve_auth_check(creds, &rq, reply);
}
