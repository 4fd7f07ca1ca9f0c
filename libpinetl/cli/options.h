/* The one option parser of every subcommand: GNU getopt_long underneath (options anywhere,
 * "--name=value", "--" ends the options), the same messages and exit statuses everywhere:
 * a bad or missing value, an unknown option or a missing required one is a usage error (exit 2)
 * with one line on standard error naming the command and the option. */
#ifndef PINETL_CLI_OPTIONS_H
#define PINETL_CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

/* --threads N: 0 (one per core) to this. */
enum { CLI_MAX_THREADS = 1024 };

typedef enum cli_kind {
    CLI_FLAG,   /* int *: set to 1 */
    CLI_STRING, /* const char **: the value (the last one when repeated) */
    CLI_LIST,   /* cli_list *: every value, in order (the option may be repeated) */
    CLI_NUMBER, /* int *: a decimal number from min to max */
    /* Names the library parses (and lists in its message when a name is unknown): */
    CLI_TABLE,           /* pinetl_table *: pin, geo or user */
    CLI_INPUT_FORMAT,    /* pinetl_input_format * */
    CLI_FORMAT,          /* pinetl_format *: jsonl or csv */
    CLI_INSIGHTS_FORMAT, /* pinetl_insights_format *: table, json or csv */
    CLI_MEDIAN,          /* pinetl_median_kind *: approx or interpolated */
} cli_kind;

typedef struct cli_option {
    const char *name; /* the long name, without "--"; NULL ends the list */
    int short_name;   /* 0 when none */
    cli_kind kind;
    void *target;
    int required;  /* "--NAME is required" when absent */
    long min, max; /* CLI_NUMBER */
} cli_option;

/* Values of a repeated option or the positional arguments; items has room for argc values. */
typedef struct cli_list {
    const char **items;
    size_t n;
} cli_list;

/* Parses argv (argv[0] is the subcommand's name) into the options' targets and the positional
 * arguments into *rest. --help (-h) prints usage to standard output and --version the version.
 * Returns -1 when the command should run, else its exit status (0 after --help or --version, 1
 * when memory ran out, 2 after a usage error, reported on standard error). Free the lists with
 * cli_free whatever it returned. */
int cli_parse(const char *command, int argc, char **argv, const cli_option *options,
              void (*usage)(FILE *out), cli_list *rest);
void cli_free(const cli_option *options, cli_list *rest);

/* A usage error found after parsing: prints "pinetl COMMAND: message" and returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
