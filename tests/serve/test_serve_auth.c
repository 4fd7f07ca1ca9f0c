/* pinetl__serve_auth_check without a network: SigV4 against AWS's published test-suite example
 * (get-vanilla and post-vanilla of the aws-sig-v4-test-suite: the documentation's example key,
 * AKIDEXAMPLE, not a credential), the 5-minute window, each endpoint's refusal, permissions, and
 * the credentials file under allocation failure, and which addresses need TLS and credentials. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc_sweep.h"
#include "serve/serve_internal.h"
#include "util/buf.h"

static char creds_path[256];

/* AWS's example secret and the scope of its test suite. */
#define EXAMPLE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
static const int64_t suite_time = 1440938160; /* 20150830T123600Z */

static const char creds_json[] =
    "{\"aws\":[{\"name\":\"suite\",\"access_key_id\":\"AKIDEXAMPLE\","
    "\"secret_access_key\":\"" EXAMPLE_SECRET "\",\"write\":[\"s-*\"],\"read\":[\"*\"]}],"
    "\"api_keys\":[{\"key\":\"k1\",\"write\":[\"s-pin\"]}],"
    "\"users\":[{\"user\":\"u\",\"password\":\"p\",\"write\":[\"t.pin\"],\"read\":[]}]}";

typedef struct headers {
    const char *kv[16];
} headers;

static const char *lookup(void *ctx, const char *name) {
    headers *h = ctx;
    for (int i = 0; h->kv[i]; i += 2)
        if (!strcasecmp(h->kv[i], name))
            return h->kv[i + 1];
    return NULL;
}

static serve_credentials *load(void) {
    serve_credentials *c = NULL;
    CHECK_INT(pinetl__serve_credentials_load(&c, creds_path), PINETL_OK);
    return c;
}

static serve_auth_request vanilla(headers *h, const char *authorization) {
    h->kv[0] = "Host", h->kv[1] = "example.amazonaws.com";
    h->kv[2] = "X-Amz-Date", h->kv[3] = "20150830T123600Z";
    h->kv[4] = "Authorization", h->kv[5] = authorization;
    h->kv[6] = NULL;
    serve_auth_request rq = {.method = "GET",
                             .path = "/",
                             .header = lookup,
                             .header_ctx = h,
                             .body = "",
                             .body_len = 0,
                             .body_known = 1,
                             .endpoint = AUTH_API_GATEWAY,
                             .resource = "s-pin",
                             .action = AUTH_WRITE,
                             .now_s = suite_time};
    return rq;
}

#define AUTHZ(sig)                                                                      \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " \
    "SignedHeaders=host;x-amz-date, Signature=" sig

