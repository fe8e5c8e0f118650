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

/*
 * Learning follows the answer's links from the question: CNAME, SRV, SVCB
 * and HTTPS records lead from their owner to their target, breadth first,
 * each name reached once.  The names reached and the records by owner are
 * kept in hash tables in the scratch (the message's own hashes of its
 * names, confirmed by comparing the names), so a message of thousands of
 * records is followed in time linear in its records.
 */
#define REACH_NONE 0xffffu
#define REACH_SLOTS 16384u /* a power of two, over twice DNS_MAX_RECORDS + 1 */
#define REACH_SLOTS_MIN 16u

_Static_assert(REACH_SLOTS >= 2 * (DNS_MAX_RECORDS + 1), "hash tables too small");

struct reach {
	uint32_t hash;
	uint16_t rec;	  /* the record whose target the name is; REACH_NONE: the question */
	uint16_t parent;  /* the name it was reached from; REACH_NONE: none */
	uint16_t kept_up; /* the nearest name above it that is kept; REACH_NONE: none */
	bool kept;
};

struct names_scratch {
	struct reach reach[DNS_MAX_RECORDS + 1];
	uint16_t slot[REACH_SLOTS];	  /* reach index by name hash, open addressing */
	uint16_t owner_head[REACH_SLOTS]; /* records by owner hash: first, then next[] */
	uint16_t next[DNS_MAX_RECORDS];
	uint32_t mask;	       /* the tables' size in use, less one: twice the records at least */
	struct dns_rr rr;      /* a record being read */
	struct dns_rr rr_name; /* reach_name()'s own */
};

static bool entry_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(&((const struct names_entry *)n)->key, key, sizeof(struct names_key));
}

