/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_socks.c - the host of a SOCKS request: SOCKS5 with and without the
 * password step, SOCKS4 and 4a, requests for addresses and other commands,
 * broken greetings, and every prefix of a good stream waiting for more.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "decode/socks.h"

#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

/* socks_host on a copy of exactly len bytes; *host untouched unless FOUND. */
static enum socks_status run(const uint8_t *p, size_t len, struct name *host)
{
	struct name sentinel;
	enum socks_status st;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	memset(&sentinel, 0x5a, sizeof(sentinel));
	*host = sentinel;
	st = socks_host(copy, len, host);
	free(copy);
	if (st != SOCKS_FOUND)
		assert_memory_equal(host, &sentinel, sizeof(sentinel));
	return st;
}

/* Every true prefix waits; the whole gives want (and host). */
static void expect(const uint8_t *p, size_t len, enum socks_status want, const char *host)
{
	struct name n;
	size_t i;

	for (i = 0; i < len; i++) {
		enum socks_status st = run(p, i, &n);

		if (st != SOCKS_NEED_MORE)
			assert_int_equal(st, want); /* an early answer is the final one */
	}
	assert_int_equal(run(p, len, &n), want);
	if (host)
		assert_string_equal(n.s, host);
}

static void test_socks5(void **state)
{
	(void)state;
	/* no auth; CONNECT fw.hikvision.com:443 */
	expect(B(5, 1, 0, 5, 1, 0, 3, 16, 'F', 'W', '.', 'h', 'i', 'k', 'v', 'i', 's', 'i', 'o',
		 'n', '.', 'c', 'o', 'm', 1, 187),
	       SOCKS_FOUND, "fw.hikvision.com");
	/* two methods offered, the password step (RFC 1929), then the request */
	expect(B(5, 2, 0, 2, 1, 4, 'u', 's', 'e', 'r', 2, 'p', 'w', 5, 1, 0, 3, 3, 'a', '.', 'b', 0,
		 80),
	       SOCKS_FOUND, "a.b");
	/* an empty password */
	expect(B(5, 1, 2, 1, 1, 'u', 0, 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_FOUND, "a.b");
	/* bytes after the request (data the client sends at once) do not matter */
	expect(B(5, 1, 0, 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 80, 0x16, 3, 1), SOCKS_FOUND, "a.b");
	/* a trailing dot is dropped, as everywhere */
	expect(B(5, 1, 0, 5, 1, 0, 3, 4, 'a', '.', 'b', '.', 0, 80), SOCKS_FOUND, "a.b");
}

static void test_socks5_unnamed(void **state)
{
	(void)state;
	/* CONNECT to an IPv4 or IPv6 address */
	expect(B(5, 1, 0, 5, 1, 0, 1, 198, 51, 100, 7, 1, 187), SOCKS_UNNAMED, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 4, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 1,
		 187),
	       SOCKS_UNNAMED, NULL);
	/* an address written in the domain field: the proxy connects to it */
	expect(B(5, 1, 0, 5, 1, 0, 3, 10, '0', 'x', 'c', '6', '3', '3', '6', '4', '0', '9', 1, 187),
	       SOCKS_UNNAMED, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 3, 7, '1', '.', '2', '.', '3', '.', '4', 1, 187), SOCKS_UNNAMED,
	       NULL);
	/* GSSAPI or a private method offered: the bytes after the greeting are its own */
	expect(B(5, 1, 1, 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_METHOD, NULL);
	expect(B(5, 2, 0, 0x80, 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_METHOD, NULL);
	/* BIND and UDP ASSOCIATE, even for a domain */
	expect(B(5, 1, 0, 5, 2, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_UNNAMED, NULL);
	expect(B(5, 1, 0, 5, 3, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_UNNAMED, NULL);
}

static void test_socks5_broken(void **state)
{
	(void)state;
	/* no methods: not a SOCKS greeting */
	expect(B(5, 0, 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_NOT_SOCKS, NULL);
	/* the password step without the method offered */
	expect(B(5, 1, 0, 1, 1, 'u', 1, 'p', 5, 1, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_MALFORMED,
	       NULL);
	/* anything else after the greeting */
	expect(B(5, 1, 0, 6, 1, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_MALFORMED, NULL);
	/* command, reserved byte, address type */
	expect(B(5, 1, 0, 5, 9, 0, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_MALFORMED, NULL);
	expect(B(5, 1, 0, 5, 1, 1, 3, 3, 'a', '.', 'b', 0, 80), SOCKS_MALFORMED, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 2, 3, 'a', '.', 'b', 0, 80), SOCKS_MALFORMED, NULL);
	/* names that are not host names */
	expect(B(5, 1, 0, 5, 1, 0, 3, 0, 0, 80), SOCKS_BAD_NAME, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 3, 1, '.', 0, 80), SOCKS_BAD_NAME, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 3, 4, 'a', 0, '.', 'b', 0, 80), SOCKS_BAD_NAME, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 3, 4, 'a', '.', '.', 'b', 0, 80), SOCKS_BAD_NAME, NULL);
	expect(B(5, 1, 0, 5, 1, 0, 3, 5, 'a', '.', 'b', '.', '.', 0, 80), SOCKS_BAD_NAME, NULL);
}

static void test_socks4(void **state)
{
	uint8_t long_user[300];

	(void)state;
	/* SOCKS4a: 0.0.0.1, a user id, the domain */
	expect(B(4, 1, 1, 187, 0, 0, 0, 1, 'c', 'a', 'm', 0, 'F', 'W', '.', 'y', 's', '7', '.', 'c',
		 'o', 'm', 0),
	       SOCKS_FOUND, "fw.ys7.com");
	expect(B(4, 1, 1, 187, 0, 0, 0, 1, 0, 'a', '.', 'b', 0), SOCKS_FOUND, "a.b");
	/* SOCKS4 to an address; 0.0.0.0 is an address too */
	expect(B(4, 1, 1, 187, 198, 51, 100, 7, 'u', 0), SOCKS_UNNAMED, NULL);
	expect(B(4, 1, 1, 187, 0, 0, 0, 0, 0), SOCKS_UNNAMED, NULL);
	/* BIND for a domain */
	expect(B(4, 2, 1, 187, 0, 0, 0, 1, 0, 'a', '.', 'b', 0), SOCKS_UNNAMED, NULL);
	/* another command: some other protocol */
	expect(B(4, 3, 1, 187, 0, 0, 0, 1, 0, 'a', '.', 'b', 0), SOCKS_NOT_SOCKS, NULL);
	expect(B(4, 1, 1, 187, 0, 0, 0, 1, 0, 'a', '.', '.', 'b', 0), SOCKS_BAD_NAME, NULL);
	/* a user id with no end within 255 bytes */
	memset(long_user, 'u', sizeof(long_user));
	memcpy(long_user, (const uint8_t[]){ 4, 1, 1, 187, 0, 0, 0, 1 }, 8);
	expect(long_user, sizeof(long_user), SOCKS_MALFORMED, NULL);
}

static void test_not_socks(void **state)
{
	struct name n;

	(void)state;
	assert_int_equal(run((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &n), SOCKS_NOT_SOCKS);
	assert_int_equal(run(B(0x16, 3, 1), &n), SOCKS_NOT_SOCKS);
	assert_int_equal(run(B(6), &n), SOCKS_NOT_SOCKS);
	assert_int_equal(run(B(5), &n), SOCKS_NEED_MORE);
	assert_int_equal(run(NULL, 0, &n), SOCKS_NEED_MORE);
	assert_string_equal(socks_status_str(SOCKS_UNNAMED), "no name");
	assert_string_equal(socks_status_str(SOCKS_METHOD), "method not read");
	assert_string_equal(socks_status_str((enum socks_status)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socks5),	      cmocka_unit_test(test_socks5_unnamed),
		cmocka_unit_test(test_socks5_broken), cmocka_unit_test(test_socks4),
		cmocka_unit_test(test_not_socks),
	};

	return cmocka_run_group_tests_name("socks", tests, NULL, NULL);
}
