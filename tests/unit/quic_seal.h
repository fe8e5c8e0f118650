/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_seal.h - the client's side of a QUIC Initial, for tests and the
 * fuzzer: ClientHellos, CRYPTO and other frames, and protected Initial
 * packets (RFC 9001 5, RFC 9369 3) sealed with libcrypto.  The keys come
 * from EVP_PKEY's HKDF, not the EVP_KDF that decode/quic.c uses, so that
 * the two sides do not share a mistake; test_quic checks this sealer
 * against the RFCs' sample packets byte for byte.
 */
#ifndef NFQG_TEST_QUIC_SEAL_H
#define NFQG_TEST_QUIC_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

/* A growable byte string; qb_* abort on allocation failure. */
struct qbuf {
	uint8_t *b;
	size_t len, cap;
};

static inline void qb_put(struct qbuf *q, const void *p, size_t n)
{
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 256;

		while (cap < q->len + n)
			cap *= 2;
		q->b = realloc(q->b, cap);
		if (!q->b)
			abort();
		q->cap = cap;
	}
	if (n && p)
		memcpy(q->b + q->len, p, n);
	q->len += n;
}

static inline void qb_u8(struct qbuf *q, unsigned int v)
{
	uint8_t x = (uint8_t)v;

	qb_put(q, &x, 1);
}

static inline void qb_u16(struct qbuf *q, unsigned int v)
{
	qb_u8(q, v >> 8);
	qb_u8(q, v);
}

static inline void qb_u24(struct qbuf *q, unsigned int v)
{
	qb_u8(q, v >> 16);
	qb_u16(q, v & 0xffff);
}

static inline void qb_fill(struct qbuf *q, uint8_t v, size_t n)
{
	size_t at = q->len;

	qb_put(q, NULL, n);
	if (n)
		memset(q->b + at, v, n);
}

static inline void qb_free(struct qbuf *q)
{
	free(q->b);
	q->b = NULL;
	q->len = q->cap = 0;
}

/* A QUIC varint in its shortest form, or in n bytes (1, 2, 4 or 8). */
static inline void qb_varint_n(struct qbuf *q, uint64_t v, size_t n)
{
	uint8_t tag = n == 1 ? 0x00 : n == 2 ? 0x40 : n == 4 ? 0x80 : 0xc0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = (uint8_t)(v >> (8 * (n - 1 - i)));

		qb_u8(q, i == 0 ? (b & 0x3f) | tag : b);
	}
}

static inline void qb_varint(struct qbuf *q, uint64_t v)
{
	qb_varint_n(q, v, v < 64 ? 1 : v < 16384 ? 2 : v < (1u << 30) ? 4 : 8);
}

/* A CRYPTO frame (type 0x06) with len bytes at off. */
static inline void qb_crypto(struct qbuf *q, uint64_t off, const uint8_t *p, size_t len)
{
	qb_u8(q, 0x06);
	qb_varint(q, off);
	qb_varint(q, len);
	qb_put(q, p, len);
}

/*
 * A ClientHello handshake message (header and body) naming sni (sni_len
 * bytes, NULL for no server_name), with a padding extension (21) so that
 * the message is at least min_len bytes.
 */
static inline void qb_client_hello(struct qbuf *q, const char *sni, size_t sni_len, size_t min_len)
{
	struct qbuf body = { 0 }, ext = { 0 };
	size_t i;

	qb_u16(&body, 0x0303);
	for (i = 0; i < 32; i++)
		qb_u8(&body, (uint8_t)(0xa0 + i));
	qb_u8(&body, 0); /* QUIC: no legacy session id */
	qb_u16(&body, 6);
	qb_u16(&body, 0x1301);
	qb_u16(&body, 0x1302);
	qb_u16(&body, 0x1303);
	qb_u8(&body, 1);
	qb_u8(&body, 0);

	if (sni) {
		qb_u16(&ext, 0);
		qb_u16(&ext, (unsigned int)sni_len + 5);
		qb_u16(&ext, (unsigned int)sni_len + 3);
		qb_u8(&ext, 0);
		qb_u16(&ext, (unsigned int)sni_len);
		qb_put(&ext, sni, sni_len);
	}
	qb_u16(&ext, 0x002b); /* supported_versions: TLS 1.3 */
	qb_u16(&ext, 3);
	qb_u8(&ext, 2);
	qb_u16(&ext, 0x0304);
	qb_u16(&ext, 0x0039); /* quic_transport_parameters: initial_max_data 0 */
	qb_u16(&ext, 2);
	qb_u8(&ext, 0x04);
	qb_u8(&ext, 0x00);
	/* header 4 + body so far + extensions length 2 + ext + padding 4 */
	if (4 + body.len + 2 + ext.len + 4 < min_len) {
		size_t pad = min_len - (4 + body.len + 2 + ext.len + 4);

		qb_u16(&ext, 21);
		qb_u16(&ext, (unsigned int)pad);
		qb_fill(&ext, 0, pad);
	}
	qb_u16(&body, (unsigned int)ext.len);
	qb_put(&body, ext.b, ext.len);

	qb_u8(q, 1);
	qb_u24(q, (unsigned int)body.len);
	qb_put(q, body.b, body.len);
	qb_free(&ext);
	qb_free(&body);
}

