/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic.h - the server name (SNI) of a QUIC client's ClientHello, read from
 * the client's Initial packets (QUIC v1, RFC 9000/9001, and v2, RFC 9369).
 * The ClientHello rides in CRYPTO frames, possibly over several Initials
 * and datagrams and out of order; the caller keeps one struct quic_hello
 * per flow and feeds it the client's UDP payloads as they come.
 *
 * Only packets a server would act on count: an Initial in a datagram under
 * 1200 bytes, or one whose header or AEAD tag does not check out, is
 * ignored (and counted), as a server drops it.  Whatever is read but cannot
 * be believed ends in an answer other than QUIC_FOUND or QUIC_NO_SNI.
 */
#ifndef NFQG_QUIC_H
#define NFQG_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"
#include "decode/tls.h"

#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu
#define QUIC_CID_MAX 20 /* longest connection ID in v1 and v2 */

/* CRYPTO stream bytes held: a ClientHello's 4-byte header and its body. */
#define QUIC_CRYPTO_MAX (4 + TLS_HELLO_MAX)

enum quic_kind {
	QUIC_NOT = 0,		 /* a short header, or not QUIC at all */
	QUIC_INITIAL,		 /* a v1 or v2 Initial packet comes first */
	QUIC_NOT_INITIAL,	 /* v1 or v2, another long header (0-RTT, Handshake,
				  * Retry): QUIC, but no name in it */
	QUIC_UNREADABLE_VERSION, /* a long header of a version nfq-guard cannot
				  * read (version negotiation's 0 included) */
};

/*
 * quic_classify - what the first packet of a UDP payload is, from its first
 * five bytes.  Nothing is decrypted: QUIC_INITIAL means "feed it to
 * quic_feed", not that it holds a name.
 */
enum quic_kind quic_classify(const uint8_t *dgram, size_t len);

/* quic_is_retry - is dgram a server's Retry packet of v1 or v2 (RFC 9000 17.2.5)? */
bool quic_is_retry(const uint8_t *dgram, size_t len);

/* The connection IDs of a long header (RFC 9000 17.2): lengths and where they are. */
struct quic_cids {
	uint8_t dcid_len, scid_len;
	const uint8_t *dcid, *scid;
};

/*
 * quic_cids - read the Destination and Source Connection IDs of the long
 * header at the start of dgram.  False when there is none, or an ID is
 * longer than QUIC_CID_MAX (no v1 or v2 packet has one).
 */
bool quic_cids(const uint8_t *dgram, size_t len, struct quic_cids *out);

enum quic_result {
	QUIC_NEED_MORE = 0, /* no ClientHello yet: feed the client's next datagram */
	QUIC_FOUND,	    /* *sni holds the ClientHello's server name */
	QUIC_NO_SNI,	    /* a complete ClientHello without server_name */
	QUIC_MALFORMED,	    /* an authentic Initial that breaks QUIC or TLS (a
			     * server name that is not a host name included), or
			     * a long header of a version not readable here */
	QUIC_TOO_LARGE,	    /* CRYPTO data past QUIC_CRYPTO_MAX, or a larger hello */
	QUIC_CONFLICT,	    /* two versions of the client's Initials: other bytes
			     * at an offset held, another version or DCID */
};

/*
 * One client's Initials so far.  All of it is the decoder's; read the
 * counters, and nothing else, from outside.
 */
struct quic_hello {
	uint8_t *buf;				   /* QUIC_CRYPTO_MAX bytes, the caller's */
	uint8_t filled[(QUIC_CRYPTO_MAX + 7) / 8]; /* which bytes of buf are held */
	uint32_t held;				   /* bytes of buf held */
	uint32_t end;				   /* one past the last byte held */

	/* pinned by the first Initial that authenticates */
	bool pinned;
	uint32_t version;
	uint8_t dcid_len;
	uint8_t dcid[QUIC_CID_MAX];
	int64_t largest_pn; /* -1 before any; decodes truncated numbers */

	/* the keys last derived, for (key_version, key_dcid) */
	bool keyed;
	uint32_t key_version;
	uint8_t key_dcid_len;
	uint8_t key_dcid[QUIC_CID_MAX];
	uint8_t key[16], iv[12], hp[16];

	/* counters: what was read and what was ignored, and why */
	uint32_t initials;	/* Initials authenticated and read */
	uint32_t bad_packets;	/* Initials dropped: header, sample or AEAD tag */
	uint32_t small_dgrams;	/* datagrams under 1200 bytes with an Initial */
	uint32_t crypto_errors; /* libcrypto failed (memory): packet not read */

	bool done; /* answer is final */
	enum quic_result answer;
	struct name sni; /* with answer QUIC_FOUND */
};

/* quic_hello_init - start a client's hello; buf holds QUIC_CRYPTO_MAX bytes. */
void quic_hello_init(struct quic_hello *h, uint8_t *buf);

/*
 * quic_feed - read one UDP payload the client sent: every coalesced packet
 * in it, the Initials decrypted with keys from the original Destination
 * Connection ID.  Returns QUIC_NEED_MORE until the CRYPTO stream holds a
 * whole ClientHello from offset 0 or something breaks; that answer is then
 * final and returned again for every later datagram.  *sni is written only
 * with QUIC_FOUND.
 *
 * Uses about 64 KiB of stack (one decrypted packet of a maximal datagram);
 * libcrypto allocates (and frees) its cipher and KDF contexts per call.
 */
enum quic_result quic_feed(struct quic_hello *h, const uint8_t *dgram, size_t len,
			   struct name *sni);

const char *quic_result_str(enum quic_result r);
const char *quic_kind_str(enum quic_kind k);

#endif
