/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_devtab.c - the devices table (`nfq-guard devices`): one entry per
 * MAC (per address without one), counts, the latest addresses, the bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "policy_file.h"
#include "service/devtab.h"

static const char policy_text[] =
	"version = 1;\n"
	"mode = \"enforce\";\n"
	"default = \"drop\";\n"
	"networks = { lan = [ \"192.168.1.0/24\" ]; router = \"192.168.1.1\"; };\n"
	"devices = (\n"
	"\t{ name = \"cams\"; mac = [ \"44:47:cc:00:00:01\", \"44:47:cc:00:00:02\",\n"
	"\t  \"44:47:cc:00:00:03\" ]; },\n"
	"\t{ name = \"nvr\"; ip = [ \"192.168.1.10\" ]; }\n"
	");\n"
	"labels = ( { mac = \"44:47:cc:00:00:01\"; label = \"door 1\"; } );\n"
	"rules = ( { name = \"dns\"; from = \"cams\"; to = \"router\"; proto = \"udp\";\n"
	"\t port = 53; action = \"allow\"; } );\n";

static const uint8_t cam1[6] = { 0x44, 0x47, 0xcc, 0, 0, 1 },
		     cam2[6] = { 0x44, 0x47, 0xcc, 0, 0, 2 },
		     cam3[6] = { 0x44, 0x47, 0xcc, 0, 0, 3 }, laptop[6] = { 2, 0, 0, 0, 0, 9 };

static void note(struct devtab *dt, const struct policy *p, const uint8_t *mac, uint8_t last,
		 bool blocked, uint64_t now)
{
	uint8_t a[16] = { 192, 168, 1, last };
	struct decision d;

	decision_for(p, mac, a, blocked ? ACTION_DROP : ACTION_ALLOW, &d);
	devtab_note(dt, p, mac != NULL, mac, 4, a, &d, blocked, now);
}

/* What devtab_print writes, as a string the caller frees. */
static char *print(struct devtab *dt, enum devtab_style style)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	devtab_print(dt, f, style);
	fclose(f);
	return buf;
}

static void test_one_entry_per_device(void **state)
{
	struct policy *p = policy_of_text(policy_text);
	struct devtab dt;
	char *s;

	(void)state;
	assert_int_equal(devtab_init(&dt, 16), 0);
	note(&dt, p, cam1, 21, false, 1000);
	note(&dt, p, cam1, 22, true, 1005); /* a new address of the same camera */
	note(&dt, p, cam1, 22, true, 1010);
	note(&dt, p, laptop, 50, false, 1010); /* in no group: not a device */
	note(&dt, p, NULL, 10, false, 1020);   /* the NVR, by its address */
	assert_int_equal(devtab_count(&dt), 2);
	s = print(&dt, DEVTAB_JSON);
	assert_true(json_valid(s));
	/* most recently seen first: the NVR, then the camera */
	assert_non_null(strstr(s, "{\"devices\":[{\"mac\":null,\"addresses\":[\"192.168.1.10\"],"
				  "\"group\":\"nvr\",\"label\":null,\"match\":\"ip\""));
	assert_non_null(strstr(
		s, "\"mac\":\"44:47:cc:00:00:01\",\"addresses\":[\"192.168.1.21\","
		   "\"192.168.1.22\"],\"group\":\"cams\",\"label\":\"door 1\",\"match\":\"mac\""));
	assert_non_null(strstr(s, "\"first_seen\":\"1970-01-01T00:16:40"));
	assert_non_null(strstr(s, "\"flows_allowed\":1,\"flows_blocked\":2}"));
	assert_non_null(strstr(s, "],\"evicted\":0}"));
	assert_true(strstr(s, "nvr") < strstr(s, "cams"));
	free(s);
	s = print(&dt, DEVTAB_BRIEF);
	assert_non_null(strstr(s, "44:47:cc:00:00:01"));
	assert_non_null(strstr(s, " 1 / 2  (door 1)\n"));
	free(s);
	s = print(&dt, DEVTAB_TEXT);
	assert_non_null(strstr(s, "\n    label: door 1\n"));
	free(s);
	devtab_fini(&dt);
	policy_free(p);
}

