/* The client, listing and PUT (s3.h). Listing pages through ListObjectsV2 with
 * continuation tokens and without encoding-type=url (docs/s3.md, "The '+' finding"). */
#include <string.h>

#include "request.h"
#include "util/alloc.h"
#include "util/error.h"

int pinetl__s3_open(pinetl__s3 **out) {
    *out = NULL;
    const pinetl__curl_api *curl;
    const pinetl__expat_api *expat;
    int rc = pinetl__s3_curl(&curl);
    if (!rc)
        rc = pinetl__s3_expat(&expat);
    if (rc)
        return rc;
    pinetl__s3 *s = pinetl__calloc(1, sizeof *s);
    if (!s)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory opening an S3 client");
    if ((rc = pinetl__s3_config_load(&s->cfg)) != PINETL_OK) {
        pinetl__free(s);
        return rc;
    }
    s->curl = curl;
    *out = s;
    return PINETL_OK;
}

void pinetl__s3_free(pinetl__s3 *s) {
    if (!s)
        return;
    if (s->handle)
        s->curl->easy_cleanup(s->handle);
    pinetl__s3_config_free(&s->cfg);
    pinetl__free(s);
}

static int feed_page(void *ud, const char *p, size_t n) { return pinetl__s3_xml_feed(ud, p, n, 0); }

int pinetl__s3_list(pinetl__strlist *out, pinetl__s3 *s, const char *bucket, const char *prefix,
                    const char *uri) {
    char *token = NULL;
    int rc = PINETL_OK;
    do {
        pinetl__buf q = {0};
        pinetl__s3_xml *x = NULL;
        /* SigV4 wants the parameters sorted and encoded: continuation-token < list-type < prefix. */
        if (token) {
            pinetl__buf_puts(&q, "continuation-token=");
            pinetl__s3_encode(&q, token, 0);
            pinetl__buf_puts(&q, "&");
        }
        pinetl__buf_puts(&q, "list-type=2&prefix=");
        pinetl__s3_encode(&q, prefix, 0);
        if (q.failed)
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory listing '%s'", uri);
        else
            rc = pinetl__s3_xml_new(&x, out);
        pinetl__s3_request req = {"GET", bucket,    "", q.p,  uri,  NULL,
                                  0,     feed_page, x,  NULL, NULL, 0};
        if (!rc)
            rc = pinetl__s3_perform(s, &req);
        if (!rc)
            rc = pinetl__s3_xml_feed(x, "", 0, 1);
        pinetl__free(token);
        token = NULL;
        if (!rc && pinetl__s3_xml_truncated(x)) {
            const char *t = pinetl__s3_xml_token(x);
            if (!t || !*t)
                rc = pinetl__error_set(PINETL_EFORMAT,
                                       "listing '%s': a truncated page without a continuation "
                                       "token",
                                       uri);
            else if (!(token = pinetl__strdup(t)))
                rc = pinetl__error_set(PINETL_ENOMEM, "out of memory listing '%s'", uri);
        }
        pinetl__s3_xml_free(x);
        pinetl__buf_free(&q);
    } while (!rc && token);
    pinetl__free(token);
    return rc;
}

int pinetl__s3_put(pinetl__s3 *s, const char *uri, const void *data, size_t len) {
    char *bucket, *key;
    int rc = pinetl__s3_uri_split(&bucket, &key, uri);
    if (rc)
        return rc;
    pinetl__s3_request req = {"PUT", bucket, key, NULL, uri, data, len, NULL, NULL, NULL, NULL, 0};
    rc = pinetl__s3_perform(s, &req);
    pinetl__free(bucket);
    pinetl__free(key);
    return rc;
}
