/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_names.c - the learned name cache on DNS messages built field by
 * field: the CNAME chain, lookup by (device, server), the TTL floor and
 * expiry against `now`, the bounds and what they evict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/names.h"

static const uint8_t CAM[16] = { 192, 168, 1, 64 };
static const uint8_t LAPTOP[16] = { 192, 168, 1, 20 };
static const uint8_t CLOUD[16] = { 198, 51, 100, 7 };
static const uint8_t CLOUD2[16] = { 198, 51, 100, 8 };

#define NOW 1000000 /* ms */

struct msgb;
static const struct dns_msg *parsed(const struct msgb *m);

/* What the device at (family, dev), known by its address, learns and looks up. */
static size_t learn(struct names *n, uint8_t family, const uint8_t dev[16], const struct msgb *m,
		    uint64_t now)
{
	struct names_dev d;

	names_dev_addr(&d, family, dev);
	return names_learn(n, &d, parsed(m), now);
}

static size_t lookup(struct names *n, uint8_t family, const uint8_t dev[16], const uint8_t srv[16],
		     uint64_t now, const struct name **out, size_t max)
{
	struct names_dev d;

	names_dev_addr(&d, family, dev);
	return names_lookup(n, &d, family, srv, now, out, max);
}

/* A DNS response built on the wire, names written out in full. */
struct msgb {
	uint8_t b[DNS_MSG_MAX];
	size_t len;
	unsigned int an, ar;
	bool qr;
};

