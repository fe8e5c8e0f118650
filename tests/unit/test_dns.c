/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dns.c - dns_parse() against messages captured from dnsmasq and dig
 * (tests/data/dns/, see tests/data/README.md), every truncation of them,
 * and hostile messages built by hand.  Every input is copied into a heap
 * buffer of exactly its size, so AddressSanitizer catches any over-read.
 * Run from the top of the source tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/dns.h"

#define DATA "tests/data/dns/"

/* Large (about 160 KiB): one for the whole run rather than on the stack. */
static struct dns_msg msg;

/* Record i of msg, decoded (into one of four buffers, in turn). */
static const struct dns_rr *an(unsigned int i)
{
	static struct dns_rr rr[4];
	static unsigned int next;
	struct dns_rr *r = &rr[next++ % 4];

	assert_true(i < msg.nrecords);
	dns_record(&msg, i, r);
	return r;
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f)
		fail_msg("%s: cannot open (run from the top of the source tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	p = malloc((size_t)n);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Parse a copy of p that ends exactly where the heap block does. */
static enum dns_status parse(const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum dns_status st;

	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	st = dns_parse(copy, len, &msg);
	free(copy);
	return st;
}

static enum dns_status parse_tcp(const uint8_t *p, size_t len, size_t *used)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum dns_status st;

	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	st = dns_parse_tcp(copy, len, &msg, used);
	free(copy);
	return st;
}

static void assert_name(const struct name *n, const char *want)
{
	assert_int_equal(n->len, strlen(want));
	assert_int_equal(n->s[n->len], '\0');
	assert_memory_equal(n->s, want, n->len);
}

static void assert_a(const struct dns_rr *rr, const char *owner, uint32_t ttl, uint8_t a, uint8_t b,
		     uint8_t c, uint8_t d)
{
	const uint8_t want[4] = { a, b, c, d };

	assert_name(&rr->name, owner);
	assert_int_equal(rr->type, DNS_TYPE_A);
	assert_int_equal(rr->class, DNS_CLASS_IN);
	assert_int_equal(rr->ttl, ttl);
	assert_memory_equal(rr->addr, want, 4);
}

static void assert_cname(const struct dns_rr *rr, const char *owner, uint32_t ttl,
			 const char *target)
{
	assert_name(&rr->name, owner);
	assert_int_equal(rr->type, DNS_TYPE_CNAME);
	assert_int_equal(rr->class, DNS_CLASS_IN);
	assert_int_equal(rr->ttl, ttl);
	assert_name(&rr->target, target);
}

/* ------------------------------------------------------------------ */
/* Captured messages                                                   */

static void check_cname_chain(uint16_t id)
{
	assert_int_equal(msg.id, id);
	assert_true(msg.qr);
	assert_false(msg.tc);
	assert_int_equal(msg.opcode, 0);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.qdcount, 1);
	assert_int_equal(msg.ancount, 3);
	assert_int_equal(msg.nquestions, 1);
	assert_name(&msg.q[0].name, "alias.example.org");
	assert_int_equal(msg.q[0].type, DNS_TYPE_A);
	assert_int_equal(msg.q[0].class, DNS_CLASS_IN);
	assert_int_equal(msg.nanswers, 3);
	assert_int_equal(msg.skipped, 1); /* the EDNS OPT record */
	assert_cname(an(0), "alias.example.org", 300, "mid.example.org");
	/* owner is a pointer into the previous record's rdata */
	assert_cname(an(1), "mid.example.org", 300, "target.example.org");
	assert_a(an(2), "target.example.org", 300, 203, 0, 113, 5);
}

static void test_a_multi(void **state)
{
	size_t len;
	uint8_t *p = load(DATA "a-multi.bin", &len);

	(void)state;
	assert_int_equal(parse(p, len), DNS_OK);
	assert_int_equal(msg.id, 0x838b);
	assert_true(msg.qr);
	assert_false(msg.tc);
	assert_int_equal(msg.opcode, 0);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.qdcount, 1);
	assert_int_equal(msg.ancount, 3);
	assert_int_equal(msg.nquestions, 1);
	/* asked as LiteDev.EZVIZlife.com, echoed so by dnsmasq */
	assert_name(&msg.q[0].name, "litedev.ezvizlife.com");
	assert_int_equal(msg.q[0].type, DNS_TYPE_A);
	assert_int_equal(msg.q[0].class, DNS_CLASS_IN);
	assert_int_equal(msg.nanswers, 3);
	assert_int_equal(msg.skipped, 1); /* the EDNS OPT record */
	assert_a(an(0), "litedev.ezvizlife.com", 300, 198, 51, 100, 9);
	assert_a(an(1), "litedev.ezvizlife.com", 300, 198, 51, 100, 8);
	assert_a(an(2), "litedev.ezvizlife.com", 300, 198, 51, 100, 7);
	free(p);
}

static void test_aaaa(void **state)
{
	static const uint8_t a7[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	static const uint8_t a8[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 8 };
	size_t len;
	uint8_t *p = load(DATA "aaaa.bin", &len);

	(void)state;
	assert_int_equal(parse(p, len), DNS_OK);
	assert_int_equal(msg.id, 0x5436);
	assert_true(msg.qr);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.nquestions, 1);
	assert_name(&msg.q[0].name, "cam-cloud.example.org");
	assert_int_equal(msg.q[0].type, DNS_TYPE_AAAA);
	assert_int_equal(msg.nanswers, 2);
	assert_int_equal(msg.skipped, 1); /* the EDNS OPT record */
	assert_name(&an(0)->name, "cam-cloud.example.org");
	assert_int_equal(an(0)->type, DNS_TYPE_AAAA);
	assert_int_equal(an(0)->class, DNS_CLASS_IN);
	assert_int_equal(an(0)->ttl, 120);
	assert_memory_equal(an(0)->addr, a8, 16);
	assert_name(&an(1)->name, "cam-cloud.example.org");
	assert_int_equal(an(1)->type, DNS_TYPE_AAAA);
	assert_int_equal(an(1)->ttl, 300);
	assert_memory_equal(an(1)->addr, a7, 16);
	free(p);
}

