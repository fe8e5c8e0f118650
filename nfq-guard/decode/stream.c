/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.c - in-order first bytes of a TCP direction (see stream.h).
 *
 * Only what arrives in order is kept: a segment ahead of the next expected
 * byte is not buffered (the sender will retransmit what was lost), which
 * keeps the state to one buffer and one sequence number.  Sequence numbers
 * wrap, so every comparison is done on the signed 32-bit difference.
 */
#include <string.h>

#include "base/cursor.h"
#include "decode/stream.h"

void stream_attach(struct stream *s, uint8_t *buf, size_t cap)
{
	s->buf = buf;
	s->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	s->len = 0;
}

size_t stream_add(struct stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len)
{
	struct cursor c;
	const uint8_t *fresh;
	int32_t ahead;
	size_t skip, room, take;

	if (syn) {
		/* SYN takes one sequence number; data on a SYN follows it. */
		seq++;
		if (!s->started) {
			s->next_seq = seq;
			s->started = true;
		}
	}
	if (len == 0)
		return 0;
	if (!s->started) {
		/* The capture began after the handshake: start here. */
		s->next_seq = seq;
		s->started = true;
	}
	ahead = (int32_t)(seq - s->next_seq);
	if (ahead > 0) {
		s->gap = true;
		return 0;
	}
	skip = (size_t)(-(int64_t)ahead);
	cur_init(&c, data, len);
	if (!cur_skip(&c, skip) || cur_left(&c) == 0)
		return 0; /* a retransmission of what we hold */
	len = cur_left(&c);

	room = s->cap - s->len;
	take = len < room ? len : room;
	if (take < len)
		s->full = true;
	if (take > 0 && cur_bytes(&c, take, &fresh))
		memcpy(s->buf + s->len, fresh, take);
	s->len += (uint32_t)take;
	s->next_seq += (uint32_t)len;
	return take;
}

void stream_consume(struct stream *s, size_t n)
{
	if (n >= s->len) {
		s->len = 0;
		return;
	}
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= (uint32_t)n;
}
