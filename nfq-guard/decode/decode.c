/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.c - link, IP and transport headers (see decode.h).
 *
 * The IP length fields are believed only as far as the captured bytes go:
 * a capture shorter than the datagram is DECODE_TRUNCATED, a datagram whose
 * own headers do not fit inside it is DECODE_MALFORMED.
 */
#include <string.h>

#include "base/cursor.h"
#include "decode/decode.h"

#define FAIL(st, reason)                 \
	do {                             \
		if (why)                 \
			*why = (reason); \
		return (st);             \
	} while (0)

/*
 * TCP header (RFC 9293), data offset in 32-bit words:
 *
 *  | sport (16)            | dport (16)            |
 *  | sequence number (32)                          |
 *  | acknowledgment number (32)                    |
 *  | doff(4) | rsvd(4) | flags(8) | window (16)   |
 *  | checksum (16)         | urgent pointer (16)   |
 *  | options (doff*4 - 20) ...   | payload ...     |
 */
static enum decode_status decode_tcp(struct cursor *c, struct packet *p, const char **why)
{
	uint8_t doff, flags;
	uint16_t win;

	if (!cur_u16be(c, &p->sport) || !cur_u16be(c, &p->dport) || !cur_u32be(c, &p->tcp_seq) ||
	    !cur_u32be(c, &p->tcp_ack) || !cur_u8(c, &doff) || !cur_u8(c, &flags) ||
	    !cur_u16be(c, &win) || !cur_skip(c, 4))
		FAIL(DECODE_MALFORMED, "tcp: header beyond ip length");
	doff >>= 4;
	if (doff < 5)
		FAIL(DECODE_MALFORMED, "tcp: data offset below 5");
	if (!cur_skip(c, (size_t)(doff - 5) * 4))
		FAIL(DECODE_MALFORMED, "tcp: options beyond ip length");
	p->tcp_flags = flags;
	return DECODE_OK;
}

/* UDP: sport(16) dport(16) length(16) checksum(16), length counting the header. */
static enum decode_status decode_udp(struct cursor *c, struct packet *p, const char **why)
{
	uint16_t ulen, csum;

	if (!cur_u16be(c, &p->sport) || !cur_u16be(c, &p->dport) || !cur_u16be(c, &ulen) ||
	    !cur_u16be(c, &csum))
		FAIL(DECODE_MALFORMED, "udp: header beyond ip length");
	/* Length 0 is legal only for IPv6 jumbograms, which we do not take. */
	if (ulen < 8 || !cur_truncate(c, ulen - 8u))
		FAIL(DECODE_MALFORMED, "udp: bad length");
	return DECODE_OK;
}

/* ICMP and ICMPv6 share type(8) code(8) checksum(16) rest-of-header(32). */
static enum decode_status decode_icmp(struct cursor *c, struct packet *p, const char **why)
{
	if (!cur_u8(c, &p->icmp_type) || !cur_u8(c, &p->icmp_code) || !cur_skip(c, 2))
		FAIL(DECODE_MALFORMED, "icmp: header beyond ip length");
	cur_skip(c, cur_left(c) < 4 ? cur_left(c) : 4);
	return DECODE_OK;
}

static enum decode_status decode_l4(struct cursor *c, struct packet *p, const char **why);

/*
 * The transport header of a datagram's first fragment, which may end inside
 * it: then it is read from the datagram put together (replay; the kernel
 * does so before the queue), not refused here.
 */
static enum decode_status decode_first_l4(struct cursor *c, struct packet *p, const char **why)
{
	enum decode_status st = decode_l4(c, p, why);

	if (st != DECODE_OK && p->fragment) {
		p->l4 = false;
		if (why)
			*why = NULL;
		return DECODE_OK;
	}
	return st;
}

static enum decode_status decode_l4(struct cursor *c, struct packet *p, const char **why)
{
	enum decode_status st = DECODE_OK;

	switch (p->proto) {
	case IPPROTO_NUM_TCP:
		st = decode_tcp(c, p, why);
		break;
	case IPPROTO_NUM_UDP:
		st = decode_udp(c, p, why);
		break;
	case IPPROTO_NUM_ICMP:
		if (p->family != 4)
			return DECODE_OK;
		st = decode_icmp(c, p, why);
		break;
	case IPPROTO_NUM_ICMPV6:
		if (p->family != 6)
			return DECODE_OK;
		st = decode_icmp(c, p, why);
		break;
	default:
		return DECODE_OK; /* no transport header we read */
	}
	if (st == DECODE_OK)
		p->l4 = true;
	return st;
}

/*
 * IPv4 (RFC 791), ihl in 32-bit words:
 *
 *  | ver(4) ihl(4) | tos (8) | total length (16)           |
 *  | identification (16)     | flags(3) fragment offset(13)|
 *  | ttl (8) | protocol (8)  | header checksum (16)        |
 *  | source address (32)                                   |
 *  | destination address (32)                              |
 *  | options (ihl*4 - 20) ...                              |
 */
