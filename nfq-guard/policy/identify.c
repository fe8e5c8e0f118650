/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * identify.c - which device groups a device is in: every group's MAC
 * blocks in one sorted index with a hash over its keys (one probe per
 * prefix length), then the groups' addresses and interfaces.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

static uint64_t mac_key(const struct oui_prefix *p)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 6; i++)
		k = k << 8 | p->addr[i];
	return k << 8 | p->bits;
}

static int index_cmp(const void *a, const void *b)
{
	const struct mac_index_entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return (int)x->prefix->kind - (int)y->prefix->kind;
}

static size_t mac_hash_slot(uint64_t key, size_t mask)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (size_t)(key >> 32) & mask;
}

/* A hash of the index's keys: one probe per prefix length and packet. */
static int build_mac_hash(struct policy *p)
{
	size_t n = 16, i;

	while (n < 2 * p->nmac_index)
		n <<= 1;
	p->mac_hash = calloc(n, sizeof(*p->mac_hash));
	if (!p->mac_hash)
		return -ENOMEM;
	p->mac_hash_mask = n - 1;
	for (i = 0; i < p->nmac_index; i++) {
		size_t h;

		if (i > 0 && p->mac_index[i - 1].key == p->mac_index[i].key)
			continue; /* the first entry of a key stands for all */
		h = mac_hash_slot(p->mac_index[i].key, p->mac_hash_mask);
		while (p->mac_hash[h])
			h = (h + 1) & p->mac_hash_mask;
		p->mac_hash[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* One sorted array of every group's blocks: a MAC costs four searches in all. */
int mac_index_build(struct policy *p)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->ndevices; i++)
		n += p->devices[i].nprefixes;
	if (n == 0)
		return 0;
	p->mac_index = calloc(n, sizeof(*p->mac_index));
	if (!p->mac_index)
		return -ENOMEM;
	for (i = 0; i < p->ndevices; i++) {
		for (j = 0; j < p->devices[i].nprefixes; j++) {
			struct mac_index_entry *e = &p->mac_index[p->nmac_index++];

			e->prefix = &p->devices[i].prefixes[j];
			e->key = mac_key(&e->prefix->prefix);
			e->group = (uint32_t)i;
		}
	}
	qsort(p->mac_index, p->nmac_index, sizeof(*p->mac_index), index_cmp);
	return build_mac_hash(p);
}

/* The first entry with this key, or nmac_index. */
static size_t index_find(const struct policy *p, uint64_t key)
{
	size_t h = mac_hash_slot(key, p->mac_hash_mask);

	for (; p->mac_hash[h]; h = (h + 1) & p->mac_hash_mask)
		if (p->mac_index[p->mac_hash[h] - 1].key == key)
			return p->mac_hash[h] - 1;
	return p->nmac_index;
}

/* Every group's longest block (an exact MAC first) containing mac, into how. */
static uint64_t identify_mac(const struct policy *p, const uint8_t mac[6], struct group_match *how)
{
	static const unsigned int lens[] = { 48, 36, 28, 24 };
	struct oui_prefix op;
	uint64_t mask = 0;
	size_t l, i;

	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		oui_of(mac, lens[l], &op);
		for (i = index_find(p, mac_key(&op));
		     i < p->nmac_index && p->mac_index[i].key == mac_key(&op); i++) {
			const struct mac_index_entry *e = &p->mac_index[i];

			if (mask & (1ull << e->group))
				continue; /* a longer block of this group matched */
			mask |= 1ull << e->group;
			how[e->group].kind = e->prefix->kind;
			how[e->group].prefix = e->prefix;
			how[e->group].cidr = NULL;
		}
	}
	return mask;
}

/*
 * The vendor prefix of g whose vendor string names the vendor a device's
 * behaviour showed: the two contain one another, ignoring case (a needle
 * "hikvision" names "Hikvision"; a found "Dahua" is named by "dahua
 * technology"), the shorter at least 3 letters; NULL for none.
 */
static const struct group_prefix *found_prefix(const struct device_group *g, const char *vendor)
{
	const char *last = NULL;
	size_t i;

	if (strlen(vendor) < 3)
		return NULL;
	for (i = 0; i < g->nprefixes; i++) {
		const struct group_prefix *gp = &g->prefixes[i];

		if (gp->kind != MATCH_VENDOR || gp->needle == last)
			continue;
		last = gp->needle;
		if (vendor_contains(vendor, gp->needle) || vendor_contains(gp->needle, vendor))
			return gp;
	}
	return NULL;
}

uint64_t policy_identify(const struct policy *p, const struct device_key *key,
			 struct group_match *how)
{
	struct group_match local[POLICY_MAX_DEVICES];
	uint64_t mask = 0;
	size_t i, j;

	if (!how)
		how = local;
	if (key->has_mac && p->nmac_index)
		mask = identify_mac(p, key->mac, how);
	for (i = 0; i < p->ndevices; i++) {
		const struct device_group *g = &p->devices[i];
		struct group_match m = { MATCH_NONE, NULL, NULL };

		if (mask & (1ull << i))
			continue;
		if (key->family) {
			for (j = 0; j < g->nips; j++) {
				if (cidr_contains(&g->ips[j], key->family, key->addr)) {
					m.kind = MATCH_IP;
					m.cidr = &g->ips[j];
					break;
				}
			}
		}
		if (m.kind == MATCH_NONE && key->found_by != FOUND_NONE && g->nvendor_prefixes &&
		    (m.prefix = found_prefix(g, key->found_vendor)))
			m.kind = MATCH_FOUND;
		if (m.kind == MATCH_NONE && key->iface[0]) {
			for (j = 0; j < g->nifaces; j++)
				if (!strcmp(g->ifaces[j], key->iface))
					m.kind = MATCH_IFACE;
		}
		if (m.kind != MATCH_NONE) {
			mask |= 1ull << i;
			how[i] = m;
		}
	}
	return mask;
}

/* How specific a match is: exact MAC, MAC prefix, vendor, address, interface. */
static unsigned int match_rank(const struct group_match *m)
{
	switch (m->kind) {
	case MATCH_MAC:
	case MATCH_OUI:
		return 600 + m->prefix->prefix.bits; /* an exact MAC is a /48 */
	case MATCH_VENDOR:
		return 400 + m->prefix->prefix.bits;
	case MATCH_FOUND: /* as if its OUI were the vendor's */
		return 400;
	case MATCH_IP:
		return 200 + m->cidr->len;
	case MATCH_IFACE:
		return 100;
	case MATCH_NONE:
		break;
	}
	return 0;
}

int policy_naming_group(const struct policy *p, uint64_t groups, const struct group_match *how)
{
	unsigned int best = 0, r;
	int pick = -1;
	size_t i;

	for (i = 0; i < p->ndevices; i++) {
		if (!(groups & (1ull << i)))
			continue;
		if (!how)
			return (int)i;
		r = match_rank(&how[i]);
		if (pick < 0 || r > best) {
			best = r;
			pick = (int)i;
		}
	}
	return pick;
}

void group_match_format(const struct group_match *m, char *buf, size_t sz)
{
	buf[0] = '\0';
	if (m->kind == MATCH_FOUND && m->prefix)
		snprintf(buf, sz, "%s", m->prefix->needle);
	else if (m->prefix)
		oui_format(&m->prefix->prefix, buf, sz);
	else if (m->cidr)
		cidr_format(m->cidr, buf, sz);
}
