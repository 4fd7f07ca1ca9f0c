/* The S3 client of the readers (docs/s3.md): s3://bucket/key URIs, listing, a GET streamed into
 * a descriptor, PUT. Requests are signed with AWS Signature Version 4 by libcurl (dl.h) with the
 * standard AWS configuration (config.h), retried with backoff on throttling, 5xx and connection
 * errors, and a broken GET resumes with a Range request at the byte already delivered. Every
 * message names the s3:// URI and, for S3 errors, the error code; none carries a secret. */
#ifndef PINETL_S3_S3_H
#define PINETL_S3_S3_H

#include <stddef.h>

#include "config.h"
#include "xml.h"

typedef struct pinetl__s3 pinetl__s3;
typedef struct pinetl__s3_get pinetl__s3_get;

/* 1 when path is an s3:// URI. */
int pinetl__s3_is_uri(const char *path);

/* Splits "s3://bucket/key" (key may be empty); PINETL_EINVAL naming the URI when it has no
 * bucket. Free both with pinetl__free. */
int pinetl__s3_uri_split(char **bucket, char **key, const char *uri);

/* A client: the configuration loaded and libcurl and expat resolved. It makes one request at a
 * time (not from two threads at once); connections are reused from one request to the next. */
int pinetl__s3_open(pinetl__s3 **out);
void pinetl__s3_free(pinetl__s3 *s);

/* Appends every key of the bucket that starts with prefix, in the server's (UTF-8 binary) order,
 * following continuation tokens. uri names the listing in messages. */
int pinetl__s3_list(pinetl__strlist *out, pinetl__s3 *s, const char *bucket, const char *prefix,
                    const char *uri);

/* Starts streaming the object at uri into *fd (the read end of a socket; close it, then call
 * finish). A thread fetches, retrying and resuming as needed; end of data on *fd is the end of
 * the object or a failure: finish tells which. */
int pinetl__s3_get_start(pinetl__s3_get **out, int *fd, pinetl__s3 *s, const char *uri);
/* Waits for the fetch and frees it: PINETL_OK when the whole object was delivered, else its
 * error (message set). With fd still open, call it only after end of data. */
int pinetl__s3_get_finish(pinetl__s3_get *g);

/* Waits for and frees a fetch whose reader stopped early (its fd closed first); sets no error. */
void pinetl__s3_get_cancel(pinetl__s3_get *g);

/* Writes one object (a single PUT) at uri. */
int pinetl__s3_put(pinetl__s3 *s, const char *uri, const void *data, size_t len);

/* The retry policy, for the client and its tests: 1 when a failure is worth another attempt
 * (a connection error: curl_code != 0; HTTP 500, 502, 503, 504; or the S3 codes SlowDown,
 * Throttling, ThrottlingException, RequestTimeout, InternalError, ServiceUnavailable), and the
 * wait before attempt n + 1 after n failures, in milliseconds (100 ms doubling, 5 s at most). */
int pinetl__s3_retryable(int curl_code, long http_status, const char *s3_code);
long pinetl__s3_backoff_ms(int failures);

/* Appends key to b URI-encoded as SigV4 wants it: every byte but A-Z a-z 0-9 - . _ ~ as %XX,
 * and '/' kept when keep_slash ('+' becomes %2B: S3 reads a '+' in a path as a space). */
int pinetl__s3_encode(pinetl__buf *b, const char *key, int keep_slash);

#endif
