/* S3-sink listing edge cases, on a tree made at run time: offsets and partitions with leading
 * zeros order numerically (offset 9 before 0000000010), objects equal in number order by path,
 * folders with many objects, and the things a listing skips with a notice instead of failing or
 * looping: a dangling symbolic link, a FIFO, a symbolic link back to an ancestor (not a
 * partition folder). An input that exists but cannot be opened (a socket) fails with PINETL_EIO naming it;
 * one that does not exist, with PINETL_ENOTFOUND. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "io_util.h"

static char root[] = "/tmp/pinetl-s3-edges-XXXXXX";

static void mkdir_p(const char *rel) {
    char path[512], *p;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    mkdir(path, 0755);
}

static void put(const char *rel, long ind) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(99);
    }
    fprintf(f, "{\"index\":%ld,\"category\":\"c\"}\n", ind);
    fclose(f);
}

/* Every ind the reader hands out, in order; the notices in *notes (caller frees). */
static size_t read_inds(const char *dir, int64_t *inds, size_t cap, char **notes, int *rc_out) {
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.threads = 1;
    pinetl_reader *r = NULL;
    *notes = NULL;
    *rc_out = pinetl_reader_open(&r, PINETL_TABLE_PIN, &dir, 1, &o);
    if (*rc_out)
        return 0;
    *notes = strdup(pinetl_reader_notices(r));
    size_t n = 0;
    pinetl_batch *b;
    while ((*rc_out = pinetl_reader_step(&b, r)) == PINETL_BATCH)
        for (size_t i = 0; i < pinetl_batch_rows(b); i++)
            if (n < cap)
                inds[n++] = pinetl_batch_int64(b, 0)[i];
    pinetl_reader_free(r);
    return n;
}

static void test_leading_zeros_order_numerically(void) {
    mkdir_p("zeros/topics/t.pin/partition=0");
    mkdir_p("zeros/topics/t.pin/partition=00");
    mkdir_p("zeros/topics/t.pin/partition=2");
    put("zeros/topics/t.pin/partition=0/t.pin+0+0000000010.json", 3);
    put("zeros/topics/t.pin/partition=0/t.pin+0+9.json", 1);
    /* Partition 00 is partition 0, offset 009 is offset 9: the same position, ordered by path
     * ("partition=0/..." before "partition=00/..."). */
    put("zeros/topics/t.pin/partition=00/t.pin+00+009.json", 2);
    put("zeros/topics/t.pin/partition=2/t.pin+2+0.json", 4);
    char dir[512], *notes;
    snprintf(dir, sizeof dir, "%s/zeros", root);
    int64_t inds[8];
    int rc;
    size_t n = read_inds(dir, inds, 8, &notes, &rc);
    CHECK_INT(rc, PINETL_DONE);
    CHECK_INT(n, 4);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(inds[i], (int64_t)i + 1);
    CHECK_STR(notes, "");
    free(notes);
}

static void test_many_objects_in_one_folder(void) {
    mkdir_p("many/t.pin/partition=1");
    char rel[256];
    for (int i = 0; i < 150; i++) { /* past the listing's first capacities (16 names, 64 objects) */
        snprintf(rel, sizeof rel, "many/t.pin/partition=1/t.pin+1+%d.json", 1000 - i);
        put(rel, 1000 - i);
    }
    char dir[512], *notes;
    snprintf(dir, sizeof dir, "%s/many/t.pin/", root); /* a topic; a trailing slash is fine */
    int64_t inds[200];
    int rc;
    size_t n = read_inds(dir, inds, 200, &notes, &rc);
    CHECK_INT(rc, PINETL_DONE);
    CHECK_INT(n, 150);
    int sorted = 1;
    for (size_t i = 1; i < n; i++)
        sorted &= inds[i - 1] < inds[i];
    CHECK(sorted);
    CHECK_INT(inds[0], 851);
    free(notes);
}

static void test_links_fifos_and_loops_are_skipped_with_a_notice(void) {
    mkdir_p("odd/t.pin/partition=0");
    put("odd/t.pin/partition=0/t.pin+0+1.json", 7);
    char path[512], target[512];
    snprintf(path, sizeof path, "%s/odd/t.pin/partition=0/t.pin+0+2.json", root);
    snprintf(target, sizeof target, "%s/odd/nowhere.json", root);
    CHECK_INT(symlink(target, path), 0); /* dangling */
    snprintf(path, sizeof path, "%s/odd/t.pin/partition=0/t.pin+0+3.json", root);
    CHECK_INT(mkfifo(path, 0644), 0); /* a FIFO in the tree */
    snprintf(path, sizeof path, "%s/odd/t.pin/up", root);
    CHECK_INT(symlink("..", path), 0); /* a loop */
    char dir[512], *notes;
    snprintf(dir, sizeof dir, "%s/odd/t.pin", root); /* a topic folder */
    int64_t inds[8];
    int rc;
    size_t n = read_inds(dir, inds, 8, &notes, &rc);
    CHECK_INT(rc, PINETL_DONE);
    CHECK(n >= 1 && inds[0] == 7);
    /* The loop is no partition folder: the listing enters only the layout's folders, at their
     * fixed depth, so it cannot loop. */
    CHECK(notes && strstr(notes, "t.pin+0+2.json': No such file or directory") != NULL);
    CHECK(notes && strstr(notes, "t.pin+0+3.json': not a regular file") != NULL);
    CHECK(notes && strstr(notes, "t.pin/up': not a partition folder") != NULL);
    if (notes && !strstr(notes, "t.pin/up': not a partition folder"))
        fprintf(stderr, "notices: %s\n", notes);
    CHECK_INT(n, 1);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(inds[i], 7);
    free(notes);
}

static void test_inputs_that_cannot_be_opened(void) {
    char sock[100]; /* fits sun_path */
    snprintf(sock, sizeof sock, "%s/input.sock", root);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    const char *paths[] = {sock};
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, paths, 1, NULL), PINETL_EIO);
    CHECK(r == NULL);
    char want[600];
    snprintf(want, sizeof want, "cannot open '%s': ", sock);
    CHECK(strstr(pinetl_error_last(), want) == pinetl_error_last());
    close(fd);
    unlink(sock);
    char missing[512];
    snprintf(missing, sizeof missing, "%s/missing.json", root);
    paths[0] = missing;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, paths, 1, NULL), PINETL_ENOTFOUND);
    /* Bad arguments. */
    CHECK_INT(pinetl_reader_open(NULL, PINETL_TABLE_PIN, paths, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_open(&r, (pinetl_table)5, paths, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, NULL, 1, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, paths, 0, NULL), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "pinetl_reader_open: no inputs");
    const char *null_path[] = {NULL};
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, null_path, 1, NULL), PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "input 0 is NULL");
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_reader_step(&b, NULL), PINETL_EINVAL);
    pinetl_stats st;
    st.read = 99;
    pinetl_reader_stats(&st, NULL);
    CHECK_INT(st.read, 0);
    pinetl_reader_stats(NULL, NULL);
    pinetl_reader_free(NULL);
    pinetl_text_codes codes;
    CHECK_INT(pinetl_reader_text_codes(&codes, NULL, 1), PINETL_EINVAL);
}

int main(void) {
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 99;
    }
    RUN(test_leading_zeros_order_numerically);
    RUN(test_many_objects_in_one_folder);
    RUN(test_links_fifos_and_loops_are_skipped_with_a_notice);
    RUN(test_inputs_that_cannot_be_opened);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return check_done();
}
