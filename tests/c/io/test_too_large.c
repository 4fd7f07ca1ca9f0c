/* Spec 2, too_large: a record larger than the reader's limit is rejected with a raw prefix. In
 * JSON lines the next line goes on; in value-by-value input a value that cannot be delimited
 * within the limit makes the rest of the input one reject. */
#include <unistd.h>

#include "check.h"
#include "io_util.h"

static char path[64];
static void remove_tmp(void) { unlink(path); }

static const char *write_tmp(const char *text) {
    snprintf(path, sizeof path, "/tmp/pinetl-too-large-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        exit(99);
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        exit(99);
    close(fd);
    return path;
}

static void test_long_line(void) {
    sbuf t = {0};
    sbuf_add(&t, "{\"index\": 1}\n{\"index\": 2, \"title\": \"",
             strlen("{\"index\": 1}\n{\"index\": 2, \"title\": \""));
    for (int i = 0; i < 3000; i++)
        sbuf_add(&t, "x", strlen("x"));
    sbuf_add(&t, "\"}\n{\"index\": 3}\n", strlen("\"}\n{\"index\": 3}\n"));
    const char *p = write_tmp(t.p);
    for (size_t block = 100; block <= 100000; block *= 1000) {
        pinetl_reader_options o;
        pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
        o.max_record_bytes = 1000;
        o.batch_bytes = block;
        run_out out;
        CHECK_INT(read_all(PINETL_TABLE_PIN, &p, 1, &o, &out), PINETL_DONE);
        CHECK_INT(out.nrows, 3);
        CHECK_INT(out.nrejected, 1);
        CHECK_INT(out.stats.rejected_by_code[PINETL_REJECT_TOO_LARGE], 1);
        CHECK(strstr(out.rejects.p, "larger than the limit of 1000 bytes") != NULL);
        CHECK(strstr(out.rejects.p, "\"line\":2") != NULL);
        CHECK(strstr(out.rows.p, "\"ind\":3") != NULL);
        run_out_free(&out);
    }
    remove_tmp();
    sbuf_free(&t);
}

static void test_huge_value(void) {
    sbuf t = {0};
    sbuf_add(&t, "[\n {\"index\": 1},\n {\"index\": 2, \"title\": \"",
             strlen("[\n {\"index\": 1},\n {\"index\": 2, \"title\": \""));
    for (int i = 0; i < 5000; i++)
        sbuf_add(&t, "y", strlen("y"));
    sbuf_add(&t, "\"},\n {\"index\": 3}\n]\n", strlen("\"},\n {\"index\": 3}\n]\n"));
    const char *p = write_tmp(t.p);
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.max_record_bytes = 1000;
    o.batch_bytes = 256;
    run_out out;
    CHECK_INT(read_all(PINETL_TABLE_PIN, &p, 1, &o, &out), PINETL_DONE);
    CHECK_INT(out.nrows, 2);
    CHECK_INT(out.nrejected, 1);
    CHECK_INT(out.stats.rejected_by_code[PINETL_REJECT_TOO_LARGE], 1);
    CHECK(strstr(out.rejects.p, "\"line\":3") != NULL);
    run_out_free(&out);
    remove_tmp();
    sbuf_free(&t);
}

int main(void) {
    RUN(test_long_line);
    RUN(test_huge_value);
    return check_done();
}
