/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hostile.c - the engine against a camera whose firmware tries to slip
 * a flow past its domain rules (DESIGN.md §6): copies of a segment the
 * server never gets, segments out of order, urgent data, SYN data, heads
 * cut short, a reused 4-tuple, and a flood of flows that would wait.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "quic_seal.h"
#include "policy_file.h"
#include "engine/engine.h"
#include "engine/verdict.h"

/* no time: rules with a schedule count only when they block */
static const struct engine_clock clk_none = { 0, -1 };

#define CAM_MAC "\x44\x47\xcc\x00\x00\x64"
#define SRV_MAC "\x02\xaa\xaa\xaa\xaa\xaa"

static const uint8_t CAM[4] = { 192, 168, 1, 64 };
static const uint8_t CLOUD[4] = { 198, 51, 100, 7 };

/* An allow list: the cameras may reach *.good.example; the vendor and the rest not. */
static const char POLICY_ALLOW_LIST[] =
	"version = 1;\n"
	"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n"
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; } );\n"
	"limits = { pending_flows = 16; flows = 16; };\n"
	"rules = (\n"
	"  { name = \"good\"; domain = [ \"*.good.example\" ]; action = \"allow\"; },\n"
	"  { name = \"vendor\"; domain = [ \"*.hikvision.com\" ]; action = \"drop\"; },\n"
	"  { name = \"egress\"; to = \"wan\"; action = \"reject\"; }\n"
	");\n";

/* A deny list: the cameras may go anywhere but to the vendor. */
static const char POLICY_DENY_LIST[] =
	"version = 1;\n"
	"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n"
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; } );\n"
	"rules = (\n"
	"  { name = \"vendor\"; domain = [ \"*.hikvision.com\" ]; action = \"drop\"; },\n"
	"  { name = \"out\"; to = \"wan\"; action = \"allow\"; }\n"
	");\n";

struct fx {
	struct policy *p;
	struct engine *e;
	uint64_t now;
	struct pktbuf pb;
	struct decision d;
	uint8_t hello[600];
	size_t n;
};

static struct fx *fx_new(const char *text)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->p = policy_of_text(text);
	f->e = engine_new(f->p, 0);
	assert_non_null(f->e);
	f->now = 1000000;
	return f;
}

static void fx_free(struct fx *f)
{
	engine_free(f->e);
	policy_free(f->p);
	free(f);
}

/* The camera sends a TCP segment of port sport to CLOUD:443. */
static enum engine_result cam(struct fx *f, uint16_t sport, uint8_t flags, uint32_t seq,
			      const void *data, size_t len)
{
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };

	assert_int_equal(craft_tcp(&f->pb, CAM, CLOUD, sport, 443, flags, seq, data, len), 0);
	memcpy(in.mac, CAM_MAC, 6);
	return engine_packet(f->e, &in, &f->d);
}

/* The server answers, acknowledging ack. */
static enum engine_result srv(struct fx *f, uint16_t dport, uint8_t flags, uint32_t ack)
{
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };

	assert_int_equal(craft_tcp_ack(&f->pb, CLOUD, CAM, 443, dport, flags, 7000, ack, NULL, 0),
			 0);
	memcpy(in.mac, SRV_MAC, 6);
	return engine_packet(f->e, &in, &f->d);
}

/* A server packet with data, sent from mac (the server's side, or a forger's). */
static enum engine_result srv_data(struct fx *f, uint16_t dport, const char *mac, uint32_t ack,
				   const char *data)
{
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };

	assert_int_equal(craft_tcp_ack(&f->pb, CLOUD, CAM, 443, dport, TCPF_ACK | TCPF_PSH, 7000,
				       ack, data, data ? strlen(data) : 0),
			 0);
	memcpy(in.mac, mac, 6);
	return engine_packet(f->e, &in, &f->d);
}

static void hello(struct fx *f, const char *name)
{
	f->n = craft_client_hello(f->hello, name);
}

static void assert_unknown_dropped(const struct fx *f, const char *rule, const char *note)
{
	assert_true(f->d.first);
	assert_string_equal(f->d.rule->name, rule);
	assert_true(f->d.action == ACTION_DROP || f->d.action == ACTION_REJECT);
	assert_int_equal(f->d.name_source, NAME_UNREADABLE);
	assert_false(f->d.has_name);
	assert_false(f->d.by_address);
	if (note)
		assert_string_equal(f->d.note, note);
}

