/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_identify.c - which groups a device falls in (policy_identify):
 * exact MAC, MAC prefix, vendor (through the registry), address,
 * interface, and none; and how each group matched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

/* A policy compiled as if it stood in tests/data/vendors/ (its registry is there). */
static const char policy_text[] =
	"version = 1;\n"
	"mode = \"enforce\";\n"
	"default = \"drop\";\n"
	"vendors = { registry = [ \"mini.manuf\" ]; };\n"
	"networks = { lan = [ \"192.168.1.0/24\", \"fd00::/64\" ]; router = \"192.168.1.1\"; };\n"
	"devices = (\n"
	"\t{ name = \"door\"; mac = [ \"aa:bb:cc:10:00:01\" ]; },\n"
	"\t{ name = \"best\"; vendor = \"best\"; },\n"
	"\t{ name = \"block\"; oui = [ \"aa:bb:cc:1/28\" ]; },\n"
	"\t{ name = \"nvr\"; ip = [ \"192.168.1.0/28\", \"fd00::10/128\" ]; },\n"
	"\t{ name = \"wifi\"; iface = \"wlan0\"; }\n"
	");\n"
	"rules = ( { name = \"dns\"; from = \"*\"; to = \"router\"; proto = \"udp\"; port = 53;\n"
	"\t  action = \"allow\"; } );\n";

enum { DOOR, BEST, BLOCK, NVR, WIFI };

static int setup(void **state)
{
	struct policy_errors e;
	struct policy *p = policy_compile_text("tests/data/vendors/p.conf", policy_text,
					       strlen(policy_text), 0, &e);

	for (size_t i = 0; i < e.n; i++)
		print_message("  %s\n", e.lines[i]);
	policy_errors_clear(&e);
	*state = p;
	return p ? 0 : -1;
}

static int teardown(void **state)
{
	policy_free(*state);
	return 0;
}

static uint64_t identify(const struct policy *p, const char *mac, const char *addr,
			 const char *iface, struct group_match *how)
{
	struct device_key k = { 0 };
	struct cidr c;

	if (mac) {
		k.has_mac = true;
		assert_int_equal(mac_parse(mac, k.mac), 0);
	}
	if (addr) {
		assert_int_equal(cidr_parse(addr, &c), 0);
		k.family = c.family;
		memcpy(k.addr, c.addr, 16);
	}
	if (iface)
		snprintf(k.iface, sizeof(k.iface), "%s", iface);
	return policy_identify(p, &k, how);
}

#define BIT(g) ((uint64_t)1 << (g))

static void test_mac_vendor_and_prefix(void **state)
{
	const struct policy *p = *state;
	struct group_match how[POLICY_MAX_DEVICES];
	char buf[64];

	(void)state;
	/* the door camera: its exact MAC, its vendor's block, the /28 */
	assert_int_equal(identify(p, "aa:bb:cc:10:00:01", NULL, NULL, how),
			 BIT(DOOR) | BIT(BEST) | BIT(BLOCK));
	assert_int_equal(how[DOOR].kind, MATCH_MAC);
	assert_int_equal(how[BEST].kind, MATCH_VENDOR);
	assert_string_equal(how[BEST].prefix->org, "The \"Best\" Cameras");
	assert_int_equal(how[BLOCK].kind, MATCH_OUI);
	group_match_format(&how[BLOCK], buf, sizeof(buf));
	assert_string_equal(buf, "aa:bb:cc:10:00:00/28");
	/* another camera of the block: not the door */
	assert_int_equal(identify(p, "aa:bb:cc:1f:ff:ff", NULL, NULL, how), BIT(BEST) | BIT(BLOCK));
	/* just past the block */
	assert_int_equal(identify(p, "aa:bb:cc:20:00:00", NULL, NULL, how), 0);
}