#define QUIC_SEAL_V1 0x00000001u
#define QUIC_SEAL_V2 0x6b3343cfu

struct quic_seal_keys {
	uint8_t key[16], iv[12], hp[16];
};

/* EVP_PKEY HKDF: extract (mode 1) or expand (mode 2). */
static inline bool quic_seal_hkdf(int mode, const uint8_t *key, size_t key_len, const uint8_t *aux,
				  size_t aux_len, uint8_t *out, size_t out_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t n = out_len;
	bool ok;

	if (!ctx)
		return false;
	ok = EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_hkdf_mode(ctx, mode) > 0 &&
	     EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(ctx, key, (int)key_len) > 0 &&
	     (mode == EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY ?
		      EVP_PKEY_CTX_set1_hkdf_salt(ctx, aux, (int)aux_len) > 0 :
		      EVP_PKEY_CTX_add1_hkdf_info(ctx, aux, (int)aux_len) > 0) &&
	     EVP_PKEY_derive(ctx, out, &n) > 0 && n == out_len;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static inline bool quic_seal_label(const uint8_t secret[32], const char *label, uint8_t *out,
				   size_t out_len)
{
	struct qbuf info = { 0 };
	bool ok;

	qb_u16(&info, (unsigned int)out_len);
	qb_u8(&info, (unsigned int)(6 + strlen(label)));
	qb_put(&info, "tls13 ", 6);
	qb_put(&info, label, strlen(label));
	qb_u8(&info, 0);
	ok = quic_seal_hkdf(EVP_PKEY_HKDEF_MODE_EXPAND_ONLY, secret, 32, info.b, info.len, out,
			    out_len);
	qb_free(&info);
	return ok;
}

/* The client's Initial keys for version and dcid, derived. */
static inline bool quic_seal_derive(uint32_t version, const uint8_t *dcid, size_t dcid_len,
				    struct quic_seal_keys *k)
{
	static const uint8_t salt_v1[20] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34,
					     0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
					     0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
	static const uint8_t salt_v2[20] = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6,
					     0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
					     0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 };
	bool v2 = version == QUIC_SEAL_V2;
	uint8_t initial[32], client[32];

	return quic_seal_hkdf(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, dcid, dcid_len,
			      v2 ? salt_v2 : salt_v1, 20, initial, 32) &&
	       quic_seal_label(initial, "client in", client, 32) &&
	       quic_seal_label(client, v2 ? "quicv2 key" : "quic key", k->key, 16) &&
	       quic_seal_label(client, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) &&
	       quic_seal_label(client, v2 ? "quicv2 hp" : "quic hp", k->hp, 16);
}

/*
 * The same, the last keys kept: the fuzzer seals many packets for few
 * DCIDs.  Not thread-safe, as no test here needs it to be.
 */
static inline bool quic_seal_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
				  struct quic_seal_keys *k)
{
	static struct {
		bool ok;
		uint32_t version;
		uint8_t dcid[255];
		size_t dcid_len;
		struct quic_seal_keys k;
	} last;

	if (last.ok && last.version == version && last.dcid_len == dcid_len &&
	    memcmp(last.dcid, dcid, dcid_len) == 0) {
		*k = last.k;
		return true;
	}
	last.ok = false;
	if (dcid_len > sizeof(last.dcid) || !quic_seal_derive(version, dcid, dcid_len, k))
		return false;
	last.ok = true;
	last.version = version;
	last.dcid_len = dcid_len;
	memcpy(last.dcid, dcid, dcid_len);
	last.k = *k;
	return true;
}

