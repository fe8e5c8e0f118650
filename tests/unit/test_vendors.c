/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vendors.c - the MAC registry: the real IEEE and Wireshark files as
 * Debian ships them, hand-made CSV and manuf inputs, and the text forms of
 * addresses and prefixes.  Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/vendors.h"

#define OUI_CSV "/usr/share/ieee-data/oui.csv"
#define MAM_CSV "/usr/share/ieee-data/mam.csv"
#define OUI36_CSV "/usr/share/ieee-data/oui36.csv"
#define MANUF "/usr/share/wireshark/manuf"
#define CAMERA_POLICY "policies/camera-vendors.manuf"
#define FIXTURES "tests/data/vendors/"

#define HITS_MAX 512

static void skip_unless_present(const char *path)
{
	if (access(path, R_OK) != 0) {
		print_message("%s: absent, skipped\n", path);
		skip();
	}
}

static struct registry *load(const char *const *paths, size_t n)
{
	struct registry *r;
	size_t i;

	/* before allocating: skip() does not return */
	for (i = 0; i < n; i++)
		skip_unless_present(paths[i]);
	r = registry_new();
	assert_non_null(r);
	for (i = 0; i < n; i++) {
		unsigned int line = 0;

		if (registry_load(r, paths[i], &line) != 0)
			fail_msg("%s:%u: not loaded", paths[i], line);
	}
	return r;
}

static void prefix_set(struct oui_prefix *p, const char *s)
{
	if (oui_parse(s, p) != 0)
		fail_msg("oui_parse(\"%s\") failed", s);
}

static bool hits_have(const struct registry_hit *h, size_t n, const char *prefix)
{
	struct oui_prefix p;
	size_t i;

	prefix_set(&p, prefix);
	for (i = 0; i < n; i++)
		if (h[i].prefix.bits == p.bits && memcmp(h[i].prefix.addr, p.addr, 6) == 0)
			return true;
	return false;
}

/* Strictly ascending: no prefix twice. */
static void assert_ascending(const struct registry_hit *h, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		int c = memcmp(h[i - 1].prefix.addr, h[i].prefix.addr, 6);

		assert_true(c < 0 || (c == 0 && h[i - 1].prefix.bits < h[i].prefix.bits));
	}
}

/*
 * The longest prefix in r that contains mac, under its first-loaded name:
 * from the whole list registry_match() gives (every name contains "").
 */
static const struct registry_hit *registry_lookup(const struct registry *r, const uint8_t mac[6])
{
	static const uint8_t lengths[] = { 48, 36, 28, 24 };
	static struct registry_hit found;
	size_t n = registry_match(r, "", NULL, 0), i, k;
	struct registry_hit *all = calloc(n ? n : 1, sizeof(*all));
	bool ok = false;

	assert_non_null(all);
	assert_int_equal(registry_match(r, "", all, n), n);
	for (k = 0; k < sizeof(lengths) && !ok; k++) {
		struct oui_prefix q;

		oui_of(mac, lengths[k], &q);
		for (i = 0; i < n && !ok; i++)
			if (all[i].prefix.bits == q.bits &&
			    !memcmp(all[i].prefix.addr, q.addr, 6)) {
				found = all[i];
				ok = true;
			}
	}
	free(all);
	return ok ? &found : NULL;
}

static const char *lookup_org(const struct registry *r, const char *mac)
{
	const struct registry_hit *h;
	uint8_t m[6];

	assert_int_equal(mac_parse(mac, m), 0);
	h = registry_lookup(r, m);
	return h ? h->org : NULL;
}

static const char *lookup_prefix(const struct registry *r, const char *mac, char *buf)
{
	const struct registry_hit *h;
	uint8_t m[6];

	assert_int_equal(mac_parse(mac, m), 0);
	h = registry_lookup(r, m);
	assert_non_null(h);
	oui_format(&h->prefix, buf, OUI_STR_MAX);
	return buf;
}

/* --- the real registries ------------------------------------------------- */

