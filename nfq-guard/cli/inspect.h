/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect.h - `nfq-guard inspect FILE.pcap [--json]`. */
#ifndef NFQG_INSPECT_H
#define NFQG_INSPECT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * inspect_file - print what the decoders read in each packet of the capture
 * at path, one line per packet (JSON objects with json).  Returns 0, or 1
 * after printing a message to err when the file cannot be read.
 */
int inspect_file(const char *path, bool json, FILE *out, FILE *err);

#endif
