/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.c - a TCP direction's first bytes as the receiver sees them (see
 * stream.h).
 *
 * buf holds bytes by offset from base; held has a bit for each.  Bytes
 * ahead of a hole are kept so that a sender cannot make us miss a head by
 * sending it out of order, and every byte that comes again is compared
 * with the one held.  Sequence numbers wrap, so every comparison is done
 * on the signed 32-bit difference.
 */
#include <string.h>

#include "base/proto.h"
#include "decode/stream.h"

static inline bool held_get(const struct stream *s, uint32_t i)
{
	return s->held[i >> 3] & (1u << (i & 7));
}

static inline void held_set(struct stream *s, uint32_t i)
{
	s->held[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static inline void held_clear(struct stream *s, uint32_t i)
{
	s->held[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}

/* Mark n bytes from offset off as held: whole bytes of the map at once. */
static void held_set_range(struct stream *s, uint32_t off, uint32_t n)
{
	uint32_t end = off + n;

	while (off < end && (off & 7))
		held_set(s, off++);
	if (end - off >= 8) {
		memset(s->held + (off >> 3), 0xff, (end - off) >> 3);
		off += (end - off) & ~7u;
	}
	while (off < end)
		held_set(s, off++);
}

void stream_attach(struct stream *s, uint8_t *mem, size_t cap)
{
	s->cap = cap > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)cap;
	s->buf = mem;
	s->held = mem + s->cap;
	memset(s->held, 0, (s->cap + 7) / 8);
	s->len = s->end = s->syn_len = 0;
}

/* Move len over the bytes held in order; SYN data waits for its ACK. */
static size_t advance(struct stream *s)
{
	uint32_t old = s->len;

	if (s->syn_len > 0)
		return 0;
	while (s->len < s->end) {
		if (!(s->len & 7) && s->end - s->len >= 8 && s->held[s->len >> 3] == 0xff)
			s->len += 8;
		else if (held_get(s, s->len))
			s->len++;
		else
			break;
	}
	return s->len - old;
}

/* Store data at offset off, comparing what is already held. */
static void place(struct stream *s, uint32_t off, const uint8_t *data, size_t len)
{
	size_t i;

	if (off + len > s->cap) {
		s->full = true;
		len = off < s->cap ? s->cap - off : 0;
	}
	if (off == s->end) { /* the common case: nothing held there yet */
		memcpy(s->buf + off, data, len);
		held_set_range(s, off, (uint32_t)len);
	} else {
		for (i = 0; i < len; i++) {
			uint32_t at = off + (uint32_t)i;

			if (!held_get(s, at)) {
				s->buf[at] = data[i];
				held_set(s, at);
			} else if (s->buf[at] != data[i]) {
				s->conflict = true;
			}
		}
	}
	if (off + len > s->end)
		s->end = off + (uint32_t)len;
}

size_t stream_add(struct stream *s, uint32_t seq, uint8_t tcp_flags, const uint8_t *data,
		  size_t len)
{
	bool syn = tcp_flags & TCPF_SYN;
	int32_t rel;
	size_t skip;

	if (tcp_flags & TCPF_URG)
		s->urgent = true;
	if (syn) {
		/* SYN takes one sequence number; data on a SYN follows it. */
		seq++;
		if (!s->started) {
			s->base = seq;
			s->started = true;
		} else if (seq != s->base) {
			s->conflict = true; /* another connection's SYN: not this stream */
			return 0;
		}
	}
	if (len == 0 || !s->buf)
		return 0;
	if (!s->started) {
		/* The capture began after the handshake: start here. */
		s->base = seq;
		s->started = true;
	}
	rel = (int32_t)(seq - s->base);
	skip = rel < 0 ? (size_t)(-(int64_t)rel) : 0;
	if (skip >= len)
		return 0; /* before what we hold (read and consumed) */
	if (rel > 0 && (uint32_t)rel >= s->cap) {
		s->full = true;
		return 0;
	}
	if (syn) {
		/*
		 * SYN data waits for the SYN-ACK.  Once bytes are readable in
		 * order, a SYN that comes again only has its bytes compared.
		 */
		place(s, 0, data, len);
		if (s->len == 0 && s->syn_len < len)
			s->syn_len = len < s->cap ? (uint32_t)len : s->cap;
		return 0;
	}
	if (rel == (int32_t)s->len && s->end == s->len && s->syn_len == 0) {
		/* in order, nothing held beyond: no hole to look through */
		place(s, s->len, data, len);
		skip = s->end - s->len;
		s->len = s->end;
		return skip;
	}
	place(s, rel > 0 ? (uint32_t)rel : 0, data + skip, len - skip);
	if (s->syn_len > 0 && rel <= 0 && len - skip >= s->syn_len)
		s->syn_len = 0; /* sent again without SYN: the receiver gets these bytes */
	return advance(s);
}

size_t stream_acked(struct stream *s, uint32_t ack)
{
	int32_t got = (int32_t)(ack - s->base);
	uint32_t i;

	if (s->syn_len == 0 || !s->started)
		return 0;
	if (got < 0)
		got = 0;
	if ((uint32_t)got < s->syn_len) {
		/* the receiver did not take these: the sender sends them again */
		for (i = (uint32_t)got; i < s->syn_len; i++)
			held_clear(s, i);
		if (s->end == s->syn_len)
			s->end = (uint32_t)got;
	}
	s->syn_len = 0;
	return advance(s);
}

void stream_consume(struct stream *s, size_t n)
{
	uint32_t i, k = n > s->len ? s->len : (uint32_t)n;

	if (k == 0)
		return;
	memmove(s->buf, s->buf + k, s->end - k);
	/* the map shifted down by k bits, a byte at a time; what is past end cleared */
	{
		uint32_t nbytes = (s->end + 7) / 8, q = k / 8, r = k % 8;

		for (i = 0; i < nbytes; i++) {
			uint32_t lo = i + q < nbytes ? s->held[i + q] : 0;
			uint32_t hi = r && i + q + 1 < nbytes ? s->held[i + q + 1] : 0;

			s->held[i] = (uint8_t)((lo >> r) | (hi << (8 - r)));
		}
		for (i = s->end - k; i < nbytes * 8; i++)
			held_clear(s, i);
	}
	s->base += k;
	s->len -= k;
	s->end -= k;
}
