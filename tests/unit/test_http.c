/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_http.c - http_host() on requests captured from curl (tests/data/http,
 * see tests/data/README.md) and on hand-built edge cases.  Every input is
 * copied to a heap buffer of exactly its size so ASan catches an over-read.
 * Run from the top of the source tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/http.h"

#define DATA_DIR "tests/data/http/"
#define SENTINEL 0x5a

/* http_host() on a private copy of len bytes; checks *host is left alone unless found. */
static enum http_status parse(const void *p, size_t len, struct name *host)
{
	struct name before;
	enum http_status st;
	uint8_t *copy = NULL;

	if (len > 0) {
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, p, len);
	}
	memset(host, SENTINEL, sizeof(*host));
	before = *host;
	st = http_host(copy, len, host);
	free(copy);
	if (st != HTTP_FOUND)
		assert_memory_equal(host, &before, sizeof(before));
	return st;
}

/*
 * Every prefix of the input gives HTTP_NEED_MORE or the full input's answer
 * (with the same host): an answer, once given, never changes.
 */
static void check_prefixes(const uint8_t *p, size_t len)
{
	struct name full, part;
	enum http_status st = parse(p, len, &full);
	size_t n;

	for (n = 0; n < len; n++) {
		enum http_status pst = parse(p, n, &part);

		if (pst == HTTP_NEED_MORE)
			continue;
		if (pst != st)
			fail_msg("prefix of %zu/%zu bytes: %s, whole: %s", n, len,
				 http_status_str(pst), http_status_str(st));
		if (st == HTTP_FOUND)
			assert_true(name_eq(&part, &full));
	}
}

/* label names the input in a failure message */
static void expect(const char *label, const void *p, size_t len, enum http_status want,
		   const char *want_host)
{
	struct name host;
	enum http_status st = parse(p, len, &host);

	if (st != want)
		fail_msg("got %s, want %s for %s", http_status_str(st), http_status_str(want),
			 label);
	if (st == HTTP_FOUND) {
		assert_int_equal(host.len, strlen(want_host));
		assert_string_equal(host.s, want_host);
	}
	check_prefixes(p, len);
}

static uint8_t *load(const char *file, size_t *len)
{
	char path[256];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), DATA_DIR "%s", file);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the top of the source tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Bytes up to the end of the head (the first CRLF CRLF) of a captured request. */
static size_t head_len(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	fail_msg("no end of head");
	return 0;
}

static const struct {
	const char *file;
	enum http_status st;
	const char *host;
} captured[] = {
	{ "host-header.bin", HTTP_FOUND, "upgrade.ezvizlife.com" },
	{ "resolve-port.bin", HTTP_FOUND, "firmware.hik-connect.com" },
	{ "proxy-absolute.bin", HTTP_FOUND, "p2p.easy4ipcloud.com" },
	{ "http10-no-host.bin", HTTP_NO_HOST, NULL },
	{ "post-ipv4.bin", HTTP_FOUND, "127.0.0.1" },
	{ "ipv6-literal.bin", HTTP_FOUND, "::1" },
	{ "connect.bin", HTTP_FOUND, "upgrade.ezvizlife.com" },
	{ "tls-clienthello.bin", HTTP_NOT_HTTP, NULL },
	{ "h2-prior-knowledge.bin", HTTP_H2_PRIOR, NULL },
	{ "ssh-banner.bin", HTTP_NOT_HTTP, NULL },
};

static void test_captured(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
		size_t len;
		uint8_t *p = load(captured[i].file, &len);

		expect(captured[i].file, p, len, captured[i].st, captured[i].host);
		free(p);
	}
}

/* A request is never answered before its head is complete. */
static void test_captured_need_more(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
		struct name host;
		size_t len, head;
		uint8_t *p;

		if (captured[i].st != HTTP_FOUND && captured[i].st != HTTP_NO_HOST)
			continue;
		p = load(captured[i].file, &len);
		head = head_len(p, len);
		for (n = 0; n < head; n++)
			assert_int_equal(parse(p, n, &host), HTTP_NEED_MORE);
		for (n = head; n <= len; n++)
			assert_int_equal(parse(p, n, &host), captured[i].st);
		free(p);
	}
}

