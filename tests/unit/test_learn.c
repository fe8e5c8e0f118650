/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_learn.c - `nfq-guard learn`'s pure parts: devices and destinations
 * gathered (learnset.c), event lines read (learnlog.c), and the suggested
 * policy (suggest.c), hostile strings included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/netaddr.h"
#include "base/proto.h"
#include "cli/learnlog.h"
#include "cli/learnset.h"
#include "cli/suggest.h"
#include "policy_file.h"

#define S 1000000ull /* microseconds in a second */

/* A flow of device 02:00:00:00:00:<dev> in group to dst. */
static struct learn_flow flow(uint8_t dev, const char *group, const char *dst, int proto, int dport,
			      enum action a, uint64_t ts_s)
{
	struct learn_flow f = { .ts_us = ts_s * S,
				.count = 1,
				.has_mac = true,
				.proto = proto,
				.dport = dport,
				.action = a };

	f.mac[0] = 0x02;
	f.mac[5] = dev;
	if (group)
		f.group = (struct learn_bytes){ group, strlen(group) };
	f.rule = (struct learn_bytes){ "default", 7 };
	if (dst)
		assert_int_equal(addr_parse(dst, &f.family, f.dst), 0);
	return f;
}

static void named(struct learn_flow *f, const char *name)
{
	f->name = (struct learn_bytes){ name, strlen(name) };
}

static void ruled(struct learn_flow *f, const char *rule)
{
	f->rule = (struct learn_bytes){ rule, strlen(rule) };
}

static struct learn *sorted_set(const struct learn_flow *fl, size_t n)
{
	struct learn *l = learn_new(NULL);
	size_t i;

	assert_non_null(l);
	for (i = 0; i < n; i++)
		assert_int_equal(learn_add(l, &fl[i]), LEARN_ADDED);
	assert_int_equal(learn_sort(l), 0);
	return l;
}

static void test_grouping_by_device_and_destination(void **state)
{
	struct learn_flow fl[] = {
		flow(2, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 554, ACTION_ALLOW, 100),
		flow(1, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 554, ACTION_ALLOW, 50),
		flow(1, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 554, ACTION_DROP, 70),
		flow(1, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 8000, ACTION_ALLOW, 60),
		flow(1, "cams", "192.168.1.5", IPPROTO_NUM_UDP, 554, ACTION_ALLOW, 60),
		flow(1, "cams", "192.168.1.1", IPPROTO_NUM_UDP, 53, ACTION_ALLOW, 40),
		flow(2, "cams", "2001:db8::1", IPPROTO_NUM_TCP, 443, ACTION_DROP, 90),
	};
	const struct learn_device *d;
	const struct learn_dest *t;
	struct learn *l;

	(void)state;
	l = sorted_set(fl, sizeof(fl) / sizeof(fl[0]));
	assert_int_equal(learn_ndevices(l), 2);
	d = learn_device(l, 0); /* sorted by MAC: ...:01 first */
	assert_int_equal(d->mac[5], 1);
	assert_int_equal(d->flows, 5);
	assert_int_equal(d->ndests, 4);
	assert_int_equal(d->first_us, 40 * S);
	assert_int_equal(d->last_us, 70 * S);
	assert_string_equal(learn_str(l, d->group), "cams");
	/* by address, then protocol, then port */
	t = learn_dest(l, d, 0);
	assert_int_equal(t->dst[3], 1);
	assert_int_equal(t->dport, 53);
	t = learn_dest(l, d, 1);
	assert_int_equal((int)t->proto, IPPROTO_NUM_TCP);
	assert_int_equal(t->dport, 554);
	assert_int_equal(t->flows, 2);
	assert_int_equal(t->by_action[ACTION_ALLOW], 1);
	assert_int_equal(t->by_action[ACTION_DROP], 1);
	assert_int_equal(t->first_us, 50 * S);
	assert_int_equal(t->last_us, 70 * S);
	assert_int_equal(learn_dest(l, d, 2)->dport, 8000);
	assert_int_equal((int)learn_dest(l, d, 3)->proto, IPPROTO_NUM_UDP);
	assert_null(learn_dest(l, d, 4));
	d = learn_device(l, 1);
	assert_int_equal(d->mac[5], 2);
	assert_int_equal(d->ndests, 2);
	assert_int_equal(learn_dest(l, d, 0)->family, 4); /* IPv4 before IPv6 */
	assert_int_equal(learn_dest(l, d, 1)->family, 6);
	assert_int_equal(learn_totals(l)->flows, 7);
	learn_free(l);
}