static void test_sigv4_aws_test_suite_vectors(void) {
    serve_credentials *c = load();
    headers h;
    serve_reply r;
    memset(&r, 0, sizeof r);
    serve_auth_request rq =
        vanilla(&h, AUTHZ("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    rq = vanilla(&h, AUTHZ("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
    rq.method = "POST";
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    /* Before the body: everything but the signature is checked. */
    rq.body_known = 0;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_NEED_BODY);
    pinetl__serve_credentials_free(c);
}

static void test_sigv4_refusals_per_endpoint(void) {
    serve_credentials *c = load();
    headers h;
    serve_reply r;
    memset(&r, 0, sizeof r);
    const char *good = AUTHZ("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    const char *bad = AUTHZ("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30");
    serve_auth_request rq = vanilla(&h, bad);
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK_INT(r.status, 403);
    CHECK(strstr(r.body.p, "\"message\":\"The request signature we calculated does not match"));
    CHECK_STR(r.extra_value, "InvalidSignatureException");
    rq.endpoint = AUTH_KINESIS_JSON;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK_INT(r.status, 400);
    CHECK(strstr(r.body.p, "{\"__type\":\"InvalidSignatureException\""));
    CHECK_STR(r.content_type, "application/x-amz-json-1.1");
    /* The window: 300 s either way is in, 301 is out. */
    rq = vanilla(&h, good);
    rq.now_s = suite_time + 300;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    rq.now_s = suite_time - 300;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    rq.now_s = suite_time + 301;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK(strstr(r.body.p, "Signature expired: 20150830T123600Z is now earlier than "
                           "20150830T123601Z (20150830T124101Z - 5 min.)"));
    rq.now_s = suite_time - 301;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK(strstr(r.body.p, "Signature not yet current"));
    /* Unknown key id; no Authorization at all. */
    rq = vanilla(&h, "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20150830/us-east-1/service/"
                     "aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
    rq.endpoint = AUTH_KINESIS_JSON;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK(strstr(r.body.p, "{\"__type\":\"UnrecognizedClientException\""));
    h.kv[4] = NULL;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK(strstr(r.body.p, "MissingAuthenticationTokenException"));
    /* Signed, not permitted: Kinesis's AccessDeniedException names the operation. */
    rq = vanilla(&h, good);
    rq.endpoint = AUTH_KINESIS_JSON;
    rq.resource = "other";
    rq.operation = "PutRecords";
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK(strstr(r.body.p, "\"AccessDeniedException\",\"message\":\"User: suite is not "
                           "authorized to perform: kinesis:PutRecords on resource: other\""));
    /* A listing (no resource) needs only a valid credential. */
    rq.resource = NULL;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    CHECK(!strstr(r.body.p, EXAMPLE_SECRET));
    pinetl__buf_free(&r.body);
    pinetl__serve_credentials_free(c);
}

static void test_basic_and_api_key(void) {
    serve_credentials *c = load();
    headers h = {{"Authorization", "Basic dTpw", NULL}}; /* u:p */
    serve_reply r;
    memset(&r, 0, sizeof r);
    serve_auth_request rq = {.method = "POST",
                             .path = "/topics/t.pin",
                             .header = lookup,
                             .header_ctx = &h,
                             .body_known = 1,
                             .endpoint = AUTH_KAFKA_REST,
                             .resource = "t.pin",
                             .action = AUTH_WRITE,
                             .now_s = 0};
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    rq.action = AUTH_READ;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK_INT(r.status, 403);
    CHECK(strstr(r.body.p, "{\"error_code\":40301,"));
    h.kv[1] = "Basic dTpx"; /* u:q */
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK_INT(r.status, 401);
    CHECK(strstr(r.body.p, "{\"error_code\":40101,"));
    CHECK_STR(r.extra_header, "WWW-Authenticate");
    h.kv[0] = "x-api-key", h.kv[1] = "k1";
    rq.endpoint = AUTH_API_GATEWAY, rq.resource = "s-pin", rq.action = AUTH_WRITE;
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_ALLOWED);
    h.kv[1] = "k2";
    CHECK_INT(pinetl__serve_auth_check(c, &rq, &r), AUTH_REFUSED);
    CHECK_STR(r.body.p, "{\"message\":\"Forbidden\"}");
    pinetl__buf_free(&r.body);
    pinetl__serve_credentials_free(c);
    CHECK_INT(pinetl__serve_auth_check(NULL, &rq, &r), AUTH_ALLOWED); /* no --credentials */
}

static void test_credentials_file_private(void) {
    serve_credentials *c = NULL;
    chmod(creds_path, 0640);
    CHECK_INT(pinetl__serve_credentials_load(&c, creds_path), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "may be read or written by group or others"));
    CHECK(!strstr(pinetl_error_last(), EXAMPLE_SECRET));
    chmod(creds_path, 0600);
}

static int load_path(char *digest, size_t cap) {
    serve_credentials *c = NULL;
    int rc = pinetl__serve_credentials_load(&c, creds_path);
    if (rc)
        return rc;
    headers h;
    serve_reply r;
    memset(&r, 0, sizeof r);
    serve_auth_request rq =
        vanilla(&h, AUTHZ("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    rc = pinetl__serve_auth_check(c, &rq, &r);
    snprintf(digest, cap, "%d", rc);
    /* Out of memory inside the check: a 500, never a wrong verdict. */
    int refused_oom = rc == AUTH_REFUSED && r.status == 500;
    CHECK(rc == AUTH_ALLOWED || refused_oom);
    pinetl__buf_free(&r.body);
    pinetl__serve_credentials_free(c);
    return rc == AUTH_ALLOWED ? PINETL_OK : PINETL_ENOMEM;
}

static void test_credentials_alloc_failure(void) {
    alloc_sweep("credentials", load_path, 64, ALLOC_SWEEP_MESSAGE);
}

/* Loopback needs nothing; any other address (the wildcards included) TLS and credentials. */
static void test_exposure_by_address(void) {
    pinetl_serve_options o;
    pinetl_serve_options_init(&o, PINETL_SERVE_OPTIONS_VERSION);
    static const char *const loop[] = {"127.0.0.1", "127.0.0.2", "127.255.0.9", "::1",
                                       "::ffff:127.0.0.1"};
    static const char *const open_[] = {"0.0.0.0",         "::",          "10.0.0.1", "192.168.1.2",
                                        "::ffff:10.0.0.1", "2001:db8::1", "128.0.0.1"};
    for (size_t i = 0; i < sizeof loop / sizeof *loop; i++) {
        o.listen_host = loop[i];
        CHECK_INT(pinetl__serve_exposure_check(&o, NULL), PINETL_OK);
    }
    for (size_t i = 0; i < sizeof open_ / sizeof *open_; i++) {
        o.listen_host = open_[i];
        CHECK_INT(pinetl__serve_exposure_check(&o, NULL), PINETL_EINVAL);
        CHECK(strstr(pinetl_error_last(), "without TLS (--tls-cert, --tls-key) and credentials"));
    }
    o.listen_host = "0.0.0.0";
    o.tls_cert = "c.pem", o.tls_key = "k.pem";
    CHECK_INT(pinetl__serve_exposure_check(&o, NULL), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "without credentials (--credentials)"));
    o.credentials = "creds.json";
    CHECK_INT(pinetl__serve_exposure_check(&o, NULL), PINETL_OK);
    /* The testing hook: one loopback address counts as public. */
    o.tls_cert = o.tls_key = o.credentials = NULL;
    o.listen_host = "127.0.0.2";
    o.test_public_address = "127.0.0.2";
    CHECK_INT(pinetl__serve_exposure_check(&o, NULL), PINETL_EINVAL);
    o.listen_host = "127.0.0.1";
    CHECK_INT(pinetl__serve_exposure_check(&o, NULL), PINETL_OK);
    /* The opt-out starts, and says so. */
    o.listen_host = "::";
    o.insecure_no_tls_no_auth = 1;
    FILE *log = tmpfile();
    CHECK_INT(pinetl__serve_exposure_check(&o, log), PINETL_OK);
    char line[400] = "";
    rewind(log);
    CHECK(fgets(line, sizeof line, log) != NULL);
    CHECK(strstr(line, "WARNING: --insecure-no-tls-no-auth: listening on :: without TLS"));
    fclose(log);
}

int main(void) {
    snprintf(creds_path, sizeof creds_path, "/tmp/pinetl-auth-%ld.json", (long)getpid());
    int fd = open(creds_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, creds_json, sizeof creds_json - 1) != (ssize_t)(sizeof creds_json - 1))
        return 1;
    close(fd);
    RUN(test_sigv4_aws_test_suite_vectors);
    RUN(test_sigv4_refusals_per_endpoint);
    RUN(test_basic_and_api_key);
    RUN(test_credentials_file_private);
    RUN(test_credentials_alloc_failure);
    RUN(test_exposure_by_address);
    unlink(creds_path);
    return check_done();
}
