/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_policy.c - the policy compiler: a full policy, every error it can
 * report (as "FILE:LINE: message"), @include, limits and policy_identify.
 * Each test writes its files into a fresh directory under /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "policy/policy.h"

/* The registry every test directory holds, in Wireshark's manuf format. */
static const char registry_text[] =
	"# a few blocks\n"
	"44:47:CC\tHangzhou\tHangzhou Hikvision Digital Technology Co.,Ltd.\n"
	"08:ED:ED\tZhejiang\tZhejiang Dahua Technology Co., Ltd.\n"
	"00:1B:C5:00:00:00/36\tX\tSomething Else\n";

struct fixture {
	char dir[64];
};

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];
	char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(buf, 0700);
		*s = '/';
	}
}

static void path_of(const struct fixture *f, const char *rel, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", f->dir, rel);
}

static void write_file(const struct fixture *f, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	path_of(f, rel, path);
	mkdirs(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* s with every "{D}" replaced by the test directory; the caller frees it. */
static char *with_dir(const struct fixture *f, const char *s)
{
	size_t dl = strlen(f->dir), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, "{D}")); p += 3)
		n++;
	out = malloc(strlen(s) + n * dl + 1);
	assert_non_null(out);
	for (o = out; *s;) {
		if (!strncmp(s, "{D}", 3)) {
			memcpy(o, f->dir, dl);
			o += dl;
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nfqg-policy-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	write_file(f, "reg.manuf", registry_text);
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int r = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(f);
	return r;
}

static void print_errors(const struct policy_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		print_message("  got: %s\n", e->lines[i]);
	if (e->dropped)
		print_message("  (%zu dropped)\n", e->dropped);
}

/* Load rel, which must compile; the caller frees the policy. */
static struct policy *load_ok(const struct fixture *f, const char *rel)
{
	char path[PATH_MAX];
	struct policy_errors e;
	struct policy *p;

	path_of(f, rel, path);
	p = policy_load(path, &e);
	if (!p || e.n) {
		print_errors(&e);
		policy_free(p);
		policy_errors_clear(&e);
		fail_msg("%s did not compile cleanly", rel);
	}
	policy_errors_clear(&e);
	return p;
}

/* The case being checked, named when it fails. */
static const char *case_name = "";

/*
 * Load rel, which must fail with exactly the errors in expect (NULL
 * terminated).  An expected line without "{D}" is relative to p.conf:
 * "3: msg" means "DIR/p.conf:3: msg".
 */
static void expect_errors_in(const struct fixture *f, const char *rel, const char *const *expect)
{
	char path[PATH_MAX];
	struct policy_errors e;
	struct policy *p;
	size_t n, i;
	bool ok;

	path_of(f, rel, path);
	p = policy_load(path, &e);
	for (n = 0; expect[n]; n++)
		;
	ok = !p && e.n == n && e.dropped == 0;
	for (i = 0; ok && i < n; i++) {
		char *want, *full;

		if (strstr(expect[i], "{D}")) {
			want = with_dir(f, expect[i]);
		} else {
			full = NULL;
			assert_true(asprintf(&full, "{D}/p.conf:%s", expect[i]) > 0);
			want = with_dir(f, full);
			free(full);
		}
		if (strcmp(want, e.lines[i])) {
			print_message("  want: %s\n", want);
			ok = false;
		}
		free(want);
	}
	if (!ok) {
		print_message("%s%s%s: expected %zu error(s):\n", case_name, *case_name ? ": " : "",
			      rel, n);
		for (i = 0; i < n; i++)
			print_message("  want: %s\n", expect[i]);
		print_errors(&e);
	}
	policy_free(p);
	policy_errors_clear(&e);
	if (!ok)
		fail_msg("%s: errors differ", rel);
}

static void expect_errors(const struct fixture *f, const char *text, const char *const *expect)
{
	write_file(f, "p.conf", text);
	expect_errors_in(f, "p.conf", expect);
}

/* --- a valid policy -------------------------------------------------------- */

static const char full_policy[] =
	"# a camera network\n"
	"version = 1;\n"
	"mode = \"enforce\";\n"
	"default = \"drop\";\n"
	"vendors = { registry = [ \"reg.manuf\" ]; };\n"
	"networks = {\n"
	"\tlan = [ \"192.168.1.0/24\", \"fd00::/64\" ];\n"
	"\trouter = \"192.168.1.1\";\n"
	"\tcloud = [ \"203.0.113.0/24\", \"2001:db8:1::/48\", \"198.51.100.7\" ];\n"
	"};\n"
	"devices = (\n"
	"\t{ name = \"hik\"; vendor = [ \"hikvision\", \"DAHUA\" ]; },\n"
	"\t{ name = \"doorbell\";\n"
	"\t  mac = [ \"44:47:cc:00:00:01\", \"02-00-00-00-00-09\" ];\n"
	"\t  oui = [ \"08:ED:ED\", \"00:1b:c5:00:0/36\", \"44:47:CC:0/28\" ]; },\n"
	"\t{ name = \"nvr\"; ip = [ \"192.168.1.10\", \"fd00::10/128\" ]; iface = \"eth1\"; },\n"
	"\t{ name = \"odd\"; vendor = \"something else\"; iface = [ \"eth2\", \"wlan0\" ]; }\n"
	");\n"
	"rules = (\n"
	"\t{ name = \"dns\"; from = [ \"hik\", \"doorbell\" ]; to = \"router\";\n"
	"\t  proto = \"udp\"; port = [ 53, 123 ]; action = \"allow\"; },\n"
	"\t{ name = \"video\"; from = \"nvr\"; to = \"lan\"; proto = \"tcp\";\n"
	"\t  port = [ \"8000-8100\" ]; action = \"allow\"; log = false; },\n"
	"\t{ name = \"mixed\"; from = \"*\"; to = [ \"wan\" ]; proto = \"tcp\";\n"
	"\t  port = ( 53, \"8000-8100\" ); action = \"reject\"; log = true; },\n"
	"\t{ name = \"https\"; from = \"odd\"; to = [ \"203.0.113.0/24\", \"2001:db8::/32\" ];\n"
	"\t  proto = \"tcp\"; port = 443; action = \"allow\"; },\n"
	"\t{ name = \"alt\"; from = [ \"hik\", \"nvr\" ]; to = [ \"cloud\", \"wan\", \"10.1.2.3\" ];\n"
	"\t  proto = \"any\"; port = \"8080\"; action = \"log\"; },\n"
	"\t{ name = \"cloud\"; from = \"hik\"; to = \"wan\"; proto = \"tcp\"; port = 443;\n"
	"\t  domain = [ \"*.EZVIZLife.com\", \"ntp.org.\", \"NTP.org\", \"_srv.example.net\" ];\n"
	"\t  action = \"allow\"; log = true; },\n"
	"\t{ name = \"ping\"; from = [ \"*\" ]; to = \"*\"; proto = \"icmp\"; action = \"drop\"; },\n"
	"\t{ action = \"log\"; }\n"
	");\n";

static void assert_cidr(const struct cidr *c, const char *text)
{
	char buf[CIDR_STR_MAX];

	cidr_format(c, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static void assert_prefix(const struct group_prefix *g, enum match_kind kind, const char *text)
{
	char buf[OUI_STR_MAX];

	oui_format(&g->prefix, buf, sizeof(buf));
	assert_string_equal(buf, text);
	assert_int_equal(g->kind, kind);
}

static struct name name_of(const char *s)
{
	struct name n;

	assert_int_equal(name_set(&n, (const uint8_t *)s, strlen(s)), 0);
	return n;
}

static void test_full_policy(void **state)
{
	struct fixture *f = *state;
	const struct device_group *g;
	const struct rule *r;
	struct policy *p;
	struct name n;

	write_file(f, "p.conf", full_policy);
	p = load_ok(f, "p.conf");

	assert_false(p->monitor);
	assert_int_equal(p->dflt, ACTION_DROP);
	assert_false(p->dflt_log);
	assert_int_equal(p->name_ttl_floor, 3600);
	assert_int_equal(p->max_names, 16384);
	assert_int_equal(p->max_devices, 4096);
	assert_int_equal(p->max_flows, 4096);
	assert_int_equal(p->pending_packets, 16);
	assert_int_equal(p->pending_seconds, 5);
	assert_int_equal(p->nregistry, 3);
	assert_non_null(strstr(p->path, "/p.conf"));

	/* networks */
	assert_int_equal(p->nnetworks, 3);
	assert_non_null(p->lan);
	assert_non_null(p->router);
	assert_string_equal(p->lan->name, "lan");
	assert_int_equal(p->lan->ncidrs, 2);
	assert_cidr(&p->lan->cidrs[0], "192.168.1.0/24");
	assert_cidr(&p->lan->cidrs[1], "fd00::/64");
	assert_string_equal(p->router->name, "router");
	assert_int_equal(p->router->ncidrs, 1);
	assert_cidr(&p->router->cidrs[0], "192.168.1.1/32");
	assert_string_equal(p->networks[2].name, "cloud");
	assert_int_equal(p->networks[2].ncidrs, 3);

	/* devices */
	assert_int_equal(p->ndevices, 4);
	g = &p->devices[0];
	assert_string_equal(g->name, "hik");
	assert_int_equal(g->line, 12);
	assert_int_equal(g->nprefixes, 2);
	assert_int_equal(g->nvendor_prefixes, 2);
	/* sorted by address: 08:ed:ed before 44:47:cc */
	assert_prefix(&g->prefixes[0], MATCH_VENDOR, "08:ed:ed");
	assert_string_equal(g->prefixes[0].org, "Zhejiang Dahua Technology Co., Ltd.");
	assert_string_equal(g->prefixes[0].needle, "DAHUA");
	assert_prefix(&g->prefixes[1], MATCH_VENDOR, "44:47:cc");
	assert_string_equal(g->prefixes[1].org, "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	assert_string_equal(g->prefixes[1].needle, "hikvision");
	assert_int_equal(g->nips, 0);
	assert_int_equal(g->nifaces, 0);

	g = &p->devices[1];
	assert_string_equal(g->name, "doorbell");
	assert_int_equal(g->line, 13);
	assert_int_equal(g->nprefixes, 5);
	assert_int_equal(g->nvendor_prefixes, 0);
	assert_prefix(&g->prefixes[0], MATCH_OUI, "00:1b:c5:00:00:00/36");
	assert_prefix(&g->prefixes[1], MATCH_MAC, "02:00:00:00:00:09");
	assert_prefix(&g->prefixes[2], MATCH_OUI, "08:ed:ed");
	assert_prefix(&g->prefixes[3], MATCH_OUI, "44:47:cc:00:00:00/28");
	assert_prefix(&g->prefixes[4], MATCH_MAC, "44:47:cc:00:00:01");
	assert_int_equal(g->prefixes[0].prefix.bits, 36);
	assert_int_equal(g->prefixes[4].prefix.bits, 48);
	assert_null(g->prefixes[4].org);
	assert_null(g->prefixes[4].needle);

	g = &p->devices[2];
	assert_string_equal(g->name, "nvr");
	assert_int_equal(g->nprefixes, 0);
	assert_int_equal(g->nips, 2);
	assert_cidr(&g->ips[0], "192.168.1.10/32");
	assert_cidr(&g->ips[1], "fd00::10/128");
	assert_int_equal(g->nifaces, 1);
	assert_string_equal(g->ifaces[0], "eth1");

	g = &p->devices[3];
	assert_string_equal(g->name, "odd");
	assert_int_equal(g->nprefixes, 1);
	assert_int_equal(g->nvendor_prefixes, 1);
	assert_prefix(&g->prefixes[0], MATCH_VENDOR, "00:1b:c5:00:00:00/36");
	assert_string_equal(g->prefixes[0].org, "Something Else");
	assert_string_equal(g->prefixes[0].needle, "something else");
	assert_int_equal(g->nifaces, 2);
	assert_string_equal(g->ifaces[1], "wlan0");

	/* rules */
	assert_int_equal(p->nrules, 8);
	r = &p->rules[0];
	assert_string_equal(r->name, "dns");
	assert_int_equal(r->line, 20);
	assert_false(r->from_any);
	assert_int_equal(r->from, 0x3);
	assert_int_equal(r->to_flags, 0);
	assert_int_equal(r->nto, 1);
	assert_cidr(&r->to[0], "192.168.1.1/32");
	assert_int_equal(r->proto, IPPROTO_NUM_UDP);
	assert_int_equal(r->nports, 2);
	assert_int_equal(r->ports[0].lo, 53);
	assert_int_equal(r->ports[0].hi, 53);
	assert_int_equal(r->ports[1].lo, 123);
	assert_int_equal(r->ports[1].hi, 123);
	assert_null(r->domains);
	assert_int_equal(r->action, ACTION_ALLOW);
	assert_false(r->log);

	r = &p->rules[1];
	assert_string_equal(r->name, "video");
	assert_int_equal(r->from, 0x4);
	assert_int_equal(r->nto, 2);
	assert_cidr(&r->to[0], "192.168.1.0/24");
	assert_cidr(&r->to[1], "fd00::/64");
	assert_int_equal(r->proto, IPPROTO_NUM_TCP);
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 8000);
	assert_int_equal(r->ports[0].hi, 8100);
	assert_false(r->log);

	r = &p->rules[2];
	assert_string_equal(r->name, "mixed");
	assert_true(r->from_any);
	assert_int_equal(r->from, 0);
	assert_int_equal(r->to_flags, TO_WAN);
	assert_int_equal(r->nto, 0);
	assert_int_equal(r->nports, 2);
	assert_int_equal(r->ports[0].lo, 53);
	assert_int_equal(r->ports[0].hi, 53);
	assert_int_equal(r->ports[1].lo, 8000);
	assert_int_equal(r->ports[1].hi, 8100);
	assert_int_equal(r->action, ACTION_REJECT);
	assert_true(r->log);

	r = &p->rules[3];
	assert_int_equal(r->from, 0x8);
	assert_int_equal(r->nto, 2);
	assert_cidr(&r->to[0], "203.0.113.0/24");
	assert_cidr(&r->to[1], "2001:db8::/32");
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 443);
	assert_int_equal(r->ports[0].hi, 443);

	r = &p->rules[4];
	assert_int_equal(r->from, 0x5);
	assert_int_equal(r->to_flags, TO_WAN);
	assert_int_equal(r->nto, 4);
	assert_cidr(&r->to[0], "203.0.113.0/24");
	assert_cidr(&r->to[1], "2001:db8:1::/48");
	assert_cidr(&r->to[2], "198.51.100.7/32");
	assert_cidr(&r->to[3], "10.1.2.3/32");
	assert_int_equal(r->proto, 0);
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 8080);
	assert_int_equal(r->ports[0].hi, 8080);
	assert_int_equal(r->action, ACTION_LOG);

	r = &p->rules[5];
	assert_string_equal(r->name, "cloud");
	assert_int_equal(r->line, 30);
	assert_non_null(r->domains);
	assert_int_equal(domain_set_count(r->domains), 3);
	n = name_of("upgrade.ezvizlife.com");
	assert_string_equal(domain_set_match(r->domains, &n), "*.ezvizlife.com");
	n = name_of("ntp.org");
	assert_string_equal(domain_set_match(r->domains, &n), "ntp.org");
	n = name_of("pool.ntp.org");
	assert_null(domain_set_match(r->domains, &n));
	assert_true(r->log);
	assert_int_equal(p->ndomains, 3);

	r = &p->rules[6];
	assert_true(r->from_any);
	assert_int_equal(r->to_flags, TO_ANY);
	assert_int_equal(r->proto, IPPROTO_NUM_ICMP);
	assert_int_equal(r->nports, 0);
	assert_int_equal(r->action, ACTION_DROP);

	/* no name, no from, no to: any to any */
	r = &p->rules[7];
	assert_string_equal(r->name, "rule8");
	assert_true(r->from_any);
	assert_int_equal(r->to_flags, TO_ANY);
	assert_int_equal(r->proto, 0);
	assert_int_equal(r->nports, 0);
	assert_null(r->domains);
	assert_int_equal(r->action, ACTION_LOG);

	policy_free(p);
}

static void test_settings(void **state)
{
	struct fixture *f = *state;
	struct policy *p;

	write_file(
		f, "p.conf",
		"version = 1;\n"
		"mode = \"monitor\";\n"
		"default = \"allow\";\n"
		"default_log = true;\n"
		"name_ttl_floor = 60;\n"
		"limits = { names = 16; flows = 1048576; pending_packets = 64; devices = 65536;\n"
		"\tpending_seconds = 1; };\n"
		"rules = ( );\n");
	p = load_ok(f, "p.conf");
	assert_true(p->monitor);
	assert_int_equal(p->dflt, ACTION_ALLOW);
	assert_true(p->dflt_log);
	assert_int_equal(p->name_ttl_floor, 60);
	assert_int_equal(p->max_names, 16);
	assert_int_equal(p->max_devices, 65536);
	assert_int_equal(p->max_flows, 1048576);
	assert_int_equal(p->pending_packets, 64);
	assert_int_equal(p->pending_seconds, 1);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->ndevices, 0);
	assert_null(p->lan);
	assert_null(p->router);
	assert_null(p->registry);
	policy_free(p);

	/* no vendors group, but the registry is asked for: it loads empty */
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "default = \"reject\";\n"
		   "vendors = { registry = ( ); };\n"
		   "rules = ( { action = \"drop\"; } );\n");
	p = load_ok(f, "p.conf");
	assert_int_equal(p->dflt, ACTION_REJECT);
	assert_int_equal(p->nregistry, 0);
	policy_free(p);
}

