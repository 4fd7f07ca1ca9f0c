/* The S3 client's PUT, listing and streamed GET against a real S3-compatible server (s3s-fs,
 * started by with_s3_server.sh, which exports the endpoint, the keys and PINETL_TEST_S3_BUCKET):
 * objects named as the S3 sink names them ('+' between topic, partition and offset) and with
 * other characters S3 keys may hold come back from the listing with the names they were put
 * under, and their bytes from GET; a missing key is PINETL_ENOTFOUND naming the URI and the
 * S3 error code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "s3/s3.h"
#include "util/alloc.h"

static const char *const keys[] = {
    "topics/p.pin/partition=0/p.pin+0+0000000000.json",
    "topics/p.pin/partition=0/p.pin+0+0000000010.json",
    "odd/a+b=c,d;e@f(g)!h'i*j$k.json",
    "odd/caf\xc3\xa9~_-.json",
    "odd/with space.json",
};

static char *read_all(int fd, size_t *len) {
    size_t cap = 1024, n = 0;
    char *p = malloc(cap);
    for (;;) {
        if (n == cap)
            p = realloc(p, cap *= 2);
        ssize_t r = read(fd, p + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    *len = n;
    return p;
}

static pinetl__s3 *s;
static const char *bucket;

static void test_names_round_trip(void) {
    char uri[512], body[256];
    size_t nkeys = sizeof keys / sizeof *keys;
    for (size_t i = 0; i < nkeys; i++) {
        snprintf(uri, sizeof uri, "s3://%s/%s", bucket, keys[i]);
        snprintf(body, sizeof body, "{\"object\": %zu, \"key\": \"%s\"}\n", i, keys[i]);
        int rc = pinetl__s3_put(s, uri, body, strlen(body));
        CHECK_INT(rc, PINETL_OK);
        if (rc)
            fprintf(stderr, "put %s: %s\n", keys[i], pinetl_error_last());
    }
    pinetl__strlist got = {0};
    snprintf(uri, sizeof uri, "s3://%s", bucket);
    CHECK_INT(pinetl__s3_list(&got, s, bucket, "", uri), PINETL_OK);
    for (size_t i = 0; i < nkeys; i++) {
        int found = 0;
        for (size_t k = 0; k < got.n; k++)
            found |= !strcmp(got.items[k], keys[i]);
        CHECK(found);
        if (!found)
            fprintf(stderr, "not listed back: %s\n", keys[i]);
    }
    pinetl__strlist_free(&got);
    for (size_t i = 0; i < nkeys; i++) {
        pinetl__s3_get *g;
        int fd;
        size_t len;
        snprintf(uri, sizeof uri, "s3://%s/%s", bucket, keys[i]);
        snprintf(body, sizeof body, "{\"object\": %zu, \"key\": \"%s\"}\n", i, keys[i]);
        CHECK_INT(pinetl__s3_get_start(&g, &fd, s, uri), PINETL_OK);
        char *data = read_all(fd, &len);
        close(fd);
        CHECK_INT(pinetl__s3_get_finish(g), PINETL_OK);
        CHECK_MEM(data, len, body);
        free(data);
    }
}

static void test_missing_key(void) {
    char uri[512];
    snprintf(uri, sizeof uri, "s3://%s/no/such+key.json", bucket);
    pinetl__s3_get *g;
    int fd;
    size_t len;
    CHECK_INT(pinetl__s3_get_start(&g, &fd, s, uri), PINETL_OK);
    free(read_all(fd, &len));
    close(fd);
    CHECK_INT(len, 0);
    CHECK_INT(pinetl__s3_get_finish(g), PINETL_ENOTFOUND);
    CHECK(strstr(pinetl_error_last(), uri) && strstr(pinetl_error_last(), "NoSuchKey"));
}

int main(void) {
    bucket = getenv("PINETL_TEST_S3_BUCKET");
    if (!bucket) {
        fprintf(stderr, "run through tests/c/s3/with_s3_server.sh\n");
        return 1;
    }
    if (pinetl__s3_open(&s) != PINETL_OK) {
        fprintf(stderr, "%s\n", pinetl_error_last());
        return 1;
    }
    RUN(test_names_round_trip);
    RUN(test_missing_key);
    pinetl__s3_free(s);
    return check_done();
}