static void test_cname_chain(void **state)
{
	size_t len;
	uint8_t *p = load(DATA "cname-chain.bin", &len);

	(void)state;
	assert_int_equal(parse(p, len), DNS_OK);
	check_cname_chain(0x7cff);
	free(p);
}

static void test_nxdomain(void **state)
{
	size_t len;
	uint8_t *p = load(DATA "nxdomain.bin", &len);

	(void)state;
	assert_int_equal(parse(p, len), DNS_OK);
	assert_int_equal(msg.id, 0x19fb);
	assert_true(msg.qr);
	assert_int_equal(msg.rcode, 3);
	assert_int_equal(msg.ancount, 0);
	assert_int_equal(msg.nquestions, 1);
	assert_name(&msg.q[0].name, "nothere.example.org");
	assert_int_equal(msg.nanswers, 0);
	assert_int_equal(msg.skipped, 1); /* the EDNS OPT record */
	free(p);
}

static void test_query(void **state)
{
	size_t len;
	uint8_t *p = load(DATA "query.bin", &len);

	(void)state;
	assert_int_equal(parse(p, len), DNS_OK);
	assert_int_equal(msg.id, 0x838b);
	assert_false(msg.qr);
	assert_false(msg.tc);
	assert_int_equal(msg.opcode, 0);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.qdcount, 1);
	assert_int_equal(msg.ancount, 0);
	assert_int_equal(msg.nquestions, 1);
	assert_name(&msg.q[0].name, "litedev.ezvizlife.com");
	assert_int_equal(msg.q[0].type, DNS_TYPE_A);
	assert_int_equal(msg.q[0].class, DNS_CLASS_IN);
	assert_int_equal(msg.nanswers, 0);
	free(p);
}

static void test_tcp_answer(void **state)
{
	size_t len, used = 0, i;
	uint8_t *p = load(DATA "tcp-answer.bin", &len), *two;

	(void)state;
	assert_int_equal(len, 125);
	assert_int_equal(parse_tcp(p, len, &used), DNS_OK);
	assert_int_equal(used, 125);
	check_cname_chain(0x3362);
	assert_int_equal(parse_tcp(p, len, NULL), DNS_OK);

	/* every shorter prefix of the stream is incomplete, and used untouched */
	for (i = 0; i < len; i++) {
		used = 12345;
		assert_int_equal(parse_tcp(p, i, &used), DNS_NEED_MORE);
		assert_int_equal(used, 12345);
	}

	/* two messages back to back: the first is read, used says where the next starts */
	two = malloc(2 * len);
	assert_non_null(two);
	memcpy(two, p, len);
	memcpy(two + len, p, len);
	assert_int_equal(parse_tcp(two, 2 * len - 1, &used), DNS_OK);
	assert_int_equal(used, 125);
	assert_int_equal(parse_tcp(two + used, len, &used), DNS_OK);
	assert_int_equal(used, 125);
	check_cname_chain(0x3362);
	free(two);
	free(p);
}

static void test_tcp_zero_length(void **state)
{
	static const uint8_t zero[] = { 0, 0, 0x12, 0x34 };
	size_t used = 0;

	(void)state;
	assert_int_equal(parse_tcp(zero, 0, &used), DNS_NEED_MORE);
	assert_int_equal(parse_tcp(zero, 1, &used), DNS_NEED_MORE);
	assert_int_equal(parse_tcp(zero, 2, &used), DNS_MALFORMED);
	assert_int_equal(used, 2);
	assert_int_equal(parse_tcp(zero, sizeof(zero), NULL), DNS_MALFORMED);
	assert_int_equal(dns_parse_tcp(NULL, 0, &msg, NULL), DNS_NEED_MORE);
}

/* A length prefix that covers only part of the message: as dns_parse() says. */
static void test_tcp_short_prefix(void **state)
{
	size_t len, k, used;
	uint8_t *p = load(DATA "tcp-answer.bin", &len), *s;

	(void)state;
	s = malloc(len);
	assert_non_null(s);
	for (k = 1; k <= len - 2; k++) {
		enum dns_status st;

		s[0] = (uint8_t)(k >> 8);
		s[1] = (uint8_t)k;
		memcpy(s + 2, p + 2, k);
		used = 0;
		st = parse_tcp(s, 2 + k, &used);
		assert_int_equal(used, 2 + k);
		/* the answer section ends 112 bytes into the message */
		assert_int_equal(st, k < 112 ? DNS_TRUNCATED : DNS_OK);
	}
	free(s);
	free(p);
}

/*
 * Cut each captured message at every offset.  Before the end of the
 * answer section (end, checked by hand against the dumps in
 * tests/data/README.md) the message must be DNS_TRUNCATED; from there on,
 * only the never-read authority and additional sections (dig's and
 * dnsmasq's EDNS OPT record) are missing, and the result must be the
 * same as for the whole message.
 */
