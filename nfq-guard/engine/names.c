/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c - the learned name cache (see names.h).
 *
 * A name's lifetime is the record's TTL but at least ttl_floor: devices keep
 * using an address long after its TTL, and forgetting the name would let
 * such a flow pass as nameless.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/names.h"

struct names_key {
	uint8_t family;
	uint8_t dev[16];
	uint8_t srv[16];
};

struct names_entry {
	struct lru_node node; /* first */
	struct names_key key;
	uint8_t n;
	uint64_t expires[NAMES_PER_ADDR]; /* ms */
	uint64_t added[NAMES_PER_ADDR];	  /* order of learning, to break ties */
	struct name names[NAMES_PER_ADDR];
};

static bool entry_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(&((const struct names_entry *)n)->key, key, sizeof(struct names_key));
}

int names_init(struct names *n, size_t max, uint32_t ttl_floor)
{
	memset(n, 0, sizeof(*n));
	n->ttl_floor = ttl_floor;
	return lru_init(&n->t, max);
}

void names_flush(struct names *n)
{
	struct lru_node *o;

	while ((o = lru_oldest(&n->t))) {
		lru_remove(&n->t, o);
		free(o);
	}
	n->st.entries = 0;
}

void names_fini(struct names *n)
{
	names_flush(n);
	lru_fini(&n->t);
}

static void make_key(struct names_key *k, uint8_t family, const uint8_t dev[16],
		     const uint8_t srv[16])
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->dev, dev, family == 4 ? 4 : 16);
	memcpy(k->srv, srv, family == 4 ? 4 : 16);
}

static void entry_expire(struct names *n, struct names_entry *e, uint64_t now)
{
	unsigned int i = 0;

	while (i < e->n) {
		if (e->expires[i] <= now) {
			memmove(&e->names[i], &e->names[i + 1],
				(e->n - i - 1) * sizeof(e->names[0]));
			memmove(&e->expires[i], &e->expires[i + 1],
				(e->n - i - 1) * sizeof(e->expires[0]));
			memmove(&e->added[i], &e->added[i + 1],
				(e->n - i - 1) * sizeof(e->added[0]));
			e->n--;
			n->st.expired++;
		} else {
			i++;
		}
	}
}

/*
 * Add name to the entry; when full, the name expiring first gives way, and
 * of those the one learned first.
 */
static void entry_add(struct names *n, struct names_entry *e, const struct name *nm,
		      uint64_t expires)
{
	unsigned int i, victim = 0;

	for (i = 0; i < e->n; i++) {
		if (name_eq(&e->names[i], nm)) {
			if (expires > e->expires[i])
				e->expires[i] = expires;
			e->added[i] = ++n->clock;
			return;
		}
	}
	if (e->n < NAMES_PER_ADDR) {
		i = e->n++;
	} else {
		for (i = 1; i < e->n; i++)
			if (e->expires[i] < e->expires[victim] ||
			    (e->expires[i] == e->expires[victim] && e->added[i] < e->added[victim]))
				victim = i;
		i = victim;
	}
	e->names[i] = *nm;
	e->expires[i] = expires;
	e->added[i] = ++n->clock;
	n->st.learned++;
}

static struct names_entry *entry_get(struct names *n, const struct names_key *k)
{
	uint32_t h = lru_hash(LRU_HASH_INIT, k, sizeof(*k));
	struct names_entry *e = (struct names_entry *)lru_find(&n->t, h, entry_eq, k);

