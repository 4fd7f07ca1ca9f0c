/* pinetl insights: the spec's insights, from the warehouse or from input files in memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "commands.h"

static void insights_usage(FILE *out) {
    fprintf(out,
            "usage: pinetl insights [--db FILE | --pin F --geo F --user F] [OPTIONS] [NAME ...]\n"
            "\n"
            "Computes the insights NAME (default: all nine) from the warehouse FILE, or from raw\n"
            "input files cleaned in memory (any envelope format; each of --pin, --geo, --user may\n"
            "be repeated, and only the tables the chosen insights read are required).\n"
            "\n"
            "options:\n"
            "  --format F            table (default), json or csv\n"
            "  --median M            approx (percentile_approx, default) or interpolated\n"
            "  --input-format F      format of the input files (default auto)\n"
            "  --threads N           worker threads for reading files\n"
            "  --quiet               no per-table counts on stderr (input files only)\n"
            "  --list                print the insight names and exit\n"
            "\n"
            "With input files, one line per table on stderr gives the records read, cleaned and\n"
            "rejected. Cleaned JSON lines (pinetl clean's output) are valid input too.\n");
}

typedef struct inputs { const char **paths; size_t n; } inputs;

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
        fprintf(stderr, "%s%s: %lld", sep, pinetl_reject_name(c), (long long)s->rejected_by_code[c]);
        sep = ", ";
    }
    fprintf(stderr, "%s\n", *sep == ',' ? ")" : "");
    if (first_reject[0])
        fprintf(stderr, "  first reject: %s\n", first_reject);
    if (!s->cleaned)
        fprintf(stderr, "pinetl insights: warning: no %s record could be cleaned; insights over"
                        " %s are empty\n", pinetl_table_name(table), pinetl_table_name(table));
}

/* Cleans the inputs into a dataset (the library reads the three tables at the same time), then
 * reports each table, in table order. */
static int compute_from_files(inputs *in, const pinetl_insights_options *opts,
                              const pinetl_reader_options *ropts, int quiet,
                              pinetl_insights **out) {
    const char *const *paths[PINETL_TABLE_COUNT];
    size_t npaths[PINETL_TABLE_COUNT];
    pinetl_dataset_report reports[PINETL_TABLE_COUNT];
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        paths[t] = in[t].paths;
        npaths[t] = in[t].n;
    }
    pinetl_dataset *ds;
    int rc = pinetl_dataset_new(&ds);
    if (rc)
        return rc;
    rc = pinetl_dataset_read_files(ds, paths, npaths, ropts, reports);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        if (!npaths[t])
            continue;
        if (reports[t].notices)
            fputs(reports[t].notices, stderr);
        pinetl_free(reports[t].notices);
        if (!quiet && !rc)
            report_table((pinetl_table)t, &reports[t].stats, reports[t].first_reject);
    }
    if (!rc)
        rc = pinetl_insights_compute(ds, opts, out);
    pinetl_dataset_free(ds);
    return rc;
}

int cmd_insights(int argc, char **argv) {
    const char *db = NULL;
    int format = PINETL_INSIGHTS_TABLE, status = 2, quiet = 0;
    pinetl_insights_options opts;
    pinetl_insights_options_init(&opts);
    pinetl_reader_options ropts;
    pinetl_reader_options_init(&ropts);
    inputs in[PINETL_TABLE_COUNT] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    const char **names = calloc((size_t)argc, sizeof *names);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        in[t].paths = calloc((size_t)argc, sizeof *in[t].paths);
    pinetl_insights *result = NULL;
    if (!names || !in[0].paths || !in[1].paths || !in[2].paths) {
        fprintf(stderr, "pinetl insights: out of memory\n");
        status = 1;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        pinetl_table table;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            insights_usage(stdout);
            status = 0;
            goto done;
        } else if (!strcmp(a, "--list")) {
            for (int k = 0; k < PINETL_INSIGHT_COUNT; k++)
                printf("%s\n", pinetl_insight_name(k));
            status = 0;
            goto done;
        } else if (!strcmp(a, "--db") && has_value) {
            db = argv[++i];
        } else if (!strncmp(a, "--", 2) && !pinetl_table_from_name(a + 2, &table) && has_value) {
            in[table].paths[in[table].n++] = argv[++i];
        } else if (!strcmp(a, "--format") && has_value) {
            const char *f = argv[++i];
            format = !strcmp(f, "table") ? PINETL_INSIGHTS_TABLE : !strcmp(f, "json")
                     ? PINETL_INSIGHTS_JSON : !strcmp(f, "csv") ? PINETL_INSIGHTS_CSV : 0;
            if (!format) {
                fprintf(stderr, "pinetl insights: --format must be table, json or csv\n");
                goto done;
            }
        } else if (!strcmp(a, "--median") && has_value) {
            const char *m = argv[++i];
            if (!strcmp(m, "approx"))
                opts.median = PINETL_MEDIAN_APPROX;
            else if (!strcmp(m, "interpolated"))
                opts.median = PINETL_MEDIAN_INTERPOLATED;
            else {
                fprintf(stderr, "pinetl insights: --median must be approx or interpolated\n");
                goto done;
            }
        } else if (!strcmp(a, "--input-format") && has_value) {
            if (pinetl_input_format_from_name(argv[++i], &ropts.input_format)) {
                fprintf(stderr, "pinetl insights: unknown input format '%s'\n", argv[i]);
                goto done;
            }
        } else if (!strcmp(a, "--threads") && has_value) {
            ropts.threads = atoi(argv[++i]);
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "pinetl insights: unknown or incomplete option '%s'\n", a);
            insights_usage(stderr);
            goto done;
        } else {
            if (pinetl_insight_from_name(a, NULL)) {
                fprintf(stderr, "pinetl insights: %s\n", pinetl_error_last());
                goto done;
            }
            names[opts.nnames++] = a;
        }
    }
    if (opts.nnames)
        opts.names = names;
    int any_file = in[0].n || in[1].n || in[2].n;
    if (!db == !any_file) {
        fprintf(stderr, "pinetl insights: give either --db FILE or input files (--pin, --geo, --user)\n");
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
            rc = pinetl_warehouse_insights(wh, &opts, &result);
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
    if ((rc = pinetl_insights_render(result, format, &text, &len))) {
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
    free(names);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        free(in[t].paths);
    return status;
}
