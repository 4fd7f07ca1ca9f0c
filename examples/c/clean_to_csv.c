/* clean_to_csv: cleans input files of one table and writes the cleaned rows as CSV on stdout,
 * rejects as JSON lines on stderr, then the run summary on stderr.
 *
 * An example of libpinetl's public API, built against an installed library through pkg-config:
 *
 *     cc clean_to_csv.c $(pkg-config --cflags --libs pinetl) -o clean_to_csv
 *     ./clean_to_csv geo tests/data/real-sample/geo.jsonl > geo.csv
 *
 * Exit status: 0 when every record was cleaned, 1 when some were rejected, 2 on errors. */
#include <stdio.h>
#include <string.h>

#include <pinetl/pinetl.h>

static int fail(const char *what, int rc) {
    fprintf(stderr, "clean_to_csv: %s: %s (%s)\n", what, pinetl_error_last(), pinetl_strerror(rc));
    return 2;
}

int main(int argc, char **argv) {
    pinetl_table table;
    if (argc < 3 || pinetl_table_from_name(&table, argv[1]) != PINETL_OK) {
        fprintf(stderr,
                "usage: %s pin|geo|user FILE... (- for stdin)\n"
                "libpinetl %s\n",
                argv[0], pinetl_version());
        return 2;
    }

    /* Workers clean and render CSV ahead of us; the first batch carries the header line. */
    pinetl_reader_options options;
    pinetl_reader_options_init(&options, PINETL_READER_OPTIONS_VERSION);
    options.render_format = PINETL_FORMAT_CSV;
    options.render_header = 1;

    pinetl_reader *reader;
    int rc = pinetl_reader_open(&reader, table, (const char *const *)argv + 2, (size_t)argc - 2,
                                &options);
    if (rc != PINETL_OK)
        return fail("open", rc);

    pinetl_batch *batch;
    int first = 1;
    while ((rc = pinetl_reader_step(&batch, reader)) == PINETL_BATCH) {
        const char *out;
        size_t len;
        /* Already rendered by a worker (the render is cached), so this is a lookup. */
        rc = pinetl_batch_render(&out, &len, batch, PINETL_FORMAT_CSV, first);
        if (rc != PINETL_OK)
            break;
        first = 0;
        if (len && fwrite(out, 1, len, stdout) != len) {
            fprintf(stderr, "clean_to_csv: cannot write the output\n");
            pinetl_reader_free(reader);
            return 2;
        }
        rc = pinetl_batch_render_rejects(&out, &len, batch);
        if (rc != PINETL_OK)
            break;
        fwrite(out, 1, len, stderr);
    }
    if (rc != PINETL_DONE) {
        pinetl_reader_free(reader);
        return fail("read", rc);
    }

    pinetl_stats stats;
    char *summary;
    pinetl_reader_stats(&stats, reader);
    fputs(pinetl_reader_notices(reader), stderr);
    pinetl_reader_free(reader);
    if ((rc = pinetl_stats_to_text(&summary, &stats)) != PINETL_OK)
        return fail("summary", rc);
    fputs(summary, stderr);
    pinetl_free(summary);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "clean_to_csv: cannot write the output\n");
        return 2;
    }
    return stats.rejected ? 1 : 0;
}
