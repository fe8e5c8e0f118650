/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_engine.c - the verdict engine on packets built byte by byte: first
 * match, DNS-learned names (CNAME chains, TTL floor, poisoning), late
 * SNI/Host decisions, and every bound.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "craft.h"
#include "policy_file.h"
#include "engine/engine.h"

/* no time: rules with a schedule count only when they block */
static const struct engine_clock clk_none = { 0, -1 };

#define CAM_MAC "\x44\x47\xcc\x00\x00\x64"
#define LAPTOP_MAC "\x02\x00\x00\x00\x00\x20"

static const uint8_t CAM[4] = { 192, 168, 1, 64 };
static const uint8_t LAPTOP[4] = { 192, 168, 1, 20 };
static const uint8_t ROUTER[4] = { 192, 168, 1, 1 };
static const uint8_t CLOUD[4] = { 198, 51, 100, 7 };
static const uint8_t CLOUD2[4] = { 198, 51, 100, 8 };
static const uint8_t NVR[4] = { 192, 168, 1, 5 };

/* --- building packets ------------------------------------------------------ */

/* The engine tests' packets always decode: craft.h's, asserted. */
#define ip4(...) assert_int_equal(craft_ip4(__VA_ARGS__), 0)
#define tcp(...) assert_int_equal(craft_tcp(__VA_ARGS__), 0)
#define udp(...) assert_int_equal(craft_udp(__VA_ARGS__), 0)
#define put_name craft_put_name
#define client_hello craft_client_hello

struct rr {
	const char *owner;
	uint16_t type;
	uint32_t ttl;
	const char *cname;   /* CNAME */
	const uint8_t *addr; /* A, AAAA */
};

/* A DNS response to question q with the given answer records. */
static size_t dns_response(uint8_t *b, const char *q, const struct rr *rrs, size_t n)
{
	size_t o = 12, i;

	memset(b, 0, 12);
	b[0] = 0x12;
	b[1] = 0x34;
	b[2] = 0x81;
	b[3] = 0x80;
	b[5] = 1;
	b[7] = (uint8_t)n;
	o += put_name(b + o, q);
	b[o++] = 0;
	b[o++] = 1;
	b[o++] = 0;
	b[o++] = 1;
	for (i = 0; i < n; i++) {
		size_t rdl;

		o += put_name(b + o, rrs[i].owner);
		b[o++] = 0;
		b[o++] = (uint8_t)rrs[i].type;
		b[o++] = 0;
		b[o++] = 1;
		b[o++] = (uint8_t)(rrs[i].ttl >> 24);
		b[o++] = (uint8_t)(rrs[i].ttl >> 16);
		b[o++] = (uint8_t)(rrs[i].ttl >> 8);
		b[o++] = (uint8_t)rrs[i].ttl;
		if (rrs[i].type == DNS_TYPE_CNAME) {
			rdl = put_name(b + o + 2, rrs[i].cname);
		} else if (rrs[i].type == DNS_TYPE_AAAA) {
			memcpy(b + o + 2, rrs[i].addr, 16);
			rdl = 16;
		} else {
			memcpy(b + o + 2, rrs[i].addr, 4);
			rdl = 4;
		}
		b[o++] = (uint8_t)(rdl >> 8);
		b[o++] = (uint8_t)rdl;
		o += rdl;
	}
	return o;
}

/* --- policies ------------------------------------------------------------- */

#define NETWORKS                                                                        \
	"version = 1;\n"                                                                \
	"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n" \
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; },\n"                    \
	"            { name = \"nvr-side\"; ip = [ \"192.168.1.5\" ]; } );\n"

static const char POLICY_BASIC[] = NETWORKS
	"rules = (\n"
	"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; action = \"allow\"; },\n"
	"  { name = \"fw\"; from = \"cam\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; "
	"log = true; },\n"
	"  { name = \"rtsp\"; to = \"lan\"; proto = \"tcp\"; port = [ 554 ]; action = \"allow\"; },\n"
	"  { name = \"ok\"; to = \"wan\"; proto = \"tcp\"; port = 443; action = \"allow\"; },\n"
	"  { name = \"egress\"; to = \"wan\"; action = \"reject\"; }\n"
	");\n";

struct fixture {
	struct policy *p;
	struct engine *e;
	uint64_t now;
};

static struct fixture *fx_new(const char *text)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->p = policy_of_text(text);
	f->e = engine_new(f->p, 0);
	assert_non_null(f->e);
	f->now = 1000000;
	return f;
}

static void fx_free(struct fixture *f)
{
	engine_free(f->e);
	policy_free(f->p);
	free(f);
}

static enum engine_result run(struct fixture *f, const struct pktbuf *pb, const char *mac,
			      struct decision *d)
{
	struct engine_input in = { .pkt = &pb->p, .now = f->now };

	if (mac) {
		in.has_mac = true;
		memcpy(in.mac, mac, 6);
	}
	memset(d, 0xa5, sizeof(*d));
	return engine_packet(f->e, &in, d);
}

/* The camera resolves q through the router, answered with rrs. */
static void resolve(struct fixture *f, const char *q, const struct rr *rrs, size_t n)
{
	struct pktbuf pb;
	struct decision d;
	uint8_t msg[512];
	size_t len = dns_response(msg, q, rrs, n);

	uint8_t query[300];

	/* the query makes the camera known, and is the one its answer must answer */
	udp(&pb, CAM, ROUTER, 40000, 53, query, craft_dns_query(query, q));
	run(f, &pb, CAM_MAC, &d);
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	assert_int_equal(run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d), ENGINE_SNOOPED);
}

static void syn(struct pktbuf *pb, const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	tcp(pb, CAM, dst, sport, dport, TCPF_SYN, 1000, NULL, 0);
}

/* --- tests ------------------------------------------------------------------- */