	if (e)
		return e;
	if (lru_full(&n->t)) {
		struct lru_node *o = lru_victim(&n->t);

		lru_remove(&n->t, o);
		free(o);
		n->st.evicted++;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = *k;
	lru_insert(&n->t, &e->node, h);
	return e;
}

/* Is owner one of the first nchain names of the chain? */
static int chain_index(const struct name *chain, unsigned int nchain, const struct name *owner)
{
	unsigned int i;

	for (i = 0; i < nchain; i++)
		if (name_eq(&chain[i], owner))
			return (int)i;
	return -1;
}

/* The question's name, then the CNAMEs from it, whatever their order: how many. */
static unsigned int follow_chain(const struct dns_msg *msg, struct name *chain)
{
	unsigned int nchain = 1, i, hops;

	chain[0] = msg->q[0].name;
	for (hops = 0; hops < NAMES_CNAME_HOPS; hops++) {
		bool grew = false;

		for (i = 0; i < msg->nanswers; i++) {
			const struct dns_rr *rr = &msg->an[i];

			if (rr->type == DNS_TYPE_CNAME && name_eq(&rr->name, &chain[nchain - 1]) &&
			    chain_index(chain, nchain, &rr->target) < 0 && rr->target.len) {
				chain[nchain++] = rr->target;
				grew = true;
				break;
			}
		}
		if (!grew || nchain > NAMES_CNAME_HOPS)
			break;
	}
	return nchain;
}

/*
 * The chain's names into e, until expires, least needed first: the middle
 * of the chain, then the name the record is for (chain[owner]), then the
 * question's name (the one reported), so that a chain longer than the
 * entry keeps both.
 */
static void entry_learn(struct names *n, struct names_entry *e, const struct name *chain,
			unsigned int nchain, int owner, uint64_t expires)
{
	unsigned int j;

	for (j = 1; j < nchain; j++)
		if ((int)j != owner)
			entry_add(n, e, &chain[j], expires);
	if (owner > 0)
		entry_add(n, e, &chain[owner], expires);
	entry_add(n, e, &chain[0], expires);
	/* keep the question's name at the front, where it is reported from */
	j = (unsigned int)chain_index(e->names, e->n, &chain[0]);
	if (j > 0 && j < e->n) {
		struct name t = e->names[j];
		uint64_t x = e->expires[j], a = e->added[j];

		e->names[j] = e->names[0];
		e->expires[j] = e->expires[0];
		e->added[j] = e->added[0];
		e->names[0] = t;
		e->expires[0] = x;
		e->added[0] = a;
	}
}

size_t names_learn(struct names *n, uint8_t family, const uint8_t dev[16],
		   const struct dns_msg *msg, uint64_t now)
{
	struct name chain[NAMES_CNAME_HOPS + 1];
	unsigned int nchain, i;
	size_t learned = 0;

	if (!msg->qr || msg->nquestions < 1 || msg->q[0].name.len == 0)
		return 0;
	nchain = follow_chain(msg, chain);
	for (i = 0; i < msg->nanswers; i++) {
		const struct dns_rr *rr = &msg->an[i];
		uint8_t fam = rr->type == DNS_TYPE_A ? 4 : rr->type == DNS_TYPE_AAAA ? 6 : 0;
		int owner = fam ? chain_index(chain, nchain, &rr->name) : -1;
		struct names_key k;
		struct names_entry *e;
		uint64_t life;

		if (!fam)
			continue;
		if (owner < 0) {
			n->st.ignored++;
			continue;
		}
		/*
		 * Entries are keyed by the device's address of the answer's
		 * family; an AAAA answer reaching the device over IPv4 names an
		 * address it will use from an IPv6 address we cannot tell here.
		 */
		if (fam != family)
			continue;
		make_key(&k, family, dev, rr->addr);
		e = entry_get(n, &k);
		if (!e)
			break;
		entry_expire(n, e, now);
		life = (uint64_t)(rr->ttl > n->ttl_floor ? rr->ttl : n->ttl_floor) * 1000;
		entry_learn(n, e, chain, nchain, owner, now + life);
		learned++;
	}
	n->st.entries = n->t.count;
	return learned;
}

size_t names_lookup(struct names *n, uint8_t family, const uint8_t dev[16], const uint8_t srv[16],
		    uint64_t now, const struct name **out, size_t max)
{
	struct names_key k;
	struct names_entry *e;
	size_t i;

	make_key(&k, family, dev, srv);
	e = (struct names_entry *)lru_find(&n->t, lru_hash(LRU_HASH_INIT, &k, sizeof(k)), entry_eq,
					   &k);
	if (!e)
		return 0;
	entry_expire(n, e, now);
	for (i = 0; i < e->n && i < max; i++)
		out[i] = &e->names[i];
	return i;
}
