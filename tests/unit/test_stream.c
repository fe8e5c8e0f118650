/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_stream.c - a TCP direction's first bytes as the receiver sees them, bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/proto.h"
#include "decode/stream.h"

#define B(s) ((const uint8_t *)(s))

/* A stream of cap bytes in mem (at least stream_mem(cap)), its SYN at isn. */
static void start(struct stream *s, uint8_t *mem, size_t cap, uint32_t isn)
{
	*s = (struct stream){ 0 };
	stream_attach(s, mem, cap);
	assert_int_equal(stream_add(s, isn, TCPF_SYN, NULL, 0), 0);
}

static void test_in_order_after_syn(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	start(&s, mem, 32, 1000);
	assert_int_equal(stream_add(&s, 1001, 0, B("abc"), 3), 3);
	assert_int_equal(stream_add(&s, 1004, 0, B("def"), 3), 3);
	assert_int_equal(s.len, 6);
	assert_memory_equal(s.buf, "abcdef", 6);
	assert_false(stream_hole(&s));
	assert_false(s.full);
	assert_false(s.conflict);
}

static void test_retransmission_same_bytes(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	start(&s, mem, 32, 1000);
	stream_add(&s, 1001, 0, B("abc"), 3);
	assert_int_equal(stream_add(&s, 1001, 0, B("abc"), 3), 0);
	/* overlapping with the same old bytes: only the new tail counts */
	assert_int_equal(stream_add(&s, 1002, 0, B("bcde"), 4), 2);
	assert_memory_equal(s.buf, "abcde", 5);
	assert_false(s.conflict);
}

static void test_retransmission_differs(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	/* a first copy meant to die past the router, then the real one */
	start(&s, mem, 32, 1000);
	stream_add(&s, 1001, 0, B("good.example"), 12);
	assert_false(s.conflict);
	stream_add(&s, 1001, 0, B("evil.example"), 12);
	assert_true(s.conflict);
	/* what was held first stays: the reader is told not to trust it */
	assert_memory_equal(s.buf, "good.example", 12);
}

static void test_out_of_order_merged(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	start(&s, mem, 32, 1000);
	assert_int_equal(stream_add(&s, 1007, 0, B("ghi"), 3), 0);
	assert_int_equal(s.len, 0);
	assert_true(stream_hole(&s));
	assert_int_equal(stream_add(&s, 1004, 0, B("def"), 3), 0);
	assert_true(stream_hole(&s));
	/* the hole fills: everything held becomes readable at once */
	assert_int_equal(stream_add(&s, 1001, 0, B("abc"), 3), 9);
	assert_memory_equal(s.buf, "abcdefghi", 9);
	assert_false(stream_hole(&s));
	/* an early segment that disagrees with a later fill is a conflict too */
	assert_int_equal(stream_add(&s, 1020, 0, B("xy"), 2), 0);
	stream_add(&s, 1010, 0, B("0123456789XY"), 12);
	assert_true(s.conflict);
}

static void test_no_syn_seen(void **state)
{
	uint8_t mem[16];
	struct stream s;

	(void)state;
	/* the capture began mid-connection: start at the first data */
	s = (struct stream){ 0 };
	stream_attach(&s, mem, 8);
	assert_int_equal(stream_add(&s, 77, 0, B("GET"), 3), 3);
	assert_int_equal(stream_add(&s, 80, 0, B(" /"), 2), 2);
	assert_memory_equal(s.buf, "GET /", 5);
}

static void test_sequence_wrap(void **state)
{
	uint8_t mem[32];
	struct stream s;

	(void)state;
	start(&s, mem, 16, 0xfffffffd); /* data starts at 0xfffffffe */
	assert_int_equal(stream_add(&s, 0xfffffffe, 0, B("ab"), 2), 2);
	assert_int_equal(stream_add(&s, 0, 0, B("cd"), 2), 2);
	/* a retransmission from before the wrap */
	assert_int_equal(stream_add(&s, 0xffffffff, 0, B("bc"), 2), 0);
	assert_memory_equal(s.buf, "abcd", 4);
	assert_false(s.conflict);
	assert_int_equal(stream_add(&s, 0xffffffff, 0, B("XX"), 2), 0);
	assert_true(s.conflict);
}

