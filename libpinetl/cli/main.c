/* pinetl: the command-line front end. Dispatches to one cmd_*.c per subcommand. */
#include <stdio.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "commands.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"clean", cmd_clean, "clean records of one table into JSON lines or CSV"},
    {"load", cmd_load, "clean records and load them into the SQLite warehouse"},
    {"insights", cmd_insights, "compute the pipeline's insights"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: pinetl COMMAND [OPTIONS] [INPUT ...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(
        out,
        "\n'pinetl COMMAND --help' describes a command. pinetl --version prints the version.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("pinetl %s\n", pinetl_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pinetl: unknown command '%s' (see pinetl --help)\n", argv[1]);
    return 2;
}
