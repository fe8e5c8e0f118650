/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * domains.h - a set of domain patterns: exact names ("ntp.example.org")
 * and wildcards ("*.example.org": example.org itself and every name below
 * it).  Built once when a policy compiles, then only read; a lookup costs
 * one hash probe per label of the name.
 */
#ifndef NFQG_DOMAINS_H
#define NFQG_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/hostname.h"

struct domain_set;

struct domain_set *domain_set_new(void);
void domain_set_free(struct domain_set *ds);

/*
 * domain_set_add - add a pattern (case-insensitive, one trailing dot
 * allowed).  Returns 0 (also for a duplicate), -EINVAL for a pattern that
 * is not a host name (empty label, label over 63 bytes, a byte other than
 * letters, digits, '-' and '_', or '*' anywhere but a leading "*."), or
 * -ENOMEM.
 */
int domain_set_add(struct domain_set *ds, const char *pattern);

/*
 * domain_set_match - the pattern that matches n, as it was added
 * (lower-cased, "*." kept for wildcards): an exact pattern first, else the
 * longest wildcard.  NULL when none matches.
 */
const char *domain_set_match(const struct domain_set *ds, const struct name *n);

size_t domain_set_count(const struct domain_set *ds);

/*
 * domain_set_covers - whether every name a pattern of b matches is matched
 * by a pattern of a (an exact name by itself or a wildcard; a wildcard only
 * by a wildcard of it or of a parent).
 */
bool domain_set_covers(const struct domain_set *a, const struct domain_set *b);

#endif