static void test_bounded(void **state)
{
	uint8_t mem[16];
	struct stream s;

	(void)state;
	start(&s, mem, 4, 0);
	assert_int_equal(stream_add(&s, 1, 0, B("abcdef"), 6), 4);
	assert_true(s.full);
	assert_int_equal(s.len, 4);
	assert_int_equal(stream_add(&s, 5, 0, B("ef"), 2), 0);
	assert_int_equal(stream_add(&s, 700, 0, B("g"), 1), 0);
	assert_false(stream_hole(&s));
}

static void test_syn_data_counts_once_acked(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	/* TCP Fast Open with a cookie: the SYN-ACK acknowledges the SYN's data */
	s = (struct stream){ 0 };
	stream_attach(&s, mem, 32);
	assert_int_equal(stream_add(&s, 500, TCPF_SYN, B("hello"), 5), 0);
	assert_int_equal(s.len, 0);
	assert_int_equal(stream_acked(&s, 506), 5);
	assert_memory_equal(s.buf, "hello", 5);
	assert_int_equal(stream_add(&s, 506, 0, B("!"), 1), 1);
	assert_int_equal(s.len, 6);
}

static void test_syn_data_refused(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	/* no cookie: the SYN-ACK takes the SYN only; what the client sends next counts */
	s = (struct stream){ 0 };
	stream_attach(&s, mem, 32);
	stream_add(&s, 500, TCPF_SYN, B("good.example"), 12);
	assert_int_equal(stream_acked(&s, 501), 0);
	assert_int_equal(stream_add(&s, 501, 0, B("evil.example"), 12), 12);
	assert_memory_equal(s.buf, "evil.example", 12);
	assert_false(s.conflict);
}

static void test_syn_data_without_ack_seen(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	/* no SYN-ACK seen, the same bytes sent again: they count */
	s = (struct stream){ 0 };
	stream_attach(&s, mem, 32);
	stream_add(&s, 500, TCPF_SYN, B("abc"), 3);
	assert_int_equal(stream_add(&s, 501, 0, B("abc"), 3), 3);
	assert_false(s.conflict);
	/* ... other bytes sent again: which did the server take? */
	s = (struct stream){ 0 };
	stream_attach(&s, mem, 32);
	stream_add(&s, 500, TCPF_SYN, B("abc"), 3);
	stream_add(&s, 501, 0, B("xyz"), 3);
	assert_true(s.conflict);
}

static void test_syn_after_data(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	/* the capture began after the handshake; a SYN with the same ISN comes later */
	s = (struct stream){ 0 };
	stream_attach(&s, mem, 32);
	assert_int_equal(stream_add(&s, 1001, 0, B("abcdef"), 6), 6);
	assert_int_equal(stream_add(&s, 1000, TCPF_SYN, B("abcdefghij"), 10), 0);
	assert_int_equal(s.syn_len, 0);
	assert_int_equal(stream_acked(&s, 1001), 0);
	assert_true(s.len <= s.end);
	assert_int_equal(s.len, 6);
	assert_false(s.conflict);
	/* its bytes were still compared */
	stream_add(&s, 1000, TCPF_SYN, B("abcXef"), 6);
	assert_true(s.conflict);
}

static void test_second_syn_and_urgent(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	start(&s, mem, 32, 1000);
	assert_int_equal(stream_add(&s, 1000, TCPF_SYN, NULL, 0), 0); /* retransmitted */
	assert_false(s.conflict);
	stream_add(&s, 77777, TCPF_SYN, NULL, 0); /* another ISN */
	assert_true(s.conflict);

	start(&s, mem, 32, 1000);
	stream_add(&s, 1001, TCPF_URG, B("GE"), 2);
	assert_true(s.urgent);
}

