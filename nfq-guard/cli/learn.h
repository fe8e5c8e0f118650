/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * learn.h - `nfq-guard learn`: what each device tried, from event logs and
 * captures, and the allow rules that would let it (--suggest).
 */
#ifndef NFQG_LEARN_H
#define NFQG_LEARN_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/policy.h"

#define LEARN_MAX_FILES 256	     /* FILE arguments */
#define LEARN_LINE_MAX 65536	     /* bytes of an event line; longer ones are skipped */
#define LEARN_MAX_REPORTED 20	     /* malformed lines named on stderr; the rest counted */
#define LEARN_POLICY_MAX (16u << 20) /* bytes of the policy --suggest reads (as policy files) */

struct learn_opts {
	const char *const *files; /* "-": standard input */
	size_t nfiles;
	const char *config; /* the policy's file, for --suggest */
	bool json, suggest;
};

/*
 * learn_run - read every file (an event log, plain or gzip'd, or a pcap or
 * pcapng capture, told apart by their first bytes; a capture is decided
 * under p as replay decides it) and print per device what it tried, as
 * text, JSON lines, or (suggest) the policy's text with rules for it.
 * Returns 0, or 1 when a file could not be read (what the others held is
 * still printed), --suggest could not place its rules, or a write failed.
 */
int learn_run(const struct policy *p, const struct learn_opts *o, FILE *out, FILE *err);

#endif