static enum decode_status decode_ipv4(struct cursor *c, struct packet *p, const char **why)
{
	uint8_t vihl, tos, proto;
	uint16_t total, id, frag, csum;
	const uint8_t *src, *dst;
	size_t hlen;

	if (!cur_u8(c, &vihl) || !cur_u8(c, &tos) || !cur_u16be(c, &total) || !cur_u16be(c, &id) ||
	    !cur_u16be(c, &frag) || !cur_u8(c, &p->ttl) || !cur_u8(c, &proto) ||
	    !cur_u16be(c, &csum) || !cur_bytes(c, 4, &src) || !cur_bytes(c, 4, &dst))
		FAIL(DECODE_TRUNCATED, "ipv4: header truncated");
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		FAIL(DECODE_MALFORMED, "ipv4: header length below 20");
	if (total < hlen)
		FAIL(DECODE_MALFORMED, "ipv4: total length below header length");
	/* 20 bytes are read; total counts from the start of the header. */
	if (cur_left(c) < total - 20u)
		FAIL(DECODE_TRUNCATED, "ipv4: capture shorter than total length");
	cur_truncate(c, total - 20u);
	cur_skip(c, hlen - 20);

	p->family = 4;
	p->proto = proto;
	p->ip_len = total;
	memcpy(p->src, src, 4);
	memcpy(p->dst, dst, 4);
	p->fragment = (frag & 0x2000) || (frag & 0x1fff);
	if (frag & 0x1fff)
		return DECODE_OK; /* a later fragment: no transport header */
	return decode_first_l4(c, p, why);
}

/*
 * IPv6 (RFC 8200) and the extension headers walked after it:
 *
 *  | ver(4) tc(8) flow label(20)                     |
 *  | payload length (16) | next header (8) | hops (8)|
 *  | source address (128) | destination address (128)|
 *
 *  generic extension: | next (8) | len (8, 8-byte units past the first 8) | ...
 *  AH:                | next (8) | len (8, 4-byte units minus 2)          | ...
 *  fragment:          | next (8) | rsvd (8) | offset(13) rsvd(2) M(1) | id (32) |
 */
static enum decode_status decode_ipv6(struct cursor *c, struct packet *p, const char **why)
{
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t next, hops;
	const uint8_t *src, *dst;
	int n;

	if (!cur_u32be(c, &vtcfl) || !cur_u16be(c, &plen) || !cur_u8(c, &next) ||
	    !cur_u8(c, &hops) || !cur_bytes(c, 16, &src) || !cur_bytes(c, 16, &dst))
		FAIL(DECODE_TRUNCATED, "ipv6: header truncated");
	if (plen == 0)
		FAIL(DECODE_UNSUPPORTED, "ipv6: jumbogram");
	if (!cur_truncate(c, plen))
		FAIL(DECODE_TRUNCATED, "ipv6: capture shorter than payload length");

	p->family = 6;
	p->ttl = hops;
	p->ip_len = 40u + plen;
	memcpy(p->src, src, 16);
	memcpy(p->dst, dst, 16);

	for (n = 0;; n++) {
		uint8_t nh, hlen;
		uint16_t off;
		uint32_t id;

		switch (next) {
		case 0:	  /* hop-by-hop options */
		case 43:  /* routing */
		case 44:  /* fragment */
		case 51:  /* authentication header */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* host identity protocol */
		case 140: /* shim6 */
			break;
		default:
			p->proto = next;
			return decode_first_l4(c, p, why);
		}
		if (n >= DECODE_MAX_EXT_HEADERS)
			FAIL(DECODE_MALFORMED, "ipv6: too many extension headers");
		if (next == 0 && n > 0)
			FAIL(DECODE_MALFORMED, "ipv6: hop-by-hop header not first");
		if (next == 44) {
			if (!cur_u8(c, &nh) || !cur_u8(c, &hlen) || !cur_u16be(c, &off) ||
			    !cur_u32be(c, &id))
				FAIL(DECODE_MALFORMED, "ipv6: fragment header beyond payload");
			/* offset 0 and M clear is an atomic fragment: whole datagram */
			if (off & 0xfff9)
				p->fragment = true;
			if (off & 0xfff8) {
				p->proto = nh;
				return DECODE_OK; /* a later fragment */
			}
		} else {
			size_t ext;

			if (!cur_u8(c, &nh) || !cur_u8(c, &hlen))
				FAIL(DECODE_MALFORMED, "ipv6: extension header beyond payload");
			ext = next == 51 ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
			if (!cur_skip(c, ext - 2))
				FAIL(DECODE_MALFORMED, "ipv6: extension header beyond payload");
		}
		next = nh;
	}
}