static void test_real_oui_csv(void **state)
{
	static const char *const paths[] = { OUI_CSV };
	struct registry_hit hits[HITS_MAX], few[3];
	struct registry *r;
	size_t n, i;

	(void)state;
	r = load(paths, 1);
	assert_true(registry_count(r) > 30000);

	n = registry_match(r, "hangzhou HIKVISION", hits, HITS_MAX);
	assert_true(n >= 50 && n <= HITS_MAX);
	assert_true(hits_have(hits, n, "44:47:cc"));
	assert_ascending(hits, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(hits[i].prefix.bits, 24);
		assert_non_null(strstr(hits[i].org, "Hikvision"));
	}
	/* the total is returned even when out is short */
	assert_int_equal(registry_match(r, "hangzhou hikvision", few, 3), n);
	assert_memory_equal(few, hits, sizeof(few));
	assert_int_equal(registry_match(r, "hangzhou hikvision", NULL, 0), n);

	n = registry_match(r, "Zhejiang Dahua", hits, HITS_MAX);
	assert_true(n >= 20);
	assert_true(hits_have(hits, n, "08:ed:ed"));

	assert_int_equal(registry_match(r, "no such organisation, surely", hits, HITS_MAX), 0);

	/* 08:00:30 is in oui.csv three times: one prefix, the first name */
	assert_string_equal(lookup_org(r, "08:00:30:00:00:01"), "NETWORK RESEARCH CORPORATION");
	n = registry_match(r, "CERN", hits, HITS_MAX);
	assert_true(n <= HITS_MAX && hits_have(hits, n, "08:00:30"));
	registry_free(r);
}

static void test_real_all(void **state)
{
	static const char *const csvs[] = { OUI_CSV, MAM_CSV, OUI36_CSV };
	static const char *const all[] = { OUI_CSV, MAM_CSV, OUI36_CSV, MANUF };
	static const char *const manuf_only[] = { MANUF };
	struct registry_hit hits[HITS_MAX], scale[8];
	struct registry *r, *rc, *rm;
	size_t n, ns, i;
	char buf[OUI_STR_MAX];

	(void)state;
	rc = load(csvs, 3);
	rm = load(manuf_only, 1);
	r = load(all, 4);

	/* the manuf is newer: it adds prefixes, the shared ones count once */
	assert_true(registry_count(r) > registry_count(rc));
	assert_true(registry_count(r) >= registry_count(rm));
	assert_true(registry_count(r) < registry_count(rc) + registry_count(rm));
	assert_true(registry_match(r, "hikvision", NULL, 0) >
		    registry_match(rc, "hikvision", NULL, 0));
	n = registry_match(r, "hikvision", hits, HITS_MAX);
	assert_true(n >= 70);
	assert_ascending(hits, n);

	/* the false friend: a scale maker, not the camera maker */
	n = registry_match(r, "Zhejiang Dahua", hits, HITS_MAX);
	assert_true(n >= 24);
	ns = registry_match(r, "Shanghai Dahua Scale", scale, 8);
	for (i = 0; i < ns; i++) {
		oui_format(&scale[i].prefix, buf, sizeof(buf));
		assert_false(hits_have(hits, n, buf));
	}
	for (i = 0; i < n; i++)
		assert_null(strstr(hits[i].org, "Scale"));

	assert_string_equal(lookup_org(r, "44:47:CC:12:34:56"),
			    "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	assert_string_equal(lookup_org(r, "08-ED-ED-00-00-01"),
			    "Zhejiang Dahua Technology Co., Ltd.");

	/* longest prefix: MA-M and MA-S blocks inside the IEEE's own /24s */
	assert_string_equal(lookup_org(r, "74:1a:e0:00:00:01"),
			    "Huano International Technology Limited");
	assert_string_equal(lookup_prefix(r, "74:1a:e0:1f:ff:ff", buf), "74:1a:e0:10:00:00/28");
	assert_string_equal(lookup_org(r, "74:1a:e0:1f:ff:ff"), "Socionext Inc.");
	assert_string_equal(lookup_org(r, "70:b3:d5:f2:f0:01"), "TELEPLATFORMS");
	assert_string_equal(lookup_prefix(r, "70:b3:d5:f2:f0:01", buf), "70:b3:d5:f2:f0:00/36");
	/* a /36 of 70:b3:d5 never assigned falls back to the /24 */
	if (strcmp(lookup_prefix(r, "70:b3:d5:00:00:00", buf), "70:b3:d5") == 0)
		assert_string_equal(lookup_org(r, "70:b3:d5:00:00:00"),
				    "IEEE Registration Authority");

	/* a locally administered address is in no registry */
	assert_null(lookup_org(r, "02:00:00:00:00:01"));

	registry_free(r);
	registry_free(rm);
	registry_free(rc);
}

/* --- hand-made CSV ------------------------------------------------------------ */

#define CSV_HDR "Registry,Assignment,Organization Name,Organization Address\r\n"

static int csv(struct registry *r, const char *s, unsigned int *line)
{
	return registry_parse_csv(r, s, strlen(s), line);
}