static void test_first_copy_never_reaches_the_server(void **state)
{
	struct fx *f = fx_new(POLICY_ALLOW_LIST);

	(void)state;
	/* copy 1 (short TTL: dies past the router) names an allowed server */
	assert_int_equal(cam(f, 40000, TCPF_SYN, 1000, NULL, 0), ENGINE_PENDING);
	hello(f, "cdn.good.example");
	assert_int_equal(cam(f, 40000, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_PENDING);
	/* copy 2, the one the server gets, names the vendor, same length */
	hello(f, "fw.hikvision.com");
	assert_int_equal(cam(f, 40000, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a retransmission differs from the bytes it repeats");
	/* the flow stays dropped */
	assert_int_equal(srv(f, 40000, TCPF_ACK, 1001 + (uint32_t)f->n), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_false(f->d.first);
	fx_free(f);
}

static void test_allowed_once_acknowledged(void **state)
{
	struct fx *f = fx_new(POLICY_ALLOW_LIST);

	(void)state;
	cam(f, 40001, TCPF_SYN, 1000, NULL, 0);
	hello(f, "cdn.good.example");
	assert_int_equal(cam(f, 40001, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_PENDING);
	/* a retransmission of the same bytes is no conflict */
	assert_int_equal(cam(f, 40001, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_PENDING);
	/* an ACK short of the hello's end: not yet */
	assert_int_equal(srv(f, 40001, TCPF_ACK, 1001 + 10), ENGINE_PENDING);
	assert_int_equal(srv(f, 40001, TCPF_ACK, 1001 + (uint32_t)f->n), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_string_equal(f->d.rule->name, "good");
	assert_string_equal(f->d.name.s, "cdn.good.example");
	assert_int_equal(f->d.name_source, NAME_SNI);
	assert_true(f->d.at_reply);
	fx_free(f);
}

static void test_out_of_order_hello(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);
	size_t half;

	(void)state;
	cam(f, 40002, TCPF_SYN, 1000, NULL, 0);
	hello(f, "fw.hikvision.com");
	half = f->n / 2;
	/* the second half first: held, nothing decided on a stream with a hole */
	assert_int_equal(cam(f, 40002, TCPF_ACK | TCPF_PSH, 1001 + (uint32_t)half, f->hello + half,
			     f->n - half),
			 ENGINE_PENDING);
	assert_int_equal(cam(f, 40002, TCPF_ACK | TCPF_PSH, 1001, f->hello, half), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	assert_int_equal(f->d.name_source, NAME_SNI);
	fx_free(f);
}

static void test_urgent_data_in_head(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	cam(f, 40003, TCPF_SYN, 1000, NULL, 0);
	hello(f, "www.example.org");
	assert_int_equal(cam(f, 40003, TCPF_ACK | TCPF_PSH | TCPF_URG, 1001, f->hello, f->n),
			 ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "urgent data inside the head");
	fx_free(f);
}

static void test_syn_data(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* Fast Open with a cookie: the SYN-ACK takes the hello on the SYN */
	hello(f, "fw.hikvision.com");
	assert_int_equal(cam(f, 40004, TCPF_SYN, 1000, f->hello, f->n), ENGINE_PENDING);
	assert_int_equal(srv(f, 40004, TCPF_SYN | TCPF_ACK, 1001 + (uint32_t)f->n), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");

	/* no cookie: the SYN's data is not taken; what the camera sends next counts */
	hello(f, "www.example.org");
	assert_int_equal(cam(f, 40005, TCPF_SYN, 1000, f->hello, f->n), ENGINE_PENDING);
	assert_int_equal(srv(f, 40005, TCPF_SYN | TCPF_ACK, 1001), ENGINE_PENDING);
	hello(f, "fw.hikvision.com");
	assert_int_equal(cam(f, 40005, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	fx_free(f);
}

static void test_head_cut_short(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* half a hello, then RST: unknown, not "no name" (the deny list would allow it) */
	cam(f, 40006, TCPF_SYN, 1000, NULL, 0);
	hello(f, "fw.hikvision.com");
	assert_int_equal(cam(f, 40006, TCPF_ACK | TCPF_PSH, 1001, f->hello, 20), ENGINE_PENDING);
	assert_int_equal(cam(f, 40006, TCPF_RST, 1021, NULL, 0), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "reset before its name was read");

	/* a complete hello without server_name has no name: not unknown */
	cam(f, 40007, TCPF_SYN, 1000, NULL, 0);
	{
		static const uint8_t no_sni[] = { 0x16, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3,
						  /* random */
						  1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1,
						  2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
						  /* session id, suites, compression */
						  0, 0, 2, 0x13, 0x01, 1, 0 };

		assert_int_equal(cam(f, 40007, TCPF_ACK | TCPF_PSH, 1001, no_sni, sizeof(no_sni)),
				 ENGINE_PENDING);
		assert_int_equal(srv(f, 40007, TCPF_ACK, 1001 + sizeof(no_sni)), ENGINE_DECIDED);
		assert_int_equal(f->d.action, ACTION_ALLOW);
		assert_int_equal(f->d.name_source, NAME_NONE);
		assert_null(f->d.note);
	}
	fx_free(f);
}

static void test_new_syn_on_decided_tuple(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* allowed under one name ... */
	cam(f, 40008, TCPF_SYN, 1000, NULL, 0);
	hello(f, "www.example.org");
	cam(f, 40008, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n);
	assert_int_equal(srv(f, 40008, TCPF_ACK, 1001 + (uint32_t)f->n), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	/* a retransmitted SYN of that connection is still that flow */
	assert_int_equal(cam(f, 40008, TCPF_SYN, 1000, NULL, 0), ENGINE_DECIDED);
	assert_false(f->d.first);
	/* ... a new connection on the same 4-tuple is decided anew */
	assert_int_equal(cam(f, 40008, TCPF_SYN, 555555, NULL, 0), ENGINE_PENDING);
	hello(f, "fw.hikvision.com");
	assert_int_equal(cam(f, 40008, TCPF_ACK | TCPF_PSH, 555556, f->hello, f->n),
			 ENGINE_DECIDED);
	assert_true(f->d.first);
	assert_int_equal(f->d.action, ACTION_DROP);
	fx_free(f);
}

static void test_waiting_flows_are_not_pushed_out(void **state)
{
	struct fx *f = fx_new(POLICY_ALLOW_LIST);
	int i;

	(void)state;
	/* 16 flows wait (limits.pending_flows) */
	for (i = 0; i < 16; i++)
		assert_int_equal(cam(f, (uint16_t)(41000 + i), TCPF_SYN, 1000, NULL, 0),
				 ENGINE_PENDING);
	/* the 17th cannot wait: decided at once, its name unknown */
	assert_int_equal(cam(f, 42000, TCPF_SYN, 1000, NULL, 0), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "too many flows waiting for their names");
	assert_int_equal(engine_stats(f->e)->waiting_full, 1);
	/* many decided flows later, the first waiting flow is still waiting */
	for (i = 0; i < 40; i++)
		cam(f, (uint16_t)(43000 + i), TCPF_SYN, 1000, NULL, 0);
	hello(f, "fw.hikvision.com");
	assert_int_equal(cam(f, 41000, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_DECIDED);
	assert_true(f->d.first);
	assert_string_equal(f->d.rule->name, "vendor");
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	fx_free(f);
}

static void test_quiet_waiting_flows_make_room(void **state)
{
	static const char head[] = "GET / HTTP/1.1\r\nHost: a.good.example\r\n\r\n";
	struct fx *f = fx_new(POLICY_ALLOW_LIST);
	int i;

	(void)state;
	/* a kept-alive flow read after its first head, then 15 SYNs nobody answers */
	cam(f, 41100, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam(f, 41100, TCPF_ACK | TCPF_PSH, 1001, head, sizeof(head) - 1),
			 ENGINE_DECIDED);
	assert_true(f->d.watch);
	for (i = 1; i < 16; i++)
		assert_int_equal(cam(f, (uint16_t)(41100 + i), TCPF_SYN, 1000, NULL, 0),
				 ENGINE_PENDING);
	/* within the bound: nothing quiet enough to make room */
	assert_int_equal(cam(f, 42100, TCPF_SYN, 1000, NULL, 0), ENGINE_DECIDED);
	assert_int_equal(f->d.name_source, NAME_UNREADABLE);
	/* past it: the oldest quiet flows are decided, unknown, one per newcomer */
	f->now += 5000;
	assert_int_equal(cam(f, 42101, TCPF_SYN, 1000, NULL, 0), ENGINE_PENDING);
	assert_int_equal(cam(f, 42102, TCPF_SYN, 1000, NULL, 0), ENGINE_PENDING);
	/* their next packets get the unknown name's verdict */
	assert_int_equal(cam(f, 41100, TCPF_ACK | TCPF_PSH, 1001 + sizeof(head) - 1, head,
			     sizeof(head) - 1),
			 ENGINE_DECIDED);
	assert_false(f->d.first);
	assert_false(f->d.watch);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_int_equal(f->d.name_source, NAME_UNREADABLE);
	assert_string_equal(f->d.note, "quiet while other flows waited");
	assert_int_equal(cam(f, 41101, TCPF_SYN, 1000, NULL, 0), ENGINE_DECIDED);
	assert_string_equal(f->d.note, "no name within the wait bound");
	fx_free(f);
}

static void test_bound_counts_in_order_data(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);
	int i;

	(void)state;
	/* out-of-order junk does not spend the bound ... */
	cam(f, 40009, TCPF_SYN, 1000, NULL, 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(cam(f, 40009, TCPF_ACK | TCPF_PSH, 2000 + (uint32_t)i, "x", 1),
				 ENGINE_PENDING);
	/* ... and the time bound ends the wait with an unknown name */
	f->now += 6000;
	assert_int_equal(cam(f, 40009, TCPF_ACK, 1001, NULL, 0), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "no name within the wait bound");
	fx_free(f);
}

static void test_undecodable_gets_the_strictest(void **state)
{
	static const char mixed[] =
		"version = 1;\n"
		"networks = { lan = [ \"192.168.0.0/16\" ]; };\n"
		"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; },\n"
		"            { name = \"nvr\"; mac = [ \"02:00:00:00:00:05\" ]; } );\n"
		"rules = (\n"
		"  { name = \"local\"; from = \"cam\"; to = \"lan\"; action = \"allow\"; },\n"
		"  { name = \"p2p\"; from = \"cam\"; proto = \"udp\"; action = \"reject\"; },\n"
		"  { name = \"vendor\"; from = \"cam\"; domain = \"*.hikvision.com\"; "
		"action = \"drop\"; },\n"
		"  { name = \"nvr-out\"; from = \"nvr\"; action = \"log\"; }\n"
		");\ndefault = \"allow\";\n";
	struct policy *p = policy_of_text(mixed);
	struct device_key dev = { .has_mac = true };
	struct decision d;

	(void)state;
	/* a camera's packet that does not decode: the drop of its strictest rule */
	memcpy(dev.mac, CAM_MAC, 6);
	engine_unreadable(p, &dev, &clk_none, &d);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "vendor");
	assert_string_equal(p->devices[d.device].name, "cam");
	assert_false(d.by_address);
	assert_non_null(d.note);
	/* the NVR's rules only let pass: nothing stricter than the default */
	memcpy(dev.mac, "\x02\x00\x00\x00\x00\x05", 6);
	engine_unreadable(p, &dev, &clk_none, &d);
	assert_int_equal(d.action, ACTION_LOG);
	/* no MAC, no address: any rule could apply */
	dev.has_mac = false;
	engine_unreadable(p, &dev, &clk_none, &d);
	assert_int_equal(d.action, ACTION_DROP);
	assert_int_equal(d.device, -1);
	policy_free(p);
}

/* The camera's whole head in one segment after a handshake; the result. */
static enum engine_result cam_head(struct fx *f, uint16_t sport, const void *head, size_t len)
{
	cam(f, sport, TCPF_SYN, 1000, NULL, 0);
	return cam(f, sport, TCPF_ACK | TCPF_PSH, 1001, head, len);
}

static void test_server_name_not_a_hostname(void **state)
{
	static const char *const bad[] = { "fw.hikvision.com..", "fw..hikvision.com",
					   "fw.hikvision.com\x01", "fw.hikvision.com:443",
					   "fw.hikvision%2ecom" };
	struct fx *f = fx_new(POLICY_DENY_LIST);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hello(f, bad[i]);
		assert_int_equal(cam_head(f, (uint16_t)(40100 + i), f->hello, f->n),
				 ENGINE_DECIDED);
		assert_unknown_dropped(f, "vendor", "server name is not a host name");
	}
	/* a NUL inside: the name's bytes are what the server may cut at */
	hello(f, "fw.hikvision.com.xgood.example");
	f->hello[f->n - 14] = '\0';
	assert_int_equal(cam_head(f, 40110, f->hello, f->n), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "server name is not a host name");
	fx_free(f);
}

static void test_tls_records_as_servers_take_them(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);
	uint8_t b[700];
	size_t n;

	(void)state;
	/* an empty handshake record first, then the hello in a record of version 03 07 */
	hello(f, "fw.hikvision.com");
	memcpy(b, "\x16\x03\x01\x00\x00", 5);
	memcpy(b + 5, f->hello, f->n);
	b[5 + 2] = 0x07;
	n = 5 + f->n;
	assert_int_equal(cam_head(f, 40120, b, n), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_int_equal(f->d.name_source, NAME_SNI);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	fx_free(f);
}

static void test_http_heads_as_servers_read_them(void **state)
{
	static const char *const vendor[] = {
		"GET / HTTP/1.2\r\nHost: fw.hikvision.com\r\n\r\n",
		"GET / HTTP/1.1\r\nHost:\r\n fw.hikvision.com\r\n\r\n",
		"GET http://fw.hikvision.com\\x HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
		"get / HTTP/1.1\r\nHost: fw.hikvision.com\r\n\r\n",
	};
	static const char *const unknown[] = {
		"GET / HTTP/1.1\r\nHost: fw.hikvision.com\r\nHost: www.example.org\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : www.example.org\r\n\r\n",
		"GET / HTTP/1.1\r\nX-A: 1\r\n Host: www.example.org\r\nHost: fw.hikvision.com\r\n\r\n",
		"GET http://www.example.org\\@fw.hikvision.com/ HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: fw..hikvision.com\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	};
	struct fx *f = fx_new(POLICY_DENY_LIST);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vendor) / sizeof(vendor[0]); i++) {
		assert_int_equal(cam_head(f, (uint16_t)(40130 + i), vendor[i], strlen(vendor[i])),
				 ENGINE_DECIDED);
		assert_int_equal(f->d.action, ACTION_DROP);
		assert_int_equal(f->d.name_source, NAME_HTTP);
		assert_string_equal(f->d.name.s, "fw.hikvision.com");
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_int_equal(cam_head(f, (uint16_t)(40140 + i), unknown[i], strlen(unknown[i])),
				 ENGINE_DECIDED);
		assert_unknown_dropped(f, "vendor", NULL);
	}
	assert_string_equal(f->d.note, "HTTP/2 with prior knowledge: its :authority is not read");
	fx_free(f);
}

static void test_socks_and_connect_name_the_real_server(void **state)
{
	static const uint8_t greeting[] = { 5, 1, 0 };
	static const uint8_t request[] = { 5,	1,   0,	  3,   16,  'f', 'w', '.',
					   'h', 'i', 'k', 'v', 'i', 's', 'i', 'o',
					   'n', '.', 'c', 'o', 'm', 1,	 187 };
	static const uint8_t to_addr[] = { 5, 1, 0, 1, 198, 51, 100, 9, 1, 187 };
	static const char connect_addr[] = "CONNECT 198.51.100.9:443 HTTP/1.1\r\n\r\n";
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* the greeting passes, the proxy answers, then the request names the vendor */
	cam(f, 40150, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam(f, 40150, TCPF_ACK | TCPF_PSH, 1001, greeting, sizeof(greeting)),
			 ENGINE_PENDING);
	assert_int_equal(srv(f, 40150, TCPF_ACK | TCPF_PSH, 1004), ENGINE_PENDING);
	assert_int_equal(cam(f, 40150, TCPF_ACK | TCPF_PSH, 1004, request, sizeof(request)),
			 ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_int_equal(f->d.name_source, NAME_SOCKS);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");

	/* a request for an address: the server behind the proxy has no name we know */
	cam(f, 40151, TCPF_SYN, 1000, NULL, 0);
	cam(f, 40151, TCPF_ACK | TCPF_PSH, 1001, greeting, sizeof(greeting));
	assert_int_equal(cam(f, 40151, TCPF_ACK | TCPF_PSH, 1004, to_addr, sizeof(to_addr)),
			 ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", NULL);
	assert_int_equal(cam_head(f, 40152, connect_addr, strlen(connect_addr)), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor",
			       "CONNECT to an address: the name behind it is not known");
	fx_free(f);
}

/* The camera's HTTP request at seq; what was decided at it. */
static enum engine_result cam_req(struct fx *f, uint16_t sport, uint32_t seq, const char *req)
{
	return cam(f, sport, TCPF_ACK | TCPF_PSH, seq, req, strlen(req));
}

#define REQ_OK "GET /a HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
#define REQ_VENDOR "GET /b HTTP/1.1\r\nHost: fw.hikvision.com\r\n\r\n"

static void assert_watched_allow(const struct fx *f, bool first)
{
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_true(f->d.watch);
	assert_int_equal(f->d.first, first);
	assert_int_equal(verdict_of(&f->d, false), VERDICT_NONE);
}

static void assert_vendor_dropped(const struct fx *f)
{
	assert_true(f->d.first);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_false(f->d.watch);
	assert_int_equal(f->d.name_source, NAME_HTTP);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	assert_int_equal(verdict_of(&f->d, false), VERDICT_DROP);
}

static void test_keepalive_every_head_read(void **state)
{
	const uint32_t s2 = 1001 + sizeof(REQ_OK) - 1, s3 = s2 + sizeof(REQ_OK) - 1;
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	cam(f, 40200, TCPF_SYN, 1000, NULL, 0);
	/* the first head is allowed at once, its packets still queued */
	assert_int_equal(cam_req(f, 40200, 1001, REQ_OK), ENGINE_DECIDED);
	assert_watched_allow(f, true);
	assert_string_equal(f->d.name.s, "www.example.org");
	assert_int_equal(srv(f, 40200, TCPF_ACK | TCPF_PSH, s2), ENGINE_DECIDED);
	assert_watched_allow(f, false);
	/* a second request for an allowed host is decided again, and allowed */
	assert_int_equal(cam_req(f, 40200, s2, REQ_OK), ENGINE_DECIDED);
	assert_watched_allow(f, true);
	assert_int_equal(srv(f, 40200, TCPF_ACK, s3), ENGINE_DECIDED);
	/* the third names the vendor: dropped, and the flow stays so */
	assert_int_equal(cam_req(f, 40200, s3, REQ_VENDOR), ENGINE_DECIDED);
	assert_vendor_dropped(f);
	assert_int_equal(srv(f, 40200, TCPF_ACK, s3), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_false(f->d.first);
	assert_int_equal(engine_stats(f->e)->keepalive_decisions, 2);
	fx_free(f);
}

/* A packet from camera k (MAC 44:47:cc:00:00:k, address 192.168.1.k). */
static enum engine_result camk(struct fx *f, uint8_t k, uint16_t sport, uint8_t flags, uint32_t seq,
			       const char *req)
{
	const uint8_t addr[4] = { 192, 168, 1, k };
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };

	assert_int_equal(craft_tcp(&f->pb, addr, CLOUD, sport, 443, flags, seq, req,
				   req ? strlen(req) : 0),
			 0);
	memcpy(in.mac, "\x44\x47\xcc\x00\x00", 5);
	in.mac[5] = k;
	return engine_packet(f->e, &in, &f->d);
}

/*
 * Watched flows take at most half the waiting table, one device a quarter:
 * past that a kept-alive flow's name is unknown from its first head (its
 * later heads would go unread), and another device's is still watched.
 */
static void test_keepalive_watch_bounds(void **state)
{
	struct fx *f = fx_new("version = 1;\n"
			      "networks = { lan = [ \"192.168.0.0/16\" ]; };\n"
			      "devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; } );\n"
			      "limits = { pending_flows = 16; };\n"
			      "rules = (\n"
			      "  { name = \"vendor\"; domain = [ \"*.hikvision.com\" ]; "
			      "action = \"drop\"; },\n"
			      "  { name = \"out\"; to = \"wan\"; action = \"allow\"; }\n"
			      ");\n");
	uint16_t port;

	(void)state;
	for (port = 40300; port < 40300 + 16 / 4; port++) {
		cam(f, port, TCPF_SYN, 1000, NULL, 0);
		assert_int_equal(cam_req(f, port, 1001, REQ_OK), ENGINE_DECIDED);
		assert_watched_allow(f, true);
	}
	cam(f, port, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, port, 1001, REQ_OK), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "too many kept-alive HTTP flows read at once");
	/* another camera's are watched, up to half the table in all */
	for (port = 40400; port < 40400 + 16 / 4; port++) {
		camk(f, 65, port, TCPF_SYN, 1000, NULL);
		assert_int_equal(camk(f, 65, port, TCPF_ACK | TCPF_PSH, 1001, REQ_OK),
				 ENGINE_DECIDED);
		assert_watched_allow(f, true);
	}
	camk(f, 66, 40500, TCPF_SYN, 1000, NULL);
	assert_int_equal(camk(f, 66, 40500, TCPF_ACK | TCPF_PSH, 1001, REQ_OK), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "too many kept-alive HTTP flows read at once");
	fx_free(f);
}

static void test_keepalive_pipelined_and_bodies(void **state)
{
	static const char pipelined[] = REQ_OK REQ_VENDOR;
	static const char post[] = "POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
				   "Content-Length: 44\r\n\r\n" REQ_VENDOR;
	static const char chunked[] = "POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
				      "Transfer-Encoding: chunked\r\n\r\n"
				      "5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n";
	static const char bad_chunk[] = "POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
					"Transfer-Encoding: chunked\r\n\r\n"
					"5\r\nhello world\r\n";
	const uint32_t after = 1001 + sizeof(chunked) - 1;
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* two heads in one segment: the segment gets the second's verdict */
	cam(f, 40201, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, 40201, 1001, pipelined), ENGINE_DECIDED);
	assert_vendor_dropped(f);

	/* three in one segment: each read, the last names the vendor */
	cam(f, 40205, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, 40205, 1001, REQ_OK REQ_OK REQ_VENDOR), ENGINE_DECIDED);
	assert_vendor_dropped(f);
	/* a reset the server may ignore (out of its window) ends nothing: unknown */
	cam(f, 40206, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40206, 1001, REQ_OK);
	assert_int_equal(cam(f, 40206, TCPF_RST, 901001, NULL, 0), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "reset while its requests were read");
	/* a head inside a Content-Length body is the body's bytes, not a request */
	cam(f, 40202, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, 40202, 1001, post), ENGINE_DECIDED);
	assert_watched_allow(f, true);
	assert_int_equal(cam_req(f, 40202, 1001 + sizeof(post) - 1, REQ_VENDOR), ENGINE_DECIDED);
	assert_vendor_dropped(f);

	/* a chunked body with extensions and a trailer, then the next head */
	cam(f, 40203, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, 40203, 1001, chunked), ENGINE_DECIDED);
	assert_watched_allow(f, true);
	assert_int_equal(cam_req(f, 40203, after, REQ_VENDOR), ENGINE_DECIDED);
	assert_vendor_dropped(f);

	/* chunk data longer than its size: where the next request starts is unknown */
	cam(f, 40204, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, 40204, 1001, bad_chunk), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a chunked body that cannot be followed");
	fx_free(f);
}

static void test_keepalive_doubts(void **state)
{
	static const char other[] = "GET /b HTTP/1.1\r\nHost: ab.example.org\r\n\r\n";
	const uint32_t s2 = 1001 + sizeof(REQ_OK) - 1;
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* a second head's first copy, then a copy of other bytes: a conflict */
	cam(f, 40210, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40210, 1001, REQ_OK);
	assert_int_equal(cam_req(f, 40210, s2, other), ENGINE_DECIDED);
	assert_watched_allow(f, true);
	assert_int_equal(cam_req(f, 40210, s2, REQ_VENDOR), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a retransmission differs from the bytes it repeats");

	/* bytes after a head that are no request head */
	cam(f, 40211, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40211, 1001, REQ_OK);
	assert_int_equal(cam_req(f, 40211, s2, "\x16\x03\x01 binary"), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "bytes after a request that are not a request head");

	/* a SYN of another connection on the watched 4-tuple */
	cam(f, 40212, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40212, 1001, REQ_OK);
	assert_int_equal(cam(f, 40212, TCPF_SYN, 90000, NULL, 0), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor",
			       "a SYN of another connection while its bytes were read");

	/* FIN after an allowed head: decided for good once the server has the FIN */
	cam(f, 40213, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40213, 1001, REQ_OK);
	assert_int_equal(cam(f, 40213, TCPF_ACK | TCPF_FIN, s2, NULL, 0), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_true(f->d.watch);
	assert_int_equal(srv(f, 40213, TCPF_ACK, s2), ENGINE_DECIDED); /* not the FIN yet */
	assert_true(f->d.watch);
	assert_int_equal(srv(f, 40213, TCPF_ACK | TCPF_FIN, s2 + 1), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_false(f->d.watch);
	assert_int_equal(verdict_of(&f->d, false), VERDICT_ALLOW);

	/* the last request and the FIN in one segment, sent again: still the same */
	cam(f, 40215, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam(f, 40215, TCPF_ACK | TCPF_PSH | TCPF_FIN, 1001, REQ_OK,
			     strlen(REQ_OK)),
			 ENGINE_DECIDED);
	assert_int_equal(cam(f, 40215, TCPF_ACK | TCPF_PSH | TCPF_FIN, 1001, REQ_OK,
			     strlen(REQ_OK)),
			 ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_true(f->d.watch);

	/* a FIN that dies past the router, then a request naming the vendor */
	cam(f, 40214, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40214, 1001, REQ_OK);
	assert_int_equal(cam(f, 40214, TCPF_ACK | TCPF_FIN, s2, NULL, 0), ENGINE_DECIDED);
	assert_int_equal(cam_req(f, 40214, s2, REQ_VENDOR), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "data after the client closed");
	fx_free(f);
}

static void test_keepalive_stream_bound(void **state)
{
	static char body[1200];
	static const char head[] = "POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
				   "Content-Length: 1000000\r\n\r\n";
	struct fx *f = fx_new(POLICY_DENY_LIST);
	uint32_t seq = 1001 + sizeof(head) - 1;
	int i;

	(void)state;
	memset(body, 'x', sizeof(body));
	/* an upload the server acknowledges as it goes: read past, allowed throughout */
	cam(f, 40220, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40220, 1001, head);
	for (i = 0; i < 100; i++, seq += sizeof(body)) {
		assert_int_equal(cam(f, 40220, TCPF_ACK, seq, body, sizeof(body)), ENGINE_DECIDED);
		assert_watched_allow(f, false);
		srv(f, 40220, TCPF_ACK, seq + sizeof(body));
	}
	/* more unacknowledged bytes than the stream holds: unknown from there */
	cam(f, 40221, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40221, 1001, head);
	seq = 1001 + sizeof(head) - 1;
	for (i = 0; i < 100 && f->d.watch; i++, seq += sizeof(body))
		cam(f, 40221, TCPF_ACK, seq, body, sizeof(body));
	assert_true(i < 100);
	assert_unknown_dropped(f, "vendor", "unacknowledged bytes beyond the stream buffer");
	fx_free(f);
}

static void test_new_syn_while_waiting(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* half a head, then a SYN with another ISN: the first connection may go on unseen */
	cam(f, 40230, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam(f, 40230, TCPF_ACK | TCPF_PSH, 1001, REQ_VENDOR, 20), ENGINE_PENDING);
	assert_int_equal(cam(f, 40230, TCPF_SYN, 777777, NULL, 0), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor",
			       "a SYN of another connection while its bytes were read");
	/* the rest of the first connection's head stays with that verdict */
	assert_int_equal(cam(f, 40230, TCPF_ACK | TCPF_PSH, 1021, &REQ_VENDOR[20],
			     sizeof(REQ_VENDOR) - 21),
			 ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	fx_free(f);
}

static void test_keepalive_upgrade(void **state)
{
	static const char up[] = "GET /ws HTTP/1.1\r\nHost: www.example.org\r\n"
				 "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
	static const char frame[] = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
	const uint32_t s2 = 1001 + sizeof(up) - 1;
	struct fx *f = fx_new(POLICY_DENY_LIST);

	(void)state;
	/* the server switches: the WebSocket that follows is allowed for good */
	cam(f, 40240, TCPF_SYN, 1000, NULL, 0);
	assert_int_equal(cam_req(f, 40240, 1001, up), ENGINE_DECIDED);
	assert_watched_allow(f, true);
	assert_int_equal(srv_data(f, 40240, SRV_MAC, s2, "HTTP/1.1 101 Switching Protocols\r\n"),
			 ENGINE_DECIDED);
	assert_false(f->d.watch);
	assert_int_equal(verdict_of(&f->d, false), VERDICT_ALLOW);
	assert_int_equal(cam_req(f, 40240, s2, frame), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);

	/* refused: still HTTP, the next head read */
	cam(f, 40241, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40241, 1001, up);
	assert_int_equal(srv_data(f, 40241, SRV_MAC, s2, "HTTP/1.1 400 Bad Request\r\n"),
			 ENGINE_DECIDED);
	assert_true(f->d.watch);
	assert_int_equal(cam_req(f, 40241, s2, REQ_VENDOR), ENGINE_DECIDED);
	assert_vendor_dropped(f);

	/* a "101" in a later segment of another answer (a body's bytes): still read */
	cam(f, 40243, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40243, 1001, up);
	srv_data(f, 40243, SRV_MAC, s2, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n");
	assert_int_equal(srv_data(f, 40243, SRV_MAC, s2, "HTTP/1.1 101 Switching Protocols\r\n"),
			 ENGINE_DECIDED);
	assert_true(f->d.watch);
	/* a 101 the camera sends itself, from its own MAC: forged */
	cam(f, 40242, TCPF_SYN, 1000, NULL, 0);
	cam_req(f, 40242, 1001, up);
	assert_int_equal(srv_data(f, 40242, CAM_MAC, s2, "HTTP/1.1 101 Switching Protocols\r\n"),
			 ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a reply to the device that came from its own side");
	fx_free(f);
}

static void test_forged_server_ack(void **state)
{
	struct fx *f = fx_new(POLICY_ALLOW_LIST);

	(void)state;
	/* an allowed name's hello, then an "acknowledgement" from the camera's own MAC */
	cam(f, 40250, TCPF_SYN, 1000, NULL, 0);
	hello(f, "cdn.good.example");
	assert_int_equal(cam(f, 40250, TCPF_ACK | TCPF_PSH, 1001, f->hello, f->n), ENGINE_PENDING);
	assert_int_equal(srv_data(f, 40250, CAM_MAC, 1001 + (uint32_t)f->n, NULL), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a reply to the device that came from its own side");
	fx_free(f);
}

/* --- QUIC: the SNI of the client's Initials -------------------------------- */

static const uint8_t QDCID[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
static const uint8_t QSCID[4] = { 0xc0, 0xff, 0xee, 0x01 };

/* A datagram of one padded v1 Initial to dcid with the bytes [from, to) of a hello naming sni. */
static struct qbuf quic_initial_to(const char *sni, uint64_t pn, size_t from, size_t to,
				   const uint8_t *dcid, size_t dcid_len)
{
	struct quic_seal q = { .version = QUIC_SEAL_V1,
			       .dcid = dcid,
			       .dcid_len = dcid_len,
			       .scid = QSCID,
			       .scid_len = sizeof(QSCID),
			       .pn = pn,
			       .pn_len = 2,
			       .type = QUIC_SEAL_INITIAL,
			       .pad_to = 1200 };
	struct qbuf hello = { 0 }, frames = { 0 }, d = { 0 };

	qb_client_hello(&hello, sni, strlen(sni), 300);
	if (to == 0 || to > hello.len)
		to = hello.len;
	qb_crypto(&frames, from, hello.b + from, to - from);
	assert_true(quic_seal(&d, &q, frames.b, frames.len));
	qb_free(&hello);
	qb_free(&frames);
	return d;
}

static struct qbuf quic_initial(const char *sni, uint64_t pn, size_t from, size_t to)
{
	return quic_initial_to(sni, pn, from, to, QDCID, sizeof(QDCID));
}

/* The camera sends a UDP datagram from sport to CLOUD:dport; the result. */
static enum engine_result cam_udp(struct fx *f, uint16_t sport, uint16_t dport, const void *data,
				  size_t len)
{
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };

	assert_int_equal(craft_udp(&f->pb, CAM, CLOUD, sport, dport, data, len), 0);
	memcpy(in.mac, CAM_MAC, 6);
	return engine_packet(f->e, &in, &f->d);
}

static enum engine_result srv_udp(struct fx *f, uint16_t sport, uint16_t dport)
{
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };

	assert_int_equal(craft_udp(&f->pb, CLOUD, CAM, dport, sport, "\xc0 server", 9), 0);
	memcpy(in.mac, SRV_MAC, 6);
	return engine_packet(f->e, &in, &f->d);
}

static void test_quic_initial_named(void **state)
{
	struct fx *f = fx_new(POLICY_DENY_LIST);
	struct qbuf v = quic_initial("fw.hikvision.com", 0, 0, 0);
	struct qbuf a = quic_initial("www.example.org", 0, 0, 0);
	struct qbuf p1 = quic_initial("fw.hikvision.com", 0, 0, 100);
	struct qbuf p2 = quic_initial("fw.hikvision.com", 1, 100, 0);

	(void)state;
	/* the vendor's name: dropped at the Initial */
	assert_int_equal(cam_udp(f, 50000, 443, v.b, v.len), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_int_equal(f->d.name_source, NAME_QUIC);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	/* an allowed name: passes once the server answers */
	assert_int_equal(cam_udp(f, 50001, 443, a.b, a.len), ENGINE_PENDING);
	assert_int_equal(srv_udp(f, 50001, 443), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_string_equal(f->d.name.s, "www.example.org");
	assert_true(f->d.at_reply);
	/* the hello over two Initials in two datagrams */
	assert_int_equal(cam_udp(f, 50002, 443, p1.b, p1.len), ENGINE_PENDING);
	assert_int_equal(cam_udp(f, 50002, 443, p2.b, p2.len), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	qb_free(&v);
	qb_free(&a);
	qb_free(&p1);
	qb_free(&p2);
	fx_free(f);
}

static void test_quic_what_is_not_read(void **state)
{
	static const uint8_t rtp[12] = { 0x80, 0x60, 0, 1, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44 };
	struct fx *f = fx_new(POLICY_DENY_LIST);
	struct qbuf a = quic_initial("www.example.org", 0, 0, 0);
	struct qbuf v = quic_initial("fw.hikvision.com", 1, 0, 0);
	uint8_t junk[1200];
	int i;

	(void)state;
	/* an allowed name's Initial (a copy that dies past the router), then the vendor's */
	assert_int_equal(cam_udp(f, 50010, 443, a.b, a.len), ENGINE_PENDING);
	assert_int_equal(cam_udp(f, 50010, 443, v.b, v.len), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor",
			       "the client's Initial came again before the server answered");
	/* UDP to 443 that is no QUIC: a name could follow unread */
	assert_int_equal(cam_udp(f, 50011, 443, "hello", 5), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor",
			       "UDP to port 443 that does not open with a QUIC Initial");
	/* a version nfq-guard cannot read, on 443 */
	assert_int_equal(cam_udp(f, 50012, 443, rtp, sizeof(rtp)), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a QUIC version whose Initial nfq-guard cannot read");
	/* the same bytes elsewhere are RTP, say: no name, not unknown */
	assert_int_equal(cam_udp(f, 50013, 5000, rtp, sizeof(rtp)), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_int_not_equal(f->d.name_source, NAME_UNREADABLE);
	/* Initials that never authenticate: the wait bound ends them, unknown */
	memcpy(junk, v.b, sizeof(junk));
	junk[sizeof(junk) - 1] ^= 1; /* a bad tag */
	for (i = 0; i < 32 && cam_udp(f, 50014, 443, junk, sizeof(junk)) == ENGINE_PENDING; i++)
		;
	assert_true(i < 32);
	assert_unknown_dropped(f, "vendor", "no name within the wait bound");
	qb_free(&a);
	qb_free(&v);
	fx_free(f);
}

/* The server's first datagram: a v1 long header to the client's SCID, from its own sid. */
static enum engine_result srv_quic(struct fx *f, uint16_t sport, uint16_t dport, const uint8_t *sid,
				   size_t n)
{
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true, .now = f->now };
	uint8_t b[64] = { 0xc0, 0, 0, 0, 1, sizeof(QSCID) };
	size_t len = 6;

	memcpy(b + len, QSCID, sizeof(QSCID));
	len += sizeof(QSCID);
	b[len++] = (uint8_t)n;
	memcpy(b + len, sid, n);
	len += n + 20; /* a length, a packet number, a payload: not read */
	assert_int_equal(craft_udp(&f->pb, CLOUD, CAM, dport, sport, b, len), 0);
	memcpy(in.mac, SRV_MAC, 6);
	return engine_packet(f->e, &in, &f->d);
}

/*
 * Another QUIC connection on a 4-tuple let pass is decided of its own: an
 * Initial to a connection ID the first connection does not go by.
 */
static void test_quic_second_connection(void **state)
{
	static const uint8_t sid[8] = { 0x5e, 0x4e, 0x4e, 0x40, 1, 2, 3, 4 };
	static const uint8_t other[8] = { 0x0d, 0xdc, 0x1d, 0, 9, 9, 9, 9 };
	struct fx *f = fx_new(POLICY_DENY_LIST);
	struct qbuf a = quic_initial("www.example.org", 0, 0, 0);
	struct qbuf ack = quic_initial_to("www.example.org", 1, 0, 0, sid, sizeof(sid));
	struct qbuf again = quic_initial("www.example.org", 2, 0, 0);
	struct qbuf v = quic_initial_to("fw.hikvision.com", 0, 0, 0, other, sizeof(other));

	(void)state;
	assert_int_equal(cam_udp(f, 50020, 443, a.b, a.len), ENGINE_PENDING);
	assert_int_equal(srv_quic(f, 50020, 443, sid, sizeof(sid)), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	/* the client's later Initials, to the server's ID: the same connection */
	assert_int_equal(cam_udp(f, 50020, 443, ack.b, ack.len), ENGINE_DECIDED);
	assert_false(f->d.first);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	/* to its first ID again (a retransmission, or a connection reusing it): read again */
	assert_int_equal(cam_udp(f, 50020, 443, again.b, again.len), ENGINE_PENDING);
	assert_int_equal(srv_quic(f, 50020, 443, sid, sizeof(sid)), ENGINE_DECIDED);
	assert_true(f->d.first);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	/* an Initial in a datagram a server drops (under 1200 bytes): nothing new */
	assert_int_equal(cam_udp(f, 50020, 443, v.b, 1199), ENGINE_DECIDED);
	assert_false(f->d.first);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	/* a new connection ID with the vendor's name: a decision of its own */
	assert_int_equal(cam_udp(f, 50020, 443, v.b, v.len), ENGINE_DECIDED);
	assert_true(f->d.first);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_int_equal(f->d.name_source, NAME_QUIC);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");
	/* and it stands for the 4-tuple's later packets */
	assert_int_equal(cam_udp(f, 50020, 443, "\\x40short", 6), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	/* a flow decided without QUIC: an Initial on it is a new connection too */
	assert_int_equal(cam_udp(f, 50021, 8800, "x", 1), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_int_equal(cam_udp(f, 50021, 8800, v.b, v.len), ENGINE_DECIDED);
	assert_true(f->d.first);
	assert_int_equal(f->d.action, ACTION_DROP);
	qb_free(&a);
	qb_free(&ack);
	qb_free(&again);
	qb_free(&v);
	fx_free(f);
}

/*
 * A server's Retry voids the hello read: the client sends it again, to the
 * ID the Retry chose, and that one decides.  After a connection was let
 * pass, its first ID reused for another hello, or a version not read, is a
 * decision of its own.
 */
static void test_quic_retry_and_reuse(void **state)
{
	static const uint8_t rid[8] = { 0x2e, 0x72, 0x79, 0, 1, 2, 3, 4 };
	struct fx *f = fx_new(POLICY_DENY_LIST);
	struct qbuf a = quic_initial("www.example.org", 0, 0, 0);
	struct qbuf v = quic_initial_to("fw.hikvision.com", 1, 0, 0, rid, sizeof(rid));
	struct qbuf reuse = quic_initial("fw.hikvision.com", 2, 0, 0);
	struct engine_input in = { .pkt = &f->pb.p, .has_mac = true };
	/* a v1 Retry: type 3, to the client's SCID, from rid, a token and its tag */
	uint8_t retry[64] = { 0xf0, 0, 0, 0, 1, sizeof(QSCID) };
	uint8_t draft[1200] = { 0xc0, 0xff, 0, 0, 0x1d, 8 };
	size_t n = 6;

	(void)state;
	memcpy(retry + n, QSCID, sizeof(QSCID));
	n += sizeof(QSCID);
	retry[n++] = sizeof(rid);
	memcpy(retry + n, rid, sizeof(rid));
	n += sizeof(rid) + 4 + 16;
	assert_int_equal(cam_udp(f, 50030, 443, a.b, a.len), ENGINE_PENDING);
	assert_int_equal(craft_udp(&f->pb, CLOUD, CAM, 443, 50030, retry, n), 0);
	in.now = f->now;
	memcpy(in.mac, SRV_MAC, 6);
	assert_int_equal(engine_packet(f->e, &in, &f->d), ENGINE_PENDING);
	/* the hello sent again after the Retry names the vendor: dropped */
	assert_int_equal(cam_udp(f, 50030, 443, v.b, v.len), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_DROP);
	assert_string_equal(f->d.name.s, "fw.hikvision.com");

	/* allowed, then its first ID reused with the vendor's hello */
	assert_int_equal(cam_udp(f, 50031, 443, a.b, a.len), ENGINE_PENDING);
	assert_int_equal(srv_quic(f, 50031, 443, rid, sizeof(rid)), ENGINE_DECIDED);
	assert_int_equal(f->d.action, ACTION_ALLOW);
	assert_int_equal(cam_udp(f, 50031, 443, reuse.b, reuse.len), ENGINE_DECIDED);
	assert_true(f->d.first);
	assert_int_equal(f->d.action, ACTION_DROP);
	/* allowed, then a version nfq-guard cannot read: unknown */
	assert_int_equal(cam_udp(f, 50032, 443, a.b, a.len), ENGINE_PENDING);
	assert_int_equal(srv_quic(f, 50032, 443, rid, sizeof(rid)), ENGINE_DECIDED);
	assert_int_equal(cam_udp(f, 50032, 443, draft, sizeof(draft)), ENGINE_DECIDED);
	assert_unknown_dropped(f, "vendor", "a QUIC version whose Initial nfq-guard cannot read");
	qb_free(&a);
	qb_free(&v);
	qb_free(&reuse);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_copy_never_reaches_the_server),
		cmocka_unit_test(test_allowed_once_acknowledged),
		cmocka_unit_test(test_out_of_order_hello),
		cmocka_unit_test(test_urgent_data_in_head),
		cmocka_unit_test(test_syn_data),
		cmocka_unit_test(test_head_cut_short),
		cmocka_unit_test(test_new_syn_on_decided_tuple),
		cmocka_unit_test(test_waiting_flows_are_not_pushed_out),
		cmocka_unit_test(test_quiet_waiting_flows_make_room),
		cmocka_unit_test(test_bound_counts_in_order_data),
		cmocka_unit_test(test_undecodable_gets_the_strictest),
		cmocka_unit_test(test_server_name_not_a_hostname),
		cmocka_unit_test(test_tls_records_as_servers_take_them),
		cmocka_unit_test(test_http_heads_as_servers_read_them),
		cmocka_unit_test(test_socks_and_connect_name_the_real_server),
		cmocka_unit_test(test_keepalive_every_head_read),
		cmocka_unit_test(test_keepalive_watch_bounds),
		cmocka_unit_test(test_keepalive_pipelined_and_bodies),
		cmocka_unit_test(test_keepalive_doubts),
		cmocka_unit_test(test_keepalive_stream_bound),
		cmocka_unit_test(test_keepalive_upgrade),
		cmocka_unit_test(test_forged_server_ack),
		cmocka_unit_test(test_quic_initial_named),
		cmocka_unit_test(test_quic_second_connection),
		cmocka_unit_test(test_quic_retry_and_reuse),
		cmocka_unit_test(test_quic_what_is_not_read),
		cmocka_unit_test(test_new_syn_while_waiting),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
