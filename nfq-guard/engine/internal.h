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
	bool has_isn;		    /* the flow began with the client's SYN ... */
	uint32_t isn;		    /* ... of this sequence number */
	bool confirming;	    /* d lets it pass once the server acknowledges ... */
	uint32_t confirm_seq;	    /* ... the bytes up to here */
};

struct engine {
	const struct policy *p;
	struct lru_table flows;	  /* decided flows: the oldest goes at the bound */
	struct lru_table waiting; /* flows waiting for a name: never pushed out */
	struct engine_shared *sh;
	bool own_sh;
	struct engine_stats st;
	struct dns_msg msg; /* a DNS answer being read: large, so not on the stack */
};

#define EVAL_MAX_NAMES (NAMES_PER_ADDR + 1)

/* What a flow is evaluated on: its device's groups, destination and names. */
struct eval {
	uint64_t groups;
	uint8_t family;
	const uint8_t *dst;
	uint8_t proto;
	bool has_port;
	uint16_t dport;
	const struct name *names[EVAL_MAX_NAMES];
	enum name_source sources[EVAL_MAX_NAMES];
	struct name learned[NAMES_PER_ADDR]; /* copies: the shared cache may change */
	size_t nnames;
	bool late_possible; /* an SNI or Host may still arrive */
	/*
	 * The flow's name should be readable but is not (DESIGN.md §6): it
	 * matches every domain rule that drops or rejects, none that allows.
	 */
	bool unknown;
	const char *unknown_why; /* the event's note */
};

static inline bool action_blocks(enum action a)
{
	return a == ACTION_DROP || a == ACTION_REJECT;
}

/*
 * evaluate - the first rule that matches ev (NULL: the default), with
 * *pending when a name that may still arrive could change the verdict,
 * *name_idx the name that matched a domain rule (-1 none) and *pattern
 * its pattern (evaluate.c).
 */
const struct rule *evaluate(const struct policy *p, const struct eval *ev, bool *pending,
			    int *name_idx, const char **pattern);

/* fill_decision - d from the evaluation: action, rule, device reported, name. */
void fill_decision(const struct policy *p, const struct eval *ev, const struct rule *r,
		   int name_idx, const char *pattern, const struct group_match *how,
		   struct decision *d);

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
