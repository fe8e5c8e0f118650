/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_stream.c - putting TCP segments in order, bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "decode/stream.h"

static void test_in_order_after_syn(void **state)
{
	uint8_t buf[32];
	struct stream s;

	(void)state;
	s = (struct stream){ 0 };
	stream_attach(&s, buf, sizeof(buf));
	assert_int_equal(stream_add(&s, 1000, true, NULL, 0), 0);
	assert_int_equal(stream_add(&s, 1001, false, (const uint8_t *)"abc", 3), 3);
	assert_int_equal(stream_add(&s, 1004, false, (const uint8_t *)"def", 3), 3);
	assert_int_equal(s.len, 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_false(s.gap);
	assert_false(s.full);
}

static void test_retransmit_overlap_gap(void **state)
{
	uint8_t buf[32];
	struct stream s;

	(void)state;
	s = (struct stream){ 0 };
	stream_attach(&s, buf, sizeof(buf));
	stream_add(&s, 1000, true, NULL, 0);
	stream_add(&s, 1001, false, (const uint8_t *)"abc", 3);
	/* exact retransmission: nothing new */
	assert_int_equal(stream_add(&s, 1001, false, (const uint8_t *)"abc", 3), 0);
	/* ahead of what we hold: not kept */
	assert_int_equal(stream_add(&s, 1010, false, (const uint8_t *)"zzz", 3), 0);
	assert_true(s.gap);
	/* overlapping: only the new tail is taken, old bytes win */
	assert_int_equal(stream_add(&s, 1002, false, (const uint8_t *)"XYde", 4), 2);
	assert_int_equal(s.len, 5);
	assert_memory_equal(buf, "abcde", 5);
}

static void test_no_syn_seen(void **state)
{
	uint8_t buf[8];
	struct stream s;

	(void)state;
	/* the capture began mid-connection: start at the first data */
	s = (struct stream){ 0 };
	stream_attach(&s, buf, sizeof(buf));
	assert_int_equal(stream_add(&s, 77, false, (const uint8_t *)"GET", 3), 3);
	assert_int_equal(stream_add(&s, 80, false, (const uint8_t *)" /", 2), 2);
	assert_memory_equal(buf, "GET /", 5);
}

static void test_sequence_wrap(void **state)
{
	uint8_t buf[16];
	struct stream s;

	(void)state;
	s = (struct stream){ 0 };
	stream_attach(&s, buf, sizeof(buf));
	stream_add(&s, 0xfffffffd, true, NULL, 0); /* data starts at 0xfffffffe */
	assert_int_equal(stream_add(&s, 0xfffffffe, false, (const uint8_t *)"ab", 2), 2);
	assert_int_equal(stream_add(&s, 0, false, (const uint8_t *)"cd", 2), 2);
	/* a retransmission from before the wrap */
	assert_int_equal(stream_add(&s, 0xffffffff, false, (const uint8_t *)"bc", 2), 0);
	assert_memory_equal(buf, "abcd", 4);
}

static void test_bounded(void **state)
{
	uint8_t buf[4];
	struct stream s;

	(void)state;
	s = (struct stream){ 0 };
	stream_attach(&s, buf, sizeof(buf));
	stream_add(&s, 0, true, NULL, 0);
	assert_int_equal(stream_add(&s, 1, false, (const uint8_t *)"abcdef", 6), 4);
	assert_true(s.full);
	assert_int_equal(s.len, 4);
	/* the bytes past cap still count as seen: their retransmission adds nothing */
	assert_int_equal(stream_add(&s, 5, false, (const uint8_t *)"ef", 2), 0);
	assert_false(s.gap);
	assert_int_equal(stream_add(&s, 7, false, (const uint8_t *)"g", 1), 0);
}

static void test_syn_with_data_and_consume(void **state)
{
	uint8_t buf[16];
	struct stream s;

	(void)state;
	/* TCP Fast Open: data on the SYN follows its sequence number */
	s = (struct stream){ 0 };
	stream_attach(&s, buf, sizeof(buf));
	assert_int_equal(stream_add(&s, 500, true, (const uint8_t *)"\x00\x02hi", 4), 4);
	assert_int_equal(stream_add(&s, 505, false, (const uint8_t *)"\x00\x01x", 3), 3);
	stream_consume(&s, 4);
	assert_int_equal(s.len, 3);
	assert_memory_equal(buf, "\x00\x01x", 3);
	stream_consume(&s, 10);
	assert_int_equal(s.len, 0);
}

static void test_attach_keeps_syn(void **state)
{
	uint8_t buf[8];
	struct stream s;

	(void)state;
	/* no buffer while only the handshake passes */
	memset(&s, 0, sizeof(s));
	assert_int_equal(stream_add(&s, 99, true, NULL, 0), 0);
	assert_true(s.started);
	stream_attach(&s, buf, sizeof(buf));
	/* a retransmitted SYN byte is not data; the first data lands at 100 */
	assert_int_equal(stream_add(&s, 100, false, (const uint8_t *)"hi", 2), 2);
	assert_memory_equal(buf, "hi", 2);
	assert_int_equal(stream_add(&s, 104, false, (const uint8_t *)"x", 1), 0);
	assert_true(s.gap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_after_syn),
		cmocka_unit_test(test_retransmit_overlap_gap),
		cmocka_unit_test(test_no_syn_seen),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_syn_with_data_and_consume),
		cmocka_unit_test(test_attach_keeps_syn),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
