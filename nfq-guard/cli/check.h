/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h - `nfq-guard check`: a compiled policy's summary, warnings and (-v) groups. */
#ifndef NFQG_CHECK_H
#define NFQG_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/policy.h"

/*
 * check_report - for policy p, read from config: its warnings (policy_lint)
 * on err, then the one-line summary on out, and with verbose what each
 * device group matches and which rules name it.
 */
void check_report(const struct policy *p, const char *config, bool verbose, FILE *out, FILE *err);

#endif
