/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_netaddr.c - addresses and CIDR prefixes: parsing, containment, text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "base/netaddr.h"

static struct cidr parse_ok(const char *s)
{
	struct cidr c;

	if (cidr_parse(s, &c))
		fail_msg("'%s' was refused", s);
	return c;
}

/* s parses and prints back as want. */
static void round_trip(const char *s, const char *want, uint8_t family, uint8_t len)
{
	struct cidr c = parse_ok(s);
	char buf[CIDR_STR_MAX];

	assert_int_equal(c.family, family);
	assert_int_equal(c.len, len);
	cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, want);
	/* and the text reads back the same */
	{
		struct cidr d = parse_ok(buf);

		assert_memory_equal(&c, &d, sizeof(c));
	}
}

static void test_parse(void **state)
{
	struct cidr c;

	(void)state;
	round_trip("192.0.2.0/24", "192.0.2.0/24", 4, 24);
	round_trip("192.0.2.1", "192.0.2.1/32", 4, 32);
	round_trip("192.0.2.1/32", "192.0.2.1/32", 4, 32);
	round_trip("0.0.0.0/0", "0.0.0.0/0", 4, 0);
	round_trip("128.0.0.0/1", "128.0.0.0/1", 4, 1);
	round_trip("10.0.0.0/7", "10.0.0.0/7", 4, 7);
	round_trip("255.255.255.254/31", "255.255.255.254/31", 4, 31);
	round_trip("2001:db8::/32", "2001:db8::/32", 6, 32);
	round_trip("2001:DB8:0:0::/64", "2001:db8::/64", 6, 64);
	round_trip("::/0", "::/0", 6, 0);
	round_trip("::1", "::1/128", 6, 128);
	round_trip("fe80::1/128", "fe80::1/128", 6, 128);
	round_trip("::ffff:192.0.2.1", "::ffff:192.0.2.1/128", 6, 128);
	round_trip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127",
		   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 6, 127);
	round_trip("2001:db8:8000::/33", "2001:db8:8000::/33", 6, 33);

	/* IPv4 sits in the first four bytes; the rest is zero */
	c = parse_ok("192.0.2.0/24");
	assert_memory_equal(c.addr, "\xc0\x00\x02\x00\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	c = parse_ok("2001:db8::/32");
	assert_memory_equal(c.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

static void test_host_bits(void **state)
{
	static const char *const bad[] = {
		"192.0.2.1/24",	  "11.0.0.0/7", "0.0.0.1/0", "192.0.2.3/31",
		"2001:db8::1/64", "::1/127",	"::1/0",     "2001:db9::/31",
		"8000::/0",	  "1.0.0.0/7",	NULL,
	};
	const char *const *b;

	(void)state;
	for (b = bad; *b; b++) {
		struct cidr c = { .family = 99, .len = 99 };

		if (cidr_parse(*b, &c) != -EBADMSG)
			fail_msg("'%s' is not -EBADMSG", *b);
		/* nothing written on failure */
		assert_int_equal(c.family, 99);
		assert_int_equal(c.len, 99);
	}
}

static void test_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"/",
		"/24",
		"1.2.3",
		"1.2.3.4.5",
		"1.2.3.256",
		"1.2.3.4/",
		"1.2.3.4/a",
		"1.2.3.4/-1",
		"1.2.3.4/+8",
		"1.2.3.4/ 8",
		"1.2.3.4/8x",
		"1.2.3.4/8 ",
		"1.2.3.4 /8",
		" 1.2.3.4",
		"1.2.3.4/33",
		"1.2.3.4/4294967328",
		"1.2.3.4/99999999999999999999999",
		"1.2.3.4/24/1",
		"::/129",
		"::/1280",
		"2001:db8::/0x20",
		"gggg::",
		"2001:db8:::1",
		"fe80::1%eth0",
		"1.2.3.4:80",
		"lan",
		"0123456789012345678901234567890123456789012345678901234567890123456789",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
		NULL,
	};
	const char *const *b;

	(void)state;
	for (b = bad; *b; b++) {
		struct cidr c = { .family = 99, .len = 99 };

		if (cidr_parse(*b, &c) != -EINVAL)
			fail_msg("'%s' is not -EINVAL", *b);
		assert_int_equal(c.family, 99);
	}
}

static uint8_t fam;
static uint8_t addr[16];

static const uint8_t *addr_of(const char *s)
{
	if (addr_parse(s, &fam, addr))
		fail_msg("'%s' is no address", s);
	return addr;
}

static bool contains(const char *cidr, const char *a)
{
	struct cidr c = parse_ok(cidr);
	const uint8_t *p = addr_of(a);

	return cidr_contains(&c, fam, p);
}

