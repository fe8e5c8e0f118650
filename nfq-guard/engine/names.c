/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c - the learned name cache (see names.h).
 *
 * A name's lifetime is the record's TTL but at least ttl_floor: devices keep
 * using an address long after its TTL, and forgetting the name would let
 * such a flow pass as nameless.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine/names.h"

struct names_key {
	struct names_dev dev;
	uint8_t family; /* of srv */
	uint8_t srv[16];
};

struct names_entry {
	struct lru_node node; /* first */
	struct names_key key;
	uint8_t n;
	uint64_t expires[NAMES_PER_ADDR]; /* ms */
	uint64_t added[NAMES_PER_ADDR];	  /* order of learning, to break ties */
	bool keep[NAMES_PER_ADDR];	  /* names_keep_fn said so */
	struct name names[NAMES_PER_ADDR];
};

/* Entries looked at for one that holds no kept name, before the oldest goes anyway. */
#define NAMES_EVICT_LOOK 32

static bool entry_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(&((const struct names_entry *)n)->key, key, sizeof(struct names_key));
}

/*
 * A secret key for the names' hashes: from the kernel's random pool, else
 * (no getrandom) from what a sender cannot see either, this process's
 * addresses and identity.
 */
static void names_key_new(uint8_t key[SIPHASH_KEY_LEN])
{
	uintptr_t where[2] = { (uintptr_t)key, (uintptr_t)&names_key_new };
	uint64_t mix;

	if (getrandom(key, SIPHASH_KEY_LEN, GRND_NONBLOCK) == SIPHASH_KEY_LEN)
		return;
	mix = siphash((const uint8_t *)"nfq-guard names.", where, sizeof(where)) ^
	      (uint64_t)getpid() << 32;
	memcpy(key, &mix, sizeof(mix));
	mix = siphash(key, &mix, sizeof(mix));
	memcpy(key + 8, &mix, sizeof(mix));
}

int names_init(struct names *n, size_t max, uint32_t ttl_floor)
{
	memset(n, 0, sizeof(*n));
	n->ttl_floor = ttl_floor;
	names_key_new(n->key);
	return lru_init(&n->t, max) < 0 ? -ENOMEM : 0;
}

void names_set_keep(struct names *n, names_keep_fn keep, const void *arg)
{
	n->keep = keep;
	n->keep_arg = arg;
}

static bool entry_kept(const struct names_entry *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		if (e->keep[i])
			return true;
	return false;
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
	way_free(n->way);
	n->way = NULL;
}

void names_dev_mac(struct names_dev *d, const uint8_t mac[6])
{
	memset(d, 0, sizeof(*d));
	d->has_mac = true;
	memcpy(d->id, mac, 6);
}

void names_dev_addr(struct names_dev *d, uint8_t family, const uint8_t *addr)
{
	memset(d, 0, sizeof(*d));
	d->family = family;
	memcpy(d->id, addr, family == 4 ? 4 : 16);
}

static void make_key(struct names_key *k, const struct names_dev *dev, uint8_t family,
		     const uint8_t srv[16])
{
	memset(k, 0, sizeof(*k));
	k->dev.has_mac = dev->has_mac;
	k->dev.family = dev->has_mac ? 0 : dev->family;
	memcpy(k->dev.id, dev->id, sizeof(k->dev.id));
	k->family = family;
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
			memmove(&e->keep[i], &e->keep[i + 1], (e->n - i - 1) * sizeof(e->keep[0]));
			e->n--;
			n->st.expired++;
		} else {
			i++;
		}
	}
}

/* Should slot i give way before slot v: not kept before kept, then expiring first, then older. */
static bool gives_way_before(const struct names_entry *e, unsigned int i, unsigned int v)
{
	if (e->keep[i] != e->keep[v])
		return !e->keep[i];
	if (e->expires[i] != e->expires[v])
		return e->expires[i] < e->expires[v];
	return e->added[i] < e->added[v];
}

/*
 * Add name to the entry; when full, a name not kept gives way first, then
 * the name expiring first, and of those the one learned first.  A name not
 * kept never pushes out a kept one.
 */
