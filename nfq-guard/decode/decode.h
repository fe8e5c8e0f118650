/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h - link, network and transport headers of one packet: Ethernet
 * (with VLAN tags), Linux cooked captures (SLL, SLL2), IPv4, IPv6 with its
 * extension headers, TCP, UDP, ICMP and ICMPv6.  Pure: no I/O, no
 * allocation; the result points into the caller's buffer.
 */
#ifndef NFQG_DECODE_H
#define NFQG_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/proto.h"

#define DECODE_MAX_EXT_HEADERS 8 /* IPv6 extension headers walked at most */

enum decode_status {
	DECODE_OK = 0,
	DECODE_TRUNCATED,   /* the capture ends before the packet does */
	DECODE_MALFORMED,   /* the headers contradict themselves */
	DECODE_UNSUPPORTED, /* not IPv4/IPv6, or a header we do not walk */
};

struct packet {
	uint8_t family;	 /* 4 or 6 */
	uint8_t proto;	 /* transport protocol (after IPv6 extension headers) */
	uint8_t src[16]; /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	uint8_t ttl;	       /* IPv4 TTL or IPv6 hop limit */
	bool fragment;	       /* part of a fragmented datagram */
	bool l4;	       /* the transport header was read (not for later fragments) */
	uint16_t sport, dport; /* TCP and UDP */
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint8_t icmp_type, icmp_code;
	const uint8_t *payload; /* transport payload (or what follows IP) */
	size_t payload_len;
	size_t ip_len; /* the IP datagram's length as its header says */
};

/* What the link layer says about a frame (decode_ether / decode_sll*). */
struct link {
	uint8_t src_mac[6];
	bool has_mac;
	uint16_t ethertype; /* 0x0800 IPv4, 0x86dd IPv6, ... */
	size_t l3_off;	    /* where the network header starts */
};

/*
 * decode_ip - read the IPv4 or IPv6 packet of len captured bytes at buf
 * into *pkt.  Returns DECODE_OK or why not; *why (if not NULL) then points
 * to a short static reason.  With another status *pkt holds what was read,
 * for the caller's record: family 0 when not even the addresses were, l4
 * false, no payload.  Padding
 * past the IP length is ignored.  A later fragment has l4 == false.
 */
enum decode_status decode_ip(const uint8_t *buf, size_t len, struct packet *pkt, const char **why);

/* Link layers: return DECODE_OK and fill *lk, or TRUNCATED/MALFORMED. */
enum decode_status decode_ether(const uint8_t *buf, size_t len, struct link *lk);
enum decode_status decode_sll(const uint8_t *buf, size_t len, struct link *lk);
enum decode_status decode_sll2(const uint8_t *buf, size_t len, struct link *lk);

const char *decode_status_str(enum decode_status st);

#endif
