/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_domains.c - domain pattern sets: exact names and "*.suffix" wildcards. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/domains.h"

#define LABEL63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LABEL64 LABEL63 "a"

/* The pattern matching the name given as len bytes (NULs and all). */
static const char *match_bytes(const struct domain_set *ds, const char *s, size_t len)
{
	struct name n;

	assert_int_equal(name_set(&n, (const uint8_t *)s, len), 0);
	return domain_set_match(ds, &n);
}

static const char *match(const struct domain_set *ds, const char *s)
{
	return match_bytes(ds, s, strlen(s));
}

static struct domain_set *set_of(const char *const *patterns)
{
	struct domain_set *ds = domain_set_new();

	assert_non_null(ds);
	for (; *patterns; patterns++)
		assert_int_equal(domain_set_add(ds, *patterns), 0);
	return ds;
}

static void test_exact_and_wildcard(void **state)
{
	const char *const pats[] = { "ntp.example.org", "*.ezvizlife.com", NULL };
	struct domain_set *ds = set_of(pats);

	(void)state;
	assert_int_equal(domain_set_count(ds), 2);

	/* an exact name is only itself */
	assert_string_equal(match(ds, "ntp.example.org"), "ntp.example.org");
	assert_null(match(ds, "a.ntp.example.org"));
	assert_null(match(ds, "example.org"));
	assert_null(match(ds, "ntp.example.or"));
	assert_null(match(ds, "xntp.example.org"));

	/* a wildcard is the apex and everything below it */
	assert_string_equal(match(ds, "ezvizlife.com"), "*.ezvizlife.com");
	assert_string_equal(match(ds, "upgrade.ezvizlife.com"), "*.ezvizlife.com");
	assert_string_equal(match(ds, "a.b.c.ezvizlife.com"), "*.ezvizlife.com");
	assert_null(match(ds, "xezvizlife.com"));
	assert_null(match(ds, "x-ezvizlife.com"));
	assert_null(match(ds, "ezvizlife.com.cn"));
	assert_null(match(ds, "ezvizlife.co"));
	assert_null(match(ds, "com"));
	assert_null(match(ds, "zvizlife.com"));

	domain_set_free(ds);
}

static void test_longest_wildcard(void **state)
{
	const char *const pats[] = { "*.com",	      "*.example.com",	 "*.cdn.example.com",
				     "x.example.com", "*.x.example.com", NULL };
	struct domain_set *ds = set_of(pats);

	(void)state;
	assert_string_equal(match(ds, "a.b.cdn.example.com"), "*.cdn.example.com");
	assert_string_equal(match(ds, "cdn.example.com"), "*.cdn.example.com");
	assert_string_equal(match(ds, "a.example.com"), "*.example.com");
	assert_string_equal(match(ds, "xcdn.example.com"), "*.example.com");
	assert_string_equal(match(ds, "other.com"), "*.com");
	assert_string_equal(match(ds, "com"), "*.com");
	assert_null(match(ds, "example.org"));
	/* an exact pattern beats any wildcard, but covers nothing below it */
	assert_string_equal(match(ds, "x.example.com"), "x.example.com");
	assert_string_equal(match(ds, "y.x.example.com"), "*.x.example.com");
	domain_set_free(ds);

	/* the order of adding does not matter */
	{
		const char *const rev[] = { "*.cdn.example.com", "*.example.com", "*.com", NULL };

		ds = set_of(rev);
		assert_string_equal(match(ds, "a.cdn.example.com"), "*.cdn.example.com");
		assert_string_equal(match(ds, "a.example.com"), "*.example.com");
		domain_set_free(ds);
	}
}

