/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - the engine's own state, shared by its files: engine.c
 * (device flows: waits and decisions) and snoop.c (DNS answers to devices).
 * Not for use outside engine/.
 */
#ifndef NFQG_ENGINE_INTERNAL_H
#define NFQG_ENGINE_INTERNAL_H

#include <string.h>

#include "base/lru.h"
#include "decode/dns.h"
#include "decode/sniff.h"
#include "decode/stream.h"
#include "engine/engine.h"

#define DNS_PORT 53

enum sniff {
	SNIFF_NAME = 0, /* the client's server name (decode/sniff.h: TLS, then HTTP) */
	SNIFF_DNS,	/* a DNS-over-TCP answer stream to a device */
	SNIFF_DNS_OFF,	/* ... no longer read (a message too large to hold) */
	SNIFF_INBOUND,	/* a connection another host opened to the device */
};

struct eflow {
	struct lru_node node; /* first */
	struct engine_flow_key key;
	bool decided;
	struct decision d;
	/* while waiting */
	struct device_key dev;
	uint32_t packets;
	uint64_t started;
	struct stream st;
	enum sniff sniff;
	struct sniff_state name_st; /* with SNIFF_NAME */
};

struct engine {
	const struct policy *p;
	struct lru_table flows;
	struct engine_shared *sh;
	bool own_sh;
	struct engine_stats st;
	struct dns_msg msg; /* a DNS answer being read: large, so not on the stack */
};

static inline bool flow_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(&((const struct eflow *)n)->key, key, sizeof(struct engine_flow_key));
}

/* The flow key of pkt, as sent (reverse: as its answer would be). */
static inline void flow_key_of(const struct packet *pkt, bool reverse, struct engine_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = pkt->family;
	k->proto = pkt->proto;
	memcpy(k->src, reverse ? pkt->dst : pkt->src, 16);
	memcpy(k->dst, reverse ? pkt->src : pkt->dst, 16);
	if (pkt->l4 && (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP)) {
		k->sport = reverse ? pkt->dport : pkt->sport;
		k->dport = reverse ? pkt->sport : pkt->dport;
	}
}

static inline struct eflow *flow_find(struct engine *e, const struct engine_flow_key *k)
{
	return (struct eflow *)lru_find(&e->flows, lru_hash(LRU_HASH_INIT, k, sizeof(*k)), flow_eq,
					k);
}

/* flow_new - a zeroed flow for k, the oldest pushed out at the bound.  NULL on ENOMEM. */
struct eflow *flow_new(struct engine *e, const struct engine_flow_key *k);

/* flow_stream_buffer - the flow's stream buffer, given the first time it carries bytes.  0 or -ENOMEM. */
int flow_stream_buffer(struct eflow *f);

/* flow_stream_drop - free the flow's stream buffer: nothing more is read. */
void flow_stream_drop(struct eflow *f);

/*
 * engine_snoop - learn from pkt if it is a DNS answer on its way to a
 * device (snoop.c).  True when it was one: the packet passes, learned from.
 */
bool engine_snoop(struct engine *e, const struct packet *pkt, const struct device_key *dev,
		  uint64_t now);

#endif