static void put(struct msgb *m, const void *p, size_t n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put16(struct msgb *m, unsigned int v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

static void put_name(struct msgb *m, const char *dotted)
{
	while (*dotted) {
		size_t n = strcspn(dotted, ".");
		uint8_t len = (uint8_t)n;

		put(m, &len, 1);
		put(m, dotted, n);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
	put(m, "", 1);
}

/* A record's fixed part; its rdata follows, rdlength written by rr_end(). */
static size_t rr_start(struct msgb *m, const char *owner, unsigned int type, uint32_t ttl,
		       bool additional)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, DNS_CLASS_IN);
	put16(m, ttl >> 16);
	put16(m, ttl & 0xffff);
	put16(m, 0);
	if (additional)
		m->ar++;
	else
		m->an++;
	return m->len;
}

static void rr_end(struct msgb *m, size_t rdstart)
{
	size_t n = m->len - rdstart;

	m->b[rdstart - 2] = (uint8_t)(n >> 8);
	m->b[rdstart - 1] = (uint8_t)n;
}

/* A response to the question q (of type A), without answers yet. */
static void response(struct msgb *m, const char *q)
{
	memset(m, 0, sizeof(*m));
	m->qr = true;
	m->len = 12;
	put_name(m, q);
	put16(m, DNS_TYPE_A);
	put16(m, DNS_CLASS_IN);
}

static void add_addr(struct msgb *m, const char *owner, uint32_t ttl, uint8_t fam,
		     const uint8_t addr[16], bool additional)
{
	size_t rd = rr_start(m, owner, fam == 4 ? DNS_TYPE_A : DNS_TYPE_AAAA, ttl, additional);

	put(m, addr, fam == 4 ? 4 : 16);
	rr_end(m, rd);
}

static void add_a(struct msgb *m, const char *owner, uint32_t ttl, const uint8_t addr[16])
{
	add_addr(m, owner, ttl, 4, addr, false);
}

static void add_cname(struct msgb *m, const char *owner, uint32_t ttl, const char *target)
{
	size_t rd = rr_start(m, owner, DNS_TYPE_CNAME, ttl, false);

	put_name(m, target);
	rr_end(m, rd);
}

static void add_srv(struct msgb *m, const char *owner, uint32_t ttl, const char *target)
{
	size_t rd = rr_start(m, owner, DNS_TYPE_SRV, ttl, false);

	put16(m, 10); /* priority */
	put16(m, 5);  /* weight */
	put16(m, 443);
	put_name(m, target);
	rr_end(m, rd);
}

/* An HTTPS record to target ("" for "."), with n4 IPv4 hints from hint4. */
static void add_https(struct msgb *m, const char *owner, uint32_t ttl, unsigned int priority,
		      const char *target, const uint8_t (*hint4)[16], unsigned int n4)
{
	size_t rd = rr_start(m, owner, DNS_TYPE_HTTPS, ttl, false);

	put16(m, priority);
	put_name(m, target);
	put16(m, 1); /* alpn="h2" */
	put16(m, 3);
	put(m, "\x02h2", 3);
	if (n4) {
		put16(m, 4); /* ipv4hint */
		put16(m, 4 * n4);
		for (unsigned int i = 0; i < n4; i++)
			put(m, hint4[i], 4);
	}
	rr_end(m, rd);
}

/* The message m, read by dns_parse() (one for the whole run: large). */
static const struct dns_msg *parsed(const struct msgb *m)
{
	static struct dns_msg msg;
	uint8_t h[12] = { 0xbe, 0xef, m->qr ? 0x81 : 0x01,   m->qr ? 0x80 : 0,
			  0,	1,    (uint8_t)(m->an >> 8), (uint8_t)m->an,
			  0,	0,    (uint8_t)(m->ar >> 8), (uint8_t)m->ar };
	uint8_t *wire = malloc(m->len);

	assert_non_null(wire);
	memcpy(wire, m->b, m->len);
	memcpy(wire, h, sizeof(h));
	assert_int_equal(dns_parse(wire, m->len, &msg), DNS_OK);
	free(wire);
	return &msg;
}

/* The server address i of a family of servers. */
static void server(uint8_t addr[16], int i)
{
	memset(addr, 0, 16);
	addr[0] = 203;
	addr[1] = 0;
	addr[2] = (uint8_t)(i >> 8);
	addr[3] = (uint8_t)i;
}

static void test_learn_and_lookup(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	response(&m, "Cam.EZVIZLife.com");
	add_a(&m, "cam.ezvizlife.com", 300, CLOUD);
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 1);
	assert_int_equal(n.st.learned, 1);
	assert_int_equal(n.st.entries, 1);

	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "cam.ezvizlife.com");
	/* another server, another device: nothing learned for them */
	assert_int_equal(lookup(&n, 4, CAM, CLOUD2, NOW, out, NAMES_PER_ADDR), 0);
	assert_int_equal(lookup(&n, 4, LAPTOP, CLOUD, NOW, out, NAMES_PER_ADDR), 0);
	/* max bounds what is written */
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, 0), 0);

	/* a query, not an answer, teaches nothing */
	m.qr = false;
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 0);
	/* an A answer reaching the device over IPv6 is not keyed by its IPv4 address */
	m.qr = true;
	assert_int_equal(learn(&n, 6, CAM, &m, NOW), 0);
	assert_int_equal(n.st.learned, 1);

	names_flush(&n);
	assert_int_equal(n.st.entries, 0);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 0);
	names_fini(&n);
}

static void test_cname_chain(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	response(&m, "a.example.com");
	/* out of order, with a record off the chain */
	add_a(&m, "c.edge.net", 300, CLOUD);
	add_cname(&m, "b.cdn.net", 300, "c.edge.net");
	add_a(&m, "evil.example.org", 300, CLOUD2);
	add_cname(&m, "a.example.com", 300, "b.cdn.net");
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 2);
	assert_int_equal(n.st.ignored, 0);
	/* the record off the chain: the question's address, never its owner's name */
	assert_int_equal(lookup(&n, 4, CAM, CLOUD2, NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "a.example.com");
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 3);
	assert_string_equal(out[0]->s, "a.example.com"); /* the question's name first */
	assert_true(!strcmp(out[1]->s, "b.cdn.net") || !strcmp(out[2]->s, "b.cdn.net"));
	assert_true(!strcmp(out[1]->s, "c.edge.net") || !strcmp(out[2]->s, "c.edge.net"));
	assert_int_equal(n.st.learned, 4);
	names_fini(&n);
}