static void test_case_and_trailing_dot(void **state)
{
	const char *const pats[] = { "*.EZVIZLife.COM.", "NTP.Org.", "_Dmarc.Example.NET", NULL };
	struct domain_set *ds = set_of(pats);

	(void)state;
	assert_int_equal(domain_set_count(ds), 3);
	/* reported as added, lower-cased, without the dot */
	assert_string_equal(match(ds, "Upgrade.EzvizLife.com."), "*.ezvizlife.com");
	assert_string_equal(match(ds, "ntp.org"), "ntp.org");
	assert_string_equal(match(ds, "NTP.ORG."), "ntp.org");
	assert_string_equal(match(ds, "_dmarc.example.net"), "_dmarc.example.net");
	/* the same patterns in another case are duplicates */
	assert_int_equal(domain_set_add(ds, "*.ezvizlife.com"), 0);
	assert_int_equal(domain_set_add(ds, "ntp.org"), 0);
	assert_int_equal(domain_set_count(ds), 3);
	domain_set_free(ds);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		".",
		"..",
		"*",
		"*.",
		"*..",
		"**.com",
		"*.*.com",
		"a.*.com",
		"foo*.com",
		"*foo.com",
		"*com",
		"a..b",
		".a.com",
		"a.com..",
		LABEL64 ".com",
		"a." LABEL64,
		"a b.com",
		"a/b.com",
		"a.com\n",
		"\xc3\xa9.com",
		"a.com:443",
		"a\\.com",
		"1.2.3.4/24",
		NULL,
	};
	struct domain_set *ds = domain_set_new();
	char longname[300];
	const char *const *b;
	size_t i;

	(void)state;
	assert_non_null(ds);
	for (b = bad; *b; b++) {
		if (domain_set_add(ds, *b) != -EINVAL)
			fail_msg("'%s' was accepted", *b);
	}
	assert_int_equal(domain_set_count(ds), 0);
	assert_null(match(ds, "a.com"));

	/* 253 bytes is the longest name (and a trailing dot is allowed) */
	memset(longname, 0, sizeof(longname));
	for (i = 0; i < 253; i++)
		longname[i] = i % 4 == 3 ? '.' : 'a';
	assert_int_equal(strlen(longname), 253);
	assert_int_equal(domain_set_add(ds, longname), 0);
	assert_string_equal(match(ds, longname), longname);
	longname[253] = '.';
	assert_int_equal(domain_set_add(ds, longname), 0);
	assert_int_equal(domain_set_count(ds), 1);
	longname[253] = 'a';
	assert_int_equal(domain_set_add(ds, longname), -EINVAL);
	/* a wildcard of the longest name */
	memmove(longname + 2, longname, 253);
	memcpy(longname, "*.", 2);
	longname[255] = '\0';
	assert_int_equal(domain_set_add(ds, longname), 0);
	assert_int_equal(domain_set_count(ds), 2);

	/* 63-byte labels are fine; so are digits, '-' and '_' */
	assert_int_equal(domain_set_add(ds, LABEL63 ".com"), 0);
	assert_int_equal(domain_set_add(ds, "xn--bcher-kva.example"), 0);
	assert_int_equal(domain_set_add(ds, "*.a-1_b.example"), 0);
	assert_int_equal(domain_set_count(ds), 5);
	domain_set_free(ds);
	domain_set_free(NULL);
}

static void test_duplicates(void **state)
{
	struct domain_set *ds = domain_set_new();

	(void)state;
	assert_non_null(ds);
	assert_int_equal(domain_set_count(ds), 0);
	assert_int_equal(domain_set_add(ds, "a.com"), 0);
	assert_int_equal(domain_set_add(ds, "A.COM."), 0);
	assert_int_equal(domain_set_add(ds, "a.com"), 0);
	assert_int_equal(domain_set_count(ds), 1);
	/* a wildcard and an exact name of the same domain are two patterns */
	assert_int_equal(domain_set_add(ds, "*.a.com"), 0);
	assert_int_equal(domain_set_add(ds, "*.A.com."), 0);
	assert_int_equal(domain_set_count(ds), 2);
	assert_string_equal(match(ds, "a.com"), "a.com");
	assert_string_equal(match(ds, "b.a.com"), "*.a.com");
	domain_set_free(ds);
}