static void entry_add(struct names *n, struct names_entry *e, const struct name *nm,
		      uint64_t expires)
{
	bool keep = n->keep && n->keep(nm, n->keep_arg);
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
			if (gives_way_before(e, i, victim))
				victim = i;
		if (e->keep[victim] && !keep) {
			n->st.ignored++; /* the entry is full of names the rules ask for */
			return;
		}
		i = victim;
	}
	e->names[i] = *nm;
	e->expires[i] = expires;
	e->added[i] = ++n->clock;
	e->keep[i] = keep;
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

		/* an entry with a kept name goes back to the head, a few times at most */
		for (int i = 0; i < NAMES_EVICT_LOOK && entry_kept((struct names_entry *)o); i++) {
			uint32_t oh = o->hash;

			lru_remove(&n->t, o);
			lru_insert(&n->t, o, oh);
			o = lru_victim(&n->t);
		}
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

/*
 * The names of the way to a.at into e, until expires, least needed first
 * (way_names), the question's moved to the front, where it is reported
 * from.
 */
static void entry_learn(struct names *n, struct names_entry *e, struct way *w,
			const struct dns_msg *m, const struct way_addr *a, uint64_t expires)
{
	struct name way[NAMES_PER_ADDR];
	unsigned int nway = way_names(w, m, a->at, way, NAMES_PER_ADDR), j;

	for (j = 0; j < nway; j++)
		entry_add(n, e, &way[j], expires);
	j = 0;
	while (j < e->n && !name_eq(&e->names[j], &m->q[0].name))
		j++;
	if (j > 0 && j < e->n) {
		struct name t = e->names[j];
		uint64_t x = e->expires[j], ad = e->added[j];
		bool kp = e->keep[j];

		e->names[j] = e->names[0];
		e->expires[j] = e->expires[0];
		e->added[j] = e->added[0];
		e->keep[j] = e->keep[0];
		e->names[0] = t;
		e->expires[0] = x;
		e->added[0] = ad;
		e->keep[0] = kp;
	}
}

void names_follow(const struct names *n, struct way *w, const struct dns_msg *msg)
{
	way_follow(w, msg, n->key, n->keep, n->keep_arg);
}

size_t names_learn_some(struct names *n, struct way *w, const struct names_dev *dev,
			const struct dns_msg *msg, uint64_t now, struct way_pos *pos, size_t max)
{
	struct way_addr a;
	size_t learned = 0;

	while (learned < max && way_next(w, msg, pos, &a, &n->st.ignored)) {
		struct names_key k;
		struct names_entry *e;
		uint64_t life = (uint64_t)(a.ttl > n->ttl_floor ? a.ttl : n->ttl_floor) * 1000;

		/*
		 * A device known by its address only: an AAAA answer reaching
		 * it over IPv4 names an address it will use from an IPv6
		 * address we cannot tell here.
		 */
		if (!dev->has_mac && a.family != dev->family)
			continue;
		make_key(&k, dev, a.family, a.addr);
		e = entry_get(n, &k);
		if (!e) {
			pos->done = true; /* no memory: the rest is not learned */
			break;
		}
		entry_expire(n, e, now);
		entry_learn(n, e, w, msg, &a, now + life);
		learned++;
	}
	n->st.entries = n->t.count;
	return learned;
}

size_t names_learn(struct names *n, const struct names_dev *dev, const struct dns_msg *msg,
		   uint64_t now)
{
	struct way_pos pos = { 0 };

	/* taken at the first answer: a table that never learns holds none */
	if (!n->way && !(n->way = way_new()))
		return 0;
	names_follow(n, n->way, msg);
	return names_learn_some(n, n->way, dev, msg, now, &pos, SIZE_MAX);
}

size_t names_lookup(struct names *n, const struct names_dev *dev, uint8_t family,
		    const uint8_t srv[16], uint64_t now, const struct name **out, size_t max)
{
	struct names_key k;
	struct names_entry *e;
	size_t i;

	make_key(&k, dev, family, srv);
	e = (struct names_entry *)lru_find(&n->t, lru_hash(LRU_HASH_INIT, &k, sizeof(k)), entry_eq,
					   &k);
	if (!e)
		return 0;
	entry_expire(n, e, now);
	for (i = 0; i < e->n && i < max; i++)
		out[i] = &e->names[i];
	return i;
}
