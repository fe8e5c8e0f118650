/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_carry.c - flows carried from a running engine into its successor
 * (engine_carry), as a reload or an exception's end decides every flow
 * again: a connection an exception let pass by its name stops when it
 * ends, under the name it sent (not as one that sends none); a flow whose
 * name was still being read, and one met in its middle by a fresh engine,
 * have an unknown name; a DNS query asked before comes over, so its
 * answer still teaches the name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "craft.h"
#include "policy_file.h"
#include "engine/engine.h"
#include "policy/exception.h"

#define CAM_MAC "\x44\x47\xcc\x00\x00\x64"
#define RESOLVER_MAC "\x02\xaa\xaa\xaa\xaa\xaa"
static const uint8_t CAM[4] = { 192, 168, 1, 64 };
static const uint8_t ROUTER[4] = { 192, 168, 1, 1 };
static const uint8_t CLOUD[4] = { 198, 51, 100, 7 };
static const char VENDOR[] = "litedev.ezvizlife.com";

/* Out to the wan, but not to the vendor's names (DESIGN.md §6): the hard case. */
static const char POLICY[] =
	"version = 1;\n"
	"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n"
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; } );\n"
	"rules = (\n"
	"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; action = \"allow\"; },\n"
	"  { name = \"vendor\"; from = \"cam\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; },\n"
	"  { name = \"out\"; from = \"cam\"; to = \"wan\"; action = \"allow\"; }\n"
	");\n";

static size_t dns_a(uint8_t *b, const char *q, const uint8_t *addr)
{
	size_t o = 12;

	memset(b, 0, 12);
	b[0] = 0x12, b[1] = 0x34, b[2] = 0x81, b[3] = 0x80, b[5] = 1, b[7] = 1;
	o += craft_put_name(b + o, q);
	b[o++] = 0, b[o++] = 1, b[o++] = 0, b[o++] = 1;
	o += craft_put_name(b + o, q);
	b[o++] = 0, b[o++] = 1, b[o++] = 0, b[o++] = 1;
	b[o++] = 0, b[o++] = 0, b[o++] = 1, b[o++] = 0x2c; /* ttl 300 */
	b[o++] = 0, b[o++] = 4;
	memcpy(b + o, addr, 4);
	return o + 4;
}

static enum engine_result feed(struct engine *e, const struct pktbuf *pb, const char *mac,
			       struct decision *d)
{
	struct engine_input in = { .pkt = &pb->p, .now = 1000000 };
	struct engine_clock c = { .wall = (int64_t)time(NULL), .week_min = 100 };

	engine_set_clock(e, &c);
	if (mac) {
		in.has_mac = true;
		memcpy(in.mac, mac, 6);
	}
	return engine_packet(e, &in, d);
}

/* The engine's clock: now, as the daemon sets it before it carries flows. */
static void now_clock(struct engine *e)
{
	struct engine_clock c = { .wall = (int64_t)time(NULL), .week_min = 100 };

	engine_set_clock(e, &c);
}

/* An exception for the camera to the vendor's names, in force for an hour. */
static void vendor_exception(const struct policy *p, struct exception_spec *spec,
			     struct exception_rule *xr)
{
	const char *argv[] = { "cam", "--for", "1h", "--domain", "*.ezvizlife.com" };
	char err[EXCEPTION_ERR_MAX];

	assert_int_equal(exception_parse_args(5, (char *const *)argv, spec, err, sizeof(err)), 0);
	spec->id = 1;
	spec->until = (int64_t)time(NULL) + 3600;
	assert_int_equal(exception_compile(p, spec, xr, err, sizeof(err)), 0);
}

/* The camera's TLS connection to the vendor, its ClientHello acknowledged: decided. */
static void open_tls(struct engine *e, uint16_t sport, uint32_t *seq, struct decision *d)
{
	uint8_t ch[512];
	size_t chl = craft_client_hello(ch, VENDOR);
	struct pktbuf pb;

	assert_int_equal(craft_tcp(&pb, CAM, CLOUD, sport, 443, TCPF_SYN, *seq - 1, NULL, 0), 0);
	assert_int_equal(feed(e, &pb, CAM_MAC, d), ENGINE_PENDING);
	assert_int_equal(craft_tcp_ack(&pb, CAM, CLOUD, sport, 443, TCPF_ACK | TCPF_PSH, *seq, 1,
				       ch, chl),
			 0);
	feed(e, &pb, CAM_MAC, d);
	*seq += (uint32_t)chl;
	assert_int_equal(craft_tcp_ack(&pb, CLOUD, CAM, 443, sport, TCPF_ACK, 1, *seq, NULL, 0), 0);
	assert_int_equal(feed(e, &pb, NULL, d), ENGINE_DECIDED);
}

