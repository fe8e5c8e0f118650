/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.h - the kernel side of a policy: nfq-guard's own nftables table
 * (inet nfq_guard), built with libnftnl as one atomic batch, and the same
 * ruleset printed in nft syntax (`nfq-guard rules`).
 *
 * Verdicts travel as packet marks inside a mask (DESIGN.md §3): the queue
 * answers ACCEPT with mark ALLOW, DROP, BLOCK or REJECT (plus generation
 * bits: kernel/mark.h), and chains at a later priority turn the mark into a
 * ct mark, a drop, a timeout-set entry or a reject; decided flows then stay
 * in the kernel.
 *
 * Inside: ruleset.c (the table as data), render.c (nft syntax), batch.c
 * (the netlink batch, no socket), nfnl.c (the sockets), mark.c.
 */
#ifndef NFQG_NFT_H
#define NFQG_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/verdict.h"
#include "kernel/mark.h"
#include "policy/policy.h"

#define NFT_TABLE_NAME "nfq_guard"

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
	/*
	 * nft_build_update: keep the learned device addresses (dev_seen4/6),
	 * as a reload or a re-decision does: a DNS answer on its way to a
	 * device meanwhile is still queued, and read.
	 */
	bool keep_seen;
	/*
	 * Identification by behaviour: the signals copied to the daemon (log
	 * group log_group) and the MACs of the devices found so far, in set
	 * dev_found (found_max elements at most).
	 */
	unsigned int identify; /* IDENTIFY_* bits */
	uint16_t log_group;
	uint32_t found_max;
	const uint8_t (*found)[6];
	size_t nfound;
};

void nft_config_default(struct nft_config *c);

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
/*
 * nft_build_found - a batch that adds n MACs to the running table's set
 * dev_found (the devices found by their behaviour since it was built).
 */
long nft_build_found(const struct nft_config *c, const uint8_t (*macs)[6], size_t n, char *buf,
		     size_t size, uint32_t *seq);

long nft_build_quiesce(const struct nft_config *c, char *buf, size_t size, uint32_t *seq);

/*
 * nft_build_delete - the batch that removes the table (or the ip and ip6
 * tables with c->split); a table that is not there is no error.
 */
long nft_build_delete(const struct nft_config *c, char *buf, size_t size, uint32_t *seq);

/* One failing message of a batch. */
struct nft_error {
	uint32_t msg;  /* its number in the batch (1: the first after the batch begin) */
	uint16_t type; /* its nfnetlink type, or NFT_ERROR_UNACKED */
	int error;     /* negative errno */
};

/* The type of the failure "the batch was not acknowledged" (no error, no last ACK). */
#define NFT_ERROR_UNACKED 0xffff

/*
 * The failures of the batches sent with it: every failing message (the
 * kernel goes on through a batch after an error, then aborts it).  Starts
 * zeroed ({ 0 }); nft_errors_clear frees it and zeroes it again.
 */
struct nft_errors {
	struct nft_error *v;
	size_t n, cap;
	size_t dropped; /* failures not kept: out of memory */
};

/*
 * nft_owner_open / nft_send_owned / nft_owner_close - a netfilter netlink
 * socket, and a batch sent over it once with every ACK read.  A table built
 * with c->persist belongs to the socket it was sent on (no other process
 * may change or flush it) and outlives it, to be adopted by the next owner.
 * nft_owner_open: NULL with errno.  nft_send_owned: 0, or the first failing
 * message's negative errno (-EIO: the batch was not acknowledged), with
 * every failure appended to errs.
 */
struct mnl_socket *nft_owner_open(void);
int nft_send_owned(struct mnl_socket *nl, const char *buf, size_t len, uint32_t first_seq,
		   uint32_t last_seq, struct nft_errors *errs);
void nft_owner_close(struct mnl_socket *nl);

/*
 * nft_errors_line - line i of the report of errs (no newline), as
 * "nfq-guard: nftables: new rule (message 54): No such file or directory":
 * one per failure, then one for those not kept.  false past the last line.
 * nft_errors_print - every line to f.
 */
bool nft_errors_line(const struct nft_errors *errs, size_t i, char *buf, size_t size);
void nft_errors_print(const struct nft_errors *errs, FILE *f);
void nft_errors_clear(struct nft_errors *errs);

/* nft_table_exists - 1 when our table (the ip one with c->split) is in the kernel, 0 when not, or negative errno. */
int nft_table_exists(const struct nft_config *c);

/*
 * nft_flowtables - how many flowtables (flow offload) the kernel has, in any
 * table, or negative errno.  An offloaded flow leaves netfilter after its
 * handshake: a device flow still waiting for its server name would escape.
 */
int nft_flowtables(void);

#endif
