/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruledomains.c - a domain condition: the patterns of the key "domain" and
 * of the plain lists the key "domain_file" names (one pattern a line, read
 * by source.c), into one suffix set - a rule's, or an identify hint's.  A
 * bad pattern is an error at the line it is on, in the policy or in the
 * list.
 */
#include <errno.h>
#include <string.h>

#include "policy/internal.h"

/* One pattern into ds; -EINVAL (not reported) when it is none. */
static int add_pattern(struct policy *p, struct domain_set *ds, const char *v, bool *too_many)
{
	size_t before;
	int err;

	if (p->ndomains >= POLICY_MAX_DOMAINS) {
		*too_many = p->ndomains++ == POLICY_MAX_DOMAINS;
		return -E2BIG;
	}
	before = domain_set_count(ds);
	err = domain_set_add(ds, v);
	/* a duplicate is no new pattern */
	p->ndomains += domain_set_count(ds) - before;
	return err;
}

struct set_domains {
	struct policy *p;
	struct domain_set *ds;
	unsigned int n; /* the expanded line of the domain_file setting */
};

static int add_domain(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct set_domains *rd = arg;
	bool too_many = false;
	int err = add_pattern(rd->p, rd->ds, v, &too_many);

	if (too_many)
		err_set(c, s, "more than %d domains in the policy", POLICY_MAX_DOMAINS);
	else if (err == -EINVAL)
		err_set(c, s, "'%s' is not a domain name or *.domain pattern", v);
	return err;
}

static int add_listed(struct ctx *c, const char *path, unsigned int line, const char *v, void *arg)
{
	struct set_domains *rd = arg;
	bool too_many = false;
	int err = add_pattern(rd->p, rd->ds, v, &too_many);

	if (too_many)
		ctx_err_from(c, rd->n, path, line, "more than %d domains in the policy",
			     POLICY_MAX_DOMAINS);
	else if (err == -EINVAL && strpbrk(v, "\",;"))
		/* a line of the old @include fragments: "name", */
		ctx_err_from(c, rd->n, path, line,
			     "'%s' is not a domain name or *.domain pattern (a domain_file "
			     "has one pattern a line: no quotes, no commas)",
			     v);
	else if (err == -EINVAL)
		ctx_err_from(c, rd->n, path, line, "'%s' is not a domain name or *.domain pattern",
			     v);
	return err;
}

static int add_file(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct set_domains *rd = arg;

	rd->n = ctx_setting_line(c, s);
	return source_list(c, s, v, add_listed, rd);
}

void compile_domains(struct ctx *c, struct policy *p, struct domain_set **ds,
		     const config_setting_t *group)
{
	const config_setting_t *dom = config_setting_get_member(group, "domain");
	const config_setting_t *files = config_setting_get_member(group, "domain_file");
	struct set_domains rd = { .p = p };

	if (!dom && !files)
		return;
	*ds = rd.ds = domain_set_new();
	if (!rd.ds) {
		c->failed = true;
		return;
	}
	/* an empty list that an unreadable @include left is that error's knock-on */
	if (dom && setting_each_string(c, dom, "domain", add_domain, &rd) == 0 &&
	    !c->include_failed)
		err_set(c, dom, "'domain' has no patterns: add some, or remove the key");
	if (files)
		setting_each_string(c, files, "domain_file", add_file, &rd);
}