static void test_csv_quotes(void **state)
{
	static const char text[] = CSV_HDR				      /* 1 */
		"MA-L,AABBCC,\"Acme, Inc.\",\"1 Road\nTown\r\nCountry \"\r\n" /* 2-4 */
		"MA-M,AABBCC1,\"The \"\"Best\"\" Cameras\",Somewhere\r\n"     /* 5 */
		"MA-S,AABBCC123,\"Multi\nLine Org\",x\n"		      /* 6-7 */
		"\r\n"							      /* 8 */
		"IAB,0050C2123,  Plain Org\t,\"\"\r\n"			      /* 9 */
		"CID,ABCDEF,A Company ID,not a MAC prefix\r\n"		      /* 10 */
		"MA-L,001122,Private,\r\n"				      /* 11 */
		"MA-L,001123,\"\",\r\n";				      /* 12 */
	struct registry *r = registry_new();
	struct registry_hit hits[8];
	unsigned int line = 0;
	char buf[OUI_STR_MAX];

	(void)state;
	assert_non_null(r);
	/* everything up to line 11 is good; the empty name on 12 is not */
	assert_int_equal(csv(r, text, &line), -EINVAL);
	assert_int_equal(line, 12);
	assert_int_equal(registry_count(r), 0);

	assert_int_equal(registry_parse_csv(r, text, strlen(text) - strlen("MA-L,001123,\"\",\r\n"),
					    &line),
			 0);
	assert_int_equal(registry_count(r), 5);
	assert_string_equal(lookup_org(r, "aa:bb:cc:00:00:00"), "Acme, Inc.");
	assert_string_equal(lookup_org(r, "aa:bb:cc:1f:ff:ff"), "The \"Best\" Cameras");
	assert_string_equal(lookup_org(r, "aa:bb:cc:12:3f:ff"), "Multi Line Org");
	assert_string_equal(lookup_prefix(r, "aa:bb:cc:12:3f:ff", buf), "aa:bb:cc:12:30:00/36");
	assert_string_equal(lookup_org(r, "aa:bb:cc:12:40:00"), "The \"Best\" Cameras");
	assert_string_equal(lookup_org(r, "00:50:c2:12:3a:bc"), "Plain Org");
	assert_string_equal(lookup_org(r, "00:11:22:33:44:55"), "Private");
	assert_null(lookup_org(r, "ab:cd:ef:00:00:00"));
	assert_int_equal(registry_match(r, "BEST", hits, 8), 1);
	assert_string_equal(hits[0].org, "The \"Best\" Cameras");
	/* ascending: the /24 before the /28 before the /36 of one block */
	assert_int_equal(registry_match(r, "", hits, 8), 5);
	assert_ascending(hits, 5);

	/* the same file again adds nothing */
	assert_int_equal(registry_parse_csv(r, text, strlen(text) - strlen("MA-L,001123,\"\",\r\n"),
					    &line),
			 0);
	assert_int_equal(registry_count(r), 5);
	assert_int_equal(registry_match(r, "", NULL, 0), 5);
	registry_free(r);
}

static void test_csv_fixture(void **state)
{
	struct registry *r = registry_new();
	unsigned int line = 0;

	(void)state;
	assert_int_equal(registry_load(r, FIXTURES "mini.csv", &line), 0);
	assert_int_equal(registry_count(r), 4);
	assert_string_equal(lookup_org(r, "aa:bb:cc:00:00:00"), "Acme, Inc.");
	assert_string_equal(lookup_org(r, "aa:bb:cc:12:3f:ff"), "Multi Line Org");
	assert_string_equal(lookup_org(r, "00:11:22:00:00:00"), "Private");
	assert_null(lookup_org(r, "ab:cd:ef:00:00:00"));
	registry_free(r);
}

static void test_csv_unterminated(void **state)
{
	static const char text[] = CSV_HDR "MA-L,AABBCC,Good,x\r\n"
					   "MA-L,DDEEFF,\"Open\nquote,x\r\n"
					   "MA-L,112233,Next,\r\n";
	struct registry *r = registry_new();
	unsigned int line = 0;

	(void)state;
	assert_int_equal(csv(r, text, &line), -EINVAL);
	assert_int_equal(line, 3);
	/* nothing of a failed parse stays */
	assert_int_equal(registry_count(r), 0);
	assert_null(lookup_org(r, "aa:bb:cc:00:00:00"));
	/* a line pointer is optional */
	assert_int_equal(csv(r, text, NULL), -EINVAL);
	registry_free(r);
}

