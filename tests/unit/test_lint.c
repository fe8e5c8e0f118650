/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lint.c - the warnings of `check` (policy_lint): each kind found
 * where it should be, at its line, and none where a rule or group only
 * looks alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy_file.h"

#define NETS                                                                                      \
	"version = 1;\n"                                                                          \
	"networks = { lan = [ \"192.168.0.0/16\", \"10.0.0.0/8\" ]; router = \"192.168.1.254\"; " \
	"};\n"

/* The warnings of text (which must compile), each "LINE: message" without "p.conf:" and "warning: ". */
static void expect_warnings(const char *text, const char *const *want)
{
	struct policy *p = policy_of_text(text);
	struct policy_errors w;
	size_t i, n;
	bool ok;

	policy_lint(p, &w);
	for (n = 0; want[n]; n++)
		;
	ok = w.n == n;
	for (i = 0; ok && i < n; i++) {
		char full[1024];

		snprintf(full, sizeof(full), "p.conf:%s", want[i]);
		/* "p.conf:3: warning: ..." against "3: ..." */
		ok = !strncmp(w.lines[i], full, strcspn(full, " ")) &&
		     strstr(w.lines[i], ": warning: ") &&
		     !strcmp(strstr(w.lines[i], ": warning: ") + 11, strchr(want[i], ' ') + 1);
	}
	if (!ok) {
		for (i = 0; i < n; i++)
			print_message("  want: %s\n", want[i]);
		for (i = 0; i < w.n; i++)
			print_message("  got:  %s\n", w.lines[i]);
		fail_msg("warnings differ");
	}
	policy_errors_clear(&w);
	policy_free(p);
}

static void test_shadowed(void **state)
{
	const char *const want[] = {
		"5: rule 'https' is never reached: rule 'wan' (line 4) comes first and matches "
		"every flow it does, with another action",
		"6: rule 'doc' is never reached: rule 'wan' (line 4) comes first and matches "
		"every flow it does, with another action",
		"9: rule 'mid' is never reached: rule 'two' (line 8) comes first and matches "
		"every flow it does",
		"11: rule 'sub' is never reached: rule 'cloud' (line 10) comes first and matches "
		"every flow it does, with another action",
		NULL,
	};

	(void)state;
	expect_warnings(NETS
			"rules = (\n"
			"{ name = \"wan\"; to = \"wan\"; action = \"drop\"; },\n"
			"{ name = \"https\"; to = \"wan\"; proto = \"tcp\"; port = 443; action "
			"= \"allow\"; },\n"
			"{ name = \"doc\"; to = \"203.0.113.0/24\"; action = \"allow\"; },\n"
			/* in the lan: not in wan */
			"{ name = \"lan\"; to = \"10.1.0.0/16\"; action = \"allow\"; },\n"
			"{ name = \"two\"; to = \"lan\"; port = [ \"1-10\", \"11-20\" ]; action "
			"= \"allow\"; },\n"
			"{ name = \"mid\"; to = \"10.0.0.0/8\"; port = \"5-15\"; action = "
			"\"allow\"; },\n"
			"{ name = \"cloud\"; domain = \"*.example.com\"; action = \"drop\"; },\n"
			"{ name = \"sub\"; domain = \"a.example.com\"; action = \"allow\"; },\n"
			/* ports not all covered, another protocol */
			"{ name = \"wider\"; to = \"lan\"; port = \"5-21\"; action = \"drop\"; },\n"
			"{ name = \"other\"; to = \"lan\"; proto = \"udp\"; action = \"drop\"; }\n"
			");\n",
			want);
}

/* A rule no flow reaches still gives undecodable packets its stricter verdict: said so. */
static void test_shadowed_but_strictest(void **state)
{
	const char *const want[] = {
		"6: rule 'block' is never reached by a flow: rule 'all' (line 5) comes first and "
		"matches every flow it does, with another action; it still gives its verdict to "
		"the packets of its devices that do not decode (the strictest rule decides those)",
		NULL,
	};

	(void)state;
	expect_warnings(NETS "default = \"allow\";\nrules = (\n"
			     "{ name = \"all\"; action = \"allow\"; },\n"
			     "{ name = \"block\"; to = \"wan\"; action = \"drop\"; } );\n",
			want);
}

