/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls.h - the server name (SNI) of a TLS ClientHello, read from the first
 * bytes a client sent on a TCP connection.  The ClientHello may be split
 * over several TCP segments and several TLS records; the caller keeps the
 * stream's first bytes (see stream.h) and asks again as more arrive.
 */
#ifndef NFQG_TLS_H
#define NFQG_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"

/* Largest ClientHello handshake body read; a larger one is TLS_TOO_LARGE. */
#define TLS_HELLO_MAX 16384

enum tls_status {
	TLS_NEED_MORE = 0, /* a ClientHello so far; more bytes needed */
	TLS_FOUND,	   /* *sni holds the server name */
	TLS_NO_SNI,	   /* a complete ClientHello without server_name */
	TLS_NOT_TLS,	   /* the stream does not start with a TLS handshake */
	TLS_MALFORMED,	   /* a TLS handshake, but broken */
	TLS_TOO_LARGE,	   /* the ClientHello exceeds TLS_HELLO_MAX */
	TLS_BAD_NAME,	   /* the host_name is not a host name (name_is_hostname) */
};

/*
 * tls_sni - look for the ClientHello's host_name in the len first bytes
 * of a client's stream.  *sni is written only with TLS_FOUND (lower-cased,
 * trailing dot removed).  An empty or overlong host_name is TLS_MALFORMED;
 * one with bytes or labels no host name has (NUL, controls, "a..b", two
 * trailing dots) is TLS_BAD_NAME.
 */
enum tls_status tls_sni(const uint8_t *stream, size_t len, struct name *sni);

/*
 * tls_handshake_sni - the same, from a handshake message with no record
 * layer around it (QUIC carries the ClientHello in CRYPTO frames): its
 * 4-byte header and body, of which len bytes are known so far.
 */
enum tls_status tls_handshake_sni(const uint8_t *msg, size_t len, struct name *sni);

const char *tls_status_str(enum tls_status st);

#endif