int names_init(struct names *n, size_t max, uint32_t ttl_floor)
{
	memset(n, 0, sizeof(*n));
	n->ttl_floor = ttl_floor;
	n->scratch = malloc(sizeof(*n->scratch));
	if (!n->scratch)
		return -ENOMEM;
	if (lru_init(&n->t, max) < 0) {
		free(n->scratch);
		n->scratch = NULL;
		return -ENOMEM;
	}
	return 0;
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
	free(n->scratch);
	n->scratch = NULL;
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

/* The name reached as k, into *out. */
static void reach_name(const struct dns_msg *m, struct names_scratch *s, unsigned int k,
		       struct name *out)
{
	if (s->reach[k].rec == REACH_NONE) {
		*out = m->q[0].name;
		return;
	}
	dns_record(m, s->reach[k].rec, &s->rr_name);
	*out = s->rr_name.target;
}

/* The reach index of name nm (of hash h), or REACH_NONE. */
static unsigned int reach_find(const struct dns_msg *m, struct names_scratch *s, uint32_t h,
			       const struct name *nm)
{
	struct name other;

	for (uint32_t i = h & s->mask;; i = (i + 1) & s->mask) {
		unsigned int k = s->slot[i];

		if (k == REACH_NONE)
			return REACH_NONE;
		if (s->reach[k].hash != h)
			continue;
		reach_name(m, s, k, &other);
		if (name_eq(&other, nm))
			return k;
	}
}

static void reach_add(struct names_scratch *s, unsigned int *nreach, uint32_t h, unsigned int rec,
		      unsigned int parent)
{
	uint32_t i = h & s->mask;

	while (s->slot[i] != REACH_NONE)
		i = (i + 1) & s->mask;
	s->slot[i] = (uint16_t)*nreach;
	s->reach[*nreach] = (struct reach){
		.hash = h, .rec = (uint16_t)rec, .parent = (uint16_t)parent, .kept_up = REACH_NONE
	};
	(*nreach)++;
}

/* Is record i a link: an answer that leads from its owner to another name? */
static bool is_link(const struct dns_ref *r)
{
	return r->section == DNS_SECTION_ANSWER && r->target_hash &&
	       (r->type == DNS_TYPE_CNAME || r->type == DNS_TYPE_SRV || r->type == DNS_TYPE_SVCB ||
		r->type == DNS_TYPE_HTTPS);
}

/* Every name the message's links lead to from the question; how many. */
static unsigned int follow_links(struct names *n, const struct dns_msg *m, struct names_scratch *s)
{
	struct name from, target;
	unsigned int nreach = 0, i;

	/* only as much of the tables as the message needs is cleared */
	for (s->mask = REACH_SLOTS_MIN; s->mask < 2 * (m->nrecords + 1);)
		s->mask <<= 1;
	s->mask--;
	memset(s->slot, 0xff, (s->mask + 1) * sizeof(s->slot[0]));
	memset(s->owner_head, 0xff, (s->mask + 1) * sizeof(s->owner_head[0]));
	for (i = 0; i < m->nrecords; i++) {
		uint32_t b = m->rec[i].owner_hash & s->mask;

		s->next[i] = s->owner_head[b];
		s->owner_head[b] = (uint16_t)i;
	}
	reach_add(s, &nreach, dns_name_hash(&m->q[0].name), REACH_NONE, REACH_NONE);
	for (unsigned int k = 0; k < nreach; k++) {
		reach_name(m, s, k, &from);
		s->reach[k].kept = n->keep && n->keep(&from, n->keep_arg);
		if (k > 0) {
			const struct reach *up = &s->reach[s->reach[k].parent];

			s->reach[k].kept_up = up->kept ? s->reach[k].parent : up->kept_up;
		}
		for (i = s->owner_head[s->reach[k].hash & s->mask]; i != REACH_NONE;
		     i = s->next[i]) {
			const struct dns_ref *r = &m->rec[i];

			if (r->owner_hash != s->reach[k].hash || !is_link(r))
				continue;
			dns_record(m, i, &s->rr);
			if (!name_eq(&s->rr.name, &from) || name_eq(&s->rr.target, &from))
				continue;
			target = s->rr.target;
			if (reach_find(m, s, r->target_hash, &target) == REACH_NONE)
				reach_add(s, &nreach, r->target_hash, i, k);
		}
	}
	return nreach;
}

static void entry_add_reach(struct names *n, struct names_entry *e, const struct dns_msg *m,
			    struct names_scratch *s, unsigned int k, uint64_t expires)
{
	struct name nm;

	reach_name(m, s, k, &nm);
	entry_add(n, e, &nm, expires);
}

/*
 * The names of the way from the question to the owner (reach o) into e,
 * until expires, least needed first: of the names between, the nearest
 * to the owner and then those a rule asks for (nearest last), then the
 * owner's, then the question's, which is moved to the front (where it is
 * reported from).  An entry holds NAMES_PER_ADDR names: at most that many
 * of the way are offered, so a way of any length costs the same.
 */
static void entry_learn(struct names *n, struct names_entry *e, const struct dns_msg *m,
			struct names_scratch *s, unsigned int o, uint64_t expires)
{
	uint16_t mid[NAMES_PER_ADDR];
	unsigned int nmid = 0, nkept = 0, k, j;

	/* the kept names between, nearest first */
	for (k = s->reach[o].kept_up; k != REACH_NONE && k != 0 && nkept < NAMES_PER_ADDR - 2;
	     k = s->reach[k].kept_up)
		mid[nkept++] = (uint16_t)k;
	/* room left: the nearest of the others, a few steps up at most */
	nmid = nkept;
	k = o ? s->reach[o].parent : REACH_NONE;
	for (unsigned int step = 0;
	     k != REACH_NONE && k != 0 && nmid < NAMES_PER_ADDR - 2 && step < 2 * NAMES_PER_ADDR;
	     step++, k = s->reach[k].parent)
		if (!s->reach[k].kept)
			mid[nmid++] = (uint16_t)k;
	for (j = nmid; j > nkept; j--)
		entry_add_reach(n, e, m, s, mid[j - 1], expires);
	for (j = nkept; j > 0; j--)
		entry_add_reach(n, e, m, s, mid[j - 1], expires);
	if (o > 0)
		entry_add_reach(n, e, m, s, o, expires);
	entry_add(n, e, &m->q[0].name, expires);
	/* keep the question's name at the front, where it is reported from */
	j = 0;
	while (j < e->n && !name_eq(&e->names[j], &m->q[0].name))
		j++;
	if (j > 0 && j < e->n) {
		struct name t = e->names[j];
		uint64_t x = e->expires[j], a = e->added[j];
		bool kp = e->keep[j];

		e->names[j] = e->names[0];
		e->expires[j] = e->expires[0];
		e->added[j] = e->added[0];
		e->keep[j] = e->keep[0];
		e->names[0] = t;
		e->expires[0] = x;
		e->added[0] = a;
		e->keep[0] = kp;
	}
}

/*
 * Does record i give addresses (an A or AAAA record for its owner, an SVCB
 * or HTTPS record hints for its target)?  It is then decoded into s->rr,
 * and *o is the reach index of the name they are for: REACH_NONE when the
 * way from the question does not lead there.
 */
static bool addr_record(const struct dns_msg *m, struct names_scratch *s, unsigned int i,
			unsigned int *o)
{
	const struct dns_ref *r = &m->rec[i];
	struct name nm;

	if (r->type == DNS_TYPE_A || r->type == DNS_TYPE_AAAA) {
		dns_record(m, i, &s->rr);
		nm = s->rr.name;
		*o = reach_find(m, s, r->owner_hash, &nm);
		return true;
	}
	if ((r->type != DNS_TYPE_SVCB && r->type != DNS_TYPE_HTTPS) || !r->target_hash)
		return false;
	dns_record(m, i, &s->rr);
	if (!dns_rr_naddrs(&s->rr))
		return false;
	nm = s->rr.target;
	*o = reach_find(m, s, r->target_hash, &nm);
	return true;
}

/* Learn address a (of family fam) of record i, reached as o; false when out of memory. */
static bool learn_addr(struct names *n, const struct names_dev *dev, const struct dns_msg *m,
		       unsigned int o, uint32_t ttl, uint8_t fam, const uint8_t a[16], uint64_t now)
{
	struct names_scratch *s = n->scratch;
	struct names_key k;
	struct names_entry *e;
	uint64_t life = (uint64_t)(ttl > n->ttl_floor ? ttl : n->ttl_floor) * 1000;

	make_key(&k, dev, fam, a);
	e = entry_get(n, &k);
	if (!e)
		return false;
	entry_expire(n, e, now);
	entry_learn(n, e, m, s, o, now + life);
	return true;
}

size_t names_learn(struct names *n, const struct names_dev *dev, const struct dns_msg *msg,
		   uint64_t now)
{
	struct names_scratch *s = n->scratch;
	size_t learned = 0;

	if (!msg->qr || msg->nquestions < 1 || msg->q[0].name.len == 0)
		return 0;
	follow_links(n, msg, s);
	for (unsigned int i = 0; i < msg->nrecords; i++) {
		unsigned int o, naddr, j;
		uint32_t ttl;
		uint8_t a[16];

		if (!addr_record(msg, s, i, &o))
			continue;
		if (o == REACH_NONE) {
			n->st.ignored++;
			continue;
		}
		naddr = dns_rr_naddrs(&s->rr);
		ttl = s->rr.ttl;
		for (j = 0; j < naddr; j++) {
			uint8_t fam = dns_rr_addr(msg, &s->rr, j, a);

			/*
			 * A device known by its address only: an AAAA answer
			 * reaching it over IPv4 names an address it will use
			 * from an IPv6 address we cannot tell here.
			 */
			if (!dev->has_mac && fam != dev->family)
				continue;
			if (!learn_addr(n, dev, msg, o, ttl, fam, a, now))
				goto out;
			learned++;
		}
	}
out:
	n->st.entries = n->t.count;
	return learned;
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