static void test_truncate_everywhere(void **state)
{
	static const struct {
		const char *path;
		size_t end;
		unsigned int nanswers;
	} samples[] = {
		{ DATA "a-multi.bin", 87, 3 },	    { DATA "aaaa.bin", 95, 2 },
		{ DATA "cname-chain.bin", 112, 3 }, { DATA "nxdomain.bin", 37, 0 },
		{ DATA "query.bin", 39, 0 },
	};
	size_t i, cut;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		size_t len;
		uint8_t *p = load(samples[i].path, &len);

		assert_true(samples[i].end < len);
		for (cut = 0; cut <= len; cut++) {
			enum dns_status st = parse(p, cut);

			if (cut < samples[i].end) {
				if (st != DNS_TRUNCATED)
					fail_msg("%s cut at %zu: %s", samples[i].path, cut,
						 dns_status_str(st));
				continue;
			}
			if (st != DNS_OK)
				fail_msg("%s cut at %zu: %s", samples[i].path, cut,
					 dns_status_str(st));
			assert_int_equal(msg.nquestions, 1);
			assert_int_equal(msg.nanswers, samples[i].nanswers);
			/* the EDNS OPT record, or a tail cut short */
			assert_int_equal(msg.skipped, cut == len);
			assert_int_equal(msg.tail_bad, cut < len);
		}
		free(p);
	}
}

/* ------------------------------------------------------------------ */
/* Hand-built messages                                                 */

struct wire {
	uint8_t b[DNS_MSG_MAX];
	size_t len;
};

static void put8(struct wire *w, unsigned int v)
{
	assert_true(w->len < sizeof(w->b));
	w->b[w->len++] = (uint8_t)v;
}

static void put16(struct wire *w, unsigned int v)
{
	put8(w, v >> 8);
	put8(w, v & 0xff);
}

static void put32(struct wire *w, uint32_t v)
{
	put16(w, v >> 16);
	put16(w, v & 0xffff);
}

static void put_bytes(struct wire *w, const void *p, size_t n)
{
	assert_true(w->len + n <= sizeof(w->b));
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

/* A label of n copies of c. */
static void put_label_fill(struct wire *w, size_t n, char c)
{
	size_t i;

	put8(w, (unsigned int)n);
	for (i = 0; i < n; i++)
		put8(w, (unsigned char)c);
}

/* "www.example.org" as labels, without the final zero byte. */
static void put_labels(struct wire *w, const char *dotted)
{
	while (*dotted) {
		size_t n = strcspn(dotted, ".");

		put8(w, (unsigned int)n);
		put_bytes(w, dotted, n);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
}

static void put_name(struct wire *w, const char *dotted)
{
	put_labels(w, dotted);
	put8(w, 0);
}

static void put_ptr(struct wire *w, size_t off)
{
	put16(w, 0xc000 | (unsigned int)off);
}

static void put_header(struct wire *w, unsigned int qd, unsigned int an)
{
	w->len = 0;
	put16(w, 0xbeef);
	put16(w, 0x8180); /* a response, RD RA, NOERROR */
	put16(w, qd);
	put16(w, an);
	put16(w, 0);
	put16(w, 0);
}

/* The fixed part of a question, after its name. */
static void put_qtail(struct wire *w, unsigned int type)
{
	put16(w, type);
	put16(w, DNS_CLASS_IN);
}

/* The fixed part of an RR, after its name; rdata follows. */
static void put_rrtail(struct wire *w, unsigned int type, unsigned int class, uint32_t ttl,
		       unsigned int rdlength)
{
	put16(w, type);
	put16(w, class);
	put32(w, ttl);
	put16(w, rdlength);
}

static void put_a(struct wire *w, uint32_t ttl, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	put_rrtail(w, DNS_TYPE_A, DNS_CLASS_IN, ttl, 4);
	put8(w, a);
	put8(w, b);
	put8(w, c);
	put8(w, d);
}

static enum dns_status wparse(const struct wire *w)
{
	return parse(w->b, w->len);
}

static void test_lower_case(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 1, 2);
	put_name(&w, "Cam.EXAMPLE.Org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, 13);
	put_labels(&w, "CDN.Vendor");
	put_ptr(&w, 16); /* EXAMPLE.Org */
	put_name(&w, "cdn.vendor.EXAMPLE.ORG");
	put_a(&w, 60, 192, 0, 2, 1);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_name(&msg.q[0].name, "cam.example.org");
	assert_cname(an(0), "cam.example.org", 60, "cdn.vendor.example.org");
	assert_a(an(1), "cdn.vendor.example.org", 60, 192, 0, 2, 1);
}

/* Bytes other than '.' are kept as they are, for name_escape() to show. */
static void test_odd_bytes_kept(void **state)
{
	static const uint8_t label[] = { 'a', 0x00, 0xff, ' ', '\\' };
	struct wire w;

	(void)state;
	put_header(&w, 1, 0);
	put8(&w, sizeof(label));
	put_bytes(&w, label, sizeof(label));
	put_name(&w, "org");
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.q[0].name.len, 9);
	assert_memory_equal(msg.q[0].name.s, "a\0\xff \\.org", 10);
}

static void test_label_with_dot(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 1, 0);
	put8(&w, 3);
	put_bytes(&w, "a.b", 3);
	put_name(&w, "org");
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* also in a CNAME target */
	put_header(&w, 1, 1);
	put_name(&w, "a.org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, 3);
	put8(&w, 1);
	put8(&w, '.');
	put8(&w, 0);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

static void test_label_types(void **state)
{
	static const uint8_t bad[] = { 0x40, 0x41, 0x7f, 0x80, 0xbf };
	struct wire w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		/* a "64-byte label" is the 0x40 type; give it the bytes anyway */
		put_header(&w, 1, 0);
		put_label_fill(&w, bad[i], 'x');
		put8(&w, 0);
		put_qtail(&w, DNS_TYPE_A);
		assert_int_equal(wparse(&w), DNS_MALFORMED);

		/* after a good label too */
		put_header(&w, 1, 0);
		put_labels(&w, "cam");
		put8(&w, bad[i]);
		put_name(&w, "org");
		put_qtail(&w, DNS_TYPE_A);
		assert_int_equal(wparse(&w), DNS_MALFORMED);
	}

	/* 63 is the longest label */
	put_header(&w, 1, 0);
	put_label_fill(&w, 63, 'x');
	put8(&w, 0);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.q[0].name.len, 63);
}

