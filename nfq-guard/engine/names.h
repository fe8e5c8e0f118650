/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h - what each device learned from DNS: for a (device address,
 * server address) pair, the names the device asked for that lead to the
 * server.  Filled from DNS answers snooped on their way to the device;
 * bounded in entries and in names per entry, oldest evicted first.
 */
#ifndef NFQG_NAMES_H
#define NFQG_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "decode/dns.h"
#include "base/lru.h"
#include "base/hostname.h"

#define NAMES_PER_ADDR 4   /* names kept per (device, server) pair */
#define NAMES_CNAME_HOPS 8 /* CNAME links followed from the question */

struct names_stats {
	size_t entries;
	uint64_t learned; /* (device, address, name) facts stored */
	uint64_t evicted; /* entries pushed out by the bound */
	uint64_t expired; /* names dropped after their lifetime */
	uint64_t ignored; /* answer records not on the question's chain */
};

struct names {
	struct lru_table t;
	uint32_t ttl_floor; /* seconds */
	uint64_t clock;	    /* counts names added, for eviction order */
	struct names_stats st;
};

/* names_init - at most max entries; names live at least ttl_floor s. 0 or -ENOMEM. */
int names_init(struct names *n, size_t max, uint32_t ttl_floor);
void names_fini(struct names *n);
void names_flush(struct names *n);

/*
 * names_learn - a DNS response msg arrived for the device at (family,
 * dev).  Every A/AAAA record on the CNAME chain that starts at the question
 * maps its address to the chain's names, the question's name first; records
 * off the chain are ignored (counted).  now is in milliseconds.  Returns
 * the number of addresses learned.
 */
size_t names_learn(struct names *n, uint8_t family, const uint8_t dev[16],
		   const struct dns_msg *msg, uint64_t now);

/*
 * names_lookup - the names the device learned for server address srv
 * (family is the same for both), the question's name first.  Writes up to
 * max pointers to out (valid until the next call that changes n) and
 * returns how many.
 */
size_t names_lookup(struct names *n, uint8_t family, const uint8_t dev[16], const uint8_t srv[16],
		    uint64_t now, const struct name **out, size_t max);

#endif
