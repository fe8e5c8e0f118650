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
#include <string.h>

#include "engine/names.h"

static const uint8_t CAM[16] = { 192, 168, 1, 64 };
static const uint8_t LAPTOP[16] = { 192, 168, 1, 20 };
static const uint8_t CLOUD[16] = { 198, 51, 100, 7 };
static const uint8_t CLOUD2[16] = { 198, 51, 100, 8 };

#define NOW 1000000 /* ms */

/* What the device at (family, dev), known by its address, learns and looks up. */
static size_t learn(struct names *n, uint8_t family, const uint8_t dev[16], const struct dns_msg *m,
		    uint64_t now)
{
	struct names_dev d;

	names_dev_addr(&d, family, dev);
	return names_learn(n, &d, m, now);
}

static size_t lookup(struct names *n, uint8_t family, const uint8_t dev[16], const uint8_t srv[16],
		     uint64_t now, const struct name **out, size_t max)
{
	struct names_dev d;

	names_dev_addr(&d, family, dev);
	return names_lookup(n, &d, family, srv, now, out, max);
}

static void set_name(struct name *n, const char *s)
{
	assert_int_equal(name_set(n, (const uint8_t *)s, strlen(s)), 0);
}

/* A response to the question q, without answers yet. */
static void response(struct dns_msg *m, const char *q)
{
	memset(m, 0, sizeof(*m));
	m->qr = true;
	m->nquestions = 1;
	set_name(&m->q[0].name, q);
	m->q[0].type = DNS_TYPE_A;
}

static void add_a(struct dns_msg *m, const char *owner, uint32_t ttl, const uint8_t addr[16])
{
	struct dns_rr *rr = &m->an[m->nanswers++];

	set_name(&rr->name, owner);
	rr->type = DNS_TYPE_A;
	rr->ttl = ttl;
	memcpy(rr->addr, addr, 4);
}

static void add_cname(struct dns_msg *m, const char *owner, uint32_t ttl, const char *target)
{
	struct dns_rr *rr = &m->an[m->nanswers++];

	set_name(&rr->name, owner);
	rr->type = DNS_TYPE_CNAME;
	rr->ttl = ttl;
	set_name(&rr->target, target);
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
	struct dns_msg m;
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
	struct dns_msg m;
	const struct name *out[NAMES_PER_ADDR];

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	response(&m, "a.example.com");
	/* out of order, with a record off the chain */
	add_a(&m, "c.edge.net", 300, CLOUD);
	add_cname(&m, "b.cdn.net", 300, "c.edge.net");
	add_a(&m, "evil.example.org", 300, CLOUD2);
	add_cname(&m, "a.example.com", 300, "b.cdn.net");
	assert_int_equal(learn(&n, 4, CAM, &m, NOW), 1);
	assert_int_equal(n.st.ignored, 1);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD2, NOW, out, NAMES_PER_ADDR), 0);
	assert_int_equal(lookup(&n, 4, CAM, CLOUD, NOW, out, NAMES_PER_ADDR), 3);
	assert_string_equal(out[0]->s, "a.example.com"); /* the question's name first */
	assert_true(!strcmp(out[1]->s, "b.cdn.net") || !strcmp(out[2]->s, "b.cdn.net"));
	assert_true(!strcmp(out[1]->s, "c.edge.net") || !strcmp(out[2]->s, "c.edge.net"));
	assert_int_equal(n.st.learned, 3);
	names_fini(&n);
}

static void test_ttl_floor_and_expiry(void **state)
{
	struct names n;
	struct dns_msg m;
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
	struct dns_msg m;
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

static void test_names_per_address_bound(void **state)
{
	struct names n;
	struct dns_msg m;
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
	struct dns_msg m;
	const struct name *out[NAMES_PER_ADDR];
	struct dns_rr *rr;

	(void)state;
	assert_int_equal(names_init(&n, 64, 60), 0);
	names_dev_mac(&cam, mac);
	/* an AAAA answer over IPv4 serves the device's IPv6 flows: keyed by its MAC */
	response(&m, "fw.hikvision.com");
	rr = &m.an[m.nanswers++];
	set_name(&rr->name, "fw.hikvision.com");
	rr->type = DNS_TYPE_AAAA;
	rr->ttl = 300;
	memcpy(rr->addr, cloud6, 16);
	add_a(&m, "fw.hikvision.com", 300, CLOUD);
	assert_int_equal(names_learn(&n, &cam, &m, NOW), 2);
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
	struct dns_msg m;
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
	struct dns_msg m;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_and_lookup),
		cmocka_unit_test(test_keyed_by_mac),
		cmocka_unit_test(test_ruled_names_outlast_others),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_ttl_floor_and_expiry),
		cmocka_unit_test(test_entry_bound_evicts_oldest),
		cmocka_unit_test(test_names_per_address_bound),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