static void test_contains(void **state)
{
	(void)state;
	assert_true(contains("192.0.2.0/24", "192.0.2.0"));
	assert_true(contains("192.0.2.0/24", "192.0.2.255"));
	assert_false(contains("192.0.2.0/24", "192.0.3.0"));
	assert_false(contains("192.0.2.0/24", "192.0.1.255"));
	assert_true(contains("192.0.2.128/25", "192.0.2.200"));
	assert_false(contains("192.0.2.128/25", "192.0.2.127"));
	assert_true(contains("10.0.0.0/7", "11.255.255.255"));
	assert_false(contains("10.0.0.0/7", "12.0.0.0"));
	assert_true(contains("192.0.2.1/32", "192.0.2.1"));
	assert_false(contains("192.0.2.1/32", "192.0.2.0"));
	assert_true(contains("0.0.0.0/0", "255.255.255.255"));
	assert_true(contains("0.0.0.0/0", "0.0.0.0"));

	assert_true(contains("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(contains("2001:db8::/32", "2001:db9::"));
	assert_true(contains("2001:db8:8000::/33", "2001:db8:ffff::"));
	assert_false(contains("2001:db8:8000::/33", "2001:db8:7fff::"));
	assert_true(contains("::1/128", "::1"));
	assert_false(contains("::1/128", "::2"));
	assert_true(contains("fd00::/64", "fd00::abcd"));
	assert_false(contains("fd00::/64", "fd00:0:0:1::"));
	assert_true(contains("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));

	/* one family never contains the other, not even at /0 */
	assert_false(contains("0.0.0.0/0", "::"));
	assert_false(contains("0.0.0.0/0", "::ffff:192.0.2.1"));
	assert_false(contains("::/0", "192.0.2.1"));
	assert_false(contains("192.0.2.0/24", "::ffff:192.0.2.1"));
	assert_false(contains("::ffff:192.0.2.0/120", "192.0.2.1"));
	assert_false(contains("c000:200::/24", "192.0.2.1"));
	assert_false(contains("192.0.0.0/8", "c000:200::"));
}

static void test_list(void **state)
{
	struct cidr l[3];

	(void)state;
	l[0] = parse_ok("192.0.2.0/24");
	l[1] = parse_ok("2001:db8::/32");
	l[2] = parse_ok("10.0.0.0/8");
	assert_true(cidr_list_contains(l, 3, 4, addr_of("10.1.2.3")));
	assert_true(cidr_list_contains(l, 3, 6, addr_of("2001:db8::5")));
	assert_false(cidr_list_contains(l, 3, 4, addr_of("198.51.100.1")));
	assert_false(cidr_list_contains(l, 0, 4, addr_of("10.1.2.3")));
	assert_false(cidr_list_contains(NULL, 0, 4, addr_of("10.1.2.3")));
}

static void test_format(void **state)
{
	struct cidr c = parse_ok("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	char buf[CIDR_STR_MAX], small[8];

	(void)state;
	cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	c = parse_ok("::ffff:255.255.255.255");
	cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "::ffff:255.255.255.255/128");
	c = parse_ok("255.255.255.255");
	cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.255/32");
	/* cut to fit, terminated */
	memset(small, 'x', sizeof(small));
	cidr_format(&c, small, sizeof(small));
	assert_string_equal(small, "255.255");
}

static void test_addr_parse(void **state)
{
	uint8_t a[16], f;

	(void)state;
	memset(a, 0xaa, sizeof(a));
	assert_int_equal(addr_parse("192.0.2.1", &f, a), 0);
	assert_int_equal(f, 4);
	assert_memory_equal(a, "\xc0\x00\x02\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(addr_parse("2001:db8::1", &f, a), 0);
	assert_int_equal(f, 6);
	assert_memory_equal(a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_int_equal(addr_parse("::ffff:192.0.2.1", &f, a), 0);
	assert_int_equal(f, 6);
	assert_int_equal(addr_parse("0.0.0.0", &f, a), 0);
	assert_int_equal(f, 4);
	assert_int_equal(addr_parse("::", &f, a), 0);
	assert_int_equal(f, 6);

	/* nothing written on failure */
	f = 99;
	memset(a, 0xaa, sizeof(a));
	assert_int_equal(addr_parse("192.0.2.1/32", &f, a), -EINVAL);
	assert_int_equal(addr_parse("", &f, a), -EINVAL);
	assert_int_equal(addr_parse("192.0.2", &f, a), -EINVAL);
	assert_int_equal(addr_parse("192.0.2.256", &f, a), -EINVAL);
	assert_int_equal(addr_parse("2001:db8::g", &f, a), -EINVAL);
	assert_int_equal(addr_parse(":", &f, a), -EINVAL);
	assert_int_equal(addr_parse("example.com", &f, a), -EINVAL);
	assert_int_equal(f, 99);
	assert_int_equal(a[0], 0xaa);
	assert_int_equal(a[15], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	   cmocka_unit_test(test_host_bits),
		cmocka_unit_test(test_garbage),	   cmocka_unit_test(test_contains),
		cmocka_unit_test(test_list),	   cmocka_unit_test(test_format),
		cmocka_unit_test(test_addr_parse),
	};

	return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
