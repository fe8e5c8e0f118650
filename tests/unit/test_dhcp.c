/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dhcp.c - dhcp_read_request() on client messages built byte by byte
 * in the shapes real clients send (busybox udhcpc, as its source builds
 * them; Windows, Android and a printer with the parameter lists fingerbank
 * lists for them), and on hostile ones: cut short at every length, options
 * running past their field, wrong and conflicting message types, option
 * overload, long and split options, bytes to escape.  Every input is copied
 * to a heap buffer of exactly its size so ASan catches an over-read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/dhcp.h"

#define SENTINEL 0x5a
#define OFF_SNAME 44
#define OFF_FILE 108
#define OFF_OPTIONS 240

static const uint8_t cam_mac[6] = { 0x44, 0x19, 0xb6, 0x0a, 0x1b, 0x2c };

/* A message under construction: the fixed part, then options appended. */
struct msg {
	uint8_t b[2048];
	size_t len;
	size_t sname, file; /* where the next option goes in those fields */
};

static void msg_init(struct msg *m, uint8_t op, uint8_t htype, uint8_t hlen)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };

	memset(m, 0, sizeof(*m));
	m->b[0] = op;
	m->b[1] = htype;
	m->b[2] = hlen;
	memcpy(m->b + 4, "\x3a\x1f\x09\x77", 4); /* xid */
	memcpy(m->b + 28, cam_mac, 6);
	memcpy(m->b + 236, cookie, 4);
	m->len = OFF_OPTIONS;
	m->sname = OFF_SNAME;
	m->file = OFF_FILE;
}

static void opt(struct msg *m, uint8_t code, const void *v, size_t n)
{
	assert_true(n <= 255 && m->len + 2 + n <= sizeof(m->b));
	m->b[m->len++] = code;
	m->b[m->len++] = (uint8_t)n;
	memcpy(m->b + m->len, v, n);
	m->len += n;
}

static void opt_str(struct msg *m, uint8_t code, const char *s)
{
	opt(m, code, s, strlen(s));
}

/* An option in the sname (64 bytes at 44) or file (128 bytes at 108) field. */
static void field_opt(struct msg *m, size_t *at, uint8_t code, const void *v, size_t n)
{
	m->b[(*at)++] = code;
	m->b[(*at)++] = (uint8_t)n;
	memcpy(m->b + *at, v, n);
	*at += n;
}

#define OPT_BYTES(m, code, ...)                              \
	do {                                                 \
		static const uint8_t v_[] = { __VA_ARGS__ }; \
		opt((m), (code), v_, sizeof(v_));            \
	} while (0)

/* The end option, then zeros to the 300 bytes of a BOOTP message. */
static void msg_end(struct msg *m)
{
	m->b[m->len++] = 255;
	if (m->len < 300)
		m->len = 300;
}

static int rd(const void *p, size_t len, struct dhcp_request *out)
{
	struct dhcp_request before;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, p, len);
	memset(out, SENTINEL, sizeof(*out));
	before = *out;
	r = dhcp_read_request(len ? copy : NULL, len, out);
	free(copy);
	assert_true(r == 0 || r == -EINVAL || r == -EPROTONOSUPPORT || r == -EBADMSG ||
		    r == -ENOMSG);
	if (r)
		assert_memory_equal(out, &before, sizeof(before));
	return r;
}

static int rd_msg(const struct msg *m, struct dhcp_request *out)
{
	return rd(m->b, m->len, out);
}

/*
 * A busybox udhcpc DHCPDISCOVER: message type, the maximum size, the
 * parameter request list of the options marked OPTION_REQ in
 * networking/udhcp/common.c (in numeric order, as add_client_options()
 * writes them), then its -x options sorted by code: the host name, the
 * default vendor class "udhcp "BB_VER and the client id (type 1 and MAC).
 */
static void udhcpc_discover(struct msg *m, const char *hostname)
{
	uint8_t cid[7] = { 1 };

	memcpy(cid + 1, cam_mac, 6);
	msg_init(m, 1, 1, 6);
	OPT_BYTES(m, 53, 1);
	OPT_BYTES(m, 57, 0x02, 0x40);
	OPT_BYTES(m, 55, 1, 3, 6, 12, 15, 28, 42);
	if (hostname)
		opt_str(m, 12, hostname);
	opt_str(m, 60, "udhcp 1.36.1");
	opt(m, 61, cid, sizeof(cid));
	msg_end(m);
}

