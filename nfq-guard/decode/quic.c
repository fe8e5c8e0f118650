/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic.c - the ClientHello in a QUIC client's Initial packets (see quic.h):
 * header protection removed and the payload decrypted with libcrypto, the
 * CRYPTO frames gathered by offset, the hello read by tls.c.  The only
 * file of nfq-guard that includes OpenSSL (tests/layers/check holds it).
 * It never logs; libcrypto allocates its contexts within each call.
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "base/cursor.h"
#include "decode/quic.h"

/*
 *   long header (RFC 8999 for every version; RFC 9000 17.2 for v1)
 *   +-+-+---+-------+---------+-----+--------+-----+--------+----------
 *   |1|F| T | x x x | version | len | DCID   | len | SCID   | type's
 *   | |1|   |       |         |     | 0..20  |     | 0..20  | fields
 *   +-+-+---+-------+---------+-----+--------+-----+--------+----------
 *    1 1  2    4         4       1               1
 *
 *   Initial:  | token len (i) | token | length (i) | PN | payload | tag |
 *   0-RTT, Handshake:                 | length (i) | PN | payload | tag |
 *                                       PN 1..4 bytes, tag 16; length
 *                                       counts PN, payload and tag
 *
 * Header protection covers the low 4 bits of the first byte (2 reserved, 2
 * of PN length) and the PN; its mask is AES-ECB(hp, 16 bytes sampled 4
 * bytes past the PN's start).  The AEAD is AES-128-GCM, nonce iv ^ PN, the
 * unprotected header as associated data (RFC 9001 5.3, 5.4).
 * (i): a variable-length integer, its first two bits giving its size.
 */
#define QUIC_LONG_HEADER 0x80
#define QUIC_FIXED_BIT 0x40
#define QUIC_RESERVED_BITS 0x0c /* in the unprotected first byte */
#define QUIC_PN_LEN_BITS 0x03
#define QUIC_PN_MAX_LEN 4
#define QUIC_SAMPLE_LEN 16
#define QUIC_TAG_LEN 16
#define QUIC_VARINT_MAX ((UINT64_C(1) << 62) - 1)

/* RFC 9000 14.1: a server drops an Initial in a smaller datagram */
#define QUIC_DGRAM_MIN 1200
/* The largest UDP payload (IPv4, and IPv6 without jumbograms). */
#define QUIC_DGRAM_MAX 65527
/*
 * Packets walked in one datagram: a client coalesces at most an Initial, a
 * 0-RTT and a Handshake packet.  A datagram with more long headers than
 * this is not one a client sends, and is malformed rather than half read.
 */
#define QUIC_PACKETS_MAX 16

/*
 * Frame types allowed in an Initial (RFC 9000 17.2.2, table 3); their
 * types are one-byte varints.  CONNECTION_CLOSE of type 0x1d (application)
 * belongs to 1-RTT only (12.4).
 */
#define QUIC_FRAME_PADDING 0x00
#define QUIC_FRAME_PING 0x01
#define QUIC_FRAME_ACK 0x02
#define QUIC_FRAME_ACK_ECN 0x03
#define QUIC_FRAME_CRYPTO 0x06
#define QUIC_FRAME_CLOSE 0x1c

#define TLS_HS_CLIENT_HELLO 1

/* What differs between the versions read here (RFC 9001 5.2, RFC 9369 3). */
struct quic_version {
	uint32_t version;
	uint8_t initial_type; /* long packet type of Initial */
	uint8_t retry_type;   /* Retry: no length field, nothing follows */
	uint8_t salt[20];
	const char *key_label, *iv_label, *hp_label;
};

/* clang-format off */
static const struct quic_version quic_versions[] = {
	{
		.version = QUIC_V1, .initial_type = 0, .retry_type = 3,
		.salt = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
			  0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
		.key_label = "quic key", .iv_label = "quic iv", .hp_label = "quic hp",
	},
	{
		.version = QUIC_V2, .initial_type = 1, .retry_type = 0,
		.salt = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
			  0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
		.key_label = "quicv2 key", .iv_label = "quicv2 iv", .hp_label = "quicv2 hp",
	},
};

