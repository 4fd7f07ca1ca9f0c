/* A reader whose batches go to its caller (no render format) maps a file of a batch or more,
 * but a job points into one mapping: small files (an S3 sink folder's objects) are read, so
 * that many share one batch rather than making a batch each. The rows are those of the files
 * read one by one, in order; a large file among them (mapped) changes nothing. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "io_util.h"

enum { FILES = 40, LINES = 25, BIG_LINES = 20000 };

static char paths[FILES + 1][64];

static void remove_all(void) {
    for (int i = 0; i <= FILES; i++)
        if (paths[i][0])
            unlink(paths[i]);
}

static void write_file(int i, int lines) {
    snprintf(paths[i], sizeof paths[i], "/tmp/pinetl-small-files-XXXXXX");
    int fd = mkstemp(paths[i]);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f)
        exit(99);
    for (int l = 0; l < lines; l++)
        fprintf(f, "{\"index\": %d, \"title\": \"file %d line %d\", \"category\": \"diy\"}\n",
                i * 100000 + l, i, l);
    fclose(f);
}

static void test_small_files_share_batches(void) {
    const char *p[FILES + 1];
    for (int i = 0; i < FILES; i++) {
        write_file(i, i == FILES / 2 ? BIG_LINES : LINES);
        p[i] = paths[i];
    }
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 64 << 10; /* the big file is several batches, mapped; the others far less */
    o.threads = 2;
    run_out all;
    CHECK_INT(read_all(PINETL_TABLE_PIN, p, FILES, &o, &all), PINETL_DONE);
    CHECK_INT(all.nrows, (FILES - 1) * LINES + BIG_LINES);
    CHECK_INT(all.nrejected, 0);
    /* the 39 small files (about 2.5 KB each) fill two batches or so; the big file ~25 */
    CHECK(all.batches < FILES);
    sbuf one_by_one = {0};
    sbuf_add(&one_by_one, "", 0);
    for (int i = 0; i < FILES; i++) {
        run_out one;
        CHECK_INT(read_all(PINETL_TABLE_PIN, &p[i], 1, &o, &one), PINETL_DONE);
        sbuf_add(&one_by_one, one.rows.p, one.rows.len);
        run_out_free(&one);
    }
    CHECK(all.rows.len == one_by_one.len && !memcmp(all.rows.p, one_by_one.p, one_by_one.len));
    sbuf_free(&one_by_one);
    run_out_free(&all);
}

int main(void) {
    atexit(remove_all);
    RUN(test_small_files_share_batches);
    return check_done();
}