/* The root name: a lone zero byte, kept as an empty name. */
static void test_root_name(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 1, 3);
	put8(&w, 0);
	put_qtail(&w, 2); /* NS */
	put8(&w, 0);
	put_a(&w, 10, 192, 0, 2, 9);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 10, 1);
	put8(&w, 0);
	put8(&w, 0);
	put_rrtail(&w, 2, DNS_CLASS_IN, 10, 1); /* NS . */
	put8(&w, 0);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nquestions, 1);
	assert_name(&msg.q[0].name, "");
	assert_int_equal(msg.q[0].type, 2);
	assert_int_equal(msg.nanswers, 2);
	assert_int_equal(msg.skipped, 1);
	assert_a(an(0), "", 10, 192, 0, 2, 9);
	assert_cname(an(1), "", 10, "");

	/* a zero byte ends the name: what follows is the type */
	put_header(&w, 1, 0);
	put_labels(&w, "a");
	put8(&w, 0);
	put8(&w, 0);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_name(&msg.q[0].name, "a");
	assert_int_equal(msg.q[0].type, 0x0000);
	assert_int_equal(msg.q[0].class, 0x0100);
}

static void test_pointer_self_loop(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 1, 0);
	put_ptr(&w, 12);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* after a label: points at its own start */
	put_header(&w, 1, 0);
	put_labels(&w, "cam");
	put_ptr(&w, 12);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* at its own bytes */
	put_header(&w, 1, 0);
	put_labels(&w, "cam");
	put_ptr(&w, 16);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

/*
 * The loop's bytes sit in the rdata of a record of another type (skipped,
 * so never read as a name); a later name points into them.
 */
static void test_pointer_two_loop(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 0, 2);
	put8(&w, 0);				/* 12 */
	put_rrtail(&w, 16, DNS_CLASS_IN, 1, 4); /* TXT, 13..22 */
	put_ptr(&w, 25);			/* 23 -> 25 */
	put_ptr(&w, 23);			/* 25 -> 23 */
	put_ptr(&w, 23);			/* 27: owner of the second RR */
	put_a(&w, 1, 192, 0, 2, 1);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* entering the loop at the other pointer */
	w.b[28] = 25;
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* a loop through a label: 23 "x" then a pointer back to 23 */
	put_header(&w, 0, 2);
	put8(&w, 0);
	put_rrtail(&w, 16, DNS_CLASS_IN, 1, 4);
	put_labels(&w, "x"); /* 23 */
	put_ptr(&w, 23);     /* 25 */
	put_ptr(&w, 25);     /* 27 */
	put_a(&w, 1, 192, 0, 2, 1);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

/*
 * Each pointer must point before the previous one's target, not just
 * before the name: 28 -> 23 -> 25 ends at a good name, yet 25 is past 23.
 */
static void test_pointer_not_before_previous(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 0, 2);
	put8(&w, 0);
	put_rrtail(&w, 16, DNS_CLASS_IN, 1, 5);
	put_ptr(&w, 25);   /* 23 */
	put_name(&w, "a"); /* 25 */
	put_ptr(&w, 23);   /* 28 */
	put_a(&w, 1, 192, 0, 2, 1);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* straight to the name: good */
	w.b[29] = 25;
	assert_int_equal(wparse(&w), DNS_OK);
	assert_a(an(0), "a", 1, 192, 0, 2, 1);
}

static void test_pointer_forward(void **state)
{
	struct wire w;

	(void)state;
	/* points to a good name, but ahead */
	put_header(&w, 2, 0);
	put_ptr(&w, 18);
	put_qtail(&w, DNS_TYPE_A); /* 14..17 */
	put_name(&w, "a.org");	   /* 18 */
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* past the end of the message */
	put_header(&w, 1, 0);
	put_ptr(&w, 0x3fff);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* a pointer cut in half */
	put_header(&w, 1, 0);
	put8(&w, 0xc0);
	assert_int_equal(wparse(&w), DNS_TRUNCATED);
}

/* A good pointer into the header is still backward: accepted, bytes read as labels. */
static void test_pointer_into_header(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 2, 0);
	w.b[10] = 1; /* arcount 0x0178: the bytes 01 'x' 00 at 10..12 */
	w.b[11] = 'x';
	put8(&w, 0); /* 12: the root, also the end of the name at 10 */
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 10);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nquestions, 2);
	assert_name(&msg.q[1].name, "x");
}

/*
 * A chain of pointers, each to the one before it, ending at "a" in a TXT
 * rdata; the A record's owner enters at the last.  hops counts every
 * pointer followed, the owner's included.
 */
static enum dns_status pointer_chain(unsigned int hops)
{
	struct wire w;
	unsigned int i;
	size_t prev;