static void test_first_match_and_not_device(void **state)
{
	static const char describe[] = "DESCRIBE rtsp://192.168.1.5/s RTSP/1.0\r\nCSeq: 2\r\n\r\n";
	struct fixture *f = fx_new(POLICY_BASIC);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	udp(&pb, CAM, ROUTER, 40000, 53, "q", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_string_equal(d.rule->name, "dns");
	assert_string_equal(f->p->devices[d.device].name, "cam");
	assert_int_equal(d.how.kind, MATCH_OUI);
	assert_true(d.first);
	assert_false(d.has_name);

	/* a later packet of the same flow: same decision, not first */
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_false(d.first);

	/* the camera answering the NVR's connection: not its own flow */
	tcp(&pb, CAM, NVR, 554, 39000, TCPF_SYN | TCPF_ACK, 1, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_NOT_DEVICE);
	tcp(&pb, CAM, NVR, 554, 39000, TCPF_ACK | TCPF_PSH, 2, "RTSP/1.0 200 OK\r\n", 17);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_NOT_DEVICE);
	tcp(&pb, NVR, CAM, 39000, 554, TCPF_ACK, 100, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_NOT_DEVICE);

	/* the laptop is no device */
	tcp(&pb, LAPTOP, CLOUD, 5555, 443, TCPF_SYN, 1, NULL, 0);
	assert_int_equal(run(f, &pb, LAPTOP_MAC, &d), ENGINE_NOT_DEVICE);

	/* a device named by address, without its MAC */
	tcp(&pb, NVR, CLOUD, 5555, 25, TCPF_SYN, 1, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	assert_int_equal(d.action, ACTION_REJECT);
	assert_int_equal(d.how.kind, MATCH_IP);
	assert_true(d.by_address);

	/*
	 * To the LAN on RTSP: "fw" stands before "rtsp" and a name could still
	 * come, so the flow waits for its first bytes; RTSP names no host.
	 */
	syn(&pb, NVR, 41000, 554);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, NVR, 41000, 554, TCPF_ACK | TCPF_PSH, 1001, describe, strlen(describe));
	/* allowed once the NVR acknowledges the bytes read (not a copy it never got) */
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	craft_tcp_ack(&pb, NVR, CAM, 554, 41000, TCPF_ACK, 9000, 1001, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_PENDING); /* not all of it yet */
	craft_tcp_ack(&pb, NVR, CAM, 554, 41000, TCPF_ACK, 9000, 1001 + (uint32_t)strlen(describe),
		      NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "rtsp");
	assert_true(d.waited);
	assert_true(d.first);
	assert_true(d.at_reply); /* the flow is the camera's, the packet the NVR's */
	assert_true(d.dev_has_mac);
	assert_memory_equal(d.dev_mac, CAM_MAC, 6);
	fx_free(f);
}

