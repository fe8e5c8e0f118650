/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sniff.c - the name in a client's first bytes, as the stream grows:
 * real ClientHellos byte by byte, HTTP heads, the cap, broken input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/sniff.h"

/* Feed b one byte more each call, as segments would; the first final result. */
static enum sniff_result grow(const uint8_t *b, size_t len, size_t cap, struct name *out,
			      size_t *at)
{
	struct sniff_state s = { 0 };
	enum sniff_result r = SNIFF_MORE;
	size_t n;

	for (n = 1; n <= len && n <= cap; n++) {
		r = sniff_name(&s, b, n, cap, out);
		if (sniff_final(r))
			break;
	}
	*at = n;
	return r;
}

static uint8_t *load(const char *file, size_t *len)
{
	char path[256];
	uint8_t *b = malloc(65536);
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/tls/%s", file);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(b);
	*len = fread(b, 1, 65536, f);
	fclose(f);
	assert_true(*len > 0);
	return b;
}

static void test_tls(void **state)
{
	struct name n;
	size_t len, at;
	uint8_t *b = load("hello-tls13-openssl.bin", &len);

	(void)state;
	assert_int_equal(grow(b, len, SNIFF_STREAM_CAP, &n, &at), SNIFF_SNI);
	assert_string_equal(n.s, "upgrade.ezvizlife.com");
	assert_int_equal(at, len); /* not before the whole ClientHello */
	free(b);
	b = load("hello-nosni.bin", &len);
	assert_int_equal(grow(b, len, SNIFF_STREAM_CAP, &n, &at), SNIFF_NO_NAME);
	/* the same ClientHello cut short by a cap below its length: unreadable */
	assert_int_equal(grow(b, len, len / 2, &n, &at), SNIFF_FULL);
	assert_int_equal(at, len / 2);
	free(b);
}

static void test_http(void **state)
{
	static const char get[] = "GET /fw HTTP/1.1\r\nHost: Upgrade.Ys7.com\r\n\r\n";
	static const char two[] = "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n";
	struct name n;
	size_t at;

	(void)state;
	assert_int_equal(grow((const uint8_t *)get, strlen(get), SNIFF_STREAM_CAP, &n, &at),
			 SNIFF_HOST);
	assert_string_equal(n.s, "upgrade.ys7.com");
	/* two Host headers: a server could take either */
	assert_int_equal(grow((const uint8_t *)two, strlen(two), SNIFF_STREAM_CAP, &n, &at),
			 SNIFF_BROKEN);
}

static void test_socks(void **state)
{
	/* greeting (no auth), then a CONNECT for a domain, as curl --socks5-hostname sends */
	static const uint8_t s5[] = { 5,   1,	0,   5,	  1,   0,   3,	 16,  'f',
				      'w', '.', 'h', 'i', 'k', 'v', 'i', 's', 'i',
				      'o', 'n', '.', 'c', 'o', 'm', 1,	 187 };
	/* SOCKS4a, then HTTP/2 prior knowledge */
	static const uint8_t s4a[] = { 4, 1, 0, 80, 0, 0, 0, 1, 'u', 0, 'A', '.', 'b', 0 };
	static const char h2[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	struct sniff_state st = { 0 };
	struct name n;
	size_t at;

	(void)state;
	assert_int_equal(grow(s5, sizeof(s5), SNIFF_STREAM_CAP, &n, &at), SNIFF_SOCKS);
	assert_string_equal(n.s, "fw.hikvision.com");
	assert_int_equal(at, sizeof(s5));
	assert_int_equal(grow(s4a, sizeof(s4a), SNIFF_STREAM_CAP, &n, &at), SNIFF_SOCKS);
	assert_string_equal(n.s, "a.b");
	/* SOCKS5 to an address: the name behind it is unknown */
	{
		static const uint8_t ip[] = { 5, 1, 0, 5, 1, 0, 1, 198, 51, 100, 7, 1, 187 };

		assert_int_equal(sniff_name(&st, ip, sizeof(ip), SNIFF_STREAM_CAP, &n),
				 SNIFF_BROKEN);
		assert_int_equal(st.proto, SNIFF_PROTO_SOCKS);
		assert_non_null(st.why);
	}
	assert_int_equal(grow((const uint8_t *)h2, strlen(h2), SNIFF_STREAM_CAP, &n, &at),
			 SNIFF_BROKEN);
}

static void test_neither(void **state)
{
	static const char ptcp[] = "PTCP\x01\x02\x03\x04 not a request line\r\n\r\n";
	struct sniff_state s = { 0 };
	struct name n = { 0 };

	(void)state;
	assert_int_equal(sniff_name(&s, (const uint8_t *)ptcp, sizeof(ptcp) - 1, SNIFF_STREAM_CAP,
				    &n),
			 SNIFF_NO_NAME);
	assert_int_equal(s.proto, SNIFF_PROTO_HTTP);
	assert_int_equal(n.len, 0); /* *out untouched without a name */
}

static void test_head_beyond_cap(void **state)
{
	char *h = malloc(SNIFF_STREAM_CAP + 64);
	struct name n;
	size_t at;

	(void)state;
	assert_non_null(h);
	/* a request whose Host comes after the cap: the daemon never sees it */
	memcpy(h, "GET / HTTP/1.1\r\nX: ", 19);
	memset(h + 19, 'a', SNIFF_STREAM_CAP);
	memcpy(h + 19 + SNIFF_STREAM_CAP, "\r\nHost: x.example\r\n\r\n", 21);
	assert_int_equal(grow((const uint8_t *)h, 19 + SNIFF_STREAM_CAP + 21, SNIFF_STREAM_CAP, &n,
			      &at),
			 SNIFF_BROKEN); /* the head's own bound (HTTP_HEAD_MAX) is the cap */
	assert_int_equal(at, HTTP_HEAD_MAX);
	/* a smaller cap stops first */
	assert_int_equal(grow((const uint8_t *)h, 19 + SNIFF_STREAM_CAP + 21, 100, &n, &at),
			 SNIFF_FULL);
	assert_int_equal(at, 100);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_socks),
		cmocka_unit_test(test_neither),
		cmocka_unit_test(test_head_beyond_cap),
	};

	return cmocka_run_group_tests_name("sniff", tests, NULL, NULL);
}
