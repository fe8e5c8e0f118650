/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * learnlog.h - one line of the daemon's event log (JSON, nfq-guard(8)
 * DECISION FIELDS) read into a struct learn_flow, with json-c and a depth
 * bound.  Pure: the caller reads the lines.
 */
#ifndef NFQG_LEARNLOG_H
#define NFQG_LEARNLOG_H

#include <stddef.h>

#include "cli/learnset.h"

#define LEARN_JSON_DEPTH 4 /* a decision is one flat object */

enum learn_line {
	LEARN_LINE_DECISION,  /* *f holds it, its strings valid until the next call */
	LEARN_LINE_OTHER,     /* an event of another kind (exception_added, ...): skipped */
	LEARN_LINE_BLANK,     /* nothing but white space */
	LEARN_LINE_MALFORMED, /* *why says what is wrong */
};

struct learn_parser;

struct learn_parser *learn_parser_new(void);
void learn_parser_free(struct learn_parser *lp);

/*
 * learn_parse_line - the len bytes at line (no newline; need not end in
 * NUL) as an event.  A decision needs "ts" (ISO 8601 UTC, as the daemon
 * writes it) and "action"; "mac", "src", "dst", "proto", "dport" must be
 * what the daemon writes or null, and "repeated", when there, a count of at
 * least 1: the line then stands for that many decisions (the window's last
 * one written with the count of those held back, itself among them).
 */
enum learn_line learn_parse_line(struct learn_parser *lp, const char *line, size_t len,
				 struct learn_flow *f, const char **why);

/* learn_parse_time - "2026-11-29T14:55:41.030927Z" (fraction optional) into *us; 0 or -1. */
int learn_parse_time(const char *s, size_t n, uint64_t *us);

#endif