enum decode_status decode_ip(const uint8_t *buf, size_t len, struct packet *pkt, const char **why)
{
	struct packet p;
	struct cursor c;
	enum decode_status st;

	memset(&p, 0, sizeof(p));
	cur_init(&c, buf, len);
	if (len < 1) {
		*pkt = p;
		FAIL(DECODE_TRUNCATED, "empty packet");
	}
	switch (buf[0] >> 4) {
	case 4:
		st = decode_ipv4(&c, &p, why);
		break;
	case 6:
		st = decode_ipv6(&c, &p, why);
		break;
	default:
		*pkt = p;
		FAIL(DECODE_UNSUPPORTED, "not ipv4 or ipv6");
	}
	if (st != DECODE_OK) {
		/* what was read, for the caller's record: addresses, no transport */
		p.l4 = false;
		*pkt = p;
		return st;
	}
	p.payload = cur_ptr(&c);
	p.payload_len = cur_left(&c);
	*pkt = p;
	return DECODE_OK;
}

/*
 * Ethernet II with up to two VLAN tags (802.1Q, 802.1ad, old QinQ 0x9100):
 *  | dst mac (6) | src mac (6) | [tpid (2) tci (2)]... | ethertype (2) |
 */
enum decode_status decode_ether(const uint8_t *buf, size_t len, struct link *lk)
{
	struct cursor c;
	const uint8_t *dst, *src;
	uint16_t type, tci;
	int tags = 0;

	cur_init(&c, buf, len);
	memset(lk, 0, sizeof(*lk));
	if (!cur_bytes(&c, 6, &dst) || !cur_bytes(&c, 6, &src))
		return DECODE_TRUNCATED;
	/* the sender, even of a frame that goes on to fail: for its record */
	memcpy(lk->src_mac, src, 6);
	lk->has_mac = true;
	if (!cur_u16be(&c, &type))
		return DECODE_TRUNCATED;
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (++tags > 2)
			return DECODE_MALFORMED;
		if (!cur_u16be(&c, &tci) || !cur_u16be(&c, &type))
			return DECODE_TRUNCATED;
	}
	lk->ethertype = type;
	lk->l3_off = len - cur_left(&c);
	return DECODE_OK;
}

#define ARPHRD_NUM_ETHER 1

/*
 * Linux cooked capture v1 (tcpdump -i any, before libpcap 1.10):
 *  | pkttype (2) | arphrd (2) | addr len (2) | addr (8) | protocol (2) |
 */
enum decode_status decode_sll(const uint8_t *buf, size_t len, struct link *lk)
{
	struct cursor c;
	uint16_t pkttype, hatype, alen, proto;
	const uint8_t *addr;

	cur_init(&c, buf, len);
	if (!cur_u16be(&c, &pkttype) || !cur_u16be(&c, &hatype) || !cur_u16be(&c, &alen) ||
	    !cur_bytes(&c, 8, &addr) || !cur_u16be(&c, &proto))
		return DECODE_TRUNCATED;
	memset(lk, 0, sizeof(*lk));
	if (hatype == ARPHRD_NUM_ETHER && alen == 6) {
		memcpy(lk->src_mac, addr, 6);
		lk->has_mac = true;
	}
	lk->ethertype = proto;
	lk->l3_off = 16;
	return DECODE_OK;
}

/*
 * Linux cooked capture v2 (libpcap 1.10+):
 *  | protocol (2) | reserved (2) | ifindex (4) | arphrd (2) | pkttype (1) |
 *  | addr len (1) | addr (8) |
 */
enum decode_status decode_sll2(const uint8_t *buf, size_t len, struct link *lk)
{
	struct cursor c;
	uint16_t proto, rsvd, hatype;
	uint32_t ifindex;
	uint8_t pkttype, alen;
	const uint8_t *addr;

	cur_init(&c, buf, len);
	if (!cur_u16be(&c, &proto) || !cur_u16be(&c, &rsvd) || !cur_u32be(&c, &ifindex) ||
	    !cur_u16be(&c, &hatype) || !cur_u8(&c, &pkttype) || !cur_u8(&c, &alen) ||
	    !cur_bytes(&c, 8, &addr))
		return DECODE_TRUNCATED;
	memset(lk, 0, sizeof(*lk));
	if (hatype == ARPHRD_NUM_ETHER && alen == 6) {
		memcpy(lk->src_mac, addr, 6);
		lk->has_mac = true;
	}
	lk->ethertype = proto;
	lk->l3_off = 20;
	return DECODE_OK;
}

const char *decode_status_str(enum decode_status st)
{
	switch (st) {
	case DECODE_OK:
		return "ok";
	case DECODE_TRUNCATED:
		return "truncated";
	case DECODE_MALFORMED:
		return "malformed";
	case DECODE_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}