/* A stream that is not HTTP is said so from its first byte. */
static void test_captured_not_http_early(void **state)
{
	struct name host;
	size_t len;
	uint8_t *p = load("tls-clienthello.bin", &len);

	(void)state;
	assert_int_equal(parse(p, 1, &host), HTTP_NOT_HTTP);
	free(p);
}

#define REQ(s) s, sizeof(s) - 1

static const struct {
	const char *req;
	size_t len;
	enum http_status st;
	const char *host;
} cases[] = {
	/* the target's authority wins over the Host header (RFC 9112 3.2.2) */
	{ REQ("GET http://Allowed.Example/x HTTP/1.1\r\nHost: evil.example\r\n\r\n"), HTTP_FOUND,
	  "allowed.example" },
	{ REQ("GET HTTP://Host:8080/x HTTP/1.1\r\n\r\n"), HTTP_FOUND, "host" },
	{ REQ("GET https://a.example?q HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET http://a.example#f HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET http://a.example/x@y HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	/* absolute form to an address: a proxy connects to it, as for CONNECT */
	{ REQ("GET http://[::1]:8080/ HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"), HTTP_CONNECT_ADDR,
	  NULL },
	{ REQ("GET http://3325256713/ HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_CONNECT_ADDR,
	  NULL },
	/* any run of CR and LF before the request line; long methods */
	{ REQ("\r\r\nGET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("UPDATEREDIRECTREF / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET http:///x HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET http:/a.example/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET 1http://a.example/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET http://a.example:8o/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET http://a.example HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET svn+ssh.x-y://a.example/ HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET ://a.example/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET http: HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET h_t://a.example/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* userinfo is dropped; two '@' are read differently by different parsers */
	{ REQ("GET http://user:pw@Cam.Example:8080/ HTTP/1.1\r\nHost: cam.example\r\n\r\n"),
	  HTTP_FOUND, "cam.example" },
	{ REQ("GET http://a@b@c.example/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET http://user@/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* ports */
	{ REQ("GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"), HTTP_FOUND, "example.com" },
	{ REQ("GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n"), HTTP_FOUND, "example.com" },
	{ REQ("GET / HTTP/1.1\r\nHost: example.com:65535\r\n\r\n"), HTTP_FOUND, "example.com" },
	{ REQ("GET / HTTP/1.1\r\nHost: example.com:65536\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: example.com:80a\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: example.com:-1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a:b:80\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: :80\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* IPv6 literals */
	{ REQ("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:80\r\n\r\n"), HTTP_FOUND, "2001:db8::1" },
	{ REQ("GET / HTTP/1.1\r\nHost: [::ffff:192.0.2.1]\r\n\r\n"), HTTP_FOUND,
	  "::ffff:192.0.2.1" },
	{ REQ("GET / HTTP/1.1\r\nHost: [2001:db8::1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: [2001:db8::1]x\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: [2001:db8::1]:x\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: [192.0.2.1]\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: []\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: ::1\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* line ends: bare LF is taken for CRLF */
	{ REQ("GET / HTTP/1.1\nHost: lf.example\n\n"), HTTP_FOUND, "lf.example" },
	{ REQ("GET / HTTP/1.1\r\nHost: lf.example\n\r\n"), HTTP_FOUND, "lf.example" },
	{ REQ("GET / HTTP/1.1\r\nX: a\rHost: evil.example\r\nHost: a.example\r\n\r\n"),
	  HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example\r\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* empty lines before the request line are skipped (RFC 9112 2.2) */
	{ REQ("\r\n\nGET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("\r"), HTTP_NEED_MORE, NULL },
	{ REQ("\rX"), HTTP_NEED_MORE, NULL }, /* a lone CR is skipped too (nginx, llhttp) */
	/* Host headers */
	{ REQ("GET / HTTP/1.1\r\nHost: a.example\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED,
	  NULL },
	{ REQ("GET / HTTP/1.1\r\nhost: a.example\r\nHOST: b.example\r\n\r\n"), HTTP_MALFORMED,
	  NULL },
	{ REQ("GET http://a.example/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), HTTP_MALFORMED,
	  NULL },
	{ REQ("GET / HTTP/1.1\r\nhOsT: Mixed.Example\r\n\r\n"), HTTP_FOUND, "mixed.example" },
	{ REQ("GET / HTTP/1.1\r\nHo: x\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.1\r\nX-Host: a.example\r\nHosts: b.example\r\n\r\n"), HTTP_NO_HOST,
	  NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: \t a.example \t\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.1\r\nHost: WWW.Example.COM.\r\n\r\n"), HTTP_FOUND, "www.example.com" },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example.:80\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.1\r\nHost: .\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a\x01"
	      "b\r\n\r\n"),
	  HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example/x\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: caf\xc3\xa9.example\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a..example\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example..\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: .a.example\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: %61.example\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a!b.example\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("GET http://a..example/ HTTP/1.1\r\n\r\n"), HTTP_BAD_HOST, NULL },
	{ REQ("CONNECT a..example:443 HTTP/1.1\r\n\r\n"), HTTP_BAD_HOST, NULL },
	/* any HTTP/1.x; nothing else */
	{ REQ("GET / HTTP/1.2\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.9\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.x\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.10\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / http/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/2.0\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/0.9\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* HTTP/2 with prior knowledge: :authority is in HPACK, not read */
	{ REQ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), HTTP_H2_PRIOR, NULL },
	/* obs-fold: continuation lines joined with SP (RFC 9112 5.2) */
	{ REQ("GET / HTTP/1.1\r\nHost:\r\n a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.1\r\nHost:\r\n\t\ta.example \r\n \r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET / HTTP/1.1\r\nHost: a.\r\n example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nX-A: 1\r\n\tmore\r\nHost: a.example\r\n\r\n"), HTTP_FOUND,
	  "a.example" },
	/* a continuation that reads as a Host of its own: in doubt */
	{ REQ("GET / HTTP/1.1\r\nX-A: 1\r\n Host: evil.example\r\nHost: a.example\r\n\r\n"),
	  HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost:\r\n a\x01.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nX-A: 1\r\n \x7f\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED,
	  NULL },
	/* '\\' ends an absolute authority; an '@' after it leaves the host in doubt */
	{ REQ("GET http://a.example\\x HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("GET http://a.example\\@evil.example/ HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET http://a.example\\/@evil.example/ HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	/* no host */
	{ REQ("GET / HTTP/1.0\r\n\r\n"), HTTP_NO_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\n\r\n"), HTTP_NO_HOST, NULL },
	{ REQ("GET / HTTP/1.0\r\nHost:\r\n\r\n"), HTTP_NO_HOST, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost:  \t \r\n\r\n"), HTTP_NO_HOST, NULL },
	/* broken field lines */
	{ REQ("GET / HTTP/1.1\r\nHost: a.example\r\n  b.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\n Host: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost : a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\n: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nX(: 1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nX-A: a\0b\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a\0.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\r\nX\0: 1\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* CONNECT: authority-form */
	{ REQ("CONNECT Cam.Example:443 HTTP/1.1\r\nHost: cam.example:443\r\n\r\n"), HTTP_FOUND,
	  "cam.example" },
	{ REQ("CONNECT a.example:443 HTTP/1.1\r\n\r\n"), HTTP_FOUND, "a.example" },
	/* a tunnel to an address: the name behind it is not known */
	{ REQ("CONNECT [2001:db8::2]:443 HTTP/1.1\r\n\r\n"), HTTP_CONNECT_ADDR, NULL },
	{ REQ("CONNECT 0xc6336409:443 HTTP/1.1\r\n\r\n"), HTTP_CONNECT_ADDR, NULL },
	{ REQ("CONNECT 0xc6.0x33.0x64.0x09:443 HTTP/1.1\r\n\r\n"), HTTP_CONNECT_ADDR, NULL },
	{ REQ("CONNECT 3325256713:443 HTTP/1.1\r\n\r\n"), HTTP_CONNECT_ADDR, NULL },
	{ REQ("CONNECT 198.51.100.7:443 HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_CONNECT_ADDR,
	  NULL },
	{ REQ("CONNECT 1a.example:443 HTTP/1.1\r\n\r\n"), HTTP_FOUND, "1a.example" },
	{ REQ("CONNECT a.example:443 HTTP/1.1\r\nHost: b.example\r\n\r\n"), HTTP_FOUND,
	  "a.example" },
	{ REQ("CONNECT /x HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("CONNECT u@a.example:443 HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("CONNECT http://a.example:443 HTTP/1.1\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* OPTIONS * asks the Host header */
	{ REQ("OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("OPTIONS *x HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	/* request lines */
	{ REQ("GET / HTTP/1.1 \r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET  / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET /a\tb HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET /a\0b HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET /a\x7f HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET  HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET /\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET / HTTP/1.1\rHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("BASELINE-CONTROL / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n"), HTTP_FOUND,
	  "239.255.255.250" },
	/* any token is a method to some server (Go's net/http): its Host is read */
	{ REQ("get / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	{ REQ("Get / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_FOUND, "a.example" },
	/* ... but a first line that is no request line is another protocol, head or not */
	{ REQ("user anonymous\r\n"), HTTP_NOT_HTTP, NULL },
	/* a continuation line that reads as a Host of its own: which Host is in doubt */
	{ REQ("GET / HTTP/1.1\r\nX-A: b\r\n Host: fw.hikvision.com\r\n\r\n"), HTTP_MALFORMED,
	  NULL },
	{ REQ("GET / HTTP/1.1\r\nX-A: b\r\n\tHOST :x\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED,
	  NULL },
	{ REQ("GET / HTTP/1.1\r\nX-A: b\r\n hostile\r\nHost: a.example\r\n\r\n"), HTTP_FOUND,
	  "a.example" },
	{ REQ("nick cam\r\nuser cam 0 * :cam\r\n"), HTTP_NOT_HTTP, NULL },
	/* not HTTP */
	{ REQ("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), HTTP_NOT_HTTP, NULL },
	{ REQ("\x16"), HTTP_NOT_HTTP, NULL },
	{ REQ("\0"), HTTP_NOT_HTTP, NULL },
	/* a lenient server (RFC 9112 3) may read these as requests: their name is unknown */
	{ REQ(" GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("\tGET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET\t/ HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("GET\f/ HTTP/1.1\r\nHost: a.example\r\n\r\n"), HTTP_MALFORMED, NULL },
	{ REQ("MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"
	      "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"
	      "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"
	      "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM / HTTP/1.1\r\nHost: a.example\r\n\r\n"),
	  HTTP_MALFORMED, NULL },
	{ REQ("SSH-2.0-dropbear\r\n"), HTTP_NOT_HTTP, NULL },
	/* text protocols shaped like HTTP: a camera's RTSP, SIP */
	{ REQ("DESCRIBE rtsp://192.168.1.64/Streaming/Channels/101 RTSP/1.0\r\nCSeq: 2\r\n\r\n"),
	  HTTP_NOT_HTTP, NULL },
	{ REQ("OPTIONS sip:nvr@192.168.1.5 SIP/2.0\r\nVia: x\r\n\r\n"), HTTP_NOT_HTTP, NULL },
	/* too short to tell */
	{ REQ(""), HTTP_NEED_MORE, NULL },
	{ REQ("G"), HTTP_NEED_MORE, NULL },
	{ REQ("GET"), HTTP_NEED_MORE, NULL },
	{ REQ("GET "), HTTP_NEED_MORE, NULL },
	{ REQ("GET / HTTP/1.1\r\n"), HTTP_NEED_MORE, NULL },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example\r\n\r"), HTTP_NEED_MORE, NULL },
	{ REQ("GET / HTTP/9.9\r\nHost: a.example\r\n"), HTTP_NEED_MORE, NULL },
	/* bytes after the head are the body, not headers */
	{ REQ("POST / HTTP/1.1\r\nHost: a.example\r\n\r\nHost: b.example\r\n\r\n"), HTTP_FOUND,
	  "a.example" },
	{ REQ("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n\x16\x03\x01"), HTTP_FOUND, "a.example" },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect(cases[i].req, cases[i].req, cases[i].len, cases[i].st, cases[i].host);
}

/* A request of exactly total bytes whose head ends at its last byte. */
static uint8_t *padded_request(size_t total, const char *host_line)
{
	static const char start[] = "GET / HTTP/1.1\r\n";
	static const char pad[] = "X-Pad: ";
	size_t n = 0, fill;
	uint8_t *p = malloc(total);

	assert_non_null(p);
	fill = total - strlen(start) - strlen(host_line) - strlen(pad) - 4;
	memcpy(p + n, start, strlen(start));
	n += strlen(start);
	memcpy(p + n, host_line, strlen(host_line));
	n += strlen(host_line);
	memcpy(p + n, pad, strlen(pad));
	n += strlen(pad);
	memset(p + n, 'a', fill);
	n += fill;
	memcpy(p + n, "\r\n\r\n", 4);
	assert_int_equal(n + 4, total);
	return p;
}

static void test_too_large(void **state)
{
	struct name host;
	uint8_t *p;

	(void)state;
	/* a head of HTTP_HEAD_MAX + 808 bytes with no end */
	p = padded_request(HTTP_HEAD_MAX + 808, "Host: a.example\r\n");
	memset(p + HTTP_HEAD_MAX + 798, 'a', 10);
	assert_int_equal(parse(p, HTTP_HEAD_MAX + 808, &host), HTTP_TOO_LARGE);
	assert_int_equal(parse(p, HTTP_HEAD_MAX, &host), HTTP_TOO_LARGE);
	assert_int_equal(parse(p, HTTP_HEAD_MAX - 1, &host), HTTP_NEED_MORE);
	free(p);

	/* a head of exactly HTTP_HEAD_MAX bytes fits, one more does not */
	p = padded_request(HTTP_HEAD_MAX, "Host: a.example\r\n");
	assert_int_equal(parse(p, HTTP_HEAD_MAX, &host), HTTP_FOUND);
	assert_string_equal(host.s, "a.example");
	assert_int_equal(parse(p, HTTP_HEAD_MAX - 1, &host), HTTP_NEED_MORE);
	free(p);
	p = padded_request(HTTP_HEAD_MAX + 1, "Host: a.example\r\n");
	assert_int_equal(parse(p, HTTP_HEAD_MAX + 1, &host), HTTP_TOO_LARGE);
	free(p);

	/* empty lines alone never start a request */
	p = malloc(HTTP_HEAD_MAX);
	assert_non_null(p);
	memset(p, '\n', HTTP_HEAD_MAX);
	assert_int_equal(parse(p, HTTP_HEAD_MAX, &host), HTTP_TOO_LARGE);
	assert_int_equal(parse(p, 100, &host), HTTP_NEED_MORE);
	free(p);
}

static void test_long_host(void **state)
{
	char req[600], label[300];
	struct name host;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(label); i++) /* labels of 60 bytes */
		label[i] = i % 61 == 60 ? '.' : 'a';
	/* NAME_MAX_LEN bytes fit, with or without a trailing dot */
	n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %.*s\r\n\r\n", NAME_MAX_LEN, label);
	assert_int_equal(parse(req, (size_t)n, &host), HTTP_FOUND);
	assert_int_equal(host.len, NAME_MAX_LEN);
	n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %.*s.:80\r\n\r\n", NAME_MAX_LEN,
		     label);
	assert_int_equal(parse(req, (size_t)n, &host), HTTP_FOUND);
	assert_int_equal(host.len, NAME_MAX_LEN);
	n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %.*s\r\n\r\n", NAME_MAX_LEN + 1,
		     label);
	assert_int_equal(parse(req, (size_t)n, &host), HTTP_MALFORMED);
	n = snprintf(req, sizeof(req), "GET http://%.*s/ HTTP/1.1\r\n\r\n", NAME_MAX_LEN + 1,
		     label);
	assert_int_equal(parse(req, (size_t)n, &host), HTTP_MALFORMED);
}

static void test_request_framing(void **state)
{
	static const char post[] = "\r\nPOST /up HTTP/1.1\r\nHost: a.example\r\n"
				   "Content-Length: 12\r\n\r\nhello world!GET";
	static const char *const doubt[] = {
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n 5\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12345678901234567\r\n\r\n",
		/* codings that do not end in one chunked: a server answers 400 */
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
		("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n"),
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n",
		/* a body on a GET or HEAD: a server may take it for the next request */
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n",
		"head / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	static const char *const framed[] = {
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
		 "Transfer-Encoding: ,Chunked ,\r\n\r\n"),
	};
	struct http_request req;
	struct name host;
	size_t i;

	(void)state;
	assert_int_equal(http_request((const uint8_t *)post, strlen(post), &host, &req),
			 HTTP_FOUND);
	assert_int_equal(req.head_len, strlen(post) - strlen("hello world!GET"));
	assert_int_equal(req.body_len, 12);
	assert_false(req.body_chunked);
	assert_false(req.tunnel);
	for (i = 0; i < sizeof(doubt) / sizeof(doubt[0]); i++)
		expect(doubt[i], doubt[i], strlen(doubt[i]), HTTP_MALFORMED, NULL);
	for (i = 0; i < sizeof(framed) / sizeof(framed[0]); i++) {
		assert_int_equal(http_request((const uint8_t *)framed[i], strlen(framed[i]), &host,
					      &req),
				 HTTP_FOUND);
		assert_true(req.body_chunked);
	}
	/* an empty body on a GET is none */
	assert_int_equal(http_request((const uint8_t *)REQ("GET / HTTP/1.1\r\nHost: a\r\n"
							   "Content-Length: 0\r\n\r\n"),
				      &host, &req),
			 HTTP_FOUND);

	assert_int_equal(http_request((const uint8_t *)REQ("POST / HTTP/1.1\r\nHost: a\r\n"
							   "Transfer-Encoding: chunked\r\n\r\n"),
				      &host, &req),
			 HTTP_FOUND);
	assert_true(req.body_chunked);
	assert_int_equal(req.body_len, 0);
	assert_int_equal(http_request((const uint8_t *)REQ("GET / HTTP/1.1\r\nHost: a\r\n"
							   "Upgrade: websocket\r\n\r\n"),
				      &host, &req),
			 HTTP_FOUND);
	assert_false(req.tunnel); /* whether it was upgraded is the server's to say */
	assert_int_equal(
		http_request((const uint8_t *)REQ("CONNECT a.example:443 HTTP/1.1\r\n\r\n"), &host,
			     &req),
		HTTP_FOUND);
	assert_true(req.tunnel);
	assert_int_equal(http_request((const uint8_t *)REQ("GET / HTTP/1.0\r\n\r\n"), &host, &req),
			 HTTP_NO_HOST);
	assert_int_equal(req.head_len, 18);
}

static void test_status_str(void **state)
{
	(void)state;
	assert_string_equal(http_status_str(HTTP_NEED_MORE), "need more");
	assert_string_equal(http_status_str(HTTP_FOUND), "found");
	assert_string_equal(http_status_str(HTTP_NO_HOST), "no host");
	assert_string_equal(http_status_str(HTTP_NOT_HTTP), "not http");
	assert_string_equal(http_status_str(HTTP_MALFORMED), "malformed");
	assert_string_equal(http_status_str(HTTP_TOO_LARGE), "too large");
	assert_string_equal(http_status_str(HTTP_H2_PRIOR), "http/2 prior knowledge");
	assert_string_equal(http_status_str(HTTP_BAD_HOST), "not a host name");
	assert_string_equal(http_status_str(HTTP_CONNECT_ADDR), "connect to an address");
	assert_string_equal(http_status_str((enum http_status)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured),
		cmocka_unit_test(test_captured_need_more),
		cmocka_unit_test(test_captured_not_http_early),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_long_host),
		cmocka_unit_test(test_request_framing),
		cmocka_unit_test(test_status_str),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
