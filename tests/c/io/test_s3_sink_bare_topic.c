/* A bare topic named after its table (topics/pin/partition=0/pin+0+0000000000.json), as a Kafka
 * Connect S3 sink writes it for a topic "pin", is read like a prefixed one ("0a1b.pin"): the
 * reader takes its records, in layout order with the prefixed topics' (by topic name). Before the
 * layout was defined once (s3sink.h), the reader required <prefix>.<table> and read 0 records
 * from it while the daily chain counted the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "io_util.h"

static char root[] = "/tmp/pinetl-s3-bare-XXXXXX";

static void put(const char *rel, const char *text) { tree_put(root, rel, text); }

static void test_bare_topic_records_are_read(void) {
    put("bare/topics/pin/partition=0/pin+0+0000000000.json",
        "{\"index\":1,\"category\":\"a\"}\n{\"index\":2,\"category\":\"b\"}\n");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bare", root);
    const char *d = dir;
    run_out out;
    CHECK_INT(read_all(PINETL_TABLE_PIN, &d, 1, NULL, &out), PINETL_DONE);
    CHECK_INT(out.nrows, 2);
    run_out_free(&out);
}

static void test_bare_and_prefixed_topics_together(void) {
    put("both/topics/pin/partition=0/pin+0+0000000000.json", "{\"index\":3,\"category\":\"c\"}\n");
    put("both/topics/0a1b.pin/partition=0/0a1b.pin+0+0000000000.json",
        "{\"index\":1,\"category\":\"a\"}\n");
    put("both/topics/0a1b.geo/partition=0/0a1b.geo+0+0000000000.json", "{\"ind\":9}\n");
    put("both/topics/geo/partition=0/geo+0+0000000000.json", "{\"ind\":8}\n");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/both", root);
    pinetl_s3sink_objects *objs = NULL;
    CHECK_INT(pinetl_s3sink_list(&objs, dir, PINETL_TABLE_PIN), PINETL_OK);
    CHECK_INT(pinetl_s3sink_objects_count(objs), 2);
    /* Ordered by topic name: "0a1b.pin" before "pin". */
    CHECK(strstr(pinetl_s3sink_objects_path(objs, 0), "/0a1b.pin+0+0000000000.json") != NULL);
    CHECK(strstr(pinetl_s3sink_objects_path(objs, 1), "/topics/pin/partition=0/pin+0+") != NULL);
    CHECK_STR(pinetl_s3sink_objects_notices(objs), "");
    pinetl_s3sink_objects_free(objs);
    CHECK_INT(pinetl_s3sink_list(&objs, dir, PINETL_TABLE_GEO), PINETL_OK);
    CHECK_INT(pinetl_s3sink_objects_count(objs), 2);
    pinetl_s3sink_objects_free(objs);
}

static void test_topics_of_no_table_and_misfits(void) {
    put("odd/topics/pins/partition=0/pins+0+0.json", "{}\n"); /* no table: skipped silently */
    put("odd/topics/.pin/partition=0/.pin+0+0.json", "{}\n"); /* no table either */
    put("odd/topics/pin/partition=1/pin+0+0.json", "{}\n");   /* partition does not match */
    put("odd/topics/pin/partition=0/other+0+0.json", "{}\n"); /* topic does not match */
    put("odd/topics/pin/partition=0/pin+0+0.json", "{\"index\":5,\"category\":\"e\"}\n");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/odd", root);
    pinetl_s3sink_objects *objs = NULL;
    CHECK_INT(pinetl_s3sink_list(&objs, dir, PINETL_TABLE_PIN), PINETL_OK);
    CHECK_INT(pinetl_s3sink_objects_count(objs), 1);
    const char *notes = pinetl_s3sink_objects_notices(objs);
    CHECK(strstr(notes, "partition=1/pin+0+0.json': not an S3 sink object") != NULL);
    CHECK(strstr(notes, "other+0+0.json': not an S3 sink object") != NULL);
    CHECK(strstr(notes, ".pin+0+0.json") == NULL); /* topics of no table: silent */
    CHECK(strstr(notes, "pins+0+0.json") == NULL);
    pinetl_s3sink_objects_free(objs);
    CHECK_INT(pinetl_s3sink_list(&objs, "/nonexistent/pinetl-s3", PINETL_TABLE_PIN),
              PINETL_ENOTFOUND);
    CHECK(objs == NULL);
    CHECK_INT(pinetl_s3sink_list(&objs, dir, (pinetl_table)7), PINETL_EINVAL);
}

int main(void) {
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 99;
    }
    RUN(test_bare_topic_records_are_read);
    RUN(test_bare_and_prefixed_topics_together);
    RUN(test_topics_of_no_table_and_misfits);
    tree_remove(root);
    return check_done();
}
