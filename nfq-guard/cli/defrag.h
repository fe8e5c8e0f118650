/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * defrag.h - IPv4 and IPv6 fragments put back together for replay, as the
 * kernel does before a packet reaches the queue (conntrack defragments):
 * the daemon never sees a fragment, so replay must not decide on one.
 *
 * As Linux does: a fragment that overlaps another of its datagram other
 * than as an exact duplicate drops the whole datagram (RFC 5722; IPv4 since
 * Linux 4.19); a datagram not complete within DEFRAG_TIMEOUT_US of its
 * first fragment is dropped; a datagram larger than 65,535 bytes is dropped.
 */
#ifndef NFQG_DEFRAG_H
#define NFQG_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#define DEFRAG_MAX 256		    /* datagrams being put together at once */
#define DEFRAG_MAX_PIECES 64	    /* fragments per datagram */
#define DEFRAG_TIMEOUT_US 30000000u /* net.ipv4.ipfrag_time: 30 s */

enum defrag_result {
	DEFRAG_PASS = 0, /* not a fragment: use the packet as it is */
	DEFRAG_HELD,	 /* a fragment, kept: its datagram is not complete yet */
	DEFRAG_DONE,	 /* the datagram is complete: *out, *outlen */
	DEFRAG_DROPPED,	 /* the kernel would drop it (overlap, too large, no room) */
};

struct defrag;

struct defrag *defrag_new(void);
void defrag_free(struct defrag *d);

/*
 * defrag_add - offer the IP packet of len bytes at ip, seen at now (µs).
 * With DEFRAG_DONE, *out points to the whole datagram (valid until the next
 * call).
 */
enum defrag_result defrag_add(struct defrag *d, const uint8_t *ip, size_t len, uint64_t now,
			      const uint8_t **out, size_t *outlen);

/* defrag_dropped - datagrams dropped so far (overlaps, timeouts, bounds). */
uint64_t defrag_dropped(const struct defrag *d);

#endif
