/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.h - the first bytes of one direction of a TCP connection, put in
 * order from its segments, for the TLS, HTTP and DNS readers.  The buffer is
 * the caller's and bounded; bytes past it are not kept.
 */
#ifndef NFQG_STREAM_H
#define NFQG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream {
	uint8_t *buf;
	uint32_t cap;	   /* size of buf */
	uint32_t len;	   /* in-order bytes held */
	uint32_t next_seq; /* sequence number of the byte after buf[len - 1] */
	bool started;	   /* next_seq is known */
	bool full;	   /* bytes were offered past cap */
	bool gap;	   /* a segment arrived ahead of next_seq (not kept) */
};

/*
 * stream_attach - give a stream that had no buffer (cap 0: a new stream is
 * zeroed) the buffer it needs once bytes arrive, keeping what it learned
 * from earlier segments (a SYN's sequence number).
 */
void stream_attach(struct stream *s, uint8_t *buf, size_t cap);

/*
 * stream_add - offer one segment: its sequence number, whether it carries
 * SYN, and its payload.  Bytes already held are ignored; new in-order bytes
 * are appended up to cap.  Returns the number of bytes appended.
 */
size_t stream_add(struct stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len);

/* stream_consume - forget the first n held bytes (a message was read). */
void stream_consume(struct stream *s, size_t n);

#endif