/* --- every error ----------------------------------------------------------- */

#define V1 "version = 1;\n"
#define RULES "rules = ( { action = \"drop\"; } );\n"
#define LABEL64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

struct err_case {
	const char *what;
	const char *text;
	const char *expect[12]; /* NULL-terminated: at most 11 */
};

static const struct err_case err_cases[] = {
	/* keys */
	{ "unknown top-level key",
	  V1 "colour = \"blue\";\n" RULES,
	  { "2: unknown key 'colour' in the policy" } },
	{ "unknown key in a device",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\"; mac = \"00:11:22:33:44:55\";\n"
	     "\t  colour = \"red\"; }\n"
	     ");\n" RULES,
	  { "4: unknown key 'colour' in a device" } },
	{ "unknown key in a rule",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\";\n"
	     "\t  src = \"cam\"; }\n"
	     ");\n",
	  { "4: unknown key 'src' in a rule" } },
	{ "unknown key in limits",
	  V1 "limits = { names = 100;\n"
	     "\tpackets = 3; };\n" RULES,
	  { "3: unknown key 'packets' in limits" } },
	{ "unknown key in vendors",
	  V1 "vendors = {\n"
	     "\tregistry = [ \"reg.manuf\" ];\n"
	     "\tfile = \"x\";\n"
	     "};\n" RULES,
	  { "4: unknown key 'file' in vendors" } },

	/* types */
	{ "mode is a number",
	  V1 "mode = 1;\n" RULES,
	  { "2: 'mode' must be a string, not a number" } },
	{ "version is a string",
	  "version = \"1\";\n" RULES,
	  { "1: 'version' must be a number, not a string" } },
	{ "version is a float",
	  "version = 1.0;\n" RULES,
	  { "1: 'version' must be a number, not a decimal number" } },
	{ "default is an array",
	  V1 "default = [ \"drop\" ];\n" RULES,
	  { "2: 'default' must be a string, not an array" } },
	{ "default_log is a string",
	  V1 "default_log = \"yes\";\n" RULES,
	  { "2: 'default_log' must be true or false" } },
	{ "name_ttl_floor is a string",
	  V1 "name_ttl_floor = \"1h\";\n" RULES,
	  { "2: 'name_ttl_floor' must be a number, not a string" } },
	{ "name_ttl_floor too large",
	  V1 "name_ttl_floor = 700000;\n" RULES,
	  { "2: 'name_ttl_floor' must be between 0 and 604800" } },
	{ "networks is an array",
	  V1 "networks = [ \"10.0.0.0/8\" ];\n" RULES,
	  { "2: 'networks' must be a group { name = [ ... ]; }" } },
	{ "network values of the wrong type",
	  V1 "networks = {\n"
	     "\tlan = 10;\n"
	     "\trouter = [ 1, 2 ];\n"
	     "\tcloud = { a = \"10.0.0.0/8\"; };\n"
	     "};\n" RULES,
	  { "3: 'lan' must be a string or a list of strings, not a number",
	    "4: 'router' entries must be strings, not a number",
	    "4: 'router' entries must be strings, not a number",
	    "5: 'cloud' must be a string or a list of strings, not a group" } },
	{ "devices is a group",
	  V1 "devices = { name = \"cam\"; };\n" RULES,
	  { "2: 'devices' must be a list ( { ... }, { ... } )" } },
	{ "a device is a string",
	  V1 "devices = ( \"cam\" );\n" RULES,
	  { "2: each device must be a group { name = \"...\"; ... }" } },
	{ "device name is a number",
	  V1 "devices = (\n"
	     "\t{ name = 5; ip = \"10.0.0.1\"; }\n"
	     ");\n" RULES,
	  { "3: 'name' must be a string, not a number" } },
	{ "device selectors of the wrong type",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\";\n"
	     "\t  mac = 5;\n"
	     "\t  iface = { x = 1; };\n"
	     "\t  ip = ( \"10.0.0.1\", 7 );\n"
	     "\t  oui = true;\n"
	     "\t  vendor = [ 1 ]; }\n"
	     ");\n" RULES,
	  { "4: 'mac' must be a string or a list of strings, not a number",
	    "5: 'iface' must be a string or a list of strings, not a group",
	    "6: 'ip' entries must be strings, not a number",
	    "7: 'oui' must be a string or a list of strings, not true/false",
	    "8: 'vendor' entries must be strings, not a number" } },
	{ "rules is a group",
	  V1 "rules = { action = \"drop\"; };\n",
	  { "2: 'rules' must be a list ( { ... }, { ... } )" } },
	{ "a rule is a string",
	  V1 "rules = ( \"drop\" );\n",
	  { "2: each rule must be a group { ... }" } },
	{ "rule fields of the wrong type",
	  V1 "rules = (\n"
	     "\t{ name = 7;\n"
	     "\t  from = 5;\n"
	     "\t  to = ( \"wan\", 6 );\n"
	     "\t  proto = 6;\n"
	     "\t  port = { p = 1; };\n"
	     "\t  domain = 5;\n"
	     "\t  action = 1;\n"
	     "\t  log = \"yes\"; }\n"
	     ");\n",
	  { "3: 'name' must be a string, not a number",
	    "4: 'from' must be a string or a list of strings, not a number",
	    "5: 'to' entries must be strings, not a number",
	    "6: 'proto' must be a string, not a number",
	    "7: 'port' must be a number, a \"lo-hi\" string or a list of them",
	    "8: 'domain' must be a string or a list of strings, not a number",
	    "9: 'action' must be a string, not a number", "10: 'log' must be true or false" } },
	{ "port entries of the wrong type",
	  V1 "rules = (\n"
	     "\t{ port = ( 80, 1.5,\n"
	     "\t\ttrue, [ 1 ], \"443\" ); action = \"drop\";\n"
	     "\t  log = 1; }\n"
	     ");\n",
	  { "3: port entries must be numbers or \"lo-hi\" strings, not a decimal number",
	    "4: port entries must be numbers or \"lo-hi\" strings, not true/false",
	    "4: port entries must be numbers or \"lo-hi\" strings, not an array",
	    "5: 'log' must be true or false" } },
	{ "limits is a number",
	  V1 "limits = 5;\n" RULES,
	  { "2: 'limits' must be a group { ... }" } },
	{ "a limit is a string",
	  V1 "limits = { names = \"many\"; };\n" RULES,
	  { "2: 'names' must be a number, not a string" } },
	{ "vendors is an array",
	  V1 "vendors = [ \"reg.manuf\" ];\n" RULES,
	  { "2: 'vendors' must be a group { registry = [ ... ]; }" } },
	{ "vendors.registry is a number",
	  V1 "vendors = { registry = 5; };\n" RULES,
	  { "2: 'registry' must be a string or a list of strings, not a number" } },

	/* top-level values */
	{ "missing version",
	  "# no version\n"
	  "\n" RULES,
	  { "1: missing 'version = 1;'" } },
	{ "version 2",
	  "version = 2;\n" RULES,
	  { "1: version 2 is not supported (this nfq-guard reads version 1)" } },
	{ "version -1",
	  "version = -1;\n" RULES,
	  { "1: 'version' must be between 0 and 4294967295" } },
	{ "bad mode",
	  V1 "mode = \"learn\";\n" RULES,
	  { "2: mode 'learn': use enforce or monitor" } },
	{ "bad default",
	  V1 "default = \"deny\";\n" RULES,
	  { "2: default 'deny': use allow, drop, reject or log" } },
	{ "rules missing", V1, { "1: no 'rules' list: nothing would be decided" } },
	{ "empty file",
	  "",
	  { "1: missing 'version = 1;'", "1: no 'rules' list: nothing would be decided" } },

	/* networks */
	{ "bad CIDRs",
	  V1 "networks = {\n"
	     "\tlan = [ \"192.168.1.0/24\",\n"
	     "\t\t\"192.168.300.0/24\",\n"
	     "\t\t\"192.168.1.1/24\",\n"
	     "\t\t\"10.0.0.0/33\", \"fd00::1/64\", \"lan\", \"\" ];\n"
	     "};\n" RULES,
	  { "4: '192.168.300.0/24' is not an address or CIDR prefix",
	    "5: '192.168.1.1/24': address bits set past the prefix length",
	    "6: '10.0.0.0/33' is not an address or CIDR prefix",
	    "6: 'fd00::1/64': address bits set past the prefix length",
	    "6: 'lan' is not an address or CIDR prefix",
	    "6: '' is not an address or CIDR prefix" } },
	{ "networks defining wan and any",
	  V1 "networks = {\n"
	     "\tlan = \"192.168.1.0/24\";\n"
	     "\twan = \"0.0.0.0/0\";\n"
	     "\tany = \"::/0\";\n"
	     "};\n" RULES,
	  { "4: 'wan' cannot be defined: it is computed (wan = neither lan nor router)",
	    "5: 'any' cannot be defined: it is computed (wan = neither lan nor router)" } },
	{ "network name too long",
	  V1 "networks = {\n"
	     "\t" LABEL64 " = \"10.0.0.0/8\";\n"
	     "};\n" RULES,
	  { "3: network name too long" } },

	/* devices */
	{ "bad MACs and OUIs",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\";\n"
	     "\t  mac = [ \"00:11:22:33:44\", \"00:11:22:33:44:gg\" ];\n"
	     "\t  oui = [ \"00:11:22/27\", \"00:11:22:33:44:55\",\n"
	     "\t\t\"00:11:22:33:00:00/24\", \"44:47:cc:d1:00:00/28\" ]; }\n"
	     ");\n" RULES,
	  { "4: '00:11:22:33:44' is not a MAC address (use aa:bb:cc:dd:ee:ff)",
	    "4: '00:11:22:33:44:gg' is not a MAC address (use aa:bb:cc:dd:ee:ff)",
	    "5: '00:11:22/27' is not a MAC prefix (use AA:BB:CC, AA:BB:CC:D/28 or AA:BB:CC:DD:E/36)",
	    "5: '00:11:22:33:44:55' is not a MAC prefix (use AA:BB:CC, AA:BB:CC:D/28 or "
	    "AA:BB:CC:DD:E/36)",
	    "6: '00:11:22:33:00:00/24' is not a MAC prefix (use AA:BB:CC, AA:BB:CC:D/28 or "
	    "AA:BB:CC:DD:E/36)",
	    "6: '44:47:cc:d1:00:00/28' is not a MAC prefix (use AA:BB:CC, AA:BB:CC:D/28 or "
	    "AA:BB:CC:DD:E/36)" } },
	{ "bad device ips",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\"; ip = [ \"10.0.0.1/8\",\n"
	     "\t\t\"10.0.0\" ]; }\n"
	     ");\n" RULES,
	  { "3: '10.0.0.1/8': address bits set past the prefix length",
	    "4: '10.0.0' is not an address or CIDR prefix" } },
	{ "vendor too short or unknown",
	  V1 "vendors = { registry = \"reg.manuf\"; };\n"
	     "devices = (\n"
	     "\t{ name = \"cam\";\n"
	     "\t  vendor = [ \"hk\",\n"
	     "\t\t\"axis\" ]; }\n"
	     ");\n" RULES,
	  { "5: vendor 'hk' is too short to name an organisation",
	    "6: vendor 'axis' matches no organisation in the registries" } },
	{ "no registry loaded",
	  V1 "vendors = { registry = [ ]; };\n"
	     "devices = (\n"
	     "\t{ name = \"cam\"; vendor = \"hikvision\"; }\n"
	     ");\n" RULES,
	  { "4: vendor 'hikvision': no vendor registry loaded (set vendors.registry)" } },
	{ "device without a name",
	  V1 "devices = (\n"
	     "\t{ mac = \"00:11:22:33:44:55\"; }\n"
	     ");\n" RULES,
	  { "3: device without a name" } },
	{ "device defined twice",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\"; ip = \"10.0.0.1\"; },\n"
	     "\t{ name = \"cam\"; ip = \"10.0.0.2\"; }\n"
	     ");\n" RULES,
	  { "4: device 'cam' is defined twice (first at line 3)" } },
	{ "device without a selector",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\"; }\n"
	     ");\n" RULES,
	  { "3: device 'cam' names no mac, oui, vendor, ip or iface" } },
	{ "bad device names",
	  V1 "devices = (\n"
	     "\t{ name = \"my cam\"; ip = \"10.0.0.1\"; },\n"
	     "\t{ name = \"*\"; ip = \"10.0.0.2\"; },\n"
	     "\t{ name = \"\"; ip = \"10.0.0.3\"; },\n"
	     "\t{ name = \"" LABEL64 "\"; ip = \"10.0.0.4\"; }\n"
	     ");\n" RULES,
	  { "3: device name 'my cam': use letters, digits, '-', '_' and '.'",
	    "4: device name '*': use letters, digits, '-', '_' and '.'",
	    "5: device name '': use letters, digits, '-', '_' and '.'",
	    "6: device name '" LABEL64 "': use letters, digits, '-', '_' and '.'" } },
	{ "bad interface names",
	  V1 "devices = (\n"
	     "\t{ name = \"cam\";\n"
	     "\t  iface = [ \"eth0/1\", \"\",\n"
	     "\t\t\"a-very-long-ifname\", \"eth 0\", \"eth0\" ]; }\n"
	     ");\n" RULES,
	  { "4: 'eth0/1' is not an interface name", "4: '' is not an interface name",
	    "5: 'a-very-long-ifname' is not an interface name",
	    "5: 'eth 0' is not an interface name" } },

	/* rules */
	{ "unknown device in from",
	  V1 "devices = ( { name = \"cam\"; ip = \"10.0.0.1\"; } );\n"
	     "rules = (\n"
	     "\t{ from = [ \"cam\",\n"
	     "\t\t\"doorbell\" ]; action = \"drop\"; }\n"
	     ");\n",
	  { "5: unknown device 'doorbell' in 'from'" } },
	{ "unknown networks and bad addresses in to",
	  V1 "networks = { lan = \"192.168.1.0/24\"; };\n"
	     "rules = (\n"
	     "\t{ to = [ \"lan\", \"iot\",\n"
	     "\t\t\"router\",\n"
	     "\t\t\"10.0.0.300\", \"10.0.0.1/8\", \"::/129\" ]; action = \"drop\"; }\n"
	     ");\n",
	  { "4: unknown network 'iot' in 'to' (define it under 'networks')",
	    "5: unknown network 'router' in 'to' (define it under 'networks')",
	    "6: '10.0.0.300' is not an address or CIDR prefix",
	    "6: '10.0.0.1/8': address bits set past the prefix length",
	    "6: '::/129' is not an address or CIDR prefix" } },
	{ "bad ports",
	  V1 "rules = (\n"
	     "\t{ proto = \"tcp\"; port = ( 70000,\n"
	     "\t\t\"9-3\", \"abc\",\n"
	     "\t\t\"70000\", -1, \"80-\", \"1-2-3\", \"-5\", \" 80\", \"65535\", 0 );\n"
	     "\t  action = \"drop\"; }\n"
	     ");\n",
	  { "3: port 70000 is outside 0-65535",
	    "4: port '9-3': use a number or a range \"lo-hi\" within 0-65535",
	    "4: port 'abc': use a number or a range \"lo-hi\" within 0-65535",
	    "5: port '70000': use a number or a range \"lo-hi\" within 0-65535",
	    "5: port -1 is outside 0-65535",
	    "5: port '80-': use a number or a range \"lo-hi\" within 0-65535",
	    "5: port '1-2-3': use a number or a range \"lo-hi\" within 0-65535",
	    "5: port '-5': use a number or a range \"lo-hi\" within 0-65535",
	    "5: port ' 80': use a number or a range \"lo-hi\" within 0-65535" } },
	{ "single bad ports",
	  V1 "rules = (\n"
	     "\t{ port = 65536; action = \"drop\"; },\n"
	     "\t{ port = \"99999999999999999999999\"; action = \"drop\"; }\n"
	     ");\n",
	  { "3: port 65536 is outside 0-65535",
	    "4: port '99999999999999999999999': use a number or a range \"lo-hi\" within "
	    "0-65535" } },
	{ "port with proto icmp",
	  V1 "rules = (\n"
	     "\t{ proto = \"icmp\";\n"
	     "\t  port = 80; action = \"drop\"; }\n"
	     ");\n",
	  { "4: 'port' does not go with proto \"icmp\"" } },
	{ "bad proto",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\";\n"
	     "\t  proto = \"sctp\"; }\n"
	     ");\n",
	  { "4: proto 'sctp': use tcp, udp, icmp or any" } },
	{ "bad domain patterns",
	  V1 "rules = (\n"
	     "\t{ action = \"allow\";\n"
	     "\t  domain = [ \"a..b\",\n"
	     "\t\t\"*.\", \"foo*.com\",\n"
	     "\t\t\"" LABEL64 ".com\", \"ok.example.com\", \"\", \"*\", \"a b.com\" ]; }\n"
	     ");\n",
	  { "4: 'a..b' is not a domain name or *.domain pattern",
	    "5: '*.' is not a domain name or *.domain pattern",
	    "5: 'foo*.com' is not a domain name or *.domain pattern",
	    "6: '" LABEL64 ".com' is not a domain name or *.domain pattern",
	    "6: '' is not a domain name or *.domain pattern",
	    "6: '*' is not a domain name or *.domain pattern",
	    "6: 'a b.com' is not a domain name or *.domain pattern" } },
	{ "missing action",
	  V1 "rules = (\n"
	     "\t{ name = \"web\"; proto = \"tcp\"; },\n"
	     "\t{ proto = \"udp\"; }\n"
	     ");\n",
	  { "3: rule 'web' has no action", "4: rule 'rule2' has no action" } },
	{ "bad action",
	  V1 "rules = (\n"
	     "\t{ name = \"web\";\n"
	     "\t  action = \"permit\"; }\n"
	     ");\n",
	  { "4: action 'permit': use allow, drop, reject or log" } },
	{ "log not a bool",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\";\n"
	     "\t  log = \"yes\"; }\n"
	     ");\n",
	  { "4: 'log' must be true or false" } },
	{ "rule name used twice",
	  V1 "rules = (\n"
	     "\t{ name = \"web\"; action = \"allow\"; },\n"
	     "\t{ name = \"dns\"; action = \"allow\"; },\n"
	     "\t{ name = \"web\"; action = \"drop\"; }\n"
	     ");\n",
	  { "5: rule name 'web' is used twice (first at line 3)" } },
	{ "bad rule name",
	  V1 "rules = (\n"
	     "\t{ name = \"my rule\"; action = \"allow\"; }\n"
	     ");\n",
	  { "3: rule name 'my rule': use letters, digits, '-', '_' and '.'" } },

	/* limits */
	{ "limits out of range",
	  V1 "limits = {\n"
	     "\tnames = 15;\n"
	     "\tflows = 2000000;\n"
	     "\tpending_packets = 0;\n"
	     "\tpending_seconds = 61;\n"
	     "\tdevices = 65537;\n"
	     "};\n" RULES,
	  { "3: 'names' must be between 16 and 4194304",
	    "4: 'flows' must be between 16 and 1048576",
	    "5: 'pending_packets' must be between 1 and 64",
	    "6: 'pending_seconds' must be between 1 and 60",
	    "7: 'devices' must be between 16 and 65536" } },

	/* a string in a list is where it is, not where the next token is */
	{ "the line of the last string in a list",
	  V1 "networks = {\n"
	     "\tlan = [\n"
	     "\t\t\"10.0.0.1/8\",\n"
	     "\t\t\"10.0.0.300\" # typo\n"
	     "\t\t// more\n"
	     "\n"
	     "\t];\n"
	     "\trouter = [ \"192.168.1.1\"\n"
	     "\t\t, \"192.168.1.2/24\"\n"
	     "\t\t, \"192.168.1.0/24\" ];\n"
	     "};\n"
	     "rules = ( { action = \"drop\"; domain = \"a..b\"; to = [ \"a..b\"\n"
	     "\t]; } );\n",
	  { "4: '10.0.0.1/8': address bits set past the prefix length",
	    "5: '10.0.0.300' is not an address or CIDR prefix",
	    "10: '192.168.1.2/24': address bits set past the prefix length",
	    "13: 'a..b' is not an address or CIDR prefix",
	    "13: 'a..b' is not a domain name or *.domain pattern" } },

	/* libconfig's own errors, with their likely cause */
	{ "syntax error",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\"; }\n"
	     "\t{ action = \"allow\"; }\n"
	     ");\n",
	  { "4: syntax error: missing comma between list elements" } },
	{ "trailing comma on the line",
	  V1 "rules = ( { action = \"drop\"; port = [ 53, 123, ]; } );\n",
	  { "2: syntax error: trailing comma before ']' (column 48)" } },
	{ "trailing comma at the end of the line before",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\"; },\n"
	     ");\n",
	  { "4: syntax error: trailing comma before ')' (line 3 ends with it)" } },
	{ "a string without quotes",
	  V1 "rules = ( { action = drop; } );\n",
	  { "2: syntax error: string values need quotes (column 22)" } },
	{ "@include after other text",
	  V1 "rules = ( { action = \"drop\"; } ); @include \"x.conf\"\n",
	  { "2: syntax error: @include must stand alone on its line (column 35)" } },
	{ "strings side by side",
	  V1 "devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" \"24:28:FD\" ]; } );\n" RULES,
	  { "2: missing comma between list elements (strings side by side are joined into "
	    "one)" } },
	{ "strings on two lines",
	  V1 "devices = ( { name = \"cam\"; oui = [ \"44:47:CC\"  # a comment\n"
	     "\t\"24:28:FD\" ]; } );\n" RULES,
	  { "2: missing comma between list elements (strings side by side are joined into "
	    "one)" } },
	/* did you mean, and no knock-on error */
	{ "a misspelt key",
	  V1 "rules = ( { name = \"x\"; acton = \"drop\"; } );\n",
	  { "2: unknown key 'acton' in a rule (did you mean 'action'?)" } },
	{ "a misspelt network and device",
	  V1 "networks = { lan = [ \"192.168.0.0/16\" ]; };\n"
	     "devices = ( { name = \"cams\"; oui = [ \"44:47:CC\" ]; } );\n"
	     "rules = ( { from = \"cmas\"; to = \"lna\"; action = \"drop\"; },\n"
	     "\t{ to = \"wna\"; action = \"drop\"; } );\n",
	  { "4: unknown device 'cmas' in 'from' (did you mean 'cams'?)",
	    "4: unknown network 'lna' in 'to' (did you mean 'lan'?)",
	    "5: unknown network 'wna' in 'to' (did you mean 'wan'?)" } },
	{ "syntax error at the end",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\"; }\n",
	  { "4: syntax error" } },
	{ "a setting twice", V1 "version = 2;\n" RULES, { "2: duplicate setting name" } },
	{ "numbers and strings in an array",
	  V1 "rules = (\n"
	     "\t{ action = \"drop\";\n"
	     "\t  port = [ 53,\n"
	     "\t\t\"8000-8100\" ]; }\n"
	     ");\n",
	  { "5: mismatched element type in array (an array [ ] holds one type: use a list ( ) to "
	    "mix numbers and strings)" } },
};