static void test_udhcpc_discover(void **state)
{
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 28, 42 };
	struct dhcp_request r;
	struct msg m;

	(void)state;
	udhcpc_discover(&m, "DS-2CD2143G2-I");
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.type, DHCP_DISCOVER);
	assert_memory_equal(r.chaddr, cam_mac, 6);
	assert_string_equal(r.hostname, "DS-2CD2143G2-I");
	assert_string_equal(r.vendor_class, "udhcp 1.36.1");
	assert_int_equal(r.nparams, sizeof(prl));
	assert_memory_equal(r.params, prl, sizeof(prl));
	assert_false(r.params_cut);
	assert_int_equal(r.client_id_len, 7);
	assert_int_equal(r.client_id[0], 1);
	assert_memory_equal(r.client_id + 1, cam_mac, 6);
	assert_false(r.client_id_cut);
	assert_false(r.overload);

	/* without -x hostname: no host name */
	udhcpc_discover(&m, NULL);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_string_equal(r.hostname, "");
}

/* A Windows 10 DHCPREQUEST: requested address, FQDN (81), "MSFT 5.0". */
static void test_windows_request(void **state)
{
	static const uint8_t prl[] = { 1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252 };
	struct dhcp_request r;
	struct msg m;

	(void)state;
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 3);
	OPT_BYTES(&m, 61, 1, 0x44, 0x19, 0xb6, 0x0a, 0x1b, 0x2c);
	OPT_BYTES(&m, 50, 192, 168, 1, 23);
	opt_str(&m, 12, "DESKTOP-4F2K9Q1");
	OPT_BYTES(&m, 81, 0, 0, 0, 'D', 'E', 'S', 'K');
	opt_str(&m, 60, "MSFT 5.0");
	opt(&m, 55, prl, sizeof(prl));
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.type, DHCP_REQUEST);
	assert_string_equal(r.hostname, "DESKTOP-4F2K9Q1");
	assert_string_equal(r.vendor_class, "MSFT 5.0");
	assert_int_equal(r.nparams, sizeof(prl));
	assert_memory_equal(r.params, prl, sizeof(prl));
}

/* The types read, and those that are not a client asking for its configuration. */
static void test_message_types(void **state)
{
	static const struct {
		uint8_t type;
		int want;
	} cases[] = {
		{ 1, 0 },	 /* DISCOVER */
		{ 2, -ENOMSG },	 /* OFFER: a server's */
		{ 3, 0 },	 /* REQUEST */
		{ 4, -ENOMSG },	 /* DECLINE */
		{ 5, -ENOMSG },	 /* ACK */
		{ 7, -ENOMSG },	 /* RELEASE */
		{ 8, 0 },	 /* INFORM */
		{ 13, -ENOMSG }, /* LEASEQUERY */
		{ 0, -EBADMSG }, /* a type that does not exist */
	};
	struct dhcp_request r;
	struct msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_init(&m, 1, 1, 6);
		opt(&m, 53, &cases[i].type, 1);
		msg_end(&m);
		assert_int_equal(rd_msg(&m, &r), cases[i].want);
		if (cases[i].want == 0)
			assert_int_equal(r.type, cases[i].type);
	}
	/* no message type: plain BOOTP */
	msg_init(&m, 1, 1, 6);
	opt_str(&m, 12, "bootp-client");
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), -ENOMSG);
	/* the same type twice is one; two different ones are not */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 3);
	OPT_BYTES(&m, 53, 3);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 3);
	OPT_BYTES(&m, 53, 1);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
	/* a type of two bytes */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 3, 0);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
}

/* Not a client's DHCP message: a reply, no cookie, not Ethernet, too short. */
static void test_not_a_request(void **state)
{
	struct dhcp_request r;
	struct msg m;

	(void)state;
	udhcpc_discover(&m, "x");
	m.b[0] = 2; /* BOOTREPLY */
	assert_int_equal(rd_msg(&m, &r), -EINVAL);
	udhcpc_discover(&m, "x");
	m.b[239] = 0x64; /* the cookie's last byte */
	assert_int_equal(rd_msg(&m, &r), -EINVAL);
	udhcpc_discover(&m, "x");
	m.b[1] = 6; /* IEEE 802 */
	assert_int_equal(rd_msg(&m, &r), -EPROTONOSUPPORT);
	udhcpc_discover(&m, "x");
	m.b[2] = 16;
	assert_int_equal(rd_msg(&m, &r), -EPROTONOSUPPORT);
	udhcpc_discover(&m, "x");
	assert_int_equal(rd(m.b, 0, &r), -EINVAL);
	assert_int_equal(rd(m.b, 239, &r), -EINVAL);
	/* the fixed part and the cookie, no option: no message type */
	assert_int_equal(rd(m.b, 240, &r), -ENOMSG);
}