static void test_address_and_interface(void **state)
{
	const struct policy *p = *state;
	struct group_match how[POLICY_MAX_DEVICES];
	char buf[64];

	assert_int_equal(identify(p, "02:00:00:00:00:09", "192.168.1.10", NULL, how), BIT(NVR));
	assert_int_equal(how[NVR].kind, MATCH_IP);
	group_match_format(&how[NVR], buf, sizeof(buf));
	assert_string_equal(buf, "192.168.1.0/28");
	assert_int_equal(identify(p, NULL, "fd00::10", NULL, how), BIT(NVR));
	assert_int_equal(identify(p, NULL, "fd00::11", NULL, how), 0);
	assert_int_equal(identify(p, NULL, "192.168.1.16", NULL, how), 0);
	/* the interface alone */
	assert_int_equal(identify(p, "02:00:00:00:00:09", "192.168.1.50", "wlan0", how), BIT(WIFI));
	assert_int_equal(how[WIFI].kind, MATCH_IFACE);
	assert_int_equal(identify(p, "02:00:00:00:00:09", "192.168.1.50", "wlan1", how), 0);
	/* a camera of the block on the wifi, at the NVR's range: every group, each its way */
	assert_int_equal(identify(p, "aa:bb:cc:10:00:02", "192.168.1.3", "wlan0", how),
			 BIT(BEST) | BIT(BLOCK) | BIT(NVR) | BIT(WIFI));
	assert_int_equal(how[NVR].kind, MATCH_IP);
	assert_int_equal(how[WIFI].kind, MATCH_IFACE);
}

static void test_no_device(void **state)
{
	const struct policy *p = *state;

	/* a laptop: no group, and without a MAC or address nothing to match */
	assert_int_equal(identify(p, "02:00:00:00:00:09", "192.168.1.50", "eth0", NULL), 0);
	assert_int_equal(identify(p, NULL, NULL, NULL, NULL), 0);
	/* the vendor is named by the registry, not guessed: Cisco is no "best" */
	assert_int_equal(identify(p, "00:00:0c:00:00:01", NULL, NULL, NULL), 0);
}

/* A device found by its behaviour: the groups naming its vendor take it, as its OUI would. */
static void test_found(void **state)
{
	const struct policy *p = *state;
	struct group_match how[POLICY_MAX_DEVICES];
	struct device_key k = { .has_mac = true, .found_by = FOUND_SADP };
	char buf[64];

	assert_int_equal(mac_parse("02:00:00:00:00:66", k.mac), 0);
	/* the found vendor contains the group's vendor string, either way round */
	snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", "BEST Cameras OEM");
	assert_int_equal(policy_identify(p, &k, how), BIT(BEST));
	assert_int_equal(how[BEST].kind, MATCH_FOUND);
	group_match_format(&how[BEST], buf, sizeof(buf));
	assert_string_equal(buf, "best");
	assert_string_equal(match_kind_str(how[BEST].kind), "found");
	assert_int_equal(policy_naming_group(p, BIT(BEST), how), BEST);
	snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", "Bes");
	assert_int_equal(policy_identify(p, &k, how), BIT(BEST));
	/* too short to name anyone, another vendor, or found by nothing */
	snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", "be");
	assert_int_equal(policy_identify(p, &k, how), 0);
	snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", "Acme Vision");
	assert_int_equal(policy_identify(p, &k, how), 0);
	snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", "best");
	k.found_by = FOUND_NONE;
	assert_int_equal(policy_identify(p, &k, how), 0);
	/* found, at the NVR's range too: both; the vendor names it before the address */
	k.found_by = FOUND_DNS;
	k.family = 4;
	k.addr[0] = 192, k.addr[1] = 168, k.addr[2] = 1, k.addr[3] = 3;
	assert_int_equal(policy_identify(p, &k, how), BIT(BEST) | BIT(NVR));
	assert_int_equal(policy_naming_group(p, BIT(BEST) | BIT(NVR), how), BEST);
	/* the door's own MAC: its exact MAC still names it first, vendor by OUI as before */
	assert_int_equal(mac_parse("aa:bb:cc:10:00:01", k.mac), 0);
	k.family = 0;
	assert_int_equal(policy_identify(p, &k, how), BIT(DOOR) | BIT(BEST) | BIT(BLOCK));
	assert_int_equal(how[BEST].kind, MATCH_VENDOR);
}