static void test_errors(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		case_name = err_cases[i].what;
		expect_errors(f, err_cases[i].text, err_cases[i].expect);
	}
	case_name = "";
}

/* Several errors in one file: every one, in the order of the file. */
static void test_several_errors(void **state)
{
	struct fixture *f = *state;
	const char *const expect[] = {
		"1: version 2 is not supported (this nfq-guard reads version 1)",
		"2: mode 'learn': use enforce or monitor",
		"3: unknown key 'colour' in the policy",
		"5: 'zz' is not a MAC address (use aa:bb:cc:dd:ee:ff)",
		"5: '10.0.0.1/8': address bits set past the prefix length",
		"6: device 'cam' is defined twice (first at line 5)",
		"9: unknown device 'doorbell' in 'from'",
		"9: port 70000 is outside 0-65535",
		"10: rule name 'a' is used twice (first at line 9)",
		"10: action 'permit': use allow, drop, reject or log",
		"12: 'names' must be between 16 and 4194304",
		"13: unknown key 'colour2' in the policy",
		NULL,
	};

	expect_errors(f,
		      "version = 2;\n"
		      "mode = \"learn\";\n"
		      "colour = \"red\";\n"
		      "devices = (\n"
		      "\t{ name = \"cam\"; ip = \"10.0.0.1/8\"; mac = \"zz\"; },\n"
		      "\t{ name = \"cam\"; ip = \"10.0.0.2\"; }\n"
		      ");\n"
		      "rules = (\n"
		      "\t{ name = \"a\"; port = 70000; from = \"doorbell\"; action = \"drop\"; },\n"
		      "\t{ name = \"a\"; action = \"permit\"; }\n"
		      ");\n"
		      "limits = { names = 1; };\n"
		      "colour2 = 1;\n",
		      expect);
}