static const char *const quic_result_names[] = {
	[QUIC_NEED_MORE] = "need more",
	[QUIC_FOUND]     = "found",
	[QUIC_NO_SNI]    = "no sni",
	[QUIC_MALFORMED] = "malformed",
	[QUIC_TOO_LARGE] = "too large",
	[QUIC_CONFLICT]  = "conflict",
};

static const char *const quic_kind_names[] = {
	[QUIC_NOT]                = "not quic",
	[QUIC_INITIAL]            = "initial",
	[QUIC_NOT_INITIAL]        = "not an initial",
	[QUIC_UNREADABLE_VERSION] = "unreadable version",
};
/* clang-format on */

const char *quic_result_str(enum quic_result r)
{
	if ((size_t)r >= sizeof(quic_result_names) / sizeof(quic_result_names[0]))
		return "unknown";
	return quic_result_names[r];
}

const char *quic_kind_str(enum quic_kind k)
{
	if ((size_t)k >= sizeof(quic_kind_names) / sizeof(quic_kind_names[0]))
		return "unknown";
	return quic_kind_names[k];
}

static const struct quic_version *quic_version_find(uint32_t version)
{
	size_t i;

	for (i = 0; i < sizeof(quic_versions) / sizeof(quic_versions[0]); i++)
		if (quic_versions[i].version == version)
			return &quic_versions[i];
	return NULL;
}

/* RFC 9000 16: a variable-length integer. */
static bool cur_varint(struct cursor *c, uint64_t *v)
{
	struct cursor t = *c;
	uint8_t b;
	size_t n, i;
	uint64_t x;

	if (!cur_u8(&t, &b))
		return false;
	n = (size_t)1 << (b >> 6);
	x = b & 0x3f;
	for (i = 1; i < n; i++) {
		if (!cur_u8(&t, &b))
			return false;
		x = x << 8 | b;
	}
	*c = t;
	*v = x;
	return true;
}

enum quic_kind quic_classify(const uint8_t *dgram, size_t len)
{
	const struct quic_version *v;
	struct cursor c;
	uint32_t version;
	uint8_t b0;

	cur_init(&c, dgram, len);
	if (!cur_u8(&c, &b0) || !(b0 & QUIC_LONG_HEADER) || !cur_u32be(&c, &version))
		return QUIC_NOT;
	v = quic_version_find(version);
	if (!v)
		return QUIC_UNREADABLE_VERSION;
	if (!(b0 & QUIC_FIXED_BIT)) /* not a valid v1 or v2 packet: dropped */
		return QUIC_NOT;
	return ((b0 >> 4) & 3) == v->initial_type ? QUIC_INITIAL : QUIC_NOT_INITIAL;
}

bool quic_is_retry(const uint8_t *dgram, size_t len)
{
	const struct quic_version *v;
	struct cursor c;
	uint32_t version;
	uint8_t b0;

	cur_init(&c, dgram, len);
	if (!cur_u8(&c, &b0) || !(b0 & QUIC_LONG_HEADER) || !(b0 & QUIC_FIXED_BIT) ||
	    !cur_u32be(&c, &version))
		return false;
	v = quic_version_find(version);
	return v && ((b0 >> 4) & 3) == v->retry_type;
}

bool quic_cids(const uint8_t *dgram, size_t len, struct quic_cids *out)
{
	struct cursor c;
	uint8_t b0;

	cur_init(&c, dgram, len);
	return cur_u8(&c, &b0) && (b0 & QUIC_LONG_HEADER) && cur_skip(&c, 4) &&
	       cur_u8(&c, &out->dcid_len) && out->dcid_len <= QUIC_CID_MAX &&
	       cur_bytes(&c, out->dcid_len, &out->dcid) && cur_u8(&c, &out->scid_len) &&
	       out->scid_len <= QUIC_CID_MAX && cur_bytes(&c, out->scid_len, &out->scid);
}

