/* A bucket's keys are read by the S3 sink layout's rules of folders (s3sink/list.h,
 * pinetl__s3sink_list_keys): what the listed prefix's name says it is (the landing holding
 * topics/, topics, a topic, a partition), objects ordered by topic, partition and offset
 * numerically whatever the listing's order, other tables skipped silently, keys outside the
 * layout skipped with a notice, a prefix of no sink shape an error. */
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "s3sink/list.h"

static const char *const landing[] = {
    "topics/p.pin/partition=1/p.pin+1+0000000000.json",
    "topics/p.pin/partition=0/p.pin+0+0000000010.json",
    "topics/p.pin/partition=0/p.pin+0+9.json",
    "topics/p.geo/partition=0/p.geo+0+0000000000.json",
    "topics/p.pin/partition=0/notes.txt",
    "topics/p.pin/readme.md",
    "other/p.pin+0+0.json",
};

static void test_landing_in_layout_order(void) {
    pinetl__strlist out = {0};
    pinetl__buf notes = {0};
    CHECK_INT(
        pinetl__s3sink_list_keys("s3://b/land", landing, 7, PINETL_TABLE_PIN, 1, &out, &notes),
        PINETL_OK);
    CHECK_INT(out.n, 3);
    if (out.n == 3) {
        CHECK_STR(out.items[0], "s3://b/land/topics/p.pin/partition=0/p.pin+0+9.json");
        CHECK_STR(out.items[1], "s3://b/land/topics/p.pin/partition=0/p.pin+0+0000000010.json");
        CHECK_STR(out.items[2], "s3://b/land/topics/p.pin/partition=1/p.pin+1+0000000000.json");
    }
    CHECK(notes.p && strstr(notes.p, "notes.txt") && strstr(notes.p, "readme.md"));
    CHECK(!strstr(notes.p, "p.geo") && !strstr(notes.p, "other/")); /* silently */
    pinetl__strlist_free(&out);
    pinetl__buf_free(&notes);
}

static void test_partition_and_topic_prefixes(void) {
    static const char *const part[] = {"p.pin+0+0000000010.json", "p.pin+0+9.json"};
    pinetl__strlist out = {0};
    pinetl__buf notes = {0};
    CHECK_INT(pinetl__s3sink_list_keys("s3://b/topics/p.pin/partition=0", part, 2, PINETL_TABLE_PIN,
                                       1, &out, &notes),
              PINETL_OK);
    CHECK_INT(out.n, 2);
    if (out.n == 2)
        CHECK_STR(out.items[0], "s3://b/topics/p.pin/partition=0/p.pin+0+9.json");
    pinetl__strlist_free(&out);
    /* A partition under the wrong topic does not match its objects. */
    static const char *const topic[] = {"partition=0/q.pin+0+1.json", "partition=2/p.pin+2+1.json"};
    CHECK_INT(pinetl__s3sink_list_keys("s3://b/topics/p.pin", topic, 2, PINETL_TABLE_PIN, 1, &out,
                                       &notes),
              PINETL_OK);
    CHECK_INT(out.n, 1);
    CHECK(strstr(notes.p, "q.pin+0+1.json") != NULL);
    pinetl__strlist_free(&out);
    pinetl__buf_free(&notes);
}

static void test_prefix_of_no_sink_shape(void) {
    static const char *const plain[] = {"pin.jsonl", "geo.jsonl"};
    pinetl__strlist out = {0};
    pinetl__buf notes = {0};
    CHECK_INT(pinetl__s3sink_list_keys("s3://b/data", plain, 2, PINETL_TABLE_PIN, 1, &out, &notes),
              PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "'s3://b/data' is not an S3 sink folder") != NULL);
    CHECK_INT(
        pinetl__s3sink_list_keys("s3://b/land", landing + 3, 1, PINETL_TABLE_PIN, 1, &out, &notes),
        PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "no S3 sink objects of table 'pin'") != NULL);
    pinetl__strlist_free(&out);
    pinetl__buf_free(&notes);
}

int main(void) {
    RUN(test_landing_in_layout_order);
    RUN(test_partition_and_topic_prefixes);
    RUN(test_prefix_of_no_sink_shape);
    return check_done();
}