/*
 * Cut short at every length: below the fixed part it is not a request;
 * cut inside an option, malformed; never a crash, never *out written on
 * failure (rd checks).  Cut right before the end option, it still reads:
 * the field's end ends the options.
 */
static void test_truncated(void **state)
{
	struct dhcp_request r;
	struct msg m;
	size_t n, full;
	int got;

	(void)state;
	udhcpc_discover(&m, "DS-2CD2143G2-I");
	full = m.len;
	for (n = 0; n < full; n++) {
		got = rd(m.b, n, &r);
		if (n < 240)
			assert_int_equal(got, -EINVAL);
		else if (n == 240)
			assert_int_equal(got, -ENOMSG);
		else
			assert_true(got == 0 || got == -EBADMSG);
	}
	/* the options up to the end option, without it */
	for (n = OFF_OPTIONS; m.b[n] != 255; n += 2u + m.b[n + 1])
		;
	assert_int_equal(rd(m.b, n, &r), 0);
	assert_string_equal(r.vendor_class, "udhcp 1.36.1");
	assert_int_equal(rd(m.b, n - 1, &r), -EBADMSG);
	/* an option whose length runs past the payload */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	m.b[m.len++] = 12;
	m.b[m.len++] = 200;
	memcpy(m.b + m.len, "short", 5);
	m.len += 5;
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
	/* a code without its length byte */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	m.b[m.len++] = 60;
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
}

/* Padding between options, nothing read past the end option. */
static void test_pad_and_end(void **state)
{
	struct dhcp_request r;
	struct msg m;

	(void)state;
	msg_init(&m, 1, 1, 6);
	m.b[m.len++] = 0;
	m.b[m.len++] = 0;
	OPT_BYTES(&m, 53, 3);
	m.b[m.len++] = 0;
	opt_str(&m, 12, "cam");
	m.b[m.len++] = 255;
	/* garbage past the end: an option running past the payload, another type */
	OPT_BYTES(&m, 53, 7);
	m.b[m.len++] = 12;
	m.b[m.len++] = 250;
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.type, DHCP_REQUEST);
	assert_string_equal(r.hostname, "cam");
	/* unknown options are read over, whatever they hold */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 43, 255, 255, 0, 53, 1, 7);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 224, "", 0);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.type, DHCP_DISCOVER);
}

/*
 * Option overload (52): the file field, then sname, hold more options;
 * an option split over the fields is one value, in that order (RFC 3396).
 */
static void test_overload(void **state)
{
	struct dhcp_request r;
	struct msg m;

	(void)state;
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	OPT_BYTES(&m, 52, 3);
	opt_str(&m, 12, "DS-2CD");
	msg_end(&m);
	field_opt(&m, &m.file, 12, "2143G2", 6);
	field_opt(&m, &m.file, 60, "udhcp ", 6);
	m.b[m.file++] = 255;
	field_opt(&m, &m.sname, 12, "-I", 2);
	field_opt(&m, &m.sname, 60, "1.36.1", 6);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_true(r.overload);
	assert_string_equal(r.hostname, "DS-2CD2143G2-I");
	assert_string_equal(r.vendor_class, "udhcp 1.36.1");

	/* 1: the file field only; sname is a server name, not read */
	m.b[OFF_OPTIONS + 5] = 1;
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_string_equal(r.hostname, "DS-2CD2143G2");
	assert_string_equal(r.vendor_class, "udhcp ");
	/* 2: sname only */
	m.b[OFF_OPTIONS + 5] = 2;
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_string_equal(r.hostname, "DS-2CD-I");
	/* other values, other lengths */
	m.b[OFF_OPTIONS + 5] = 4;
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
	m.b[OFF_OPTIONS + 5] = 0;
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);

	/* without overload, the fields are not options: a boot file name */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	msg_end(&m);
	memcpy(m.b + OFF_FILE, "\x0c\x05pxelinux.0", 12);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_false(r.overload);
	assert_string_equal(r.hostname, "");

	/* an overload inside an overloaded field is not followed */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	OPT_BYTES(&m, 52, 1);
	msg_end(&m);
	field_opt(&m, &m.file, 52, "\x02", 1);
	field_opt(&m, &m.sname, 12, "hidden", 6);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_string_equal(r.hostname, "");
	/* an option running past the end of the file field */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	OPT_BYTES(&m, 52, 1);
	msg_end(&m);
	m.b[OFF_FILE + 120] = 12;
	m.b[OFF_FILE + 121] = 20;
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
	/* a message type in the overloaded field, against the one in options */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	OPT_BYTES(&m, 52, 2);
	msg_end(&m);
	field_opt(&m, &m.sname, 53, "\x07", 1);
	assert_int_equal(rd_msg(&m, &r), -EBADMSG);
}

