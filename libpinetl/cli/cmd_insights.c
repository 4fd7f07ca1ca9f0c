/* pinetl insights: the spec's insights, from the warehouse or from input files in memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "commands.h"
#include "options.h"

static void insights_usage(FILE *out) {
    fprintf(
        out,
        "usage: pinetl insights [--db FILE | --pin F --geo F --user F] [OPTIONS] [NAME ...]\n"
        "\n"
        "Computes the insights NAME (default: all nine) from the warehouse FILE, or from raw\n"
        "input files cleaned in memory (any envelope format; each of --pin, --geo, --user may\n"
        "be repeated, and only the tables the chosen insights read are required).\n"
        "\n"
        "options:\n"
        "  --db FILE                 the warehouse database\n"
        "  --pin F, --geo F, --user F  input files of a table (each may be repeated)\n"
        "  -f, --format F            table (default), json or csv\n"
        "  -m, --median M            approx (percentile_approx, default) or interpolated\n"
        "  -i, --input-format F      format of the input files (default auto)\n"
        "  -T, --threads N           worker threads for reading files (default 0: one per core)\n"
        "  -q, --quiet               no per-table counts on stderr (input files only)\n"
        "  -l, --list                print the insight names and exit\n"
        "  -h, --help                this help\n"
        "\n"
        "With input files, one line per table on stderr gives the records read, cleaned and\n"
        "rejected. Cleaned JSON lines (pinetl clean's output) are valid input too.\n");
}

/* One line per table on stderr, so that an empty result is never silent: records read, cleaned,
 * rejected (by reason, with the first reject's message). */
static void report_table(pinetl_table table, const pinetl_stats *s, const char *first_reject) {
    fprintf(stderr, "pinetl insights: %s: %lld records read, %lld cleaned, %lld rejected",
            pinetl_table_name(table), (long long)s->read, (long long)s->cleaned,
            (long long)s->rejected);
    const char *sep = " (";
    for (int c = 1; c < PINETL_REJECT_CODES; c++) {
        if (!s->rejected_by_code[c])
            continue;
        fprintf(stderr, "%s%s: %lld", sep, pinetl_reject_name(c),
                (long long)s->rejected_by_code[c]);
        sep = ", ";
    }
    fprintf(stderr, "%s\n", *sep == ',' ? ")" : "");
    if (first_reject)
        fprintf(stderr, "  first reject: %s\n", first_reject);
    if (!s->cleaned)
        fprintf(stderr,
                "pinetl insights: warning: no %s record could be cleaned; insights over"
                " %s are empty\n",
                pinetl_table_name(table), pinetl_table_name(table));
}

/* Cleans the inputs into a dataset (the library reads the three tables at the same time), then
 * reports each table, in table order. */
static int compute_from_files(const cli_list *in, const pinetl_insights_options *opts,
                              const pinetl_reader_options *ropts, int quiet,
                              pinetl_insights **out) {
    const char *const *paths[PINETL_TABLE_COUNT];
    size_t npaths[PINETL_TABLE_COUNT];
    pinetl_dataset_report reports[PINETL_TABLE_COUNT];
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        paths[t] = in[t].items;
        npaths[t] = in[t].n;
    }
    pinetl_dataset *ds;
    int rc = pinetl_dataset_new(&ds);
    if (rc)
        return rc;
    rc = pinetl_dataset_read_files(reports, ds, paths, npaths, ropts);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        if (!npaths[t])
            continue;
        if (reports[t].notices)
            fputs(reports[t].notices, stderr);
        pinetl_free(reports[t].notices);
        if (!quiet && !rc)
            report_table((pinetl_table)t, &reports[t].stats, reports[t].first_reject);
        pinetl_free(reports[t].first_reject);
    }
    if (!rc)
        rc = pinetl_insights_compute(out, ds, opts);
    pinetl_dataset_free(ds);
    return rc;
}

