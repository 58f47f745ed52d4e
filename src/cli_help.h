/* cli_help: the texts of --help and --version. */
#ifndef TERN_CLI_HELP_H
#define TERN_CLI_HELP_H

#include <stdio.h>

#include "args.h"

void cli_help_print(FILE *out, enum args_cmd cmd);
void cli_help_version(FILE *out);

#endif
