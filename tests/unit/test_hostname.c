/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_name.c - normalising and escaping names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/hostname.h"

static void test_set(void **state)
{
	struct name n;
	uint8_t big[NAME_MAX_LEN + 2];

	(void)state;
	assert_int_equal(name_set(&n, (const uint8_t *)"Upgrade.EZVIZLife.COM.", 22), 0);
	assert_string_equal(n.s, "upgrade.ezvizlife.com");
	assert_int_equal(n.len, 21);
	assert_int_equal(name_set(&n, (const uint8_t *)".", 1), -EINVAL);
	assert_int_equal(name_set(&n, (const uint8_t *)"", 0), -EINVAL);

	memset(big, 'a', sizeof(big));
	assert_int_equal(name_set(&n, big, NAME_MAX_LEN), 0);
	assert_int_equal(n.len, NAME_MAX_LEN);
	big[NAME_MAX_LEN] = '.';
	assert_int_equal(name_set(&n, big, NAME_MAX_LEN + 1), 0);
	assert_int_equal(name_set(&n, big, NAME_MAX_LEN + 2), -ENAMETOOLONG);

	/* only ASCII letters change case; other bytes stay as they came */
	assert_int_equal(name_set(&n, (const uint8_t *)"A\xc3\x84z\0Q", 6), 0);
	assert_memory_equal(n.s, "a\xc3\x84z\0q", 6);
}

static bool is_host(const char *s)
{
	struct name n;

	assert_int_equal(name_set(&n, (const uint8_t *)s, strlen(s)), 0);
	return name_is_hostname(&n);
}

static void test_is_hostname(void **state)
{
	struct name n;

	(void)state;
	assert_true(is_host("upgrade.ezvizlife.com"));
	assert_true(is_host("Upgrade.EZVIZLife.COM."));
	assert_true(is_host("_dmarc.xn--bcher-kva.example"));
	assert_true(is_host("192.0.2.1"));
	assert_true(is_host("x"));
	assert_false(is_host("a..b"));
	assert_false(is_host(".a"));
	assert_false(is_host("a.b.."));
	assert_false(is_host("a b"));
	assert_false(is_host("a:80"));
	assert_false(is_host("2001:db8::1"));
	assert_false(is_host("caf\xc3\xa9.example"));
	assert_false(is_host("a\tb"));
	assert_false(is_host("a\\b"));
	assert_int_equal(name_set(&n, (const uint8_t *)"a\0b", 3), 0);
	assert_false(name_is_hostname(&n));
	assert_true(is_host("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"));
	assert_false(is_host("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"));
}

static bool is_addr(const char *s)
{
	struct name n;

	assert_int_equal(name_set(&n, (const uint8_t *)s, strlen(s)), 0);
	return name_is_address(&n);
}

static void test_is_address(void **state)
{
	(void)state;
	/* what inet_aton and URL parsers take for IPv4 */
	assert_true(is_addr("198.51.100.9"));
	assert_true(is_addr("198.51.100.9."));
	assert_true(is_addr("3325256713"));
	assert_true(is_addr("0xc6336409"));
	assert_true(is_addr("0XC6336409"));
	assert_true(is_addr("0xc6.0x33.0x64.9"));
	assert_true(is_addr("a.b.0x"));
	assert_true(is_addr("www.example.123"));
	/* names: the last label is not a number */
	assert_false(is_addr("198.51.100.9x"));
	assert_false(is_addr("0xg1"));
	assert_false(is_addr("1.example"));
	assert_false(is_addr("fw.hikvision.com"));
	assert_false(is_addr("x0"));
}

static void test_escape(void **state)
{
	struct name n;
	char out[NAME_ESCAPED_MAX];
	char small[6];

	(void)state;
	name_set(&n, (const uint8_t *)"a\\b\x1b[31m\x00z \x7f", 12);
	assert_int_equal(name_escape(&n, out, sizeof(out)), strlen(out));
	assert_string_equal(out, "a\\\\b\\x1b[31m\\x00z\\x20\\x7f");

	/* never a partial escape, always terminated */
	assert_int_equal(name_escape(&n, small, sizeof(small)), 4);
	assert_string_equal(small, "a\\\\b");

	/* the worst case fits NAME_ESCAPED_MAX */
	memset(out, 0, sizeof(out));
	{
		uint8_t all[NAME_MAX_LEN];

		memset(all, 0xff, sizeof(all));
		name_set(&n, all, sizeof(all));
		assert_int_equal(name_escape(&n, out, sizeof(out)), 4 * NAME_MAX_LEN);
	}
}

static void test_eq(void **state)
{
	struct name a, b;

	(void)state;
	name_set(&a, (const uint8_t *)"Example.org", 11);
	name_set(&b, (const uint8_t *)"example.ORG.", 12);
	assert_true(name_eq(&a, &b));
	name_set(&b, (const uint8_t *)"example.or", 10);
	assert_false(name_eq(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),	   cmocka_unit_test(test_is_hostname),
		cmocka_unit_test(test_is_address), cmocka_unit_test(test_escape),
		cmocka_unit_test(test_eq),
	};

	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