static void test_csv_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ CSV_HDR "MA-X,AABBCC,Unknown registry,\r\n", 2 },
		{ CSV_HDR "MA-L,AABBC,Five digits,\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCCD,Seven digits,\r\n", 2 },
		{ CSV_HDR "MA-M,AABBCC,Six digits for MA-M,\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCG,Bad hex,\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCC\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCC,\"Closed\"junk,\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCC,Quote \"inside\",\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCC,   ,\r\n", 2 },
		{ CSV_HDR "MA-L,AABBCC,\"a\nb\",\"c\r\nd\"\r\nMA-L,AABBCC,x,\"\r\n", 5 },
		{ "MA-L,AABBCC,No header is fine,\nbogus\n", 2 },
		{ "\"unterminated", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct registry *r = registry_new();
		unsigned int line = 0;

		assert_int_equal(csv(r, bad[i].text, &line), -EINVAL);
		if (line != bad[i].line)
			fail_msg("case %zu: line %u, expected %u", i, line, bad[i].line);
		assert_int_equal(registry_count(r), 0);
		registry_free(r);
	}
}

static void test_csv_names(void **state)
{
	/* a name of 130 bytes whose 127th byte starts a 2-byte character */
	char text[512], name[131], want[OUI_ORG_MAX];
	struct registry *r = registry_new();
	unsigned int line = 0;

	(void)state;
	memset(name, 'x', 126);
	memcpy(name + 126, "\xc3\xa9yz", 4);
	name[130] = '\0';
	snprintf(text, sizeof(text),
		 "\xef\xbb\xbf" CSV_HDR "MA-L,AABBCC,%s,\r\n"
		 "MA-L,AABBCD,\"Tab\tand\x01 control\t\",\r\n"
		 "MA-L,aabbce,No final line end,",
		 name);
	assert_int_equal(csv(r, text, &line), 0);
	assert_int_equal(registry_count(r), 3);
	memset(want, 'x', 126);
	want[126] = '\0';
	assert_string_equal(lookup_org(r, "aa:bb:cc:00:00:00"), want);
	assert_string_equal(lookup_org(r, "aa:bb:cd:00:00:00"), "Tab and  control");
	assert_string_equal(lookup_org(r, "aa:bb:ce:00:00:00"), "No final line end");

	/* an exactly fitting name is kept whole */
	memset(name, 'y', OUI_ORG_MAX - 1);
	name[OUI_ORG_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "MA-L,AABBCF,%s,\r\n", name);
	assert_int_equal(csv(r, text, &line), 0);
	assert_string_equal(lookup_org(r, "aa:bb:cf:00:00:00"), name);

	/* empty input and blank lines only */
	assert_int_equal(registry_parse_csv(r, "", 0, &line), 0);
	assert_int_equal(csv(r, "\r\n\n\r\n", &line), 0);
	assert_int_equal(registry_count(r), 4);
	registry_free(r);
}

/* --- hand-made manuf ----------------------------------------------------------- */

static void test_manuf(void **state)
{
	struct registry *r = registry_new();
	struct registry_hit hits[16];
	unsigned int line = 0;
	char buf[OUI_STR_MAX];

	(void)state;
	assert_int_equal(registry_load(r, FIXTURES "mini.manuf", &line), 0);
	assert_int_equal(registry_count(r), 7);
	assert_string_equal(lookup_org(r, "00:00:0c:01:02:03"), "Cisco Systems, Inc");
	assert_string_equal(lookup_org(r, "00:00:18:00:00:00"), "Webster Computer Corporation");
	assert_string_equal(lookup_org(r, "00:00:13:00:00:00"), "Camex");
	assert_string_equal(lookup_org(r, "aa:bb:cc:1a:00:00"), "The \"Best\" Cameras");
	assert_string_equal(lookup_prefix(r, "aa:bb:cc:1a:00:00", buf), "aa:bb:cc:10:00:00/28");
	assert_string_equal(lookup_org(r, "aa:bb:cc:12:34:56"), "Multi Line Org");
	assert_null(lookup_org(r, "aa:bb:cc:00:00:00"));
	assert_string_equal(lookup_org(r, "00:11:22:33:44:55"), "A single address");
	assert_null(lookup_org(r, "00:11:22:33:44:56"));
	assert_string_equal(lookup_org(r, "02:00:00:ab:cd:ef"), "Hand Written Org");
	/* the /40 and /45 multicast ranges are not vendor blocks */
	assert_null(lookup_org(r, "01:80:c2:00:00:00"));
	assert_null(lookup_org(r, "01:80:c2:00:00:30"));
	assert_int_equal(registry_match(r, "multicast", hits, 16), 0);
	assert_int_equal(registry_match(r, "IEEE", hits, 16), 0);
	registry_free(r);
}