static void test_latest_addresses(void **state)
{
	struct policy *p = policy_of_text(policy_text);
	struct devtab dt;
	char *s;

	(void)state;
	assert_int_equal(devtab_init(&dt, 16), 0);
	for (uint8_t i = 1; i <= DEVTAB_ADDRS + 2; i++)
		note(&dt, p, cam2, i, false, 1000 + i);
	s = print(&dt, DEVTAB_JSON);
	/* the oldest two went; the latest DEVTAB_ADDRS stay, in order */
	assert_null(strstr(s, "\"192.168.1.2\","));
	assert_non_null(
		strstr(s, "[\"192.168.1.3\",\"192.168.1.4\",\"192.168.1.5\",\"192.168.1.6\"]"));
	free(s);
	devtab_fini(&dt);
	policy_free(p);
}

static void test_bound(void **state)
{
	struct policy *p = policy_of_text(policy_text);
	struct devtab dt;
	char *s;

	(void)state;
	assert_int_equal(devtab_init(&dt, 2), 0);
	note(&dt, p, cam1, 21, false, 1000);
	note(&dt, p, cam2, 22, false, 1001);
	note(&dt, p, cam1, 21, false, 1002); /* seen again: now the newest */
	note(&dt, p, cam3, 23, false, 1003); /* the least recently seen (cam2) goes */
	assert_int_equal(devtab_count(&dt), 2);
	assert_int_equal(dt.evicted, 1);
	s = print(&dt, DEVTAB_JSON);
	assert_true(json_valid(s));
	assert_null(strstr(s, "44:47:cc:00:00:02"));
	assert_non_null(strstr(s, "44:47:cc:00:00:01"));
	assert_non_null(strstr(s, "44:47:cc:00:00:03"));
	assert_non_null(strstr(s, "\"evicted\":1}"));
	free(s);
	devtab_fini(&dt);
	policy_free(p);
}

/* A device found by its behaviour in no group: group null, known by what it showed. */
static void test_found_in_no_group(void **state)
{
	struct policy *p = policy_of_text(policy_text);
	struct found_rec f = { .mac = { 2, 0, 0, 0, 0, 0x68 },
			       .by = FOUND_ONVIF,
			       .vendor = "Acme Vision",
			       .model = "AV-IPC-4MP",
			       .family = 4,
			       .addr = { 192, 168, 1, 68 } };
	struct devtab dt;
	char *s;

	(void)state;
	assert_int_equal(devtab_init(&dt, 4), 0);
	devtab_found(&dt, p, &f, 1000);
	s = print(&dt, DEVTAB_JSON);
	assert_true(json_valid(s));
	assert_non_null(strstr(s, "\"group\":null,"));
	assert_non_null(strstr(s,
			       "\"identified_by\":\"onvif\",\"evidence\":{\"found_by\":\"onvif\","
			       "\"vendor\":\"Acme Vision\",\"model\":\"AV-IPC-4MP\""));
	free(s);
	s = print(&dt, DEVTAB_TEXT);
	assert_non_null(strstr(s, "02:00:00:00:00:68  -  "));
	assert_non_null(strstr(s, "identified by onvif: onvif Acme Vision AV-IPC-4MP"));
	free(s);
	devtab_fini(&dt);
	policy_free(p);
}

static void test_empty(void **state)
{
	struct devtab dt;
	char *s;

	(void)state;
	assert_int_equal(devtab_init(&dt, 4), 0);
	s = print(&dt, DEVTAB_JSON);
	assert_string_equal(s, "{\"devices\":[],\"evicted\":0}");
	free(s);
	s = print(&dt, DEVTAB_TEXT);
	assert_string_equal(s, "no device has opened a flow yet\n");
	free(s);
	devtab_fini(&dt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_entry_per_device),
		cmocka_unit_test(test_latest_addresses),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_found_in_no_group),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