static void test_consume_keeps_early_bytes(void **state)
{
	uint8_t mem[64];
	struct stream s;

	(void)state;
	start(&s, mem, 16, 500);
	assert_int_equal(stream_add(&s, 501, 0, B("\x00\x02hi"), 4), 4);
	stream_add(&s, 507, 0, B("x"), 1); /* ahead of a hole */
	stream_consume(&s, 4);
	assert_int_equal(s.len, 0);
	assert_true(stream_hole(&s));
	assert_int_equal(stream_add(&s, 505, 0, B("\x00\x01"), 2), 3);
	assert_memory_equal(s.buf, "\x00\x01x", 3);
	/* bytes before what is held were read and forgotten: not compared */
	assert_int_equal(stream_add(&s, 501, 0, B("ZZZZ"), 4), 0);
	assert_false(s.conflict);
	stream_consume(&s, 10);
	assert_int_equal(s.len, 0);
}

/*
 * Consuming any count from a stream with holes keeps exactly the bytes
 * held beyond it, as a byte-by-byte model says (the map is shifted a byte
 * at a time).
 */
static void test_consume_shifts_the_map(void **state)
{
	static uint8_t mem[256 + 32];
	uint8_t model[256], b[1];
	struct stream s;
	uint32_t seed = 12345;

	(void)state;
	for (int round = 0; round < 200; round++) {
		uint32_t base = 1000, k;

		start(&s, mem, 256, base);
		memset(model, 0, sizeof(model));
		/* bytes at random offsets, leaving holes */
		for (int j = 0; j < 120; j++) {
			uint32_t off;

			seed = seed * 1103515245 + 12345;
			off = (seed >> 8) % 200;
			b[0] = (uint8_t)(off + 1);
			stream_add(&s, base + 1 + off, 0, b, 1);
			model[off] = b[0];
		}
		seed = seed * 1103515245 + 12345;
		k = s.len ? (seed >> 8) % (s.len + 1) : 0;
		stream_consume(&s, k);
		/* fill every hole: the stream is then exactly the model from k on */
		for (uint32_t off = k; off < 200; off++) {
			if (!model[off]) {
				model[off] = 0xee;
				b[0] = 0xee;
				stream_add(&s, base + 1 + off, 0, b, 1);
			}
		}
		assert_false(s.conflict);
		assert_int_equal(s.len, 200 - k);
		assert_memory_equal(s.buf, model + k, 200 - k);
	}
}

static void test_attach_keeps_syn(void **state)
{
	uint8_t mem[16];
	struct stream s;

	(void)state;
	/* no buffer while only the handshake passes */
	memset(&s, 0, sizeof(s));
	assert_int_equal(stream_add(&s, 99, TCPF_SYN, NULL, 0), 0);
	assert_true(s.started);
	stream_attach(&s, mem, 8);
	assert_int_equal(stream_add(&s, 100, 0, B("hi"), 2), 2);
	assert_memory_equal(s.buf, "hi", 2);
	assert_int_equal(stream_add(&s, 104, 0, B("x"), 1), 0);
	assert_true(stream_hole(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_after_syn),
		cmocka_unit_test(test_retransmission_same_bytes),
		cmocka_unit_test(test_retransmission_differs),
		cmocka_unit_test(test_out_of_order_merged),
		cmocka_unit_test(test_no_syn_seen),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_syn_data_counts_once_acked),
		cmocka_unit_test(test_syn_data_refused),
		cmocka_unit_test(test_syn_data_without_ack_seen),
		cmocka_unit_test(test_syn_after_data),
		cmocka_unit_test(test_second_syn_and_urgent),
		cmocka_unit_test(test_consume_keeps_early_bytes),
		cmocka_unit_test(test_consume_shifts_the_map),
		cmocka_unit_test(test_attach_keeps_syn),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
