/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.c - the policy's devices list compiled into device groups: the
 * MAC addresses, MAC prefixes and vendor names (resolved through the
 * registries) a group holds, its addresses and interfaces.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

struct prefix_list {
	struct group_prefix *v;
	size_t n;
	size_t nvendor;
	struct ctx *c;
	struct policy *p;
};

static int prefix_push(struct prefix_list *l, const struct group_prefix *g)
{
	struct group_prefix *v;

	if (l->n >= POLICY_MAX_LIST * 4)
		return -E2BIG;
	v = array_grow(l->v, l->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *g;
	return 0;
}

static int add_mac(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct group_prefix g = { .kind = MATCH_MAC };

	if (mac_parse(v, g.prefix.addr)) {
		err_set(c, s, "'%s' is not a MAC address (use aa:bb:cc:dd:ee:ff)", v);
		return -EINVAL;
	}
	g.prefix.bits = 48;
	return prefix_push(arg, &g);
}

static int add_oui(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct group_prefix g = { .kind = MATCH_OUI };

	if (oui_parse(v, &g.prefix) || g.prefix.bits == 48) {
		err_set(c, s,
			"'%s' is not a MAC prefix (use AA:BB:CC, AA:BB:CC:D/28 or "
			"AA:BB:CC:DD:E/36)",
			v);
		return -EINVAL;
	}
	return prefix_push(arg, &g);
}

/* A copy of s that lives as long as the policy (libconfig's strings do not). */
static const char *policy_strdup(struct policy *p, const char *s)
{
	char **v = array_grow(p->strings, p->nstrings, sizeof(*v));

	if (!v)
		return NULL;
	p->strings = v;
	v[p->nstrings] = strdup(s);
	return v[p->nstrings] ? v[p->nstrings++] : NULL;
}

static int add_vendor(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct prefix_list *l = arg;
	struct registry_hit *hits;
	const char *needle;
	size_t n, i;

	if (strlen(v) < 3) {
		err_set(c, s, "vendor '%s' is too short to name an organisation", v);
		return -EINVAL;
	}
	if (!l->p->registry || registry_count(l->p->registry) == 0) {
		/* a registry file that did not load said so already */
		if (!c->registry_failed)
			err_set(c, s,
				"vendor '%s': no vendor registry loaded (set vendors.registry)", v);
		return -ENOENT;
	}
	n = registry_match(l->p->registry, v, NULL, 0);
	if (n == 0) {
		err_set(c, s, "vendor '%s' matches no organisation in the registries", v);
		return -ENOENT;
	}
	hits = calloc(n, sizeof(*hits));
	needle = policy_strdup(l->p, v);
	if (!hits || !needle) {
		free(hits);
		return -ENOMEM;
	}
	registry_match(l->p->registry, v, hits, n);
	for (i = 0; i < n; i++) {
		struct group_prefix g = { .kind = MATCH_VENDOR,
					  .prefix = hits[i].prefix,
					  .org = hits[i].org,
					  .needle = needle };
		int r = prefix_push(l, &g);

		if (r) {
			if (r == -E2BIG)
				err_set(c, s,
					"vendor '%s': more than %d MAC prefixes in one device", v,
					POLICY_MAX_LIST * 4);
			free(hits);
			return r;
		}
		l->nvendor++;
	}
	free(hits);
	return 0;
}

struct iface_list {
	char (*v)[IF_NAMESIZE];
	size_t n;
};

static int add_iface(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct iface_list *l = arg;
	char(*nv)[IF_NAMESIZE];

	if (strlen(v) == 0 || strlen(v) >= IF_NAMESIZE || strchr(v, '/') || strchr(v, ' ')) {
		err_set(c, s, "'%s' is not an interface name", v);
		return -EINVAL;
	}
	nv = array_grow(l->v, l->n, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	snprintf(l->v[l->n++], IF_NAMESIZE, "%s", v);
	return 0;
}

/* Order of blocks: address, then length. */
static int prefix_block_cmp(const void *a, const void *b)
{
	const struct group_prefix *x = a, *y = b;
	int r = memcmp(x->prefix.addr, y->prefix.addr, 6);

	return r ? r : (int)x->prefix.bits - (int)y->prefix.bits;
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct group_prefix *x = a, *y = b;
	int r = prefix_block_cmp(a, b);

	/* the same block named twice: policy_identify reports the first */
	return r ? r : (int)x->kind - (int)y->kind;
}

bool devices_use_vendor(const config_setting_t *devs)
{
	int i, n = devs ? config_setting_length(devs) : 0;

	for (i = 0; i < n; i++) {
		config_setting_t *d = config_setting_get_elem(devs, (unsigned int)i);

		if (config_setting_type(d) == CONFIG_TYPE_GROUP &&
		    config_setting_get_member(d, "vendor"))
			return true;
	}
	return false;
}

static void compile_device(struct ctx *c, struct policy *p, const config_setting_t *d)
{
	static const char *const keys[] = { "name", "vendor", "oui", "mac", "ip", "iface", NULL };
	struct device_group *g = &p->devices[p->ndevices];
	struct prefix_list pl = { .c = c, .p = p };
	struct cidr_list ips = { 0 };
	struct iface_list ifs = { 0 };
	config_setting_t *s;
	const char *name;
	size_t i;

	if (config_setting_type(d) != CONFIG_TYPE_GROUP) {
		err_set(c, d, "each device must be a group { name = \"...\"; ... }");
		return;
	}
	setting_check_keys(c, d, keys, "a device");
	if (!setting_get_string(c, d, "name", &name)) {
		if (!config_setting_get_member(d, "name"))
			err_set(c, d, "device without a name");
		return;
	}
	if (!policy_valid_name(name) || !strcmp(name, "*")) {
		err_set(c, d, "device name '%s': use letters, digits, '-', '_' and '.'", name);
		return;
	}
	for (i = 0; i < p->ndevices; i++) {
		if (!strcmp(p->devices[i].name, name)) {
			err_set(c, d, "device '%s' is defined twice (first at line %u)", name,
				p->devices[i].line);
			return;
		}
	}
	if ((s = config_setting_get_member(d, "mac")))
		setting_each_string(c, s, "mac", add_mac, &pl);
	if ((s = config_setting_get_member(d, "oui")))
		setting_each_string(c, s, "oui", add_oui, &pl);
	if ((s = config_setting_get_member(d, "vendor")))
		setting_each_string(c, s, "vendor", add_vendor, &pl);
	if ((s = config_setting_get_member(d, "ip")))
		setting_each_string(c, s, "ip", cidr_list_add, &ips);
	if ((s = config_setting_get_member(d, "iface")))
		setting_each_string(c, s, "iface", add_iface, &ifs);
	if (!config_setting_get_member(d, "mac") && !config_setting_get_member(d, "oui") &&
	    !config_setting_get_member(d, "vendor") && !config_setting_get_member(d, "ip") &&
	    !config_setting_get_member(d, "iface"))
		err_set(c, d, "device '%s' names no mac, oui, vendor, ip or iface", name);

	snprintf(g->name, sizeof(g->name), "%s", name);
	ctx_locate(c, p, d, &g->file, &g->line, &g->xline);
	if (pl.n)
		qsort(pl.v, pl.n, sizeof(*pl.v), prefix_cmp);
	g->prefixes = pl.v;
	g->nprefixes = pl.n;
	g->nvendor_prefixes = pl.nvendor;
	g->ips = ips.v;
	g->nips = ips.n;
	g->ifaces = ifs.v;
	g->nifaces = ifs.n;
	p->ndevices++;
}

void compile_devices(struct ctx *c, struct policy *p, const config_setting_t *devs)
{
	int i, n;

	if (config_setting_type(devs) != CONFIG_TYPE_LIST) {
		err_set(c, devs, "'devices' must be a list ( { ... }, { ... } )");
		return;
	}
	n = config_setting_length(devs);
	if (n > POLICY_MAX_DEVICES) {
		err_set(c, devs, "%d devices, more than %d", n, POLICY_MAX_DEVICES);
		return;
	}
	p->devices = calloc((size_t)n + 1, sizeof(*p->devices));
	if (!p->devices) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++)
		compile_device(c, p, config_setting_get_elem(devs, (unsigned int)i));
}
