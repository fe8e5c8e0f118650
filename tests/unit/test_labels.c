/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_labels.c - the policy's labels: compiled and found by MAC, shown in
 * decision events (JSON and text), and every mistake reported at its line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_file.h"
#include "print/event.h"

#define HEAD                                                            \
	"version = 1;\n"                                                \
	"networks = { lan = [ \"192.168.1.0/24\" ]; };\n"               \
	"devices = ( { name = \"cams\"; oui = [ \"44:47:cc\" ]; } );\n" \
	"rules = ( { name = \"wan\"; from = \"cams\"; to = \"wan\"; action = \"drop\"; } );\n"

static void test_found_by_mac(void **state)
{
	struct policy *p = policy_of_text(
		HEAD "labels = (\n"
		     "  { mac = \"44:47:CC:00:00:02\"; label = \"entrance-3\"; },\n"
		     "  { mac = \"44-47-cc-00-00-01\"; label = \"Lobby, north wall\"; }\n"
		     ");\n");
	const uint8_t m1[6] = { 0x44, 0x47, 0xcc, 0, 0, 1 }, m2[6] = { 0x44, 0x47, 0xcc, 0, 0, 2 };
	const uint8_t m3[6] = { 0x44, 0x47, 0xcc, 0, 0, 3 };

	(void)state;
	assert_int_equal(p->nlabels, 2);
	assert_string_equal(policy_label(p, m1), "Lobby, north wall");
	assert_string_equal(policy_label(p, m2), "entrance-3");
	assert_null(policy_label(p, m3));
	policy_free(p);
	/* no labels: nothing found, nothing allocated to search */
	p = policy_of_text(HEAD);
	assert_null(policy_label(p, m1));
	policy_free(p);
}

/* The event of a decision for mac under p, as JSON and as text. */
static void event_of(const struct policy *p, const uint8_t mac[6], char *json, char *text,
		     size_t sz)
{
	const uint8_t src[4] = { 192, 168, 1, 7 };
	struct engine_flow_key k = { .family = 4, .proto = 6, .sport = 40000, .dport = 443 };
	struct decision d;
	struct event ev = { .ts_us = 1, .has_mac = true, .flow = &k, .d = &d };
	FILE *f;

	memcpy(k.src, src, 4);
	memcpy(ev.mac, mac, 6);
	memcpy(ev.in_iface, "cams0", 6);
	decision_for(p, mac, src, ACTION_DROP, &d);
	f = fmemopen(json, sz, "w");
	assert_non_null(f);
	event_print_json(f, p, &ev);
	fclose(f);
	f = fmemopen(text, sz, "w");
	assert_non_null(f);
	event_print_text(f, p, &ev);
	fclose(f);
}

static void test_in_events(void **state)
{
	struct policy *p = policy_of_text(
		HEAD "labels = ( { mac = \"44:47:cc:00:00:02\"; label = \"entrance 3\"; } );\n");
	const uint8_t m2[6] = { 0x44, 0x47, 0xcc, 0, 0, 2 }, m3[6] = { 0x44, 0x47, 0xcc, 0, 0, 3 };
	char json[1024], text[1024];

	(void)state;
	event_of(p, m2, json, text, sizeof(json));
	assert_non_null(strstr(json, "\"mac\":\"44:47:cc:00:00:02\",\"label\":\"entrance 3\","));
	assert_non_null(strstr(text, " mac=44:47:cc:00:00:02 label=\"entrance 3\" "));
	/* the interfaces: the device's side known, the way out not */
	assert_non_null(strstr(json, "\"in_iface\":\"cams0\",\"out_iface\":null,"));
	assert_non_null(strstr(text, " tcp in=cams0\n"));
	event_of(p, m3, json, text, sizeof(json));
	assert_non_null(strstr(json, "\"label\":null"));
	assert_null(strstr(text, "label="));
	policy_free(p);
}

/* text must fail to compile with exactly the one error want. */
static void expect_error(const char *text, const char *want)
{
	struct policy_errors e;
	struct policy *p = policy_compile_text("p.conf", text, strlen(text), POLICY_NO_FILES, &e);

	if (p || e.n != 1 || strcmp(e.lines[0], want)) {
		print_message("want: %s\n", want);
		for (size_t i = 0; i < e.n; i++)
			print_message("got:  %s\n", e.lines[i]);
	}
	assert_null(p);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.lines[0], want);
	policy_errors_clear(&e);
}

static void test_mistakes(void **state)
{
	(void)state;
	expect_error(HEAD "labels = ( { mac = \"44:47:cc:00:00\"; label = \"a\"; } );\n",
		     "p.conf:5: '44:47:cc:00:00' is not a MAC address (use aa:bb:cc:dd:ee:ff)");
	expect_error(HEAD "labels = ( { mac = \"44:47:cc:00:00:01\"; } );\n",
		     "p.conf:5: label without a 'label'");
	expect_error(HEAD "labels = ( { label = \"a\"; } );\n", "p.conf:5: label without a 'mac'");
	expect_error(HEAD
		     "labels = ( { mac = \"44:47:cc:00:00:01\"; label = \"a\"; lable = 1; } );\n",
		     "p.conf:5: unknown key 'lable' in a label (did you mean 'label'?)");
	expect_error(HEAD
		     "labels = ( { mac = \"44:47:cc:00:00:01\"; label = \"say \\\"hi\\\"\"; } );\n",
		     "p.conf:5: label 'say \"hi\"': 1 to 63 printable characters, no quotes or "
		     "backslashes, no leading or trailing space");
	expect_error(HEAD "labels = ( { mac = \"44:47:cc:00:00:01\"; label = \"\"; } );\n",
		     "p.conf:5: label '': 1 to 63 printable characters, no quotes or "
		     "backslashes, no leading or trailing space");
	expect_error(
		HEAD "labels = {  };\n",
		"p.conf:5: 'labels' must be a list ( { mac = \"...\"; label = \"...\"; }, ... )");
	expect_error(HEAD "labels = (\n"
			  "  { mac = \"44:47:cc:00:00:01\"; label = \"a\"; },\n"
			  "  { mac = \"44:47:CC:00:00:01\"; label = \"b\"; } );\n",
		     "p.conf:7: 44:47:cc:00:00:01 is labelled twice (first at line 6)");
	expect_error(HEAD "labels = (\n"
			  "  { mac = \"44:47:cc:00:00:01\"; label = \"door\"; },\n"
			  "  { mac = \"44:47:cc:00:00:02\"; label = \"door\"; } );\n",
		     "p.conf:7: label 'door' is given twice (first at line 6)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_by_mac),
		cmocka_unit_test(test_in_events),
		cmocka_unit_test(test_mistakes),
	};

	return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
