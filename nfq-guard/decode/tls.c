/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls.c - find the server name (SNI) in the ClientHello that opens a TLS
 * connection, from the client's first bytes only (see tls.h).  Reads the
 * stream through cursor.h, allocates nothing and never logs.
 */
#include <stdbool.h>
#include <string.h>

#include "base/cursor.h"
#include "decode/tls.h"

/*
 * The client's first flight: one handshake message, ClientHello, cut into
 * one or more plaintext records (RFC 8446 5.1, RFC 5246 6.2.1).
 *
 *   record      +------+---------+---------+--------------------------+
 *               | type | version | length  | fragment (length bytes)  |
 *               |  22  | 03 xx   | 0..2^14 |                          |
 *               +------+---------+---------+--------------------------+
 *                  1        2         2
 *
 *   handshake   +------+---------+----------------------------------+
 *   (gathered   | type | length  | ClientHello body (length bytes)  |
 *   fragments)  |  1   |   3     |                                  |
 *               +------+---------+----------------------------------+
 */
#define TLS_CT_HANDSHAKE 22
#define TLS_RECORD_MAX 16384 /* 2^14: a plaintext fragment's limit */
#define TLS_HS_HDR 4
#define TLS_HS_CLIENT_HELLO 1

/*
 *   ClientHello body
 *   +---------+--------+---+------------+-----+---------+---+--------+--------------+
 *   | legacy  | random |len| session_id | len | cipher  |len| compr. | extensions   |
 *   | version |        |   |   <=32     |     | suites  |   | >=1    | (optional)   |
 *   +---------+--------+---+------------+-----+---------+---+--------+--------------+
 *        2        32     1                2    even,>=2   1
 *
 *   extensions  +--------+------+------+------+------+----
 *               | length | type | len  | data | type | ...   (exactly fills
 *               |   2    |  2   |  2   |      |      |        the body)
 *               +--------+------+------+------+------+----
 *
 *   server_name extension data (type 0, RFC 6066 3)
 *               +-----------+-----------+-----+-----------+-----
 *               | list len  | name_type | len | host_name | ...
 *               |    2      | 1 (0=host)|  2  |           |
 *               +-----------+-----------+-----+-----------+-----
 */
#define TLS_RANDOM_LEN 32
#define TLS_SESSION_ID_MAX 32
#define TLS_EXT_SERVER_NAME 0
#define TLS_SNI_HOST_NAME 0

/* clang-format off */
static const char *const tls_status_names[] = {
	[TLS_NEED_MORE] = "need more",
	[TLS_FOUND]     = "found",
	[TLS_NO_SNI]    = "no sni",
	[TLS_NOT_TLS]   = "not tls",
	[TLS_MALFORMED] = "malformed",
	[TLS_TOO_LARGE] = "too large",
	[TLS_BAD_NAME]  = "not a host name",
};
/* clang-format on */

const char *tls_status_str(enum tls_status st)
{
	if ((unsigned int)st >= sizeof(tls_status_names) / sizeof(tls_status_names[0]))
		return "unknown";
	return tls_status_names[st];
}

/*
 * Read the next record header into *frag_len.  Returns true when a whole,
 * plausible header was read; otherwise *st says why not.  The first record
 * is checked byte by byte as far as the stream goes, so that a stream that
 * is not TLS is called so as early as possible (one byte of HTTP or SSH is
 * enough) and a true prefix of a record header is only ever NEED_MORE.
 * A later record that is not handshake is a broken hello, not another
 * protocol.  Any 03 xx version is taken and an empty record is skipped, as
 * OpenSSL does: a stricter reader would call "not TLS" what a server reads
 * as a hello.
 */
static bool tls_record_next(struct cursor *c, bool first, uint16_t *frag_len, enum tls_status *st)
{
	enum tls_status wrong = first ? TLS_NOT_TLS : TLS_MALFORMED;
	struct cursor h = *c;
	uint8_t type, major, minor;
	uint16_t len;

	*st = TLS_NEED_MORE;
	if (!cur_u8(&h, &type))
		return false;
	if (type != TLS_CT_HANDSHAKE) {
		*st = wrong;
		return false;
	}
	if (!cur_u8(&h, &major))
		return false;
	if (major != 3) {
		*st = wrong;
		return false;
	}
	if (!cur_u8(&h, &minor))
		return false;
	(void)minor; /* any 03 xx: servers take record versions they do not speak */
	if (!cur_u16be(&h, &len))
		return false;
	if (len > TLS_RECORD_MAX) {
		*st = TLS_MALFORMED;
		return false;
	}
	*c = h;
	*frag_len = len;
	return true;
}

/*
 * Parse one server_name extension's data.  Returns TLS_FOUND with *out set
 * to the first host_name, TLS_NO_SNI when the list names no host, or
 * TLS_MALFORMED.  A second host_name is malformed too (RFC 6066 forbids
 * it): servers disagree on which one they use, and a name we do not check
 * must not be the one that counts.
 */
static enum tls_status tls_sni_parse(struct cursor *ext, struct name *out)
{
	struct cursor list;
	uint16_t list_len;
	bool found = false;

