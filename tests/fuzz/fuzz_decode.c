/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_decode.c - libFuzzer harness for the link and IP decoders and the
 * TCP stream reassembly.  The first input byte picks the link layer; the
 * decoded payload is then offered to a stream as a segment.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t sbuf[64];
static struct stream st;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct link lk;
	struct packet p;
	enum decode_status s;
	const char *why = NULL;
	size_t off = 0;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		s = decode_ether(data + 1, size - 1, &lk);
		break;
	case 1:
		s = decode_sll(data + 1, size - 1, &lk);
		break;
	case 2:
		s = decode_sll2(data + 1, size - 1, &lk);
		break;
	default:
		s = DECODE_OK;
		lk.l3_off = 0;
		break;
	}
	if (s != DECODE_OK)
		return 0;
	off = 1 + lk.l3_off;
	if (off > size)
		abort();
	s = decode_ip(data + off, size - off, &p, &why);
	if (s != DECODE_OK) {
		if (!why)
			abort();
		return 0;
	}
	/* the payload view lies inside the input */
	if (p.payload < data + off || p.payload + p.payload_len > data + size)
		abort();
	if (p.family != 4 && p.family != 6)
		abort();
	if (p.proto == IPPROTO_NUM_TCP && p.l4) {
		if (data[0] & 4) {
			st = (struct stream){ 0 };
			stream_attach(&st, sbuf, sizeof(sbuf));
		}
		stream_add(&st, p.tcp_seq, p.tcp_flags & TCPF_SYN, p.payload, p.payload_len);
		if (st.len > st.cap)
			abort();
		if (data[0] & 8)
			stream_consume(&st, p.payload_len);
	}
	return 0;
}
