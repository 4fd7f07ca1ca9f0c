/* A folder is read only as what it claims to be (SPEC "Folders"): the landing folder holding
 * topics/, a topics/ folder, a topic folder or a partition folder. Any other folder is an error
 * naming what it holds, and a read that finds no object of its table is an error naming what was
 * skipped. Before, a folder of plain JSON-lines files read as 0 rows with the reason only in the
 * notices, and a folder such as /tmp was walked to any depth, reading sink-shaped files of
 * unrelated runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "io_util.h"

static char root[] = "/tmp/pinetl-s3-claims-XXXXXX";

static void put(const char *rel, const char *text) { tree_put(root, rel, text); }

static const char *at(const char *rel) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return path;
}

/* Rows read from one path, or -1 when the open fails (its code in *rc). */
static long rows_of(const char *path, pinetl_table table, int *rc) {
    pinetl_reader *r = NULL;
    if ((*rc = pinetl_reader_open(&r, table, &path, 1, NULL)) != PINETL_OK)
        return -1;
    long n = 0;
    pinetl_batch *b;
    while ((*rc = pinetl_reader_step(&b, r)) == PINETL_BATCH)
        n += (long)pinetl_batch_rows(b);
    pinetl_reader_free(r);
    return n;
}

static void test_folder_of_plain_files_is_an_error(void) {
    put("plain/pin.jsonl", "{\"index\":1,\"category\":\"c\"}\n");
    put("plain/more.jsonl", "{\"index\":2,\"category\":\"c\"}\n");
    int rc;
    CHECK_INT(rows_of(at("plain"), PINETL_TABLE_PIN, &rc), -1);
    CHECK_INT(rc, PINETL_EFORMAT);
    const char *m = pinetl_error_last();
    CHECK(strstr(m, "/plain' is not an S3 sink folder") != NULL);
    CHECK(strstr(m, "2 files and 0 folders") != NULL);
    CHECK(strstr(m, ".jsonl'") != NULL);
    CHECK(strstr(m, "name the files to read them") != NULL);
    /* The listing says the same. */
    pinetl_s3sink_objects *objs = NULL;
    CHECK_INT(pinetl_s3sink_list(&objs, at("plain"), PINETL_TABLE_PIN), PINETL_EFORMAT);
    CHECK(objs == NULL);
    /* The files themselves are read when named. */
    CHECK_INT(rows_of(at("plain/pin.jsonl"), PINETL_TABLE_PIN, &rc), 1);
}

static void test_unrelated_folder_is_not_walked(void) {
    /* A sink tree deep inside an unrelated folder (as /tmp holds other runs' landings). */
    put("scratch/run1/day/topics/t.pin/partition=0/t.pin+0+0.json",
        "{\"index\":3,\"category\":\"c\"}\n");
    int rc;
    CHECK_INT(rows_of(at("scratch"), PINETL_TABLE_PIN, &rc), -1);
    CHECK_INT(rc, PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "is not an S3 sink folder") != NULL);
    CHECK(strstr(pinetl_error_last(), "0 files and 1 folders (such as 'run1')") != NULL);
    /* The landing folder itself is one. */
    CHECK_INT(rows_of(at("scratch/run1/day"), PINETL_TABLE_PIN, &rc), 1);
}

static void test_landing_reads_only_its_topics(void) {
    put("landing/topics/t.pin/partition=0/t.pin+0+0.json", "{\"index\":4,\"category\":\"c\"}\n");
    /* A copy of another run beside topics/: not part of this tree. */
    put("landing/old/topics/t.pin/partition=0/t.pin+0+0.json",
        "{\"index\":5,\"category\":\"c\"}\n");
    put("landing/stray.json", "{\"index\":6,\"category\":\"c\"}\n");
    int rc;
    CHECK_INT(rows_of(at("landing"), PINETL_TABLE_PIN, &rc), 1);
    CHECK_INT(rc, PINETL_DONE);
}

static void test_each_level_of_the_tree_reads(void) {
    put("tree/topics/t.pin/partition=0/t.pin+0+0.json", "{\"index\":7,\"category\":\"c\"}\n");
    put("tree/topics/t.pin/partition=1/t.pin+1+0.json", "{\"index\":8,\"category\":\"c\"}\n");
    put("tree/topics/pin/partition=0/pin+0+0.json", "{\"index\":9,\"category\":\"c\"}\n");
    int rc;
    CHECK_INT(rows_of(at("tree"), PINETL_TABLE_PIN, &rc), 3);
    CHECK_INT(rows_of(at("tree/topics"), PINETL_TABLE_PIN, &rc), 3);
    CHECK_INT(rows_of(at("tree/topics/t.pin"), PINETL_TABLE_PIN, &rc), 2);
    CHECK_INT(rows_of(at("tree/topics/pin"), PINETL_TABLE_PIN, &rc), 1);
    CHECK_INT(rows_of(at("tree/topics/t.pin/partition=1"), PINETL_TABLE_PIN, &rc), 1);
    CHECK_INT(rc, PINETL_DONE);
}

static void test_no_object_of_the_table_is_an_error(void) {
    put("geo-only/topics/t.geo/partition=0/t.geo+0+0.json", "{\"ind\":1}\n");
    put("geo-only/topics/t.pin/partition=0/notes.txt", "x\n");
    int rc;
    CHECK_INT(rows_of(at("geo-only"), PINETL_TABLE_PIN, &rc), -1);
    CHECK_INT(rc, PINETL_EFORMAT);
    const char *m = pinetl_error_last();
    CHECK(strstr(m, "no S3 sink objects of table 'pin'") != NULL);
    CHECK(strstr(m, "skipped 1 topics or objects of other tables (such as 't.geo')") != NULL);
    CHECK(strstr(m, "1 entries outside the layout (first: skipped '") != NULL);
    CHECK(strstr(m, "notes.txt': not an S3 sink object") != NULL);
    /* A topic folder of another table, named directly. */
    CHECK_INT(rows_of(at("geo-only/topics/t.geo"), PINETL_TABLE_PIN, &rc), -1);
    CHECK(strstr(pinetl_error_last(), "(such as 't.geo+0+0.json')") != NULL);
    /* The listing (not a read) reports it as a notice. */
    pinetl_s3sink_objects *objs = NULL;
    CHECK_INT(pinetl_s3sink_list(&objs, at("geo-only"), PINETL_TABLE_PIN), PINETL_OK);
    CHECK_INT(pinetl_s3sink_objects_count(objs), 0);
    CHECK(strstr(pinetl_s3sink_objects_notices(objs), "no S3 sink objects of table 'pin'") != NULL);
    pinetl_s3sink_objects_free(objs);
}

int main(void) {
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 99;
    }
    RUN(test_folder_of_plain_files_is_an_error);
    RUN(test_unrelated_folder_is_not_walked);
    RUN(test_landing_reads_only_its_topics);
    RUN(test_each_level_of_the_tree_reads);
    RUN(test_no_object_of_the_table_is_an_error);
    tree_remove(root);
    return check_done();
}
