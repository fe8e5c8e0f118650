/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_exception.c - run-time exceptions and rules with a schedule: the
 * arguments of `allow` (durations, bad input), their rules against a
 * policy, the engine checking them first and not past their end (at the
 * boundary second), windows (past midnight, across the week's end, the
 * time unknown), the schedule key's errors, and the control protocol's
 * escaping of words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "policy_file.h"
#include "engine/engine.h"
#include "policy/exception.h"
#include "service/control.h"
#include "service/state.h"

#define CAM_MAC "\x44\x47\xcc\x00\x00\x64"
static const uint8_t CAM[4] = { 192, 168, 1, 64 };
static const uint8_t CLOUD[4] = { 198, 51, 100, 7 };
static const uint8_t NVR[4] = { 192, 168, 1, 5 };

#define POLICY                                                                                 \
	"version = 1;\n"                                                                       \
	"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ];\n"           \
	"             nvr = [ \"192.168.1.5\", \"192.168.1.6\" ]; };\n"                        \
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; },\n"                           \
	"            { name = \"other\"; oui = [ \"00:11:22\" ]; } );\n"                       \
	"rules = (\n"                                                                          \
	"  { name = \"office\"; from = \"cam\"; to = \"wan\"; proto = \"tcp\"; port = 443;\n"  \
	"    schedule = { days = [ \"mon\", \"fri\" ]; from = \"08:00\"; to = \"17:30\"; };\n" \
	"    action = \"allow\"; },\n"                                                         \
	"  { name = \"night\"; from = \"cam\"; to = \"wan\"; proto = \"udp\";\n"               \
	"    schedule = { days = [ \"sun\" ]; from = \"22:00\"; to = \"06:00\"; };\n"          \
	"    action = \"reject\"; },\n"                                                        \
	"  { name = \"egress\"; to = \"wan\"; action = \"drop\"; }\n"                          \
	");\n"

/* minute of the week: day 0 Monday .. 6 Sunday */
#define WM(day, h, m) ((day)*1440 + (h)*60 + (m))

static int parse(const char *const *argv, int argc, struct exception_spec *s, char *err)
{
	return exception_parse_args(argc, (char *const *)argv, s, err, EXCEPTION_ERR_MAX);
}

static void test_duration(void **state)
{
	char err[EXCEPTION_ERR_MAX];
	int64_t s;

	(void)state;
	assert_int_equal(duration_parse("30s", &s, err, sizeof(err)), 0);
	assert_int_equal(s, 30);
	assert_int_equal(duration_parse("10m", &s, err, sizeof(err)), 0);
	assert_int_equal(s, 600);
	assert_int_equal(duration_parse("2h", &s, err, sizeof(err)), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(duration_parse("30d", &s, err, sizeof(err)), 0);
	assert_int_equal(s, 30 * 86400);
	static const char *const bad[] = { "",	    "s",    "10",   "10x",
					   "1h30m", "-5m",  " 5m",  "5m ",
					   "0s",    "31d",  "721h", "99999999999999999999d",
					   "1.5h",  "0x10s" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(duration_parse(bad[i], &s, err, sizeof(err)), -EINVAL);
		assert_true(strstr(err, "duration") != NULL);
	}
}

static void test_args(void **state)
{
	char err[EXCEPTION_ERR_MAX];
	struct exception_spec s;

	(void)state;
	{
		const char *a[] = { "44-47-CC-00-00-64",
				    "--for",
				    "2h",
				    "--to",
				    "nvr",
				    "--port",
				    "443",
				    "--proto",
				    "tcp",
				    "--reason",
				    "firmware fix",
				    "--domain",
				    "*.hik-connect.com" };
		assert_int_equal(parse(a, 13, &s, err), 0);
	}
	assert_string_equal(s.device, "44:47:cc:00:00:64"); /* as everywhere */
	assert_int_equal(s.seconds, 7200);
	assert_int_equal(s.nto, 1);
	assert_int_equal(s.port[0], 443);
	assert_int_equal(s.proto, IPPROTO_NUM_TCP);
	assert_string_equal(s.reason, "firmware fix");
	assert_string_equal(s.domain[0], "*.hik-connect.com");

	static const struct {
		const char *argv[6];
		int argc;
		const char *why;
	} bad[] = {
		{ { "cam" }, 1, "--for" },
		{ { "--for", "1h" }, 2, "DEVICE" },
		{ { "cam", "other", "--for", "1h" }, 4, "one DEVICE" },
		{ { "cam", "--for" }, 2, "needs a value" },
		{ { "cam", "--for", "1h", "--port", "0" }, 5, "1-65535" },
		{ { "cam", "--for", "1h", "--port", "65536" }, 5, "1-65535" },
		{ { "cam", "--for", "1h", "--proto", "sctp" }, 5, "tcp, udp or icmp" },
		{ { "cam", "--for", "1h", "--domain", "a..b" }, 5, "not a domain" },
		{ { "cam", "--for", "1h", "--reason", "a\nb" }, 5, "printable ASCII" },
		{ { "cam", "--for", "1h", "--reason", "caf\xc3\xa9" }, 5, "printable ASCII" },
		{ { "cam", "--for", "1h", "--bogus", "x" }, 5, "unknown option" },
		{ { "cam;rm", "--for", "1h" }, 3, "neither a MAC" },
		{ { "cam", "--for", "1h", "--proto", "icmp", "--port" }, 6, "needs a value" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].argv, bad[i].argc, &s, err), -EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].why);
	}
	{
		const char *a[] = { "cam", "--for", "1h", "--proto", "icmp", "--port", "1" };
		assert_int_equal(parse(a, 7, &s, err), -EINVAL);
		assert_non_null(strstr(err, "does not go with"));
	}
	{
		/* a 17th --to is refused, not written past the end */
		const char *a[3 + 2 * 17] = { "cam", "--for", "1h" };
		for (int i = 0; i < 17; i++) {
			a[3 + 2 * i] = "--to";
			a[4 + 2 * i] = "192.0.2.1";
		}
		assert_int_equal(parse(a, 3 + 2 * 17, &s, err), -EINVAL);
		assert_non_null(strstr(err, "at most 16"));
	}
}

