/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * labels.c - the policy's labels: a name of the admin's for one camera
 * ("entrance-3"), by MAC, shown beside its group wherever a decision or a
 * device is printed.  Sorted by MAC: a lookup is a binary search.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

/* Printable ASCII but quotes and backslashes, at most POLICY_LABEL_MAX - 1 bytes. */
static bool valid_label(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= POLICY_LABEL_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '"' ||
		    s[i] == '\\')
			return false;
	return true;
}

static int label_cmp(const void *a, const void *b)
{
	return memcmp(((const struct device_label *)a)->mac, ((const struct device_label *)b)->mac,
		      6);
}

static unsigned int file_line(const struct ctx *c, const config_setting_t *s)
{
	unsigned int n = ctx_setting_line(c, s);

	return n >= 1 && n <= c->nmap ? c->map[n - 1].line : n;
}

static void compile_label(struct ctx *c, struct policy *p, const config_setting_t *e)
{
	static const char *const keys[] = { "mac", "label", NULL };
	struct device_label *l = &p->labels[p->nlabels];
	const char *mac, *label;
	bool ok = true;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		err_set(c, e, "each label must be a group { mac = \"...\"; label = \"...\"; }");
		return;
	}
	setting_check_keys(c, e, keys, "a label");
	if (!setting_get_string(c, e, "mac", &mac)) {
		if (!config_setting_get_member(e, "mac"))
			err_set(c, e, "label without a 'mac'");
		ok = false;
	} else if (mac_parse(mac, l->mac)) {
		err_set(c, e, "'%s' is not a MAC address (use aa:bb:cc:dd:ee:ff)", mac);
		ok = false;
	}
	if (!setting_get_string(c, e, "label", &label)) {
		if (!config_setting_get_member(e, "label"))
			err_set(c, e, "label without a 'label'");
		return;
	}
	if (!valid_label(label)) {
		err_set(c, e,
			"label '%s': 1 to %d printable characters, no quotes or backslashes, "
			"no leading or trailing space",
			label, POLICY_LABEL_MAX - 1);
		return;
	}
	if (!ok)
		return;
	snprintf(l->label, sizeof(l->label), "%s", label);
	l->xline = ctx_setting_line(c, e);
	l->line = file_line(c, e);
	p->nlabels++;
}

/* The later of two, reported at its own line, the earlier named. */
static void twice(struct ctx *c, const struct device_label *a, const struct device_label *b,
		  const char *what)
{
	const struct device_label *first = a->xline < b->xline ? a : b;
	const struct device_label *later = first == a ? b : a;

	if (what)
		ctx_err_line(c, later->xline, "label '%s' is given twice (first at line %u)", what,
			     first->line);
	else
		ctx_err_line(c, later->xline,
			     "%02x:%02x:%02x:%02x:%02x:%02x is labelled twice (first at line %u)",
			     a->mac[0], a->mac[1], a->mac[2], a->mac[3], a->mac[4], a->mac[5],
			     first->line);
}

/* Two labels for one MAC, or one label for two cameras: which is meant? */
static void check_twice(struct ctx *c, struct policy *p)
{
	size_t i, j;

	qsort(p->labels, p->nlabels, sizeof(*p->labels), label_cmp);
	for (i = 1; i < p->nlabels; i++)
		if (!memcmp(p->labels[i - 1].mac, p->labels[i].mac, 6))
			twice(c, &p->labels[i - 1], &p->labels[i], NULL);
	/* the same label twice: quadratic, for as many as an admin writes by hand */
	for (i = 0; i < p->nlabels && p->nlabels <= 4096; i++)
		for (j = i + 1; j < p->nlabels; j++)
			if (!strcmp(p->labels[i].label, p->labels[j].label))
				twice(c, &p->labels[i], &p->labels[j], p->labels[i].label);
}

void compile_labels(struct ctx *c, struct policy *p, const config_setting_t *root,
		    const config_setting_t *labels)
{
	int i, n;

	(void)root;
	if (!labels)
		return;
	if (config_setting_type(labels) != CONFIG_TYPE_LIST) {
		err_set(c, labels,
			"'labels' must be a list ( { mac = \"...\"; label = \"...\"; }, ... )");
		return;
	}
	n = config_setting_length(labels);
	if (n > POLICY_MAX_LABELS) {
		err_set(c, labels, "%d labels, more than %d", n, POLICY_MAX_LABELS);
		return;
	}
	p->labels = calloc((size_t)n + 1, sizeof(*p->labels));
	if (!p->labels) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++)
		compile_label(c, p, config_setting_get_elem(labels, (unsigned int)i));
	check_twice(c, p);
}

const char *policy_label(const struct policy *p, const uint8_t mac[6])
{
	const struct device_label *l;
	struct device_label key;

	if (!p || !p->nlabels)
		return NULL;
	memcpy(key.mac, mac, 6);
	l = bsearch(&key, p->labels, p->nlabels, sizeof(*p->labels), label_cmp);
	return l ? l->label : NULL;
}
