/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_decode.c - libFuzzer harness for the link and IP decoders and the
 * TCP stream reassembly.  The first input byte picks the link layer; then
 * come up to 16 frames (each: 1 byte flags, 2 bytes length, the frame),
 * decoded and offered as segments to one stream made new for each input.
 * Frame flags: 1 the receiver's ACK (the frame's own ACK number) comes,
 * 2 the reader consumes what is readable.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCAP 64
#define MAX_FRAMES 16

static uint8_t sbuf[SCAP + (SCAP + 7) / 8];

static void check(const struct stream *st)
{
	if (st->len > st->end || st->end > st->cap || st->syn_len > st->cap)
		abort();
}

/* Decode one frame; the IP packet's view must lie inside it. */
static bool frame(unsigned link, const uint8_t *f, size_t n, struct packet *p)
{
	struct link lk = { 0 };
	enum decode_status s;
	const char *why = NULL;

	switch (link) {
	case 0:
		s = decode_ether(f, n, &lk);
		break;
	case 1:
		s = decode_sll(f, n, &lk);
		break;
	case 2:
		s = decode_sll2(f, n, &lk);
		break;
	default:
		s = DECODE_OK;
		break;
	}
	if (s != DECODE_OK)
		return false;
	if (lk.l3_off > n)
		abort();
	s = decode_ip(f + lk.l3_off, n - lk.l3_off, p, &why);
	if (s != DECODE_OK) {
		if (!why)
			abort();
		return false;
	}
	if (p->payload < f + lk.l3_off || p->payload + p->payload_len > f + n)
		abort();
	if (p->family != 4 && p->family != 6)
		abort();
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream st = { 0 };
	struct packet p;
	size_t off = 1, n, got;
	unsigned link, flags, i;

	if (size < 1)
		return 0;
	link = data[0] & 3;
	if (stream_mem(SCAP) != sizeof(sbuf))
		abort();
	stream_attach(&st, sbuf, SCAP);
	for (i = 0; i < MAX_FRAMES && size - off >= 3; i++) {
		flags = data[off];
		n = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (n > size - off)
			n = size - off;
		if (frame(link, data + off, n, &p) && p.proto == IPPROTO_NUM_TCP && p.l4) {
			got = stream_add(&st, p.tcp_seq, p.tcp_flags, p.payload, p.payload_len);
			if (got > st.len)
				abort();
			check(&st);
			if (flags & 1)
				stream_acked(&st, p.tcp_ack);
			check(&st);
			if (flags & 2)
				stream_consume(&st, st.len);
			check(&st);
		}
		off += n;
	}
	return 0;
}