	put_header(&w, 0, 2);
	put8(&w, 0);
	put_rrtail(&w, 16, DNS_CLASS_IN, 1, 3 + 2 * (hops - 1));
	prev = w.len;
	put_name(&w, "a");
	for (i = 0; i < hops - 1; i++) {
		size_t here = w.len;

		put_ptr(&w, prev);
		prev = here;
	}
	put_ptr(&w, prev);
	put_a(&w, 1, 192, 0, 2, 1);
	return wparse(&w);
}

static void test_pointer_hops(void **state)
{
	(void)state;
	assert_int_equal(pointer_chain(1), DNS_OK);
	assert_a(an(0), "a", 1, 192, 0, 2, 1);
	assert_int_equal(pointer_chain(DNS_MAX_POINTER_HOPS), DNS_OK);
	assert_a(an(0), "a", 1, 192, 0, 2, 1);
	assert_int_equal(msg.skipped, 1);
	assert_int_equal(pointer_chain(DNS_MAX_POINTER_HOPS + 1), DNS_MALFORMED);
	assert_int_equal(pointer_chain(200), DNS_MALFORMED);
}

/* Three 63-byte labels: 193 bytes on the wire with the root. */
static void put_long_question(struct wire *w)
{
	put_label_fill(w, 63, 'a');
	put_label_fill(w, 63, 'b');
	put_label_fill(w, 63, 'c');
	put8(w, 0);
	put_qtail(w, DNS_TYPE_A);
}

static void test_name_length(void **state)
{
	struct wire w;

	(void)state;
	/* 62 + 193 = 255 bytes: the longest name, 253 characters */
	put_header(&w, 2, 0);
	put_long_question(&w);
	put_label_fill(&w, 61, 'd');
	put_ptr(&w, 12);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.q[0].name.len, 191);
	assert_int_equal(msg.q[1].name.len, NAME_MAX_LEN);
	assert_int_equal(msg.q[1].name.s[NAME_MAX_LEN], '\0');
	assert_int_equal(msg.q[1].name.s[61], '.');

	/* 63 + 193 = 256 */
	put_header(&w, 2, 0);
	put_long_question(&w);
	put_label_fill(&w, 62, 'd');
	put_ptr(&w, 12);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* 64 + 193 = 257, through a pointer */
	put_header(&w, 2, 0);
	put_long_question(&w);
	put_label_fill(&w, 63, 'd');
	put_ptr(&w, 12);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* without pointers: 4 * 64 + 1 */
	put_header(&w, 1, 0);
	put_label_fill(&w, 63, 'a');
	put_label_fill(&w, 63, 'b');
	put_label_fill(&w, 63, 'c');
	put_label_fill(&w, 63, 'd');
	put8(&w, 0);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* many one-byte labels: 127 * 2 + 1 = 255 fits, 128 do not */
	put_header(&w, 1, 0);
	for (int i = 0; i < 127; i++)
		put_labels(&w, "z");
	put8(&w, 0);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.q[0].name.len, 253);
	put_header(&w, 1, 0);
	for (int i = 0; i < 128; i++)
		put_labels(&w, "z");
	put8(&w, 0);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* a long CNAME target through a pointer */
	put_header(&w, 1, 1);
	put_long_question(&w);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 1, 66);
	put_label_fill(&w, 63, 'e');
	put_ptr(&w, 12);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

static void test_counts_beyond_data(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 1, 0xffff);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_a(&w, 60, 192, 0, 2, 1);
	assert_int_equal(wparse(&w), DNS_TRUNCATED);

	put_header(&w, 0xffff, 0);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_TRUNCATED);

	/* a header alone */
	put_header(&w, 0, 0);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nquestions, 0);
	assert_int_equal(msg.nanswers, 0);
	assert_int_equal(dns_parse(NULL, 0, &msg), DNS_TRUNCATED);
}

static void test_rdata_lengths(void **state)
{
	struct wire w;
	size_t rr;

	(void)state;
	/* rdlength past the end of the message */
	put_header(&w, 1, 1);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	rr = w.len;
	put_ptr(&w, 12);
	put_a(&w, 60, 192, 0, 2, 1);
	w.b[rr + 10] = 0x01; /* rdlength 0x0104 */
	assert_int_equal(wparse(&w), DNS_TRUNCATED);

	/* A with 5 bytes of rdata, all present */
	w.b[rr + 10] = 0;
	w.b[rr + 11] = 5;
	put8(&w, 0);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
	/* the same in class CH is not ours: skipped */
	w.b[rr + 5] = 3;
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nanswers, 0);
	assert_int_equal(msg.skipped, 1);

	/* A with 3 bytes, AAAA with 4 */
	put_header(&w, 1, 1);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_A, DNS_CLASS_IN, 60, 3);
	put_bytes(&w, "\xc0\x00\x02", 3);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
	put_header(&w, 1, 1);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_AAAA);
	put_ptr(&w, 12);
	put_a(&w, 60, 192, 0, 2, 1);
	w.b[w.len - 13] = DNS_TYPE_AAAA; /* the type's low byte */
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