/* A device found by its behaviour: decided by the rules of the group naming its vendor. */
static void test_found_device(void **state)
{
	static const char text[] =
		"version = 1;\n"
		"identify = [ \"discovery\" ];\n"
		"vendors = { registry = [ \"mini.manuf\" ]; };\n"
		"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n"
		"devices = ( { name = \"best\"; vendor = \"best\"; } );\n"
		"rules = ( { name = \"egress\"; from = \"best\"; to = \"wan\"; action = \"drop\"; } );\n";
	const char *relabelled = "\x02\x00\x00\x00\x00\x66";
	struct policy_errors e;
	struct policy *p =
		policy_compile_text("tests/data/vendors/f.conf", text, strlen(text), 0, &e);
	struct engine_shared *sh;
	struct fixture f = { 0 };
	struct pktbuf pb;
	struct decision d;

	(void)state;
	policy_errors_clear(&e);
	assert_non_null(p);
	sh = engine_shared_new(p);
	f.p = p;
	f.e = engine_new_shared(p, 0, sh);
	f.now = 1000000;
	/* not found yet: no device */
	syn(&pb, CLOUD, 43000, 443);
	assert_int_equal(run(&f, &pb, relabelled, &d), ENGINE_NOT_DEVICE);
	/* found by its SADP answer: its next flow is the best group's, dropped */
	assert_int_equal(engine_found_add(sh, (const uint8_t *)relabelled, FOUND_SADP, "Best", 2),
			 1);
	assert_int_equal(engine_found_add(sh, (const uint8_t *)relabelled, FOUND_SADP, "Best", 2),
			 0);
	assert_int_equal(engine_found_count(sh), 1);
	syn(&pb, CLOUD, 43001, 443);
	assert_int_equal(run(&f, &pb, relabelled, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_int_equal(d.how.kind, MATCH_FOUND);
	/* the bound refuses, and never evicts */
	assert_int_equal(engine_found_add(sh, (const uint8_t *)"\x02\0\0\0\0\x67", FOUND_DHIP,
					  "Dahua", 2),
			 1);
	assert_int_equal(engine_found_add(sh, (const uint8_t *)"\x02\0\0\0\0\x68", FOUND_DHIP,
					  "Dahua", 2),
			 -ENOSPC);
	syn(&pb, CLOUD, 43002, 443);
	assert_int_equal(run(&f, &pb, relabelled, &d), ENGINE_DECIDED);
	engine_free(f.e);
	engine_shared_free(sh);
	policy_free(p);
}

static void test_dns_learned_name_decides_at_syn(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	const struct rr a[] = { { "litedev.ezvizlife.com", DNS_TYPE_A, 300, NULL, CLOUD } };
	struct pktbuf pb;
	struct decision d;

	(void)state;
	resolve(f, "litedev.ezvizlife.com", a, 1);
	syn(&pb, CLOUD, 41000, 8666);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "fw");
	assert_true(d.log);
	assert_true(d.has_name);
	assert_string_equal(d.name.s, "litedev.ezvizlife.com");
	assert_int_equal(d.name_source, NAME_DNS);
	assert_string_equal(d.pattern, "*.ezvizlife.com");
	assert_false(d.by_address); /* decided by a name: never poison the address */

	/* the answer was the camera's: the laptop going there learned nothing */
	tcp(&pb, LAPTOP, CLOUD, 5555, 443, TCPF_SYN, 1, NULL, 0);
	assert_int_equal(run(f, &pb, LAPTOP_MAC, &d), ENGINE_NOT_DEVICE);
	fx_free(f);
}

static void test_cname_chain_and_poisoning(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	/* alias.example.org -> cdn.ezvizlife.com -> A; plus an unsolicited A record */
	const struct rr rrs[] = {
		{ "cdn.ezvizlife.com", DNS_TYPE_A, 60, NULL, CLOUD },
		{ "alias.example.org", DNS_TYPE_CNAME, 60, "cdn.ezvizlife.com", NULL },
		{ "other.ezvizlife.com", DNS_TYPE_A, 60, NULL, CLOUD2 },
	};
	struct pktbuf pb;
	struct decision d;

	(void)state;
	resolve(f, "alias.example.org", rrs, 3);
	/* an A record off the chain counts as the question's (musl uses it so) */
	assert_int_equal(engine_names_stats(f->e)->ignored, 0);
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	/* the chain's target matched the rule */
	assert_string_equal(d.name.s, "cdn.ezvizlife.com");

	/* the record off the chain taught only the question's name, not its owner's */
	syn(&pb, CLOUD2, 41001, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	fx_free(f);
}

static void test_reported_name_is_chain_head(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	const struct rr rrs[] = {
		{ "www.example.org", DNS_TYPE_CNAME, 60, "edge.example.net", NULL },
		{ "edge.example.net", DNS_TYPE_A, 60, NULL, CLOUD },
	};
	struct pktbuf pb;
	struct decision d;

	(void)state;
	resolve(f, "www.example.org", rrs, 2);
	/* udp to wan: no name can arrive later, decided now by "egress" */
	udp(&pb, CAM, CLOUD, 41000, 8800, "PTCP", 4);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	assert_true(d.has_name);
	assert_string_equal(d.name.s, "www.example.org");
	assert_int_equal(d.name_source, NAME_DNS);
	fx_free(f);
}

static void test_ttl_floor(void **state)
{
	static const char pol[] = NETWORKS
		"name_ttl_floor = 60;\n"
		"rules = ( { name = \"fw\"; domain = \"*.ezvizlife.com\"; "
		"action = \"drop\"; }, { name = \"rest\"; action = \"allow\"; } );\n";
	struct fixture *f = fx_new(pol);
	const struct rr a[] = { { "x.ezvizlife.com", DNS_TYPE_A, 5, NULL, CLOUD } };
	struct pktbuf pb;
	struct decision d;

	(void)state;
	resolve(f, "x.ezvizlife.com", a, 1);
	/* TTL 5 s has passed, the 60 s floor has not */
	f->now += 30 * 1000;
	udp(&pb, CAM, CLOUD, 41000, 123, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	/* past the floor: forgotten */
	f->now += 31 * 1000;
	udp(&pb, CAM, CLOUD, 41001, 123, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "rest");
	assert_true(engine_names_stats(f->e)->expired >= 1);
	fx_free(f);
}

static void test_late_sni_split_hello(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	uint8_t hello[600];
	size_t n = client_hello(hello, "Upgrade.EZVIZLife.com");
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* no DNS name: "fw" may match once the SNI arrives, "ok" would allow */
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK, 1001, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	/* the server's SYN-ACK belongs to the waiting flow */
	tcp(&pb, CLOUD, CAM, 443, 41000, TCPF_SYN | TCPF_ACK, 5000, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_PENDING);
	/* the hello in two segments: decided on the second */
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK | TCPF_PSH, 1001, hello, 20);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK | TCPF_PSH, 1021, hello + 20, n - 20);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_true(d.first);
	assert_true(d.waited);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "fw");
	assert_string_equal(d.name.s, "upgrade.ezvizlife.com");
	assert_int_equal(d.name_source, NAME_SNI);
	assert_false(d.by_address);
	assert_null(d.note);

	/* a harmless SNI to the same address is allowed */
	syn(&pb, CLOUD, 41002, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	n = client_hello(hello, "ok.example.org");
	tcp(&pb, CAM, CLOUD, 41002, 443, TCPF_ACK | TCPF_PSH, 1001, hello, n);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	craft_tcp_ack(&pb, CLOUD, CAM, 443, 41002, TCPF_ACK, 5001, 1001 + (uint32_t)n, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "ok");
	assert_string_equal(d.name.s, "ok.example.org");

	/* a name that matches no domain rule: dropped by a rule without one, but
	 * the verdict hung on the name, so the address is not blocked */
	syn(&pb, CLOUD, 41004, 8443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	n = client_hello(hello, "other.example.net");
	tcp(&pb, CAM, CLOUD, 41004, 8443, TCPF_ACK | TCPF_PSH, 1001, hello, n);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	assert_false(d.by_address);
	fx_free(f);
}

static void test_blocked_dns_name_with_harmless_sni(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	const struct rr a[] = { { "upgrade.ezvizlife.com", DNS_TYPE_A, 300, NULL, CLOUD } };
	struct pktbuf pb;
	struct decision d;

	(void)state;
	resolve(f, "upgrade.ezvizlife.com", a, 1);
	/* whatever SNI comes later, the address carries a blocked name */
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_int_equal(d.name_source, NAME_DNS);
	fx_free(f);
}

static void test_http_host_late(void **state)
{
	struct fixture *f = fx_new(NETWORKS
				   "rules = ( { name = \"fw\"; domain = \"*.hik-connect.com\"; "
				   "action = \"drop\"; }, { name = \"web\"; to = \"wan\"; "
				   "action = \"allow\"; } );\n");
	static const char req[] =
		"GET /fw.bin HTTP/1.1\r\nHost: Firmware.Hik-Connect.com:8080\r\n\r\n";
	struct pktbuf pb;
	struct decision d;

	(void)state;
	syn(&pb, CLOUD, 41000, 8080);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 8080, TCPF_ACK | TCPF_PSH, 1001, req, 10);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 8080, TCPF_ACK | TCPF_PSH, 1011, req + 10, strlen(req) - 10);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	assert_string_equal(d.name.s, "firmware.hik-connect.com");
	assert_int_equal(d.name_source, NAME_HTTP);
	fx_free(f);
}

static void test_same_action_decides_at_once(void **state)
{
	struct fixture *f = fx_new(NETWORKS
				   "rules = ( { name = \"fw\"; domain = \"*.ezvizlife.com\"; "
				   "action = \"drop\"; }, { name = \"egress\"; to = \"wan\"; "
				   "action = \"drop\"; } );\n");
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* whatever name comes, the verdict is drop: no reason to wait */
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	assert_true(d.by_address);
	assert_false(d.waited);
	fx_free(f);
}

