/* A top-level array far larger than a batch is streamed element by element: every element is a
 * row, in order, with its line, and batches stay near batch_bytes instead of holding the array. */
#include <unistd.h>

#include "check.h"
#include "io_util.h"

enum { ELEMENTS = 60000 };

/* Writes "[\n  {...},\n  {...}\n]\n" to a temporary file (removed at exit); returns its path. */
static char tmp_path[64];
static void remove_tmp(void) { unlink(tmp_path); }

static const char *write_array(int one_line) {
    snprintf(tmp_path, sizeof tmp_path, "/tmp/pinetl-large-array-XXXXXX");
    int fd = mkstemp(tmp_path);
    if (fd < 0)
        exit(99);
    atexit(remove_tmp);
    FILE *f = fdopen(fd, "w");
    fputs(one_line ? "[" : "[\n", f);
    for (int i = 1; i <= ELEMENTS; i++)
        fprintf(
            f,
            one_line
                ? "{\"ind\": %d, \"country\": \"C%d\", \"latitude\": %d.5, \"longitude\": 1}%s"
                : "  {\"ind\": %d, \"country\": \"C%d\", \"latitude\": %d.5, \"longitude\": 1}%s",
            i, i % 97, i % 80,
            i < ELEMENTS ? (one_line ? ", " : ",\n") : (one_line ? "]\n" : "\n]\n"));
    fclose(f);
    return tmp_path;
}

static void check_array(const char *path, int one_line) {
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.batch_bytes = 16384;
    o.threads = 2;
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_GEO, &path, 1, &o), 0);
    if (!r)
        return;
    pinetl_batch *b;
    int64_t next = 1, bad_order = 0, bad_line = 0;
    size_t batches = 0, biggest = 0;
    while (pinetl_reader_step(&b, r) == PINETL_BATCH) {
        batches++;
        if (pinetl_batch_rows(b) > biggest)
            biggest = pinetl_batch_rows(b);
        for (size_t i = 0; i < pinetl_batch_rows(b); i++, next++) {
            bad_order += pinetl_batch_status(b)[i] != 0 || row_ind(b, i) != next;
            bad_line += pinetl_batch_lines(b)[i] != (one_line ? 1 : next + 1);
        }
    }
    pinetl_stats st;
    pinetl_reader_stats(&st, r);
    CHECK_INT(next - 1, ELEMENTS);
    CHECK_INT(bad_order, 0);
    CHECK_INT(bad_line, 0);
    CHECK_INT(st.cleaned, ELEMENTS);
    CHECK(batches > 100);  /* streamed, not one batch holding the whole array */
    CHECK(biggest < 1000); /* ~16 KiB of ~70-byte elements per batch */
    pinetl_reader_free(r);
}

static void test_pretty_array(void) {
    check_array(write_array(0), 0);
    remove_tmp();
}
static void test_one_line_array(void) {
    check_array(write_array(1), 1);
    remove_tmp();
}

int main(void) {
    RUN(test_pretty_array);
    RUN(test_one_line_array);
    return check_done();
}
