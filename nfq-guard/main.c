/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - the nfq-guard command line.  Each command is a small function;
 * the usage text here and nfq-guard(8) say the same thing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"

#ifndef NFQG_VERSION
#define NFQG_VERSION "unknown"
#endif

/* Exit codes, as documented in nfq-guard(8). */
#define EXIT_OK 0
#define EXIT_FAIL 1  /* the command could not do its job */
#define EXIT_USAGE 2 /* bad command line */

static const char usage_text[] =
	"usage: nfq-guard COMMAND [ARGS]\n"
	"       nfq-guard -h | --help | -V | --version\n"
	"\n"
	"commands:\n"
	"  inspect FILE [--json]   print what the decoders read in each packet of a\n"
	"                          capture (pcap or pcapng: Ethernet, Linux cooked\n"
	"                          SLL/SLL2, raw IP)\n"
	"  version                 print the version\n"
	"\n"
	"exit status: 0 success, 1 the command failed, 2 bad command line.\n"
	"See nfq-guard(8).\n";

static int usage(FILE *f, int code)
{
	fputs(usage_text, f);
	return code;
}

static int cmd_inspect(int argc, char **argv)
{
	const char *file = NULL;
	bool json = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return usage(stdout, EXIT_OK);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "nfq-guard: inspect: unknown option '%s'\n", argv[i]);
			return usage(stderr, EXIT_USAGE);
		} else if (!file) {
			file = argv[i];
		} else {
			fprintf(stderr, "nfq-guard: inspect: one capture file at a time\n");
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (!file) {
		fprintf(stderr, "nfq-guard: inspect: no capture file given\n");
		return usage(stderr, EXIT_USAGE);
	}
	return inspect_file(file, json, stdout, stderr) ? EXIT_FAIL : EXIT_OK;
}

static int cmd_version(void)
{
	printf("nfq-guard %s\n", NFQG_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		return usage(stdout, EXIT_OK);
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version") || !strcmp(cmd, "version"))
		return cmd_version();
	if (!strcmp(cmd, "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	fprintf(stderr, "nfq-guard: unknown command '%s'\n", cmd);
	return usage(stderr, EXIT_USAGE);
}