static void test_compile(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	char err[EXCEPTION_ERR_MAX];
	struct exception_spec s;
	struct exception_rule x;

	(void)state;
	{
		const char *a[] = { "cam", "--for", "1h", "--to", "nvr", "--to", "203.0.113.0/24" };
		assert_int_equal(parse(a, 7, &s, err), 0);
	}
	s.id = 7;
	assert_int_equal(exception_compile(p, &s, &x, err, sizeof(err)), 0);
	assert_string_equal(x.r.name, "exception:7");
	assert_int_equal(x.r.exception, 7);
	assert_int_equal(x.r.nto, 3); /* the network's two, and the CIDR */
	assert_int_equal(x.r.to_flags, 0);
	assert_false(x.by_mac);
	assert_int_equal(x.r.from, 1); /* group cam */
	assert_true(exception_matches_device(&x, 1, NULL));
	assert_false(exception_matches_device(&x, 2, NULL));
	exception_rule_free(&x);

	static const struct {
		const char *argv[5];
		int argc;
		const char *why;
	} bad[] = {
		{ { "nosuch", "--for", "1h" }, 3, "no device group 'nosuch'" },
		{ { "02:00:00:00:00:01", "--for", "1h" }, 3, "in no device group" },
		{ { "cam", "--for", "1h", "--to", "wna" }, 5, "'wna' is not an address" },
		{ { "cam", "--for", "1h", "--to", "192.0.2.300" }, 5, "is not an address" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].argv, bad[i].argc, &s, err), 0);
		err[0] = '\0';
		assert_int_equal(exception_compile(p, &s, &x, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].why);
	}
	policy_free(p);
}