static void test_registry_errors(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	const char *const expect[] = {
		"{D}/p.conf:3: registry {D}/missing.manuf: No such file or directory",
		"{D}/p.conf:4: registry {D}/regdir: Is a directory",
		"{D}/p.conf:4: registry {D}/bad.manuf: line 2: not a registry entry",
		NULL,
	};

	path_of(f, "regdir", path);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file(f, "bad.manuf", "# comment\nZZ:ZZ:ZZ\tNobody\n");
	expect_errors(f,
		      V1 "vendors = { registry = [ \"reg.manuf\",\n"
			 "\t\"missing.manuf\",\n"
			 "\t\"regdir\", \"bad.manuf\" ]; };\n"
			 "devices = ( { name = \"cam\"; vendor = \"hikvision\"; } );\n" RULES,
		      expect);
}

static void test_nul_byte(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "version = 1;\nrules = ( );\n# a\0b\ncolour = 1;\n";
	const char *const expect[] = { "3: NUL byte in the line",
				       "4: unknown key 'colour' in the policy", NULL };
	char path[PATH_MAX];
	FILE *fp;

	path_of(f, "p.conf", path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp), sizeof(text) - 1);
	assert_int_equal(fclose(fp), 0);
	expect_errors_in(f, "p.conf", expect);
}

