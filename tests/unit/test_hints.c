/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hints.c - identify_hints: the policy key (every error it reports,
 * as FILE:LINE, and its domain lists read as a rule's are) and the scorer
 * of engine/hints.h.  Cameras are found; ordinary hosts never are: a
 * laptop, a laptop named after the vendor, a printer, a busybox device
 * that is no camera, a phone with the vendor's app among its other names,
 * a phone that opens the app for a few minutes, a host asking for one
 * vendor name, a host whose many names overflow its table.  The table's
 * bound holds.  Policy files go into a fresh directory under /tmp.
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

#include "decode/dhcp.h"
#include "engine/hints.h"
#include "policy/policy.h"
#include "policy_file.h"

static const uint8_t cam[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x64 };
static const uint8_t laptop[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x17 };

static const char hints_text[] =
	"version = 1;\n"
	"identify = [ \"discovery\", \"dhcp\", \"dns\" ];\n"
	"identify_hints = {\n"
	"  hikvision = { vendor = \"Hikvision\"; dhcp_hostname = [ \"DS-2CD*\", \"HIKVISION*\" ];\n"
	"    dhcp_vendor_class = \"udhcp *\"; dhcp_parameters = [ \"1,3,6,12,15,28,42\" ];\n"
	"    domain = [ \"*.hik-connect.com\", \"*.ezvizlife.com\", \"*.ys7.com\" ]; };\n"
	"  dahua = { vendor = \"Dahua\"; dhcp_hostname = \"IPC-H*\";\n"
	"    dhcp_vendor_class = \"udhcp *\";\n"
	"    domain = [ \"*.easy4ipcloud.com\", \"*.imoulife.com\" ]; };\n"
	"};\n"
	"rules = ( { action = \"allow\"; } );\n";

/* --- requests ---------------------------------------------------------------- */

static void request(struct dhcp_request *r, const uint8_t mac[6], const char *hostname,
		    const char *vendor_class, const char *params)
{
	const char *s = params;

	memset(r, 0, sizeof(*r));
	r->type = DHCP_REQUEST;
	memcpy(r->chaddr, mac, 6);
	snprintf(r->hostname, sizeof(r->hostname), "%s", hostname);
	snprintf(r->vendor_class, sizeof(r->vendor_class), "%s", vendor_class);
	while (s && *s) {
		r->params[r->nparams++] = (uint8_t)strtoul(s, (char **)&s, 10);
		if (*s == ',')
			s++;
	}
}

/* busybox udhcpc's defaults: its vendor class and its parameter request list */
#define UDHCPC_VC "udhcp 1.36.1"
#define UDHCPC_PRL "1,3,6,12,15,28,42"
/* Windows 10, as fingerbank lists it */
#define WINDOWS_PRL "1,3,6,15,31,33,43,44,46,47,119,121,249,252"
/* an HP printer, as fingerbank lists it */
#define HP_PRINTER_PRL "1,3,7,44,51,54,58,59,12,15,144,18"
/* iOS, as fingerbank lists it */
#define IOS_PRL "1,3,6,15,119,252"

struct table_fixture {
	struct policy *p;
	struct hint_table t;
};

static int table_setup(void **state)
{
	struct table_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->p = policy_of_text(hints_text);
	if (hints_init(&f->t, 64)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int table_teardown(void **state)
{
	struct table_fixture *f = *state;

	hints_fini(&f->t);
	policy_free(f->p);
	free(f);
	return 0;
}

static bool dhcp(struct table_fixture *f, const uint8_t mac[6], const char *hostname,
		 const char *vendor_class, const char *params, struct hint_found *out)
{
	struct dhcp_request r;

	request(&r, mac, hostname, vendor_class, params);
	return hints_dhcp(&f->t, f->p, mac, &r, 1000, out);
}

/* Printable ASCII, and its backslashes only in \\ and \xHH. */
static void assert_printable(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		assert_true(s[i] >= 0x20 && s[i] <= 0x7e);
		if (s[i] != '\\')
			continue;
		assert_true(i + 1 < n);
		if (s[i + 1] == '\\') {
			i++;
			continue;
		}
		assert_true(s[i + 1] == 'x' && i + 3 < n);
		i += 3;
	}
}

/* --- DHCP ------------------------------------------------------------------------ */

static void test_dhcp_camera(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;

	memset(&out, 0, sizeof(out));
	assert_true(dhcp(f, cam, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL, &out));
	assert_int_equal(out.by, FOUND_DHCP);
	assert_string_equal(out.vendor, "Hikvision");
	assert_string_equal(out.detail, "hostname=DS-2CD2143G2-I vendor_class=udhcp 1.36.1 "
					"parameters=1,3,6,12,15,28,42");
	/* reported once: the caller keeps it */
	assert_false(dhcp(f, cam, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL, &out));
	assert_int_equal(f->t.st.identified, 1);
}

/* Two points, one of them the host name; case does not matter. */
static void test_dhcp_points(void **state)
{
	struct table_fixture *f = *state;
	const uint8_t a[6] = { 2, 0, 0, 0, 1, 1 }, b[6] = { 2, 0, 0, 0, 1, 2 },
		      c[6] = { 2, 0, 0, 0, 1, 3 }, d[6] = { 2, 0, 0, 0, 1, 4 };
	struct hint_found out;

	/* host name and parameter list: the vendor class of another client */
	assert_true(dhcp(f, a, "ds-2cd2043g0-i", "", UDHCPC_PRL, &out));
	assert_string_equal(out.detail, "hostname=ds-2cd2043g0-i parameters=1,3,6,12,15,28,42");
	/* host name alone: one point */
	assert_false(dhcp(f, b, "DS-2CD2043G0-I", "", "1,3,6", &out));
	assert_false(dhcp(f, b, "DS-2CD2043G0-I", "MSFT 5.0", WINDOWS_PRL, &out));
	/* Dahua's host name and the udhcpc vendor class */
	assert_true(dhcp(f, c, "IPC-HDW2431T-AS-S2", UDHCPC_VC, "1,3,6", &out));
	assert_string_equal(out.vendor, "Dahua");
	assert_string_equal(out.detail, "hostname=IPC-HDW2431T-AS-S2 vendor_class=udhcp 1.36.1");
	/* a parameter list cut at 64 is no list a hint names */
	{
		struct dhcp_request r;

		request(&r, d, "DS-2CD2043G0-I", "", UDHCPC_PRL);
		r.params_cut = true;
		assert_false(hints_dhcp(&f->t, f->p, d, &r, 1000, &out));
	}
}

/* Hosts that are no cameras, whatever the hints. */
static void test_dhcp_not_cameras(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;

	/* a laptop with a normal name */
	assert_false(dhcp(f, laptop, "DESKTOP-4F2K9Q1", "MSFT 5.0", WINDOWS_PRL, &out));
	assert_false(dhcp(f, laptop, "Marias-MacBook-Air", "", IOS_PRL, &out));
	/* the installer's laptop, named after the vendor */
	assert_false(dhcp(f, laptop, "HIKVISION-PC", "MSFT 5.0", WINDOWS_PRL, &out));
	/* a phone with the vendor's app */
	assert_false(dhcp(f, laptop, "Galaxy-S21", "android-dhcp-13", "1,3,6,15,26,28,51,58,59,43",
			  &out));
	/* a printer */
	assert_false(dhcp(f, laptop, "HP3C52823A4B", "", HP_PRINTER_PRL, &out));
	assert_false(
		dhcp(f, laptop, "NPI8F2A4C", "Hewlett-Packard JetDirect", HP_PRINTER_PRL, &out));
	/* a busybox device that is no camera: the vendor class and list of every one */
	assert_false(dhcp(f, laptop, "tasmota-1A2B3C", UDHCPC_VC, UDHCPC_PRL, &out));
	assert_false(dhcp(f, laptop, "", UDHCPC_VC, UDHCPC_PRL, &out));
	assert_int_equal(f->t.st.identified, 0);
	/* no host entry for requests that identify nothing */
	assert_int_equal(f->t.st.hosts, 0);
}

/* The frame's MAC must be the request's; the policy must ask for "dhcp". */
static void test_dhcp_conditions(void **state)
{
	struct table_fixture *f = *state;
	struct dhcp_request r;
	struct hint_found out;
	struct policy *p;

	request(&r, laptop, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL);
	assert_false(hints_dhcp(&f->t, f->p, cam, &r, 1000, &out));
	p = policy_of_text("version = 1;\n"
			   "identify = [ \"discovery\", \"dns\" ];\n"
			   "identify_hints = { h = { vendor = \"Hikvision\";\n"
			   "  dhcp_hostname = \"DS-2CD*\"; dhcp_vendor_class = \"udhcp*\";\n"
			   "  domain = \"*.hik-connect.com\"; }; };\n"
			   "rules = ( { action = \"allow\"; } );\n");
	request(&r, cam, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL);
	assert_false(hints_dhcp(&f->t, p, cam, &r, 1000, &out));
	assert_true(hints_dhcp(&f->t, f->p, cam, &r, 1000, &out));
	policy_free(p);
}

/* The hint with the most points wins; the first among equals. */
static void test_dhcp_best_hint(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	struct policy *p;
	struct dhcp_request r;

	p = policy_of_text(
		"version = 1;\n"
		"identify = \"dhcp\";\n"
		"identify_hints = {\n"
		"  oem = { vendor = \"Annke\"; dhcp_hostname = \"DS-*\";\n"
		"    dhcp_vendor_class = \"udhcp*\"; };\n"
		"  hik = { vendor = \"Hikvision\"; dhcp_hostname = \"DS-2CD*\";\n"
		"    dhcp_vendor_class = \"udhcp*\"; dhcp_parameters = \"1,3,6,12,15,28,42\"; };\n"
		"  hik2 = { vendor = \"Hikvision2\"; dhcp_hostname = \"DS-2CD*\";\n"
		"    dhcp_vendor_class = \"udhcp*\"; dhcp_parameters = \"1,3,6,12,15,28,42\"; };\n"
		"};\n"
		"rules = ( { action = \"allow\"; } );\n");
	request(&r, cam, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL);
	assert_true(hints_dhcp(&f->t, p, cam, &r, 1000, &out));
	assert_string_equal(out.vendor, "Hikvision");
	request(&r, laptop, "DS-7608NI", UDHCPC_VC, "1,3,6");
	assert_true(hints_dhcp(&f->t, p, laptop, &r, 1000, &out));
	assert_string_equal(out.vendor, "Annke");
	policy_free(p);
}

/* Patterns: '*' anywhere, any number of them, backtracking; no other wildcard. */
static void test_dhcp_patterns(void **state)
{
	struct table_fixture *f = *state;
	static const struct {
		const char *pattern, *hostname;
		bool match;
	} cases[] = {
		{ "cam*", "CAMERA-1", true },
		{ "*cam", "mycam", true },
		{ "*cam*", "a-cam-b", true },
		{ "a*b*c", "aXbYbZc", true },
		{ "a*b*c", "aXbYbZ", false },
		{ "abc", "abcd", false },
		{ "abc*", "ab", false },
		{ "ab?", "abc", false },
		{ "ab?", "ab?", true },
		{ "**abc**", "xabcx", true },
		{ "a\\\\\\\\b*", "a\\\\bc", true },
		{ "*\\\\x00*", "cam\\x00", true },
		{ "*aab", "aaab", true },
		{ "a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	};
	struct hint_found out;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t mac[6] = { 2, 0, 0, 9, 0, (uint8_t)i };
		struct policy *p;
		struct dhcp_request r;

		snprintf(text, sizeof(text),
			 "version = 1;\nidentify = \"dhcp\";\n"
			 "identify_hints = { h = { vendor = \"Vendor\"; dhcp_hostname = \"%s\";\n"
			 "  dhcp_vendor_class = \"udhcp*\"; }; };\n"
			 "rules = ( { action = \"allow\"; } );\n",
			 cases[i].pattern);
		p = policy_of_text(text);
		request(&r, mac, cases[i].hostname, UDHCPC_VC, "");
		if (hints_dhcp(&f->t, p, mac, &r, 1000, &out) != cases[i].match)
			fail_msg("pattern %s, host name %s", cases[i].pattern, cases[i].hostname);
		policy_free(p);
	}
}

/* The evidence is cut to its field, with "...", never inside an escape. */
static void test_dhcp_detail_cut(void **state)
{
	struct table_fixture *f = *state;
	char host[DHCP_TEXT_MAX], vc[DHCP_TEXT_MAX];
	struct hint_found out;
	struct dhcp_request r;
	size_t n;

	memset(host, 0, sizeof(host));
	memcpy(host, "DS-2CD", 6);
	for (n = 6; n + 4 < sizeof(host) - 4; n += 4)
		memcpy(host + n, "\\x01", 4);
	memcpy(host + n, "...", 3);
	memset(vc, 0, sizeof(vc));
	memcpy(vc, "udhcp ", 6);
	for (n = 6; n + 4 < sizeof(vc); n += 4)
		memcpy(vc + n, "\\x7f", 4);
	request(&r, cam, host, vc, UDHCPC_PRL);
	assert_true(hints_dhcp(&f->t, f->p, cam, &r, 1000, &out));
	n = strlen(out.detail);
	assert_true(n < HINTS_DETAIL_MAX);
	assert_true(n >= HINTS_DETAIL_MAX - 8);
	assert_string_equal(out.detail + n - 3, "...");
	assert_printable(out.detail);
	assert_int_equal(strncmp(out.detail, "hostname=DS-2CD\\x01", 19), 0);
}

/* --- DNS ------------------------------------------------------------------------- */

static bool dns(struct table_fixture *f, const uint8_t mac[6], const char *qname, uint64_t now,
		struct hint_found *out)
{
	return hints_dns(&f->t, f->p, mac, qname, now, out);
}

/*
 * A camera: its cloud's names and an NTP pool, every five minutes.  Found
 * at the first query the dwell (900 s by default) after its names first
 * dominated.
 */
static void test_dns_camera(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	uint64_t t;

	for (t = 0; t < 900; t += 300) {
		assert_false(dns(f, cam, "dev.hik-connect.com", t, &out));
		assert_false(dns(f, cam, "litedev.ezvizlife.com", t + 1, &out));
		assert_false(dns(f, cam, "pool.ntp.org", t + 2, &out));
	}
	assert_false(dns(f, cam, "dev.hik-connect.com", 900, &out));
	memset(&out, 0, sizeof(out));
	assert_true(dns(f, cam, "litedev.ezvizlife.com", 901, &out));
	assert_int_equal(out.by, FOUND_DNS);
	assert_string_equal(out.vendor, "Hikvision");
	assert_string_equal(out.detail, "dns: litedev.ezvizlife.com, dev.hik-connect.com");
	/* once */
	assert_false(dns(f, cam, "pool.ntp.org", 902, &out));
	assert_false(dns(f, cam, "dev.hik-connect.com", 2000, &out));
	assert_int_equal(f->t.st.identified, 1);
}

/* A camera that falls silent for a window starts over. */
static void test_dns_silence(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;

	assert_false(dns(f, cam, "p2p.easy4ipcloud.com", 0, &out));
	assert_false(dns(f, cam, "www.imoulife.com", 10, &out));
	/* ten minutes and more of nothing */
	assert_false(dns(f, cam, "p2p.easy4ipcloud.com", 700, &out));
	assert_false(dns(f, cam, "www.imoulife.com", 710, &out));
	assert_false(dns(f, cam, "p2p.easy4ipcloud.com", 1000, &out));
	assert_false(dns(f, cam, "www.imoulife.com", 1300, &out));
	assert_false(dns(f, cam, "p2p.easy4ipcloud.com", 1609, &out));
	assert_true(dns(f, cam, "www.imoulife.com", 1610, &out));
	assert_string_equal(out.vendor, "Dahua");
}

/* A phone with the vendor's app: three of its names among twenty others, for hours. */
static void test_dns_phone(void **state)
{
	struct table_fixture *f = *state;
	static const char *const vendor[] = { "api.hik-connect.com", "isgp.hik-connect.com",
					      "ieu.hik-connect.com" };
	struct hint_found out;
	char name[64];
	uint64_t t;
	int i;

	for (t = 0; t < 4 * 3600; t += 60) {
		for (i = 0; i < 3; i++)
			assert_false(dns(f, laptop, vendor[i], t + (uint64_t)i, &out));
		for (i = 0; i < 20; i++) {
			snprintf(name, sizeof(name), "svc%d.example-%d.com", i, (int)(t / 600));
			assert_false(dns(f, laptop, name, t + 3 + (uint64_t)i, &out));
		}
	}
	/* a quieter phone, two others a minute: still not half */
	for (t = 5 * 3600; t < 8 * 3600; t += 60) {
		for (i = 0; i < 3; i++)
			assert_false(dns(f, laptop, vendor[i], t + (uint64_t)i, &out));
		snprintf(name, sizeof(name), "push%d.apple.com", (int)(t / 60 % 4));
		assert_false(dns(f, laptop, name, t + 5, &out));
	}
	assert_int_equal(f->t.st.identified, 0);
}

/* A phone that wakes up and opens the app for a few minutes, then goes quiet. */
static void test_dns_phone_app_minutes(void **state)
{
	struct table_fixture *f = *state;
	static const char *const vendor[] = { "api.hik-connect.com", "isgp.hik-connect.com",
					      "ieu.hik-connect.com", "i.ys7.com" };
	struct hint_found out;
	uint64_t day, t;

	for (day = 0; day < 5; day++) {
		uint64_t t0 = day * 86400;

		/* five minutes of live view: the app's names every 30 s, the OS's every 2 min */
		for (t = t0; t < t0 + 300; t += 30) {
			assert_false(dns(f, laptop, vendor[t / 30 % 4], t, &out));
			if ((t - t0) % 120 == 0)
				assert_false(dns(f, laptop, "mtalk.google.com", t + 1, &out));
		}
		/* then a locked phone, a background query now and then */
		for (t = t0 + 300; t < t0 + 3600; t += 250)
			assert_false(dns(f, laptop, "connectivitycheck.gstatic.com", t, &out));
		/* a burst of four vendor names in 30 s, one other name a while later */
		assert_false(dns(f, laptop, vendor[0], t0 + 7200, &out));
		assert_false(dns(f, laptop, vendor[1], t0 + 7210, &out));
		assert_false(dns(f, laptop, vendor[2], t0 + 7220, &out));
		assert_false(dns(f, laptop, vendor[3], t0 + 7230, &out));
		assert_false(dns(f, laptop, "time.apple.com", t0 + 7200 + 620, &out));
		assert_false(dns(f, laptop, "time.apple.com", t0 + 7200 + 905, &out));
		assert_false(dns(f, laptop, vendor[0], t0 + 7200 + 1000, &out));
	}
	assert_int_equal(f->t.st.identified, 0);
}

/* A host that asks for one vendor name, and nothing else, all day. */
static void test_dns_one_name(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	uint64_t t;

	for (t = 0; t < 86400; t += 30)
		assert_false(dns(f, laptop, "dev.hik-connect.com", t, &out));
	/* two names of two vendors are one of each */
	for (t = 86400; t < 2 * 86400; t += 30)
		assert_false(dns(f, laptop, t % 60 ? "dev.hik-connect.com" : "p2p.easy4ipcloud.com",
				 t, &out));
	assert_int_equal(f->t.st.identified, 0);
}

/*
 * More distinct names than a host's table holds: those pushed out still
 * count.  Forty other names, each followed by one of sixteen of the
 * vendor's, every minute for half an hour: the table keeps the sixteen and
 * sixteen others, which alone would be half.
 */
static void test_dns_overflow(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	char name[64];
	uint64_t t;
	int i;

	for (t = 0; t < 1800; t += 60) {
		for (i = 0; i < 40; i++) {
			snprintf(name, sizeof(name), "n%d.example.org", i);
			assert_false(dns(f, laptop, name, t, &out));
			snprintf(name, sizeof(name), "s%d.hik-connect.com", i % 16);
			assert_false(dns(f, laptop, name, t, &out));
		}
	}
	assert_int_equal(f->t.st.identified, 0);
}

/* Without "dns" in identify, or without a hint with domains: nothing, no table entry. */
static void test_dns_conditions(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	struct policy *p;
	uint64_t t;

	p = policy_of_text(
		"version = 1;\n"
		"identify = \"dhcp\";\n"
		"identify_hints = { h = { vendor = \"Hikvision\"; dhcp_hostname = \"DS-2CD*\";\n"
		"  domain = \"*.hik-connect.com\"; }; };\n"
		"rules = ( { action = \"allow\"; } );\n");
	for (t = 0; t < 2000; t += 100) {
		assert_false(hints_dns(&f->t, p, cam, "a.hik-connect.com", t, &out));
		assert_false(hints_dns(&f->t, p, cam, "b.hik-connect.com", t + 1, &out));
	}
	policy_free(p);
	p = policy_of_text("version = 1;\n"
			   "identify = [ \"dhcp\", \"dns\" ];\n"
			   "identify_hints = {\n"
			   "  a = { vendor = \"Hikvision\"; dhcp_hostname = \"DS-2CD*\"; };\n"
			   "  b = { vendor = \"Dahua\"; domain = \"*.imoulife.com\"; };\n"
			   "};\n"
			   "rules = ( { action = \"allow\"; } );\n");
	assert_false(hints_dns(&f->t, p, cam, "a.hik-connect.com", 0, &out));
	assert_int_equal(f->t.st.hosts, 1); /* b has domains: the host is watched */
	assert_false(hints_dns(&f->t, p, cam, "", 1, &out));
	assert_false(hints_dns(&f->t, p, cam, NULL, 1, &out));
	policy_free(p);
	p = policy_of_text(
		"version = 1;\n"
		"identify = [ \"dhcp\" ];\n"
		"identify_hints = { a = { vendor = \"Hikvision\"; dhcp_hostname = \"DS-*\"; }; };\n"
		"rules = ( { action = \"allow\"; } );\n");
	assert_false(hints_dns(&f->t, p, laptop, "a.hik-connect.com", 0, &out));
	assert_int_equal(f->t.st.hosts, 1);
	policy_free(p);
}

/* A new policy: what the hosts' DNS showed is forgotten, who was found is not. */
static void test_dns_new_policy(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	struct policy *p2 = policy_of_text(hints_text);
	uint64_t t;

	assert_true(dhcp(f, laptop, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL, &out));
	for (t = 0; t < 600; t += 100) {
		assert_false(dns(f, cam, "a.hik-connect.com", t, &out));
		assert_false(dns(f, cam, "b.hik-connect.com", t + 1, &out));
	}
	/* the dwell starts again under p2 */
	for (t = 600; t < 1500; t += 100) {
		assert_false(hints_dns(&f->t, p2, cam, "a.hik-connect.com", t, &out));
		assert_false(hints_dns(&f->t, p2, cam, "b.hik-connect.com", t + 1, &out));
	}
	assert_false(hints_dns(&f->t, p2, cam, "a.hik-connect.com", 1500, &out));
	assert_true(hints_dns(&f->t, p2, cam, "b.hik-connect.com", 1501, &out));
	/* the laptop found by DHCP stays reported */
	assert_false(hints_dns(&f->t, p2, laptop, "a.hik-connect.com", 1500, &out));
	{
		struct dhcp_request r;

		request(&r, laptop, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL);
		assert_false(hints_dhcp(&f->t, p2, laptop, &r, 1500, &out));
	}
	hints_flush(&f->t);
	policy_free(p2);
}

/*
 * limits.identify_dns_window and identify_dns_dwell: the same camera found
 * after 30 s, and a silence of one short window starts it over.
 */
static void test_dns_limits(void **state)
{
	struct table_fixture *f = *state;
	struct hint_found out;
	struct policy *p;
	char text[sizeof(hints_text) + 128];
	uint64_t t;

	snprintf(text, sizeof(text),
		 "%slimits = { identify_dns_window = 20; identify_dns_dwell = 30; };\n",
		 hints_text);
	p = policy_of_text(text);
	assert_int_equal(p->dns_window, 20);
	assert_int_equal(p->dns_dwell, 30);
	for (t = 0; t < 30; t += 5) {
		assert_false(hints_dns(&f->t, p, cam, "dev.hik-connect.com", t, &out));
		assert_false(hints_dns(&f->t, p, cam, "litedev.ezvizlife.com", t + 1, &out));
	}
	/* its names dominated from 1 s on */
	assert_false(hints_dns(&f->t, p, cam, "dev.hik-connect.com", 30, &out));
	assert_true(hints_dns(&f->t, p, cam, "litedev.ezvizlife.com", 31, &out));
	assert_int_equal(out.by, FOUND_DNS);
	/* 20 s of silence: the Dahua camera starts over at 131 */
	assert_false(hints_dns(&f->t, p, laptop, "p2p.easy4ipcloud.com", 100, &out));
	assert_false(hints_dns(&f->t, p, laptop, "www.imoulife.com", 101, &out));
	assert_false(hints_dns(&f->t, p, laptop, "p2p.easy4ipcloud.com", 121, &out));
	assert_false(hints_dns(&f->t, p, laptop, "www.imoulife.com", 131, &out));
	assert_false(hints_dns(&f->t, p, laptop, "p2p.easy4ipcloud.com", 140, &out));
	assert_false(hints_dns(&f->t, p, laptop, "www.imoulife.com", 150, &out));
	assert_false(hints_dns(&f->t, p, laptop, "p2p.easy4ipcloud.com", 160, &out));
	assert_true(hints_dns(&f->t, p, laptop, "www.imoulife.com", 161, &out));
	assert_string_equal(out.vendor, "Dahua");
	hints_flush(&f->t);
	policy_free(p);
	/* the defaults */
	assert_int_equal(f->p->dns_window, 600);
	assert_int_equal(f->p->dns_dwell, 900);
}

/* At most max_hosts hosts; the least recently seen gives way. */
static void test_table_bound(void **state)
{
	struct table_fixture *f = *state;
	struct hint_table t;
	struct hint_found out;
	struct dhcp_request r;
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 0 };
	int i;

	(void)state;
	assert_int_equal(hints_init(&t, 0), -EINVAL);
	assert_int_equal(hints_init(&t, 3), 0);
	request(&r, cam, "DS-2CD2143G2-I", UDHCPC_VC, UDHCPC_PRL);
	assert_true(hints_dhcp(&t, f->p, cam, &r, 0, &out));
	for (i = 0; i < 1000; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		assert_false(hints_dns(&t, f->p, mac, "www.example.com", (uint64_t)i, &out));
		assert_true(t.st.hosts <= 3);
	}
	assert_int_equal(t.st.hosts, 3);
	assert_int_equal(t.st.evicted, 1000 + 1 - 3);
	/* the camera was pushed out: found again, reported again */
	assert_true(hints_dhcp(&t, f->p, cam, &r, 2000, &out));
	hints_fini(&t);
}

/* --- the policy key ---------------------------------------------------------------- */

struct dir_fixture {
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

static void write_file(const struct dir_fixture *f, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	mkdirs(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static int dir_setup(void **state)
{
	struct dir_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nfqg-hints-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
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

static int dir_teardown(void **state)
{
	struct dir_fixture *f = *state;
	int r = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(f);
	return r;
}

static struct policy *load(const struct dir_fixture *f, const char *rel, struct policy_errors *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	return policy_load(path, e);
}

/* rel fails to load with exactly these errors ("{D}" the directory; without a leading one, in p.conf). */
static void expect_errors(const struct dir_fixture *f, const char *rel, const char *const *expect)
{
	struct policy_errors e;
	struct policy *p = load(f, rel, &e);
	char want[PATH_MAX * 2];
	size_t i, n = 0;

	while (expect[n])
		n++;
	for (i = 0; e.n != n && i < e.n; i++)
		print_message("  got: %s\n", e.lines[i]);
	assert_null(p);
	assert_int_equal(e.n, n);
	for (i = 0; i < n; i++) {
		const char *x = expect[i], *d;
		size_t k = 0;

		if (strncmp(x, "{D}", 3))
			k = (size_t)snprintf(want, sizeof(want), "%s/p.conf:", f->dir);
		while ((d = strstr(x, "{D}"))) {
			k += (size_t)snprintf(want + k, sizeof(want) - k, "%.*s%s", (int)(d - x), x,
					      f->dir);
			x = d + 3;
		}
		snprintf(want + k, sizeof(want) - k, "%s", x);
		assert_string_equal(e.lines[i], want);
	}
	policy_errors_clear(&e);
}

/* A hint compiled, its domain list relative to the file that names it. */
static void test_policy_hint(void **state)
{
	struct dir_fixture *f = *state;
	struct policy_errors e;
	struct policy *p;
	struct name n;

	write_file(f, "p.conf",
		   "version = 1;\n"
		   "identify = [ \"discovery\", \"dhcp\", \"dns\" ];\n"
		   "@include \"conf/hints.conf\"\n"
		   "rules = ( { action = \"allow\"; } );\n");
	write_file(f, "conf/hints.conf",
		   "identify_hints = {\n"
		   "  hikvision = {\n"
		   "    vendor = \"Hikvision\";\n"
		   "    dhcp_hostname = [ \"DS-2CD*\", \"HIKVISION*\" ];\n"
		   "    dhcp_vendor_class = \"udhcp *\";\n"
		   "    dhcp_parameters = [ \"1,3,6,12,15,28,42\", \" 1, 3 ,254\" ];\n"
		   "    domain_file = \"domains/hik.list\";\n"
		   "    domain = \"time.example.org\";\n"
		   "  };\n"
		   "};\n");
	write_file(f, "conf/domains/hik.list", "*.hik-connect.com\n# a comment\n*.ys7.com\n");
	p = load(f, "p.conf", &e);
	for (size_t i = 0; i < e.n; i++)
		print_message("  got: %s\n", e.lines[i]);
	assert_non_null(p);
	policy_errors_clear(&e);
	assert_int_equal(p->nhints, 1);
	assert_string_equal(p->hints[0].name, "hikvision");
	assert_string_equal(p->hints[0].vendor, "Hikvision");
	assert_int_equal(p->hints[0].line, 2);
	assert_non_null(strstr(p->hints[0].file, "conf/hints.conf"));
	assert_int_equal(p->hints[0].nhostnames, 2);
	assert_string_equal(p->hints[0].hostnames[1], "HIKVISION*");
	assert_int_equal(p->hints[0].nvendor_classes, 1);
	assert_int_equal(p->hints[0].nparams, 2);
	assert_int_equal(p->hints[0].params[0].n, 7);
	assert_int_equal(p->hints[0].params[0].v[6], 42);
	assert_int_equal(p->hints[0].params[1].n, 3);
	assert_int_equal(p->hints[0].params[1].v[2], 254);
	assert_int_equal(domain_set_count(p->hints[0].domains), 3);
	assert_int_equal(p->ndomains, 3);
	name_set(&n, (const uint8_t *)"dev.hik-connect.com", 19);
	assert_string_equal(domain_set_match(p->hints[0].domains, &n), "*.hik-connect.com");
	assert_int_equal(p->identify, IDENTIFY_DISCOVERY | IDENTIFY_DHCP | IDENTIFY_DNS);
	policy_free(p);
}

/* Every error of the key, at its line. */
static void test_policy_errors(void **state)
{
	struct dir_fixture *f = *state;
	char many[8192];
	size_t i, n;
	const char *const expect[] = {
		"4: unknown key 'dhcp_hostnames' in an identify hint (did you mean 'dhcp_hostname'?)",
		"5: identify_hints.b has no vendor: name what the hosts it identifies are found as "
		"(vendor = \"Hikvision\";)",
		"6: identify_hints.c: vendor 'AB': 3 to 63 printable characters, no quotes or "
		"backslashes, no leading or trailing space",
		"7: identify_hints.d: dhcp_hostname '*ab*' would match almost anything: give it at "
		"least 3 characters besides '*'",
		"8: identify_hints.d: dhcp_hostname 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaa' is longer than the 63 characters of the DHCP text it is matched "
		"against",
		"9: identify_hints.d: dhcp_vendor_class pattern: printable ASCII only",
		"10: identify_hints.d: dhcp_parameters '1,0,3': 1 to 64 option numbers (1-254) "
		"separated by commas, in the order the client sends them, as \"1,3,6,12,15,28,42\"",
		"10: identify_hints.d: dhcp_parameters '1,255': 1 to 64 option numbers (1-254) "
		"separated by commas, in the order the client sends them, as \"1,3,6,12,15,28,42\"",
		"10: identify_hints.d: dhcp_parameters '1,,3': 1 to 64 option numbers (1-254) "
		"separated by commas, in the order the client sends them, as \"1,3,6,12,15,28,42\"",
		"10: identify_hints.d: dhcp_parameters '': 1 to 64 option numbers (1-254) "
		"separated by commas, in the order the client sends them, as \"1,3,6,12,15,28,42\"",
		"10: identify_hints.d: dhcp_parameters '1;3': 1 to 64 option numbers (1-254) "
		"separated by commas, in the order the client sends them, as \"1,3,6,12,15,28,42\"",
		"11: 'dhcp_vendor_class' must be a string or a list of strings, not a number",
		"11: identify_hints.e: dhcp_vendor_class and dhcp_parameters count only beside a "
		"dhcp_hostname match (devices of every kind share a DHCP client): add dhcp_hostname",
		"13: identify_hints.f matches nothing: give it dhcp_hostname or domain_file",
		"14: identify_hints.g must be a group { vendor = \"...\"; ... }",
		"15: 'dhcp_hostname' has no patterns: add some, or remove the key",
		"16: 'x y.com' is not a domain name or *.domain pattern",
		"{D}/l/x.list:2: 'bad..name' is not a domain name or *.domain pattern",
		"18: list {D}/l/none.list: No such file or directory",
		NULL,
	};

	write_file(f, "l/x.list", "ok.example.com\nbad..name\n");
	write_file(
		f, "p.conf",
		"version = 1;\n"
		"identify = [ \"dhcp\", \"dns\" ];\n"
		"identify_hints = {\n"
		"  a = { vendor = \"Hikvision\"; dhcp_hostnames = \"DS-2CD*\"; };\n"
		"  b = { dhcp_hostname = \"DS-2CD*\"; };\n"
		"  c = { vendor = \"AB\"; dhcp_hostname = \"DS-2CD*\"; };\n"
		"  d = { vendor = \"Vendor\"; dhcp_hostname = [ \"DS-2CD*\", \"*ab*\",\n"
		"    \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" ];\n"
		"    dhcp_vendor_class = \"udhcp\\t*\";\n"
		"    dhcp_parameters = [ \"1,0,3\", \"1,255\", \"1,,3\", \"\", \"1;3\" ]; };\n"
		"  e = { vendor = \"Vendor\"; dhcp_vendor_class = 7; dhcp_parameters = \"1,3\";\n"
		"    domain = \"a.example.com\"; };\n"
		"  f = { vendor = \"Vendor\"; };\n"
		"  g = \"Vendor\";\n"
		"  h = { vendor = \"Vendor\"; dhcp_hostname = [ ]; };\n"
		"  i = { vendor = \"Vendor\"; domain = \"x y.com\";\n"
		"    domain_file = \"l/x.list\"; };\n"
		"  j = { vendor = \"Vendor\"; domain_file = \"l/none.list\"; };\n"
		"};\n"
		"rules = ( { action = \"allow\"; } );\n");
	expect_errors(f, "p.conf", expect);

	/* more than 32 hints; 65 options in one list; more than 256 patterns */
	n = (size_t)snprintf(many, sizeof(many), "version = 1;\nidentify_hints = {\n");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(
			many + n, sizeof(many) - n,
			"  h%zu = { vendor = \"Vendor\"; dhcp_hostname = \"cam*\"; };\n", i);
	snprintf(many + n, sizeof(many) - n, "};\nrules = ( { action = \"allow\"; } );\n");
	write_file(f, "p.conf", many);
	{
		const char *const e2[] = { "2: 33 identify_hints, more than 32", NULL };

		expect_errors(f, "p.conf", e2);
	}
	n = (size_t)snprintf(many, sizeof(many),
			     "version = 1;\nidentify_hints = { h = { vendor = \"Vendor\";\n"
			     "  dhcp_hostname = \"cam*\"; dhcp_parameters = \"1");
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, ",%zu", i + 1);
	snprintf(many + n, sizeof(many) - n, "\"; }; };\nrules = ( { action = \"allow\"; } );\n");
	write_file(f, "p.conf", many);
	{
		struct policy_errors e;

		assert_null(load(f, "p.conf", &e));
		assert_int_equal(e.n, 1);
		assert_non_null(
			strstr(e.lines[0], "p.conf:3: identify_hints.h: dhcp_parameters '1,1,"));
		policy_errors_clear(&e);
	}
	n = (size_t)snprintf(many, sizeof(many),
			     "version = 1;\nidentify_hints = { h = { vendor = \"Vendor\";\n"
			     "  dhcp_hostname = [ ");
	for (i = 0; i < 257; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"c%03zu*\"", i ? ", " : "",
				      i);
	snprintf(many + n, sizeof(many) - n, " ]; }; };\nrules = ( { action = \"allow\"; } );\n");
	write_file(f, "p.conf", many);
	{
		const char *const e3[] = {
			"3: identify_hints.h: more than 256 dhcp_hostname patterns", NULL
		};

		expect_errors(f, "p.conf", e3);
	}
	/* a dwell shorter than the window; a window out of range */
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "limits = {\n"
		   "  identify_dns_window = 120;\n"
		   "  identify_dns_dwell = 60;\n"
		   "};\n"
		   "rules = ( { action = \"allow\"; } );\n");
	{
		const char *const e4[] = { "4: limits.identify_dns_dwell (60 s) must be at least "
					   "limits.identify_dns_window (120 s)",
					   NULL };

		expect_errors(f, "p.conf", e4);
	}
	write_file(f, "p.conf",
		   "version = 1;\nlimits = { identify_dns_window = 2; };\n"
		   "rules = ( { action = \"allow\"; } );\n");
	{
		struct policy_errors e;

		assert_null(load(f, "p.conf", &e));
		assert_int_equal(e.n, 1);
		assert_non_null(strstr(e.lines[0], "p.conf:2: "));
		assert_non_null(strstr(e.lines[0], "identify_dns_window"));
		policy_errors_clear(&e);
	}
}

/* identify's "dhcp" and "dns" need hints that can match them: the error at the word. */
static void test_policy_identify_needs(void **state)
{
	struct dir_fixture *f = *state;
	const char *const both[] = {
		"3: identify: \"dhcp\" needs identify_hints with dhcp_hostname (see "
		"policies/identify-hints.conf)",
		"4: identify: \"dns\" needs identify_hints with domain_file (see "
		"policies/identify-hints.conf)",
		NULL,
	};
	const char *const dns[] = {
		"2: identify: \"dns\" needs identify_hints with domain_file (see "
		"policies/identify-hints.conf)",
		NULL,
	};
	const char *const knock_on[] = {
		"4: identify_hints.h: vendor 'X': 3 to 63 printable characters, no quotes or "
		"backslashes, no leading or trailing space",
		NULL,
	};
	struct policy_errors e;
	struct policy *p;

	write_file(f, "p.conf",
		   "version = 1;\n"
		   "identify = [ \"discovery\",\n"
		   "  \"dhcp\",\n"
		   "  \"dns\" ];\n"
		   "rules = ( { action = \"allow\"; } );\n");
	expect_errors(f, "p.conf", both);
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "identify = \"dns\";\n"
		   "identify_hints = { h = { vendor = \"Vendor\"; dhcp_hostname = \"cam*\"; }; };\n"
		   "rules = ( { action = \"allow\"; } );\n");
	expect_errors(f, "p.conf", dns);
	/* the hint that had an error may be the one needed: that error alone */
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "identify = [ \"dhcp\", \"dns\" ];\n"
		   "identify_hints = {\n"
		   "  h = { vendor = \"X\"; dhcp_hostname = \"cam*\"; domain = \"a.com\"; }; };\n"
		   "rules = ( { action = \"allow\"; } );\n");
	expect_errors(f, "p.conf", knock_on);
	/* discovery alone needs nothing; hints without identify compile */
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "identify = \"discovery\";\n"
		   "identify_hints = { h = { vendor = \"Vendor\"; dhcp_hostname = \"cam*\"; }; };\n"
		   "rules = ( { action = \"allow\"; } );\n");
	p = load(f, "p.conf", &e);
	assert_non_null(p);
	assert_int_equal(e.n, 0);
	policy_errors_clear(&e);
	policy_free(p);
}

