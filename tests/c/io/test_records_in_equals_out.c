/* Records in = rows = cleaned + rejected, for every fixture, in one shot and through a reader,
 * and the reader's stats agree (read = cleaned + rejected). */
#include "check.h"
#include "fixtures.h"
#include "io_util.h"

static void test_every_fixture(void) {
    for (size_t i = 0; i < NFIXTURES; i++) {
        const struct fixture *f = &fixtures[i];
        pinetl_batch *b = clean_fixture(f->table, f->path, PINETL_INPUT_AUTO);
        size_t rows = pinetl_batch_rows(b), rejected = pinetl_batch_rejected(b), cleaned = 0;
        for (size_t r = 0; r < rows; r++)
            cleaned += pinetl_batch_status(b)[r] == 0;
        if (rows != f->records || rejected != f->rejected)
            fprintf(stderr, "  %s: %zu rows, %zu rejected\n", f->path, rows, rejected);
        CHECK_INT(rows, f->records);
        CHECK_INT(rejected, f->rejected);
        CHECK_INT(cleaned + rejected, rows);
        pinetl_batch_free(b);

        run_out out;
        pinetl_reader_options o;
        pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
        o.batch_bytes = 4096;
        CHECK_INT(read_all(f->table, &f->path, 1, &o, &out), PINETL_DONE);
        CHECK_INT(out.nrows, f->records);
        CHECK_INT(out.nrejected, f->rejected);
        CHECK_INT(out.stats.read, (int64_t)f->records);
        CHECK_INT(out.stats.cleaned + out.stats.rejected, out.stats.read);
        CHECK_INT(out.stats.rejected, (int64_t)f->rejected);
        run_out_free(&out);
    }
}

/* All fixtures of one table through one reader: the totals add up. */
static void test_many_inputs_one_reader(void) {
    const char *paths[NFIXTURES];
    size_t n = 0, want = 0;
    for (size_t i = 0; i < NFIXTURES; i++) {
        if (fixtures[i].table != PINETL_TABLE_PIN)
            continue;
        paths[n++] = fixtures[i].path;
        want += fixtures[i].records;
    }
    run_out out;
    CHECK_INT(read_all(PINETL_TABLE_PIN, paths, n, NULL, &out), PINETL_DONE);
    CHECK_INT(out.nrows, want);
    CHECK_INT(out.stats.read, (int64_t)want);
    run_out_free(&out);
}

int main(void) {
    RUN(test_every_fixture);
    RUN(test_many_inputs_one_reader);
    return check_done();
}