static void test_ttl_floor_and_expiry(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	/* TTL 10 s under a 60 s floor: the name lives 60 s */
	response(&m, "short.example.com");
	add_a(&m, "short.example.com", 10, CLOUD);
	learn(&n, 4, CAM, &m, NOW);
	/* TTL 120 s over the floor: its own */
	response(&m, "long.example.com");
	add_a(&m, "long.example.com", 120, CLOUD2);
	learn(&n, 4, CAM, &m, NOW);

	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW + 10000, out, NAMES_PER_ADDR), 1);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW + 59999, out, NAMES_PER_ADDR), 1);
	assert_int_equal(n.st.expired, 0);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW + 60000, out, NAMES_PER_ADDR), 0);
	assert_int_equal(n.st.expired, 1);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD2, NOW + 119999, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "long.example.com");
	assert_int_equal(lookup(&n, 4, CAM, CLOUD2, NOW + 120000, out, NAMES_PER_ADDR), 0);
	assert_int_equal(n.st.expired, 2);

	/* learning again extends the lifetime */
	response(&m, "short.example.com");
	add_a(&m, "short.example.com", 10, CLOUD);
	learn(&n, 4, CAM, &m, NOW + 100000);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW + 159999, out, NAMES_PER_ADDR), 1);
	names_fini(&n);
}

static void test_entry_bound_evicts_oldest(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];
	uint8_t srv[16];
	char q[32];
	int i;

	(void)state;
	assert_int_equal(names_init(&n, 16, 60), 0);
	for (i = 0; i < 40; i++) {
		snprintf(q, sizeof(q), "n%d.example.org", i);
		server(srv, i);
		response(&m, q);
		add_a(&m, q, 300, srv);
		assert_int_equal(learn(&n, 4, CAM, &m, NOW + (uint64_t)i), 1);
	}
	assert_int_equal(n.st.entries, 16);
	assert_int_equal(n.st.evicted, 40 - 16);
	assert_int_equal(n.st.learned, 40);
	/* the first ones went, the last 16 stay */
	server(srv, 0);
	assert_int_equal(lookup(&n, 4, CAM, srv, NOW + 100, out, NAMES_PER_ADDR), 0);
	server(srv, 23);
	assert_int_equal(lookup(&n, 4, CAM, srv, NOW + 100, out, NAMES_PER_ADDR), 0);
	server(srv, 24);
	assert_int_equal(lookup(&n, 4, CAM, srv, NOW + 100, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "n24.example.org");
	server(srv, 39);
	assert_int_equal(lookup(&n, 4, CAM, srv, NOW + 100, out, NAMES_PER_ADDR), 1);
	names_fini(&n);
}

/* One string per name, however many entries hold it; it goes with the last. */
static void test_names_shared(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];
	uint8_t srv[16];
	int i;

	(void)state;
	assert_int_equal(names_init(&n, 16, 60), 0);
	response(&m, "cdn.example.org");
	for (i = 0; i < 8; i++) {
		server(srv, i);
		add_a(&m, "cdn.example.org", 30, srv);
	}
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 8);
	assert_int_equal(learn(&n, 4, LAPTOP, &m, NOW), 8);
	assert_int_equal(n.st.entries, 16);
	assert_int_equal(n.pool.count, 1);
	for (i = 0; i < 8; i++) {
		server(srv, i);
		assert_int_equal(lookup(&n, 4, LAPTOP, srv, NOW + 1000, out, NAMES_PER_ADDR), 1);
		assert_string_equal(out[0]->s, "cdn.example.org");
	}
	/* another name pushes the oldest entries out: the shared string stays */
	response(&m, "other.example.org");
	server(srv, 100);
	add_a(&m, "other.example.org", 30, srv);
	assert_int_equal(learn(&n, 4, CAM, &m, NOW + 1), 1);
	assert_int_equal(n.st.evicted, 1);
	assert_int_equal(n.pool.count, 2);
	/* expired, the strings go with their entries' names */
	for (i = 0; i < 8; i++) {
		server(srv, i);
		lookup(&n, 4, CAM, srv, NOW + 61000, out, NAMES_PER_ADDR);
		lookup(&n, 4, LAPTOP, srv, NOW + 61000, out, NAMES_PER_ADDR);
	}
	assert_int_equal(n.pool.count, 1);
	names_flush(&n);
	assert_int_equal(n.pool.count, 0);
	assert_null(n.pool.slot);
	names_fini(&n);
}

