/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * suggest.h - `nfq-guard learn --suggest`: the policy's own text with allow
 * rules for what the devices were seen to reach inserted at the head of its
 * rules list.  Pure: the text comes in as bytes, the result goes to a FILE.
 */
#ifndef NFQG_SUGGEST_H
#define NFQG_SUGGEST_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/learnset.h"
#include "policy/policy.h"

#define SUGGEST_MAX 4096      /* rules written, real and commented out */
#define SUGGEST_MAX_PORTS 32  /* ports and ranges of one rule; past it, one range */
#define SUGGEST_MAX_DEVICES 4 /* devices named in a rule's comment */
#define SUGGEST_MAX_NAMES 8   /* names in a rule's comment */

enum suggest_status {
	SUGGEST_OK = 0,
	SUGGEST_NO_RULES, /* the text holds no top-level rules = ( ... ) */
	SUGGEST_INCLUDED, /* ... but an @include, where the list must be */
	SUGGEST_NOMEM,
};

/*
 * suggest_find_rules - where the top-level list "rules = (" (or "rules :
 * (") of the libconfig text opens, comments and strings skipped: *at just
 * after its "(", *empty when nothing but white space and comments follows
 * before its ")".
 */
enum suggest_status suggest_find_rules(const char *text, size_t len, size_t *at, bool *empty);

/*
 * learn_where - "router", "lan" or "wan": where the address lies for the
 * policy's networks (router first).
 */
const char *learn_where(const struct policy *p, uint8_t family, const uint8_t *addr);

/* What suggest_write wrote. */
struct suggest_counts {
	size_t rules;	    /* real rules */
	size_t commented;   /* rules commented out, for review */
	size_t not_written; /* candidates past SUGGEST_MAX */
	size_t no_group;    /* destinations of devices in no group the log names */
	size_t no_address;  /* destinations without an address or protocol read */
};

/*
 * suggest_write - the len bytes of text (the file p was compiled from), with
 * the suggested rules inserted after the "(" of its rules list, to out.
 * One rule per device group, destination address and protocol, with every
 * port seen; those to the policy's lan and router networks are real rules,
 * unless a rule of the policy (not its default) dropped or rejected some of
 * their flows, the others commented out with the reason; each rule has a
 * comment saying what was seen.  Rule names ("learn-GROUP-N") clash with
 * none of p.  sources (nsources of them) are named in the heading comment,
 * escaped.  Returns SUGGEST_OK (and *c), or why not (nothing written).
 */
enum suggest_status suggest_write(const struct learn *l, const struct policy *p, const char *text,
				  size_t len, const char *const *sources, size_t nsources,
				  FILE *out, struct suggest_counts *c);

#endif
