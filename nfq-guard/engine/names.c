/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c - the learned name cache (see names.h).
 *
 * A name's lifetime is the record's TTL but at least ttl_floor: devices keep
 * using an address long after its TTL, and forgetting the name would let
 * such a flow pass as nameless.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine/names.h"

/* Who learned and the server, as bytes: 12 for a MAC and an IPv4 server, at most 34. */
#define NAMES_KEY_MAX 34
struct names_key {
	uint8_t len;
	uint8_t b[NAMES_KEY_MAX];
};

/*
 * A name of an entry: 16 bytes, its string in the pool.  Expiry in whole
 * seconds (rounded up: a name lives a little longer, never shorter);
 * added is the low bits of n->clock, so that after 2^31 names learned one
 * tie between two names of an entry may be broken the other way.
 */
struct names_slot {
	struct pooled_name *name;
	uint32_t expires;    /* s: gone from expires * 1000 ms on */
	uint32_t added : 31; /* order of learning, to break ties */
	uint32_t keep : 1;   /* names_keep_fn said so */
};

/* Entries grow by slots as they learn names: most hold one (1, 2, then NAMES_PER_ADDR). */
struct names_entry {
	struct lru_node node; /* first */
	uint8_t n, cap, klen;
	uint8_t b[]; /* klen bytes of the key, then (aligned) cap slots */
};

static size_t slots_at(size_t klen)
{
	return (offsetof(struct names_entry, b) + klen + 7) & ~(size_t)7;
}

static struct names_slot *slots(const struct names_entry *e)
{
	return (struct names_slot *)((uintptr_t)e + slots_at(e->klen));
}

/* Entries looked at for one that holds no kept name, before the oldest goes anyway. */
#define NAMES_EVICT_LOOK 32

static bool entry_eq(const struct lru_node *n, const void *key)
{
	const struct names_entry *e = (const struct names_entry *)n;
	const struct names_key *k = key;

	return e->klen == k->len && !memcmp(e->b, k->b, k->len);
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
	name_pool_init(&n->pool, n->key);
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
		if (slots(e)[i].keep)
			return true;
	return false;
}

/* Remove e from the table and free it, its names given back. */
static void entry_free(struct names *n, struct names_entry *e)
{
	lru_remove(&n->t, &e->node);
	for (unsigned int i = 0; i < e->n; i++)
		name_pool_put(&n->pool, slots(e)[i].name);
	free(e);
}

void names_flush(struct names *n)
{
	struct lru_node *o;

	while ((o = lru_oldest(&n->t)))
		entry_free(n, (struct names_entry *)o);
	n->st.entries = 0;
}

void names_fini(struct names *n)
{
	names_flush(n);
	lru_fini(&n->t);
	name_pool_fini(&n->pool);
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
	size_t idlen = dev->has_mac ? 6 : dev->family == 4 ? 4 : 16, slen = family == 4 ? 4 : 16;

	k->b[0] = dev->has_mac ? 0 : dev->family;
	memcpy(k->b + 1, dev->id, idlen);
	k->b[1 + idlen] = family;
	memcpy(k->b + 2 + idlen, srv, slen);
	k->len = (uint8_t)(2 + idlen + slen);
}