int cmd_insights(int argc, char **argv) {
    const char *db = NULL;
    pinetl_insights_format format = PINETL_INSIGHTS_TABLE;
    int status = 2, quiet = 0, list = 0;
    pinetl_insights_options opts;
    pinetl_insights_options_init(&opts, PINETL_INSIGHTS_OPTIONS_VERSION);
    pinetl_reader_options ropts;
    pinetl_reader_options_init(&ropts, PINETL_READER_OPTIONS_VERSION);
    cli_list in[PINETL_TABLE_COUNT] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    pinetl_insights *result = NULL;
    const cli_option options[] = {
        {.name = "db", .short_name = 0, .kind = CLI_STRING, .target = &db},
        {.name = "pin", .short_name = 0, .kind = CLI_LIST, .target = &in[PINETL_TABLE_PIN]},
        {.name = "geo", .short_name = 0, .kind = CLI_LIST, .target = &in[PINETL_TABLE_GEO]},
        {.name = "user", .short_name = 0, .kind = CLI_LIST, .target = &in[PINETL_TABLE_USER]},
        {.name = "format", .short_name = 'f', .kind = CLI_INSIGHTS_FORMAT, .target = &format},
        {.name = "median", .short_name = 'm', .kind = CLI_MEDIAN, .target = &opts.median},
        {.name = "input-format",
         .short_name = 'i',
         .kind = CLI_INPUT_FORMAT,
         .target = &ropts.input_format},
        {.name = "threads",
         .short_name = 'T',
         .kind = CLI_NUMBER,
         .target = &ropts.threads,
         .min = 0,
         .max = CLI_MAX_THREADS},
        {.name = "quiet", .short_name = 'q', .kind = CLI_FLAG, .target = &quiet},
        {.name = "list", .short_name = 'l', .kind = CLI_FLAG, .target = &list},
        {.name = NULL}};
    cli_list rest;
    status = cli_parse("insights", argc, argv, options, insights_usage, &rest);
    if (status >= 0)
        goto done;
    status = 2;
    if (list) {
        for (int k = 0; k < PINETL_INSIGHT_COUNT; k++)
            printf("%s\n", pinetl_insight_name(k));
        status = 0;
        goto done;
    }
    const char **names = rest.items;
    for (size_t i = 0; i < rest.n; i++) {
        if (pinetl_insight_from_name(NULL, rest.items[i])) {
            fprintf(stderr, "pinetl insights: %s\n", pinetl_error_last());
            goto done;
        }
    }
    opts.nnames = rest.n;
    if (opts.nnames)
        opts.names = names;
    int any_file = in[0].n || in[1].n || in[2].n;
    if (!db == !any_file) {
        fprintf(stderr,
                "pinetl insights: give either --db FILE or input files (--pin, --geo, --user)\n");
        insights_usage(stderr);
        goto done;
    }
    if (any_file) {
        /* Every table a chosen insight reads must be given: an absent table would silently
         * produce empty results. */
        for (int k = 0; k < PINETL_INSIGHT_COUNT; k++) {
            int chosen = !opts.nnames;
            for (size_t j = 0; j < opts.nnames; j++)
                chosen |= !strcmp(names[j], pinetl_insight_name(k));
            for (int t = 0; chosen && t < PINETL_TABLE_COUNT; t++) {
                if ((pinetl_insight_tables(k) & (1u << t)) && !in[t].n) {
                    fprintf(stderr, "pinetl insights: %s needs --%s\n", pinetl_insight_name(k),
                            pinetl_table_name((pinetl_table)t));
                    goto done;
                }
            }
        }
    }
    int rc;
    if (db) {
        pinetl_warehouse *wh;
        rc = pinetl_warehouse_open(&wh, db, PINETL_WAREHOUSE_READONLY);
        if (!rc) {
            rc = pinetl_warehouse_insights(&result, wh, &opts);
            pinetl_warehouse_free(wh);
        }
    } else {
        rc = compute_from_files(in, &opts, &ropts, quiet, &result);
    }
    if (rc) {
        fprintf(stderr, "pinetl insights: %s\n", pinetl_error_last());
        status = rc == PINETL_EIO || rc == PINETL_ENOTFOUND ? 2 : 1;
        goto done;
    }
    char *text;
    size_t len;
    if ((rc = pinetl_insights_render(&text, &len, result, format))) {
        fprintf(stderr, "pinetl insights: %s\n", pinetl_error_last());
        status = 1;
        goto done;
    }
    status = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
    if (status)
        fprintf(stderr, "pinetl insights: cannot write the output to standard output: %s\n",
                strerror(errno));
    pinetl_free(text);
done:
    pinetl_insights_free(result);
    cli_free(options, &rest);
    return status;
}