/* Files past the size limits (sparse: nothing is written). */
static void test_file_too_large(void **state)
{
	struct fixture *f = *state;
	const char *const expect[] = {
		"{D}/p.conf:2: cannot include {D}/big.list: file too large",
		"{D}/p.conf:4: registry {D}/huge.manuf: file too large",
		NULL,
	};
	const char *const top[] = { "{D}/big.list:0: file too large", NULL };
	char path[PATH_MAX];

	write_file(f, "big.list", "");
	path_of(f, "big.list", path);
	assert_int_equal(truncate(path, (off_t)17 << 20), 0);
	write_file(f, "huge.manuf", "");
	path_of(f, "huge.manuf", path);
	assert_int_equal(truncate(path, (off_t)65 << 20), 0);
	expect_errors(f,
		      V1 "@include \"big.list\"\n"
			 "rules = ( );\n"
			 "vendors = { registry = \"huge.manuf\"; };\n",
		      expect);
	expect_errors_in(f, "big.list", top);
}

static void test_top_file_errors(void **state)
{
	struct fixture *f = *state;
	const char *const missing[] = { "{D}/none.conf:0: No such file or directory", NULL };
	const char *const dir[] = { "{D}/sub:0: Is a directory", NULL };
	char path[PATH_MAX];

	expect_errors_in(f, "none.conf", missing);
	path_of(f, "sub", path);
	assert_int_equal(mkdir(path, 0700), 0);
	expect_errors_in(f, "sub", dir);
}

/* --- @include -------------------------------------------------------------- */

static void test_include(void **state)
{
	struct fixture *f = *state;
	struct policy *p;
	struct name n;

	write_file(f, "p.conf",
		   "version = 1;\n"
		   "rules = (\n"
		   "\t{ name = \"cloud\"; action = \"allow\";\n"
		   "\t  domain = [\n"
		   "\t\t@include \"lists/cams.list\"\n"
		   "\t  ]; },\n"
		   "  @include \"rules.inc\"\n"
		   ");\n");
	write_file(f, "lists/cams.list",
		   "\"*.ezvizlife.com\",\n"
		   "@include \"more/extra.list\"\n"
		   "\"ntp.org\"\n");
	write_file(f, "lists/more/extra.list", "\"*.hik-connect.com\",\n");
	write_file(f, "rules.inc", "\t{ name = \"last\"; action = \"drop\"; }\n");
	/* the same names relative to the working directory must not be read */
	assert_int_not_equal(access("lists/cams.list", F_OK), 0);

	p = load_ok(f, "p.conf");
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->ndomains, 3);
	assert_int_equal(domain_set_count(p->rules[0].domains), 3);
	n = name_of("cam.hik-connect.com");
	assert_string_equal(domain_set_match(p->rules[0].domains, &n), "*.hik-connect.com");
	assert_string_equal(p->rules[1].name, "last");
	/* the rule's line in its own file */
	assert_int_equal(p->rules[1].line, 1);
	policy_free(p);
}