static void test_pending_bounds(void **state)
{
	struct fixture *f = fx_new(NETWORKS
				   "limits = { pending_packets = 3; pending_seconds = 2; };\n"
				   "rules = ( { name = \"fw\"; domain = \"*.ezvizlife.com\"; "
				   "action = \"drop\"; } );\ndefault = \"allow\";\n");
	uint8_t hello[600];
	struct pktbuf pb;
	struct decision d;

	(void)state;
	client_hello(hello, "x.example.org");
	/* acknowledgements carry nothing: they do not count towards the bound */
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK, 1001, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	/* a hello in three-byte pieces: cut at the third, its name unknown */
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK | TCPF_PSH, 1001, hello, 3);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK | TCPF_PSH, 1004, hello + 3, 3);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK | TCPF_PSH, 1007, hello + 6, 3);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	assert_int_equal(d.action, ACTION_DROP);
	assert_int_equal(d.name_source, NAME_UNREADABLE);
	assert_false(d.has_name);
	assert_string_equal(d.note, "no name within the wait bound");
	assert_int_equal(engine_stats(f->e)->pending_cut, 1);
	assert_int_equal(engine_stats(f->e)->unknown_names, 1);

	/* time: two seconds later the next packet decides, unknown */
	syn(&pb, CLOUD, 41001, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	f->now += 2500;
	tcp(&pb, CAM, CLOUD, 41001, 443, TCPF_ACK, 1001, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_int_equal(d.name_source, NAME_UNREADABLE);

	/* a stream that is neither TLS nor HTTP has no name: allowed once acknowledged */
	syn(&pb, CLOUD, 41002, 8666);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41002, 8666, TCPF_ACK | TCPF_PSH, 1001, "\x01\x02\x03", 3);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	craft_tcp_ack(&pb, CLOUD, CAM, 8666, 41002, TCPF_ACK, 1, 1004, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_DECIDED);
	assert_null(d.rule);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_null(d.note);
	assert_false(d.has_name);
	assert_int_equal(d.name_source, NAME_NONE);

	/* the client gives up (FIN) before naming the server: unknown, not nameless */
	syn(&pb, CLOUD, 41003, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41003, 443, TCPF_ACK | TCPF_PSH, 1001, hello, 10);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41003, 443, TCPF_ACK | TCPF_FIN, 1011, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.note, "closed before its name was read");
	fx_free(f);
}

static int finished;

static void on_finish(const struct decision *d, const struct engine_flow_key *k,
		      const struct device_key *dev, void *arg)
{
	(void)arg;
	assert_true(d->first);
	assert_int_equal(k->dport, 443);
	assert_true(dev->has_mac);
	finished++;
}

static void test_finish_decides_waiting(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	finished = 0;
	engine_finish(f->e, f->now, on_finish, NULL);
	assert_int_equal(finished, 1);
	/* decided once: a later packet is not new */
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_false(d.first);
	fx_free(f);
}

static void test_flow_and_name_bounds(void **state)
{
	struct fixture *f = fx_new(NETWORKS
				   "limits = { flows = 16; names = 16; };\n"
				   "rules = ( { name = \"all\"; action = \"allow\"; } );\n");
	struct pktbuf pb;
	struct decision d;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		udp(&pb, CAM, CLOUD, (uint16_t)(20000 + i), 9, "x", 1);
		assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
		assert_true(d.first);
	}
	assert_int_equal(engine_stats(f->e)->flows_evicted, 40 - 16);
	for (i = 0; i < 40; i++) {
		uint8_t addr[4] = { 203, 0, 113, (uint8_t)i };
		char q[32];
		struct rr a = { q, DNS_TYPE_A, 300, NULL, addr };

		snprintf(q, sizeof(q), "n%d.example.org", i);
		resolve(f, q, &a, 1);
	}
	assert_int_equal(engine_names_stats(f->e)->entries, 16);
	assert_int_equal(engine_names_stats(f->e)->evicted, 40 - 16);
	fx_free(f);
}

static void test_tcp_dns_answer_snooped(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	const struct rr a[] = { { "litedev.ezvizlife.com", DNS_TYPE_A, 300, NULL, CLOUD } };
	uint8_t msg[514];
	size_t len = dns_response(msg + 2, "litedev.ezvizlife.com", a, 1);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	msg[0] = (uint8_t)(len >> 8);
	msg[1] = (uint8_t)len;
	/* the camera's query makes it known; the answer comes over TCP in two parts */
	tcp(&pb, CAM, ROUTER, 40000, 53, TCPF_SYN, 100, NULL, 0);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_SYN | TCPF_ACK, 700, NULL, 0);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_SNOOPED);
	tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_ACK, 701, msg, 10);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_SNOOPED);
	tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_ACK, 711, msg + 10, len + 2 - 10);
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_SNOOPED);
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	fx_free(f);
}

static void test_engine_decide(void **state)
{
	struct policy *p = policy_of_text(POLICY_BASIC);
	struct device_key dev = { .has_mac = true };
	struct name n;
	struct decision d;

	(void)state;
	memcpy(dev.mac, CAM_MAC, 6);
	name_set(&n, (const uint8_t *)"a.ezvizlife.com", 15);
	engine_decide(p, &dev, 4, CLOUD, IPPROTO_NUM_TCP, 443, &n, NAME_DNS, &clk_none, &d);
	assert_string_equal(d.rule->name, "fw");
	assert_string_equal(d.pattern, "*.ezvizlife.com");
	assert_int_equal(d.how.kind, MATCH_OUI);
	/* without a name and without an address: a wan destination */
	engine_decide(p, &dev, 0, CLOUD, IPPROTO_NUM_UDP, 8800, NULL, NAME_NONE, &clk_none, &d);
	assert_string_equal(d.rule->name, "egress");
	/* not a device */
	memcpy(dev.mac, LAPTOP_MAC, 6);
	engine_decide(p, &dev, 4, CLOUD, IPPROTO_NUM_TCP, 443, NULL, NAME_NONE, &clk_none, &d);
	assert_int_equal(d.device, -1);
	policy_free(p);
}

/* --- what a hostile camera tries (found in review) -------------------------- */

static const char POLICY_GOOD[] = NETWORKS
	"name_ttl_floor = 0;\n"
	"rules = (\n"
	"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; action = \"allow\"; },\n"
	"  { name = \"good\"; domain = [ \"*.good.example\" ]; action = \"allow\"; },\n"
	"  { name = \"cloud\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; },\n"
	"  { name = \"egress\"; to = \"wan\"; action = \"drop\"; }\n"
	");\n";

/*
 * Allowed by its DNS name, a flow still sends a name of its own: that one
 * decides (a CDN address serves other names too).  Without one, the DNS
 * name lets it pass.
 */
