/* Kinesis Data base64: RFC 4648 standard alphabet, optional padding, whitespace skipped, and the
 * position of the first bad character reported. */
#include "check.h"
#include "io/base64.h"

static int decode(const char *in, char *out, size_t *len, size_t *bad) {
    return pinetl__io_base64_decode(in, strlen(in), out, len, bad);
}

static void test_valid(void) {
    char out[64];
    size_t len, bad;
    CHECK_INT(decode("eyJpbmRleCI6IDF9", out, &len, &bad), 0);
    CHECK_MEM(out, len, "{\"index\": 1}");
    CHECK_INT(decode("aGVsbG8=", out, &len, &bad), 0);
    CHECK_MEM(out, len, "hello");
    CHECK_INT(decode("aGVsbG8", out, &len, &bad), 0);      /* padding optional */
    CHECK_MEM(out, len, "hello");
    CHECK_INT(decode("aGVsbA==", out, &len, &bad), 0);
    CHECK_MEM(out, len, "hell");
    CHECK_INT(decode("aGVs\nbG8=\n", out, &len, &bad), 0);  /* wrapped */
    CHECK_MEM(out, len, "hello");
    CHECK_INT(decode("", out, &len, &bad), 0);
    CHECK_INT(len, 0);
    CHECK_INT(decode("Pz8/Pj4+", out, &len, &bad), 0);
    CHECK_MEM(out, len, "?\?\?>>>");
}

static void test_in_place(void) {
    char buf[] = "eyJpbmRleCI6IDd9";
    size_t len, bad;
    CHECK_INT(pinetl__io_base64_decode(buf, strlen(buf), buf, &len, &bad), 0);
    CHECK_MEM(buf, len, "{\"index\": 7}");
}

static void test_invalid(void) {
    char out[64];
    size_t len, bad;
    CHECK_INT(decode("not base64!", out, &len, &bad), -1);
    CHECK_INT(bad, 10);                                     /* spaces are skipped, "!" is not */
    CHECK_INT(decode("aGVsbG8=x", out, &len, &bad), -1);    /* data after padding */
    CHECK_INT(bad, 8);
    CHECK_INT(decode("aGVsb", out, &len, &bad), -1);        /* a lone sextet */
    CHECK_INT(bad, 5);
    CHECK_INT(decode("a===", out, &len, &bad), -1);
    CHECK_INT(decode("aG=V", out, &len, &bad), -1);
    CHECK_INT(decode("aGVs-_", out, &len, &bad), -1);       /* URL-safe alphabet is not Kinesis' */
    CHECK_INT(bad, 4);
    CHECK_INT(decode("aGVsbG8===", out, &len, &bad), -1);
}

int main(void) {
    RUN(test_valid);
    RUN(test_in_place);
    RUN(test_invalid);
    return check_done();
}
