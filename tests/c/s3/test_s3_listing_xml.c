/* ListObjectsV2 pages and error bodies parsed with expat as they stream in (s3/xml.h), fed a
 * few bytes at a time: keys with entities and '+' come out decoded and exact, IsTruncated and
 * NextContinuationToken carry pagination, an error body gives Code and Message; broken XML is
 * an error naming it. Also the key encoding of requests and the retry policy (s3/s3.h). */
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "s3/s3.h"
#include "util/alloc.h"

static int feed_in_pieces(pinetl__s3_xml *x, const char *xml, size_t piece) {
    size_t n = strlen(xml);
    for (size_t at = 0; at < n; at += piece) {
        int rc = pinetl__s3_xml_feed(x, xml + at, n - at < piece ? n - at : piece, 0);
        if (rc)
            return rc;
    }
    return pinetl__s3_xml_feed(x, "", 0, 1);
}

static void test_page_keys_and_token(void) {
    static const char page[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
        "<Prefix>topics/</Prefix><KeyCount>3</KeyCount><IsTruncated>true</IsTruncated>"
        "<NextContinuationToken>1/a+b=&amp;</NextContinuationToken>"
        "<Contents><Key>topics/p.pin/partition=0/p.pin+0+0000000000.json</Key><Size>6</Size>"
        "</Contents><Contents><Key>a &amp; b &lt;c&gt;.json</Key></Contents>"
        "<Contents><Key><![CDATA[x+y z.json]]></Key><Owner><ID>o</ID></Owner></Contents>"
        "</ListBucketResult>";
    for (size_t piece = 1; piece <= 64; piece *= 4) {
        pinetl__strlist keys = {0};
        pinetl__s3_xml *x;
        CHECK_INT(pinetl__s3_xml_new(&x, &keys), PINETL_OK);
        CHECK_INT(feed_in_pieces(x, page, piece), PINETL_OK);
        CHECK_INT(keys.n, 3);
        if (keys.n == 3) {
            CHECK_STR(keys.items[0], "topics/p.pin/partition=0/p.pin+0+0000000000.json");
            CHECK_STR(keys.items[1], "a & b <c>.json");
            CHECK_STR(keys.items[2], "x+y z.json");
        }
        CHECK_INT(pinetl__s3_xml_truncated(x), 1);
        CHECK_STR(pinetl__s3_xml_token(x), "1/a+b=&");
        CHECK_STR(pinetl__s3_xml_code(x), "");
        pinetl__s3_xml_free(x);
        pinetl__strlist_free(&keys);
    }
}

static void test_last_page_and_error_body(void) {
    pinetl__strlist keys = {0};
    pinetl__s3_xml *x;
    CHECK_INT(pinetl__s3_xml_new(&x, &keys), PINETL_OK);
    CHECK_INT(feed_in_pieces(x,
                             "<ListBucketResult><IsTruncated>false</IsTruncated>"
                             "</ListBucketResult>",
                             5),
              PINETL_OK);
    CHECK_INT(keys.n, 0);
    CHECK_INT(pinetl__s3_xml_truncated(x), 0);
    CHECK(pinetl__s3_xml_token(x) == NULL);
    pinetl__s3_xml_free(x);
    CHECK_INT(pinetl__s3_xml_new(&x, NULL), PINETL_OK);
    CHECK_INT(feed_in_pieces(x,
                             "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code>"
                             "<Message>Please reduce your request rate.</Message>"
                             "<Key>k</Key></Error>",
                             7),
              PINETL_OK);
    CHECK_STR(pinetl__s3_xml_code(x), "SlowDown");
    CHECK_STR(pinetl__s3_xml_message(x), "Please reduce your request rate.");
    pinetl__s3_xml_free(x);
    CHECK_INT(pinetl__s3_xml_new(&x, &keys), PINETL_OK);
    CHECK_INT(feed_in_pieces(x, "<ListBucketResult><Contents><Key>a</Key></Contents>", 3),
              PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "not valid XML") != NULL);
    pinetl__s3_xml_free(x);
    pinetl__strlist_free(&keys);
}

static void test_key_encoding(void) {
    pinetl__buf b = {0};
    CHECK_INT(pinetl__s3_encode(&b, "topics/p.pin/partition=0/p.pin+0+0000000000.json", 1), 0);
    CHECK_STR(b.p, "topics/p.pin/partition%3D0/p.pin%2B0%2B0000000000.json");
    b.len = 0;
    CHECK_INT(pinetl__s3_encode(&b, "a b/~_-.\xc3\xa9", 0), 0);
    CHECK_STR(b.p, "a%20b%2F~_-.%C3%A9");
    pinetl__buf_free(&b);
}

static void test_retry_policy(void) {
    CHECK_INT(pinetl__s3_retryable(7, 0, ""), 1); /* a connection error */
    CHECK_INT(pinetl__s3_retryable(0, 503, "SlowDown"), 1);
    CHECK_INT(pinetl__s3_retryable(0, 500, "InternalError"), 1);
    CHECK_INT(pinetl__s3_retryable(0, 400, "RequestTimeout"), 1);
    CHECK_INT(pinetl__s3_retryable(0, 400, "ThrottlingException"), 1);
    CHECK_INT(pinetl__s3_retryable(0, 403, "SignatureDoesNotMatch"), 0);
    CHECK_INT(pinetl__s3_retryable(0, 404, "NoSuchBucket"), 0);
    CHECK_INT(pinetl__s3_backoff_ms(1), 100);
    CHECK_INT(pinetl__s3_backoff_ms(2), 200);
    CHECK_INT(pinetl__s3_backoff_ms(4), 800);
    CHECK_INT(pinetl__s3_backoff_ms(30), 5000);
}

static void test_uri_split(void) {
    char *b, *k;
    CHECK_INT(pinetl__s3_uri_split(&b, &k, "s3://bkt/a/b+c"), PINETL_OK);
    CHECK_STR(b, "bkt");
    CHECK_STR(k, "a/b+c");
    pinetl__free(b);
    pinetl__free(k);
    CHECK_INT(pinetl__s3_uri_split(&b, &k, "s3://bkt"), PINETL_OK);
    CHECK_STR(k, "");
    pinetl__free(b);
    pinetl__free(k);
    CHECK_INT(pinetl__s3_uri_split(&b, &k, "s3:///k"), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "s3:///k") != NULL);
}

int main(void) {
    RUN(test_page_keys_and_token);
    RUN(test_last_page_and_error_body);
    RUN(test_key_encoding);
    RUN(test_retry_policy);
    RUN(test_uri_split);
    return check_done();
}
