/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * socks.h - the host a SOCKS client asks its proxy to connect to, read from
 * the client's first bytes on a TCP connection: SOCKS5 (RFC 1928, with the
 * username/password step of RFC 1929) and SOCKS4/4a.  The client sends its
 * greeting, waits for the proxy's answer and then sends its request; the
 * caller keeps the client's stream (see stream.h) and asks again as it
 * grows.
 *
 * The flow's real destination is the one in the request, not the proxy's
 * address: a request for a domain gives that name; a request for an
 * address, or a command other than CONNECT (BIND, UDP ASSOCIATE), gives no
 * name nfq-guard can match and is SOCKS_UNNAMED, an unknown name.  So is
 * a greeting that offers a method other than "none" and username/password
 * (GSSAPI, a private one): the proxy may choose it, and the bytes that
 * follow are that method's, where a decoy request could hide the real one
 * (SOCKS_METHOD).
 */
#ifndef NFQG_SOCKS_H
#define NFQG_SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"

enum socks_status {
	SOCKS_NEED_MORE = 0, /* a SOCKS greeting or request so far */
	SOCKS_FOUND,	     /* *host holds the domain of a CONNECT request */
	SOCKS_NOT_SOCKS,     /* the stream does not start with a SOCKS greeting */
	SOCKS_MALFORMED,     /* a greeting, then bytes no SOCKS client sends */
	SOCKS_UNNAMED,	     /* a request for an address, or not a CONNECT */
	SOCKS_BAD_NAME,	     /* the domain is not a host name (name_is_hostname) */
	SOCKS_METHOD,	     /* the greeting offers a method whose exchange is not read */
};

/*
 * socks_host - read the len bytes a client sent.  *host is written only
 * with SOCKS_FOUND.  An answer other than SOCKS_NEED_MORE never changes
 * as more bytes come.
 */
enum socks_status socks_host(const uint8_t *stream, size_t len, struct name *host);

const char *socks_status_str(enum socks_status st);

#endif