/* The connection's next segment, TLS application data. */
static enum engine_result app_data(struct engine *e, uint16_t sport, uint32_t seq,
				   struct decision *d)
{
	static const uint8_t app[64] = { 0x17, 0x03, 0x03, 0x00, 0x3b };
	struct pktbuf pb;

	assert_int_equal(craft_tcp_ack(&pb, CAM, CLOUD, sport, 443, TCPF_ACK | TCPF_PSH, seq, 1,
				       app, sizeof(app)),
			 0);
	return feed(e, &pb, CAM_MAC, d);
}

static void test_exception_flow_stops_when_it_ends(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *e1 = engine_new_shared(p, 0, sh), *e2 = engine_new_shared(p, 0, sh);
	struct exception_spec spec;
	struct exception_rule xr;
	struct exception_set set = { .n = 1, .v = &xr };
	struct decision d;
	uint32_t seq = 1000;

	(void)state;
	vendor_exception(p, &spec, &xr);
	engine_set_exceptions(e1, &set);
	open_tls(e1, 50100, &seq, &d);
	assert_string_equal(d.rule->name, "exception:1");
	assert_int_equal(d.name_source, NAME_SNI);
	/* it ends: a fresh engine without it takes the running one's flows */
	assert_int_equal(engine_carry(e2, e1, 1000000), 1);
	engine_free(e1);
	assert_int_equal(app_data(e2, 50100, seq, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "vendor");
	assert_true(d.first); /* logged: the verdict changed */
	assert_int_equal(d.name_source, NAME_SNI);
	assert_string_equal(d.name.s, VENDOR);
	/* and only once */
	assert_int_equal(app_data(e2, 50100, seq + 64, &d), ENGINE_DECIDED);
	assert_false(d.first);
	engine_free(e2);
	engine_shared_free(sh);
	exception_rule_free(&xr);
	policy_free(p);
}

static void test_carried_flow_keeps_its_verdict(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *e1 = engine_new_shared(p, 0, sh), *e2 = engine_new_shared(p, 0, sh);
	struct exception_spec spec;
	struct exception_rule xr;
	struct exception_set set = { .n = 1, .v = &xr };
	struct decision d;
	uint32_t seq = 5000;

	(void)state;
	/* dropped by its name; an exception begins: carried, it passes now */
	open_tls(e1, 50200, &seq, &d);
	assert_string_equal(d.rule->name, "vendor");
	vendor_exception(p, &spec, &xr);
	engine_set_exceptions(e2, &set);
	now_clock(e2); /* the flows are decided again when they are carried */
	assert_int_equal(engine_carry(e2, e1, 1000000), 1);
	engine_free(e1);
	assert_int_equal(app_data(e2, 50200, seq, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_string_equal(d.rule->name, "exception:1");
	engine_free(e2);
	engine_shared_free(sh);
	exception_rule_free(&xr);
	policy_free(p);
}

static void test_midstream_is_unknown(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine *e = engine_new(p, 0);
	struct decision d;

	(void)state;
	/* a restart: nobody carried it, its start went by unread */
	assert_int_equal(app_data(e, 50300, 777777, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "vendor");
	assert_int_equal(d.name_source, NAME_UNREADABLE);
	assert_non_null(d.note);
	engine_free(e);
	policy_free(p);
}

static void test_waiting_flow_carried_unknown(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *e1 = engine_new_shared(p, 0, sh), *e2 = engine_new_shared(p, 0, sh);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	assert_int_equal(craft_tcp(&pb, CAM, CLOUD, 50400, 443, TCPF_SYN, 99, NULL, 0), 0);
	assert_int_equal(feed(e1, &pb, CAM_MAC, &d), ENGINE_PENDING);
	assert_int_equal(engine_carry(e2, e1, 1000000), 1);
	engine_free(e1);
	assert_int_equal(app_data(e2, 50400, 100, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_int_equal(d.name_source, NAME_UNREADABLE);
	engine_free(e2);
	engine_shared_free(sh);
	policy_free(p);
}

static void test_dns_query_carried(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *e1 = engine_new_shared(p, 0, sh), *e2 = engine_new_shared(p, 0, sh);
	uint8_t q[300], a[512];
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* the query before, the answer after the flows are decided again */
	assert_int_equal(craft_udp(&pb, CAM, ROUTER, 40001, 53, q, craft_dns_query(q, VENDOR)), 0);
	assert_int_equal(feed(e1, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(engine_carry(e2, e1, 1000000), 1);
	engine_free(e1);
	assert_int_equal(craft_udp(&pb, ROUTER, CAM, 53, 40001, a, dns_a(a, VENDOR, CLOUD)), 0);
	assert_int_equal(feed(e2, &pb, RESOLVER_MAC, &d), ENGINE_SNOOPED);
	assert_int_equal(craft_udp(&pb, CAM, CLOUD, 41001, 6000, "p2p", 3), 0);
	assert_int_equal(feed(e2, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "vendor");
	engine_free(e2);
	engine_shared_free(sh);
	policy_free(p);
}

static void test_no_device_any_more(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct policy *q = policy_of_text(
		"version = 1;\ndevices = ( { name = \"other\"; oui = [ \"00:11:22\" ]; } );\n"
		"rules = ( { action = \"allow\"; } );\n");
	struct engine *e1 = engine_new(p, 0), *e2 = engine_new(q, 0);
	struct decision d;
	uint32_t seq = 1000;

	(void)state;
	open_tls(e1, 50500, &seq, &d);
	/* a reload that no longer names the camera: nothing to carry */
	assert_int_equal(engine_carry(e2, e1, 1000000), 0);
	assert_int_equal(app_data(e2, 50500, seq, &d), ENGINE_NOT_DEVICE);
	engine_free(e1);
	engine_free(e2);
	policy_free(p);
	policy_free(q);
}

static void test_decided_at_syn_carried_unknown(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *e1 = engine_new_shared(p, 0, sh), *e2 = engine_new_shared(p, 0, sh);
	const char *argv[] = { "cam", "--for", "1h" };
	struct exception_spec spec;
	struct exception_rule xr;
	struct exception_set set = { .n = 1, .v = &xr };
	char err[EXCEPTION_ERR_MAX];
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* an exception for the wan, no name: the SYN is let pass at once, its name never read */
	assert_int_equal(exception_parse_args(3, (char *const *)argv, &spec, err, sizeof(err)), 0);
	spec.id = 1;
	spec.until = (int64_t)time(NULL) + 3600;
	assert_int_equal(exception_compile(p, &spec, &xr, err, sizeof(err)), 0);
	engine_set_exceptions(e1, &set);
	now_clock(e1);
	assert_int_equal(craft_tcp(&pb, CAM, CLOUD, 50600, 443, TCPF_SYN, 99, NULL, 0), 0);
	assert_int_equal(feed(e1, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "exception:1");
	/* it ends: the connection may be the vendor's, its name unknown */
	now_clock(e2);
	assert_int_equal(engine_carry(e2, e1, 1000000), 1);
	engine_free(e1);
	assert_int_equal(app_data(e2, 50600, 100, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "vendor");
	assert_int_equal(d.name_source, NAME_UNREADABLE);
	engine_free(e2);
	engine_shared_free(sh);
	exception_rule_free(&xr);
	policy_free(p);
}

static void test_no_plain_syn_first_is_unknown(void **state)
{
	static const uint8_t flags[] = { TCPF_SYN | TCPF_RST, TCPF_SYN | TCPF_FIN };
	struct policy *p = policy_of_text(POLICY);

	(void)state;
	for (size_t i = 0; i < sizeof(flags); i++) {
		struct engine *e = engine_new(p, 0);
		uint8_t ch[512];
		size_t chl = craft_client_hello(ch, VENDOR);
		struct pktbuf pb;
		struct decision d;

		/* a SYN that opens nothing, then the vendor's hello on the same 4-tuple */
		assert_int_equal(craft_tcp(&pb, CAM, CLOUD, 50700, 443, flags[i], 99, NULL, 0), 0);
		assert_int_equal(feed(e, &pb, CAM_MAC, &d), ENGINE_DECIDED);
		assert_int_equal(craft_tcp_ack(&pb, CAM, CLOUD, 50700, 443, TCPF_ACK | TCPF_PSH,
					       100, 1, ch, chl),
				 0);
		assert_int_equal(feed(e, &pb, CAM_MAC, &d), ENGINE_DECIDED);
		assert_int_equal(d.action, ACTION_DROP);
		assert_string_equal(d.rule->name, "vendor");
		engine_free(e);
	}
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exception_flow_stops_when_it_ends),
		cmocka_unit_test(test_carried_flow_keeps_its_verdict),
		cmocka_unit_test(test_midstream_is_unknown),
		cmocka_unit_test(test_waiting_flow_carried_unknown),
		cmocka_unit_test(test_dns_query_carried),
		cmocka_unit_test(test_no_device_any_more),
		cmocka_unit_test(test_decided_at_syn_carried_unknown),
		cmocka_unit_test(test_no_plain_syn_first_is_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
