/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c - a policy's lifecycle (see policy.h and nfq-guard.conf(5)):
 * load (source.c reads and expands the files, compile.c builds the
 * structure), free, and the names of its enums.
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

void policy_errors_clear(struct policy_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	memset(errs, 0, sizeof(*errs));
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nnetworks; i++)
		free(p->networks[i].cidrs);
	free(p->networks);
	for (i = 0; i < p->ndevices; i++) {
		free(p->devices[i].prefixes);
		free(p->devices[i].ips);
		free(p->devices[i].ifaces);
	}
	free(p->devices);
	free(p->mac_index);
	free(p->mac_hash);
	free(p->labels);
	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].to);
		free(p->rules[i].ports);
		domain_set_free(p->rules[i].domains);
	}
	free(p->rules);
	for (i = 0; i < p->nhints; i++) {
		free(p->hints[i].hostnames);
		free(p->hints[i].vendor_classes);
		free(p->hints[i].params);
		domain_set_free(p->hints[i].domains);
	}
	free(p->hints);
	registry_free(p->registry);
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p->path);
	free(p->events);
	free(p->metrics);
	free(p->state);
	free(p);
}

/* Compile what source.c read into c (r: how that went); report, tidy up. */
static struct policy *compile_read(struct ctx *c, int r, const char *name)
{
	struct policy *p = NULL;

	if (r < 0) {
		if (!c->failed)
			ctx_err_at(c, name, 0, "out of memory");
	} else {
		p = compile_policy(c, name);
	}
	source_free(c);
	if (!p && c->errs->n == 0)
		ctx_err_at(c, name, 0, "cannot be compiled");
	ctx_sort_errors(c);
	return p;
}

struct policy *policy_load(const char *path, struct policy_errors *errs)
{
	struct ctx c = { .errs = errs };

	memset(errs, 0, sizeof(*errs));
	return compile_read(&c, source_expand(&c, path), path);
}

struct policy *policy_compile_text(const char *name, const char *text, size_t len,
				   unsigned int flags, struct policy_errors *errs)
{
	struct ctx c = { .errs = errs, .no_files = flags & POLICY_NO_FILES };

	memset(errs, 0, sizeof(*errs));
	return compile_read(&c, source_text(&c, name, text, len), name);
}

const char *action_str(enum action a)
{
	switch (a) {
	case ACTION_ALLOW:
		return "allow";
	case ACTION_DROP:
		return "drop";
	case ACTION_REJECT:
		return "reject";
	case ACTION_LOG:
		return "log";
	}
	return "?";
}

const char *match_kind_str(enum match_kind k)
{
	switch (k) {
	case MATCH_NONE:
		return "none";
	case MATCH_MAC:
		return "mac";
	case MATCH_OUI:
		return "oui";
	case MATCH_VENDOR:
		return "vendor";
	case MATCH_IP:
		return "ip";
	case MATCH_IFACE:
		return "iface";
	case MATCH_FOUND:
		return "found";
	}
	return "?";
}

const char *found_by_str(enum found_by b)
{
	switch (b) {
	case FOUND_NONE:
		break;
	case FOUND_SADP:
		return "sadp";
	case FOUND_DHIP:
		return "dhip";
	case FOUND_ONVIF:
		return "onvif";
	case FOUND_DHCP:
		return "dhcp";
	case FOUND_DNS:
		return "dns";
	}
	return "none";
}