static void test_cname_rdata(void **state)
{
	struct wire w;
	size_t rdlen_at;

	(void)state;
	/* one byte of rdata after the target's end */
	put_header(&w, 1, 1);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, 7);
	rdlen_at = w.len - 1;
	put_labels(&w, "cdn");
	put_ptr(&w, 16);
	put8(&w, 0);
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* exact: good */
	w.b[rdlen_at] = 6;
	w.len--;
	assert_int_equal(wparse(&w), DNS_OK);
	assert_cname(an(0), "cam.example.org", 60, "cdn.example.org");

	/* rdlength ends inside the target (the message goes on) */
	w.b[rdlen_at] = 5;
	assert_int_equal(wparse(&w), DNS_MALFORMED);
	w.b[rdlen_at] = 3;
	assert_int_equal(wparse(&w), DNS_MALFORMED);
	w.b[rdlen_at] = 0;
	assert_int_equal(wparse(&w), DNS_MALFORMED);

	/* a pointer in the target must point before the rdata: not into itself */
	put_header(&w, 1, 1);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, 6);
	put_labels(&w, "cdn");
	put_ptr(&w, w.len - 4);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

/* No bound on the records kept: every one of thousands is there. */
static void test_many_answers(void **state)
{
	static struct wire w;
	unsigned int i, n = 3900;

	(void)state;
	put_header(&w, 1, n + 5);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	for (i = 0; i < n; i++) {
		put_ptr(&w, 12);
		put_a(&w, 1000 + i, 192, 0, (uint8_t)(i >> 8), (uint8_t)i);
	}
	/* not ours: MX, an A of class CH, a TXT; then an A and a CNAME */
	put_ptr(&w, 12);
	put_rrtail(&w, 15, DNS_CLASS_IN, 1, 4);
	put16(&w, 10);
	put_ptr(&w, 12);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_A, 3, 1, 4);
	put32(&w, 0);
	put_ptr(&w, 12);
	put_rrtail(&w, 16, DNS_CLASS_IN, 1, 2);
	put_bytes(&w, "\x01x", 2);
	put_ptr(&w, 12);
	put_a(&w, 5, 192, 0, 2, 200);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 1, 2);
	put_ptr(&w, 12);
	assert_true(w.len > 60000);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.ancount, n + 5);
	assert_int_equal(msg.nanswers, n + 2);
	assert_int_equal(msg.nrecords, n + 2);
	assert_int_equal(msg.skipped, 3);
	for (i = 0; i < n; i++)
		assert_a(an(i), "cam.example.org", 1000 + i, 192, 0, (uint8_t)(i >> 8), (uint8_t)i);
	assert_a(an(n), "cam.example.org", 5, 192, 0, 2, 200);
	assert_cname(an(n + 1), "cam.example.org", 1, "cam.example.org");

	/* the last A is checked like the first */
	put_header(&w, 1, 41);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	for (i = 0; i < 40; i++) {
		put_ptr(&w, 12);
		put_a(&w, 1, 192, 0, 2, (uint8_t)i);
	}
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_A, DNS_CLASS_IN, 1, 5);
	put_bytes(&w, "\xc0\x00\x02\x01\x00", 5);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

/* Answers, authority, additional: counts as put_header() leaves them. */
static void set_counts(struct wire *w, unsigned int an, unsigned int ns, unsigned int ar)
{
	w->b[6] = (uint8_t)(an >> 8);
	w->b[7] = (uint8_t)an;
	w->b[8] = (uint8_t)(ns >> 8);
	w->b[9] = (uint8_t)ns;
	w->b[10] = (uint8_t)(ar >> 8);
	w->b[11] = (uint8_t)ar;
}

/* SRV answers, their targets' addresses in the additional section. */
static void test_srv_and_additional(void **state)
{
	static struct wire w;
	struct dns_rr rr;
	uint8_t addr[16];
	size_t srv;

	(void)state;
	put_header(&w, 1, 0);
	put_name(&w, "_xmpp-client._tcp.example.org");
	put_qtail(&w, DNS_TYPE_SRV);
	srv = w.len;
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_SRV, DNS_CLASS_IN, 300, 6 + 18);
	put16(&w, 10);
	put16(&w, 5);
	put16(&w, 5222);
	put_name(&w, "xmpp.example.org");
	/* authority: an NS, read over */
	put_ptr(&w, 12);
	put_rrtail(&w, 2, DNS_CLASS_IN, 300, 2);
	put_ptr(&w, 12);
	/* additional: the target's A, an OPT (class: a UDP size), a CNAME (not an address) */
	put_name(&w, "xmpp.example.org");
	put_a(&w, 60, 192, 0, 2, 33);
	put8(&w, 0);
	put_rrtail(&w, 41, 1232, 0, 0);
	put_ptr(&w, 12);
	put_rrtail(&w, DNS_TYPE_CNAME, DNS_CLASS_IN, 1, 2);
	put_ptr(&w, 12);
	set_counts(&w, 1, 1, 3);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nanswers, 1);
	assert_int_equal(msg.nrecords, 2);
	assert_int_equal(msg.skipped, 3);
	assert_false(msg.tail_bad);
	dns_record(&msg, 0, &rr);
	assert_int_equal(rr.type, DNS_TYPE_SRV);
	assert_int_equal(rr.section, DNS_SECTION_ANSWER);
	assert_int_equal(rr.priority, 10);
	assert_int_equal(rr.port, 5222);
	assert_name(&rr.target, "xmpp.example.org");
	assert_int_equal(dns_rr_naddrs(&rr), 0);
	dns_record(&msg, 1, &rr);
	assert_a(&rr, "xmpp.example.org", 60, 192, 0, 2, 33);
	assert_int_equal(rr.section, DNS_SECTION_ADDITIONAL);
	assert_int_equal(dns_rr_naddrs(&rr), 1);
	assert_int_equal(dns_rr_addr(&msg, &rr, 0, addr), 4);
	assert_memory_equal(addr, "\xc0\x00\x02\x21", 4);

	/* a tail that does not read keeps the answers: tail_bad */
	set_counts(&w, 1, 1, 4);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_true(msg.tail_bad);
	assert_int_equal(msg.nanswers, 1);
	assert_int_equal(msg.nrecords, 2);
	/* an SRV whose data does not read is dropped, as a client drops it */
	w.b[srv + 10] = 0; /* its rdlength now 5: no room for the target */
	w.b[srv + 11] = 5;
	w.len = srv + 12 + 5;
	set_counts(&w, 1, 0, 0);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nrecords, 0);
	assert_int_equal(msg.skipped, 1);
	/* an A record in the authority section is not kept */
	put_header(&w, 1, 0);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_a(&w, 60, 192, 0, 2, 9);
	set_counts(&w, 0, 1, 0);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.nrecords, 0);
	assert_int_equal(msg.skipped, 1);
}

