/* Spec 2 rejects: invalid_utf8 for overlongs, surrogates, code points above U+10FFFF, truncated and
 * stray bytes, anywhere in the record; valid multi-byte text passes through byte for byte. */
#include "check.h"
#include "core/json.h"
#include "core_util.h"

static int valid(const char *s, size_t n, size_t *bad) { return pinetl__json_utf8_valid(s, n, bad); }

static void test_validator(void)
{
    size_t bad = 99;
    CHECK(valid("", 0, &bad));
    CHECK(valid("plain ascii text, longer than eight bytes", 41, &bad));
    CHECK(valid("\xc3\xa9", 2, &bad));
    CHECK(valid("\xe2\x82\xac", 3, &bad));
    CHECK(valid("\xef\xbf\xbf", 3, &bad));                /* U+FFFF */
    CHECK(valid("\xf0\x90\x80\x80", 4, &bad));            /* U+10000 */
    CHECK(valid("\xf4\x8f\xbf\xbf", 4, &bad));            /* U+10FFFF */
    CHECK(valid("\xed\x9f\xbf", 3, &bad));                /* U+D7FF */
    CHECK(!valid("\xc0\xaf", 2, &bad));                   /* overlong '/' */
    CHECK_INT(bad, 0);
    CHECK(!valid("\xc1\xbf", 2, &bad));
    CHECK(!valid("\xe0\x80\xaf", 3, &bad));               /* overlong 3-byte */
    CHECK(!valid("\xf0\x80\x80\xaf", 4, &bad));           /* overlong 4-byte */
    CHECK(!valid("\xed\xa0\x80", 3, &bad));               /* U+D800 surrogate */
    CHECK(!valid("\xed\xbf\xbf", 3, &bad));               /* U+DFFF surrogate */
    CHECK(!valid("\xf4\x90\x80\x80", 4, &bad));           /* above U+10FFFF */
    CHECK(!valid("\xf5\x80\x80\x80", 4, &bad));
    CHECK(!valid("\xff", 1, &bad));
    CHECK(!valid("\x80", 1, &bad));                       /* stray continuation */
    CHECK(!valid("abc\xe2\x82", 5, &bad));                /* truncated */
    CHECK_INT(bad, 3);
    CHECK(!valid("abcdefghij\xc3\x28", 12, &bad));
    CHECK_INT(bad, 10);
}

static void test_records(void)
{
    char buf[256];
    /* Inside a string value. */
    pinetl_batch *b = clean_one(PINETL_TABLE_GEO, "{\"ind\": 1, \"country\": \"Fran\xff" "ce\"}");
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_UTF8);
    CHECK_STR(pinetl_batch_reject_message(b, 0), "invalid UTF-8 at byte 27");
    pinetl_batch_free(b);
    /* Surrogate encoded directly in UTF-8. */
    b = clean_one(PINETL_TABLE_GEO, "{\"ind\": 1, \"country\": \"\xed\xa0\x80\"}");
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_UTF8);
    pinetl_batch_free(b);
    /* Outside strings, and after a JSON error: the bytes decide the reason. */
    b = clean_one(PINETL_TABLE_GEO, "{\"ind\": 1,, \"x\": \"\xc0\xaf\"}");
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_UTF8);
    CHECK_STR(pinetl_batch_reject_message(b, 0), "invalid UTF-8 at byte 18");
    pinetl_batch_free(b);
    b = clean_one(PINETL_TABLE_GEO, "{\"ind\": 1}\xfe");
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_UTF8);
    CHECK_STR(pinetl_batch_reject_message(b, 0), "invalid UTF-8 at byte 10");
    pinetl_batch_free(b);
    /* Valid multi-byte text outside a string is a JSON error, not a UTF-8 one. */
    b = clean_one(PINETL_TABLE_GEO, "{\"ind\": 1, \xc3\xa9}");
    CHECK_INT(pinetl_batch_status(b)[0], PINETL_REJECT_JSON);
    pinetl_batch_free(b);
    /* Good UTF-8 is kept byte for byte. */
    CHECK_STR(clean_cell(PINETL_TABLE_GEO, "{\"ind\": 1, \"country\": \"C\xc3\xb4te d'Ivoire \xf0\x9f\x98\x80\"}",
                         PINETL_GEO_COUNTRY, NULL),
              "C\xc3\xb4te d'Ivoire \xf0\x9f\x98\x80");
    (void)buf;
}

int main(void)
{
    RUN(test_validator);
    RUN(test_records);
    return check_done();
}
