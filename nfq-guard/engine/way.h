/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * way.h - the way a DNS answer leads from its question to each address it
 * gives: CNAME, SRV, SVCB and HTTPS records of the answer section lead from
 * their owner to their target, in any order and to any depth; A and AAAA
 * records (answer and additional sections) and SVCB and HTTPS hints give
 * addresses for a name.  Followed once per message (way_follow), then read
 * address by address (way_next) with the names of the way to each
 * (way_names).  Scratch of its own, so that a thread can follow a message
 * without holding the lock of the names it will learn into.
 */
#ifndef NFQG_WAY_H
#define NFQG_WAY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/hostname.h"
#include "base/siphash.h"
#include "decode/dns.h"

/* Is the name one a rule asks for? */
typedef bool (*way_keep_fn)(const struct name *nm, const void *arg);

struct way;

/* way_new - scratch for one message at a time (about 300 KiB); NULL without memory. */
struct way *way_new(void);
void way_free(struct way *w);

/*
 * way_follow - follow the links of m (read by dns_parse) from its question.
 * Names are told apart by their SipHash under key (SIPHASH_KEY_LEN bytes),
 * so that a sender cannot make them collide; keep (NULL: none) says which
 * names a rule asks for.  A message that is no response with a question
 * leads nowhere.  The work is linear in the message's records.
 */
void way_follow(struct way *w, const struct dns_msg *m, const uint8_t *key, way_keep_fn keep,
		const void *arg);

/* One address a message gives, for a name on the way (way_next). */
struct way_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint32_t ttl;
	unsigned int at; /* the name it is for, on the way (way_names) */
};

/* Where way_next goes on: zeroed to start. */
struct way_pos {
	unsigned int rec, addr, at;
	bool done;
};

/*
 * way_next - the next address m gives after *pos for a name on the way:
 * true with *a, false (pos->done) when none is left.  Each record of
 * addresses for a name off the way adds one to *ignored.
 */
bool way_next(struct way *w, const struct dns_msg *m, struct way_pos *pos, struct way_addr *a,
	      uint64_t *ignored);

/*
 * way_names - the names of the way to at, at most max (2 or more), into
 * out, least needed first: of the names between, the nearest to at's that
 * no rule asks for, then those a rule asks for (nearest last), then at's,
 * then the question's, always last.  How many.  A way of any length costs
 * at most a few steps.
 */
unsigned int way_names(struct way *w, const struct dns_msg *m, unsigned int at, struct name *out,
		       unsigned int max);

#endif
