/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h - what each device learned from DNS: for a (device, server
 * address) pair, the names the device asked for that lead to the server.
 * A device is its MAC where the address the answer went to is known to be a
 * MAC's, so that an answer seen on one address family or address serves
 * its connections from its others; else its address.  Filled from DNS
 * answers snooped on their way to the device; bounded in entries and in
 * names per entry, oldest evicted first.  The names' strings are shared
 * (namepool.h); an entry grows with the names it holds.
 */
#ifndef NFQG_NAMES_H
#define NFQG_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/dns.h"
#include "base/lru.h"
#include "base/hostname.h"
#include "base/siphash.h"
#include "engine/namepool.h"
#include "engine/way.h"

#define NAMES_PER_ADDR 4 /* names kept per (device, server) pair */

struct names_stats {
	size_t entries;
	uint64_t learned; /* (device, address, name) facts stored */
	uint64_t evicted; /* entries pushed out by the bound */
	uint64_t expired; /* names dropped after their lifetime */
	uint64_t ignored; /* address records off the question's way, names not kept */
};

/* Is the name one a rule asks for (kept before others at the bounds)? */
typedef way_keep_fn names_keep_fn;

struct names {
	struct lru_table t;
	uint32_t ttl_floor; /* seconds */
	uint64_t clock;	    /* counts names added, for eviction order */
	names_keep_fn keep; /* NULL: all names alike */
	const void *keep_arg;
	struct names_stats st;
	uint8_t key[SIPHASH_KEY_LEN];	 /* for the names' hashes (way.c): secret, random */
	struct way *way;		 /* names_learn()'s own, from its first call */
	struct name_pool pool;		 /* the entries' strings */
	struct name out[NAMES_PER_ADDR]; /* names_lookup()'s answer */
};

/* names_init - at most max entries; names live at least ttl_floor s. 0 or -ENOMEM. */
int names_init(struct names *n, size_t max, uint32_t ttl_floor);
void names_fini(struct names *n);

/*
 * names_set_keep - names for which keep() holds (those a domain rule
 * matches) outlast the others at both bounds: an entry holding one is
 * pushed out only when the oldest entries all hold one, and within an
 * entry such a name gives way only to another.  So that a device cannot
 * flush the name of its vendor's server with answers for names of its own.
 */
void names_set_keep(struct names *n, names_keep_fn keep, const void *arg);
void names_flush(struct names *n);

/* Who learned: a device by its MAC, or by its address where no MAC is known. */
struct names_dev {
	bool has_mac;
	uint8_t family; /* of addr, without a MAC */
	uint8_t id[16]; /* the MAC (6 bytes), or the address */
};

/* names_dev_mac, names_dev_addr - a names_dev of a MAC, or of an address. */
void names_dev_mac(struct names_dev *d, const uint8_t mac[6]);
void names_dev_addr(struct names_dev *d, uint8_t family, const uint8_t *addr);

/*
 * names_learn - a DNS response msg arrived for the device dev.  From the
 * question's name the answer's links are followed (CNAME, SRV, SVCB and
 * HTTPS records, to their targets, in any order and to any depth); every
 * address for a name on the way (A and AAAA records of the answer and
 * additional sections, SVCB and HTTPS hints) maps to the names of the way
 * there: the question's first, the name the address is for, and of the
 * names between those a rule asks for (names_set_keep) before the others,
 * NAMES_PER_ADDR in all.  Address records off the way are ignored
 * (counted).  An AAAA record learned by a device known by its address
 * only is of no use (it connects from an IPv6 address we cannot tell)
 * unless that address is an IPv6 one, and the same for A.  now is in
 * milliseconds.  Returns the number of addresses learned.
 */
size_t names_learn(struct names *n, const struct names_dev *dev, const struct dns_msg *msg,
		   uint64_t now);

/*
 * names_follow, names_learn_some - names_learn in steps, so that a caller
 * sharing n behind a lock need not hold it all along: names_follow follows
 * msg's links into w, the caller's own (it reads only what n was set up
 * with: its key and keep function); names_learn_some then learns at most
 * max of its addresses from *pos on (zeroed to start), pos->done when none
 * is left.  Each returns as names_learn does for what it did.
 */
void names_follow(const struct names *n, struct way *w, const struct dns_msg *msg);
size_t names_learn_some(struct names *n, struct way *w, const struct names_dev *dev,
			const struct dns_msg *msg, uint64_t now, struct way_pos *pos, size_t max);

/*
 * names_lookup - the names the device learned for server address srv of
 * family, the question's name first.  Writes up to max pointers to out
 * (valid until the next call on n) and returns how many.
 */
size_t names_lookup(struct names *n, const struct names_dev *dev, uint8_t family,
		    const uint8_t srv[16], uint64_t now, const struct name **out, size_t max);

#endif