/* Alike, but some flow of the later rule escapes the earlier one. */
static void test_not_shadowed(void **state)
{
	const char *const none[] = { NULL };

	(void)state;
	expect_warnings(NETS
			"devices = ( { name = \"cams\"; ip = \"192.168.5.0/24\"; },\n"
			"{ name = \"nvr\"; ip = \"192.168.6.1\"; } );\n"
			"rules = (\n"
			/* an allowing domain rule covers no blocking one (names it never sees) */
			"{ domain = \"*.example.com\"; action = \"allow\"; },\n"
			"{ domain = \"a.example.com\"; action = \"drop\"; },\n"
			/* a wildcard is not covered by the exact name */
			"{ domain = \"b.example.org\"; action = \"drop\"; },\n"
			"{ domain = \"*.b.example.org\"; action = \"log\"; },\n"
			/* from: a group more */
			"{ from = \"cams\"; to = \"wan\"; action = \"drop\"; },\n"
			"{ from = [ \"cams\", \"nvr\" ]; to = \"wan\"; action = \"allow\"; },\n"
			/* to: partly in the lan */
			"{ to = \"wan\"; port = 80; action = \"drop\"; },\n"
			"{ to = \"0.0.0.0/0\"; port = 80; action = \"allow\"; },\n"
			/* a port rule covers no rule without ports */
			"{ port = 25; action = \"drop\"; },\n"
			"{ proto = \"tcp\"; action = \"allow\"; }\n"
			");\n",
			none);
}

static void test_groups(void **state)
{
	const char *const want[] = {
		"5: device group 'spare' is in no rule's 'from': only the rules for every "
		"device, then the default, decide its flows",
		"6: device groups 'cam2' and 'cams' (line 4) both take 02:00:00:00:00:01 "
		"(and 1 more) by MAC, as specifically as each other: 'cams' names such a device "
		"(it comes first)",
		"7: device groups 'iface' and 'cams' (line 4) both take 192.168.5.7/32 "
		"by address, as specifically as each other: 'cams' names such a device (it "
		"comes first)",
		NULL,
	};

	(void)state;
	expect_warnings(
		NETS "devices = (\n"
		     "{ name = \"cams\"; mac = [ \"02:00:00:00:00:01\", \"02:00:00:00:00:02\" ]; "
		     "ip = \"192.168.5.7\"; },\n"
		     "{ name = \"spare\"; oui = \"02:00:00\"; },\n"
		     "{ name = \"cam2\"; mac = [ \"02:00:00:00:00:02\", \"02:00:00:00:00:01\" ]; "
		     "},\n"
		     "{ name = \"iface\"; ip = [ \"192.168.5.7/32\", \"192.168.5.0/24\" ]; "
		     "iface = \"eth1\"; }\n"
		     ");\n"
		     "rules = ( { from = [ \"cams\", \"cam2\", \"iface\" ]; to = \"wan\"; "
		     "action = \"drop\"; } );\n",
		want);
}