static void test_sent_name_decides_the_allow(void **state)
{
	struct fixture *f = fx_new(POLICY_GOOD);
	const struct rr a[] = { { "c2.good.example", DNS_TYPE_A, 300, NULL, CLOUD } };
	uint8_t evil[600], good[600];
	size_t n_evil = craft_client_hello(evil, "evil.example.net");
	size_t n_good = craft_client_hello(good, "c2.good.example");
	struct pktbuf pb;
	struct decision d;

	(void)state;
	resolve(f, "c2.good.example", a, 1);
	/* the SYN waits for the name the flow sends */
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41000, 443, TCPF_ACK | TCPF_PSH, 1001, evil, n_evil);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	assert_int_equal(d.action, ACTION_DROP);
	/* the allowed name sent: allowed once the server has it */
	syn(&pb, CLOUD, 41001, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41001, 443, TCPF_ACK | TCPF_PSH, 1001, good, n_good);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, CLOUD, CAM, 443, 41001, TCPF_ACK, 5000, NULL, 0);
	pb.p.tcp_ack = 1001 + (uint32_t)n_good;
	assert_int_equal(run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "good");
	/* no name sent (not TLS, not HTTP): the DNS name lets it pass */
	syn(&pb, CLOUD, 41002, 8883);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, CAM, CLOUD, 41002, 8883, TCPF_ACK | TCPF_PSH, 1001, "\x10\x0cMQTT", 6);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CLOUD, CAM, 8883, 41002, TCPF_ACK, 5000, NULL, 0);
	pb.p.tcp_ack = 1007;
	assert_int_equal(run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "good");
	assert_int_equal(d.name_source, NAME_DNS);
	fx_free(f);
}

static void test_camera_cannot_forge_answers(void **state)
{
	struct fixture *f = fx_new(POLICY_GOOD);
	const struct rr a[] = { { "c2.good.example", DNS_TYPE_A, 300, NULL, CLOUD } };
	uint8_t msg[512];
	size_t len = dns_response(msg, "c2.good.example", a, 1);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	udp(&pb, CAM, ROUTER, 40000, 53, "q", 1);
	run(f, &pb, CAM_MAC, &d);
	/* the camera's own frame, source forged as the laptop's port 53, to itself */
	udp(&pb, LAPTOP, CAM, 53, 40001, msg, len);
	assert_int_not_equal(run(f, &pb, CAM_MAC, &d), ENGINE_SNOOPED);
	udp(&pb, CAM, CLOUD, 41001, 9999, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	assert_false(d.has_name);

	/* a forged WAN source does not make that address a device's */
	udp(&pb, CLOUD, ROUTER, 1, 9, "x", 1);
	run(f, &pb, CAM_MAC, &d);
	udp(&pb, CAM, CLOUD, 53, 9998, "exfil", 5);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	fx_free(f);
}

static void test_synack_to_wan_is_decided(void **state)
{
	struct fixture *f = fx_new(POLICY_GOOD);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* a camera "answering" a connection nobody local opened: decided like a SYN */
	tcp(&pb, CAM, CLOUD, 5556, 443, TCPF_SYN | TCPF_ACK, 1, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 5556, 443, TCPF_ACK | TCPF_PSH, 2, "exfil\r\n", 7);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	fx_free(f);
}

/*
 * A message is read whole, then the next from where it ends: a message
 * planted inside another (past the hello buffer's size) is not read.
 */
static void test_tcp_dns_message_inside_not_read(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	const struct rr a[] = { { "c2.good.example", DNS_TYPE_A, 300, NULL, CLOUD } };
	static uint8_t big[ENGINE_STREAM_CAP + 1002];
	uint8_t msg[512];
	size_t len = dns_response(msg + 2, "c2.good.example", a, 1), off;
	struct pktbuf pb;
	struct decision d;

	(void)state;
	msg[0] = (uint8_t)(len >> 8);
	msg[1] = (uint8_t)len;
	memset(big, 0x41, sizeof(big));
	big[0] = (uint8_t)((sizeof(big) - 2) >> 8);
	big[1] = (uint8_t)((sizeof(big) - 2) & 0xff);
	/* inside the message, past the buffer: a complete planted message */
	memcpy(big + ENGINE_STREAM_CAP, msg, len + 2);
	tcp(&pb, CAM, ROUTER, 40000, 53, TCPF_SYN, 100, NULL, 0);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_SYN | TCPF_ACK, 700, NULL, 0);
	run(f, &pb, NULL, &d);
	for (off = 0; off < sizeof(big); off += 1024) {
		size_t n = sizeof(big) - off < 1024 ? sizeof(big) - off : 1024;

		tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_ACK, 701 + (uint32_t)off, big + off, n);
		run(f, &pb, NULL, &d);
	}
	assert_int_equal(engine_names_stats(f->e)->learned, 0);
	assert_int_equal(engine_stats(f->e)->snooped, 1 + (sizeof(big) + 1023) / 1024);
	fx_free(f);
}

/* A DNS-over-TCP answer for q of n A records 198.51.100.(i % 256) / 10.i, prefix included. */
static size_t big_answer(uint8_t *b, const char *q, unsigned int n)
{
	size_t o = 2 + 12;

	memset(b, 0, o);
	b[2] = 0x12;
	b[3] = 0x34;
	b[4] = 0x81;
	b[5] = 0x80;
	b[7] = 1;
	b[8] = (uint8_t)(n >> 8);
	b[9] = (uint8_t)n;
	o += put_name(b + o, q);
	memcpy(b + o, "\0\1\0\1", 4);
	o += 4;
	for (unsigned int i = 0; i < n; i++) {
		static const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4 };

		memcpy(b + o, rr, sizeof(rr));
		o += sizeof(rr);
		b[o++] = (uint8_t)(i < 256 ? 198 : 10);
		b[o++] = (uint8_t)(i < 256 ? 51 : i >> 8);
		b[o++] = (uint8_t)(i < 256 ? 100 : i >> 4);
		b[o++] = (uint8_t)i;
	}
	b[0] = (uint8_t)((o - 2) >> 8);
	b[1] = (uint8_t)(o - 2);
	return o;
}

/*
 * Send a stream of len bytes from the router's port 53 to port of the
 * camera at cam (a Hikvision MAC), 1 KiB a segment, on a connection the
 * camera opened (decided at its SYN under POLICY_BASIC).
 */
static void send_stream_to(struct fixture *f, const uint8_t *cam, uint16_t port, const uint8_t *b,
			   size_t len)
{
	struct pktbuf pb;
	struct decision d;

	tcp(&pb, cam, ROUTER, port, 53, TCPF_SYN, 100, NULL, 0);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, ROUTER, cam, 53, port, TCPF_SYN | TCPF_ACK, 700, NULL, 0);
	run(f, &pb, NULL, &d);
	for (size_t off = 0; off < len; off += 1024) {
		size_t n = len - off < 1024 ? len - off : 1024;

		tcp(&pb, ROUTER, cam, 53, port, TCPF_ACK, 701 + (uint32_t)off, b + off, n);
		run(f, &pb, NULL, &d);
	}
}

static void send_stream(struct fixture *f, uint16_t port, const uint8_t *b, size_t len)
{
	send_stream_to(f, CAM, port, b, len);
}