void quic_hello_init(struct quic_hello *h, uint8_t *buf)
{
	memset(h, 0, sizeof(*h));
	h->buf = buf;
	h->largest_pn = -1;
}

/* --- keys (RFC 9001 5.2) ------------------------------------------------ */

/* One HKDF step, extract (salt, ikm) or expand (prk, info), into out. */
static bool quic_hkdf(EVP_KDF_CTX *kctx, int mode, const uint8_t *key, size_t key_len,
		      const uint8_t *salt_or_info, size_t sl, uint8_t *out, size_t out_len)
{
	const char *aux = mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT :
								   OSSL_KDF_PARAM_INFO;
	char digest[] = "SHA256";
	OSSL_PARAM p[5];

	EVP_KDF_CTX_reset(kctx);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	p[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	p[3] = OSSL_PARAM_construct_octet_string(aux, (void *)salt_or_info, sl);
	p[4] = OSSL_PARAM_construct_end();
	return EVP_KDF_derive(kctx, out, out_len, p) == 1;
}

/*
 * TLS 1.3's HKDF-Expand-Label with an empty context (RFC 8446 7.1):
 * info = length (2) | label length (1) | "tls13 " label | 0.
 */
static bool quic_expand_label(EVP_KDF_CTX *kctx, const uint8_t secret[32], const char *label,
			      uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	size_t plen = sizeof(prefix) - 1, llen = strlen(label), n = 0;
	uint8_t info[2 + 1 + 6 + 16 + 1];

	if (llen > sizeof(info) - 4 - plen)
		return false; /* the labels are ours: cannot happen */
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(plen + llen);
	memcpy(&info[n], prefix, plen);
	n += plen;
	memcpy(&info[n], label, llen);
	n += llen;
	info[n++] = 0;
	return quic_hkdf(kctx, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, 32, info, n, out, out_len);
}

/* The client's Initial key, iv and hp for (v, dcid), kept in h. */
static bool quic_keys(struct quic_hello *h, const struct quic_version *v, const uint8_t *dcid,
		      uint8_t dcid_len)
{
	uint8_t initial[32], client[32];
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	bool ok;

	if (h->keyed && h->key_version == v->version && h->key_dcid_len == dcid_len &&
	    memcmp(h->key_dcid, dcid, dcid_len) == 0)
		return true;
	h->keyed = false;
	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	if (!kdf)
		return false;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return false;
	ok = quic_hkdf(kctx, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dcid, dcid_len, v->salt,
		       sizeof(v->salt), initial, sizeof(initial)) &&
	     quic_expand_label(kctx, initial, "client in", client, sizeof(client)) &&
	     quic_expand_label(kctx, client, v->key_label, h->key, sizeof(h->key)) &&
	     quic_expand_label(kctx, client, v->iv_label, h->iv, sizeof(h->iv)) &&
	     quic_expand_label(kctx, client, v->hp_label, h->hp, sizeof(h->hp));
	EVP_KDF_CTX_free(kctx);
	if (!ok)
		return false;
	h->keyed = true;
	h->key_version = v->version;
	h->key_dcid_len = dcid_len;
	memcpy(h->key_dcid, dcid, dcid_len);
	return true;
}

/* The header protection mask: AES-128-ECB(hp, sample). */
static bool quic_hp_mask(const uint8_t hp[16], const uint8_t *sample, uint8_t mask[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;
	bool ok;

	if (!ctx)
		return false;
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, hp, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_EncryptUpdate(ctx, mask, &n, sample, QUIC_SAMPLE_LEN) == 1 && n == QUIC_SAMPLE_LEN;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

enum quic_open {
	QUIC_OPEN_OK,
	QUIC_OPEN_BAD,	 /* the tag does not match: not the client's packet */
	QUIC_OPEN_ERROR, /* libcrypto failed */
};

/*
 * AES-128-GCM open of ct into out, the associated data given in three
 * pieces (first byte, the rest of the header, the packet number).
 */
static enum quic_open quic_aead_open(const struct quic_hello *h, const uint8_t nonce[12],
				     const uint8_t *aad[3], const size_t aad_len[3],
				     const uint8_t *ct, size_t ct_len, const uint8_t *tag,
				     uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	enum quic_open r = QUIC_OPEN_ERROR;
	int n, i;

	if (!ctx)
		return QUIC_OPEN_ERROR;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, h->key, nonce) != 1)
		goto out_free;
	for (i = 0; i < 3; i++)
		if (aad_len[i] > 0 &&
		    EVP_DecryptUpdate(ctx, NULL, &n, aad[i], (int)aad_len[i]) != 1)
			goto out_free;
	n = 0;
	if (ct_len > 0 && EVP_DecryptUpdate(ctx, out, &n, ct, (int)ct_len) != 1)
		goto out_free;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN, (void *)tag) != 1)
		goto out_free;
	r = EVP_DecryptFinal_ex(ctx, out + n, &n) == 1 ? QUIC_OPEN_OK : QUIC_OPEN_BAD;
