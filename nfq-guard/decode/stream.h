/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.h - the first bytes of one direction of a TCP connection as the
 * receiver will see them, for the TLS, HTTP and DNS readers.  The buffer is
 * the caller's and bounded; bytes past it are not kept.
 *
 * What the server sees is what counts (DESIGN.md §6): segments that come
 * early are held and merged once the hole before them fills; a byte sent
 * twice with two values is a conflict (a first copy meant to die past the
 * router: a short TTL, a bad checksum, an old timestamp); urgent data is a
 * conflict (the receiver takes a byte out of the stream); data on a SYN
 * counts only once the SYN-ACK acknowledges it (TCP Fast Open).  The caller
 * reads buf[0 .. len): in order, with no hole.
 */
#ifndef NFQG_STREAM_H
#define NFQG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream {
	uint8_t *buf;
	uint8_t *held;	  /* a bit for each byte of buf: received */
	uint32_t cap;	  /* size of buf */
	uint32_t len;	  /* bytes held in order from buf[0] */
	uint32_t end;	  /* offset after the furthest byte held (> len: a hole) */
	uint32_t base;	  /* sequence number of buf[0] */
	uint32_t syn_len; /* SYN data held at buf[0 ..), not counted until acknowledged */
	bool started;	  /* base is known */
	bool full;	  /* bytes were offered past cap */
	bool conflict;	  /* a byte came twice with different values, or a second SYN */
	bool urgent;	  /* a segment had URG set */
};

/* Bytes of memory stream_attach needs for a stream of cap bytes. */
static inline size_t stream_mem(size_t cap)
{
	return cap + (cap + 7) / 8;
}

/*
 * stream_attach - give a stream that had no buffer (cap 0: a new stream is
 * zeroed) the stream_mem(cap) bytes at mem, keeping what it learned from
 * earlier segments (a SYN's sequence number).
 */
void stream_attach(struct stream *s, uint8_t *mem, size_t cap);

/*
 * stream_add - offer one segment: its sequence number, TCP flags (SYN and
 * URG count) and payload.  Returns the number of bytes that became readable
 * in order (0 for a retransmission, a segment ahead of a hole, SYN data).
 */
size_t stream_add(struct stream *s, uint32_t seq, uint8_t tcp_flags, const uint8_t *data,
		  size_t len);

/*
 * stream_acked - the receiver's SYN-ACK acknowledged up to ack: SYN data it
 * covers becomes readable, SYN data it does not is dropped (the sender
 * sends it again).  Returns the bytes that became readable.
 */
size_t stream_acked(struct stream *s, uint32_t ack);

/* stream_hole - bytes are held past a hole. */
static inline bool stream_hole(const struct stream *s)
{
	return s->end > s->len;
}

/* stream_consume - forget the first n in-order bytes (a message was read). */
void stream_consume(struct stream *s, size_t n);

#endif