/* An HTTPS record: rdata of priority, target, params (RFC 9460 2.2). */
static void put_https(struct wire *w, unsigned int prio, const char *target, const void *params,
		      size_t plen)
{
	struct wire t;

	t.len = 0;
	if (*target)
		put_name(&t, target);
	else
		put8(&t, 0);
	put_ptr(w, 12);
	put_rrtail(w, DNS_TYPE_HTTPS, DNS_CLASS_IN, 300,
		   2 + (unsigned int)t.len + (unsigned int)plen);
	put16(w, prio);
	put_bytes(w, t.b, t.len);
	put_bytes(w, params, plen);
}

static enum dns_status https_only(unsigned int prio, const char *target, const void *params,
				  size_t plen)
{
	static struct wire w;

	put_header(&w, 1, 1);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_HTTPS);
	put_https(&w, prio, target, params, plen);
	return wparse(&w);
}

static void test_svcb_hints(void **state)
{
	/* alpn=h2, ipv4hint=192.0.2.1,192.0.2.2, ipv6hint=2001:db8::1 */
	static const uint8_t params[] = { 0,	1, 0,	3, 2, 'h', '2', 0, 4, 0,  8,	192, 0,
					  2,	1, 192, 0, 2, 2,   0,	6, 0, 16, 0x20, 1,   0x0d,
					  0xb8, 0, 0,	0, 0, 0,   0,	0, 0, 0,  0,	0,   1 };
	struct dns_rr rr;
	uint8_t addr[16];

	(void)state;
	assert_int_equal(https_only(1, "", params, sizeof(params)), DNS_OK);
	assert_int_equal(msg.nanswers, 1);
	dns_record(&msg, 0, &rr);
	assert_int_equal(rr.type, DNS_TYPE_HTTPS);
	assert_int_equal(rr.priority, 1);
	/* service mode with target ".": the owner itself */
	assert_name(&rr.target, "cam.example.org");
	assert_int_equal(dns_rr_naddrs(&rr), 3);
	assert_int_equal(dns_rr_addr(&msg, &rr, 0, addr), 4);
	assert_memory_equal(addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(dns_rr_addr(&msg, &rr, 1, addr), 4);
	assert_memory_equal(addr, "\xc0\x00\x02\x02", 4);
	assert_int_equal(dns_rr_addr(&msg, &rr, 2, addr), 6);
	assert_memory_equal(addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

	/* another target */
	assert_int_equal(https_only(1, "svc.cdn.example", params, sizeof(params)), DNS_OK);
	dns_record(&msg, 0, &rr);
	assert_name(&rr.target, "svc.cdn.example");
	assert_int_equal(dns_rr_naddrs(&rr), 3);
	/* alias mode: params ignored; "." is nowhere */
	assert_int_equal(https_only(0, "svc.cdn.example", params, sizeof(params)), DNS_OK);
	dns_record(&msg, 0, &rr);
	assert_name(&rr.target, "svc.cdn.example");
	assert_int_equal(dns_rr_naddrs(&rr), 0);
	assert_int_equal(https_only(0, "", "", 0), DNS_OK);
	dns_record(&msg, 0, &rr);
	assert_int_equal(rr.target.len, 0);
}

/*
 * An SVCB or HTTPS record whose data does not read is dropped, as a client
 * drops it (RFC 9460 2.4.3), and the message read on: its A record kept.
 */
static enum dns_status https_and_a(unsigned int prio, const void *params, size_t plen)
{
	static struct wire w;

	put_header(&w, 1, 2);
	put_name(&w, "cam.example.org");
	put_qtail(&w, DNS_TYPE_HTTPS);
	put_https(&w, prio, "x.example", params, plen);
	put_ptr(&w, 12);
	put_a(&w, 60, 192, 0, 2, 7);
	return wparse(&w);
}

static void test_svcb_malformed(void **state)
{
	/* keys out of order, a key twice, hints of a bad length, a param cut short */
	static const uint8_t order[] = { 0, 4, 0, 4, 192, 0, 2, 1, 0, 1, 0, 3, 2, 'h', '2' };
	static const uint8_t twice[] = { 0, 4, 0, 4, 192, 0, 2, 1, 0, 4, 0, 4, 192, 0, 2, 2 };
	static const uint8_t len4[] = { 0, 4, 0, 5, 192, 0, 2, 1, 9 };
	static const uint8_t empty4[] = { 0, 4, 0, 0 };
	static const uint8_t len6[] = { 0, 6, 0, 4, 192, 0, 2, 1 };
	static const uint8_t cut[] = { 0, 4, 0, 8, 192, 0, 2, 1 };
	static const uint8_t half[] = { 0, 4, 0 };
	static const struct {
		const uint8_t *p;
		size_t len;
	} bad[] = { { order, sizeof(order) },	{ twice, sizeof(twice) }, { len4, sizeof(len4) },
		    { empty4, sizeof(empty4) }, { len6, sizeof(len6) },	  { cut, sizeof(cut) },
		    { half, sizeof(half) } };
	struct dns_rr rr;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(https_and_a(1, bad[i].p, bad[i].len), DNS_OK);
		assert_int_equal(msg.nrecords, 1);
		assert_int_equal(msg.skipped, 1);
		assert_a(an(0), "cam.example.org", 60, 192, 0, 2, 7);
	}
	/* in alias mode the params are not read at all */
	assert_int_equal(https_and_a(0, cut, sizeof(cut)), DNS_OK);
	assert_int_equal(msg.nrecords, 2);
	dns_record(&msg, 0, &rr);
	assert_name(&rr.target, "x.example");
	assert_int_equal(dns_rr_naddrs(&rr), 0);
}

static void test_too_many_questions(void **state)
{
	struct wire w;
	unsigned int i;

	(void)state;
	put_header(&w, 6, 0);
	for (i = 0; i < 6; i++) {
		char n[8];

		snprintf(n, sizeof(n), "q%u.org", i);
		put_name(&w, n);
		put_qtail(&w, DNS_TYPE_A);
	}
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(msg.qdcount, 6);
	assert_int_equal(msg.nquestions, DNS_MAX_QUESTIONS);
	assert_name(&msg.q[3].name, "q3.org");

	/* the ones not kept are still read */
	put_header(&w, 6, 0);
	for (i = 0; i < 5; i++) {
		put_labels(&w, "q");
		put8(&w, 0);
		put_qtail(&w, DNS_TYPE_A);
	}
	put8(&w, 0x80);
	put_qtail(&w, DNS_TYPE_A);
	assert_int_equal(wparse(&w), DNS_MALFORMED);
}

static void test_ttl(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 0, 3);
	put_name(&w, "a");
	put_a(&w, 0x80000001u, 192, 0, 2, 1);
	put_name(&w, "a");
	put_a(&w, 0x7fffffffu, 192, 0, 2, 2);
	put_name(&w, "a");
	put_a(&w, 0xffffffffu, 192, 0, 2, 3);
	assert_int_equal(wparse(&w), DNS_OK);
	assert_int_equal(an(0)->ttl, 0);
	assert_int_equal(an(1)->ttl, 0x7fffffffu);
	assert_int_equal(an(2)->ttl, 0);
}

