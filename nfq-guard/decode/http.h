/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.h - the host an HTTP/1.x request is for: the authority of an
 * absolute request-target, else the Host header; port and brackets of an
 * IPv6 literal removed.  Reads the first bytes a client sent on a TCP
 * connection, which may arrive over several segments.
 */
#ifndef NFQG_HTTP_H
#define NFQG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"

/* Longest request head read; a longer one is HTTP_TOO_LARGE. */
#define HTTP_HEAD_MAX 16384

/* Longest Host value held (folded lines joined): a name, brackets and a port. */
#define HTTP_HOST_VALUE_MAX (NAME_MAX_LEN + 16)

enum http_status {
	HTTP_NEED_MORE = 0, /* a request head so far; more bytes needed */
	HTTP_FOUND,	    /* *host holds the host */
	HTTP_NO_HOST,	    /* a complete head with no host (HTTP/1.0) */
	HTTP_NOT_HTTP,	    /* the stream does not start with a request line */
	HTTP_MALFORMED,	    /* a request, but broken (e.g. two Host headers) */
	HTTP_TOO_LARGE,	    /* no end of head within HTTP_HEAD_MAX bytes */
	HTTP_H2_PRIOR,	    /* the HTTP/2 preface: the host is in HPACK, not read */
	HTTP_BAD_HOST,	    /* the host is not a host name (name_is_hostname) */
	HTTP_CONNECT_ADDR,  /* CONNECT to an address: the name behind it is not known */
};

/*
 * http_host - find the host of the request at the start of the len bytes
 * at stream.  *host is written only with HTTP_FOUND.
 */
enum http_status http_host(const uint8_t *stream, size_t len, struct name *host);

/* How the request whose head was read goes on in the stream. */
struct http_request {
	size_t head_len;   /* bytes of the head, from the stream's start */
	uint64_t body_len; /* Content-Length (0 without) */
	bool body_chunked; /* Transfer-Encoding: the body's end is not read */
	bool tunnel;	   /* CONNECT: what follows is the tunnel's */
	bool upgrade;	   /* Upgrade: another protocol follows if the server says 101 */
};

/*
 * http_request - http_host, and with HTTP_FOUND or HTTP_NO_HOST also *req
 * (when not NULL): where the head ends and what follows it.  Two
 * Content-Length fields, one with Transfer-Encoding, either folded over
 * lines, codings that do not end in one "chunked", or a body on a GET or
 * HEAD are HTTP_MALFORMED: where the next request starts would be in
 * doubt.
 */
enum http_status http_request(const uint8_t *stream, size_t len, struct name *host,
			      struct http_request *req);

/*
 * http_switching - do the len bytes at p start a server's "101 Switching
 * Protocols" status line (RFC 9110 15.2.2)?
 */
bool http_switching(const uint8_t *p, size_t len);

const char *http_status_str(enum http_status st);

#endif