/* The pool under many names coming and going: each still found, none twice. */
static void test_pool_churn(void **state)
{
	static const uint8_t key[SIPHASH_KEY_LEN] = { 1, 2, 3 };
	struct pooled_name *held[512] = { 0 };
	struct name nm, back;
	struct name_pool p;
	unsigned int i, r = 12345, live = 0;
	char buf[32];

	(void)state;
	name_pool_init(&p, key);
	for (i = 0; i < 20000; i++) {
		unsigned int k;

		r = r * 1103515245 + 12345;
		k = (r >> 8) % 512;
		snprintf(buf, sizeof(buf), "n%u.example", k);
		assert_int_equal(name_set(&nm, (const uint8_t *)buf, strlen(buf)), 0);
		if (held[k]) {
			/* asked again, the same string */
			struct pooled_name *again = name_pool_get(&p, &nm);

			assert_ptr_equal(again, held[k]);
			name_pool_put(&p, again);
			name_pool_put(&p, held[k]);
			held[k] = NULL;
			live--;
		} else {
			held[k] = name_pool_get(&p, &nm);
			assert_non_null(held[k]);
			pooled_name_copy(held[k], &back);
			assert_true(name_eq(&back, &nm));
			live++;
		}
		assert_int_equal(p.count, live);
	}
	for (i = 0; i < 512; i++)
		if (held[i])
			name_pool_put(&p, held[i]);
	assert_int_equal(p.count, 0);
	name_pool_fini(&p);
}

static void test_names_per_address_bound(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR + 1];
	char q[32];
	size_t k, got;
	int i;

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	/* NAMES_PER_ADDR + 1 names for one server, each learned a moment later */
	for (i = 0; i <= NAMES_PER_ADDR; i++) {
		snprintf(q, sizeof(q), "s%d.example.net", i);
		response(&m, q);
		add_a(&m, q, 300, CLOUD);
		learn(&n, 4, CAM, &m, NOW + (uint64_t)i);
	}
	assert_int_equal(n.st.learned, NAMES_PER_ADDR + 1);
	assert_int_equal(n.st.entries, 1);
	got = lookup(&n, 4, CAM, CLOUD, NOW + 100, out, NAMES_PER_ADDR + 1);
	assert_int_equal(got, NAMES_PER_ADDR);
	/* the latest question in front; the one expiring first gave way */
	snprintf(q, sizeof(q), "s%d.example.net", NAMES_PER_ADDR);
	assert_string_equal(out[0]->s, q);
	for (k = 0; k < got; k++)
		assert_string_not_equal(out[k]->s, "s0.example.net");
	names_fini(&n);
}

static void test_keyed_by_mac(void **state)
{
	static const uint8_t mac[6] = { 0x44, 0x47, 0xcc, 0, 0, 0x64 };
	static const uint8_t cloud6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	struct names_dev cam, other;
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	names_dev_mac(&cam, mac);
	/* an AAAA answer over IPv4 serves the device's IPv6 flows: keyed by its MAC */
	response(&m, "fw.hikvision.com");
	add_addr(&m, "fw.hikvision.com", 300, 6, cloud6, false);
	add_a(&m, "fw.hikvision.com", 300, CLOUD);
	assert_int_equal(names_learn(&n, &cam, parsed(&m), NOW), 2);
	assert_int_equal(names_lookup(&n, &cam, 6, cloud6, NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "fw.hikvision.com");
	assert_int_equal(names_lookup(&n, &cam, 4, CLOUD, NOW, out, NAMES_PER_ADDR), 1);
	/* not the same family's address: no mix-up of the two keys */
	assert_int_equal(names_lookup(&n, &cam, 4, cloud6, NOW, out, NAMES_PER_ADDR), 0);
	/* another MAC, or the device's address, did not learn it */
	names_dev_mac(&other, (const uint8_t *)"\x44\x47\xcc\x00\x00\x65");
	assert_int_equal(names_lookup(&n, &other, 6, cloud6, NOW, out, NAMES_PER_ADDR), 0);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 0);
	/* known by its IPv4 address only, the AAAA record is of no use */
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 1);
	names_fini(&n);
}

