/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * socks.c - the host of a SOCKS client's request, read in place from the
 * client's stream (see socks.h).  Allocates nothing and never logs.
 *
 *   SOCKS5 (RFC 1928)
 *   greeting  | 05 | nmethods >= 1 | methods ...            |
 *   [auth]    | 01 | ulen | user | plen | password |  only when method 02
 *                                                     (RFC 1929) was offered
 *   request   | 05 | cmd | 00 | atyp | address | port (2) |
 *                    1 CONNECT    1: 4 bytes, 3: len + domain, 4: 16 bytes
 *
 *   SOCKS4    | 04 | cmd | port (2) | ip (4) | user ... 00 |
 *   SOCKS4a   ip 0.0.0.x (x != 0), then | domain ... 00 |
 *
 * Every answer but SOCKS_NOT_SOCKS comes from a complete request, so more
 * bytes never change an answer once it is given.
 */
#include <stdbool.h>
#include <string.h>

#include "base/cursor.h"
#include "decode/socks.h"

#define SOCKS5_VERSION 5
#define SOCKS4_VERSION 4
#define SOCKS_AUTH_VERSION 1 /* RFC 1929's sub-negotiation */
#define SOCKS_METHOD_NONE 0
#define SOCKS_METHOD_PASSWORD 2
#define SOCKS_CMD_CONNECT 1
#define SOCKS_CMD_BIND 2
#define SOCKS_CMD_UDP 3
#define SOCKS_ATYP_IPV4 1
#define SOCKS_ATYP_DOMAIN 3
#define SOCKS_ATYP_IPV6 4
#define SOCKS4_STRING_MAX 255 /* user id or domain, without the NUL */

/* A result once the bytes are there; NEED_MORE while they are not. */
#define NEED(expr)                              \
	do {                                    \
		if (!(expr))                    \
			return SOCKS_NEED_MORE; \
	} while (0)

/*
 * Store len bytes as the host: a host name, SOCKS_BAD_NAME, or
 * SOCKS_UNNAMED for an address written as a name (the proxy connects to it).
 */
static enum socks_status host_store(const uint8_t *p, size_t len, struct name *host)
{
	struct name n;

	if (name_set(&n, p, len) != 0 || !name_is_hostname(&n))
		return SOCKS_BAD_NAME;
	if (name_is_address(&n))
		return SOCKS_UNNAMED;
	*host = n;
	return SOCKS_FOUND;
}

/* RFC 1929: version 1, user and password of 0..255 bytes each. */
static enum socks_status socks5_auth(struct cursor *c)
{
	uint8_t ver, n;

	NEED(cur_u8(c, &ver));
	if (ver != SOCKS_AUTH_VERSION)
		return SOCKS_MALFORMED;
	NEED(cur_u8(c, &n) && cur_skip(c, n));
	NEED(cur_u8(c, &n) && cur_skip(c, n));
	return SOCKS_FOUND; /* read on */
}

static enum socks_status socks5_request(struct cursor *c, struct name *host)
{
	const uint8_t *domain = NULL;
	uint8_t ver, cmd, rsv, atyp, dlen = 0;

	NEED(cur_u8(c, &ver));
	if (ver != SOCKS5_VERSION)
		return SOCKS_MALFORMED;
	NEED(cur_u8(c, &cmd));
	if (cmd != SOCKS_CMD_CONNECT && cmd != SOCKS_CMD_BIND && cmd != SOCKS_CMD_UDP)
		return SOCKS_MALFORMED;
	NEED(cur_u8(c, &rsv));
	if (rsv != 0)
		return SOCKS_MALFORMED;
	NEED(cur_u8(c, &atyp));
	switch (atyp) {
	case SOCKS_ATYP_IPV4:
		NEED(cur_skip(c, 4));
		break;
	case SOCKS_ATYP_IPV6:
		NEED(cur_skip(c, 16));
		break;
	case SOCKS_ATYP_DOMAIN:
		NEED(cur_u8(c, &dlen) && cur_bytes(c, dlen, &domain));
		break;
	default:
		return SOCKS_MALFORMED;
	}
	NEED(cur_skip(c, 2)); /* port */
	if (cmd != SOCKS_CMD_CONNECT || !domain)
		return SOCKS_UNNAMED;
	return host_store(domain, dlen, host);
}

