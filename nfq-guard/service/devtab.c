/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devtab.c - the devices seen (see devtab.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "service/devtab.h"
#include "print/event.h"
#include "print/format.h"
#include "print/json.h"

struct devrec {
	struct lru_node node; /* first */
	uint8_t key[17];      /* 0 + MAC, or family + address */
	bool has_mac;
	uint8_t mac[6];
	struct {
		uint8_t family;
		uint8_t addr[16];
	} addrs[DEVTAB_ADDRS];
	unsigned int naddrs;
	char group[POLICY_NAME_MAX];
	char label[POLICY_LABEL_MAX];
	char match[16];
	char matched_by[64];
	char organisation[128];
	char identified_by[8];
	bool found; /* found by its behaviour: ev is its evidence */
	struct found_rec ev;
	uint64_t first, last;
	uint64_t allowed, blocked;
};

int devtab_init(struct devtab *dt, size_t max)
{
	memset(dt, 0, sizeof(*dt));
	if (pthread_mutex_init(&dt->lock, NULL))
		return -ENOMEM;
	/* buckets for the largest bound, so that a reload can raise it */
	if (lru_init(&dt->t, POLICY_MAX_DEVICE_TABLE)) {
		pthread_mutex_destroy(&dt->lock);
		return -ENOMEM;
	}
	dt->t.max = max;
	return 0;
}

void devtab_bound(struct devtab *dt, size_t max)
{
	pthread_mutex_lock(&dt->lock);
	dt->t.max = max;
	while (dt->t.count > max) {
		struct lru_node *o = lru_victim(&dt->t);

		lru_remove(&dt->t, o);
		free(o);
		dt->evicted++;
	}
	pthread_mutex_unlock(&dt->lock);
}

void devtab_fini(struct devtab *dt)
{
	struct lru_node *n;

	while ((n = lru_oldest(&dt->t))) {
		lru_remove(&dt->t, n);
		free(n);
	}
	lru_fini(&dt->t);
	pthread_mutex_destroy(&dt->lock);
}

static bool rec_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(((const struct devrec *)n)->key, key, 17);
}

/* identified_by: how a device is known - by its MAC, OUI, address, interface, or behaviour. */
static const char *identified_by(const struct devrec *r, enum match_kind k)
{
	switch (k) {
	case MATCH_MAC:
		return "mac";
	case MATCH_OUI:
	case MATCH_VENDOR:
		return "oui";
	case MATCH_IP:
		return "ip";
	case MATCH_IFACE:
		return "iface";
	case MATCH_FOUND:
		return r->found ? found_by_str(r->ev.by) : "found";
	case MATCH_NONE:
		break;
	}
	/* found, but in no group: still known by what it showed */
	return r->found ? found_by_str(r->ev.by) : "none";
}

/* How the group matched, as text, while the policy is there to ask. */
static void describe_match(struct devrec *r, const struct policy *p, int device,
			   const struct group_match *m)
{
	snprintf(r->group, sizeof(r->group), "%s", device >= 0 ? p->devices[device].name : "");
	snprintf(r->label, sizeof(r->label), "%s",
		 r->has_mac && policy_label(p, r->mac) ? policy_label(p, r->mac) : "");
	snprintf(r->match, sizeof(r->match), "%s", match_kind_str(m->kind));
	r->organisation[0] = '\0';
	group_match_format(m, r->matched_by, sizeof(r->matched_by));
	if ((m->kind == MATCH_VENDOR || m->kind == MATCH_FOUND) && m->prefix && m->prefix->org)
		snprintf(r->organisation, sizeof(r->organisation), "%s", m->prefix->org);
	snprintf(r->identified_by, sizeof(r->identified_by), "%s", identified_by(r, m->kind));
}

static void describe(struct devrec *r, const struct policy *p, const struct decision *d)
{
	describe_match(r, p, d->device, &d->how);
}

static void add_addr(struct devrec *r, uint8_t family, const uint8_t addr[16])
{
	unsigned int i, n = r->naddrs;

	for (i = 0; i < n; i++)
		if (r->addrs[i].family == family && !memcmp(r->addrs[i].addr, addr, 16))
			return;
	if (n == DEVTAB_ADDRS) {
		memmove(&r->addrs[0], &r->addrs[1], sizeof(r->addrs[0]) * (DEVTAB_ADDRS - 1));
		n--;
	}
	r->addrs[n].family = family;
	memcpy(r->addrs[n].addr, addr, 16);
	r->naddrs = n + 1;
}