/* The names a rule asks for, in these tests: the vendor's. */
static bool vendor_name(const struct name *nm, const void *arg)
{
	(void)arg;
	return nm->len > 14 && !strcmp(nm->s + nm->len - 14, ".hikvision.com");
}

/* The camera learns count names of its own, each for a server of its own. */
static void flood(struct names *n, int count)
{
	struct msgb m;
	uint8_t srv[16];
	char q[32];

	for (int i = 0; i < count; i++) {
		snprintf(q, sizeof(q), "f%d.flood.example", i);
		server(srv, i);
		response(&m, q);
		add_a(&m, q, 300, srv);
		learn(n, 4, CAM, &m, NOW + 1 + (uint64_t)i);
	}
}

static void test_ruled_names_outlast_others(void **state)
{
	struct names n;
	struct msgb m;
	const struct name *out[NAMES_PER_ADDR];
	char q[32];
	int i;

	(void)state;
	assert_int_equal(names_init(&n, 16, 60), 0);
	names_set_keep(&n, vendor_name, NULL);
	response(&m, "fw.hikvision.com");
	add_a(&m, "fw.hikvision.com", 300, CLOUD);
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 1);
	/* a flood of answers for names of the camera's own, to other servers ... */
	flood(&n, 200);
	assert_int_equal(n.st.entries, 16);
	/* ... and to the vendor's own address, more than an entry holds */
	for (i = 0; i < 2 * NAMES_PER_ADDR; i++) {
		snprintf(q, sizeof(q), "g%d.flood.example", i);
		response(&m, q);
		add_a(&m, q, 300, CLOUD);
		learn(&n, 4, CAM, &m, NOW + 300 + (uint64_t)i);
	}
	/* the vendor's name is still there for its address */
	assert_true(lookup(&n, 4, CAM, CLOUD, NOW + 1000, out, NAMES_PER_ADDR) >= 1);
	for (i = 0; i < NAMES_PER_ADDR && strcmp(out[i]->s, "fw.hikvision.com"); i++)
		;
	assert_true(i < NAMES_PER_ADDR);
	/* without the rule's preference it would have gone */
	names_flush(&n);
	names_set_keep(&n, NULL, NULL);
	response(&m, "fw.hikvision.com");
	add_a(&m, "fw.hikvision.com", 300, CLOUD);
	learn(&n, 4, CAM, &m, NOW);
	flood(&n, 200);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW + 1000, out, NAMES_PER_ADDR), 0);
	names_fini(&n);
}

/* Does the entry hold name? */
static bool holds(const struct name *const *out, size_t got, const char *name)
{
	for (size_t i = 0; i < got; i++)
		if (!strcmp(out[i]->s, name))
			return true;
	return false;
}