static void test_devices_without_mac_by_address(void **state)
{
	struct learn_flow a = flow(0, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 554, ACTION_ALLOW, 1);
	struct learn_flow b = a;
	struct learn *l;

	(void)state;
	a.has_mac = b.has_mac = false;
	a.src_family = b.src_family = 4;
	a.src[3] = 64;
	b.src[3] = 65;
	l = learn_new(NULL);
	learn_add(l, &a);
	learn_add(l, &b);
	learn_add(l, &a);
	assert_int_equal(learn_sort(l), 0);
	assert_int_equal(learn_ndevices(l), 2);
	assert_false(learn_device(l, 0)->has_mac);
	assert_int_equal(learn_device(l, 0)->addr[3], 64);
	assert_int_equal(learn_device(l, 0)->flows, 2);
	learn_free(l);
}

/* "repeated": N stands for N decisions, only the last of them known to have gone to dst. */
static void test_repeated_counts(void **state)
{
	struct learn_flow fl[] = {
		flow(1, "cams", "198.51.100.7", IPPROTO_NUM_TCP, 443, ACTION_DROP, 10),
		flow(1, "cams", "198.51.100.7", IPPROTO_NUM_TCP, 443, ACTION_DROP, 20),
	};
	const struct learn_device *d;
	const struct learn_dest *t;
	struct learn *l;

	(void)state;
	fl[1].count = 49; /* a window of 50: one line at once, then the count */
	l = sorted_set(fl, 2);
	d = learn_device(l, 0);
	assert_int_equal(d->flows, 50);
	t = learn_dest(l, d, 0);
	assert_int_equal(t->flows, 2);
	assert_int_equal(t->summarised, 48);
	assert_int_equal(t->by_action[ACTION_DROP], 2);
	assert_int_equal(learn_totals(l)->flows, 50);
	learn_free(l);
}

static void test_names_distinct_bounded_latest(void **state)
{
	static const char *names[] = { "a.example", "b.example", "a.example",
				       "c.example", "d.example", "e.example" };
	const struct learn_dest *t;
	struct learn_flow f;
	struct learn *l = learn_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		f = flow(1, "cams", "198.51.100.7", IPPROTO_NUM_TCP, 443, ACTION_DROP,
			 i == 1 ? 1000 : 10 + i);
		named(&f, names[i]);
		learn_add(l, &f);
	}
	f = flow(1, "cams", "198.51.100.7", IPPROTO_NUM_TCP, 443, ACTION_DROP, 2000);
	learn_add(l, &f); /* no name: the latest name stays */
	assert_int_equal(learn_sort(l), 0);
	t = learn_dest(l, learn_device(l, 0), 0);
	assert_int_equal(t->nnames, LEARN_DEST_NAMES);
	assert_true(t->more_names);
	assert_string_equal(learn_str(l, t->names[0]), "a.example");
	assert_string_equal(learn_str(l, t->names[3]), "d.example");
	/* the most recent by time, not the last read */
	assert_string_equal(learn_str(l, t->last_name), "b.example");
	learn_free(l);
}

static void test_bounds_devices_and_destinations(void **state)
{
	struct learn *l = learn_new(NULL);
	const struct learn_device *d;
	struct learn_flow f;
	uint32_t i;

	(void)state;
	for (i = 0; i < LEARN_MAX_DEVICES + 10; i++) {
		f = flow(0, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 554, ACTION_ALLOW, 1);
		f.mac[3] = (uint8_t)(i >> 8);
		f.mac[4] = (uint8_t)i;
		assert_int_equal(learn_add(l, &f),
				 i < LEARN_MAX_DEVICES ? LEARN_ADDED : LEARN_CUT_DEVICE);
	}
	assert_int_equal(learn_totals(l)->devices_cut, 10);
	for (i = 0; i < LEARN_MAX_DESTS + 5; i++) {
		f = flow(0, "cams", "10.0.0.1", IPPROTO_NUM_UDP, (int)(i % 65536), ACTION_DROP, 2);
		f.dst[2] = (uint8_t)(i >> 16);
		if (i == LEARN_MAX_DESTS + 4)
			f.count = 7;
		/* the device has one destination already */
		assert_int_equal(learn_add(l, &f),
				 i < LEARN_MAX_DESTS - 1 ? LEARN_ADDED : LEARN_CUT_DEST);
	}
	assert_int_equal(learn_sort(l), 0);
	d = learn_device(l, 0);
	assert_int_equal(d->ndests, LEARN_MAX_DESTS);
	assert_int_equal(d->dests_cut, 5 + 7);
	assert_int_equal(d->flows, 1 + LEARN_MAX_DESTS - 1 + 5 + 7);
	assert_int_equal(learn_totals(l)->dests_cut, 12);
	assert_int_equal(learn_device(l, 1)->ndests, 1);
	learn_free(l);
}