/* A SYN from the camera to dst:dport under p, with the exceptions x, at wall time t. */
static struct decision syn_at(const struct policy *p, const struct exception_set *x, int64_t t,
			      int wm, const uint8_t *dst, uint16_t dport)
{
	struct engine *e = engine_new(p, 0);
	struct engine_clock c = { .wall = t, .week_min = wm };
	struct engine_input in = { .has_mac = true, .now = 1000 };
	struct pktbuf pb;
	struct decision d;

	assert_non_null(e);
	engine_set_clock(e, &c);
	engine_set_exceptions(e, x);
	assert_int_equal(craft_tcp(&pb, CAM, dst, 40000, dport, TCPF_SYN, 1, NULL, 0), 0);
	in.pkt = &pb.p;
	memcpy(in.mac, CAM_MAC, 6);
	assert_int_equal(engine_packet(e, &in, &d), ENGINE_DECIDED);
	engine_free(e);
	return d;
}

static void test_engine_checks_exceptions_first(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct exception_set set = { 0 };
	struct exception_rule v[2];
	struct exception_spec s[2];
	char err[EXCEPTION_ERR_MAX];
	struct decision d;

	(void)state;
	{
		const char *a[] = {
			"44:47:cc:00:00:64", "--for", "10m", "--to", "wan", "--port", "80"
		};
		assert_int_equal(parse(a, 7, &s[0], err), 0);
	}
	{
		const char *a[] = { "other", "--for", "10m" };
		assert_int_equal(parse(a, 3, &s[1], err), 0);
	}
	for (int i = 0; i < 2; i++) {
		s[i].id = (uint32_t)i + 1;
		s[i].until = 5000;
		assert_int_equal(exception_compile(p, &s[i], &v[i], err, sizeof(err)), 0);
	}
	set.v = v;
	set.n = 2;

	/* the policy alone drops port 80 to the wan */
	d = syn_at(p, NULL, 4000, WM(2, 12, 0), CLOUD, 80);
	assert_int_equal(d.action, ACTION_DROP);
	/* the exception for the camera's MAC goes first, and is logged */
	d = syn_at(p, &set, 4000, WM(2, 12, 0), CLOUD, 80);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_string_equal(d.rule->name, "exception:1");
	assert_true(d.log);
	assert_ptr_equal(exception_of(d.rule), &v[0]);
	/* ... for port 80 only, to the wan only */
	d = syn_at(p, &set, 4000, WM(2, 12, 0), CLOUD, 81);
	assert_string_equal(d.rule->name, "egress");
	d = syn_at(p, &set, 4000, WM(2, 12, 0), NVR, 80);
	assert_int_equal(d.action, ACTION_DROP);
	/* the last second in force, then over: until is the first second it is not */
	d = syn_at(p, &set, 4999, WM(2, 12, 0), CLOUD, 80);
	assert_string_equal(d.rule->name, "exception:1");
	d = syn_at(p, &set, 5000, WM(2, 12, 0), CLOUD, 80);
	assert_string_equal(d.rule->name, "egress");
	/* a revoke moves until to now: the engine reads it there */
	s[0].until = 4000;
	d = syn_at(p, &set, 4000, WM(2, 12, 0), CLOUD, 80);
	assert_string_equal(d.rule->name, "egress");
	for (int i = 0; i < 2; i++)
		exception_rule_free(&v[i]);
	policy_free(p);
}

static void test_schedule_open(void **state)
{
	struct schedule day = { .days = 1 | 1 << 4, .from = 8 * 60, .to = 17 * 60 + 30 };
	struct schedule night = { .days = 1 << 6, .from = 22 * 60, .to = 6 * 60 };
	struct schedule late = { .days = 0x7f, .from = 23 * 60, .to = 1440 };

	(void)state;
	assert_false(schedule_open(&day, WM(0, 7, 59)));
	assert_true(schedule_open(&day, WM(0, 8, 0)));
	assert_true(schedule_open(&day, WM(0, 17, 29)));
	assert_false(schedule_open(&day, WM(0, 17, 30))); /* to is the first minute out */
	assert_false(schedule_open(&day, WM(1, 12, 0)));
	assert_true(schedule_open(&day, WM(4, 12, 0)));
	/* Sunday night runs into Monday morning: the window belongs to Sunday */
	assert_false(schedule_open(&night, WM(6, 21, 59)));
	assert_true(schedule_open(&night, WM(6, 22, 0)));
	assert_true(schedule_open(&night, WM(6, 23, 59)));
	assert_true(schedule_open(&night, WM(0, 0, 0)));
	assert_true(schedule_open(&night, WM(0, 5, 59)));
	assert_false(schedule_open(&night, WM(0, 6, 0)));
	assert_false(schedule_open(&night, WM(5, 23, 0))); /* Saturday */
	assert_false(schedule_open(&night, WM(6, 3, 0)));  /* Sunday morning is Saturday's */
	assert_true(schedule_open(&late, WM(3, 23, 59)));
	assert_false(schedule_open(&late, WM(4, 0, 0)));
}