static void test_manuf_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ "# ok\n00:00:0C\tCisco\n00:00:0G\tBad hex\n", 3 },
		{ "00:00:0C\n", 1 },			       /* no name */
		{ "00:00:0C\t# only a comment\n", 1 },	       /* no name either */
		{ "\n\n00:00:0C:00:00:00/49\tToo long\n", 3 }, /* mask past 48 */
		{ "00:00:0C:00:00:00/0\tZero\n", 1 },
		{ "00:00:0C:00:00:00/\tEmpty mask\n", 1 },
		{ "00:00:0C:80:00:00/24\tBits past the mask\n", 1 },
		{ "00:00:0C:00:00:00:00\tSeven groups\n", 1 },
		{ "00:00:0C:\tTrailing separator\n", 1 },
		{ "00:00-0C\tMixed separators\n", 1 },
		{ "0:0:C\tShort groups\n", 1 },
		{ "00:00:0C\tCisco\r\nzz\tjunk\r\n", 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct registry *r = registry_new();
		unsigned int line = 0;
		int err = registry_parse_manuf(r, bad[i].text, strlen(bad[i].text), &line);

		if (err != -EINVAL || line != bad[i].line)
			fail_msg("case %zu: %d at line %u, expected -EINVAL at %u", i, err, line,
				 bad[i].line);
		assert_int_equal(registry_count(r), 0);
		registry_free(r);
	}
}

static void test_manuf_forms(void **state)
{
	static const char text[] = "\xef\xbb\xbf"
				   "  # indented comment\r\n"
				   "00.00.0C\tdots\r\n"
				   "00:00:0D\t\t\tShort\t\t  Long Name  \t# c\r\n"
				   "00:00:0E  \tSpaces before the tab\n"
				   "00:00:0F   Several words, no tab # comment\n"
				   "00:00:10 Name#with hash\n"
				   "00:00:11:00:00:00/24\tMasked /24\n"
				   "00:00:12:00/28\tShort form with mask\n"
				   "00:00:13:00\tFour groups: 32 bits, skipped\n"
				   "00:00:14\tNo final line end";
	struct registry *r = registry_new();
	unsigned int line = 0;
	char buf[OUI_STR_MAX];

	(void)state;
	assert_int_equal(registry_parse_manuf(r, text, strlen(text), &line), 0);
	assert_int_equal(registry_count(r), 8);
	assert_string_equal(lookup_org(r, "00:00:0c:00:00:00"), "dots");
	assert_string_equal(lookup_org(r, "00:00:0d:00:00:00"), "Long Name");
	assert_string_equal(lookup_org(r, "00:00:0e:00:00:00"), "Spaces before the tab");
	assert_string_equal(lookup_org(r, "00:00:0f:00:00:00"), "Several words, no tab");
	assert_string_equal(lookup_org(r, "00:00:10:00:00:00"), "Name#with hash");
	assert_string_equal(lookup_prefix(r, "00:00:11:00:00:00", buf), "00:00:11");
	assert_string_equal(lookup_prefix(r, "00:00:12:01:00:00", buf), "00:00:12:00:00:00/28");
	assert_null(lookup_org(r, "00:00:13:00:00:00"));
	assert_string_equal(lookup_org(r, "00:00:14:00:00:00"), "No final line end");
	registry_free(r);
}

/* --- several sources --------------------------------------------------------------- */

