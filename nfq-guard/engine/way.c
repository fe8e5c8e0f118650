// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * way.c - a DNS answer's links followed from its question (see way.h).
 *
 * Breadth first, each name reached once.  The names reached and the
 * records by owner are kept in hash tables keyed by each name's SipHash
 * (computed once per record), a hash match confirmed by comparing the
 * names, so a message of thousands of records is followed in time linear
 * in its records whatever names it holds.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/way.h"

#define REACH_NONE 0xffffu
#define SLOTS 16384u /* a power of two, over twice DNS_MAX_RECORDS + 1 */
#define SLOTS_MIN 16u

_Static_assert(SLOTS >= 2 * (DNS_MAX_RECORDS + 1), "hash tables too small");
_Static_assert(DNS_MAX_RECORDS + 1 < REACH_NONE, "reach indexes fit 16 bits");

/* A name reached from the question. */
struct reach {
	uint32_t hash;
	uint16_t rec;	  /* the record whose target the name is; REACH_NONE: the question */
	uint16_t parent;  /* the name it was reached from; REACH_NONE: none */
	uint16_t kept_up; /* the nearest name above it that is kept; REACH_NONE: none */
	bool kept;
};

struct way {
	unsigned int nreach;
	struct reach reach[DNS_MAX_RECORDS + 1];
	uint32_t owner_hash[DNS_MAX_RECORDS];
	uint32_t target_hash[DNS_MAX_RECORDS];
	bool has_target[DNS_MAX_RECORDS];
	uint16_t slot[SLOTS];	    /* reach index by name hash, open addressing */
	uint16_t owner_head[SLOTS]; /* records by owner hash: first, then next[] */
	uint16_t next[DNS_MAX_RECORDS];
	uint32_t mask; /* the tables' size in use, less one */
	const uint8_t *key;
	struct dns_rr rr;      /* a record being read */
	struct dns_rr rr_name; /* reach_name()'s own */
};

struct way *way_new(void)
{
	return calloc(1, sizeof(struct way));
}

void way_free(struct way *w)
{
	free(w);
}

static uint32_t name_hash(const struct way *w, const struct name *n)
{
	return (uint32_t)siphash(w->key, n->s, n->len);
}

/* The name reached as k, into *out. */
static void reach_name(const struct dns_msg *m, struct way *w, unsigned int k, struct name *out)
{
	if (w->reach[k].rec == REACH_NONE) {
		*out = m->q[0].name;
		return;
	}
	dns_record(m, w->reach[k].rec, &w->rr_name);
	*out = w->rr_name.target;
}

/* The reach index of name nm (of hash h), or REACH_NONE. */
static unsigned int reach_find(const struct dns_msg *m, struct way *w, uint32_t h,
			       const struct name *nm)
{
	struct name other;

	for (uint32_t i = h & w->mask;; i = (i + 1) & w->mask) {
		unsigned int k = w->slot[i];

		if (k == REACH_NONE)
			return REACH_NONE;
		if (w->reach[k].hash != h)
			continue;
		reach_name(m, w, k, &other);
		if (name_eq(&other, nm))
			return k;
	}
}

static void reach_add(struct way *w, uint32_t h, unsigned int rec, unsigned int parent)
{
	uint32_t i = h & w->mask;

	while (w->slot[i] != REACH_NONE)
		i = (i + 1) & w->mask;
	w->slot[i] = (uint16_t)w->nreach;
	w->reach[w->nreach++] = (struct reach){
		.hash = h, .rec = (uint16_t)rec, .parent = (uint16_t)parent, .kept_up = REACH_NONE
	};
}

/* Does a record of this type lead from its owner to its target (when it has one)? */
static bool is_link_type(uint16_t type)
{
	return type == DNS_TYPE_CNAME || type == DNS_TYPE_SRV || type == DNS_TYPE_SVCB ||
	       type == DNS_TYPE_HTTPS;
}

/* Every record's names hashed, records by owner into the table. */
static void hash_records(struct way *w, const struct dns_msg *m)
{
	for (unsigned int i = 0; i < m->nrecords; i++) {
		uint32_t b;

		dns_record(m, i, &w->rr);
		w->owner_hash[i] = name_hash(w, &w->rr.name);
		w->has_target[i] = is_link_type(w->rr.type) && w->rr.target.len > 0;
		w->target_hash[i] = w->has_target[i] ? name_hash(w, &w->rr.target) : 0;
		b = w->owner_hash[i] & w->mask;
		w->next[i] = w->owner_head[b];
		w->owner_head[b] = (uint16_t)i;
	}
}

/* The links from name k (from): every target not reached yet, reached from k. */
static void follow_from(struct way *w, const struct dns_msg *m, unsigned int k,
			const struct name *from)
{
	struct name target;

	for (unsigned int i = w->owner_head[w->reach[k].hash & w->mask]; i != REACH_NONE;
	     i = w->next[i]) {
		if (w->owner_hash[i] != w->reach[k].hash || !w->has_target[i] ||
		    m->rec[i].section != DNS_SECTION_ANSWER)
			continue;
		dns_record(m, i, &w->rr);
		if (!name_eq(&w->rr.name, from) || name_eq(&w->rr.target, from))
			continue;
		target = w->rr.target;
		if (reach_find(m, w, w->target_hash[i], &target) == REACH_NONE)
			reach_add(w, w->target_hash[i], i, k);
	}
}