/* The entry of the device (new ones first seen now), most recently seen first; lock held. */
static struct devrec *entry(struct devtab *dt, bool has_mac, const uint8_t mac[6], uint8_t family,
			    const uint8_t addr[16], uint64_t now)
{
	uint8_t key[17] = { 0 };
	struct devrec *r;
	uint32_t h;

	if (has_mac) {
		memcpy(key + 1, mac, 6);
	} else {
		key[0] = family;
		memcpy(key + 1, addr, 16);
	}
	h = lru_hash(LRU_HASH_INIT, key, sizeof(key));
	r = (struct devrec *)lru_find(&dt->t, h, rec_eq, key);
	if (r) {
		/* most recently seen first */
		lru_remove(&dt->t, &r->node);
	} else {
		if (lru_full(&dt->t)) {
			struct lru_node *o = lru_oldest(&dt->t);

			lru_remove(&dt->t, o);
			free(o);
			dt->evicted++;
		}
		r = calloc(1, sizeof(*r));
		if (!r)
			return NULL;
		memcpy(r->key, key, sizeof(key));
		r->has_mac = has_mac;
		if (has_mac)
			memcpy(r->mac, mac, 6);
		r->first = now;
	}
	lru_insert(&dt->t, &r->node, h);
	return r;
}

void devtab_note(struct devtab *dt, const struct policy *p, bool has_mac, const uint8_t mac[6],
		 uint8_t family, const uint8_t addr[16], const struct decision *d, bool blocked,
		 uint64_t now)
{
	struct devrec *r;

	if (d->device < 0)
		return;
	pthread_mutex_lock(&dt->lock);
	r = entry(dt, has_mac, mac, family, addr, now);
	if (!r)
		goto out_unlock;
	describe(r, p, d);
	add_addr(r, family, addr);
	r->last = now;
	if (blocked)
		r->blocked++;
	else
		r->allowed++;
out_unlock:
	pthread_mutex_unlock(&dt->lock);
}

void devtab_found(struct devtab *dt, const struct policy *p, const struct found_rec *rec,
		  uint64_t now)
{
	struct group_match how[POLICY_MAX_DEVICES];
	int g = found_naming_group(p, rec, how);
	struct devrec *r;

	pthread_mutex_lock(&dt->lock);
	r = entry(dt, true, rec->mac, rec->family, rec->addr, now);
	if (r) {
		struct group_match none = { MATCH_NONE, NULL, NULL };

		r->found = true;
		r->ev = *rec;
		describe_match(r, p, g, g >= 0 ? &how[g] : &none);
		if (rec->family)
			add_addr(r, rec->family, rec->addr);
		r->last = now;
	}
	pthread_mutex_unlock(&dt->lock);
}

size_t devtab_count(struct devtab *dt)
{
	size_t n;

	pthread_mutex_lock(&dt->lock);
	n = dt->t.count;
	pthread_mutex_unlock(&dt->lock);
	return n;
}

static void print_evidence_json(const struct devrec *r, FILE *f)
{
	if (!r->found) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	json_key(f, "found_by", 1);
	json_str(f, found_by_str(r->ev.by));
	json_key(f, "vendor", 0);
	json_str(f, r->ev.vendor[0] ? r->ev.vendor : NULL);
	json_key(f, "model", 0);
	json_str(f, r->ev.model[0] ? r->ev.model : NULL);
	json_key(f, "firmware", 0);
	json_str(f, r->ev.firmware[0] ? r->ev.firmware : NULL);
	json_key(f, "serial", 0);
	json_str(f, r->ev.serial[0] ? r->ev.serial : NULL);
	json_key(f, "detail", 0);
	json_str(f, r->ev.detail[0] ? r->ev.detail : NULL);
	fputc('}', f);
}