/* An answer of 60 KiB over TCP, far over the hello buffer: every address learned. */
static void test_tcp_dns_64k_answer(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	static uint8_t big[2 + DNS_MSG_MAX];
	size_t len = big_answer(big, "c2.ezvizlife.com", 3800);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	assert_true(len > 60000);
	send_stream(f, 40000, big, len);
	assert_int_equal(engine_names_stats(f->e)->learned, 3800);
	assert_int_equal(engine_stats(f->e)->dns_unread, 0);
	/* the last address is the vendor's */
	static const uint8_t last[16] = { 10, 3799 >> 8, (3799 >> 4) & 0xff, 3799 & 0xff };

	tcp(&pb, CAM, last, 41000, 443, TCPF_SYN, 1, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	fx_free(f);
}

/*
 * Answer streams with a message in flight at once are bounded, per device
 * and in all; past the bounds a stream is not read, and when all are
 * taken, one held past the grace time gives way to another device's.
 */
static void test_tcp_dns_streams_bounded(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	static uint8_t big[2 + DNS_MSG_MAX];
	size_t len = big_answer(big, "c2.ezvizlife.com", 1);
	uint8_t cam[4] = { 192, 168, 1, 100 };
	unsigned int i;

	(void)state;
	/* one device: ENGINE_DNS_STREAMS_DEVICE streams with half an answer each */
	for (i = 0; i < ENGINE_DNS_STREAMS_DEVICE; i++)
		send_stream(f, (uint16_t)(30000 + i), big, 10);
	assert_int_equal(engine_stats(f->e)->dns_unread, 0);
	send_stream(f, 31000, big, len);
	assert_int_equal(engine_stats(f->e)->dns_unread, 1);
	assert_int_equal(engine_names_stats(f->e)->learned, 0);
	/* other devices' are read, until all ENGINE_DNS_STREAMS are taken */
	for (i = ENGINE_DNS_STREAMS_DEVICE; i < ENGINE_DNS_STREAMS; i++) {
		cam[3] = (uint8_t)(100 + i / ENGINE_DNS_STREAMS_DEVICE);
		send_stream_to(f, cam, (uint16_t)(32000 + i), big, 10);
	}
	assert_int_equal(engine_stats(f->e)->dns_unread, 1);
	cam[3] = 200;
	send_stream_to(f, cam, 33000, big, len);
	assert_int_equal(engine_stats(f->e)->dns_unread, 2);
	assert_int_equal(engine_names_stats(f->e)->learned, 0);
	/* past the grace time the oldest gives way: the new stream is read */
	f->now += ENGINE_DNS_STREAM_GRACE;
	send_stream_to(f, cam, 33001, big, len);
	assert_int_equal(engine_stats(f->e)->dns_unread, 3);
	assert_int_equal(engine_names_stats(f->e)->learned, 1);
	fx_free(f);
}

/* A stream with nothing in flight gives its buffer back: retransmissions or a FIN keep none. */
static void test_tcp_dns_buffers_given_back(void **state)
{
	struct fixture *f = fx_new(POLICY_BASIC);
	static uint8_t big[2 + DNS_MSG_MAX];
	size_t len = big_answer(big, "c2.ezvizlife.com", 1);
	struct pktbuf pb;
	struct decision d;
	unsigned int i;

	(void)state;
	/* many more streams than the bound, each a whole answer and then its copy */
	for (i = 0; i < 2 * ENGINE_DNS_STREAMS; i++) {
		send_stream(f, (uint16_t)(30000 + i), big, len);
		tcp(&pb, ROUTER, CAM, 53, (uint16_t)(30000 + i), TCPF_ACK, 701, big, len);
		run(f, &pb, NULL, &d);
	}
	assert_int_equal(engine_stats(f->e)->dns_unread, 0);
	/* one ended by the server is read no more */
	send_stream(f, 40000, big, 10);
	tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_ACK | TCPF_FIN, 711, NULL, 0);
	run(f, &pb, NULL, &d);
	tcp(&pb, ROUTER, CAM, 53, 40000, TCPF_ACK, 711, big + 10, len - 10);
	run(f, &pb, NULL, &d);
	assert_int_equal(engine_stats(f->e)->dns_unread, 0);
	/* the answers learned: one address, learned again each time */
	assert_int_equal(engine_names_stats(f->e)->entries, 1);
	fx_free(f);
}

/*
 * DNS over TCP to a WAN resolver, on a connection that waits for its
 * verdict (a domain rule could match a name it sends): the answer is
 * learned, and is also the server's acknowledgement the flow waits for.
 */