static void entry_expire(struct names *n, struct names_entry *e, uint64_t now)
{
	unsigned int i = 0;

	while (i < e->n) {
		if ((uint64_t)slots(e)[i].expires * 1000 <= now) {
			name_pool_put(&n->pool, slots(e)[i].name);
			memmove(&slots(e)[i], &slots(e)[i + 1],
				(e->n - i - 1) * sizeof(struct names_slot));
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
	const struct names_slot *a = &slots(e)[i], *b = &slots(e)[v];

	if (a->keep != b->keep)
		return !a->keep;
	if (a->expires != b->expires)
		return a->expires < b->expires;
	return a->added < b->added;
}

/* *ep with room for one more name (moved, so the table is told), or NULL. */
static struct names_entry *entry_grow(struct names *n, struct names_entry *e)
{
	unsigned int cap = e->cap * 2 < NAMES_PER_ADDR ? e->cap * 2 : NAMES_PER_ADDR;
	struct names_entry *g = malloc(slots_at(e->klen) + cap * sizeof(struct names_slot));
	uint32_t h = e->node.hash;

	if (!g)
		return NULL;
	memcpy(g, e, slots_at(e->klen) + e->n * sizeof(struct names_slot));
	g->cap = (uint8_t)cap;
	lru_remove(&n->t, &e->node);
	free(e);
	lru_insert(&n->t, &g->node, h); /* as newest: it is learning now */
	return g;
}

/* Seconds, rounded up, for a slot; ms past what 32 bits of seconds hold are held there. */
static uint32_t slot_expires(uint64_t ms)
{
	uint64_t s = ms / 1000 + (ms % 1000 != 0);

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/*
 * Add name to the entry; when full, a name not kept gives way first, then
 * the name expiring first, and of those the one learned first.  A name not
 * kept never pushes out a kept one.
 */
static void entry_add(struct names *n, struct names_entry **ep, const struct name *nm,
		      uint64_t expires_ms)
{
	bool keep = n->keep && n->keep(nm, n->keep_arg);
	uint32_t expires = slot_expires(expires_ms);
	struct names_entry *e = *ep;
	struct pooled_name *pn = name_pool_get(&n->pool, nm);
	unsigned int i, victim = 0;

	if (!pn)
		return; /* no memory: not learned */
	for (i = 0; i < e->n; i++) {
		if (slots(e)[i].name == pn) { /* one string per name: the same pointer */
			name_pool_put(&n->pool, pn);
			if (expires > slots(e)[i].expires)
				slots(e)[i].expires = expires;
			slots(e)[i].added = ++n->clock & 0x7fffffff;
			return;
		}
	}
	if (e->n < NAMES_PER_ADDR) {
		if (e->n == e->cap && !(e = *ep = entry_grow(n, e))) {
			name_pool_put(&n->pool, pn);
			return;
		}
		i = e->n++;
	} else {
		for (i = 1; i < e->n; i++)
			if (gives_way_before(e, i, victim))
				victim = i;
		if (slots(e)[victim].keep && !keep) {
			name_pool_put(&n->pool, pn);
			n->st.ignored++; /* the entry is full of names the rules ask for */
			return;
		}
		i = victim;
		name_pool_put(&n->pool, slots(e)[i].name);
	}
	slots(e)[i].name = pn;
	slots(e)[i].expires = expires;
	slots(e)[i].added = ++n->clock & 0x7fffffff;
	slots(e)[i].keep = keep;
	n->st.learned++;
}

static struct names_entry *entry_get(struct names *n, const struct names_key *k)
{
	uint32_t h = lru_hash(LRU_HASH_INIT, k->b, k->len);
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
		entry_free(n, (struct names_entry *)o);
		n->st.evicted++;
	}
	e = calloc(1, slots_at(k->len) + sizeof(struct names_slot));
	if (!e)
		return NULL;
	e->cap = 1;
	e->klen = k->len;
	memcpy(e->b, k->b, k->len);
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
	const struct name *q = &m->q[0].name;

	for (j = 0; j < nway; j++)
		entry_add(n, &e, &way[j], expires);
	j = 0;
	while (j < e->n &&
	       !(slots(e)[j].name->len == q->len && !memcmp(slots(e)[j].name->s, q->s, q->len)))
		j++;
	if (j > 0 && j < e->n) {
		struct names_slot t = slots(e)[j];

		slots(e)[j] = slots(e)[0];
		slots(e)[0] = t;
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
	e = (struct names_entry *)lru_find(&n->t, lru_hash(LRU_HASH_INIT, k.b, k.len), entry_eq,
					   &k);
	if (!e)
		return 0;
	entry_expire(n, e, now);
	for (i = 0; i < e->n && i < max && i < NAMES_PER_ADDR; i++) {
		pooled_name_copy(slots(e)[i].name, &n->out[i]);
		out[i] = &n->out[i];
	}
	return i;
}