void way_follow(struct way *w, const struct dns_msg *m, const uint8_t *key, way_keep_fn keep,
		const void *arg)
{
	struct name from;

	w->nreach = 0;
	w->key = key;
	if (!m->qr || m->nquestions < 1 || m->q[0].name.len == 0)
		return;
	/* only as much of the tables as the message needs is cleared */
	for (w->mask = SLOTS_MIN; w->mask < 2 * (m->nrecords + 1);)
		w->mask <<= 1;
	w->mask--;
	memset(w->slot, 0xff, (w->mask + 1) * sizeof(w->slot[0]));
	memset(w->owner_head, 0xff, (w->mask + 1) * sizeof(w->owner_head[0]));
	hash_records(w, m);
	reach_add(w, name_hash(w, &m->q[0].name), REACH_NONE, REACH_NONE);
	for (unsigned int k = 0; k < w->nreach; k++) {
		reach_name(m, w, k, &from);
		w->reach[k].kept = keep && keep(&from, arg);
		if (k > 0) {
			const struct reach *up = &w->reach[w->reach[k].parent];

			w->reach[k].kept_up = up->kept ? w->reach[k].parent : up->kept_up;
		}
		follow_from(w, m, k, &from);
	}
}

/*
 * Does record i give addresses (an A or AAAA record for its owner, an SVCB
 * or HTTPS record hints for its target)?  It is then decoded into w->rr,
 * and *at is the reach index of the name they are for: REACH_NONE off the
 * way.
 */
static bool addr_record(struct way *w, const struct dns_msg *m, unsigned int i, unsigned int *at)
{
	uint16_t type = m->rec[i].type;
	struct name nm;

	if (type == DNS_TYPE_A || type == DNS_TYPE_AAAA) {
		dns_record(m, i, &w->rr);
		nm = w->rr.name;
		*at = reach_find(m, w, w->owner_hash[i], &nm);
		return true;
	}
	if ((type != DNS_TYPE_SVCB && type != DNS_TYPE_HTTPS) || !w->has_target[i])
		return false;
	dns_record(m, i, &w->rr);
	if (!dns_rr_naddrs(&w->rr))
		return false;
	nm = w->rr.target;
	*at = reach_find(m, w, w->target_hash[i], &nm);
	return true;
}

bool way_next(struct way *w, const struct dns_msg *m, struct way_pos *pos, struct way_addr *a,
	      uint64_t *ignored)
{
	while (!pos->done && w->nreach > 0 && pos->rec < m->nrecords) {
		/* w->rr holds record pos->rec while its addresses are read */
		if (pos->addr == 0) {
			if (!addr_record(w, m, pos->rec, &pos->at)) {
				pos->rec++;
				continue;
			}
			/*
			 * An address of the answer section for a name off the
			 * way: some stub resolvers (musl's) use it for the
			 * question all the same, so it counts as the question's.
			 */
			if (pos->at == REACH_NONE &&
			    m->rec[pos->rec].section == DNS_SECTION_ANSWER &&
			    (m->rec[pos->rec].type == DNS_TYPE_A ||
			     m->rec[pos->rec].type == DNS_TYPE_AAAA))
				pos->at = 0;
			if (pos->at == REACH_NONE) {
				(*ignored)++;
				pos->rec++;
				continue;
			}
		}
		if (pos->addr >= dns_rr_naddrs(&w->rr)) {
			pos->rec++;
			pos->addr = 0;
			continue;
		}
		a->at = pos->at;
		a->family = dns_rr_addr(m, &w->rr, pos->addr++, a->addr);
		a->ttl = w->rr.ttl;
		/* an IPv4-mapped IPv6 address is reached over IPv4: its IPv4 address */
		if (a->family == 6 && !memcmp(a->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
			memmove(a->addr, a->addr + 12, 4);
			memset(a->addr + 4, 0, 12);
			a->family = 4;
		}
		return true;
	}
	pos->done = true;
	return false;
}

unsigned int way_names(struct way *w, const struct dns_msg *m, unsigned int at, struct name *out,
		       unsigned int max)
{
	uint16_t mid[8];
	unsigned int nmid, nkept = 0, n = 0, k, j, room = max - 2 < 8 ? max - 2 : 8;

	/* the kept names between, nearest first */
	for (k = w->reach[at].kept_up; k != REACH_NONE && k != 0 && nkept < room;
	     k = w->reach[k].kept_up)
		mid[nkept++] = (uint16_t)k;
	/* room left: the nearest of the others, a few steps up at most */
	nmid = nkept;
	k = at ? w->reach[at].parent : REACH_NONE;
	for (unsigned int step = 0; k != REACH_NONE && k != 0 && nmid < room && step < 2 * max;
	     step++, k = w->reach[k].parent)
		if (!w->reach[k].kept)
			mid[nmid++] = (uint16_t)k;
	for (j = nmid; j > nkept; j--)
		reach_name(m, w, mid[j - 1], &out[n++]);
	for (j = nkept; j > 0; j--)
		reach_name(m, w, mid[j - 1], &out[n++]);
	if (at > 0)
		reach_name(m, w, at, &out[n++]);
	out[n++] = m->q[0].name;
	return n;
}
