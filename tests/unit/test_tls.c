/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tls.c - tls_sni() against ClientHellos captured from real clients
 * (tests/data/tls/, see tests/data/README.md), the same hellos cut short
 * and re-framed, and hand-built hostile hellos.  Every input is copied to
 * a heap buffer of exactly its size so that AddressSanitizer catches any
 * read past its end.  Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostname.h"
#include "decode/tls.h"

#define DATA_DIR "tests/data/tls/"

/* A growable byte string for building test input. */
struct buf {
	uint8_t *b;
	size_t len, cap;
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n)
			cap *= 2;
		b->b = realloc(b->b, cap);
		assert_non_null(b->b);
		b->cap = cap;
	}
	if (n)
		memcpy(b->b + b->len, p, n);
	b->len += n;
}

static void buf_u8(struct buf *b, unsigned int v)
{
	uint8_t x = (uint8_t)v;

	buf_put(b, &x, 1);
}

static void buf_u16(struct buf *b, unsigned int v)
{
	buf_u8(b, v >> 8);
	buf_u8(b, v);
}

static void buf_u24(struct buf *b, unsigned int v)
{
	buf_u8(b, v >> 16);
	buf_u16(b, v & 0xffff);
}

static void buf_fill(struct buf *b, uint8_t v, size_t n)
{
	while (n--)
		buf_u8(b, v);
}

static void buf_free(struct buf *b)
{
	free(b->b);
	b->b = NULL;
	b->len = b->cap = 0;
}

static struct buf load(const char *file)
{
	char path[256];
	struct buf b = { 0 };
	uint8_t chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), DATA_DIR "%s", file);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run the tests from the repository root)", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	assert_true(b.len > 0);
	return b;
}

/*
 * Run tls_sni() on a private heap copy of exactly len bytes and check that
 * *out is written with TLS_FOUND only.
 */
static enum tls_status sni_of(const uint8_t *p, size_t len, struct name *out)
{
	struct name sentinel, got;
	enum tls_status st;
	uint8_t *copy;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	got = sentinel;
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	st = tls_sni(copy, len, &got);
	free(copy);
	assert_in_range(st, TLS_NEED_MORE, TLS_BAD_NAME);
	if (st == TLS_FOUND) {
		assert_in_range(got.len, 1, NAME_MAX_LEN);
		assert_int_equal(got.s[got.len], '\0');
	} else {
		assert_memory_equal(&got, &sentinel, sizeof(got));
	}
	if (out)
		*out = got;
	return st;
}

static enum tls_status status_of(const struct buf *b)
{
	return sni_of(b->b, b->len, NULL);
}

static void assert_sni(const struct buf *b, const char *want)
{
	struct name n;

	assert_int_equal(sni_of(b->b, b->len, &n), TLS_FOUND);
	assert_int_equal(n.len, strlen(want));
	assert_memory_equal(n.s, want, n.len);
}

/* Concatenate the fragments of the records in b: the handshake bytes. */
static struct buf unframe(const struct buf *b)
{
	struct buf hs = { 0 };
	size_t off = 0;

	while (off + 5 <= b->len) {
		size_t n = (size_t)b->b[off + 3] << 8 | b->b[off + 4];

		assert_int_equal(b->b[off], 22);
		assert_true(off + 5 + n <= b->len);
		buf_put(&hs, b->b + off + 5, n);
		off += 5 + n;
	}
	assert_int_equal(off, b->len);
	return hs;
}

/* Cut handshake bytes into handshake records of at most chunk bytes. */
static struct buf frame(const struct buf *hs, size_t chunk)
{
	struct buf b = { 0 };
	size_t off;

	for (off = 0; off < hs->len; off += chunk) {
		size_t n = hs->len - off < chunk ? hs->len - off : chunk;

		buf_u8(&b, 22);
		buf_u16(&b, 0x0301);
		buf_u16(&b, (unsigned int)n);
		buf_put(&b, hs->b + off, n);
	}
	return b;
}

/* Every true prefix needs more; the whole is `want`. */
static void assert_prefixes(const struct buf *b, enum tls_status want)
{
	size_t n;

	for (n = 0; n < b->len; n++) {
		enum tls_status st = sni_of(b->b, n, NULL);

		if (st != TLS_NEED_MORE)
			fail_msg("prefix of %zu/%zu bytes: %s", n, b->len, tls_status_str(st));
	}
	assert_int_equal(status_of(b), want);
}