static void test_many(void **state)
{
	enum { N = 200000 };
	struct domain_set *ds = domain_set_new();
	char buf[64], want[64];
	int i;

	(void)state;
	assert_non_null(ds);
	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "%shost%d.zone%d.example.net", i % 3 ? "" : "*.", i,
			 i % 1000);
		assert_int_equal(domain_set_add(ds, buf), 0);
	}
	assert_int_equal(domain_set_count(ds), N);
	/* adding them again changes nothing */
	for (i = 0; i < N; i += 7) {
		snprintf(buf, sizeof(buf), "%sHOST%d.zone%d.example.net.", i % 3 ? "" : "*.", i,
			 i % 1000);
		assert_int_equal(domain_set_add(ds, buf), 0);
	}
	assert_int_equal(domain_set_count(ds), N);

	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "host%d.zone%d.example.net", i, i % 1000);
		snprintf(want, sizeof(want), "%s%s", i % 3 ? "" : "*.", buf);
		assert_string_equal(match(ds, buf), want);
		/* below a name: only wildcards */
		snprintf(buf, sizeof(buf), "www.host%d.zone%d.example.net", i, i % 1000);
		if (i % 3)
			assert_null(match(ds, buf));
		else
			assert_string_equal(match(ds, buf), want);
	}
	assert_null(match(ds, "host200000.zone0.example.net"));
	assert_null(match(ds, "host1.zone2.example.net"));
	assert_null(match(ds, "zone0.example.net"));
	assert_null(match(ds, "example.net"));
	domain_set_free(ds);
}

/* Hostile bytes in a name: it matches only what it really is. */
static void test_odd_bytes(void **state)
{
	const char *const pats[] = { "a.com", "ab.com", "a.b.com", "*.b.com", NULL };
	struct domain_set *ds = set_of(pats);

	(void)state;
	assert_null(match_bytes(ds, "a.com\0", 6));
	assert_null(match_bytes(ds, "a.com\0evil", 10));
	assert_null(match_bytes(ds, "a\0.com", 6));
	assert_null(match_bytes(ds, "\0a.com", 6));
	assert_null(match_bytes(ds, "a\0b.com", 7));
	assert_null(match_bytes(ds, "a.co\0m", 6));
	assert_null(match_bytes(ds, "\377a.com", 6));
	assert_null(match_bytes(ds, "a.com\xff", 6));
	assert_null(match_bytes(ds, "a\xff.com", 6));
	assert_null(match_bytes(ds, "A.CO\xcd", 5));
	/* not below b.com: the apex with a byte more, or a label ending in b */
	assert_null(match_bytes(ds, "b.com\0", 6));
	assert_null(match_bytes(ds, "\0b.com", 6));
	assert_null(match_bytes(ds, "\377b.com", 6));
	assert_null(match_bytes(ds, "b.com\xff", 6));
	assert_null(match_bytes(ds, "b\0.com", 6));
	/* below b.com, whatever the first label holds */
	assert_string_equal(match_bytes(ds, "\0.b.com", 7), "*.b.com");
	assert_string_equal(match_bytes(ds, "\xff.b.com", 7), "*.b.com");
	assert_string_equal(match_bytes(ds, "*.b.com", 7), "*.b.com");
	/* and the real names still match */
	assert_string_equal(match_bytes(ds, "a.com", 5), "a.com");
	assert_string_equal(match_bytes(ds, "a.b.com", 7), "a.b.com");

	/* a name that is not a valid pattern never equals one */
	assert_null(match(ds, "*.a.com"));
	{
		struct name n = { 0 };

		/* an empty name (name_set refuses them, but a set must not care) */
		assert_null(domain_set_match(ds, &n));
	}
	domain_set_free(ds);

	/* an empty set matches nothing */
	ds = domain_set_new();
	assert_non_null(ds);
	assert_null(match(ds, "a.com"));
	domain_set_free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_wildcard),
		cmocka_unit_test(test_longest_wildcard),
		cmocka_unit_test(test_case_and_trailing_dot),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_odd_bytes),
	};

	return cmocka_run_group_tests_name("domains", tests, NULL, NULL);
}
