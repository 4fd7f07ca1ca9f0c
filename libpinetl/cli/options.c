/* The subcommands' option parser. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

enum { HELP = 0x100, VERSION };

int cli_usage_error(const char *command, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "pinetl %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

/* Stores one option's value; -1 on success, else the exit status. */
static int store(const char *command, const cli_option *o, const char *value) {
    int rc;
    switch (o->kind) {
    case CLI_FLAG: *(int *)o->target = 1; return -1;
    case CLI_STRING: *(const char **)o->target = value; return -1;
    case CLI_LIST: {
        cli_list *l = o->target;
        l->items[l->n++] = value;
        return -1;
    }
    case CLI_NUMBER: {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (errno || end == value || *end || n < o->min || n > o->max)
            return cli_usage_error(command, "--%s wants a number from %ld to %ld, not '%s'",
                                   o->name, o->min, o->max, value);
        *(int *)o->target = (int)n;
        return -1;
    }
    case CLI_TABLE: rc = pinetl_table_from_name(o->target, value); break;
    case CLI_INPUT_FORMAT: rc = pinetl_input_format_from_name(o->target, value); break;
    case CLI_FORMAT: rc = pinetl_format_from_name(o->target, value); break;
    case CLI_INSIGHTS_FORMAT: rc = pinetl_insights_format_from_name(o->target, value); break;
    case CLI_MEDIAN: rc = pinetl_median_kind_from_name(o->target, value); break;
    default: return cli_usage_error(command, "internal error: option --%s", o->name);
    }
    if (rc != PINETL_OK)
        return cli_usage_error(command, "%s", pinetl_error_last());
    return -1;
}

static size_t count(const cli_option *options) {
    size_t n = 0;
    while (options[n].name)
        n++;
    return n;
}

int cli_parse(const char *command, int argc, char **argv, const cli_option *options,
              void (*usage)(FILE *out), cli_list *rest) {
    size_t n = count(options);
    struct option *longopts = calloc(n + 3, sizeof *longopts);
    char *shortopts = malloc(2 * n + 4);
    int *seen = calloc(n + 1, sizeof *seen);
    int status = -1;
    rest->items = calloc((size_t)argc + 1, sizeof *rest->items);
    rest->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (options[i].kind == CLI_LIST) {
            cli_list *l = options[i].target;
            l->items = calloc((size_t)argc + 1, sizeof *l->items);
            l->n = 0;
            if (!l->items)
                status = 1;
        }
    }
    if (!longopts || !shortopts || !seen || !rest->items || status == 1) {
        fprintf(stderr, "pinetl %s: out of memory\n", command);
        status = 1;
        goto done;
    }
    char *s = shortopts;
    *s++ = ':'; /* a missing value is reported as ':' */
    *s++ = 'h';
    for (size_t i = 0; i < n; i++) {
        int takes = options[i].kind != CLI_FLAG;
        longopts[i] = (struct option){options[i].name, takes ? required_argument : no_argument,
                                      NULL, (int)(0x200 + i)};
        if (options[i].short_name) {
            *s++ = (char)options[i].short_name;
            if (takes)
                *s++ = ':';
        }
    }
    *s = '\0';
    longopts[n] = (struct option){"help", no_argument, NULL, HELP};
    longopts[n + 1] = (struct option){"version", no_argument, NULL, VERSION};
    opterr = 0;
    optind = 1;
    int c;
    while (status < 0 && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'h' || c == HELP) {
            usage(stdout);
            status = 0;
        } else if (c == VERSION) {
            printf("pinetl %s\n", pinetl_version());
            status = 0;
        } else if (c == ':') {
            status = cli_usage_error(command, "option '%s' needs a value", argv[optind - 1]);
        } else if (c == '?') {
            status = cli_usage_error(command, "unknown option '%s' (see pinetl %s --help)",
                                     argv[optind - 1], command);
        } else {
            size_t i = n;
            if (c >= 0x200 && c < 0x200 + (int)n)
                i = (size_t)(c - 0x200);
            else
                for (i = 0; i < n && options[i].short_name != c; i++)
                    continue;
            if (i == n) {
                status = cli_usage_error(command, "unknown option '%s' (see pinetl %s --help)",
                                         argv[optind - 1], command);
            } else {
                seen[i] = 1;
                status = store(command, &options[i], optarg);
            }
        }
    }
    if (status < 0) {
        for (int i = optind; i < argc; i++)
            rest->items[rest->n++] = argv[i];
        for (size_t i = 0; status < 0 && i < n; i++)
            if (options[i].required && !seen[i])
                status = cli_usage_error(command, "--%s is required", options[i].name);
    }
done:
    free(longopts);
    free(shortopts);
    free(seen);
    return status;
}

void cli_free(const cli_option *options, cli_list *rest) {
    for (size_t i = 0; options[i].name; i++) {
        if (options[i].kind == CLI_LIST) {
            cli_list *l = options[i].target;
            free(l->items);
            l->items = NULL;
            l->n = 0;
        }
    }
    free(rest->items);
    rest->items = NULL;
    rest->n = 0;
}