static void test_two_sources(void **state)
{
	static const char csv_text[] = CSV_HDR
		"MA-L,4447CC,\"Hangzhou Hikvision Digital Technology "
		"Co.,Ltd.\",x\r\n"
		"MA-L,0A0B0C,Old Name Ltd,x\r\n";
	static const char manuf_text[] = "44:47:CC\tHangzhou\tHangzhou Hikvision Digital "
					 "Technology Co.,Ltd.\n"
					 "0A:0B:0C\tNew\tNew Name GmbH\n"
					 "0A:0B:0D\tOther\tOther Name\n";
	struct registry *r = registry_new();
	struct registry_hit hits[4];
	unsigned int line = 0;

	(void)state;
	assert_int_equal(csv(r, csv_text, &line), 0);
	assert_int_equal(registry_count(r), 2);
	assert_int_equal(registry_parse_manuf(r, manuf_text, strlen(manuf_text), &line), 0);
	assert_int_equal(registry_count(r), 3);

	assert_int_equal(registry_match(r, "hikvision", hits, 4), 1);
	/* a prefix under two names is found by either, counted once */
	assert_int_equal(registry_match(r, "old name", hits, 4), 1);
	assert_string_equal(hits[0].org, "Old Name Ltd");
	assert_int_equal(registry_match(r, "new name", hits, 4), 1);
	assert_string_equal(hits[0].org, "New Name GmbH");
	assert_int_equal(registry_match(r, "name", hits, 4), 2);
	assert_string_equal(hits[0].org, "Old Name Ltd");
	assert_string_equal(hits[1].org, "Other Name");
	/* the first-loaded name wins a lookup */
	assert_string_equal(lookup_org(r, "0a:0b:0c:00:00:00"), "Old Name Ltd");

	/* a failed parse leaves the loaded entries as they were */
	assert_int_equal(registry_parse_manuf(r, "0A:0B:0E\tX\nbad\n", 15, &line), -EINVAL);
	assert_int_equal(line, 2);
	assert_int_equal(registry_count(r), 3);
	assert_null(lookup_org(r, "0a:0b:0e:00:00:00"));
	assert_string_equal(lookup_org(r, "44:47:cc:00:00:00"),
			    "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	registry_free(r);
}

static void test_longest_prefix(void **state)
{
	static const char text[] = "AA:BB:CC\tBlock /24\n"
				   "AA:BB:CC:D0:00:00/28\tBlock /28\n"
				   "AA:BB:CC:DE:F0:00/36\tBlock /36\n"
				   "AA:BB:CC:DE:F1:23\tOne host\n";
	struct registry *r = registry_new();
	unsigned int line = 0;

	(void)state;
	assert_null(lookup_org(r, "aa:bb:cc:00:00:00"));
	assert_int_equal(registry_parse_manuf(r, text, strlen(text), &line), 0);
	assert_string_equal(lookup_org(r, "aa:bb:cc:00:00:00"), "Block /24");
	assert_string_equal(lookup_org(r, "aa:bb:cc:cf:ff:ff"), "Block /24");
	assert_string_equal(lookup_org(r, "aa:bb:cc:d0:00:00"), "Block /28");
	assert_string_equal(lookup_org(r, "aa:bb:cc:df:00:00"), "Block /28");
	assert_string_equal(lookup_org(r, "aa:bb:cc:de:f0:00"), "Block /36");
	assert_string_equal(lookup_org(r, "aa:bb:cc:de:f1:22"), "Block /36");
	assert_string_equal(lookup_org(r, "aa:bb:cc:de:f1:23"), "One host");
	assert_string_equal(lookup_org(r, "aa:bb:cc:e0:00:00"), "Block /24");
	assert_null(lookup_org(r, "aa:bb:cd:00:00:00"));
	assert_null(lookup_org(r, "aa:bb:cb:ff:ff:ff"));
	registry_free(r);
}

/* --- text forms ------------------------------------------------------------------ */

static void test_mac_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"44:47:cc:12:34",
		"44:47:cc:12:34:56:78",
		"44:47:cc:12:34:56:",
		":44:47:cc:12:34:56",
		"44:47:cc:12:34:5",
		"44:47:cc:12:34:567",
		"44:47:cc:12:34:5g",
		"44:47-cc:12:34:56",
		"44.47.cc.12.34.56",
		"4447.cc12.3456",
		"444:7cc:123:456",
		"44:47:cc:12:34:56 ",
		" 44:47:cc:12:34:56",
		"44:47:cc:12:34:56/48",
		"44::47:cc:12:34:56",
	};
	uint8_t mac[6], keep[6] = { 1, 2, 3, 4, 5, 6 };
	size_t i;

	(void)state;
	assert_int_equal(mac_parse("44:47:cc:0a:Bc:FF", mac), 0);
	assert_memory_equal(mac, "\x44\x47\xcc\x0a\xbc\xff", 6);
	assert_int_equal(mac_parse("00-1B-C5-00-00-01", mac), 0);
	assert_memory_equal(mac, "\x00\x1b\xc5\x00\x00\x01", 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(mac, keep, 6);
		if (mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("mac_parse(\"%s\") accepted", bad[i]);
		assert_memory_equal(mac, keep, 6);
	}
}