out_free:
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

/* RFC 9000 A.3: the full packet number from its pn_len low bytes. */
static uint64_t quic_pn_decode(int64_t largest, uint64_t truncated, size_t pn_len)
{
	uint64_t expected = (uint64_t)(largest + 1);
	uint64_t win = UINT64_C(1) << (pn_len * 8), hwin = win / 2;
	uint64_t cand = (expected & ~(win - 1)) | truncated;

	if (cand + hwin <= expected && cand < (UINT64_C(1) << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

/* --- the CRYPTO stream ---------------------------------------------------- */

static void quic_finish(struct quic_hello *h, enum quic_result r)
{
	h->done = true;
	h->answer = r;
}

/*
 * Put CRYPTO data at off.  A byte held with another value is a conflict:
 * the server keeps one of them, and which is not ours to guess.
 */
static enum quic_result quic_crypto_put(struct quic_hello *h, uint64_t off, struct cursor *data)
{
	size_t len = cur_left(data), i;
	const uint8_t *p;

	if (len == 0)
		return QUIC_NEED_MORE;
	if (off > QUIC_CRYPTO_MAX || len > QUIC_CRYPTO_MAX - off)
		return QUIC_TOO_LARGE;
	if (!cur_bytes(data, len, &p))
		return QUIC_MALFORMED; /* cannot happen: len is what is left */
	for (i = 0; i < len; i++) {
		size_t at = (size_t)off + i;
		uint8_t bit = (uint8_t)(1u << (at & 7));

		if (h->filled[at >> 3] & bit) {
			if (h->buf[at] != p[i])
				return QUIC_CONFLICT;
			continue;
		}
		h->buf[at] = p[i];
		h->filled[at >> 3] |= bit;
		h->held++;
	}
	if (off + len > h->end)
		h->end = (uint32_t)(off + len);
	return QUIC_NEED_MORE;
}

static bool quic_crypto_has(const struct quic_hello *h, size_t at)
{
	return h->filled[at >> 3] & (1u << (at & 7));
}

/*
 * Whether the stream holds a whole ClientHello from offset 0, and what it
 * says.  A client's Initials carry the ClientHello and nothing after it,
 * so CRYPTO data past its end is malformed.
 */
static enum quic_result quic_hello_check(struct quic_hello *h)
{
	struct name name;
	uint32_t body_len, need;
	size_t i;

	for (i = 0; i < 4; i++)
		if (!quic_crypto_has(h, i))
			return QUIC_NEED_MORE;
	if (h->buf[0] != TLS_HS_CLIENT_HELLO)
		return QUIC_MALFORMED;
	body_len = (uint32_t)h->buf[1] << 16 | (uint32_t)h->buf[2] << 8 | h->buf[3];
	if (body_len > TLS_HELLO_MAX)
		return QUIC_TOO_LARGE;
	need = 4 + body_len;
	if (h->end > need)
		return QUIC_MALFORMED;
	if (h->held < need) /* every byte held lies below need */
		return QUIC_NEED_MORE;

	switch (tls_handshake_sni(h->buf, need, &name)) {
	case TLS_FOUND:
		h->sni = name;
		return QUIC_FOUND;
	case TLS_NO_SNI:
		return QUIC_NO_SNI;
	case TLS_TOO_LARGE:
		return QUIC_TOO_LARGE;
	case TLS_NEED_MORE: /* cannot happen: the whole message is there */
	case TLS_NOT_TLS:
	case TLS_MALFORMED:
	case TLS_BAD_NAME: /* unreadable to nfq-guard, as over TCP */
		break;
	}
	return QUIC_MALFORMED;
}

/* --- frames (RFC 9000 19) ------------------------------------------------- */

static bool quic_skip_varints(struct cursor *c, size_t n)
{
	uint64_t v;

	while (n--)
		if (!cur_varint(c, &v))
			return false;
	return true;
}

/* ACK: largest, delay, range count, first range, the ranges, ECN counts. */
static bool quic_skip_ack(struct cursor *f, bool ecn)
{
	uint64_t largest, delay, count, first, i;

	if (!cur_varint(f, &largest) || !cur_varint(f, &delay) || !cur_varint(f, &count) ||
	    !cur_varint(f, &first))
		return false;
	if (count > cur_left(f) / 2) /* each range is two varints of a byte or more */
		return false;
	for (i = 0; i < count; i++)
		if (!quic_skip_varints(f, 2))
			return false;
	return !ecn || quic_skip_varints(f, 3);
}

/*
 * The frames of an authenticated Initial's payload.  Returns QUIC_NEED_MORE
 * when they are all read, or the answer they force.
 */
static enum quic_result quic_frames(struct quic_hello *h, struct cursor *f)
{
	if (cur_left(f) == 0) /* a packet without frames (12.4) */
		return QUIC_MALFORMED;
	while (cur_left(f) > 0) { /* each turn takes a byte or more */
		uint64_t off, len;
		struct cursor data;
		enum quic_result r;
		uint8_t type;

		if (!cur_u8(f, &type))
			return QUIC_MALFORMED;
		switch (type) {
		case QUIC_FRAME_PADDING:
		case QUIC_FRAME_PING:
			break;
		case QUIC_FRAME_ACK:
		case QUIC_FRAME_ACK_ECN:
			if (!quic_skip_ack(f, type == QUIC_FRAME_ACK_ECN))
				return QUIC_MALFORMED;
			break;
		case QUIC_FRAME_CRYPTO:
			if (!cur_varint(f, &off) || !cur_varint(f, &len) || len > cur_left(f) ||
			    !cur_sub(f, (size_t)len, &data) || off + len > QUIC_VARINT_MAX)
				return QUIC_MALFORMED;
			r = quic_crypto_put(h, off, &data);
			if (r != QUIC_NEED_MORE)
				return r;
			break;
		case QUIC_FRAME_CLOSE:
			if (!quic_skip_varints(f, 2) || !cur_varint(f, &len) || len > cur_left(f) ||
			    !cur_skip(f, (size_t)len))
				return QUIC_MALFORMED;
			break;
		default:
			/*
			 * Any other frame, and any type written in more than
			 * one byte (a server may take or refuse those), is one
			 * an Initial must not carry.
			 */
			return QUIC_MALFORMED;
		}
	}
	return QUIC_NEED_MORE;
}

/* --- packets -------------------------------------------------------------- */

/* What the walk over a datagram's packets does next. */
enum quic_walk {
	QUIC_WALK_NEXT, /* read the next coalesced packet */
	QUIC_WALK_STOP, /* the rest of the datagram cannot be told apart */
};

/* A long header, read up to its packet number. */
struct quic_long {
	const struct quic_version *v;
	uint8_t b0, type;
	uint8_t dcid_len;
	const uint8_t *dcid;
	const uint8_t *hdr; /* first byte up to the packet number */
	size_t hdr_len;
	struct cursor body; /* packet number, payload, tag */
};

/*
 * Remove header protection, check the tag, read the frames.  Initials that
 * do not authenticate are ignored, as a server drops them: anyone can seal
 * an Initial, so a failing tag means bytes no QUIC stack sent, and acting
 * on them would let a camera feed nfq-guard a hello the server never
 * reads.  They are counted; if nothing but such packets comes, the
 * engine's wait bound ends the flow as unknown.
 */
static void quic_initial_open(struct quic_hello *h, const struct quic_long *p)
{
	/* the payload, decrypted: at most one maximal datagram (64 KiB) */
	uint8_t plain[QUIC_DGRAM_MAX];
	uint8_t mask[16], nonce[12], pn_bytes[QUIC_PN_MAX_LEN], b0;
	const uint8_t *sample, *pn_prot, *ct, *tag, *aad[3];
	struct cursor body = p->body, s, f;
	size_t aad_len[3], pn_len, ct_len, i;
	uint64_t truncated = 0, pn;
	enum quic_result r;

	if (!quic_keys(h, p->v, p->dcid, p->dcid_len)) {
		h->crypto_errors++;
		return;
	}
	s = body;
	if (cur_left(&body) < QUIC_PN_MAX_LEN + QUIC_SAMPLE_LEN || !cur_skip(&s, QUIC_PN_MAX_LEN) ||
	    !cur_bytes(&s, QUIC_SAMPLE_LEN, &sample)) {
		h->bad_packets++;
		return;
	}
	if (!quic_hp_mask(h->hp, sample, mask)) {
		h->crypto_errors++;
		return;
	}
	b0 = p->b0 ^ (mask[0] & 0x0f);
	pn_len = (size_t)(b0 & QUIC_PN_LEN_BITS) + 1;
	if (!cur_bytes(&body, pn_len, &pn_prot) || cur_left(&body) < QUIC_TAG_LEN) {
		h->bad_packets++;
		return;
	}
	for (i = 0; i < pn_len; i++) {
		pn_bytes[i] = pn_prot[i] ^ mask[1 + i];
		truncated = truncated << 8 | pn_bytes[i];
	}
	pn = quic_pn_decode(h->largest_pn, truncated, pn_len);
	memcpy(nonce, h->iv, sizeof(nonce));
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));

	ct_len = cur_left(&body) - QUIC_TAG_LEN;
	if (ct_len > sizeof(plain)) { /* cannot happen in a UDP payload */
		quic_finish(h, QUIC_TOO_LARGE);
		return;
	}
	if (!cur_bytes(&body, ct_len, &ct) || !cur_bytes(&body, QUIC_TAG_LEN, &tag)) {
		h->bad_packets++;
		return;
	}
	aad[0] = &b0;
	aad_len[0] = 1;
	cur_init(&s, p->hdr, p->hdr_len);
	if (!cur_skip(&s, 1)) {
		h->bad_packets++;
		return;
	}
	aad[1] = cur_ptr(&s);
	aad_len[1] = cur_left(&s);
	aad[2] = pn_bytes;
	aad_len[2] = pn_len;

	switch (quic_aead_open(h, nonce, aad, aad_len, ct, ct_len, tag, plain)) {
	case QUIC_OPEN_OK:
		break;
	case QUIC_OPEN_BAD:
		h->bad_packets++;
		return;
	case QUIC_OPEN_ERROR:
		h->crypto_errors++;
		return;
	}

	h->initials++;
	if (!h->pinned) {
		h->pinned = true;
		h->version = p->v->version;
		h->dcid_len = p->dcid_len;
		memcpy(h->dcid, p->dcid, p->dcid_len);
	}
	if ((int64_t)pn > h->largest_pn)
		h->largest_pn = (int64_t)pn;
	if (b0 & QUIC_RESERVED_BITS) { /* RFC 9000 17.2: PROTOCOL_VIOLATION */
		quic_finish(h, QUIC_MALFORMED);
		return;
	}
	cur_init(&f, plain, ct_len);
	r = quic_frames(h, &f);
	if (r == QUIC_NEED_MORE)
		r = quic_hello_check(h);
	if (r != QUIC_NEED_MORE)
		quic_finish(h, r);
}

/* Read a long header from *c up to its packet number; *c moves past it. */
static enum quic_walk quic_long_read(struct quic_hello *h, struct cursor *c, struct quic_long *p)
{
	struct cursor start = *c, hdr;
	uint64_t token_len, length;
	uint8_t scid_len;
	uint32_t version;

	if (!cur_u8(c, &p->b0) || !(p->b0 & QUIC_LONG_HEADER))
		return QUIC_WALK_STOP; /* a short header or datagram padding */
	if (!cur_u32be(c, &version))
		return QUIC_WALK_STOP;
	p->v = quic_version_find(version);
	if (!p->v) {
		/*
		 * A version this file cannot read, or version negotiation's
		 * 0, which no client sends: what the server makes of it is
		 * unknown.
		 */
		quic_finish(h, h->pinned ? QUIC_CONFLICT : QUIC_MALFORMED);
		return QUIC_WALK_STOP;
	}
	p->type = (p->b0 >> 4) & 3;
	if (!(p->b0 & QUIC_FIXED_BIT) || p->type == p->v->retry_type || !cur_u8(c, &p->dcid_len) ||
	    p->dcid_len > QUIC_CID_MAX || !cur_bytes(c, p->dcid_len, &p->dcid) ||
	    !cur_u8(c, &scid_len) || scid_len > QUIC_CID_MAX || !cur_skip(c, scid_len))
		goto out_bad;
	if (p->type == p->v->initial_type &&
	    (!cur_varint(c, &token_len) || token_len > cur_left(c) ||
	     !cur_skip(c, (size_t)token_len)))
		goto out_bad;
	if (!cur_varint(c, &length) || length > cur_left(c))
		goto out_bad;
	hdr = start;
	p->hdr_len = cur_left(&start) - cur_left(c);
	if (!cur_bytes(&hdr, p->hdr_len, &p->hdr) || !cur_sub(c, (size_t)length, &p->body))
		goto out_bad;
	return QUIC_WALK_NEXT;

out_bad:
	/* a server drops it, and nothing after it can be found */
	if (p->type == p->v->initial_type)
		h->bad_packets++;
	return QUIC_WALK_STOP;
}

enum quic_result quic_feed(struct quic_hello *h, const uint8_t *dgram, size_t len, struct name *sni)
{
	const uint8_t *first_dcid = NULL;
	uint8_t first_dcid_len = 0;
	bool small = len < QUIC_DGRAM_MIN, counted = false;
	struct cursor c;
	size_t i;

	cur_init(&c, dgram, len);
	for (i = 0; !h->done && cur_left(&c) > 0; i++) {
		struct quic_long p = { 0 };

		if (i == QUIC_PACKETS_MAX) {
			struct cursor rest = c;
			uint8_t b0;

			if (cur_u8(&rest, &b0) && (b0 & QUIC_LONG_HEADER))
				quic_finish(h, QUIC_MALFORMED);
			break;
		}
		if (quic_long_read(h, &c, &p) != QUIC_WALK_NEXT)
			break;
		if (i == 0) {
			first_dcid = p.dcid;
			first_dcid_len = p.dcid_len;
		}
		if (p.type != p.v->initial_type)
			continue; /* 0-RTT or Handshake: no name in it */
		if (small) {
			if (!counted)
				h->small_dgrams++;
			counted = true;
			continue;
		}
		/*
		 * Until the server answers, every Initial of the client has
		 * the version and DCID of its first one (RFC 9000 7.2); a
		 * receiver SHOULD ignore a coalesced packet with another DCID
		 * (12.2), and may not.  Either is a second story.
		 */
		if (p.dcid_len != first_dcid_len || memcmp(p.dcid, first_dcid, p.dcid_len) != 0 ||
		    (h->pinned && (p.v->version != h->version || p.dcid_len != h->dcid_len ||
				   memcmp(p.dcid, h->dcid, p.dcid_len) != 0))) {
			quic_finish(h, QUIC_CONFLICT);
			break;
		}
		quic_initial_open(h, &p);
	}

	if (!h->done)
		return QUIC_NEED_MORE;
	if (h->answer == QUIC_FOUND)
		*sni = h->sni;
	return h->answer;
}
