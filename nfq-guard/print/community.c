/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * community.c - the Community ID v1: SHA-1 over the seed, the endpoints in
 * order (the smaller address and port first), the protocol and a pad
 * byte, and the ports - for ICMP the type and its counterpart or code, as
 * Zeek maps them - then "1:" and base64.
 */
#include <errno.h>
#include <string.h>

#include "base/proto.h"
#include "base/sha1.h"
#include "print/community.h"

/* The type answering an ICMP(v6) query type, or -1 for a one-way message. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = { { 8, 0 },   { 0, 8 },	{ 13, 14 }, { 14, 13 }, { 15, 16 },
					 { 16, 15 }, { 10, 9 }, { 9, 10 },  { 17, 18 }, { 18, 17 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 },
					 { 135, 136 }, { 136, 135 }, { 130, 131 }, { 131, 130 },
					 { 139, 140 }, { 140, 139 }, { 144, 145 }, { 145, 144 } };
	const uint8_t(*m)[2] = proto == IPPROTO_NUM_ICMP ? v4 : v6;
	size_t n = proto == IPPROTO_NUM_ICMP ? sizeof(v4) / sizeof(v4[0]) :
					       sizeof(v6) / sizeof(v6[0]);

	for (size_t i = 0; i < n; i++)
		if (m[i][0] == type)
			return m[i][1];
	return -1;
}

/* Base64 (RFC 4648, with padding) of n bytes into out, NUL-terminated. */
static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*out++ = abc[v >> 18];
		*out++ = abc[v >> 12 & 63];
		*out++ = abc[v >> 6 & 63];
		*out++ = abc[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		*out++ = abc[v >> 18];
		*out++ = abc[v >> 12 & 63];
		*out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP || proto == 132 /* SCTP */ ||
	       proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6;
}

int community_id(const struct community_flow *f, uint16_t seed, char out[COMMUNITY_ID_MAX])
{
	size_t alen = f->family == 4 ? 4 : 16, n = 0;
	uint8_t buf[2 + 16 + 16 + 2 + 4], md[SHA1_LEN];
	uint16_t p1 = f->sport, p2 = f->dport;
	const uint8_t *a1 = f->src, *a2 = f->dst;
	bool icmp = f->proto == IPPROTO_NUM_ICMP || f->proto == IPPROTO_NUM_ICMPV6;
	bool one_way = false;
	int c, r;

	if ((f->family != 4 && f->family != 6) || (has_ports(f->proto) && !f->ports_known))
		return -EINVAL;
	if (icmp) {
		c = icmp_counterpart(f->proto, f->icmp_type);
		p1 = f->icmp_type;
		p2 = c >= 0 ? (uint16_t)c : f->icmp_code;
		one_way = c < 0;
	}
	if (!has_ports(f->proto))
		p1 = p2 = 0;
	r = memcmp(a1, a2, alen);
	if (!one_way && (r > 0 || (r == 0 && p1 > p2))) {
		const uint8_t *ta = a1;
		uint16_t tp = p1;

		a1 = a2, a2 = ta;
		p1 = p2, p2 = tp;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a1, alen), n += alen;
	memcpy(buf + n, a2, alen), n += alen;
	buf[n++] = f->proto;
	buf[n++] = 0;
	if (has_ports(f->proto)) {
		buf[n++] = (uint8_t)(p1 >> 8);
		buf[n++] = (uint8_t)p1;
		buf[n++] = (uint8_t)(p2 >> 8);
		buf[n++] = (uint8_t)p2;
	}
	sha1(buf, n, md);
	memcpy(out, "1:", 2);
	base64(md, SHA1_LEN, out + 2); /* 28 characters and a NUL */
	return 0;
}