static void test_oui_parse(void **state)
{
	static const struct {
		const char *in, *out;
		uint8_t bits;
	} good[] = {
		{ "44:47:CC", "44:47:cc", 24 },
		{ "44-47-cc", "44:47:cc", 24 },
		{ "44:47:CC/24", "44:47:cc", 24 },
		{ "44:47:CC:00:00:00/24", "44:47:cc", 24 },
		{ "44:47:CC:D/28", "44:47:cc:d0:00:00/28", 28 },
		{ "44:47:CC:D0:00:00/28", "44:47:cc:d0:00:00/28", 28 },
		{ "44:47:CC:00:00:00/28", "44:47:cc:00:00:00/28", 28 },
		{ "70:B3:D5:F2:F/36", "70:b3:d5:f2:f0:00/36", 36 },
		{ "70-b3-d5-f2-f0-00/36", "70:b3:d5:f2:f0:00/36", 36 },
		{ "44:47:CC:00:00:64", "44:47:cc:00:00:64", 48 },
		{ "44:47:CC:00:00:64/48", "44:47:cc:00:00:64", 48 },
		{ "ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff", 48 },
	};
	static const char *const bad[] = {
		"",
		"/24",
		"44:47",
		"44:47:CC:D",	 /* a nibble needs its /28 */
		"44:47:CC:D/36", /* the digits given do not make 36 bits */
		"44:47:CC/28",
		"44:47:CC:D0/28", /* neither the short nor the long form */
		"44:47:CC:DD:E/28",
		"44:47:CC:D1:00:00/28", /* bits set past the prefix */
		"44:47:CC:D8:00:00/28",
		"44:47:CC:00:00:01/24",
		"70:B3:D5:F2:F8:00/36",
		"70:B3:D5:F2:F1/36",
		"44:47:CC:00:00:00/27", /* not a registry length */
		"44:47:CC:00:00:00/32",
		"44:47:CC:00:00:00/40",
		"44:47:CC:00:00:00/0",
		"44:47:CC:00:00:00/",
		"44:47:CC:00:00:00/024",
		"44:47:CC:00:00:00/+24",
		"44:47:CC:00:00:00/24/24",
		"44:47:CC:00:00:00/24 ",
		"44:47:CG", /* bad hex */
		"44:47:C",
		"44:47:CCC",
		"4:47:CC",
		"44:47:CC:00:00:00:00", /* too many groups */
		"44:47:CC:00:00:00:0/48",
		"44:47:CC:",
		"44:47:CC junk", /* trailing junk */
		"44:47:CCx",
		"44:47:CC:D/28x",
		" 44:47:CC",
		"44:47-CC",
		"44.47.CC",
		"44:47:CC:D:0/28",
	};
	struct oui_prefix p, q, keep = { { 9, 9, 9, 9, 9, 9 }, 99 };
	char buf[OUI_STR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (oui_parse(good[i].in, &p) != 0)
			fail_msg("oui_parse(\"%s\") refused", good[i].in);
		assert_int_equal(p.bits, good[i].bits);
		oui_format(&p, buf, sizeof(buf));
		assert_string_equal(buf, good[i].out);
		/* and back */
		assert_int_equal(oui_parse(buf, &q), 0);
		assert_memory_equal(&p, &q, sizeof(p));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = keep;
		if (oui_parse(bad[i], &p) != -EINVAL)
			fail_msg("oui_parse(\"%s\") accepted", bad[i]);
		assert_memory_equal(&p, &keep, sizeof(p));
	}
}

static void test_oui_format(void **state)
{
	struct oui_prefix p;
	char buf[OUI_STR_MAX], small[6];

	(void)state;
	prefix_set(&p, "70:B3:D5:F2:F/36");
	oui_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "70:b3:d5:f2:f0:00/36");
	/* the longest form fits with room to spare */
	assert_true(strlen(buf) < OUI_STR_MAX);
	/* cut to fit, always terminated */
	oui_format(&p, small, sizeof(small));
	assert_string_equal(small, "70:b3");
	oui_format(&p, NULL, 0);
}

/* Does p hold mac: the prefix of mac of p's length is p. */
static bool oui_contains(const struct oui_prefix *p, const uint8_t mac[6])
{
	struct oui_prefix q;

	oui_of(mac, p->bits, &q);
	return q.bits == p->bits && !memcmp(q.addr, p->addr, 6);
}

