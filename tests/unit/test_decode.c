/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_decode.c - link, IP and transport decoding: real frames from
 * tests/data/camera-eth.pcap, every truncation of them, and hand-built
 * hostile headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

#define MAX_FRAMES 400

struct frame {
	uint8_t *data;
	size_t len;
};

static struct frame frames[MAX_FRAMES];
static size_t nframes;

static int load_frames(void **state)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc = pcap_open_offline("tests/data/camera-eth.pcap", err);

	(void)state;
	if (!pc)
		return -1;
	while (nframes < MAX_FRAMES && pcap_next_ex(pc, &h, &d) == 1) {
		frames[nframes].data = malloc(h->caplen);
		memcpy(frames[nframes].data, d, h->caplen);
		frames[nframes].len = h->caplen;
		nframes++;
	}
	pcap_close(pc);
	return nframes > 20 ? 0 : -1;
}

static int free_frames(void **state)
{
	(void)state;
	while (nframes)
		free(frames[--nframes].data);
	return 0;
}

/* Decode a copy of exactly len bytes so that ASan sees any over-read. */
static enum decode_status decode_copy(const uint8_t *p, size_t len, struct packet *pkt,
				      const char **why)
{
	uint8_t *c = malloc(len ? len : 1);
	enum decode_status st;
	struct packet tmp;

	memcpy(c, p, len);
	st = decode_ip(c, len, &tmp, why);
	if (st == DECODE_OK && pkt) {
		*pkt = tmp;
		pkt->payload = NULL; /* points into c, freed below */
	}
	free(c);
	return st;
}

static void test_real_frames(void **state)
{
	unsigned int tcp = 0, udp = 0, v6 = 0, dnsq = 0, split_hello = 0;
	size_t i;

	(void)state;
	for (i = 0; i < nframes; i++) {
		struct link lk;
		struct packet p;

		assert_int_equal(decode_ether(frames[i].data, frames[i].len, &lk), DECODE_OK);
		assert_true(lk.has_mac);
		if (lk.ethertype != ETHERTYPE_IPV4 && lk.ethertype != ETHERTYPE_IPV6)
			continue;
		assert_int_equal(decode_ip(frames[i].data + lk.l3_off, frames[i].len - lk.l3_off,
					   &p, NULL),
				 DECODE_OK);
		if (p.proto == IPPROTO_NUM_TCP || p.proto == IPPROTO_NUM_UDP)
			assert_true(p.l4);
		if (p.proto == IPPROTO_NUM_TCP)
			tcp++;
		if (p.proto == IPPROTO_NUM_UDP)
			udp++;
		if (p.family == 6)
			v6++;
		/* the camera's first query: 192.168.50.64 -> .1 port 53, Hikvision MAC */
		if (p.proto == IPPROTO_NUM_UDP && p.dport == 53 && p.family == 4 &&
		    !memcmp(lk.src_mac, "\x44\x47\xcc\x00\x00\x64", 6)) {
			assert_memory_equal(p.src, "\xc0\xa8\x32\x40", 4);
			assert_memory_equal(p.dst, "\xc0\xa8\x32\x01", 4);
			assert_true(p.payload_len > 12);
			dnsq++;
		}
		/* the server announced MSS 200: the ClientHello came in pieces */
		if (p.proto == IPPROTO_NUM_TCP && p.dport == 443 && p.payload_len > 0 &&
		    p.payload_len <= 188 && (p.tcp_flags & TCPF_ACK))
			split_hello++;
	}
	assert_true(tcp > 20);
	assert_true(udp >= 4);
	assert_true(v6 > 0);
	assert_true(dnsq >= 2);
	assert_true(split_hello >= 2);
}

/* Every cut of every real packet: a clean status, never a crash or over-read. */
static void test_real_truncations(void **state)
{
	size_t i, cut;

	(void)state;
	for (i = 0; i < nframes; i++) {
		struct link lk;
		const uint8_t *ip;
		size_t iplen;
		struct packet full;

		if (decode_ether(frames[i].data, frames[i].len, &lk) != DECODE_OK)
			continue;
		ip = frames[i].data + lk.l3_off;
		iplen = frames[i].len - lk.l3_off;
		if (decode_ip(ip, iplen, &full, NULL) != DECODE_OK)
			continue;
		for (cut = 0; cut < iplen; cut++) {
			const char *why = NULL;
			enum decode_status st = decode_copy(ip, cut, NULL, &why);

			/* shorter than the IP length is truncated, whatever else */
			if (cut < full.ip_len) {
				assert_int_equal(st, DECODE_TRUNCATED);
				assert_non_null(why);
			}
		}
		for (cut = 0; cut < frames[i].len; cut++) {
			struct link l2;
			uint8_t *c = malloc(cut ? cut : 1);

			memcpy(c, frames[i].data, cut);
			if (cut < 14)
				assert_int_equal(decode_ether(c, cut, &l2), DECODE_TRUNCATED);
			free(c);
		}
	}
}