/* domain_file: plain lists, relative to the file that names them, with the policy's domains. */
static void test_domain_file(void **state)
{
	struct fixture *f = *state;
	struct policy *p;
	struct name n;

	write_file(f, "p.conf",
		   "version = 1;\n"
		   "rules = (\n"
		   "  @include \"rules/cloud.inc\"\n"
		   ");\n");
	write_file(f, "rules/cloud.inc",
		   "\t{ name = \"cloud\"; action = \"drop\"; domain = \"ntp.org\";\n"
		   "\t  domain_file = [ \"lists/hik.list\", \"/dev/null/../x\" ]; }\n");
	/* a UTF-8 BOM, CRLF, comments whole-line and trailing, blank lines, no final newline */
	write_file(f, "rules/lists/hik.list",
		   "\xef\xbb\xbf# Hikvision\r\n"
		   "*.ezvizlife.com   # the cloud\r\n"
		   "\r\n"
		   "   \t\n"
		   "\t*.hik-connect.com\n"
		   "ntp.org\n"
		   "# the end\n"
		   "*.ys7.com");
	/* an absolute path is itself */
	{
		const char *const expect[] = {
			"{D}/rules/cloud.inc:2: list /dev/null/../x: Not a directory",
			NULL,
		};

		expect_errors_in(f, "p.conf", expect);
	}
	write_file(f, "rules/cloud.inc",
		   "\t{ name = \"cloud\"; action = \"drop\"; domain = \"ntp.org\";\n"
		   "\t  domain_file = [ \"lists/hik.list\" ]; }\n");
	p = load_ok(f, "p.conf");
	/* ntp.org in both: one pattern */
	assert_int_equal(p->ndomains, 4);
	assert_int_equal(domain_set_count(p->rules[0].domains), 4);
	n = name_of("litedev.ezvizlife.com");
	assert_string_equal(domain_set_match(p->rules[0].domains, &n), "*.ezvizlife.com");
	n = name_of("time.ys7.com");
	assert_string_equal(domain_set_match(p->rules[0].domains, &n), "*.ys7.com");
	n = name_of("www.ntp.org");
	assert_null(domain_set_match(p->rules[0].domains, &n));
	policy_free(p);
}

static void test_domain_file_errors(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	const char *const expect[] = {
		"{D}/l/a.list:2: 'a..b' is not a domain name or *.domain pattern",
		"{D}/l/a.list:3: '\"c.com\",' is not a domain name or *.domain pattern (a "
		"domain_file has one pattern a line: no quotes, no commas)",
		"{D}/l/a.list:4: one pattern a line, not 'd.com e.com'",
		"{D}/p.conf:3: list {D}/l/none.list: No such file or directory",
		"{D}/p.conf:3: list {D}/l/empty.list has no patterns: add some, or take it out of "
		"domain_file",
		"{D}/p.conf:4: list {D}/l/dir.list: Is a directory",
		"{D}/p.conf:4: list {D}/l/fifo.list: not a regular file",
		"5: 'domain_file' entries must be strings, not a number",
		"7: action 'permit': use allow, drop, reject or log",
		"8: 'domain' has no patterns: add some, or remove the key",
		NULL,
	};

	write_file(f, "l/a.list", "ok.example.com\na..b\n\"c.com\",\nd.com e.com\n");
	write_file(f, "l/empty.list", "# nothing yet\n\n");
	path_of(f, "l/dir.list", path);
	assert_int_equal(mkdir(path, 0700), 0);
	/* a FIFO nobody writes to: refused, not waited on */
	path_of(f, "l/fifo.list", path);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* one byte, no newline: read whole and no further */
	write_file(f, "l/one.list", "a");
	expect_errors(f,
		      "version = 1;\n"
		      "rules = ( { action = \"drop\"; domain_file = ( \"l/a.list\",\n"
		      "\t\"l/none.list\", \"l/empty.list\",\n"
		      "\t\"l/dir.list\", \"l/fifo.list\", \"l/one.list\",\n"
		      "\t7 ); },\n"
		      "\t{ name = \"x\";\n"
		      "\t  action = \"permit\"; },\n"
		      "\t{ domain = [ ]; action = \"drop\"; } );\n",
		      expect);
}

static void test_include_errors(void **state)
{
	struct fixture *f = *state;

	/* an error inside an included file, and one after the include */
	{
		const char *const expect[] = {
			"{D}/lists/bad.list:3: 'a..b' is not a domain name or *.domain pattern",
			"{D}/lists/more/worse.list:2: 'x*.com' is not a domain name or *.domain "
			"pattern",
			"{D}/p.conf:8: action 'permit': use allow, drop, reject or log",
			NULL,
		};

		write_file(f, "lists/bad.list",
			   "\"ok.example.com\",\n"
			   "# a comment\n"
			   "\"a..b\",\n"
			   "@include \"more/worse.list\"\n");
		write_file(f, "lists/more/worse.list", "\"ok2.example.com\",\n\"x*.com\"\n");
		expect_errors(f,
			      "version = 1;\n"
			      "rules = (\n"
			      "\t{ action = \"allow\";\n"
			      "\t  domain = [\n"
			      "@include \"lists/bad.list\"\n"
			      "\t  ]; },\n"
			      "\t{ name = \"x\";\n"
			      "\t  action = \"permit\"; }\n"
			      ");\n",
			      expect);
	}
	/* a syntax error inside an included file */
	{
		const char *const expect[] = { "{D}/lists/syn.list:2: syntax error", NULL };

		write_file(f, "lists/syn.list", "\"a.com\",\n\"b.com\" = 1\n");
		expect_errors(f,
			      "version = 1;\n"
			      "rules = ( { action = \"allow\"; domain = [\n"
			      "@include \"lists/syn.list\"\n"
			      "]; } );\n",
			      expect);
	}
	/* unterminated after an include: the end of the main file */
	{
		const char *const expect[] = { "5: syntax error", NULL };

		write_file(f, "lists/ok.list", "\"a.com\",\n\"b.com\",\n\"c.com\"\n");
		expect_errors(f,
			      "version = 1;\n"
			      "rules = ( { action = \"allow\"; domain = [\n"
			      "@include \"lists/ok.list\"\n"
			      "]; }\n",
			      expect);
	}
	/* a missing file */
	{
		const char *const expect[] = {
			"{D}/p.conf:3: cannot include {D}/lists/none.list: No such file or "
			"directory",
			NULL,
		};

		expect_errors(f,
			      "version = 1;\n"
			      "rules = ( { action = \"allow\"; domain = [\n"
			      "@include \"lists/none.list\"\n"
			      "]; } );\n",
			      expect);
	}
	/* a file including itself, and two including each other */
	{
		const char *const expect[] = {
			"{D}/p.conf:2: {D}/p.conf includes itself",
			"{D}/b.inc:1: {D}/a.inc includes itself",
			NULL,
		};

		write_file(f, "a.inc", "@include \"b.inc\"\n");
		write_file(f, "b.inc", "@include \"a.inc\"\n");
		expect_errors(f,
			      "version = 1;\n"
			      "@include \"p.conf\"\n"
			      "@include \"a.inc\"\n" RULES,
			      expect);
	}
	/* malformed directives */
	{
		const char *const expect[] = {
			"2: malformed @include (use: @include \"FILE\")",
			"3: malformed @include (use: @include \"FILE\")",
			"4: malformed @include (use: @include \"FILE\")",
			"5: malformed @include (use: @include \"FILE\")",
			"6: malformed @include (use: @include \"FILE\")",
			"8: unknown key 'colour' in the policy",
			NULL,
		};

		expect_errors(f,
			      "version = 1;\n"
			      "@include lists/ok.list\n"
			      "  @include \"lists/ok.list\" junk\n"
			      "@include \"\"\n"
			      "@include \"lists/ok.list\n"
			      "@include\n" RULES "colour = 1;\n",
			      expect);
	}
}

static void test_include_depth(void **state)
{
	struct fixture *f = *state;
	char name[32], text[64];
	struct policy *p;
	int i;

	/* p.conf -> d1.inc -> ... -> d8.inc: eight levels are allowed */
	for (i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "d%d.inc", i);
		snprintf(text, sizeof(text), "@include \"d%d.inc\"\n", i + 1);
		write_file(f, name, text);
	}
	write_file(f, "d9.inc", "rules = ( );\n");
	write_file(f, "p.conf", "version = 1;\n@include \"d2.inc\"\n");
	p = load_ok(f, "p.conf");
	policy_free(p);
	{
		const char *const expect[] = { "{D}/d8.inc:1: includes nested deeper than 8",
					       NULL };

		write_file(f, "p.conf", "version = 1;\n@include \"d1.inc\"\n" RULES);
		expect_errors_in(f, "p.conf", expect);
	}
}

