/* Scanner edge cases the basic tests leave out: every \u escape error and every invalid UTF-8
 * form, in object keys, object values, array elements and top-level strings (the scanner has a
 * path for each); upper-case hex digits; whitespace other than JSON's four; bytes after the value;
 * members counted past the caller's array; lookups of escaped keys. Each error has its offset
 * and message. */
#include <string.h>

#include "check.h"
#include "core/json.h"

typedef struct bad_case {
    const char *text;
    size_t len;
    long offset;
    const char *what;
    int utf8;
} bad_case;

#define T(s) s, sizeof(s) - 1

static void check_bad(const bad_case *c) {
    json_value v;
    json_error e = {0};
    int rc = pinetl__json_parse(c->text, c->text + c->len, &v, &e);
    CHECK_INT(rc, -1);
    if (rc != -1) {
        fprintf(stderr, "  accepted: %.*s\n", (int)c->len, c->text);
        return;
    }
    if ((long)e.offset != c->offset || strcmp(e.what, c->what) || e.utf8 != c->utf8)
        fprintf(stderr, "  %.*s: at %zu \"%s\" (utf8 %d)\n", (int)c->len, c->text, e.offset, e.what,
                e.utf8);
    CHECK_INT(e.offset, c->offset);
    CHECK_STR(e.what, c->what);
    CHECK_INT(e.utf8, c->utf8);
}

/* The same bad string in four places; prefix lengths give the offsets. */
static void check_everywhere(const char *str, size_t len, long at, const char *what, int utf8) {
    static const char *const pre[] = {"{", "{\"k\":", "[", ""};
    static const char *const post[] = {":1}", "}", "]", ""};
    for (int i = 0; i < 4; i++) {
        char text[128];
        size_t pl = strlen(pre[i]), ql = strlen(post[i]);
        memcpy(text, pre[i], pl);
        memcpy(text + pl, str, len);
        memcpy(text + pl + len, post[i], ql);
        bad_case c = {text, pl + len + ql, (long)pl + at, what, utf8};
        check_bad(&c);
    }
}

static void test_escape_errors_in_every_position(void) {
    check_everywhere(T("\"\\u12G4\""), 1, "bad \\u escape", 0);
    check_everywhere(T("\"\\u00\""), 1, "bad \\u escape", 0);
    check_everywhere(T("\"\\uDC00\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\uD800\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\uD800\\n....\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\uD800x\\u0041\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\uD800\\uDBFF\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\uD800\\uE000\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\uD800\\uZZZZ\""), 1, "lone surrogate escape", 0);
    check_everywhere(T("\"\\q\""), 1, "bad escape in string", 0);
    check_everywhere(T("\"a\x01\""), 2, "control character in string", 0);
    check_everywhere(T("\"a\x1f\""), 2, "control character in string", 0);
}

static void test_invalid_utf8_in_every_position(void) {
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {T("\"\xff\"")},             /* never a lead byte */
        {T("\"\x80\"")},             /* a continuation byte first */
        {T("\"\xc0\x80\"")},         /* overlong two-byte */
        {T("\"\xe0\x80\x80\"")},     /* overlong three-byte */
        {T("\"\xed\xa0\x80\"")},     /* a surrogate */
        {T("\"\xe2\x82\x41\"")},     /* third byte not a continuation */
        {T("\"\xf0\x80\x80\x80\"")}, /* overlong four-byte */
        {T("\"\xf4\x90\x80\x80\"")}, /* above U+10FFFF */
        {T("\"\xf5\x80\x80\x80\"")}, /* no such lead byte */
        {T("\"\xf0\x9f\x98\"")},     /* cut short by the quote */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        check_everywhere(bad[i].s, bad[i].len, 1, "invalid UTF-8", 1);
    /* Cut short by the end of the input. */
    bad_case c = {T("\"\xe2\x82"), 1, "invalid UTF-8", 1};
    check_bad(&c);
}