/* A minimal IPv4 header; the caller fixes lengths and protocol. */
static size_t build_ipv4(uint8_t *b, uint8_t proto, size_t l4len)
{
	size_t total = 20 + l4len;

	memset(b, 0, total);
	b[0] = 0x45;
	b[2] = (uint8_t)(total >> 8);
	b[3] = (uint8_t)total;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, "\xc0\x00\x02\x01", 4); /* 192.0.2.1 */
	memcpy(b + 16, "\xc6\x33\x64\x07", 4); /* 198.51.100.7 */
	return total;
}

static void put_tcp(uint8_t *t, uint16_t sport, uint16_t dport, uint8_t doff, uint8_t flags)
{
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	memcpy(t + 4, "\x00\x00\x10\x00", 4); /* seq 4096 */
	t[12] = (uint8_t)(doff << 4);
	t[13] = flags;
}

static void test_ipv4_tcp(void **state)
{
	uint8_t b[128];
	struct packet p;
	size_t n = build_ipv4(b, IPPROTO_NUM_TCP, 20 + 5);

	(void)state;
	put_tcp(b + 20, 40000, 443, 5, TCPF_SYN);
	memcpy(b + 40, "hello", 5);
	assert_int_equal(decode_copy(b, n, &p, NULL), DECODE_OK);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.proto, IPPROTO_NUM_TCP);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.tcp_seq, 4096);
	assert_int_equal(p.tcp_flags, TCPF_SYN);
	assert_int_equal(p.payload_len, 5);
	assert_false(p.fragment);

	/* Ethernet padding past the total length is not payload */
	assert_int_equal(decode_ip(b, n + 10, &p, NULL), DECODE_OK);
	assert_int_equal(p.payload_len, 5);

	/* data offset 4 and 15 (beyond the datagram) */
	b[32] = 4 << 4;
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);
	b[32] = 15 << 4;
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);
}

static void test_ipv4_bad_headers(void **state)
{
	uint8_t b[128];
	const char *why = NULL;
	size_t n;

	(void)state;
	n = build_ipv4(b, IPPROTO_NUM_UDP, 8);
	b[20 + 5] = 8; /* udp length 8 */
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_OK);

	b[0] = 0x44; /* ihl 4 */
	assert_int_equal(decode_copy(b, n, NULL, &why), DECODE_MALFORMED);
	assert_string_equal(why, "ipv4: header length below 20");
	b[0] = 0x4f; /* ihl 15: 60 bytes, more than total 28 */
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);
	b[0] = 0x45;
	b[3] = 10; /* total below header */
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);
	b[3] = 200; /* total beyond capture */
	assert_int_equal(decode_copy(b, n, NULL, &why), DECODE_TRUNCATED);
	b[3] = (uint8_t)n;
	b[20 + 5] = 7; /* udp length below its header */
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);
	b[20 + 5] = 9; /* udp length beyond the datagram */
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);
	b[0] = 0x55; /* version 5 */
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_UNSUPPORTED);
	assert_int_equal(decode_copy(b, 0, NULL, NULL), DECODE_TRUNCATED);
}