/* Text is escaped, NULs ending it dropped, long values cut with "...". */
static void test_escaping(void **state)
{
	char long_name[201];
	uint8_t ctl[20];
	struct dhcp_request r;
	struct msg m;

	(void)state;
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 12, "cam\\1\x01\xe9t\x7f", 9);
	opt(&m, 60, "udhcp\0 1.2\0\0", 13);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_string_equal(r.hostname, "cam\\\\1\\x01\\xe9t\\x7f");
	assert_string_equal(r.vendor_class, "udhcp\\x00 1.2");

	/* 200 letters in one option: 60 kept and "..." */
	memset(long_name, 'a', 200);
	long_name[200] = '\0';
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt_str(&m, 12, long_name);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(strlen(r.hostname), DHCP_TEXT_MAX - 1);
	assert_memory_equal(r.hostname + 60, "...", 4);
	/* exactly 63 letters fit; 64 do not */
	long_name[63] = '\0';
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt_str(&m, 12, long_name);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_string_equal(r.hostname, long_name);
	long_name[63] = 'a';
	long_name[64] = '\0';
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt_str(&m, 12, long_name);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_memory_equal(r.hostname + 60, "...", 4);
	/* 63 letters and their C string's NUL: the NUL is no part of the name */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 12, long_name, 64);
	m.b[m.len - 1] = '\0';
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(strlen(r.hostname), 63);
	assert_null(strstr(r.hostname, "..."));

	/* escapes go in whole: 20 control bytes are 15 escapes and "..." */
	memset(ctl, 0x01, sizeof(ctl));
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 12, ctl, sizeof(ctl));
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(strlen(r.hostname), 15 * 4 + 3);
	assert_memory_equal(r.hostname + 56, "\\x01...", 8);

	/* a host name in two pieces of 200 and 55 bytes: one value, cut */
	memset(long_name, 'b', 200);
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 12, long_name, 200);
	opt(&m, 12, long_name, 55);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_memory_equal(r.hostname + 60, "...", 4);
}

/* Lists longer than what is kept: the first part, and the cut said. */
static void test_long_lists(void **state)
{
	uint8_t prl[100], cid[40];
	struct dhcp_request r;
	struct msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prl); i++)
		prl[i] = (uint8_t)(i + 1);
	memset(cid, 0xcc, sizeof(cid));
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 55, prl, 40);
	opt(&m, 55, prl + 40, 60); /* RFC 3396: one list of 100 */
	opt(&m, 61, cid, sizeof(cid));
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.nparams, DHCP_PARAMS_MAX);
	assert_memory_equal(r.params, prl, DHCP_PARAMS_MAX);
	assert_true(r.params_cut);
	assert_int_equal(r.client_id_len, DHCP_CLIENT_ID_MAX);
	assert_true(r.client_id_cut);
	/* exactly 64: all of them, not cut */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 55, prl, 64);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.nparams, 64);
	assert_false(r.params_cut);
	/* an empty list */
	msg_init(&m, 1, 1, 6);
	OPT_BYTES(&m, 53, 1);
	opt(&m, 55, "", 0);
	msg_end(&m);
	assert_int_equal(rd_msg(&m, &r), 0);
	assert_int_equal(r.nparams, 0);
}

/* Random options after a well-formed header: every answer is one of those promised. */
static void test_random_options(void **state)
{
	uint32_t x = 0x2545f491;
	struct dhcp_request r;
	struct msg m;
	size_t n, i, round;
	char *t;

	(void)state;
	for (round = 0; round < 20000; round++) {
		msg_init(&m, 1, 1, 6);
		if (round % 2)
			OPT_BYTES(&m, 53, 1);
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = x % 300;
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* small codes and lengths, so that some messages read */
			m.b[m.len++] = (uint8_t)(i % 3 == 0 ? x % 64 : x % 8);
		}
		if (rd_msg(&m, &r) != 0)
			continue;
		for (t = r.hostname; *t; t++)
			assert_true(*t >= 0x20 && *t <= 0x7e);
		for (t = r.vendor_class; *t; t++)
			assert_true(*t >= 0x20 && *t <= 0x7e);
		assert_true(r.nparams <= DHCP_PARAMS_MAX);
		assert_true(r.client_id_len <= DHCP_CLIENT_ID_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udhcpc_discover), cmocka_unit_test(test_windows_request),
		cmocka_unit_test(test_message_types),	cmocka_unit_test(test_not_a_request),
		cmocka_unit_test(test_truncated),	cmocka_unit_test(test_pad_and_end),
		cmocka_unit_test(test_overload),	cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_long_lists),	cmocka_unit_test(test_random_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
