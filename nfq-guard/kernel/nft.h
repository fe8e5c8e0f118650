/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.h - the kernel side of a policy: nfq-guard's own nftables table
 * (inet nfq_guard), built with libnftnl as one atomic batch, and the same
 * ruleset printed in nft syntax (`nfq-guard rules`).
 *
 * Verdicts travel as packet marks inside a mask (DESIGN.md §3): the queue
 * answers ACCEPT with mark ALLOW, DROP, BLOCK or REJECT (plus a generation
 * bit), and chains at a later priority turn the mark into a ct mark, a drop,
 * a timeout-set entry or a reject; decided flows then stay in the kernel.
 */
#ifndef NFQG_NFT_H
#define NFQG_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/verdict.h"
#include "policy/policy.h"

#define NFT_TABLE_NAME "nfq_guard"
#define NFT_MARK_MASK_DEFAULT 0x00ff0000u

/*
 * The generation, in the five bits above the verdict: a flow decided under
 * another generation (an earlier run or policy) no longer matches the fast
 * path and is decided again.
 */
#define NFT_GEN_SHIFT 3
#define NFT_GEN_MAX 31

enum nft_queue_kind {
	NFT_QUEUE_NATIVE = 0, /* the nft queue expression (CONFIG_NFT_QUEUE) */
	NFT_QUEUE_COMPAT,     /* the xtables NFQUEUE target, revision 3 */
};

struct nft_config {
	uint32_t mask;	      /* bits of the packet and ct mark nfq-guard owns */
	unsigned int gen;     /* 0 to NFT_GEN_MAX */
	uint16_t queue_num;   /* first queue */
	uint16_t queue_total; /* queues (fanout), at least 1 */
	bool bypass;	      /* fail open: accept when no daemon listens */
	enum nft_queue_kind queue;
	uint32_t seen_timeout;	/* seconds a learned device address stays */
	uint32_t block_timeout; /* seconds an address block stays */
	bool persist;		/* flags owner, persist (kernel 6.9+): see nft_build */
	bool split;		/* ip and ip6 tables instead of one inet table */
};

void nft_config_default(struct nft_config *c);

/* The mark (inside c->mask) the queue sets for verdict v; 0 for VERDICT_NONE. */
uint32_t nft_mark(const struct nft_config *c, enum verdict v);

/*
 * nft_render - print the ruleset for policy p in nft syntax.  Returns 0,
 * or -EINVAL when the mask is empty or not contiguous.
 */
int nft_render(const struct policy *p, const struct nft_config *c, FILE *out);

/*
 * nft_build - the netlink batch that replaces the table with the ruleset
 * for p: messages numbered from *seq (advanced).  Returns the batch length
 * in buf, or -ENOSPC when buf is too small, -EINVAL as nft_render,
 * -ENOMEM.
 */
long nft_build(const struct policy *p, const struct nft_config *c, char *buf, size_t size,
	       uint32_t *seq);

/*
 * nft_build_update - the batch that refills the table already in the
 * kernel (as nft_build would build it, with c's settings) without deleting
 * it: rules and set elements replaced, timeout sets emptied.  Unlike a
 * delete, this keeps the packets waiting in the queues.  Return as
 * nft_build; sending it fails (-ENOENT) when the table is not there.
 */
long nft_build_update(const struct policy *p, const struct nft_config *c, char *buf, size_t size,
		      uint32_t *seq);

/*
 * nft_build_quiesce - the batch that empties chain to_queue: nothing more
 * is queued (device traffic passes on, apart from the flows and addresses
 * already dropped), while the queues drain before the table goes.
 */
long nft_build_quiesce(const struct nft_config *c, char *buf, size_t size, uint32_t *seq);

/*
 * nft_build_delete - the batch that removes the table (or the ip and ip6
 * tables with c->split); a table that is not there is no error.
 */
long nft_build_delete(const struct nft_config *c, char *buf, size_t size, uint32_t *seq);

/*
 * nft_send - send a batch over a new netfilter netlink socket and read
 * every ACK.  Returns 0, or the first failing message's negative errno
 * after printing each failure (with the message type) to err.
 */
int nft_send(const char *buf, size_t len, uint32_t first_seq, uint32_t last_seq, FILE *err);

/*
 * nft_owner_open / nft_send_owned / nft_owner_close - the same over a socket
 * kept open: a table built with c->persist belongs to that socket (no other
 * process may change or flush it) and outlives it, to be adopted by the
 * next owner.  NULL / negative errno as above.
 */
struct mnl_socket *nft_owner_open(void);
int nft_send_owned(struct mnl_socket *nl, const char *buf, size_t len, uint32_t first_seq,
		   uint32_t last_seq, FILE *err);
void nft_owner_close(struct mnl_socket *nl);

/* nft_table_exists - 1 when our table (the ip one with c->split) is in the kernel, 0 when not, or negative errno. */
int nft_table_exists(const struct nft_config *c);

/*
 * nft_flowtables - how many flowtables (flow offload) the kernel has, in any
 * table, or negative errno.  An offloaded flow leaves netfilter after its
 * handshake: a device flow still waiting for its server name would escape.
 */
int nft_flowtables(void);

#endif