static void test_tcp_dns_on_a_waiting_flow(void **state)
{
	struct fixture *f = fx_new(
		NETWORKS
		"rules = (\n"
		"  { name = \"fw\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; },\n"
		"  { name = \"out\"; to = \"wan\"; action = \"allow\"; }\n"
		");\n");
	static uint8_t ans[2 + DNS_MSG_MAX];
	size_t alen = big_answer(ans, "c2.ezvizlife.com", 8);
	uint8_t q[300];
	size_t qlen = craft_dns_query(q + 2, "c2.ezvizlife.com");
	struct pktbuf pb;
	struct decision d;

	(void)state;
	q[0] = (uint8_t)(qlen >> 8);
	q[1] = (uint8_t)qlen;
	tcp(&pb, CAM, CLOUD2, 40600, 53, TCPF_SYN, 100, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CLOUD2, CAM, 53, 40600, TCPF_SYN | TCPF_ACK, 700, NULL, 0);
	run(f, &pb, NULL, &d);
	tcp(&pb, CAM, CLOUD2, 40600, 53, TCPF_ACK | TCPF_PSH, 101, q, qlen + 2);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	/* the answer, acknowledging the query: learned, and the flow let pass */
	tcp(&pb, CLOUD2, CAM, 53, 40600, TCPF_ACK | TCPF_PSH, 701, ans, alen);
	pb.p.tcp_ack = 101 + (uint32_t)qlen + 2;
	assert_int_equal(run(f, &pb, NULL, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "out");
	assert_int_equal(engine_names_stats(f->e)->learned, 8);
	/* the vendor's address carries its name */
	syn(&pb, CLOUD, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	fx_free(f);
}

/*
 * A DNS answer to a device that cannot be read: for a while its flows to
 * addresses with no name learned are unknown (they may go to an address
 * that answer gave), whatever name they send; after the while, not.
 */
static void test_unreadable_answer_doubts_the_device(void **state)
{
	struct fixture *f = fx_new(
		NETWORKS
		"name_ttl_floor = 60;\n"
		"rules = (\n"
		"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; "
		"action = \"allow\"; },\n"
		"  { name = \"fw\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; },\n"
		"  { name = \"out\"; to = \"wan\"; action = \"allow\"; }\n"
		");\n");
	const struct rr a[] = { { "c2.ezvizlife.com", DNS_TYPE_A, 300, NULL, CLOUD } };
	uint8_t q[300], msg[512];
	size_t qlen = craft_dns_query(q, "c2.ezvizlife.com");
	size_t len = dns_response(msg, "c2.ezvizlife.com", a, 1);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	udp(&pb, CAM, CLOUD2, 40700, 9, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "out");
	/* the camera asks; the answer comes cut short (a record with a bad length) */
	udp(&pb, CAM, ROUTER, 40000, 53, q, qlen);
	run(f, &pb, CAM_MAC, &d);
	msg[len - 5] = 5; /* the A record's rdlength: 5, one byte more than there is */
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	assert_int_equal(run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d), ENGINE_SNOOPED);
	assert_int_equal(engine_names_stats(f->e)->learned, 0);
	/* a nameless flow now: unknown, dropped by the domain rule */
	udp(&pb, CAM, CLOUD, 40701, 9, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	assert_int_equal(d.name_source, NAME_UNREADABLE);
	assert_string_equal(d.note, "a DNS answer to the device could not be read");
	/* a harmless server name does not clear it */
	{
		uint8_t hello[600];
		size_t n = craft_client_hello(hello, "www.example.org");

		tcp(&pb, CAM, CLOUD, 41700, 443, TCPF_SYN, 1000, NULL, 0);
		run(f, &pb, CAM_MAC, &d);
		tcp(&pb, CAM, CLOUD, 41700, 443, TCPF_ACK | TCPF_PSH, 1001, hello, n);
		run(f, &pb, CAM_MAC, &d);
		assert_string_equal(d.rule->name, "fw");
		assert_int_equal(d.name_source, NAME_UNREADABLE);
	}
	/* the doubt is the device's, for as long as a name would live */
	f->now += 61 * 1000;
	udp(&pb, CAM, CLOUD, 40702, 9, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "out");
	fx_free(f);
}

static int finish_rule_is_egress;

static void on_finish_expired(const struct decision *d, const struct engine_flow_key *k,
			      const struct device_key *dev, void *arg)
{
	(void)k;
	(void)dev;
	(void)arg;
	/* still waiting at the end: unknown, so the first rule that drops by name */
	finish_rule_is_egress = d->rule && !strcmp(d->rule->name, "cloud") && !d->has_name &&
				d->name_source == NAME_UNREADABLE && d->note &&
				!strcmp(d->note, "still waiting when the capture ended");
}

static void test_finish_and_clock(void **state)
{
	struct fixture *f = fx_new(POLICY_GOOD);
	const struct rr a[] = { { "x.ezvizlife.com", DNS_TYPE_A, 1, NULL, CLOUD } };
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* names expired by the end of the capture no longer decide */
	resolve(f, "x.ezvizlife.com", a, 1);
	syn(&pb, CLOUD2, 41000, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	f->now += 3600 * 1000;
	finish_rule_is_egress = 0;
	engine_finish(f->e, f->now, on_finish_expired, NULL);
	assert_true(finish_rule_is_egress);

	/* a clock stepping back does not end a wait */
	syn(&pb, CLOUD2, 41001, 443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	f->now -= 1;
	tcp(&pb, CAM, CLOUD2, 41001, 443, TCPF_ACK, 1001, NULL, 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	fx_free(f);
}

static void test_long_cname_chain(void **state)
{
	struct fixture *f = fx_new(POLICY_GOOD);
	const struct rr rrs[] = {
		{ "q.example.org", DNS_TYPE_CNAME, 60, "c1.example.org", NULL },
		{ "c1.example.org", DNS_TYPE_CNAME, 60, "c2.example.org", NULL },
		{ "c2.example.org", DNS_TYPE_CNAME, 60, "c3.example.org", NULL },
		{ "c3.example.org", DNS_TYPE_CNAME, 60, "x.ezvizlife.com", NULL },
		{ "x.ezvizlife.com", DNS_TYPE_A, 60, NULL, CLOUD },
	};
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* five names, four kept: the question and the record's owner stay */
	resolve(f, "q.example.org", rrs, 5);
	udp(&pb, CAM, CLOUD, 41000, 9999, "x", 1);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "cloud");
	assert_string_equal(d.name.s, "x.ezvizlife.com");
	udp(&pb, CAM, CLOUD, 41001, 9999, "x", 1);
	fx_free(f);
}

static void test_shared_between_queues(void **state)
{
	struct policy *p = policy_of_text(POLICY_BASIC);
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *qa = engine_new_shared(p, 0, sh), *qb = engine_new_shared(p, 0, sh);
	const struct rr a[] = { { "litedev.ezvizlife.com", DNS_TYPE_A, 300, NULL, CLOUD } };
	struct engine_input in = { .has_mac = true, .now = 1000 };
	uint8_t msg[600];
	size_t len = dns_response(msg, "litedev.ezvizlife.com", a, 1);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	assert_non_null(qa);
	assert_non_null(qb);
	/* the query and its answer hash to queue a, the camera's SYN to queue b */
	memcpy(in.mac, CAM_MAC, 6);
	udp(&pb, CAM, ROUTER, 40000, 53, msg + 300,
	    craft_dns_query(msg + 300, "litedev.ezvizlife.com"));
	in.pkt = &pb.p;
	engine_packet(qa, &in, &d);
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	memcpy(in.mac, "\x02\xaa\xaa\xaa\xaa\xaa", 6);
	assert_int_equal(engine_packet(qa, &in, &d), ENGINE_SNOOPED);
	syn(&pb, CLOUD, 41000, 443);
	memcpy(in.mac, CAM_MAC, 6);
	assert_int_equal(engine_packet(qb, &in, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "fw");
	assert_int_equal(d.name_source, NAME_DNS);
	engine_free(qa);
	engine_free(qb);
	engine_shared_free(sh);
	policy_free(p);
}

static void test_names_belong_to_the_mac(void **state)
{
	static const uint8_t cam6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x64 };
	static const uint8_t cloud6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, [15] = 7 };
	struct fixture *f = fx_new(POLICY_BASIC);
	const struct rr aaaa[] = { { "litedev.ezvizlife.com", DNS_TYPE_AAAA, 300, NULL, cloud6 } };
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* the AAAA answer comes over IPv4 ... */
	resolve(f, "litedev.ezvizlife.com", aaaa, 1);
	/* ... the connection from the camera's global IPv6 address, outside lan */
	assert_int_equal(craft_syn6(&pb, cam6, cloud6, 41000, 443, 1000), 0);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.rule->name, "fw");
	assert_string_equal(d.name.s, "litedev.ezvizlife.com");
	assert_int_equal(d.name_source, NAME_DNS);
	fx_free(f);
}

static void test_flood_keeps_the_vendor_name(void **state)
{
	static const char policy[] = NETWORKS
		"limits = { names = 16; };\n"
		"rules = (\n"
		"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; action = \"allow\"; },\n"
		"  { name = \"fw\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; },\n"
		"  { name = \"out\"; to = \"wan\"; action = \"allow\"; }\n"
		");\n";
	struct fixture *f = fx_new(policy);
	const struct rr a[] = { { "litedev.ezvizlife.com", DNS_TYPE_A, 300, NULL, CLOUD } };
	struct pktbuf pb;
	struct decision d;
	uint8_t srv[4] = { 203, 0, 113, 0 };
	char q[40];

	(void)state;
	resolve(f, "litedev.ezvizlife.com", a, 1);
	/* the camera floods the cache with answers for names of its own */
	for (int i = 0; i < 100; i++) {
		struct rr r = { q, DNS_TYPE_A, 300, NULL, srv };

		snprintf(q, sizeof(q), "f%d.flood.example", i);
		srv[3] = (uint8_t)i;
		resolve(f, q, &r, 1);
	}
	/* then goes to the vendor's address by it alone: still the vendor's name */
	syn(&pb, CLOUD, 41000, 8666);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_int_equal(d.action, ACTION_DROP);
	assert_string_equal(d.name.s, "litedev.ezvizlife.com");
	fx_free(f);
}

static void test_answers_must_match_a_query(void **state)
{
	static const char policy[] = NETWORKS
		"rules = (\n"
		"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; action = \"allow\"; },\n"
		"  { name = \"ok\"; domain = [ \"*.good.example\" ]; action = \"allow\"; },\n"
		"  { name = \"egress\"; to = \"wan\"; action = \"reject\"; }\n"
		");\n";
	struct fixture *f = fx_new(policy);
	const struct rr a[] = { { "c2.good.example", DNS_TYPE_A, 300, NULL, CLOUD } };
	uint8_t q[300], msg[512];
	size_t qlen = craft_dns_query(q, "c2.good.example");
	size_t len = dns_response(msg, "c2.good.example", a, 1);
	struct pktbuf pb;
	struct decision d;

	(void)state;
	/* unsolicited, before the camera is known: not even snooped */
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d);
	/* asked, but the answer comes to another port, from another server, with another ID */
	udp(&pb, CAM, ROUTER, 40000, 53, q, qlen);
	run(f, &pb, CAM_MAC, &d);
	udp(&pb, ROUTER, CAM, 53, 40001, msg, len);
	run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d);
	udp(&pb, CLOUD2, CAM, 53, 40000, msg, len);
	run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d);
	msg[1] ^= 1;
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d);
	msg[1] ^= 1;
	assert_int_equal(engine_stats(f->e)->dns_unmatched, 3);
	/* none of them taught the name: the raw-address flow is not allowed by it */
	tcp(&pb, CAM, CLOUD, 41000, 8443, TCPF_SYN, 1000, NULL, 0);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, CAM, CLOUD, 41000, 8443, TCPF_ACK | TCPF_PSH, 1001, "x\r\n", 3);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "egress");
	/* the answer to the query: learned, once */
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	assert_int_equal(run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d), ENGINE_SNOOPED);
	assert_int_equal(engine_stats(f->e)->dns_unmatched, 3);
	udp(&pb, ROUTER, CAM, 53, 40000, msg, len);
	run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d);
	assert_int_equal(engine_stats(f->e)->dns_unmatched, 4);
	/* allowed by the DNS name once the flow sends none of its own */
	syn(&pb, CLOUD, 41001, 8443);
	assert_int_equal(run(f, &pb, CAM_MAC, &d), ENGINE_PENDING);
	tcp(&pb, CAM, CLOUD, 41001, 8443, TCPF_ACK | TCPF_PSH, 1001, "x\r\n", 3);
	run(f, &pb, CAM_MAC, &d);
	tcp(&pb, CLOUD, CAM, 8443, 41001, TCPF_ACK, 5000, NULL, 0);
	pb.p.tcp_ack = 1004;
	assert_int_equal(run(f, &pb, "\x02\xaa\xaa\xaa\xaa\xaa", &d), ENGINE_DECIDED);
	assert_string_equal(d.rule->name, "ok");
	assert_string_equal(d.name.s, "c2.good.example");
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_match_and_not_device),
		cmocka_unit_test(test_found_device),
		cmocka_unit_test(test_dns_learned_name_decides_at_syn),
		cmocka_unit_test(test_names_belong_to_the_mac),
		cmocka_unit_test(test_answers_must_match_a_query),
		cmocka_unit_test(test_flood_keeps_the_vendor_name),
		cmocka_unit_test(test_cname_chain_and_poisoning),
		cmocka_unit_test(test_reported_name_is_chain_head),
		cmocka_unit_test(test_ttl_floor),
		cmocka_unit_test(test_late_sni_split_hello),
		cmocka_unit_test(test_blocked_dns_name_with_harmless_sni),
		cmocka_unit_test(test_sent_name_decides_the_allow),
		cmocka_unit_test(test_http_host_late),
		cmocka_unit_test(test_same_action_decides_at_once),
		cmocka_unit_test(test_pending_bounds),
		cmocka_unit_test(test_finish_decides_waiting),
		cmocka_unit_test(test_flow_and_name_bounds),
		cmocka_unit_test(test_tcp_dns_answer_snooped),
		cmocka_unit_test(test_engine_decide),
		cmocka_unit_test(test_camera_cannot_forge_answers),
		cmocka_unit_test(test_synack_to_wan_is_decided),
		cmocka_unit_test(test_tcp_dns_message_inside_not_read),
		cmocka_unit_test(test_tcp_dns_64k_answer),
		cmocka_unit_test(test_tcp_dns_streams_bounded),
		cmocka_unit_test(test_tcp_dns_buffers_given_back),
		cmocka_unit_test(test_tcp_dns_on_a_waiting_flow),
		cmocka_unit_test(test_unreadable_answer_doubts_the_device),
		cmocka_unit_test(test_finish_and_clock),
		cmocka_unit_test(test_long_cname_chain),
		cmocka_unit_test(test_shared_between_queues),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