static void test_escape(void **state)
{
	char out[LEARN_STR_MAX], big[1000];
	const char raw[] = "a\nb*/c\"d\\e f\x01\xff";

	(void)state;
	learn_escape(raw, sizeof(raw) - 1, 0, out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x2a/c\\x22d\\\\e\\x20f\\x01\\xff");
	learn_escape("x y", 3, LEARN_ESC_SPACE, out, sizeof(out));
	assert_string_equal(out, "x y");
	/* the daemon's own escapes are kept, not escaped twice */
	learn_escape("a\\x0ab\\\\c\\x4", 12, 0, out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\\\c\\\\x4");
	/* cut between escapes, and said so */
	memset(big, '\n', sizeof(big));
	assert_int_equal(learn_escape(big, sizeof(big), 0, out, sizeof(out)), 255);
	assert_string_equal(out + 252, "...");
	assert_memory_equal(out + 248, "\\x0a", 4);
	memset(big, 'a', sizeof(big));
	learn_escape(big, 255, 0, out, sizeof(out));
	assert_int_equal(strlen(out), 255);
	assert_int_equal(out[254], 'a'); /* it fits exactly: no "..." */
	learn_escape(big, 256, 0, out, sizeof(out));
	assert_string_equal(out + 252, "...");
	learn_escape("abc", 3, 0, out, 4);
	assert_string_equal(out, "abc");
	learn_escape("abcd", 4, 0, out, 4);
	assert_string_equal(out, "...");
}

static void test_parse_time(void **state)
{
	uint64_t us;

	(void)state;
	assert_int_equal(learn_parse_time("1970-01-01T00:00:01Z", 20, &us), 0);
	assert_int_equal(us, S);
	assert_int_equal(learn_parse_time("2026-11-29T14:55:41.030927Z", 27, &us), 0);
	assert_int_equal(us, 1795964141030927ull);
	assert_int_equal(learn_parse_time("2026-11-29T14:55:41.5Z", 22, &us), 0);
	assert_int_equal(us % S, 500000);
	assert_int_equal(learn_parse_time("2024-02-29T00:00:00Z", 20, &us), 0);
	assert_int_equal(learn_parse_time("2026-02-29T00:00:00Z", 20, &us), -1);
	assert_int_equal(learn_parse_time("2026-11-29 14:55:41Z", 20, &us), -1);
	assert_int_equal(learn_parse_time("2026-11-29T14:55:41", 19, &us), -1);
	assert_int_equal(learn_parse_time("2026-13-29T14:55:41Z", 20, &us), -1);
	assert_int_equal(learn_parse_time("2026-11-29T14:55:41.Z", 21, &us), -1);
}

static enum learn_line parse(struct learn_parser *lp, const char *line, struct learn_flow *f,
			     const char **why)
{
	return learn_parse_line(lp, line, strlen(line), f, why);
}

#define DECISION                                                                                \
	"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41.030927Z\",\"action\":\"drop\","   \
	"\"enforced\":false,\"rule\":\"egress\",\"device\":\"hikvision\",\"match\":\"vendor\"," \
	"\"mac\":\"44:47:cc:00:00:64\",\"label\":null,\"src\":\"192.168.50.64\","               \
	"\"dst\":\"198.51.100.7\",\"proto\":\"tcp\",\"sport\":59528,\"dport\":443,"             \
	"\"community_id\":null,\"in_iface\":null,\"out_iface\":null,"                           \
	"\"name\":\"cloud.ezvizlife.com\",\"name_source\":\"dns\",\"pattern\":null,"            \
	"\"log\":true,\"note\":null"

static void test_parse_decision(void **state)
{
	struct learn_parser *lp = learn_parser_new();
	struct learn_flow f;
	const char *why;

	(void)state;
	assert_int_equal(parse(lp, DECISION "}", &f, &why), LEARN_LINE_DECISION);
	assert_int_equal(f.action, ACTION_DROP);
	assert_int_equal(f.count, 1);
	assert_true(f.has_mac);
	assert_int_equal(f.mac[5], 0x64);
	assert_int_equal(f.family, 4);
	assert_int_equal(f.dst[3], 7);
	assert_int_equal(f.src_family, 4);
	assert_int_equal(f.proto, IPPROTO_NUM_TCP);
	assert_int_equal(f.dport, 443);
	assert_memory_equal(f.rule.s, "egress", 6);
	assert_memory_equal(f.group.s, "hikvision", 9);
	assert_memory_equal(f.name.s, "cloud.ezvizlife.com", f.name.len);
	assert_null(f.label.s);
	assert_int_equal(parse(lp, DECISION ",\"repeated\":49}\r", &f, &why), LEARN_LINE_DECISION);
	assert_int_equal(f.count, 49);
	/* the exceptions' decisions are decisions like the others */
	assert_int_equal(parse(lp,
			       "{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\","
			       "\"action\":\"allow\",\"rule\":\"exception:7\",\"mac\":null,"
			       "\"dst\":null,\"proto\":null,\"dport\":null}",
			       &f, &why),
			 LEARN_LINE_DECISION);
	assert_false(f.has_mac);
	assert_int_equal(f.family, 0);
	assert_int_equal(f.proto, LEARN_PROTO_NONE);
	assert_int_equal(f.dport, LEARN_PORT_NONE);
	assert_memory_equal(f.rule.s, "exception:7", 11);
	assert_int_equal(parse(lp,
			       "{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\","
			       "\"action\":\"log\",\"proto\":\"47\"}",
			       &f, &why),
			 LEARN_LINE_DECISION);
	assert_int_equal(f.proto, 47);
	learn_parser_free(lp);
}

static void test_parse_other_and_malformed(void **state)
{
	static const char *const other[] = {
		"{\"event\":\"exception_added\",\"ts\":\"2026-11-29T14:55:41Z\",\"id\":3}",
		"{\"event\":\"exception_expired\",\"id\":3}",
		"{\"event\":\"exception_revoked\",\"id\":3,\"by\":\"root\"}",
		"{\"event\":\"device_identified\",\"mac\":\"44:47:cc:00:00:64\",\"x\":[[1]]}",
	};
	static const char *const bad[] = {
		"not json",
		"[1,2]",
		"\"decision\"",
		"{\"ts\":\"2026-11-29T14:55:41Z\"}",
		DECISION,	 /* cut short */
		DECISION "} {}", /* trailing garbage */
		DECISION ",}",	 /* not strict JSON */
		"{\"event\":\"decision\",\"action\":\"drop\"}",
		"{\"event\":\"decision\",\"ts\":\"yesterday\",\"action\":\"drop\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"block\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"mac\":\"44:47:cc:00:00\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"dst\":\"198.51.100.300\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"dport\":\"443\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"dport\":70000}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"repeated\":0}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"proto\":\"sctp\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"name\":5}",
		"{\"event\":\"decision\",\"x\":[[[[[[[[1]]]]]]]]}", /* past the depth bound */
		"{\"event\":7}",
	};
	struct learn_parser *lp = learn_parser_new();
	struct learn_flow f;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(parse(lp, other[i], &f, &why), LEARN_LINE_OTHER);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (parse(lp, bad[i], &f, &why) != LEARN_LINE_MALFORMED)
			fail_msg("not malformed: %s", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(parse(lp, "  \t\r", &f, &why), LEARN_LINE_BLANK);
	assert_int_equal(parse(lp, "", &f, &why), LEARN_LINE_BLANK);
	/* a NUL inside the line is not the end of it */
	assert_int_equal(learn_parse_line(lp, "{}\0{}", 5, &f, &why), LEARN_LINE_MALFORMED);
	learn_parser_free(lp);
}

static void test_find_rules(void **state)
{
	static const struct {
		const char *text;
		enum suggest_status st;
		const char *after; /* the text after the insertion point */
		bool empty;
	} cases[] = {
		{ "version = 1;\nrules = ( { action = \"drop\"; } );\n", SUGGEST_OK, " { action",
		  false },
		{ "rules:(\n);", SUGGEST_OK, "\n);", true },
		{ "rules = /* ( */ # (\n ( /* x */ );", SUGGEST_OK, " /* x */ );", true },
		{ "x = \"rules = (\"; // rules = (\nrules = (a);", SUGGEST_OK, "a);", false },
		{ "limits = { rules = ( ); };\nrules = (b);", SUGGEST_OK, "b);", false },
		{ "myrules = (1);\nrules = (c);", SUGGEST_OK, "c);", false },
		{ "version = 1;\n@include \"rules.inc\"\n", SUGGEST_INCLUDED, NULL, false },
		{ "version = 1;\n", SUGGEST_NO_RULES, NULL, false },
		{ "version = 1; /* rules = ( */", SUGGEST_NO_RULES, NULL, false },
		{ "rules = \"(\";", SUGGEST_NO_RULES, NULL, false },
	};
	size_t i, at;
	bool empty;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;

		if (suggest_find_rules(t, strlen(t), &at, &empty) != cases[i].st)
			fail_msg("case %zu: %s", i, t);
		if (cases[i].st != SUGGEST_OK)
			continue;
		assert_memory_equal(t + at, cases[i].after, strlen(cases[i].after));
		assert_int_equal(empty, cases[i].empty);
	}
}

static const char policy_text[] =
	"version = 1;\n"
	"default = \"drop\";\n"
	"networks = { lan = [ \"192.168.0.0/16\", \"fd00::/8\" ]; router = \"192.168.1.1\"; };\n"
	"devices = ( { name = \"cams\"; oui = \"02:00:00\"; },\n"
	"            { name = \"nvr\"; mac = \"02:00:01:00:00:01\"; } );\n"
	"rules = (\n"
	"  { name = \"learn-cams-1\"; from = \"nvr\"; action = \"allow\"; },\n"
	"  { name = \"dns-elsewhere\"; port = 53; to = \"192.168.1.53\"; action = \"drop\"; },\n"
	"  { name = \"egress\"; to = \"wan\"; action = \"drop\"; log = true; }\n"
	");\n";

/* suggest_write's output for l under text (compiled), NUL-terminated; freed by the caller. */
static char *suggested(const struct learn *l, const char *text, struct suggest_counts *c)
{
	struct policy *p = policy_of_text(text);
	const char *src[] = { "events.json", "evil\nfile */" };
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(suggest_write(l, p, text, strlen(text), src, 2, f, c), SUGGEST_OK);
	assert_int_equal(fclose(f), 0);
	policy_free(p);
	return buf;
}

/* The suggested text compiles as it is, and into how many rules. */
static size_t compiles(const char *text)
{
	struct policy *p = policy_of_text(text);
	size_t n = p->nrules;

	policy_free(p);
	return n;
}

static void test_suggest_rules(void **state)
{
	struct learn_flow fl[] = {
		flow(1, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 554, ACTION_DROP, 10),
		flow(2, "cams", "192.168.1.5", IPPROTO_NUM_TCP, 8000, ACTION_ALLOW, 20),
		flow(2, "cams", "192.168.1.5", IPPROTO_NUM_UDP, 6970, ACTION_ALLOW, 20),
		flow(2, "cams", "192.168.1.5", IPPROTO_NUM_UDP, 6971, ACTION_ALLOW, 20),
		flow(2, "cams", "192.168.1.5", IPPROTO_NUM_UDP, 6972, ACTION_ALLOW, 20),
		flow(2, "cams", "192.168.1.5", IPPROTO_NUM_UDP, 6980, ACTION_ALLOW, 20),
		flow(1, "cams", "192.168.1.1", IPPROTO_NUM_ICMPV6, LEARN_PORT_NONE, ACTION_ALLOW,
		     5),
		flow(1, "cams", "198.51.100.7", IPPROTO_NUM_TCP, 443, ACTION_DROP, 30),
		flow(1, "cams", "192.168.1.53", IPPROTO_NUM_UDP, 53, ACTION_DROP, 30),
		flow(1, "gone", "192.168.1.5", IPPROTO_NUM_TCP, 80, ACTION_DROP, 30),
		flow(3, "cams", NULL, LEARN_PROTO_NONE, LEARN_PORT_NONE, ACTION_DROP, 30),
	};
	struct suggest_counts c;
	struct learn *l;
	char *out;

	(void)state;
	fl[1].mac[4] = fl[2].mac[4] = 0; /* the same device */
	ruled(&fl[7], "egress");
	ruled(&fl[8], "dns-elsewhere");
	fl[9].mac[5] = 9; /* another device, in a group this policy lacks */
	l = sorted_set(fl, sizeof(fl) / sizeof(fl[0]));
	out = suggested(l, policy_text, &c);
	/* one rule per group, address and protocol, the ports of every device merged */
	assert_non_null(strstr(out,
			       "\t{ name = \"learn-cams-2\"; from = \"cams\"; "
			       "to = \"192.168.1.1\"; proto = \"icmp\"; action = \"allow\"; },"));
	assert_non_null(strstr(out, "from = \"cams\"; to = \"192.168.1.5\"; proto = \"tcp\"; "
				    "port = [ 554, 8000 ]; action = \"allow\"; },"));
	assert_non_null(strstr(out, "to = \"192.168.1.5\"; proto = \"udp\"; "
				    "port = ( \"6970-6972\", 6980 ); action = \"allow\"; },"));
	assert_non_null(strstr(out, "# seen: 2 devices (02:00:00:00:00:01, 02:00:00:00:00:02), "
				    "2 flows\n"));
	/* a WAN destination, one a rule blocked, and an unknown group: for review */
	assert_non_null(strstr(out, "\t# { name = \"learn-cams-"));
	assert_non_null(strstr(out, "to = \"198.51.100.7\"; proto = \"tcp\"; port = 443; "
				    "action = \"allow\"; },\n"));
	assert_non_null(strstr(out, "#   commented out: not in the networks lan or router"));
	assert_non_null(strstr(out, "#   commented out: rule dns-elsewhere blocks it"));
	assert_non_null(strstr(out, "# { name = \"learn-gone-"));
	assert_non_null(strstr(out, "#   commented out: the device group is not in this policy"));
	/* the policy's own rule name is not taken again */
	assert_null(strstr(out, "name = \"learn-cams-1\"; from = \"cams\""));
	assert_int_equal(c.rules, 3);
	assert_int_equal(c.commented, 3);
	assert_int_equal(c.no_address, 1);
	/* inserted right after "rules = (", the rest as it was */
	assert_non_null(strstr(out, "rules = (\n\t# ---- nfq-guard learn --suggest: 3 rules"));
	assert_non_null(strstr(out, "# read from events.json, evil\\x0afile \\x2a/\n"));
	assert_non_null(strstr(out, "# ---- end of nfq-guard learn ----\n\n  { name = "
				    "\"learn-cams-1\"; from = \"nvr\""));
	assert_int_equal(compiles(out), 3 + 3);
	free(out);
	learn_free(l);
}

static void test_suggest_empty_list(void **state)
{
	static const char text[] = "version = 1;\n"
				   "networks = { lan = \"10.0.0.0/8\"; };\n"
				   "devices = ( { name = \"cams\"; oui = \"02:00:00\"; } );\n"
				   "rules = ( );\n";
	struct learn_flow fl[] = {
		flow(1, "cams", "10.0.0.5", IPPROTO_NUM_TCP, 554, ACTION_DROP, 10),
		flow(1, "cams", "10.0.0.6", IPPROTO_NUM_TCP, 554, ACTION_DROP, 10),
		flow(1, "cams", "203.0.113.9", IPPROTO_NUM_TCP, 554, ACTION_DROP, 10),
	};
	struct suggest_counts c;
	struct learn *l = sorted_set(fl, 3);
	char *out = suggested(l, text, &c);

	(void)state;
	assert_int_equal(c.rules, 2);
	assert_non_null(strstr(out, "put a comma between rules as you uncomment them"));
	/* no comma after the last rule of the list */
	assert_non_null(strstr(out, "action = \"allow\"; }\n\t# seen"));
	assert_int_equal(compiles(out), 2);
	free(out);
	learn_free(l);
}

/* Names, labels, groups and rules from a hostile log break out of no comment or string. */
static void test_suggest_hostile_strings(void **state)
{
	static const char *const lines[] = {
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:41Z\",\"action\":\"drop\","
		"\"rule\":\"default\",\"device\":\"cams\",\"mac\":\"02:00:00:00:00:01\","
		"\"label\":\"*/ \\\" \\n@include \\\"/etc/shadow\\\"\",\"dst\":\"192.168.1.5\","
		"\"proto\":\"tcp\",\"dport\":554,"
		"\"name\":\"a\\n{ name = \\\"pwn\\\"; action = \\\"allow\\\"; },\\r*/\\u0000\\u001b[2J\"}",
		"{\"event\":\"decision\",\"ts\":\"2026-11-29T14:55:42Z\",\"action\":\"drop\","
		"\"rule\":\"x\\n}); rules = (\",\"device\":\"cams\\\"; action = \\\"allow\",\"mac\":"
		"\"02:00:00:00:00:02\",\"dst\":\"198.51.100.7\",\"proto\":\"tcp\",\"dport\":443,"
		"\"name\":\"\\\\x0a\\u00e9\"}",
	};
	struct learn_parser *lp = learn_parser_new();
	struct learn *l = learn_new(NULL);
	struct suggest_counts c;
	struct learn_flow f;
	const char *why, *s;
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(learn_parse_line(lp, lines[i], strlen(lines[i]), &f, &why),
				 LEARN_LINE_DECISION);
		assert_int_equal(learn_add(l, &f), LEARN_ADDED);
	}
	assert_int_equal(learn_sort(l), 0);
	out = suggested(l, policy_text, &c);
	assert_int_equal(c.rules, 1);
	assert_int_equal(c.commented, 1);
	/* every line of what was inserted is a comment or one of its rules */
	s = strstr(out, "rules = (\n") + 10;
	for (; strncmp(s, "\t# ---- end", 11); s = strchr(s, '\n') + 1)
		if (strncmp(s, "\t# ", 3) && strncmp(s, "\t{ name = \"learn-", 17))
			fail_msg("a line not ours: %.60s", s);
	for (s = out; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			fail_msg("a control byte 0x%02x", *s);
	assert_null(strstr(out, "pwn\""));
	assert_null(strstr(out, "*/"));
	assert_non_null(strstr(out, "a\\x0a{\\x20name\\x20=\\x20\\x22pwn\\x22;"));
	assert_non_null(strstr(out, "\"*\\x2f \\x22 \\x0a@include \\x22/etc/shadow\\x22\"") ||
			strstr(out, "\"\\x2a/ \\x22 \\x0a@include \\x22/etc/shadow\\x22\""));
	assert_non_null(strstr(out, "blocked by rule x\\x0a})"));
	assert_non_null(strstr(out, "from = \"cams\\x22;\\x20action\\x20=\\x20\\x22allow\";"));
	/* the daemon's escape is kept; a byte past ASCII is escaped */
	assert_non_null(strstr(out, "names: \\x0a\\xc3\\xa9\n"));
	/* and it still compiles, into the policy's rules and ours */
	assert_int_equal(compiles(out), 3 + 1);
	free(out);
	learn_free(l);
	learn_parser_free(lp);
}

static void test_where(void **state)
{
	struct policy *p = policy_of_text(policy_text);
	uint8_t fam, a[16];

	(void)state;
	addr_parse("192.168.1.1", &fam, a);
	assert_string_equal(learn_where(p, fam, a), "router");
	addr_parse("192.168.7.1", &fam, a);
	assert_string_equal(learn_where(p, fam, a), "lan");
	addr_parse("fd00::5", &fam, a);
	assert_string_equal(learn_where(p, fam, a), "lan");
	addr_parse("2001:db8::5", &fam, a);
	assert_string_equal(learn_where(p, fam, a), "wan");
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouping_by_device_and_destination),
		cmocka_unit_test(test_devices_without_mac_by_address),
		cmocka_unit_test(test_repeated_counts),
		cmocka_unit_test(test_names_distinct_bounded_latest),
		cmocka_unit_test(test_bounds_devices_and_destinations),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_decision),
		cmocka_unit_test(test_parse_other_and_malformed),
		cmocka_unit_test(test_find_rules),
		cmocka_unit_test(test_suggest_rules),
		cmocka_unit_test(test_suggest_empty_list),
		cmocka_unit_test(test_suggest_hostile_strings),
		cmocka_unit_test(test_where),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