/* check warns of a hint whose vendor no group names. */
static void test_policy_lint(void **state)
{
	struct dir_fixture *f = *state;
	struct policy_errors e, w;
	struct policy *p;

	write_file(f, "reg.manuf",
		   "44:47:CC\tHangzhou\tHangzhou Hikvision Digital Technology Co.,Ltd.\n"
		   "08:ED:ED\tZhejiang\tZhejiang Dahua Technology Co., Ltd.\n");
	write_file(f, "p.conf",
		   "version = 1;\n"
		   "identify = [ \"dhcp\" ];\n"
		   "vendors = { registry = [ \"reg.manuf\" ]; };\n"
		   "devices = ( { name = \"hik\"; vendor = \"Hangzhou Hikvision\"; },\n"
		   "  { name = \"dahua\"; vendor = \"Zhejiang Dahua\"; } );\n"
		   "identify_hints = {\n"
		   "  hik = { vendor = \"Hikvision\"; dhcp_hostname = \"DS-2CD*\"; };\n"
		   "  dahua = { vendor = \"Dahua\"; dhcp_hostname = \"IPC-H*\"; };\n"
		   "  axis = { vendor = \"Axis\"; dhcp_hostname = \"axis-*\"; };\n"
		   "};\n"
		   "rules = ( { action = \"allow\"; } );\n");
	p = load(f, "p.conf", &e);
	assert_non_null(p);
	policy_errors_clear(&e);
	policy_lint(p, &w);
	for (size_t i = 0; w.n != 1 && i < w.n; i++)
		print_message("  warning: %s\n", w.lines[i]);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.lines[0],
			       "p.conf:9: warning: identify_hints.axis: no device "
			       "group's vendor names 'Axis': a host it identifies joins "
			       "no group, and nothing filters it"));
	policy_errors_clear(&w);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dhcp_camera, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_points, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_not_cameras, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_conditions, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_best_hint, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_patterns, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_detail_cut, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_camera, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_silence, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_phone, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_phone_app_minutes, table_setup,
						table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_one_name, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_overflow, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_conditions, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_new_policy, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_dns_limits, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_table_bound, table_setup, table_teardown),
		cmocka_unit_test_setup_teardown(test_policy_hint, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_policy_errors, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_policy_identify_needs, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_policy_lint, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