/* Groups from least to most specific: the file order must not decide. */
static const char order_text[] =
	"version = 1;\n"
	"mode = \"enforce\";\n"
	"default = \"drop\";\n"
	"vendors = { registry = [ \"mini.manuf\" ]; };\n"
	"networks = { lan = [ \"192.168.1.0/24\" ]; };\n"
	"devices = (\n"
	"\t{ name = \"wifi\"; iface = \"wlan0\"; },\n"
	"\t{ name = \"wide\"; ip = [ \"192.168.1.0/24\" ]; },\n"
	"\t{ name = \"narrow\"; ip = [ \"192.168.1.0/28\" ]; },\n"
	"\t{ name = \"best\"; vendor = \"best\"; },\n"
	"\t{ name = \"wideblock\"; oui = [ \"aa:bb:cc\" ]; },\n"
	"\t{ name = \"block\"; oui = [ \"aa:bb:cc:1/28\" ]; },\n"
	"\t{ name = \"door\"; mac = [ \"aa:bb:cc:10:00:01\" ]; },\n"
	"\t{ name = \"door2\"; mac = [ \"aa:bb:cc:10:00:01\" ]; }\n"
	");\n"
	"rules = ( { name = \"any\"; from = \"*\"; action = \"allow\"; } );\n";

enum { O_WIFI, O_WIDE, O_NARROW, O_BEST, O_WIDEBLOCK, O_BLOCK, O_DOOR, O_DOOR2 };

static int naming(const struct policy *p, const char *mac, const char *addr, const char *iface)
{
	struct group_match how[POLICY_MAX_DEVICES];
	uint64_t g = identify(p, mac, addr, iface, how);

	return policy_naming_group(p, g, how);
}

static void test_most_specific_names(void **state)
{
	struct policy_errors e;
	struct policy *p = policy_compile_text("tests/data/vendors/o.conf", order_text,
					       strlen(order_text), 0, &e);

	(void)state;
	for (size_t i = 0; i < e.n; i++)
		print_message("  %s\n", e.lines[i]);
	policy_errors_clear(&e);
	assert_non_null(p);
	/* the exact MAC, then the first of two equal ones */
	assert_int_equal(naming(p, "aa:bb:cc:10:00:01", "192.168.1.2", "wlan0"), O_DOOR);
	/* the /28 block before the /24 one before the vendor's block */
	assert_int_equal(naming(p, "aa:bb:cc:10:00:02", "192.168.1.2", "wlan0"), O_BLOCK);
	assert_int_equal(naming(p, "aa:bb:cc:20:00:02", "192.168.1.2", "wlan0"), O_WIDEBLOCK);
	/* the longest address prefix, then the interface */
	assert_int_equal(naming(p, "02:00:00:00:00:09", "192.168.1.2", "wlan0"), O_NARROW);
	assert_int_equal(naming(p, "02:00:00:00:00:09", "192.168.1.20", "wlan0"), O_WIDE);
	assert_int_equal(naming(p, "02:00:00:00:00:09", "10.0.0.1", "wlan0"), O_WIFI);
	assert_int_equal(naming(p, "02:00:00:00:00:09", "10.0.0.1", "eth0"), -1);
	policy_free(p);
}

static void test_no_files(void **state)
{
	struct policy_errors e;
	struct policy *p;

	(void)state;
	/* without files, a registry named is an error at its line */
	p = policy_compile_text("t.conf", policy_text, strlen(policy_text), POLICY_NO_FILES, &e);
	assert_null(p);
	assert_true(e.n >= 1);
	assert_non_null(strstr(e.lines[0], "t.conf:4: "));
	policy_errors_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_vendor_and_prefix),
		cmocka_unit_test(test_address_and_interface),
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_most_specific_names),
		cmocka_unit_test(test_no_files),
	};

	return cmocka_run_group_tests_name("identify", tests, setup, teardown);
}