static void test_unterminated_strings(void) {
    bad_case cases[] = {
        {T("{\"ab"), 4, "unterminated string", 0},
        {T("{\"ab\\"), 5, "unterminated string", 0},
        {T("[\"ab\\"), 5, "unterminated string", 0},
        {T("\"abcdefghijklmnopqrstuvwxyz"), 27, "unterminated string", 0},
        {T("{\"k\":\"\\u12"), 6, "bad \\u escape", 0},
        {T("{\"k\":\"\\uD83D\\uDE0"), 6, "lone surrogate escape", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_bad(&cases[i]);
}

static void test_valid_escapes_and_code_points(void) {
    const char *good[] = {
        "{\"\\u00E9\\uD83D\\uDE00\\/\\b\\f\":\"\\u00e9\\uDBFF\\uDFFF\"}",
        "[\"\\uFFFF\", \"\\u0000\", \"\\uABCD\\uabcd\"]",
        "\"\xf4\x8f\xbf\xbf \xf0\x90\x80\x80 \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xc2\x80\"",
        "{\"\xf4\x8f\xbf\xbf\":\"\xdf\xbf\"}",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        json_value v;
        json_error e;
        int rc = pinetl__json_parse(good[i], good[i] + strlen(good[i]), &v, &e);
        if (rc)
            fprintf(stderr, "  rejected %s: %s at %zu\n", good[i], e.what, e.offset);
        CHECK_INT(rc, 0);
    }
    /* Lookup compares decoded keys, upper- or lower-case hex alike. */
    const char *obj = "{\"caf\\u00E9\":1,\"\\u0041\\u0042\":2,\"plain\":3}";
    json_value o, v;
    json_error e;
    CHECK_INT(pinetl__json_parse(obj, obj + strlen(obj), &o, &e), 0);
    CHECK_INT(pinetl__json_object_get(&o, "caf\xc3\xa9", &v), 1);
    CHECK_MEM(v.start, v.len, "1");
    CHECK_INT(pinetl__json_object_get(&o, "AB", &v), 1);
    CHECK_MEM(v.start, v.len, "2");
    CHECK_INT(pinetl__json_object_get(&o, "A", &v), 0);   /* a prefix of an escaped key */
    CHECK_INT(pinetl__json_object_get(&o, "ABC", &v), 0); /* longer than it */
    CHECK_INT(pinetl__json_object_get(&o, "caf", &v), 0);
    CHECK_INT(pinetl__json_object_get(&o, "caff", &v), 0); /* differs in a plain byte */
}

static void test_whitespace_and_trailing_bytes(void) {
    bad_case cases[] = {
        {T("{\x0b}"), 1, "expected a string key", 0}, /* \v is not JSON whitespace */
        {T("\x0c"
           "1"),
         0, "expected a value", 0}, /* nor \f */
        {T("1 \xff"), 2, "invalid UTF-8", 1},
        {T("1 \xc3\xa9"), 2, "unexpected bytes after the value", 0},
        {T("[\xc3\xa9]"), 1, "expected a value", 0},
        {T("[\xc3]"), 1, "invalid UTF-8", 1},
        {T(" \r\n\t"), 4, "empty record", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_bad(&cases[i]);
    const char *ok = "\r\n\t {\"a\" \r\n\t: \t1 \r\n , \"b\":[ 1 ,\r\n2 ] }\t\r\n ";
    json_value v;
    json_error e;
    CHECK_INT(pinetl__json_parse(ok, ok + strlen(ok), &v, &e), 0);
    CHECK_INT(v.type, JSON_OBJECT);
}

static void test_members_beyond_the_array_are_counted(void) {
    const char *obj = "{\"a\":1,\"b\":\"x\",\"c\":[1],\"d\":{\"e\":2},\"f\":null}";
    json_member m[2];
    json_value v;
    json_error e;
    size_t count = 0;
    CHECK_INT(pinetl__json_parse_members(obj, obj + strlen(obj), &v, m, 2, &count, &e), 0);
    CHECK_INT(count, 5);
    CHECK_MEM(m[0].key.start, m[0].key.len, "\"a\"");
    CHECK_MEM(m[1].value.start, m[1].value.len, "\"x\"");
    /* A non-object top value records no members. */
    count = 9;
    CHECK_INT(pinetl__json_parse_members("[1,2]", &"[1,2]"[5], &v, m, 2, &count, &e), 0);
    CHECK_INT(count, 0);
    /* Errors without an error struct are still errors. */
    CHECK_INT(pinetl__json_parse("{", &"{"[1], &v, NULL), -1);
}

static void test_utf8_validation_positions(void) {
    size_t bad = 99;
    CHECK_INT(pinetl__json_utf8_valid("abcdefgh12345678\xc3\xa9xyz", 21, &bad), 1);
    CHECK_INT(pinetl__json_utf8_valid("abcdefgh12345678\xc3", 17, &bad), 0);
    CHECK_INT(bad, 16);
    CHECK_INT(pinetl__json_utf8_valid("\xf4\x8f\xbf\xbf\xf4\x90", 6, &bad), 0);
    CHECK_INT(bad, 4);
    CHECK_INT(pinetl__json_utf8_valid("\xed\x9f\xbf\xed\xa0\x80", 6, NULL), 0);
    CHECK_INT(pinetl__json_utf8_valid("", 0, &bad), 1);
}

int main(void) {
    RUN(test_escape_errors_in_every_position);
    RUN(test_invalid_utf8_in_every_position);
    RUN(test_unterminated_strings);
    RUN(test_valid_escapes_and_code_points);
    RUN(test_whitespace_and_trailing_bytes);
    RUN(test_members_beyond_the_array_are_counted);
    RUN(test_utf8_validation_positions);
    return check_done();
}
