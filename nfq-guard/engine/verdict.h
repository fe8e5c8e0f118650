/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verdict.h - what a decision becomes in the kernel.  Every packet is
 * accepted by the queue carrying one of these values in nfq-guard's bits of
 * the packet mark (kernel/nft.h places them); the table's later chains act
 * on it.  The step from a decision, or from a packet nfq-guard could not
 * read, to that value is here, apart from the engine and the netlink code,
 * so that it can be tested on its own.
 */
#ifndef NFQG_VERDICT_H
#define NFQG_VERDICT_H

#include <stdbool.h>

#include "policy/policy.h"

struct decision;

enum verdict {
	VERDICT_NONE = 0,    /* no mark: accept this packet, the flow stays undecided */
	VERDICT_ALLOW = 1,   /* accept; the flow's ct mark says so from now on */
	VERDICT_DROP = 2,    /* drop this flow (decided by a name: the address stays open) */
	VERDICT_BLOCK = 3,   /* drop, and the address in the block set for a while */
	VERDICT_REJECT = 4,  /* reject (TCP reset, ICMP otherwise) and drop the flow */
	VERDICT_OTHER = 5,   /* set by the table itself on a flow no device opened: it
			     * passes in the kernel from its second packet on */
	VERDICT_PENDING = 6, /* set by the table itself on a device's flow as its first
			      * packet goes to the queue: every packet of the flow, both
			      * ways, goes to the queue until a verdict replaces it (the
			      * engine reads the server's ACK of a name before it allows) */
};

/*
 * verdict_of - the kernel verdict for decision d under a policy in monitor
 * mode or not: monitor allows everything it decides; a drop decided by
 * address (not by a name) also blocks the address, so that retries die in
 * the kernel; a drop decided by SNI or Host does not, since the same address
 * may serve an allowed name.  An allowing decision of a flow still watched
 * (d->watch: its later requests are read) is VERDICT_NONE, so that its
 * packets keep coming to the queue.
 */
enum verdict verdict_of(const struct decision *d, bool monitor);

/*
 * verdict_unreadable - the verdict for a device packet nfq-guard could not
 * decode: the policy's default dflt for this packet alone (never by
 * address).  An allowing default gives VERDICT_NONE, not ALLOW: written into
 * the flow's ct mark, it would let a camera open a flow with a packet we
 * cannot read and have every rule skipped for the rest of it.
 */
enum verdict verdict_unreadable(enum action dflt, bool monitor);

#endif
