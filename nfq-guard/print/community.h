/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * community.h - the Community ID (flow hash v1, as Suricata and Zeek log
 * it, https://github.com/corelight/community-id-spec) of a flow, so that a
 * SIEM can join nfq-guard's events with theirs.
 */
#ifndef NFQG_COMMUNITY_H
#define NFQG_COMMUNITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMMUNITY_ID_MAX 31 /* "1:" + 28 base64 characters + NUL */

struct community_flow {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	const uint8_t *src, *dst; /* 4 or 16 bytes */
	uint16_t sport, dport;	  /* TCP, UDP, SCTP */
	uint8_t icmp_type, icmp_code;
	bool ports_known; /* TCP/UDP/SCTP ports, or ICMP type and code, were read */
};

/*
 * community_id - the ID of the flow f with seed into out ("1:" + base64 of
 * the SHA-1).  0, or -EINVAL when it cannot be computed (no addresses; a
 * transport protocol whose ports or ICMP type were not read).
 */
int community_id(const struct community_flow *f, uint16_t seed, char out[COMMUNITY_ID_MAX]);

#endif