static void test_vendors(void **state)
{
	char dir[] = "/tmp/nfqg-lint-XXXXXX", path[64], text[1024];
	const char *const want[] = {
		"4: vendor \"Dahua\" of device group 'dahua' matches 2 organisations: \"Shanghai "
		"Dahua Scale Factory\" (1 prefix), \"Zhejiang Dahua Technology Co., Ltd.\" (2 "
		"prefixes); if one is not the one you mean, give more of its name (or use oui)",
		NULL,
	};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/reg.manuf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* one organisation in three spellings (a registry's typo among them), and a false friend */
	fputs("08:ED:ED\tZhejiang\tZhejiang Dahua Technology Co., Ltd.\n"
	      "3C:EF:8C\tZhejiang\tZhejiang Dahua Technologyco.,Ltd\n"
	      "00:1B:C5\tShanghai\tShanghai Dahua Scale Factory\n"
	      "44:47:CC\tHangzhou\tHangzhou Hikvision Digital Technology Co.,Ltd.\n"
	      "C0:56:E3\tHangzhou\tHANGZHOU HIKVISION DIGITAL TECHNOLOGY CO. LTD.\n",
	      f);
	assert_int_equal(fclose(f), 0);
	snprintf(text, sizeof(text),
		 NETS
		 "vendors = { registry = [ \"%s\" ]; };\n"
		 "devices = ( { name = \"dahua\"; vendor = [ \"Dahua\", \"Zhejiang Dahua\" ]; },\n"
		 "{ name = \"hik\"; vendor = \"hikvision\"; } );\n"
		 "rules = ( { to = \"wan\"; action = \"drop\"; } );\n",
		 path);
	expect_warnings(text, want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_addresses(void **state)
{
	const char *const want[] = {
		"3: networks.router is still the shipped example (192.168.1.1, fe80::1): put "
		"the router's own addresses there (DHCP, DNS and NTP are allowed only to them)",
		"4: network 'nvr' holds 2001:db8:1::/48, a documentation address (RFC 3849): an "
		"example left in?",
		"6: device group 'cams' holds 198.51.100.7/32, a documentation address (RFC 5737): "
		"an example left in?",
		NULL,
	};

	(void)state;
	expect_warnings("version = 1;\n"
			"networks = { lan = \"192.168.0.0/16\";\n"
			"\trouter = [ \"192.168.1.1\", \"fe80::1\" ];\n"
			"\tnvr = [ \"192.168.7.0/24\", \"2001:db8:1::/48\" ]; };\n"
			"devices = (\n"
			"{ name = \"cams\"; ip = [ \"192.168.5.0/24\", \"198.51.100.7\" ]; } );\n"
			"rules = ( { to = \"wan\"; action = \"drop\"; } );\n",
			want);
}

/* strict.conf's NVR example left in. */
static void test_nvr_example(void **state)
{
	const char *const want[] = {
		"3: networks.nvr is still strict.conf's example (192.168.10.5): put your NVR's "
		"addresses there",
		NULL,
	};

	(void)state;
	expect_warnings("version = 1;\n"
			"networks = { lan = \"192.168.0.0/16\"; router = \"192.168.1.254\";\n"
			"\tnvr = [ \"192.168.10.5\" ]; };\n"
			"rules = ( { to = \"nvr\"; action = \"allow\"; } );\n",
			want);
}

/* A policy as an admin would write it: nothing to warn of. */
static void test_clean(void **state)
{
	const char *const none[] = { NULL };

	(void)state;
	expect_warnings(
		"version = 1;\n"
		"networks = { lan = \"192.168.0.0/16\"; router = \"192.168.1.254\";\n"
		"\tnvr = \"192.168.7.10\"; };\n"
		"devices = ( { name = \"cams\"; oui = \"44:47:cc\"; },\n"
		"{ name = \"lobby\"; mac = \"44:47:cc:00:00:01\"; } );\n"
		"rules = (\n"
		"{ to = \"router\"; proto = \"udp\"; port = [ 53, 123 ]; action = \"allow\"; },\n"
		"{ from = \"cams\"; to = \"nvr\"; action = \"allow\"; },\n"
		"{ from = \"lobby\"; to = \"nvr\"; port = 554; action = \"allow\"; },\n"
		"{ to = \"wan\"; action = \"drop\"; log = true; } );\n",
		none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shadowed),     cmocka_unit_test(test_shadowed_but_strictest),
		cmocka_unit_test(test_not_shadowed), cmocka_unit_test(test_groups),
		cmocka_unit_test(test_vendors),	     cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_nvr_example),  cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
