/* The one growable buffer: appends, printf, detach, and the JSON and CSV escaping every output
 * uses (the cleaned rows, the rejects, the insights). */
#include <stdlib.h>

#include "check.h"
#include "util/alloc.h"
#include "util/buf.h"

static void test_append_keeps_text_terminated(void)
{
    pinetl__buf b = {0};
    CHECK_INT(pinetl__buf_append(&b, "ab", 2), 0);
    CHECK_INT(pinetl__buf_puts(&b, "cd"), 0);
    CHECK_INT(pinetl__buf_printf(&b, "-%d-%s", 42, "x"), 0);
    CHECK_STR(b.p, "abcd-42-x");
    CHECK_INT(b.len, 9);
    /* Growth past the first capacity keeps the bytes. */
    for (int i = 0; i < 1000; i++) pinetl__buf_append(&b, "0123456789", 10);
    CHECK_INT(b.len, 10009);
    CHECK(b.cap > b.len);
    CHECK_INT(b.p[b.len], '\0');
    CHECK(memcmp(b.p + 9, "0123456789", 10) == 0);
    CHECK(memcmp(b.p + b.len - 10, "0123456789", 10) == 0);
    CHECK_INT(b.failed, 0);
    size_t len = 0;
    char *s = pinetl__buf_detach(&b, &len);
    CHECK_INT(len, 10009);
    CHECK(s && strncmp(s, "abcd-42-x0123", 13) == 0);
    CHECK(b.p == NULL && b.len == 0 && b.cap == 0);
    free(s);
}

static void test_detach_of_empty_is_empty_string(void)
{
    pinetl__buf b = {0};
    size_t len = 7;
    char *s = pinetl__buf_detach(&b, &len);
    CHECK_STR(s, "");
    CHECK_INT(len, 0);
    free(s);
}

static void test_json_escaping(void)
{
    pinetl__buf b = {0};
    const char in[] = "a\"b\\c\n\t\r\b\f\x01\x1f/\xc3\xa9";
    CHECK_INT(pinetl__buf_json_string(&b, in, sizeof in - 1), 0);
    CHECK_STR(b.p, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f/\xc3\xa9\"");
    b.len = 0;
    CHECK_INT(pinetl__buf_json_string(&b, "", 0), 0);
    CHECK_STR(b.p, "\"\"");
    /* A NUL byte inside the text is escaped, not a terminator. */
    b.len = 0;
    CHECK_INT(pinetl__buf_json_string(&b, "x\0y", 3), 0);
    CHECK_STR(b.p, "\"x\\u0000y\"");
    /* The worst case stays within the advertised bound. */
    char dst[6 * 4];
    char *end = pinetl__json_escape(dst, "\x01\x02\x03\x04", 4);
    CHECK_INT(end - dst, 6 * 4);
    CHECK(PINETL__JSON_ESCAPE_MAX == 6);
    pinetl__buf_free(&b);
}

static void test_csv_escaping(void)
{
    pinetl__buf b = {0};
    CHECK_INT(pinetl__buf_csv_field(&b, "plain text", 10), 0);
    CHECK_STR(b.p, "plain text");
    const char *cases[][2] = {
        {"a,b", "\"a,b\""}, {"say \"hi\"", "\"say \"\"hi\"\"\""}, {"l1\nl2", "\"l1\nl2\""},
        {"cr\r", "\"cr\r\""}, {"", ""}, {"\"", "\"\"\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        b.len = 0;
        CHECK_INT(pinetl__buf_csv_field(&b, cases[i][0], strlen(cases[i][0])), 0);
        CHECK_MEM(b.p, b.len, cases[i][1]);
    }
    pinetl__buf_free(&b);
}

static void test_failure_is_sticky(void)
{
    pinetl__buf b = {0};
    pinetl__buf_puts(&b, "kept");
    pinetl__alloc_fail_nth(1);
    CHECK_INT(pinetl__buf_reserve(&b, 1 << 20), -1);
    CHECK_INT(pinetl__alloc_fail_pending(), 0);
    CHECK_INT(b.failed, 1);
    CHECK_STR(b.p, "kept");   /* the bytes survive a failed growth */
    CHECK(pinetl__buf_detach(&b, NULL) == NULL);   /* a failed buffer is never handed out */
    CHECK(b.p == NULL);
}

int main(void)
{
    RUN(test_append_keeps_text_terminated);
    RUN(test_detach_of_empty_is_empty_string);
    RUN(test_json_escaping);
    RUN(test_csv_escaping);
    RUN(test_failure_is_sticky);
    return check_done();
}