static void test_schedule_rules(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct device_key dev = { .has_mac = true };
	struct engine_clock c;
	struct decision d;
	uint8_t dst[16] = { 198, 51, 100, 7 };

	(void)state;
	memcpy(dev.mac, CAM_MAC, 6);
	c = (struct engine_clock){ 1, WM(0, 9, 0) };
	engine_decide(p, &dev, 4, dst, IPPROTO_NUM_TCP, 443, NULL, NAME_NONE, &c, &d);
	assert_string_equal(d.rule->name, "office");
	c.week_min = WM(0, 18, 0);
	engine_decide(p, &dev, 4, dst, IPPROTO_NUM_TCP, 443, NULL, NAME_NONE, &c, &d);
	assert_string_equal(d.rule->name, "egress");
	c.week_min = WM(0, 1, 0); /* Monday 01:00: Sunday's night */
	engine_decide(p, &dev, 4, dst, IPPROTO_NUM_UDP, 9000, NULL, NAME_NONE, &c, &d);
	assert_string_equal(d.rule->name, "night");
	/* the time unknown: a window counts only when its rule blocks */
	c.week_min = -1;
	engine_decide(p, &dev, 4, dst, IPPROTO_NUM_TCP, 443, NULL, NAME_NONE, &c, &d);
	assert_string_equal(d.rule->name, "egress");
	engine_decide(p, &dev, 4, dst, IPPROTO_NUM_UDP, 9000, NULL, NAME_NONE, &c, &d);
	assert_string_equal(d.rule->name, "night");
	/* an undecodable packet: the strictest rule in force then */
	c.week_min = WM(0, 1, 0);
	engine_unreadable(p, &dev, &c, &d);
	assert_int_equal(d.action, ACTION_DROP);
	policy_free(p);
}

/* The errors of a rule with schedule s (a libconfig group's inside). */
static void schedule_errors(const char *s, const char *want)
{
	char text[1024];
	struct policy_errors e;
	struct policy *p;

	snprintf(text, sizeof(text),
		 "version = 1;\ndevices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; } );\n"
		 "rules = ( { from = \"cam\"; action = \"allow\";\n  schedule = %s; } );\n",
		 s);
	p = policy_compile_text("s.conf", text, strlen(text), POLICY_NO_FILES, &e);
	assert_null(p);
	assert_true(e.n >= 1);
	if (!strstr(e.lines[0], want) || strncmp(e.lines[0], "s.conf:4: ", 10))
		fail_msg("schedule %s: '%s' does not say s.conf:4: ... '%s'", s, e.lines[0], want);
	policy_errors_clear(&e);
}

static void test_schedule_errors(void **state)
{
	(void)state;
	schedule_errors("{ from = \"8:00\"; to = \"17:00\"; }", "not a time of day");
	schedule_errors("{ from = \"08:00\"; to = \"24:01\"; }", "not a time of day");
	schedule_errors("{ from = \"24:00\"; to = \"08:00\"; }", "not a time of day");
	schedule_errors("{ from = \"08:60\"; to = \"09:00\"; }", "not a time of day");
	schedule_errors("{ from = \"08:00\"; to = \"08:00\"; }", "empty window");
	schedule_errors("{ from = \"08:00\"; }", "'to' is missing");
	schedule_errors("{ to = \"08:00\"; }", "'from' is missing");
	schedule_errors("{ days = [ \"monday\" ]; from = \"08:00\"; to = \"09:00\"; }",
			"day 'monday'");
	schedule_errors("{ days = [ \"mon\", \"mon\" ]; from = \"08:00\"; to = \"09:00\"; }",
			"named twice");
	schedule_errors("{ days = [ ]; from = \"08:00\"; to = \"09:00\"; }", "'days' is empty");
	schedule_errors("{ from = \"08:00\"; to = \"09:00\"; tz = \"UTC\"; }", "unknown key 'tz'");
	schedule_errors("\"08:00-09:00\"", "must be a group");
	schedule_errors("{ from = 800; to = \"09:00\"; }", "must be a string");
}