static void test_ipv4_options_and_fragments(void **state)
{
	uint8_t b[128];
	struct packet p;
	size_t n;

	(void)state;
	/* ihl 6: four bytes of options (NOPs) before TCP */
	n = build_ipv4(b, IPPROTO_NUM_TCP, 4 + 20);
	b[0] = 0x46;
	memset(b + 20, 1, 4);
	put_tcp(b + 24, 1234, 80, 5, TCPF_ACK);
	assert_int_equal(decode_copy(b, n, &p, NULL), DECODE_OK);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.payload_len, 0);

	/* a later fragment: no transport header is read from it */
	n = build_ipv4(b, IPPROTO_NUM_TCP, 16);
	b[6] = 0x00;
	b[7] = 0x02; /* offset 16 bytes */
	assert_int_equal(decode_copy(b, n, &p, NULL), DECODE_OK);
	assert_true(p.fragment);
	assert_false(p.l4);
	assert_int_equal(p.payload_len, 16);

	/*
	 * A first fragment too short for the TCP header (RFC 1858's tiny
	 * fragment): its header is read from the datagram put together, as
	 * the kernel puts it together before the queue.
	 */
	n = build_ipv4(b, IPPROTO_NUM_TCP, 8);
	b[6] = 0x20; /* MF */
	b[7] = 0;
	assert_int_equal(decode_copy(b, n, &p, NULL), DECODE_OK);
	assert_true(p.fragment);
	assert_false(p.l4);
	/* not a fragment: a short TCP header is malformed */
	b[6] = 0;
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);

	/* ICMP echo */
	n = build_ipv4(b, IPPROTO_NUM_ICMP, 8);
	b[20] = 8;
	assert_int_equal(decode_copy(b, n, &p, NULL), DECODE_OK);
	assert_true(p.l4);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_code, 0);
	n = build_ipv4(b, IPPROTO_NUM_ICMP, 3);
	assert_int_equal(decode_copy(b, n, NULL, NULL), DECODE_MALFORMED);

	/* GRE: no transport header we read, payload is what follows IP */
	n = build_ipv4(b, 47, 12);
	assert_int_equal(decode_copy(b, n, &p, NULL), DECODE_OK);
	assert_false(p.l4);
	assert_int_equal(p.proto, 47);
	assert_int_equal(p.payload_len, 12);
}

