/* SPDX-License-Identifier: GPL-2.0-or-later */
/* discover.h - `nfq-guard discover`: the cameras the LAN has, asked (see discover.c). */
#ifndef NFQG_DISCOVER_H
#define NFQG_DISCOVER_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "policy/policy.h"

#define DISCOVER_MAX_IFACES 16
#define DISCOVER_TIMEOUT_DEFAULT 3
#define DISCOVER_TIMEOUT_MAX 60

struct discover_opts {
	const char *ifaces[DISCOVER_MAX_IFACES];
	size_t nifaces;
	int timeout; /* s */
	bool json, snippet;
};

/*
 * discover_run - search on each interface of o, listen o->timeout seconds,
 * print the cameras found (text, JSON lines or a devices block) with p's
 * group for each.  0 when it ran, 1 on errors (said on err).
 */
int discover_run(const struct policy *p, const struct discover_opts *o, FILE *out, FILE *err);

/* The interfaces to search on by default: p's device groups' and those with an address in networks.lan. */
size_t discover_default_ifaces(const struct policy *p, char names[][IF_NAMESIZE], size_t max);

#endif