/* Header bits, and sections after the answers never read. */
static void test_header_and_tail(void **state)
{
	struct wire w;

	(void)state;
	put_header(&w, 1, 1);
	w.b[2] = 0x80 | 2 << 3 | 0x02; /* QR, opcode 2 (STATUS), TC */
	w.b[3] = 0x05;		       /* REFUSED */
	w.b[9] = 1;		       /* nscount 1 */
	put_name(&w, "a");
	put_qtail(&w, DNS_TYPE_A);
	put_ptr(&w, 12);
	put_a(&w, 7, 192, 0, 2, 1);
	put_bytes(&w, "\xc0\xff\x40garbage", 10); /* the "authority" section */
	assert_int_equal(wparse(&w), DNS_OK);
	assert_true(msg.qr);
	assert_true(msg.tc);
	assert_int_equal(msg.opcode, 2);
	assert_int_equal(msg.rcode, 5);
	assert_int_equal(msg.nanswers, 1);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(dns_status_str(DNS_OK), "ok");
	assert_string_equal(dns_status_str(DNS_NEED_MORE), "need more");
	assert_string_equal(dns_status_str(DNS_TRUNCATED), "truncated");
	assert_string_equal(dns_status_str(DNS_MALFORMED), "malformed");
	assert_string_equal(dns_status_str((enum dns_status)42), "unknown");
	assert_string_equal(dns_type_str(DNS_TYPE_A), "A");
	assert_string_equal(dns_type_str(DNS_TYPE_AAAA), "AAAA");
	assert_string_equal(dns_type_str(DNS_TYPE_CNAME), "CNAME");
	assert_null(dns_type_str(16));
	assert_null(dns_type_str(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_multi),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_tcp_answer),
		cmocka_unit_test(test_tcp_zero_length),
		cmocka_unit_test(test_tcp_short_prefix),
		cmocka_unit_test(test_truncate_everywhere),
		cmocka_unit_test(test_lower_case),
		cmocka_unit_test(test_odd_bytes_kept),
		cmocka_unit_test(test_label_with_dot),
		cmocka_unit_test(test_label_types),
		cmocka_unit_test(test_root_name),
		cmocka_unit_test(test_pointer_self_loop),
		cmocka_unit_test(test_pointer_two_loop),
		cmocka_unit_test(test_pointer_not_before_previous),
		cmocka_unit_test(test_pointer_forward),
		cmocka_unit_test(test_pointer_into_header),
		cmocka_unit_test(test_pointer_hops),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_counts_beyond_data),
		cmocka_unit_test(test_rdata_lengths),
		cmocka_unit_test(test_cname_rdata),
		cmocka_unit_test(test_many_answers),
		cmocka_unit_test(test_srv_and_additional),
		cmocka_unit_test(test_svcb_hints),
		cmocka_unit_test(test_svcb_malformed),
		cmocka_unit_test(test_too_many_questions),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_header_and_tail),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