static void test_control_words(void **state)
{
	static const char *const words[] = { "plain",	    "two words", "100%", "tab\there",
					     "caf\xc3\xa9", "--reason",	 "" };
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		assert_int_equal(control_escape(words[i], buf, sizeof(buf)), 0);
		assert_null(strpbrk(buf, " \t\n"));
		assert_int_equal(control_unescape(buf), 0);
		assert_string_equal(buf, words[i]);
	}
	assert_int_equal(control_escape("a b", buf, 3), -1); /* "a%20b" does not fit */
	/* a word that reads as a flag goes escaped: only the flag itself is plain */
	assert_int_equal(control_escape("--json", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "%2D%2Djson");
	assert_int_equal(control_escape("--jsonx", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "--jsonx");
	strcpy(buf, "bad%2");
	assert_int_equal(control_unescape(buf), -1);
	strcpy(buf, "nul%00here");
	assert_int_equal(control_unescape(buf), -1);
	strcpy(buf, "x%zz");
	assert_int_equal(control_unescape(buf), -1);
}

#define ONE                                                                                         \
	"{\"id\":3,\"device\":\"44:47:cc:00:00:64\",\"to\":[\"nvr\"],\"domain\":[],\"port\":[443]," \
	"\"proto\":\"tcp\",\"reason\":\"fix\",\"seconds\":60,\"created\":100,\"until\":160,"        \
	"\"uid\":0,\"flows\":2}"

static int state_of(const char *text, struct state_exceptions *x, char *err)
{
	return state_parse(text, strlen(text), 1000, x, err, EXCEPTION_ERR_MAX);
}

static void test_state_file(void **state)
{
	struct state_exceptions x;
	char err[EXCEPTION_ERR_MAX];

	(void)state;
	assert_int_equal(
		state_of("{\"version\":1,\"next_id\":5,\"exceptions\":[" ONE "]}\n", &x, err), 0);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.next_id, 5);
	assert_string_equal(x.v[0]->device, "44:47:cc:00:00:64");
	assert_int_equal(x.v[0]->until, 160);
	assert_int_equal(x.v[0]->flows, 2);
	assert_int_equal(x.devices.n, 0); /* a file written before identify: none */
	state_exceptions_free(&x);

	/* the devices found: each checked, one that does not read left out, the rest kept */
	assert_int_equal(
		state_of(
			"{\"version\":1,\"next_id\":0,\"exceptions\":[],\"devices\":["
			"{\"mac\":\"02:00:00:00:00:66\",\"identified_by\":\"sadp\",\"vendor\":"
			"\"Hikvision\",\"model\":\"DS-2CD2143G2-I\",\"firmware\":null,\"serial\":null,"
			"\"detail\":null,\"ip\":\"192.168.77.66\",\"first_seen\":100},"
			"{\"mac\":\"02:00:00:00:00:67\",\"identified_by\":\"telepathy\",\"vendor\":"
			"\"Dahua\",\"first_seen\":100},"
			"{\"mac\":\"02:00:00:00:00:68\",\"identified_by\":\"onvif\",\"vendor\":"
			"\"A\\u001b[2J\",\"first_seen\":100},"
			"{\"mac\":\"01:00:5e:00:00:01\",\"identified_by\":\"dhip\",\"vendor\":"
			"\"Dahua\",\"first_seen\":100},"
			"{\"mac\":\"02:00:00:00:00:66\",\"identified_by\":\"dhip\",\"vendor\":"
			"\"Dahua\",\"first_seen\":100}]}",
			&x, err),
		0);
	assert_int_equal(x.devices.n, 1);
	assert_int_equal(x.devices_skipped, 4);
	assert_int_equal(x.devices.v[0].by, FOUND_SADP);
	assert_string_equal(x.devices.v[0].model, "DS-2CD2143G2-I");
	assert_int_equal(x.devices.v[0].family, 4);
	assert_memory_equal(x.devices.macs[0], "\x02\0\0\0\0\x66", 6);
	state_exceptions_free(&x);
	assert_int_equal(state_of("{\"version\":1,\"next_id\":0,\"exceptions\":[],\"devices\":7}",
				  &x, err),
			 -1);

	/* the file is trusted no more than a request: each of these is refused whole */
	static const char *const bad[] = {
		"",
		"{\"version\":1,\"next_id\":5,\"exceptions\":[" ONE "]} x",
		"{\"version\":2,\"next_id\":5,\"exceptions\":[]}",
		"{\"version\":1,\"exceptions\":[]}",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		/* until past created + seconds: longer than it was given */
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":[],"
		"\"domain\":[],\"port\":[],\"seconds\":60,\"created\":100,\"until\":161,\"uid\":0,"
		"\"flows\":0}]}",
		/* a device that is a shell line, a reason with an escape sequence */
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"a;b\",\"to\":[],"
		"\"domain\":[],\"port\":[],\"seconds\":60,\"created\":100,\"until\":160,\"uid\":0,"
		"\"flows\":0}]}",
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":[],"
		"\"domain\":[],\"port\":[],\"seconds\":60,\"created\":100,\"until\":160,\"uid\":0,"
		"\"flows\":0,\"reason\":\"\\u001b[2J\"}]}",
		"{\"version\":1,\"next_id\":5,\"exceptions\":[" ONE "," ONE "]}",
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":[1],"
		"\"domain\":[],\"port\":[],\"seconds\":60,\"created\":100,\"until\":160,\"uid\":0,"
		"\"flows\":0}]}",
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":[],"
		"\"domain\":[],\"port\":[70000],\"seconds\":60,\"created\":100,\"until\":160,\"uid\":0,"
		"\"flows\":0}]}",
		/* a port that is no number: not every port */
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":[],"
		"\"domain\":[],\"port\":[\"x\",443],\"seconds\":60,\"created\":100,\"until\":160,"
		"\"uid\":0,\"flows\":0}]}",
		/* made in the future (now is 1000 here): longer than 30 days from now */
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":[],"
		"\"domain\":[],\"port\":[],\"seconds\":60,\"created\":4102444800,"
		"\"until\":4102444860,\"uid\":0,\"flows\":0}]}",
		/* more --to than allow takes, and more than the words there are room for */
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":3,\"device\":\"cam\",\"to\":["
		"\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\","
		"\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\",\"22\",\"23\",\"24\",\"25\",\"26\","
		"\"27\",\"28\",\"29\",\"30\",\"31\",\"32\",\"33\",\"34\",\"35\",\"36\",\"37\",\"38\","
		"\"39\",\"40\",\"41\",\"42\",\"43\",\"44\",\"45\",\"46\",\"47\",\"48\",\"49\",\"50\","
		"\"51\"],\"domain\":[],\"port\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],\"proto\":\"tcp\","
		"\"reason\":\"r\",\"seconds\":60,\"created\":100,\"until\":160,\"uid\":0,\"flows\":0}]}",
		/* an id past the ids given out */
		"{\"version\":1,\"next_id\":5,\"exceptions\":[{\"id\":1000000000,\"device\":\"cam\","
		"\"to\":[],\"domain\":[],\"port\":[],\"seconds\":60,\"created\":100,\"until\":160,"
		"\"uid\":0,\"flows\":0}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (state_of(bad[i], &x, err) != -1)
			fail_msg("case %zu taken", i);
		assert_int_equal(x.n, 0);
		assert_null(x.v);
		assert_true(err[0] != '\0');
	}
	/* a NUL inside */
	assert_int_equal(state_parse("{\"version\":1}\0", 15, 0, &x, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_engine_checks_exceptions_first),
		cmocka_unit_test(test_schedule_open),
		cmocka_unit_test(test_schedule_rules),
		cmocka_unit_test(test_schedule_errors),
		cmocka_unit_test(test_control_words),
		cmocka_unit_test(test_state_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
