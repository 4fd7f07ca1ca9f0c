/* json.h: strict RFC 8259 scanning, error offsets, iteration, lookup and string decoding. */
#include <string.h>

#include "check.h"
#include "core/json.h"

static int ok(const char *s)
{
    json_value v;
    json_error e;
    return pinetl__json_parse(s, s + strlen(s), &v, &e) == 0;
}

/* Error offset, or -1 when the text is valid. */
static long err_at(const char *s, const char **what)
{
    json_value v;
    json_error e;
    if (pinetl__json_parse(s, s + strlen(s), &v, &e) == 0) return -1;
    if (what) *what = e.what;
    return (long)e.offset;
}

static void test_valid_texts(void)
{
    const char *good[] = {
        "{}", "[]", "0", "-0", "1", "-1", "0.5", "1e5", "1E+5", "1e-5", "-0.0e0", "123456789012345678901234567890",
        "\"\"", "\"a\\\"b\"", "\"\\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
        "true", "false", "null", " \t\r\n{ \"a\" : [ 1 , 2 ] } \n", "{\"a\":{\"b\":{\"c\":[]}}}",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "[1,\"x\",null,true,{}]",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (!ok(good[i])) fprintf(stderr, "  should be valid: %s\n", good[i]);
        CHECK(ok(good[i]));
    }
}

static void test_invalid_texts(void)
{
    const char *bad[] = {
        "", "   ", "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
        "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{'a':1}", "'a'", "{\"a\" 1}", "{\"a\":}", "{a:1}",
        "\"abc", "\"a\tb\"", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "tru", "nul", "True", "[1 2]", "{} {}", "1 2", "[] x",
        "/* c */ 1", "1 // c", "[", "{", "{\"a\":1", "[1,2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (ok(bad[i])) fprintf(stderr, "  should be invalid: %s\n", bad[i]);
        CHECK(!ok(bad[i]));
    }
}

static void test_error_offsets_and_messages(void)
{
    const char *what = NULL;
    CHECK_INT(err_at("{\"a\":1 \"b\":2}", &what), 7);
    CHECK_STR(what, "expected ',' or '}'");
    CHECK_INT(err_at("[1,]", &what), 3);
    CHECK_STR(what, "trailing comma");
    CHECK_INT(err_at("{\"a\":01}", &what), 5);
    CHECK_STR(what, "leading zeros are not allowed");
    CHECK_INT(err_at("{\"a\":\"x\ty\"}", &what), 7);
    CHECK_STR(what, "control character in string");
    CHECK_INT(err_at("{} x", &what), 3);
    CHECK_STR(what, "unexpected bytes after the value");
    CHECK_INT(err_at("\"\\ud800\"", &what), 1);
    CHECK_STR(what, "lone surrogate escape");
    CHECK_INT(err_at("{\"a\":", &what), 5);
    CHECK_STR(what, "unexpected end of input");
    CHECK_INT(err_at("", &what), 0);
    CHECK_STR(what, "empty record");
}

static void test_nesting_limit(void)
{
    char deep[2000];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    deep[1200] = 0;
    const char *what = NULL;
    CHECK(err_at(deep, &what) >= 0);
    CHECK_STR(what, "nesting too deep");
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = 0;
    CHECK(ok(deep));
}

static void test_iteration_and_lookup(void)
{
    const char *s = " { \"a\" : 1 , \"b\" : [1, {\"c\": \"}\"}], \"a\": \"x\\\"y\" , \"d\":{} } ";
    json_value v, key, val;
    json_error e;
    CHECK_INT(pinetl__json_parse(s, s + strlen(s), &v, &e), 0);
    CHECK_INT(v.type, JSON_OBJECT);
    json_iter it;
    pinetl__json_iter_object(&it, &v);
    int n = 0;
    while (pinetl__json_iter_member(&it, &key, &val)) n++;
    CHECK_INT(n, 4);
    CHECK(pinetl__json_object_get(&v, "a", &val));
    CHECK_INT(val.type, JSON_STRING); /* the last duplicate wins */
    CHECK_MEM(val.start, val.len, "\"x\\\"y\"");
    CHECK(pinetl__json_object_get(&v, "b", &val));
    CHECK_INT(val.type, JSON_ARRAY);
    pinetl__json_iter_array(&it, &val);
    json_value el;
    CHECK(pinetl__json_iter_element(&it, &el));
    CHECK_MEM(el.start, el.len, "1");
    CHECK(pinetl__json_iter_element(&it, &el));
    CHECK_INT(el.type, JSON_OBJECT);
    CHECK(!pinetl__json_iter_element(&it, &el));
    CHECK(!pinetl__json_object_get(&v, "zz", &val));

    /* Members handed out in the same pass. */
    json_member m[2];
    size_t count = 0;
    CHECK_INT(pinetl__json_parse_members(s, s + strlen(s), &v, m, 2, &count, &e), 0);
    CHECK_INT(count, 4);
    CHECK_MEM(m[1].key.start, m[1].key.len, "\"b\"");
}

static void test_scan_value_leaves_rest(void)
{
    const char *s = "  [1,2] {\"x\":1}";
    const char *p = s;
    json_value v;
    json_error e;
    CHECK_INT(pinetl__json_scan_value(&p, s + strlen(s), s, &v, &e), 0);
    CHECK_INT(v.type, JSON_ARRAY);
    CHECK_INT(p - s, 7);
    CHECK_INT(pinetl__json_scan_value(&p, s + strlen(s), s, &v, &e), 0);
    CHECK_INT(v.type, JSON_OBJECT);
    p = s + 2;
    const char *bad = "  [1,]";
    p = bad;
    CHECK_INT(pinetl__json_scan_value(&p, bad + strlen(bad), bad, &v, &e), -1);
    CHECK_INT(e.offset, 5);
}

static void test_string_decode(void)
{
    const char *s = "\"a\\u00e9\\ud83d\\ude00\\n\\\"\\/\\\\z\"";
    json_value v;
    json_error e;
    char buf[64];
    CHECK_INT(pinetl__json_parse(s, s + strlen(s), &v, &e), 0);
    CHECK(v.escaped);
    long n = pinetl__json_string_decode(&v, buf);
    CHECK_MEM(buf, (size_t)n, "a\xc3\xa9\xf0\x9f\x98\x80\n\"/\\z");
    CHECK(pinetl__json_string_equals(&v, "a\xc3\xa9\xf0\x9f\x98\x80\n\"/\\z", (size_t)n));
    CHECK(!pinetl__json_string_equals(&v, "a", 1));
    /* A lone surrogate cannot be decoded (the scanner rejects it; decode says so too). */
    json_value lone = { JSON_STRING, "\"\\ud800\"", 8, 1 };
    CHECK_INT(pinetl__json_string_decode(&lone, buf), -1);
    json_value plain = { JSON_STRING, "\"index\"", 7, 0 };
    CHECK(pinetl__json_string_equals(&plain, "index", 5));
    json_value esc = { JSON_STRING, "\"ind\\u0065x\"", 12, 1 };
    CHECK(pinetl__json_string_equals(&esc, "index", 5));
}

int main(void)
{
    RUN(test_valid_texts);
    RUN(test_invalid_texts);
    RUN(test_error_offsets_and_messages);
    RUN(test_nesting_limit);
    RUN(test_iteration_and_lookup);
    RUN(test_scan_value_leaves_rest);
    RUN(test_string_decode);
    return check_done();
}