/* After "05": the greeting, perhaps the password step, then the request. */
static enum socks_status socks5(struct cursor *c, struct name *host)
{
	const uint8_t *methods;
	enum socks_status st;
	uint8_t nmethods, next;

	NEED(cur_u8(c, &nmethods));
	if (nmethods == 0)
		return SOCKS_NOT_SOCKS;
	NEED(cur_bytes(c, nmethods, &methods));
	for (unsigned int i = 0; i < nmethods; i++)
		if (methods[i] != SOCKS_METHOD_NONE && methods[i] != SOCKS_METHOD_PASSWORD)
			return SOCKS_METHOD;
	NEED(cur_left(c) > 0);
	next = cur_ptr(c)[0];
	if (next == SOCKS_AUTH_VERSION && memchr(methods, SOCKS_METHOD_PASSWORD, nmethods)) {
		st = socks5_auth(c);
		if (st != SOCKS_FOUND)
			return st;
	}
	return socks5_request(c, host);
}

/* A NUL-terminated string of at most SOCKS4_STRING_MAX bytes: its length. */
static enum socks_status socks4_string(struct cursor *c, const uint8_t **s, size_t *len)
{
	const uint8_t *p = cur_ptr(c);
	size_t n = cur_left(c), i;

	for (i = 0; i < n && i <= SOCKS4_STRING_MAX; i++) {
		if (p[i] == '\0') {
			*s = p;
			*len = i;
			cur_skip(c, i + 1);
			return SOCKS_FOUND;
		}
	}
	return i > SOCKS4_STRING_MAX ? SOCKS_MALFORMED : SOCKS_NEED_MORE;
}

/* After "04": command, port, address, user id, and SOCKS4a's domain. */
static enum socks_status socks4(struct cursor *c, struct name *host)
{
	const uint8_t *ip, *s;
	enum socks_status st;
	uint8_t cmd;
	size_t len;

	NEED(cur_u8(c, &cmd));
	if (cmd != SOCKS_CMD_CONNECT && cmd != SOCKS_CMD_BIND)
		return SOCKS_NOT_SOCKS;
	NEED(cur_skip(c, 2) && cur_bytes(c, 4, &ip));
	st = socks4_string(c, &s, &len);
	if (st != SOCKS_FOUND)
		return st;
	if (ip[0] != 0 || ip[1] != 0 || ip[2] != 0 || ip[3] == 0) /* an address: SOCKS4 */
		return SOCKS_UNNAMED;
	st = socks4_string(c, &s, &len);
	if (st != SOCKS_FOUND)
		return st;
	if (cmd != SOCKS_CMD_CONNECT)
		return SOCKS_UNNAMED;
	return host_store(s, len, host);
}

enum socks_status socks_host(const uint8_t *stream, size_t len, struct name *host)
{
	struct cursor c;
	uint8_t ver;

	cur_init(&c, stream, len);
	NEED(cur_u8(&c, &ver));
	if (ver == SOCKS5_VERSION)
		return socks5(&c, host);
	if (ver == SOCKS4_VERSION)
		return socks4(&c, host);
	return SOCKS_NOT_SOCKS;
}

const char *socks_status_str(enum socks_status st)
{
	static const char *const str[] = {
		[SOCKS_NEED_MORE] = "need more",    [SOCKS_FOUND] = "found",
		[SOCKS_NOT_SOCKS] = "not socks",    [SOCKS_MALFORMED] = "malformed",
		[SOCKS_UNNAMED] = "no name",	    [SOCKS_BAD_NAME] = "not a host name",
		[SOCKS_METHOD] = "method not read",
	};

	if ((size_t)st < sizeof(str) / sizeof(str[0]) && str[st])
		return str[st];
	return "unknown";
}
