/* Subcommands: each takes argv starting at its own name and returns the process exit code:
 * 0 the run completed (rejects included), 1 strict mode saw a reject or the run failed,
 * 2 a usage error or an unreadable input. */
#ifndef PINETL_CLI_COMMANDS_H
#define PINETL_CLI_COMMANDS_H

int cmd_clean(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_insights(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