/* --- resource limits ------------------------------------------------------- */

static void test_too_many_devices(void **state)
{
	struct fixture *f = *state;
	/* the devices are not defined, so the rule's 'from' names none */
	const char *const expect[] = { "2: 65 devices, more than 64",
				       "69: unknown device 'd63' in 'from'", NULL };
	struct device_key key = { 0 };
	struct group_match how[POLICY_MAX_DEVICES];
	struct policy *p;
	char *text = NULL, *t;
	size_t len;
	FILE *fp;
	int i, ndev;

	for (ndev = 64; ndev <= 65; ndev++) {
		fp = open_memstream(&text, &len);
		assert_non_null(fp);
		fprintf(fp, "version = 1;\ndevices = (\n");
		for (i = 0; i < ndev; i++)
			fprintf(fp, "\t{ name = \"d%d\"; ip = \"10.0.%d.0/24\"; }%s\n", i, i,
				i + 1 < ndev ? "," : "");
		fprintf(fp, ");\nrules = ( { from = \"d63\"; action = \"drop\"; } );\n");
		fclose(fp);
		t = text;
		if (ndev == 64) {
			write_file(f, "p.conf", t);
			p = load_ok(f, "p.conf");
			assert_int_equal(p->ndevices, 64);
			assert_int_equal(p->rules[0].from, 1ull << 63);
			key.family = 4;
			assert_int_equal(addr_parse("10.0.63.9", &key.family, key.addr), 0);
			assert_int_equal(policy_identify(p, &key, how), 1ull << 63);
			assert_int_equal(how[63].kind, MATCH_IP);
			policy_free(p);
		} else {
			expect_errors(f, t, expect);
		}
		free(text);
		text = NULL;
	}
}

static void test_too_many_errors(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct policy_errors e;
	struct policy *p;
	char *text = NULL, *want;
	size_t len;
	FILE *fp;
	int i;

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fprintf(fp, "version = 1;\nrules = ( { action = \"drop\"; port = (\n");
	for (i = 0; i < 150; i++)
		fprintf(fp, "\t%d%s\n", 70000 + i, i < 149 ? "," : "");
	fprintf(fp, "); } );\n");
	fclose(fp);
	write_file(f, "p.conf", text);
	free(text);

	path_of(f, "p.conf", path);
	p = policy_load(path, &e);
	assert_null(p);
	assert_int_equal(e.n, POLICY_MAX_ERRORS);
	assert_int_equal(e.dropped, 50);
	want = with_dir(f, "{D}/p.conf:3: port 70000 is outside 0-65535");
	assert_string_equal(e.lines[0], want);
	free(want);
	want = with_dir(f, "{D}/p.conf:102: port 70099 is outside 0-65535");
	assert_string_equal(e.lines[99], want);
	free(want);
	policy_errors_clear(&e);
	assert_int_equal(e.n, 0);
	assert_null(e.lines);
}

/* A list over POLICY_MAX_LIST entries, of CIDRs and of ports. */
static void test_long_lists(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len;
	FILE *fp;
	int i;

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fprintf(fp, "version = 1;\nnetworks = { lan = [\n");
	for (i = 0; i <= POLICY_MAX_LIST; i++)
		fprintf(fp, "\"10.%d.%d.0/24\"%s", i >> 8, i & 255, i < POLICY_MAX_LIST ? "," : "");
	fprintf(fp, "\n]; };\n" RULES);
	fclose(fp);
	{
		const char *const expect[] = { "2: 'lan' has 65537 entries, more than 65536",
					       NULL };

		expect_errors(f, text, expect);
	}
	free(text);

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fprintf(fp, "version = 1;\nrules = ( { action = \"drop\"; port = [\n");
	for (i = 0; i <= POLICY_MAX_LIST; i++)
		fprintf(fp, "\"%d\"%s", i & 0xffff, i < POLICY_MAX_LIST ? "," : "");
	fprintf(fp, "\n]; } );\n");
	fclose(fp);
	{
		const char *const expect[] = { "2: 'port' has 65537 entries, more than 65536",
					       NULL };

		expect_errors(f, text, expect);
	}
	free(text);
}

/* A vendor that names more blocks than a device may hold. */
static void test_vendor_too_many_prefixes(void **state)
{
	struct fixture *f = *state;
	const char *const expect[] = {
		"3: vendor 'acme widgets': more than 262144 MAC prefixes in one device", NULL
	};
	const uint64_t n = POLICY_MAX_LIST * 4 + 1;
	char path[PATH_MAX];
	uint64_t i;
	FILE *fp;

	path_of(f, "big.manuf", path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < n; i++) {
		uint64_t a = (0x0a0000000ull + i) << 12;

		fprintf(fp, "%02X:%02X:%02X:%02X:%02X:%02X/36\tAcme\tAcme Widgets\n",
			(unsigned int)(a >> 40) & 255, (unsigned int)(a >> 32) & 255,
			(unsigned int)(a >> 24) & 255, (unsigned int)(a >> 16) & 255,
			(unsigned int)(a >> 8) & 255, (unsigned int)a & 255);
	}
	assert_int_equal(fclose(fp), 0);
	expect_errors(f,
		      V1 "vendors = { registry = \"big.manuf\"; };\n"
			 "devices = ( { name = \"cam\"; vendor = \"acme widgets\"; } );\n" RULES,
		      expect);
}

static void test_too_many_rules_and_networks(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len;
	FILE *fp;
	int i;

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fprintf(fp, "version = 1;\nrules = (\n");
	for (i = 0; i <= POLICY_MAX_RULES; i++)
		fprintf(fp, "{ action = \"drop\"; }%s\n", i < POLICY_MAX_RULES ? "," : "");
	fprintf(fp, ");\n");
	fclose(fp);
	{
		const char *const expect[] = { "2: 4097 rules, more than 4096", NULL };

		expect_errors(f, text, expect);
	}
	free(text);

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fprintf(fp, "version = 1;\nnetworks = {\n");
	for (i = 0; i <= POLICY_MAX_NETWORKS; i++)
		fprintf(fp, "n%d = \"10.0.%d.0/24\";\n", i, i);
	fprintf(fp, "};\n" RULES);
	fclose(fp);
	{
		const char *const expect[] = { "2: more than 64 networks", NULL };

		expect_errors(f, text, expect);
	}
	free(text);
}

/* --- identification -------------------------------------------------------- */

static struct device_key mac_key(const char *mac)
{
	struct device_key k = { 0 };

	k.has_mac = true;
	assert_int_equal(mac_parse(mac, k.mac), 0);
	return k;
}