static void test_oui_of(void **state)
{
	struct oui_prefix p;
	uint8_t mac[6];

	(void)state;
	prefix_set(&p, "44:47:cc");
	assert_int_equal(mac_parse("44:47:cc:ff:ff:ff", mac), 0);
	assert_true(oui_contains(&p, mac));
	assert_int_equal(mac_parse("44:47:cd:00:00:00", mac), 0);
	assert_false(oui_contains(&p, mac));

	prefix_set(&p, "74:1a:e0:1/28");
	assert_int_equal(mac_parse("74:1a:e0:1f:ff:ff", mac), 0);
	assert_true(oui_contains(&p, mac));
	assert_int_equal(mac_parse("74:1a:e0:20:00:00", mac), 0);
	assert_false(oui_contains(&p, mac));

	prefix_set(&p, "70:b3:d5:f2:f/36");
	assert_int_equal(mac_parse("70:b3:d5:f2:ff:ff", mac), 0);
	assert_true(oui_contains(&p, mac));
	assert_int_equal(mac_parse("70:b3:d5:f2:ef:ff", mac), 0);
	assert_false(oui_contains(&p, mac));

	prefix_set(&p, "44:47:cc:00:00:64");
	assert_int_equal(mac_parse("44:47:cc:00:00:64", mac), 0);
	assert_true(oui_contains(&p, mac));
	assert_int_equal(mac_parse("44:47:cc:00:00:65", mac), 0);
	assert_false(oui_contains(&p, mac));
}

/* --- loading ----------------------------------------------------------------------- */

static void test_load_errors(void **state)
{
	/* the header is matched ignoring case, as the CSV parser does */
	static const char csv_text[] =
		"registry,assignment,organization name,organization address\n"
		"MA-L,AABBCC,Acme,\n";
	struct registry *r = registry_new();
	char path[] = "/tmp/test_vendors.XXXXXX";
	unsigned int line = 77;
	int fd;

	(void)state;
	assert_int_equal(registry_load(r, FIXTURES "does-not-exist.csv", &line), -ENOENT);
	assert_int_equal(line, 77);
	assert_int_equal(registry_load(r, FIXTURES, &line), -EISDIR);

	/* more than 64 MiB: refused before reading (the file is sparse) */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ((off_t)64 << 20) + 1), 0);
	assert_int_equal(registry_load(r, path, &line), -EFBIG);

	/* the header decides the parser: as manuf this is not a prefix line */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "MA-L,AABBCC,Acme,\n", 18, 0), 18);
	assert_int_equal(registry_load(r, path, &line), -EINVAL);
	assert_int_equal(line, 1);
	assert_int_equal(pwrite(fd, csv_text, strlen(csv_text), 0), (ssize_t)strlen(csv_text));
	assert_int_equal(registry_load(r, path, &line), 0);
	assert_string_equal(lookup_org(r, "aa:bb:cc:00:00:00"), "Acme");

	/* an empty file is an empty manuf */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(registry_load(r, path, &line), 0);
	assert_int_equal(registry_count(r), 1);

	close(fd);
	unlink(path);
	registry_free(r);
	registry_free(NULL);
}

/* --- the shipped camera-vendor list -------------------------------------------------- */

static void test_camera_policy(void **state)
{
	static const char *const paths[] = { CAMERA_POLICY };
	static const char *const makers[] = { "hikvision", "hangzhou ezviz", "zhejiang dahua",
					      "hangzhou huacheng" };
	struct registry_hit hits[HITS_MAX];
	struct registry *r;
	size_t n, total = 0, i;

	(void)state;
	r = load(paths, 1);
	n = registry_match(r, "hikvision", hits, HITS_MAX);
	assert_true(n >= 70);
	assert_true(hits_have(hits, n, "44:47:cc"));
	assert_true(registry_match(r, "ezviz", hits, HITS_MAX) >= 5);
	n = registry_match(r, "dahua", hits, HITS_MAX);
	assert_true(n >= 24);
	assert_true(hits_have(hits, n, "08:ed:ed"));
	for (i = 0; i < n; i++)
		assert_null(strstr(hits[i].org, "Scale"));
	/* Imou, Dahua's consumer brand, under its operator's name */
	assert_true(registry_match(r, "huacheng", NULL, 0) >= 1);

	/* every entry is one of the camera makers, each prefix once */
	for (i = 0; i < sizeof(makers) / sizeof(makers[0]); i++)
		total += registry_match(r, makers[i], NULL, 0);
	assert_int_equal(total, registry_count(r));
	assert_int_equal(registry_match(r, "", NULL, 0), registry_count(r));
	registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_oui_csv),	 cmocka_unit_test(test_real_all),
		cmocka_unit_test(test_csv_quotes),	 cmocka_unit_test(test_csv_fixture),
		cmocka_unit_test(test_csv_unterminated), cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_names),	 cmocka_unit_test(test_manuf),
		cmocka_unit_test(test_manuf_errors),	 cmocka_unit_test(test_manuf_forms),
		cmocka_unit_test(test_two_sources),	 cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_mac_parse),	 cmocka_unit_test(test_oui_parse),
		cmocka_unit_test(test_oui_format),	 cmocka_unit_test(test_oui_of),
		cmocka_unit_test(test_load_errors),	 cmocka_unit_test(test_camera_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