/* A chain longer than any bound: its end is learned, with the names a rule asks for. */
static void test_long_chain(void **state)
{
	static struct msgb m;
	struct names n;
	const struct name *out[NAMES_PER_ADDR];
	char from[32], to[32];
	size_t got;
	int i, hops = 60;

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	names_set_keep(&n, vendor_name, NULL);
	response(&m, "c0.example.net");
	/* c0 -> c1 -> ... -> c59, c20 being fw.hikvision.com, written last first */
	for (i = hops - 1; i >= 0; i--) {
		snprintf(from, sizeof(from), i == 20 ? "fw.hikvision.com" : "c%d.example.net", i);
		snprintf(to, sizeof(to), i + 1 == 20 ? "fw.hikvision.com" : "c%d.example.net",
			 i + 1);
		add_cname(&m, from, 300, to);
	}
	add_a(&m, "c60.example.net", 300, CLOUD);
	/* a loop off the way back into it teaches nothing more */
	add_cname(&m, "c60.example.net", 300, "c3.example.net");
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 1);
	got = lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR);
	assert_int_equal(got, NAMES_PER_ADDR);
	assert_string_equal(out[0]->s, "c0.example.net");
	assert_true(holds(out, got, "c60.example.net"));
	assert_true(holds(out, got, "fw.hikvision.com")); /* 40 links away, kept */
	assert_true(holds(out, got, "c59.example.net"));  /* the nearest other */
	names_fini(&n);
}

/* SRV targets with their addresses in the additional section; records off the way ignored. */
static void test_srv_additional(void **state)
{
	static struct msgb m;
	struct names n;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	response(&m, "_p2p._udp.ezvizlife.com");
	add_srv(&m, "_p2p._udp.ezvizlife.com", 300, "p2p1.ezvizlife.com");
	add_srv(&m, "_p2p._udp.ezvizlife.com", 300, "p2p2.ezvizlife.com");
	add_addr(&m, "p2p1.ezvizlife.com", 300, 4, CLOUD, true);
	add_addr(&m, "p2p2.ezvizlife.com", 300, 4, CLOUD2, true);
	add_addr(&m, "unrelated.example.org", 300, 4, LAPTOP, true);
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 2);
	assert_int_equal(n.st.ignored, 1);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 2);
	assert_string_equal(out[0]->s, "_p2p._udp.ezvizlife.com");
	assert_string_equal(out[1]->s, "p2p1.ezvizlife.com");
	assert_int_equal(lookup(&n, 4, CAM, CLOUD2, NOW, out, NAMES_PER_ADDR), 2);
	assert_string_equal(out[1]->s, "p2p2.ezvizlife.com");
	assert_int_equal(lookup(&n, 4, CAM, LAPTOP, NOW, out, NAMES_PER_ADDR), 0);
	names_fini(&n);
}

/* HTTPS hints: addresses of the target, or of the owner for a target ".". */
static void test_https_hints(void **state)
{
	static struct msgb m;
	static const uint8_t hints[2][16] = { { 203, 0, 113, 1 }, { 203, 0, 113, 2 } };
	struct names n;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	response(&m, "cloud.hik-connect.com");
	add_https(&m, "cloud.hik-connect.com", 300, 1, "", hints, 1);
	add_https(&m, "cloud.hik-connect.com", 300, 2, "edge.cdn.example", hints + 1, 1);
	/* alias mode: no hints, but a link to follow */
	add_https(&m, "cloud.hik-connect.com", 300, 0, "alias.cdn.example", NULL, 0);
	add_a(&m, "alias.cdn.example", 300, CLOUD);
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 3);
	assert_int_equal(lookup(&n, 4, CAM, hints[0], NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "cloud.hik-connect.com");
	assert_int_equal(lookup(&n, 4, CAM, hints[1], NOW, out, NAMES_PER_ADDR), 2);
	assert_string_equal(out[1]->s, "edge.cdn.example");
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 2);
	assert_string_equal(out[1]->s, "alias.cdn.example");
	names_fini(&n);
}

/* Thousands of addresses in one answer: every one learned, within the table's bound. */
static void test_many_addresses(void **state)
{
	static struct msgb m;
	struct names n;
	const struct name *out[NAMES_PER_ADDR];
	uint8_t srv[16];
	int i, count = 1800; /* names written out in full: 32 bytes a record */

	(void)state;
	assert_int_equal(names_init(&n, 4096, 60), 0);
	response(&m, "many.example.org");
	for (i = 0; i < count; i++) {
		server(srv, i);
		add_a(&m, "many.example.org", 300, srv);
	}
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), count);
	assert_int_equal(n.st.entries, count);
	server(srv, count - 1);
	assert_int_equal(lookup(&n, 4, CAM, srv, NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "many.example.org");
	names_fini(&n);
}

