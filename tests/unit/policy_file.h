/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_file.h - for the unit tests: compile a policy given as text
 * (policy_compile_text, as the daemon compiles a file), and a
 * devices group match as the engine would report it.  Header only.
 */
#ifndef NFQG_POLICY_FILE_H
#define NFQG_POLICY_FILE_H

#include <string.h>

#include "engine/engine.h"
#include "policy/policy.h"

/* text compiled (as a file p.conf in the current directory), or the test fails with the errors. */
static inline struct policy *policy_of_text(const char *text)
{
	struct policy_errors e;
	struct policy *p = policy_compile_text("p.conf", text, strlen(text), 0, &e);

	for (size_t i = 0; i < e.n; i++)
		print_message("  %s\n", e.lines[i]);
	assert_non_null(p);
	assert_int_equal(e.n, 0);
	policy_errors_clear(&e);
	return p;
}

/* The decision d for a flow of the device mac (or, without, address v4) under p. */
static inline void decision_for(const struct policy *p, const uint8_t *mac, const uint8_t v4[4],
				enum action action, struct decision *d)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct device_key k = { .has_mac = mac != NULL, .family = 4 };
	uint64_t groups;

	if (mac)
		memcpy(k.mac, mac, 6);
	memcpy(k.addr, v4, 4); /* IPv4: the first 4 bytes, as in struct packet */
	groups = policy_identify(p, &k, how);
	memset(d, 0, sizeof(*d));
	d->action = action;
	d->groups = groups;
	d->device = policy_naming_group(p, groups, how);
	if (groups)
		d->how = how[d->device];
}

#endif
