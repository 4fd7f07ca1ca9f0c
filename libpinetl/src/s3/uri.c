/* s3:// URIs (s3.h), for builds with and without S3 support. */
#include <string.h>

#include "s3.h"
#include "util/alloc.h"
#include "util/error.h"

static const char scheme[] = "s3://";

int pinetl__s3_is_uri(const char *path) {
    return path && !strncmp(path, scheme, sizeof scheme - 1);
}

int pinetl__s3_uri_split(char **bucket, char **key, const char *uri) {
    *bucket = *key = NULL;
    const char *b = uri + sizeof scheme - 1, *slash = strchr(b, '/');
    size_t blen = slash ? (size_t)(slash - b) : strlen(b);
    if (!pinetl__s3_is_uri(uri) || !blen)
        return pinetl__error_set(PINETL_EINVAL, "'%s' is not an s3://bucket/key URI", uri);
    *bucket = pinetl__strndup(b, blen);
    *key = pinetl__strdup(slash ? slash + 1 : "");
    if (!*bucket || !*key) {
        pinetl__free(*bucket);
        pinetl__free(*key);
        *bucket = *key = NULL;
        return pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", uri);
    }
    return PINETL_OK;
}
