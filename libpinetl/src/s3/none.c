/* The S3 client of a build without libcurl's and expat's headers (meson -Ds3=disabled, or auto
 * where they are missing): s3:// URIs are still recognised, and opening a client fails with a
 * message saying why, rather than the URI being taken for a missing local file. */
#include "s3.h"
#include "util/error.h"

int pinetl__s3_open(pinetl__s3 **out) {
    *out = NULL;
    return pinetl__error_set(PINETL_EIO, "s3:// is not supported by this build of pinetl: it was "
                                         "built without libcurl's and expat's headers "
                                         "(docs/s3.md, Dependencies)");
}

void pinetl__s3_free(pinetl__s3 *s) { (void)s; }

int pinetl__s3_list(pinetl__strlist *out, pinetl__s3 *s, const char *bucket, const char *prefix,
                    const char *uri) {
    (void)out, (void)s, (void)bucket, (void)prefix;
    return pinetl__error_set(PINETL_EIO, "'%s': no S3 support in this build", uri);
}

int pinetl__s3_get_start(pinetl__s3_get **out, int *fd, pinetl__s3 *s, const char *uri) {
    (void)s;
    *out = NULL;
    *fd = -1;
    return pinetl__error_set(PINETL_EIO, "'%s': no S3 support in this build", uri);
}

int pinetl__s3_get_finish(pinetl__s3_get *g) {
    (void)g;
    return PINETL_OK;
}

void pinetl__s3_get_cancel(pinetl__s3_get *g) { (void)g; }

int pinetl__s3_put(pinetl__s3 *s, const char *uri, const void *data, size_t len) {
    (void)s, (void)data, (void)len;
    return pinetl__error_set(PINETL_EIO, "'%s': no S3 support in this build", uri);
}
