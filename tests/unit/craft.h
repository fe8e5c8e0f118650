/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * craft.h - packets for the engine's unit tests: IPv4 with TCP or UDP,
 * decoded as the daemon decodes them, DNS names in wire form, a TLS
 * ClientHello with an SNI.  Header only; for tests.
 */
#ifndef NFQG_CRAFT_H
#define NFQG_CRAFT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/proto.h"
#include "decode/decode.h"

struct pktbuf {
	uint8_t b[2048];
	size_t len;
	struct packet p;
};

/* An IPv4 packet around l4, decoded into pb->p: 0, or -1 when it does not decode. */
static inline int craft_ip4(struct pktbuf *pb, uint8_t proto, const uint8_t *src,
			    const uint8_t *dst, const uint8_t *l4, size_t l4len)
{
	size_t total = 20 + l4len;

	if (total > sizeof(pb->b))
		return -1;
	memset(pb->b, 0, 20);
	pb->b[0] = 0x45;
	pb->b[2] = (uint8_t)(total >> 8);
	pb->b[3] = (uint8_t)total;
	pb->b[8] = 64;
	pb->b[9] = proto;
	memcpy(pb->b + 12, src, 4);
	memcpy(pb->b + 16, dst, 4);
	memcpy(pb->b + 20, l4, l4len);
	pb->len = total;
	return decode_ip(pb->b, pb->len, &pb->p, NULL) == DECODE_OK ? 0 : -1;
}

/* An IPv6 packet around l4 (no extension headers), decoded into pb->p: 0 or -1. */
static inline int craft_ip6(struct pktbuf *pb, uint8_t proto, const uint8_t *src,
			    const uint8_t *dst, const uint8_t *l4, size_t l4len)
{
	if (40 + l4len > sizeof(pb->b))
		return -1;
	memset(pb->b, 0, 40);
	pb->b[0] = 0x60;
	pb->b[4] = (uint8_t)(l4len >> 8);
	pb->b[5] = (uint8_t)l4len;
	pb->b[6] = proto;
	pb->b[7] = 64;
	memcpy(pb->b + 8, src, 16);
	memcpy(pb->b + 24, dst, 16);
	memcpy(pb->b + 40, l4, l4len);
	pb->len = 40 + l4len;
	return decode_ip(pb->b, pb->len, &pb->p, NULL) == DECODE_OK ? 0 : -1;
}

/* A TCP SYN over IPv6: 0 or -1. */
static inline int craft_syn6(struct pktbuf *pb, const uint8_t *src, const uint8_t *dst,
			     uint16_t sport, uint16_t dport, uint32_t seq)
{
	uint8_t t[20] = { (uint8_t)(sport >> 8), (uint8_t)sport,       (uint8_t)(dport >> 8),
			  (uint8_t)dport,	 (uint8_t)(seq >> 24), (uint8_t)(seq >> 16),
			  (uint8_t)(seq >> 8),	 (uint8_t)seq };

	t[12] = 5 << 4;
	t[13] = TCPF_SYN;
	return craft_ip6(pb, IPPROTO_NUM_TCP, src, dst, t, sizeof(t));
}

/* A TCP segment (no options) acknowledging ack: 0 or -1. */
static inline int craft_tcp_ack(struct pktbuf *pb, const uint8_t *src, const uint8_t *dst,
				uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
				uint32_t ack, const void *data, size_t len)
{
	uint8_t t[1600] = { 0 };

	t[8] = (uint8_t)(ack >> 24);
	t[9] = (uint8_t)(ack >> 16);
	t[10] = (uint8_t)(ack >> 8);
	t[11] = (uint8_t)ack;

	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	t[12] = 5 << 4;
	t[13] = flags;
	if (len)
		memcpy(t + 20, data, len);
	return craft_ip4(pb, IPPROTO_NUM_TCP, src, dst, t, 20 + len);
}

/* A TCP segment (no options), ack 0: 0 or -1. */
static inline int craft_tcp(struct pktbuf *pb, const uint8_t *src, const uint8_t *dst,
			    uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
			    const void *data, size_t len)
{
	return craft_tcp_ack(pb, src, dst, sport, dport, flags, seq, 0, data, len);
}

/* A UDP datagram: 0 or -1. */
static inline int craft_udp(struct pktbuf *pb, const uint8_t *src, const uint8_t *dst,
			    uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	uint8_t u[1600] = { 0 };

	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)((8 + len) >> 8);
	u[5] = (uint8_t)(8 + len);
	memcpy(u + 8, data, len);
	return craft_ip4(pb, IPPROTO_NUM_UDP, src, dst, u, 8 + len);
}

/* A DNS name in wire form at b: its length. */
static inline size_t craft_put_name(uint8_t *b, const char *name)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		b[o++] = (uint8_t)n;
		memcpy(b + o, name, n);
		o += n;
		name += n + (dot ? 1 : 0);
	}
	b[o++] = 0;
	return o;
}

/* A DNS query (ID 0x1234, recursion desired) for the A records of name at b: its length. */
static inline size_t craft_dns_query(uint8_t *b, const char *name)
{
	size_t o = 12;

	memset(b, 0, 12);
	b[0] = 0x12;
	b[1] = 0x34;
	b[2] = 0x01;
	b[5] = 1;
	o += craft_put_name(b + o, name);
	memcpy(b + o, "\x00\x01\x00\x01", 4);
	return o + 4;
}

/* A ClientHello with SNI host, as a TLS record. */
static inline size_t craft_client_hello(uint8_t *b, const char *host)
{
	size_t hl = strlen(host), o = 0, ext = 9 + hl, body = 2 + 32 + 1 + 4 + 2 + 2 + ext;

	b[o++] = 0x16;
	b[o++] = 3;
	b[o++] = 1;
	b[o++] = (uint8_t)((body + 4) >> 8);
	b[o++] = (uint8_t)(body + 4);
	b[o++] = 1; /* ClientHello */
	b[o++] = 0;
	b[o++] = (uint8_t)(body >> 8);
	b[o++] = (uint8_t)body;
	b[o++] = 3;
	b[o++] = 3;
	memset(b + o, 0x5a, 32);
	o += 32;
	b[o++] = 0;				      /* session id */
	memcpy(b + o, "\x00\x02\x13\x01\x01\x00", 6); /* one suite, null compression */
	o += 6;
	b[o++] = (uint8_t)(ext >> 8);
	b[o++] = (uint8_t)ext;
	b[o++] = 0; /* server_name */
	b[o++] = 0;
	b[o++] = (uint8_t)((hl + 5) >> 8);
	b[o++] = (uint8_t)(hl + 5);
	b[o++] = (uint8_t)((hl + 3) >> 8);
	b[o++] = (uint8_t)(hl + 3);
	b[o++] = 0;
	b[o++] = (uint8_t)(hl >> 8);
	b[o++] = (uint8_t)hl;
	memcpy(b + o, host, hl);
	return o + hl;
}

#endif