/* ---- the real clients ---- */

static const struct {
	const char *file;
	const char *sni; /* NULL: TLS_NO_SNI */
} real[] = {
	{ "hello-tls13-openssl.bin", "upgrade.ezvizlife.com" },
	{ "hello-tls12-openssl.bin", "upgrade.ezvizlife.com" },
	{ "hello-nosni.bin", NULL },
	{ "hello-curl.bin", "litedev.ezvizlife.com" }, /* curl sent it lower-cased */
	{ "hello-python.bin", "cam.ezviz7.com" },      /* sent as "Cam.Ezviz7.COM." */
};

#define NREAL (sizeof(real) / sizeof(real[0]))

static enum tls_status real_want(size_t i)
{
	return real[i].sni ? TLS_FOUND : TLS_NO_SNI;
}

static void test_real_hellos(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NREAL; i++) {
		struct buf b = load(real[i].file);

		if (real[i].sni)
			assert_sni(&b, real[i].sni);
		else
			assert_int_equal(status_of(&b), TLS_NO_SNI);
		buf_free(&b);
	}
}

static void test_real_prefixes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NREAL; i++) {
		struct buf b = load(real[i].file);

		assert_prefixes(&b, real_want(i));
		buf_free(&b);
	}
}

static void test_real_reframed(void **state)
{
	static const size_t chunks[] = { 1, 7, 100, 16384 };
	size_t i, k;

	(void)state;
	for (i = 0; i < NREAL; i++) {
		struct buf b = load(real[i].file);
		struct buf hs = unframe(&b);

		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct buf r = frame(&hs, chunks[k]);

			if (real[i].sni)
				assert_sni(&r, real[i].sni);
			assert_prefixes(&r, real_want(i));
			buf_free(&r);
		}
		buf_free(&hs);
		buf_free(&b);
	}
}

static void test_real_trailing_bytes(void **state)
{
	static const uint8_t app_data[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xde, 0xad };
	static const uint8_t junk[] = "GET / HTTP/1.1\r\n";
	size_t i;

	(void)state;
	for (i = 0; i < NREAL; i++) {
		struct buf b = load(real[i].file);
		struct buf hs = unframe(&b);
		struct buf r = { 0 };

		/* bytes after the hello, even garbage, are not looked at */
		buf_put(&b, junk, sizeof(junk) - 1);
		assert_int_equal(status_of(&b), real_want(i));
		buf_put(&b, app_data, sizeof(app_data));
		assert_int_equal(status_of(&b), real_want(i));

		/* ... nor bytes after it inside its own (last) record */
		buf_put(&hs, junk, sizeof(junk) - 1);
		r = frame(&hs, 16384);
		assert_int_equal(status_of(&r), real_want(i));
		buf_free(&r);
		r = frame(&hs, 100);
		assert_int_equal(status_of(&r), real_want(i));
		buf_free(&r);
		buf_free(&hs);
		buf_free(&b);
	}
}

/* A record of another type between the hello's records. */
static void test_real_interleaved_record(void **state)
{
	static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	static const uint8_t app[] = { 0x17, 0x03, 0x03, 0x00, 0x01, 0x00 };
	struct buf b = load("hello-tls13-openssl.bin");
	struct buf hs = unframe(&b);
	struct buf first = { 0 }, second = { 0 }, r = { 0 };

	(void)state;
	buf_put(&first, hs.b, 100);
	buf_put(&second, hs.b + 100, hs.len - 100);
	{
		struct buf r1 = frame(&first, 16384), r2 = frame(&second, 16384);

		buf_put(&r, r1.b, r1.len);
		buf_put(&r, app, sizeof(app));
		buf_put(&r, r2.b, r2.len);
		assert_int_equal(status_of(&r), TLS_MALFORMED);

		r.len = 0;
		buf_put(&r, r1.b, r1.len);
		buf_put(&r, ccs, sizeof(ccs));
		buf_put(&r, r2.b, r2.len);
		assert_int_equal(status_of(&r), TLS_MALFORMED);

		/* a later handshake record with an impossible version */
		r.len = 0;
		buf_put(&r, r1.b, r1.len);
		buf_put(&r, r2.b, r2.len);
		r.b[r1.len + 1] = 2;
		assert_int_equal(status_of(&r), TLS_MALFORMED);
		r.b[r1.len + 1] = 3;
		r.b[r1.len + 2] = 5; /* any 03 xx is fine, as servers take it */
		assert_sni(&r, "upgrade.ezvizlife.com");
		r.b[r1.len + 2] = 0; /* SSL 3.0 record version too */
		assert_sni(&r, "upgrade.ezvizlife.com");

		buf_free(&r1);
		buf_free(&r2);
	}
	buf_free(&r);
	buf_free(&second);
	buf_free(&first);
	buf_free(&hs);
	buf_free(&b);
}

