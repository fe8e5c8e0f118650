/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_control.c - the control socket's protocol over a socketpair: one
 * request line in (bounded, no NUL), a status line and a body out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "service/control.h"

/* A connected pair: [0] the daemon's end, [1] the client's. */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

/* What the client sends, then (with hangup) its end of writing closed. */
static int request(const void *data, size_t len, bool hangup, char *req, size_t size)
{
	int sv[2], rc;

	pair(sv);
	assert_int_equal(write(sv[1], data, len), (ssize_t)len);
	if (hangup)
		shutdown(sv[1], SHUT_WR);
	rc = control_read_request(sv[0], req, size);
	close(sv[0]);
	close(sv[1]);
	return rc;
}

static void test_one_line(void **state)
{
	char req[CONTROL_REQ_MAX];

	(void)state;
	assert_int_equal(request("stats --json\n", 13, false, req, sizeof(req)), 0);
	assert_string_equal(req, "stats --json");
	/* what follows the newline is not part of the request */
	assert_int_equal(request("status\nreload\n", 14, false, req, sizeof(req)), 0);
	assert_string_equal(req, "status");
	assert_int_equal(request("\n", 1, false, req, sizeof(req)), 0);
	assert_string_equal(req, "");
}

static void test_nul_is_no_request(void **state)
{
	char req[CONTROL_REQ_MAX];

	(void)state;
	/* "stats" to a C string, "stats\0--json" on the wire: refused */
	assert_int_equal(request("stats\0 reload\n", 14, false, req, sizeof(req)), -1);
	assert_int_equal(request("\0\n", 2, false, req, sizeof(req)), -1);
}

static void test_no_newline(void **state)
{
	char req[CONTROL_REQ_MAX], big[3 * CONTROL_REQ_MAX];

	(void)state;
	/* the client goes away mid-line */
	assert_int_equal(request("stats", 5, true, req, sizeof(req)), -1);
	/* a line longer than the room: refused, nothing overrun */
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(request(big, sizeof(big), false, req, sizeof(req)), -1);
	assert_int_equal(strlen(req), sizeof(req) - 1);
	/* a line that just fits */
	memset(big, 'b', sizeof(req) - 2);
	big[sizeof(req) - 2] = '\n';
	assert_int_equal(request(big, sizeof(req) - 1, false, req, sizeof(req)), 0);
	assert_int_equal(strlen(req), sizeof(req) - 2);
}

static void test_silent_client(void **state)
{
	char req[CONTROL_REQ_MAX];
	int sv[2];

	(void)state;
	/* connects and says nothing: given up on (after a second), not waited for */
	pair(sv);
	assert_int_equal(control_read_request(sv[0], req, sizeof(req)), -1);
	close(sv[0]);
	close(sv[1]);
}

static void test_reply(void **state)
{
	char buf[64];
	int sv[2];
	ssize_t n;

	(void)state;
	pair(sv);
	control_reply(sv[0], 0, "ok\n", 3); /* closes sv[0] */
	n = read(sv[1], buf, sizeof(buf));
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "0\nok\n", 5);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 0); /* and the end */
	close(sv[1]);
	/* any failure status is "1" on the wire */
	pair(sv);
	control_reply(sv[0], 7, "no\n", 3);
	n = read(sv[1], buf, sizeof(buf));
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "1\nno\n", 5);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),   cmocka_unit_test(test_nul_is_no_request),
		cmocka_unit_test(test_no_newline), cmocka_unit_test(test_silent_client),
		cmocka_unit_test(test_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