	if (!cur_u16be(ext, &list_len) || list_len == 0 || list_len != cur_left(ext) ||
	    !cur_sub(ext, list_len, &list))
		return TLS_MALFORMED;
	while (cur_left(&list) > 0) {
		const uint8_t *host;
		uint8_t name_type;
		uint16_t host_len;

		if (!cur_u8(&list, &name_type) || !cur_u16be(&list, &host_len) ||
		    !cur_bytes(&list, host_len, &host))
			return TLS_MALFORMED;
		if (name_type != TLS_SNI_HOST_NAME)
			continue;
		if (found)
			return TLS_MALFORMED;
		/* name_set refuses empty, lone-dot and overlong names */
		if (name_set(out, host, host_len) != 0)
			return TLS_MALFORMED;
		if (!name_is_hostname(out))
			return TLS_BAD_NAME;
		found = true;
	}
	return found ? TLS_FOUND : TLS_NO_SNI;
}

/*
 * Parse a whole ClientHello body.  Every field is walked, not just the ones
 * leading to server_name, so that a hello whose lengths do not add up is
 * called malformed instead of yielding a name from half-parsed bytes.
 */
static enum tls_status tls_hello_parse(struct cursor *body, struct name *out)
{
	enum tls_status st = TLS_NO_SNI;
	bool seen = false;
	struct cursor exts;
	uint16_t u16;
	uint8_t u8;

	if (!cur_skip(body, 2 + TLS_RANDOM_LEN)) /* legacy_version, random */
		return TLS_MALFORMED;
	if (!cur_u8(body, &u8) || u8 > TLS_SESSION_ID_MAX || !cur_skip(body, u8))
		return TLS_MALFORMED;
	if (!cur_u16be(body, &u16) || u16 < 2 || u16 % 2 != 0 || !cur_skip(body, u16))
		return TLS_MALFORMED;
	if (!cur_u8(body, &u8) || u8 < 1 || !cur_skip(body, u8))
		return TLS_MALFORMED;

	/* SSL 3.0 and early TLS 1.0 hellos end here */
	if (cur_left(body) == 0)
		return TLS_NO_SNI;
	if (!cur_u16be(body, &u16) || u16 != cur_left(body) || !cur_sub(body, u16, &exts))
		return TLS_MALFORMED;

	while (cur_left(&exts) > 0) {
		struct cursor data;
		uint16_t type, len;

		if (!cur_u16be(&exts, &type) || !cur_u16be(&exts, &len) ||
		    !cur_sub(&exts, len, &data))
			return TLS_MALFORMED;
		if (type != TLS_EXT_SERVER_NAME)
			continue;
		if (seen) /* which one would the server believe? */
			return TLS_MALFORMED;
		seen = true;
		st = tls_sni_parse(&data, out);
		if (st == TLS_MALFORMED || st == TLS_BAD_NAME)
			return st;
	}
	return st;
}

enum tls_status tls_sni(const uint8_t *stream, size_t len, struct name *sni)
{
	/* the handshake message, gathered from its record fragments */
	uint8_t hs[TLS_HS_HDR + TLS_HELLO_MAX];
	size_t got = 0, need = sizeof(hs);
	bool first = true, hs_known = false;
	enum tls_status st;
	struct cursor c;

	cur_init(&c, stream, len);
	for (;;) {
		const uint8_t *frag;
		uint16_t frag_len;
		size_t take;

		if (!tls_record_next(&c, first, &frag_len, &st))
			return st;
		first = false;
		if (frag_len == 0)
			continue; /* an empty record: bounded by the stream's length */

		/*
		 * Before the handshake header is known got < TLS_HS_HDR, and
		 * one record (<= 2^14) always fits in what is left of hs.
		 */
		take = frag_len;
		if (take > cur_left(&c))
			take = cur_left(&c);
		if (take > need - got)
			take = need - got;
		if (!cur_bytes(&c, take, &frag))
			return TLS_MALFORMED; /* cannot happen: take <= cur_left() */
		memcpy(&hs[got], frag, take);
		got += take;

		if (!hs_known && got >= TLS_HS_HDR) {
			struct cursor h;
			uint8_t type;
			uint32_t body_len;

			cur_init(&h, hs, got);
			if (!cur_u8(&h, &type) || !cur_u24be(&h, &body_len))
				return TLS_MALFORMED;
			if (type != TLS_HS_CLIENT_HELLO)
				return TLS_MALFORMED;
			if (body_len > TLS_HELLO_MAX)
				return TLS_TOO_LARGE;
			need = TLS_HS_HDR + body_len;
			hs_known = true;
		}
		if (hs_known && got >= need)
			break;
		if (take < frag_len) /* the stream ends inside this record */
			return TLS_NEED_MORE;
	}

	return tls_handshake_sni(hs, need, sni);
}

enum tls_status tls_handshake_sni(const uint8_t *msg, size_t len, struct name *sni)
{
	struct cursor c, body;
	struct name found;
	enum tls_status st;
	uint32_t body_len;
	uint8_t type;

	cur_init(&c, msg, len);
	if (!cur_u8(&c, &type))
		return TLS_NEED_MORE;
	if (type != TLS_HS_CLIENT_HELLO)
		return TLS_MALFORMED;
	if (!cur_u24be(&c, &body_len))
		return TLS_NEED_MORE;
	if (body_len > TLS_HELLO_MAX)
		return TLS_TOO_LARGE;
	if (!cur_sub(&c, body_len, &body))
		return TLS_NEED_MORE;
	st = tls_hello_parse(&body, &found);
	if (st == TLS_FOUND)
		*sni = found;
	return st;
}