/* ---- not TLS at all ---- */

static enum tls_status status_str(const char *s)
{
	return sni_of((const uint8_t *)s, strlen(s), NULL);
}

static enum tls_status status_bytes(const uint8_t *p, size_t n)
{
	return sni_of(p, n, NULL);
}

static void test_not_tls(void **state)
{
	static const uint8_t app_data[] = { 0x17, 0x03, 0x03, 0x00, 0x10, 1, 2, 3 };
	static const uint8_t alert[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28 };
	/* an SSL 2.0-style hello: not something we read */
	static const uint8_t sslv2[] = { 0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15 };
	static const uint8_t v2[] = { 0x16, 0x02, 0x00, 0x00, 0x10 };
	static const uint8_t v4xx[] = { 0x16, 0x04, 0x01, 0x00, 0x10 };

	(void)state;
	assert_int_equal(status_str("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), TLS_NOT_TLS);
	assert_int_equal(status_str("G"), TLS_NOT_TLS);
	assert_int_equal(status_str("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), TLS_NOT_TLS);
	assert_int_equal(status_bytes(app_data, sizeof(app_data)), TLS_NOT_TLS);
	assert_int_equal(status_bytes(app_data, 1), TLS_NOT_TLS);
	assert_int_equal(status_bytes(alert, sizeof(alert)), TLS_NOT_TLS);
	assert_int_equal(status_bytes(sslv2, sizeof(sslv2)), TLS_NOT_TLS);
	assert_int_equal(status_bytes(v2, 2), TLS_NOT_TLS);
	assert_int_equal(status_bytes(v4xx, 2), TLS_NOT_TLS);
	/* what is there so far could still be a hello */
	assert_int_equal(status_bytes(v4xx, 0), TLS_NEED_MORE);
	assert_int_equal(status_bytes(v4xx, 1), TLS_NEED_MORE);
	assert_int_equal(tls_sni(NULL, 0, NULL), TLS_NEED_MORE);
}

/* ---- hand-built hellos ---- */

struct hello {
	unsigned int hs_type;
	long hs_len; /* -1: the true body length */
	size_t sid_len;
	size_t cs_len;
	size_t comp_len;
	bool no_exts;	     /* end the body after compression_methods */
	long exts_len;	     /* -1: the true length of exts */
	struct buf exts;     /* the extensions, each type + length + data */
	struct buf trailing; /* bytes after the extensions block */
};

static struct hello hello_new(void)
{
	struct hello h = { 0 };

	h.hs_type = 1;
	h.hs_len = -1;
	h.sid_len = 32;
	h.cs_len = 4;
	h.comp_len = 1;
	h.exts_len = -1;
	return h;
}

static void hello_free(struct hello *h)
{
	buf_free(&h->exts);
	buf_free(&h->trailing);
}

static void ext_raw(struct buf *e, unsigned int type, const void *data, size_t len)
{
	buf_u16(e, type);
	buf_u16(e, (unsigned int)len);
	buf_put(e, data, len);
}

/* Any extension but server_name, as a client would put around it. */
static void ext_other(struct buf *e)
{
	static const uint8_t groups[] = { 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17 };

	ext_raw(e, 10, groups, sizeof(groups));
}

/* server_name with one host_name of n bytes */
static void ext_sni(struct buf *e, const void *host, size_t n)
{
	buf_u16(e, 0);
	buf_u16(e, (unsigned int)(n + 5));
	buf_u16(e, (unsigned int)(n + 3));
	buf_u8(e, 0);
	buf_u16(e, (unsigned int)n);
	buf_put(e, host, n);
}

static void ext_sni_str(struct buf *e, const char *host)
{
	ext_sni(e, host, strlen(host));
}

/* padding (RFC 7685) of n data bytes */
static void ext_pad(struct buf *e, size_t n)
{
	buf_u16(e, 21);
	buf_u16(e, (unsigned int)n);
	buf_fill(e, 0, n);
}

static struct buf hello_body(const struct hello *h)
{
	struct buf b = { 0 };

	buf_u16(&b, 0x0303);
	buf_fill(&b, 0x42, 32);
	buf_u8(&b, (unsigned int)h->sid_len);
	buf_fill(&b, 0x11, h->sid_len);
	buf_u16(&b, (unsigned int)h->cs_len);
	buf_fill(&b, 0x13, h->cs_len);
	buf_u8(&b, (unsigned int)h->comp_len);
	buf_fill(&b, 0, h->comp_len);
	if (!h->no_exts) {
		buf_u16(&b,
			h->exts_len < 0 ? (unsigned int)h->exts.len : (unsigned int)h->exts_len);
		buf_put(&b, h->exts.b, h->exts.len);
	}
	buf_put(&b, h->trailing.b, h->trailing.len);
	return b;
}

/* The handshake message: header and body. */
static struct buf hello_msg(const struct hello *h)
{
	struct buf body = hello_body(h), m = { 0 };

	buf_u8(&m, h->hs_type);
	buf_u24(&m, h->hs_len < 0 ? (unsigned int)body.len : (unsigned int)h->hs_len);
	buf_put(&m, body.b, body.len);
	buf_free(&body);
	return m;
}

/* The hello in one record (split over several when it must be). */
static enum tls_status hello_status(const struct hello *h)
{
	struct buf m = hello_msg(h), r = frame(&m, 16384);
	enum tls_status st = status_of(&r);

	buf_free(&r);
	buf_free(&m);
	return st;
}

static void assert_hello_sni(const struct hello *h, const char *want)
{
	struct buf m = hello_msg(h), r = frame(&m, 16384);

	assert_sni(&r, want);
	buf_free(&r);
	buf_free(&m);
}

static void test_built_baseline(void **state)
{
	struct hello h = hello_new();

	(void)state;
	ext_other(&h.exts);
	ext_sni_str(&h.exts, "cam.example.com");
	ext_other(&h.exts);
	assert_hello_sni(&h, "cam.example.com");
	{
		struct buf m = hello_msg(&h), r = frame(&m, 3);

		assert_prefixes(&r, TLS_FOUND);
		buf_free(&r);
		buf_free(&m);
	}
	h.sid_len = 0; /* TLS 1.2 clients without a session to resume */
	assert_hello_sni(&h, "cam.example.com");
	hello_free(&h);
}

static void test_built_no_sni(void **state)
{
	struct hello h = hello_new();

	(void)state;
	h.no_exts = true; /* SSL 3.0 / early TLS 1.0 */
	assert_int_equal(hello_status(&h), TLS_NO_SNI);
	h.no_exts = false; /* an empty extensions block */
	assert_int_equal(hello_status(&h), TLS_NO_SNI);
	ext_other(&h.exts);
	assert_int_equal(hello_status(&h), TLS_NO_SNI);
	hello_free(&h);

	/* server_name naming something other than a host */
	h = hello_new();
	{
		static const uint8_t other_type[] = { 0x00, 0x04, 0x07, 0x00, 0x01, 'x' };

		ext_raw(&h.exts, 0, other_type, sizeof(other_type));
	}
	assert_int_equal(hello_status(&h), TLS_NO_SNI);
	hello_free(&h);
}

static void test_built_normalised(void **state)
{
	struct hello h = hello_new();

	(void)state;
	ext_sni_str(&h.exts, "Upgrade.EZVIZlife.COM.");
	assert_hello_sni(&h, "upgrade.ezvizlife.com");
	hello_free(&h);

	/* bytes and shapes no host name has: unreadable, not a name to match */
	{
		static const struct {
			const char *s;
			size_t len;
		} bad[] = {
			{ "a\0b.example", 11 }, { "a\x01b.example", 11 },
			{ "a b.example", 11 },	{ "caf\xc3\xa9.example", 13 },
			{ "a..b", 4 },		{ ".a.b", 4 },
			{ "a.b..", 5 },		{ "a.b:443", 7 },
			{ "a/b", 3 },		{ "a.b\x7f", 4 },
			{ "%61.b", 5 },		{ "*.b", 3 },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			h = hello_new();
			ext_sni(&h.exts, bad[i].s, bad[i].len);
			assert_int_equal(hello_status(&h), TLS_BAD_NAME);
			hello_free(&h);
		}
	}
	h = hello_new();
	ext_sni_str(&h.exts, "_Srv-1.xn--bcher-kva.Example.");
	assert_hello_sni(&h, "_srv-1.xn--bcher-kva.example");
	hello_free(&h);
	h = hello_new();
	ext_sni_str(&h.exts, "192.0.2.1");
	assert_hello_sni(&h, "192.0.2.1");
	hello_free(&h);

	/* an entry of another type before the host_name */
	h = hello_new();
	{
		static const uint8_t sni[] = { 0x00, 0x00, 0x00, 0x0d, 0x00, 0x0b, 0x07, 0x00, 0x01,
					       'x',  0x00, 0x00, 0x04, 'h',  'o',  's',	 't' };

		buf_put(&h.exts, sni, sizeof(sni));
	}
	assert_hello_sni(&h, "host");
	hello_free(&h);
}

static void test_built_name_lengths(void **state)
{
	char host[301];
	struct hello h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(host); i++) /* labels of 60 bytes */
		host[i] = i % 61 == 60 ? '.' : 'a';
	host[300] = '\0';

	h = hello_new();
	ext_sni(&h.exts, host, 300);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	h = hello_new();
	ext_sni(&h.exts, host, NAME_MAX_LEN + 1);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	h = hello_new();
	host[NAME_MAX_LEN] = '\0';
	ext_sni(&h.exts, host, NAME_MAX_LEN);
	assert_hello_sni(&h, host);
	hello_free(&h);

	/* 254 bytes with the trailing dot are 253 without */
	h = hello_new();
	host[NAME_MAX_LEN] = '.';
	ext_sni(&h.exts, host, NAME_MAX_LEN + 1);
	host[NAME_MAX_LEN] = '\0';
	assert_hello_sni(&h, host);
	hello_free(&h);

	h = hello_new();
	ext_sni(&h.exts, "", 0);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	h = hello_new();
	ext_sni_str(&h.exts, ".");
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	h = hello_new();
	ext_sni_str(&h.exts, "x");
	assert_hello_sni(&h, "x");
	hello_free(&h);

	/* a label of 63 bytes is a host name, of 64 not */
	memset(host, 'b', 64);
	memcpy(host + 64, ".example", 9);
	h = hello_new();
	ext_sni_str(&h.exts, host + 1);
	assert_hello_sni(&h, host + 1);
	hello_free(&h);
	h = hello_new();
	ext_sni_str(&h.exts, host);
	assert_int_equal(hello_status(&h), TLS_BAD_NAME);
	hello_free(&h);
}

static void test_built_body_fields(void **state)
{
	struct hello h;

	(void)state;
	h = hello_new();
	h.sid_len = 33;
	ext_sni_str(&h.exts, "a.b");
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.sid_len = 32;
	h.cs_len = 3;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.cs_len = 0;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.cs_len = 2;
	h.comp_len = 0;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.comp_len = 2;
	assert_hello_sni(&h, "a.b");

	/* a handshake other than ClientHello: a ServerHello */
	h.hs_type = 2;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.hs_type = 1;

	/* a body too short for its fixed fields */
	h.hs_len = 0;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.hs_len = 20;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.hs_len = -1;

	/* one byte where the extensions length should be */
	h.no_exts = true;
	buf_u8(&h.trailing, 0);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);
}

/*
 * A handshake length that ends the body early, at every byte: each field
 * cut short is malformed; only the cut right after compression_methods is
 * a whole (extension-less) hello.
 */
static void test_built_truncated_body(void **state)
{
	struct hello h = hello_new();
	size_t full, no_exts, k;
	struct buf m;

	(void)state;
	ext_other(&h.exts);
	ext_sni_str(&h.exts, "cut.example");
	m = hello_msg(&h);
	full = m.len - 4;
	buf_free(&m);
	no_exts = 2 + 32 + 1 + h.sid_len + 2 + h.cs_len + 1 + h.comp_len;

	for (k = 0; k < full; k++) {
		enum tls_status st;

		h.hs_len = (long)k;
		st = hello_status(&h);
		if (st != (k == no_exts ? TLS_NO_SNI : TLS_MALFORMED))
			fail_msg("body cut to %zu of %zu bytes: %s", k, full, tls_status_str(st));
	}
	h.hs_len = (long)full;
	assert_hello_sni(&h, "cut.example");
	hello_free(&h);
}

static void test_built_extensions_block(void **state)
{
	struct hello h = hello_new();

	(void)state;
	ext_other(&h.exts);
	ext_sni_str(&h.exts, "a.b");

	/* block longer than the body */
	h.exts_len = (long)h.exts.len + 1;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	/* block shorter than the body: the bytes left over are not extensions */
	h.exts_len = (long)h.exts.len - 1;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.exts_len = -1;
	buf_u8(&h.trailing, 0);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.trailing.len = 0;
	assert_hello_sni(&h, "a.b");

	/* the last extension overruns the block */
	buf_u16(&h.exts, 16);
	buf_u16(&h.exts, 4);
	buf_u16(&h.exts, 0);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	/* half an extension header at the end */
	h.exts.len -= 3;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	h.exts.len -= 2;
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	/* server_name overruns the block, with the hello's own length right */
	h = hello_new();
	{
		static const uint8_t sni[] = { 0x00, 0x00, 0x00, 0x20, 0x00, 0x06,
					       0x00, 0x00, 0x03, 'a',  '.',  'b' };

		buf_put(&h.exts, sni, sizeof(sni));
	}
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);
}

static void test_built_sni_lengths(void **state)
{
	/* server_name data whose inner lengths lie, in various ways */
	static const struct {
		const char *what;
		uint8_t data[16];
		size_t len;
	} bad[] = {
		{ "list longer than the extension", { 0, 7, 0, 0, 3, 'a', '.', 'b' }, 8 },
		{ "list shorter than the extension", { 0, 5, 0, 0, 3, 'a', '.', 'b' }, 8 },
		{ "list shorter, the rest a valid entry",
		  { 0, 2, 0, 0, 0, 0, 3, 'a', '.', 'b' },
		  10 },
		{ "empty list", { 0, 0 }, 2 },
		{ "no list at all", { 0 }, 0 },
		{ "one byte of list length", { 0 }, 1 },
		{ "host_name longer than the list", { 0, 6, 0, 0, 4, 'a', '.', 'b' }, 8 },
		{ "host_name length cut short", { 0, 2, 0, 0 }, 4 },
		{ "name_type only", { 0, 1, 0 }, 3 },
		{ "trailing byte in the list", { 0, 7, 0, 0, 3, 'a', '.', 'b', 7 }, 9 },
		{ "two host_names", { 0, 12, 0, 0, 3, 'a', '.', 'b', 0, 0, 3, 'c', '.', 'd' }, 14 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hello h = hello_new();
		enum tls_status st;

		ext_raw(&h.exts, 0, bad[i].data, bad[i].len);
		st = hello_status(&h);
		if (st != TLS_MALFORMED)
			fail_msg("%s: %s", bad[i].what, tls_status_str(st));
		hello_free(&h);
	}
}

static void test_built_duplicate_sni(void **state)
{
	struct hello h = hello_new();

	(void)state;
	ext_sni_str(&h.exts, "allowed.example");
	ext_other(&h.exts);
	ext_sni_str(&h.exts, "other.example");
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	/* the same name twice is still two extensions */
	h = hello_new();
	ext_sni_str(&h.exts, "a.b");
	ext_sni_str(&h.exts, "a.b");
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);

	/* a later, broken server_name spoils a good first one */
	h = hello_new();
	ext_sni_str(&h.exts, "a.b");
	ext_raw(&h.exts, 0, "", 0);
	assert_int_equal(hello_status(&h), TLS_MALFORMED);
	hello_free(&h);
}

/* ---- record layer ---- */

static void test_records(void **state)
{
	static const uint8_t zero[] = { 0x16, 0x03, 0x01, 0x00, 0x00 };
	static const uint8_t big[] = { 0x16, 0x03, 0x01, 0x40, 0x01 };
	static const uint8_t max[] = { 0x16, 0x03, 0x01, 0x40, 0x00, 0x01 };
	/* handshake length 70000 = 0x011170 */
	static const uint8_t huge[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x11, 0x70 };
	static const uint8_t server_hello[] = {
		0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x26
	};
	struct hello h = hello_new();
	size_t i;

	(void)state;
	/* an empty record is skipped: what follows may still be the hello */
	assert_int_equal(status_bytes(zero, sizeof(zero)), TLS_NEED_MORE);
	assert_int_equal(status_bytes(zero, 4), TLS_NEED_MORE);
	assert_int_equal(status_bytes(big, sizeof(big)), TLS_MALFORMED);
	assert_int_equal(status_bytes(max, sizeof(max)), TLS_NEED_MORE);
	assert_int_equal(status_bytes(huge, sizeof(huge)), TLS_TOO_LARGE);
	assert_int_equal(status_bytes(server_hello, sizeof(server_hello)), TLS_MALFORMED);
	/* told as soon as the handshake header is complete */
	for (i = 0; i < sizeof(huge) - 1; i++)
		assert_int_equal(status_bytes(huge, i), TLS_NEED_MORE);

	/* the same handshake header cut into one-byte records */
	{
		struct buf m = { 0 }, r;

		buf_put(&m, huge + 5, 4);
		r = frame(&m, 1);
		assert_int_equal(status_of(&r), TLS_TOO_LARGE);
		buf_free(&r);
		buf_free(&m);
	}

	/* a zero-length record after the first */
	ext_sni_str(&h.exts, "a.b");
	{
		struct buf m = hello_msg(&h), r = frame(&m, 10), z = { 0 };

		buf_put(&z, zero, sizeof(zero));
		buf_put(&z, r.b, 15);
		buf_put(&z, zero, sizeof(zero));
		buf_put(&z, zero, sizeof(zero));
		buf_put(&z, r.b + 15, r.len - 15);
		assert_int_equal(status_of(&z), TLS_FOUND);
		buf_free(&z);

		/* records of any 03 xx version, as servers take them */
		z = frame(&m, 10);
		for (i = 0; i + 5 <= z.len; i += 15) /* 5-byte header + 10 bytes each */
			z.b[i + 2] = (uint8_t)(0x05 + i);
		z.b[2] = 0xff;
		assert_int_equal(status_of(&z), TLS_FOUND);
		buf_free(&z);
		buf_free(&r);
		buf_free(&m);
	}
	hello_free(&h);
}

/* The limits, exactly: a 2^14-byte record, a TLS_HELLO_MAX-byte hello. */
static void test_limits(void **state)
{
	struct hello h = hello_new();
	struct buf m;
	size_t base;

	(void)state;
	ext_sni_str(&h.exts, "edge.example");
	m = hello_msg(&h);
	base = m.len;
	buf_free(&m);

	/* one record of exactly 16384 bytes */
	ext_pad(&h.exts, 16384 - base - 4);
	m = hello_msg(&h);
	assert_int_equal(m.len, 16384);
	assert_hello_sni(&h, "edge.example");
	buf_free(&m);
	buf_free(&h.exts);

	/* a body of exactly TLS_HELLO_MAX bytes, over two records */
	ext_sni_str(&h.exts, "edge.example");
	ext_pad(&h.exts, TLS_HELLO_MAX + 4 - base - 4);
	m = hello_msg(&h);
	assert_int_equal(m.len, TLS_HELLO_MAX + 4);
	assert_hello_sni(&h, "edge.example");
	buf_free(&m);
	buf_free(&h.exts);

	/* one byte more */
	ext_sni_str(&h.exts, "edge.example");
	ext_pad(&h.exts, TLS_HELLO_MAX + 5 - base - 4);
	assert_int_equal(hello_status(&h), TLS_TOO_LARGE);
	hello_free(&h);
}

static void test_status_str(void **state)
{
	(void)state;
	assert_string_equal(tls_status_str(TLS_NEED_MORE), "need more");
	assert_string_equal(tls_status_str(TLS_FOUND), "found");
	assert_string_equal(tls_status_str(TLS_NO_SNI), "no sni");
	assert_string_equal(tls_status_str(TLS_NOT_TLS), "not tls");
	assert_string_equal(tls_status_str(TLS_MALFORMED), "malformed");
	assert_string_equal(tls_status_str(TLS_TOO_LARGE), "too large");
	assert_string_equal(tls_status_str((enum tls_status)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_hellos),
		cmocka_unit_test(test_real_prefixes),
		cmocka_unit_test(test_real_reframed),
		cmocka_unit_test(test_real_trailing_bytes),
		cmocka_unit_test(test_real_interleaved_record),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_built_baseline),
		cmocka_unit_test(test_built_no_sni),
		cmocka_unit_test(test_built_normalised),
		cmocka_unit_test(test_built_name_lengths),
		cmocka_unit_test(test_built_body_fields),
		cmocka_unit_test(test_built_truncated_body),
		cmocka_unit_test(test_built_extensions_block),
		cmocka_unit_test(test_built_sni_lengths),
		cmocka_unit_test(test_built_duplicate_sni),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_status_str),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