/*
 * Learning in steps, a few addresses at a time with a way of the caller's,
 * learns what learning at once does; a target of any name is followed
 * (this one's unkeyed FNV hash was 0, once taken for "no target").
 */
static void test_learn_in_steps(void **state)
{
	static struct msgb m;
	static const uint8_t hints[3][16] = { { 203, 0, 113, 1 },
					      { 203, 0, 113, 2 },
					      { 203, 0, 113, 3 } };
	struct names n;
	struct way *w = way_new();
	struct way_pos pos = { 0 };
	const struct name *out[NAMES_PER_ADDR];
	size_t steps = 0, learned = 0;

	(void)state;
	assert_non_null(w);
	assert_int_equal(names_init(&n, 64, 60), 0);
	response(&m, "fw.hikvision.com");
	add_cname(&m, "fw.hikvision.com", 300, "tykrndevqd;kx3<e");
	add_a(&m, "tykrndevqd;kx3<e", 300, CLOUD);
	add_https(&m, "fw.hikvision.com", 300, 1, "", hints, 3);
	names_follow(&n, w, parsed(&m));
	while (!pos.done && steps++ < 10) {
		struct names_dev d;

		names_dev_addr(&d, 4, CAM);
		learned += names_learn_some(&n, w, &d, parsed(&m), NOW, &pos, 1);
	}
	assert_int_equal(learned, 4);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 2);
	assert_string_equal(out[0]->s, "fw.hikvision.com");
	assert_string_equal(out[1]->s, "tykrndevqd;kx3<e");
	assert_int_equal(lookup(&n, 4, CAM, hints[2], NOW, out, NAMES_PER_ADDR), 1);
	assert_int_equal(n.st.ignored, 0);
	names_fini(&n);
	way_free(w);
}

/*
 * What stub resolvers do with an answer: musl uses an address record off
 * the way for the question; an IPv4-mapped AAAA is reached over IPv4.
 */
static void test_stub_resolver_readings(void **state)
{
	static struct msgb m;
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 198, 51, 100, 7 };
	struct names_dev cam;
	struct names n;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	names_dev_mac(&cam, (const uint8_t *)"\x44\x47\xcc\x00\x00\x64");
	response(&m, "fw.hikvision.com");
	add_a(&m, "elsewhere.example.org", 300, CLOUD2);
	add_addr(&m, "fw.hikvision.com", 300, 6, mapped, false);
	/* in the additional section, off the way: not an answer */
	add_addr(&m, "other.example.org", 300, 4, LAPTOP, true);
	assert_int_equal(names_learn(&n, &cam, parsed(&m), NOW), 2);
	assert_int_equal(n.st.ignored, 1);
	assert_int_equal(names_lookup(&n, &cam, 4, CLOUD2, NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "fw.hikvision.com");
	assert_int_equal(names_lookup(&n, &cam, 4, CLOUD, NOW, out, NAMES_PER_ADDR), 1);
	assert_string_equal(out[0]->s, "fw.hikvision.com");
	names_fini(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_and_lookup),
		cmocka_unit_test(test_keyed_by_mac),
		cmocka_unit_test(test_ruled_names_outlast_others),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_srv_additional),
		cmocka_unit_test(test_https_hints),
		cmocka_unit_test(test_many_addresses),
		cmocka_unit_test(test_learn_in_steps),
		cmocka_unit_test(test_stub_resolver_readings),
		cmocka_unit_test(test_ttl_floor_and_expiry),
		cmocka_unit_test(test_entry_bound_evicts_oldest),
		cmocka_unit_test(test_names_per_address_bound),
		cmocka_unit_test(test_names_shared),
		cmocka_unit_test(test_pool_churn),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