/* IPv6 header with payload length plen and first next header nh. */
static void build_ipv6(uint8_t *b, uint8_t nh, size_t plen)
{
	memset(b, 0, 40 + plen);
	b[0] = 0x60;
	b[4] = (uint8_t)(plen >> 8);
	b[5] = (uint8_t)plen;
	b[6] = nh;
	b[7] = 64;
	memcpy(b + 8, "\xfd\x00\x00\x50\0\0\0\0\0\0\0\0\0\0\0\x64", 16);
	memcpy(b + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

static void test_ipv6_ext_chain(void **state)
{
	uint8_t b[256];
	struct packet p;
	const char *why;

	(void)state;
	/* hop-by-hop (8) -> dest opts (16) -> routing (8) -> fragment (8, first) -> UDP */
	build_ipv6(b, 0, 8 + 16 + 8 + 8 + 8 + 4);
	b[40] = 60;
	b[41] = 0;
	b[48] = 43;
	b[49] = 1;
	b[64] = 44;
	b[65] = 0;
	b[72] = IPPROTO_NUM_UDP;
	b[75] = 0x01; /* offset 0, M set: the first fragment */
	b[80] = 0x13;
	b[81] = 0x88; /* sport 5000 */
	b[82] = 0;
	b[83] = 53;
	b[85] = 12; /* udp length 12 */
	assert_int_equal(decode_copy(b, 40 + 52, &p, NULL), DECODE_OK);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.proto, IPPROTO_NUM_UDP);
	assert_int_equal(p.dport, 53);
	assert_true(p.fragment);
	assert_true(p.l4);
	assert_int_equal(p.payload_len, 4);

	/* the same datagram's later fragment */
	b[74] = 0x00;
	b[75] = 0x08; /* offset 8 bytes */
	assert_int_equal(decode_copy(b, 40 + 52, &p, NULL), DECODE_OK);
	assert_true(p.fragment);
	assert_false(p.l4);
	assert_int_equal(p.proto, IPPROTO_NUM_UDP);

	/* hop-by-hop anywhere but first */
	b[48] = 0;
	assert_int_equal(decode_copy(b, 40 + 52, NULL, &why), DECODE_MALFORMED);
	assert_string_equal(why, "ipv6: hop-by-hop header not first");

	/* an extension header running past the payload */
	build_ipv6(b, 60, 8);
	b[41] = 1; /* 16 bytes, only 8 there */
	assert_int_equal(decode_copy(b, 48, NULL, NULL), DECODE_MALFORMED);
}

static void test_ipv6_ext_bound(void **state)
{
	uint8_t b[40 + 8 * 12 + 8];
	const char *why;
	int i;

	(void)state;
	/* twelve destination-options headers: more than we walk */
	build_ipv6(b, 60, 8 * 12 + 8);
	for (i = 0; i < 12; i++)
		b[40 + 8 * i] = i == 11 ? IPPROTO_NUM_UDP : 60;
	b[40 + 96 + 5] = 8;
	assert_int_equal(decode_copy(b, sizeof(b), NULL, &why), DECODE_MALFORMED);
	assert_string_equal(why, "ipv6: too many extension headers");

	/* eight is fine */
	build_ipv6(b, 60, 8 * 8 + 8);
	for (i = 0; i < 8; i++)
		b[40 + 8 * i] = i == 7 ? IPPROTO_NUM_UDP : 60;
	b[40 + 64 + 5] = 8;
	assert_int_equal(decode_copy(b, 40 + 72, NULL, NULL), DECODE_OK);

	/* jumbogram (payload length 0) and a short capture */
	build_ipv6(b, 59, 0);
	assert_int_equal(decode_copy(b, 40, NULL, NULL), DECODE_UNSUPPORTED);
	build_ipv6(b, 59, 20);
	assert_int_equal(decode_copy(b, 50, NULL, NULL), DECODE_TRUNCATED);
	/* no next header: nothing after IPv6 */
	assert_int_equal(decode_copy(b, 60, NULL, NULL), DECODE_OK);
}

static void test_ipv6_icmpv6_and_ah(void **state)
{
	uint8_t b[128];
	struct packet p;

	(void)state;
	/* AH (length in 4-byte units minus 2: 1 -> 12 bytes) then ICMPv6 echo */
	build_ipv6(b, 51, 12 + 8);
	b[40] = IPPROTO_NUM_ICMPV6;
	b[41] = 1;
	b[52] = 128;
	assert_int_equal(decode_copy(b, 40 + 20, &p, NULL), DECODE_OK);
	assert_int_equal(p.proto, IPPROTO_NUM_ICMPV6);
	assert_int_equal(p.icmp_type, 128);
	assert_true(p.l4);
}

static void test_link_layers(void **state)
{
	uint8_t f[64];
	struct link lk;

	(void)state;
	/* Ethernet with an 802.1Q tag */
	memset(f, 0, sizeof(f));
	memcpy(f + 6, "\x44\x47\xcc\x00\x00\x64", 6);
	memcpy(f + 12, "\x81\x00\x00\x0a\x86\xdd", 6);
	assert_int_equal(decode_ether(f, 18, &lk), DECODE_OK);
	assert_int_equal(lk.ethertype, ETHERTYPE_IPV6);
	assert_int_equal(lk.l3_off, 18);
	assert_memory_equal(lk.src_mac, "\x44\x47\xcc\x00\x00\x64", 6);
	assert_int_equal(decode_ether(f, 17, &lk), DECODE_TRUNCATED);
	/* three tags: more than we accept */
	memcpy(f + 12, "\x81\x00\x00\x0a\x81\x00\x00\x0b\x88\xa8\x00\x0c\x08\x00", 14);
	assert_int_equal(decode_ether(f, 26, &lk), DECODE_MALFORMED);

	/* SLL: pkttype, ARPHRD_ETHER, addr len 6 */
	memset(f, 0, sizeof(f));
	memcpy(f, "\x00\x00\x00\x01\x00\x06\x08\xed\xed\x00\x00\x65\x00\x00\x08\x00", 16);
	assert_int_equal(decode_sll(f, 16, &lk), DECODE_OK);
	assert_true(lk.has_mac);
	assert_memory_equal(lk.src_mac, "\x08\xed\xed\x00\x00\x65", 6);
	assert_int_equal(lk.ethertype, ETHERTYPE_IPV4);
	assert_int_equal(lk.l3_off, 16);
	assert_int_equal(decode_sll(f, 15, &lk), DECODE_TRUNCATED);

	/* SLL2 from a non-Ethernet device (ARPHRD_NONE): no MAC */
	memcpy(f, "\x86\xdd\x00\x00\x00\x00\x00\x03\xff\xfe\x00\x00", 12);
	memset(f + 12, 0, 8);
	assert_int_equal(decode_sll2(f, 20, &lk), DECODE_OK);
	assert_false(lk.has_mac);
	assert_int_equal(lk.ethertype, ETHERTYPE_IPV6);
	assert_int_equal(lk.l3_off, 20);
	assert_int_equal(decode_sll2(f, 19, &lk), DECODE_TRUNCATED);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(proto_str(6), "tcp");
	assert_string_equal(proto_str(58), "icmpv6");
	assert_null(proto_str(47));
	assert_string_equal(decode_status_str(DECODE_TRUNCATED), "truncated");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_frames),
		cmocka_unit_test(test_real_truncations),
		cmocka_unit_test(test_ipv4_tcp),
		cmocka_unit_test(test_ipv4_bad_headers),
		cmocka_unit_test(test_ipv4_options_and_fragments),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_ext_bound),
		cmocka_unit_test(test_ipv6_icmpv6_and_ah),
		cmocka_unit_test(test_link_layers),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests_name("decode", tests, load_frames, free_frames);
}