static void test_identify(void **state)
{
	struct fixture *f = *state;
	struct group_match how[POLICY_MAX_DEVICES];
	struct device_key k;
	struct policy *p;
	char buf[OUI_STR_MAX];

	write_file(f, "p.conf",
		   "version = 1;\n"
		   "vendors = { registry = \"reg.manuf\"; };\n"
		   "devices = (\n"
		   "\t{ name = \"hik\"; vendor = \"hikvision\"; },\n"
		   "\t{ name = \"doorbell\"; oui = \"44:47:CC:0/28\";\n"
		   "\t  mac = \"44:47:cc:00:00:01\"; },\n"
		   "\t{ name = \"odd\"; oui = \"00:1b:c5\";\n"
		   "\t  vendor = \"something\"; },\n"
		   "\t{ name = \"nvr\"; ip = [ \"192.168.1.0/28\", \"fd00::/64\" ];\n"
		   "\t  iface = \"eth1\"; mac = \"02:00:00:00:00:01\"; },\n"
		   "\t{ name = \"wifi\"; iface = [ \"wlan0\", \"wlan1\" ]; },\n"
		   "\t{ name = \"tie\"; vendor = \"dahua\"; oui = \"08:ed:ed\"; }\n"
		   ");\n"
		   "rules = ( );\n");
	p = load_ok(f, "p.conf");
	assert_int_equal(p->ndevices, 6);

	/* an exact MAC beats the /28 in its group; the vendor /24 matches too */
	k = mac_key("44:47:cc:00:00:01");
	memset(how, 0, sizeof(how));
	assert_int_equal(policy_identify(p, &k, how), 0x3);
	assert_int_equal(how[0].kind, MATCH_VENDOR);
	assert_string_equal(how[0].prefix->needle, "hikvision");
	assert_string_equal(how[0].prefix->org, "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	assert_int_equal(how[1].kind, MATCH_MAC);
	assert_int_equal(how[1].prefix->prefix.bits, 48);
	assert_null(how[1].cidr);
	assert_int_equal(how[2].kind, MATCH_NONE);

	k = mac_key("44:47:cc:0f:ff:ff");
	assert_int_equal(policy_identify(p, &k, how), 0x3);
	assert_int_equal(how[1].kind, MATCH_OUI);
	assert_int_equal(how[1].prefix->prefix.bits, 28);

	k = mac_key("44:47:cc:10:00:00");
	assert_int_equal(policy_identify(p, &k, how), 0x1);
	assert_int_equal(policy_identify(p, &k, NULL), 0x1);

	/* longest prefix: the vendor /36 over the oui /24 */
	k = mac_key("00:1b:c5:00:00:42");
	assert_int_equal(policy_identify(p, &k, how), 0x4);
	assert_int_equal(how[2].kind, MATCH_VENDOR);
	assert_int_equal(how[2].prefix->prefix.bits, 36);
	assert_string_equal(how[2].prefix->org, "Something Else");
	oui_format(&how[2].prefix->prefix, buf, sizeof(buf));
	assert_string_equal(buf, "00:1b:c5:00:00:00/36");
	k = mac_key("00:1b:c5:01:00:00");
	assert_int_equal(policy_identify(p, &k, how), 0x4);
	assert_int_equal(how[2].kind, MATCH_OUI);
	assert_int_equal(how[2].prefix->prefix.bits, 24);

	/* addresses */
	k = (struct device_key){ 0 };
	assert_int_equal(addr_parse("192.168.1.15", &k.family, k.addr), 0);
	assert_int_equal(policy_identify(p, &k, how), 0x8);
	assert_int_equal(how[3].kind, MATCH_IP);
	assert_ptr_equal(how[3].cidr, &p->devices[3].ips[0]);
	assert_null(how[3].prefix);
	assert_int_equal(addr_parse("192.168.1.16", &k.family, k.addr), 0);
	assert_int_equal(policy_identify(p, &k, how), 0);
	assert_int_equal(addr_parse("fd00::1234", &k.family, k.addr), 0);
	assert_int_equal(policy_identify(p, &k, how), 0x8);
	assert_ptr_equal(how[3].cidr, &p->devices[3].ips[1]);

	/* a MAC the group names is reported before its address */
	k.has_mac = true;
	assert_int_equal(mac_parse("02:00:00:00:00:01", k.mac), 0);
	assert_int_equal(policy_identify(p, &k, how), 0x8);
	assert_int_equal(how[3].kind, MATCH_MAC);

	/* interfaces, and a host in two groups by different means */
	k = (struct device_key){ 0 };
	snprintf(k.iface, sizeof(k.iface), "eth1");
	assert_int_equal(policy_identify(p, &k, how), 0x8);
	assert_int_equal(how[3].kind, MATCH_IFACE);
	snprintf(k.iface, sizeof(k.iface), "wlan1");
	k.has_mac = true;
	assert_int_equal(mac_parse("08:ed:ed:00:00:01", k.mac), 0);
	assert_int_equal(policy_identify(p, &k, how), 0x30);
	assert_int_equal(how[4].kind, MATCH_IFACE);
	/* a block named by oui and by vendor: the explicit oui, every time */
	assert_int_equal(how[5].kind, MATCH_OUI);
	assert_null(how[5].prefix->needle);
	assert_int_equal(mac_parse("44:47:cc:ab:cd:ef", k.mac), 0);
	assert_int_equal(policy_identify(p, &k, how), 0x11);
	assert_int_equal(how[0].kind, MATCH_VENDOR);
	assert_int_equal(how[4].kind, MATCH_IFACE);

	/* a host in no group */
	k = mac_key("00:00:5e:00:53:01");
	assert_int_equal(addr_parse("10.9.9.9", &k.family, k.addr), 0);
	snprintf(k.iface, sizeof(k.iface), "eth9");
	assert_int_equal(policy_identify(p, &k, how), 0);
	k = (struct device_key){ 0 };
	assert_int_equal(policy_identify(p, &k, NULL), 0);

	policy_free(p);
}

/* --- a large policy -------------------------------------------------------- */

static void test_many_domains(void **state)
{
	struct fixture *f = *state;
	struct timespec t0, t1;
	char path[PATH_MAX], want[64];
	struct policy *p;
	struct name n;
	FILE *fp;
	int i;

	path_of(f, "lists/big.list", path);
	mkdirs(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < 100000; i++)
		fprintf(fp, "\"%shost%d.cdn%d.example.com\"%s\n", i % 4 ? "" : "*.", i, i % 97,
			i < 99999 ? "," : "");
	assert_int_equal(fclose(fp), 0);
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "rules = (\n"
		   "\t{ name = \"blocklist\"; to = \"wan\"; action = \"drop\"; domain = [\n"
		   "@include \"lists/big.list\"\n"
		   "\t]; }\n"
		   ");\n");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = load_ok(f, "p.conf");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("policy_load with 100000 domains: %.1f ms\n",
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);

	assert_int_equal(p->ndomains, 100000);
	assert_int_equal(domain_set_count(p->rules[0].domains), 100000);
	n = name_of("a.host4.cdn4.example.com");
	assert_string_equal(domain_set_match(p->rules[0].domains, &n), "*.host4.cdn4.example.com");
	snprintf(want, sizeof(want), "host99999.cdn%d.example.com", 99999 % 97);
	n = name_of(want);
	assert_string_equal(domain_set_match(p->rules[0].domains, &n), want);
	snprintf(want, sizeof(want), "a.host99999.cdn%d.example.com", 99999 % 97);
	n = name_of(want);
	assert_null(domain_set_match(p->rules[0].domains, &n));
	policy_free(p);
}

/* policy_compile_text: a policy from memory, with its groups and rules. */
static void test_compile_text(void **state)
{
	static const char text[] =
		"version = 1;\n"
		"mode = \"monitor\";\n"
		"networks = { lan = [ \"192.168.1.0/24\" ]; };\n"
		"devices = (\n"
		"  { name = \"cam\"; mac = \"02:00:00:00:00:01\"; },\n"
		"  { name = \"nvr\"; ip = \"192.168.1.9\"; }\n"
		");\n"
		"rules = (\n"
		"  { name = \"local\"; from = \"cam\"; to = \"lan\"; action = \"allow\"; },\n"
		"  { from = [ \"cam\", \"nvr\" ]; action = \"reject\"; log = true; }\n"
		");\n";
	struct policy_errors errs;
	struct policy *p;

	(void)state;
	/* no NUL at len: the text need not be a C string */
	p = policy_compile_text("mem.conf", text, sizeof(text) - 1, POLICY_NO_FILES, &errs);
	assert_non_null(p);
	assert_int_equal(errs.n, 0);
	assert_string_equal(p->path, "mem.conf");
	assert_true(p->monitor);
	assert_int_equal(p->ndevices, 2);
	assert_string_equal(p->devices[0].name, "cam");
	assert_int_equal(p->devices[0].line, 5);
	assert_int_equal(p->devices[0].nprefixes, 1);
	assert_string_equal(p->devices[1].name, "nvr");
	assert_int_equal(p->devices[1].nips, 1);
	assert_int_equal(p->nrules, 2);
	assert_string_equal(p->rules[0].name, "local");
	assert_int_equal(p->rules[0].action, ACTION_ALLOW);
	assert_int_equal(p->rules[0].from, 1);
	assert_int_equal(p->rules[0].nto, 1);
	assert_string_equal(p->rules[1].name, "rule2");
	assert_int_equal(p->rules[1].line, 10);
	assert_int_equal(p->rules[1].from, 3);
	assert_int_equal(p->rules[1].action, ACTION_REJECT);
	assert_true(p->rules[1].log);
	assert_non_null(p->lan);
	policy_free(p);
}

/* policy_compile_text: errors as NAME:LINE, and no file read with POLICY_NO_FILES. */
static void test_compile_text_errors(void **state)
{
	static const char bad[] = "version = 1;\n"
				  "mode = \"loud\";\n"
				  "rules = ( { action = \"allow\"; port = 70000; } );\n";
	static const char inc[] = "version = 1;\n"
				  "@include \"/etc/passwd\"\n"
				  "vendors = { registry = \"/etc/hostname\"; };\n"
				  "rules = ( { action = \"allow\"; } );\n";
	struct policy_errors errs;

	(void)state;
	assert_null(policy_compile_text("mem.conf", bad, strlen(bad), 0, &errs));
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.lines[0], "mem.conf:2: mode 'loud': use enforce or monitor");
	assert_string_equal(errs.lines[1], "mem.conf:3: port 70000 is outside 0-65535");
	policy_errors_clear(&errs);

	assert_null(policy_compile_text("fuzz", inc, strlen(inc), POLICY_NO_FILES, &errs));
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.lines[0], "fuzz:2: @include is not allowed here");
	assert_string_equal(errs.lines[1],
			    "fuzz:3: registry /etc/hostname: reading files is not allowed here");
	policy_errors_clear(&errs);
}

/* A UTF-8 byte order mark, as Windows editors write one, is not text; lines count as before. */
static void test_byte_order_mark(void **state)
{
	static const char bom[] = "\xef\xbb\xbfversion = 1;\n"
				  "rules = ( { action = \"allow\"; port = 70000; } );\n";
	struct policy_errors errs;
	struct policy *p;

	(void)state;
	assert_null(policy_compile_text("win.conf", bom, strlen(bom), 0, &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.lines[0], "win.conf:2: port 70000 is outside 0-65535");
	policy_errors_clear(&errs);
	p = policy_compile_text("win.conf", bom, strlen(bom) - strlen("port = 70000; } );\n"), 0,
				&errs);
	assert_null(p); /* cut short: a syntax error, not the mark */
	assert_int_equal(errs.n, 1);
	assert_null(strstr(errs.lines[0], ":1:"));
	policy_errors_clear(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_too_many_prefixes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_rules_and_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_domains, setup, teardown),
		cmocka_unit_test(test_compile_text),
		cmocka_unit_test(test_compile_text_errors),
		cmocka_unit_test(test_byte_order_mark),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