#define QUIC_SEAL_INITIAL (-1)

/* One long-header packet to seal. */
struct quic_seal {
	uint32_t version;
	const uint8_t *dcid;
	size_t dcid_len;
	const uint8_t *scid;
	size_t scid_len;
	const uint8_t *token;
	size_t token_len;
	uint64_t pn;
	size_t pn_len;	  /* 1..4 */
	uint8_t reserved; /* the two reserved bits of the first byte, 0..3 */
	int type;	  /* QUIC_SEAL_INITIAL, or the 2-bit long packet type */
	size_t pad_to;	  /* zero bytes (PADDING) added for at least this size */
	bool bad_tag;	  /* flip a bit of the tag */
};

/*
 * Seal frames (len bytes) as one packet appended to out.  Returns false
 * when libcrypto fails.
 */
static inline bool quic_seal(struct qbuf *out, const struct quic_seal *s, const uint8_t *frames,
			     size_t len)
{
	bool v2 = s->version == QUIC_SEAL_V2;
	int type = s->type == QUIC_SEAL_INITIAL ? (v2 ? 1 : 0) : s->type;
	bool initial = s->type == QUIC_SEAL_INITIAL;
	size_t pn_len = s->pn_len ? s->pn_len : 4, fixed, lvar, length, plen = len, start, pn_at;
	struct quic_seal_keys k;
	struct qbuf pkt = { 0 };
	uint8_t nonce[12], mask[16], tag[16];
	EVP_CIPHER_CTX *ctx;
	int n = 0, i;
	bool ok;

	if (!quic_seal_keys(s->version, s->dcid, s->dcid_len, &k))
		return false;
	fixed = 1 + 4 + 1 + s->dcid_len + 1 + s->scid_len;
	if (initial)
		fixed += (s->token_len < 64 ? 1 : 2) + s->token_len;
	lvar = 2;
	if (fixed + lvar + pn_len + plen + 16 < s->pad_to)
		plen = s->pad_to - (fixed + lvar + pn_len + 16);
	length = pn_len + plen + 16;
	if (length >= 16384) {
		lvar = 4;
		if (plen > len && plen >= 2)
			plen -= 2;
		length = pn_len + plen + 16;
	}

	qb_u8(&pkt, 0xc0 | (unsigned int)type << 4 | (unsigned int)s->reserved << 2 |
			    (unsigned int)(pn_len - 1));
	qb_u16(&pkt, s->version >> 16);
	qb_u16(&pkt, s->version & 0xffff);
	qb_u8(&pkt, (unsigned int)s->dcid_len);
	qb_put(&pkt, s->dcid, s->dcid_len);
	qb_u8(&pkt, (unsigned int)s->scid_len);
	qb_put(&pkt, s->scid, s->scid_len);
	if (initial) {
		qb_varint(&pkt, s->token_len);
		qb_put(&pkt, s->token, s->token_len);
	}
	qb_varint_n(&pkt, length, lvar);
	pn_at = pkt.len;
	for (i = (int)pn_len - 1; i >= 0; i--)
		qb_u8(&pkt, (unsigned int)(s->pn >> (8 * i)));
	start = pkt.len;
	qb_put(&pkt, frames, len);
	qb_fill(&pkt, 0, plen - len);

	memcpy(nonce, k.iv, 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(s->pn >> (8 * i));
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k.key, nonce) == 1 &&
	     EVP_EncryptUpdate(ctx, NULL, &n, pkt.b, (int)start) == 1 &&
	     EVP_EncryptUpdate(ctx, pkt.b + start, &n, pkt.b + start, (int)plen) == 1 &&
	     EVP_EncryptFinal_ex(ctx, pkt.b + start + n, &n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		goto out;
	if (s->bad_tag)
		tag[7] ^= 0x10;
	qb_put(&pkt, tag, 16);

	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k.hp, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_EncryptUpdate(ctx, mask, &n, pkt.b + pn_at + 4, 16) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		goto out;
	pkt.b[0] ^= mask[0] & 0x0f;
	for (i = 0; i < (int)pn_len; i++)
		pkt.b[pn_at + (size_t)i] ^= mask[1 + i];
	qb_put(out, pkt.b, pkt.len);
out:
	qb_free(&pkt);
	return ok;
}

#endif