static void print_json(const struct devrec *r, FILE *f, bool first)
{
	char t[40], m[18], a[INET6_ADDRSTRLEN];
	unsigned int i;

	fputs(first ? "{" : ",{", f);
	json_key(f, "mac", 1);
	if (r->has_mac)
		fmt_mac(r->mac, m, sizeof(m));
	json_str(f, r->has_mac ? m : NULL);
	json_key(f, "addresses", 0);
	fputc('[', f);
	for (i = 0; i < r->naddrs; i++) {
		fmt_addr(r->addrs[i].family, r->addrs[i].addr, a, sizeof(a));
		if (i)
			fputc(',', f);
		json_str(f, a);
	}
	fputc(']', f);
	json_key(f, "group", 0);
	json_str(f, r->group[0] ? r->group : NULL); /* a device found in no group: null */
	json_key(f, "label", 0);
	json_str(f, r->label[0] ? r->label : NULL);
	json_key(f, "match", 0);
	json_str(f, r->match);
	json_key(f, "matched_by", 0);
	json_str(f, r->matched_by[0] ? r->matched_by : NULL);
	json_key(f, "organisation", 0);
	json_str(f, r->organisation[0] ? r->organisation : NULL);
	json_key(f, "identified_by", 0);
	json_str(f, r->identified_by);
	json_key(f, "evidence", 0);
	print_evidence_json(r, f);
	json_key(f, "first_seen", 0);
	fmt_time(r->first * 1000000, t, sizeof(t));
	json_str(f, t);
	json_key(f, "last_seen", 0);
	fmt_time(r->last * 1000000, t, sizeof(t));
	json_str(f, t);
	json_key(f, "flows_allowed", 0);
	fprintf(f, "%" PRIu64, r->allowed);
	json_key(f, "flows_blocked", 0);
	fprintf(f, "%" PRIu64, r->blocked);
	fputc('}', f);
}

static void print_text(const struct devrec *r, FILE *f)
{
	char t1[40], t2[40], m[18], a[INET6_ADDRSTRLEN];
	unsigned int i;

	if (r->has_mac)
		fmt_mac(r->mac, m, sizeof(m));
	fmt_time(r->first * 1000000, t1, sizeof(t1));
	fmt_time(r->last * 1000000, t2, sizeof(t2));
	fprintf(f, "%-17s  %-12s  %s %s%s%s%s\n", r->has_mac ? m : "-",
		r->group[0] ? r->group : "-", r->match, r->matched_by,
		r->organisation[0] ? " (" : "", r->organisation, r->organisation[0] ? ")" : "");
	if (r->label[0])
		fprintf(f, "    label: %s\n", r->label);
	fprintf(f, "    addresses:");
	for (i = 0; i < r->naddrs; i++) {
		fmt_addr(r->addrs[i].family, r->addrs[i].addr, a, sizeof(a));
		fprintf(f, " %s", a);
	}
	fprintf(f, "\n    identified by %s", r->identified_by);
	if (r->found) {
		fprintf(f, ": %s %s", found_by_str(r->ev.by), r->ev.vendor);
		if (r->ev.model[0])
			fprintf(f, " %s", r->ev.model);
		if (r->ev.firmware[0])
			fprintf(f, ", firmware %s", r->ev.firmware);
		if (r->ev.serial[0])
			fprintf(f, ", serial %s", r->ev.serial);
		if (r->ev.detail[0])
			fprintf(f, ", %s", r->ev.detail);
	}
	fprintf(f, "\n    first seen %s, last seen %s\n", t1, t2);
	fprintf(f, "    flows: %" PRIu64 " allowed, %" PRIu64 " blocked\n", r->allowed, r->blocked);
}

static void print_brief(const struct devrec *r, FILE *f)
{
	char m[18], a[INET6_ADDRSTRLEN];

	if (r->has_mac)
		fmt_mac(r->mac, m, sizeof(m));
	else
		fmt_addr(r->addrs[0].family, r->addrs[0].addr, a, sizeof(a));
	fprintf(f, "  %-24s %-16s %" PRIu64 " / %" PRIu64 "%s%s%s\n", r->has_mac ? m : a,
		r->group[0] ? r->group : "-", r->allowed, r->blocked, r->label[0] ? "  (" : "",
		r->label, r->label[0] ? ")" : "");
}

void devtab_print(struct devtab *dt, FILE *f, enum devtab_style style)
{
	const struct lru_node *n;
	bool first = true;

	pthread_mutex_lock(&dt->lock);
	if (style == DEVTAB_JSON)
		fputs("{\"devices\":[", f);
	else if (!dt->t.count)
		fputs(style == DEVTAB_TEXT ? "no device has opened a flow yet\n" : "  (none yet)\n",
		      f);
	for (n = dt->t.head; n; n = n->next) {
		const struct devrec *r = (const struct devrec *)n;

		if (style == DEVTAB_JSON)
			print_json(r, f, first);
		else if (style == DEVTAB_TEXT)
			print_text(r, f);
		else
			print_brief(r, f);
		first = false;
	}
	if (style == DEVTAB_JSON)
		fprintf(f, "],\"evicted\":%" PRIu64 "}", dt->evicted);
	pthread_mutex_unlock(&dt->lock);
}
