/* The S3 sink layout's names from C (s3sink.h), the one definition the landing writer, the
 * readers and the Python sink share: a partition's folder, an object's name (10-digit offsets),
 * parsing names back (any number of digits), a topic's table (bare or prefixed), topic names as
 * Kafka checks them, and the globs for listers that cannot call C. */
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"

static void test_names_are_made(void) {
    char *s = NULL;
    CHECK_INT(pinetl_s3sink_partition_dir(&s, "0a1b.pin", 3), PINETL_OK);
    CHECK_STR(s, "topics/0a1b.pin/partition=3");
    pinetl_free(s);
    CHECK_INT(pinetl_s3sink_object_name(&s, "pin", 0, 42), PINETL_OK);
    CHECK_STR(s, "pin+0+0000000042.json");
    pinetl_free(s);
    CHECK_INT(pinetl_s3sink_object_name(&s, "t.user", 12, 12345678901ULL), PINETL_OK);
    CHECK_STR(s, "t.user+12+12345678901.json");
    pinetl_free(s);
    s = NULL;
    CHECK_INT(pinetl_s3sink_object_name(&s, "bad/topic", 0, 0), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "bad/topic") != NULL);
    CHECK_INT(pinetl_s3sink_partition_dir(&s, "pin", -1), PINETL_EINVAL);
    CHECK(s == NULL);
}

static void test_names_are_parsed(void) {
    size_t tlen = 0;
    int32_t part = -1;
    uint64_t start = 1;
    CHECK_INT(pinetl_s3sink_object_parse(&tlen, &part, &start, "0a1b.geo+7+0000000010.json"), 0);
    CHECK_INT(tlen, 8);
    CHECK_INT(part, 7);
    CHECK_INT(start, 10);
    CHECK_INT(pinetl_s3sink_object_parse(&tlen, &part, &start, "pin+0+9.json"), 0);
    CHECK_INT(start, 9);
    static const char *const not_objects[] = {"pin+0+9.jsonl",
                                              "pin+0.json",
                                              "pin++9.json",
                                              "pin+0+.json",
                                              "+0+9.json",
                                              "pin+0+9+1.json",
                                              "p/n+0+9.json",
                                              "pin+2147483648+0.json",
                                              "pin+0+18446744073709551616.json",
                                              "pin+0+9",
                                              ".json",
                                              "..+0+0.json"};
    for (size_t i = 0; i < sizeof not_objects / sizeof *not_objects; i++) {
        tlen = 77;
        CHECK_INT(pinetl_s3sink_object_parse(&tlen, &part, &start, not_objects[i]), PINETL_EINVAL);
        CHECK_INT(tlen, 77); /* untouched */
    }
    CHECK_INT(pinetl_s3sink_object_parse(&tlen, &part, &start, "pin+0+18446744073709551615.json"),
              PINETL_OK);
    CHECK(start == UINT64_MAX);
}

static void test_topics_and_their_tables(void) {
    pinetl_table t = PINETL_TABLE_PIN;
    CHECK_INT(pinetl_s3sink_topic_table(&t, "user"), PINETL_OK);
    CHECK_INT(t, PINETL_TABLE_USER);
    CHECK_INT(pinetl_s3sink_topic_table(&t, "0a1b.x.geo"), PINETL_OK);
    CHECK_INT(t, PINETL_TABLE_GEO);
    CHECK_INT(pinetl_s3sink_topic_table(&t, "pins"), PINETL_ENOTFOUND);
    CHECK_INT(pinetl_s3sink_topic_table(&t, ".pin"), PINETL_ENOTFOUND);
    CHECK_INT(pinetl_s3sink_topic_table(&t, "a.pin.x"), PINETL_ENOTFOUND);
    CHECK_INT(pinetl_s3sink_topic_check("a-b_c.D9"), PINETL_OK);
    char longest[251];
    memset(longest, 'a', 249);
    longest[249] = '\0';
    CHECK_INT(pinetl_s3sink_topic_check(longest), PINETL_OK);
    longest[249] = 'a';
    longest[250] = '\0';
    CHECK_INT(pinetl_s3sink_topic_check(longest), PINETL_EINVAL);
    static const char *const bad[] = {"", ".", "..", "a b", "a+b", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_INT(pinetl_s3sink_topic_check(bad[i]), PINETL_EINVAL);
    CHECK_INT(pinetl_s3sink_topic_check(NULL), PINETL_EINVAL);
}

static void test_globs(void) {
    char *s = NULL;
    CHECK_INT(pinetl_s3sink_table_glob(&s, PINETL_TABLE_PIN, 0), PINETL_OK);
    CHECK_STR(s, "topics/pin/partition=*/pin+*+*.json");
    pinetl_free(s);
    CHECK_INT(pinetl_s3sink_table_glob(&s, PINETL_TABLE_USER, 1), PINETL_OK);
    CHECK_STR(s, "topics/*.user/partition=*/*.user+*+*.json");
    pinetl_free(s);
    CHECK_INT(pinetl_s3sink_table_glob(&s, (pinetl_table)3, 0), PINETL_EINVAL);
}

int main(void) {
    RUN(test_names_are_made);
    RUN(test_names_are_parsed);
    RUN(test_topics_and_their_tables);
    RUN(test_globs);
    return check_done();
}
