/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sniff.h - the server name in a client's first bytes: the SNI of a TLS
 * ClientHello, the host of a SOCKS request, or else the Host of an HTTP
 * request (or the host of its CONNECT), read from a TCP stream
 * that grows as segments come.  The one copy of this step, used by the
 * engine (what the daemon and replay decide) and by `inspect` alike, with
 * one cap on the bytes held, so that what inspect shows is what the
 * daemon reads.  Pure: no I/O, no allocation.
 */
#ifndef NFQG_SNIFF_H
#define NFQG_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"
#include "decode/http.h"
#include "decode/socks.h"
#include "decode/tls.h"

/*
 * Bytes of a flow's stream held to find its name (or a DNS-over-TCP
 * message): the largest head the readers take, a ClientHello of
 * TLS_HELLO_MAX bytes and its 4-byte header in up to 12 records (5 bytes of
 * header each), or a request head of HTTP_HEAD_MAX bytes.  A head cut into
 * more records than that fills the buffer: SNIFF_FULL, an unknown name.
 */
#define SNIFF_STREAM_CAP (TLS_HELLO_MAX + 64)
_Static_assert(HTTP_HEAD_MAX <= SNIFF_STREAM_CAP, "a request head fits the stream buffer");

enum sniff_result {
	SNIFF_MORE = 0, /* nothing yet: the name may come with later bytes */
	SNIFF_SNI,	/* *out holds the ClientHello's server name */
	SNIFF_HOST,	/* *out holds the request's Host */
	SNIFF_SOCKS,	/* *out holds the host a SOCKS request asks for */
	SNIFF_NO_NAME,	/* read to its end: a ClientHello or request without a name,
			 * or neither TLS, SOCKS nor HTTP */
	SNIFF_BROKEN,	/* a ClientHello or request that is malformed, too large,
			 * ambiguous, or names its host in a way not read */
	SNIFF_FULL,	/* the stream filled its cap before the name could be read */
};

/* Which reader a stream is with: each says when the stream is not its protocol. */
enum sniff_proto {
	SNIFF_PROTO_TLS = 0,
	SNIFF_PROTO_SOCKS,
	SNIFF_PROTO_HTTP,
};

/* Where one stream's reading stands; zeroed before the first call. */
struct sniff_state {
	enum sniff_proto proto;
	enum tls_status tls; /* the last answers of the decoders, for a report */
	enum socks_status socks_st;
	enum http_status http_st;
	const char *why; /* with SNIFF_BROKEN and SNIFF_FULL: why the name is unreadable */
};

/*
 * sniff_name - look for the name in the len bytes the stream holds (of at
 * most cap).  Call again as the stream grows until the result is not
 * SNIFF_MORE.  *out is written only with SNIFF_SNI, SNIFF_HOST and
 * SNIFF_SOCKS.
 */
enum sniff_result sniff_name(struct sniff_state *s, const uint8_t *buf, size_t len, size_t cap,
			     struct name *out);

/* sniff_final - true for every result but SNIFF_MORE. */
static inline bool sniff_final(enum sniff_result r)
{
	return r != SNIFF_MORE;
}

#endif
