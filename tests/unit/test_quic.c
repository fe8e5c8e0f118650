/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_quic.c - quic_feed() and quic_classify(): the sample client Initials
 * of RFC 9001 A.2 (v1) and RFC 9369 A.2 (v2), then Initials sealed here
 * (quic_seal.h) for hellos over several packets and datagrams, out of
 * order, coalesced, conflicting, too large, with bad tags, wrong frames,
 * other versions and DCIDs, and names that are not host names.  Every
 * datagram is fed from a heap copy of exactly its size, so that
 * AddressSanitizer catches any read past its end.
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
#include "decode/quic.h"
#include "quic_seal.h"

/* RFC 9001 A.2 and RFC 9369 A.2: header, frames (before PADDING), packet. */
static const char RFC9001_HEADER[] = "c300000001088394c8f03e5157080000449e00000002";

static const char RFC_FRAMES[] = "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
				 "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
				 "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
				 "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
				 "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
				 "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
				 "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
				 "75300901100f088394c8f03e51570806048000ffff";

static const char RFC9001_PACKET[] =
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
	"d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
	"1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
	"8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
	"30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
	"457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
	"4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
	"4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
	"485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
	"059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
	"7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
	"9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
	"be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
	"68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
	"c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
	"f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
	"291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
	"25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
	"14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
	"ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
	"e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
	"c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
	"203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
	"cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
	"fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
	"a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
	"90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
	"162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
	"40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
	"6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
	"8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
	"be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
	"54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
	"760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
	"f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
	"056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
	"e221af44860018ab0856972e194cd934";

static const char RFC9369_HEADER[] = "d36b3343cf088394c8f03e5157080000449e00000002";

static const char RFC9369_PACKET[] =
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
	"dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
	"9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
	"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
	"12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
	"cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
	"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
	"12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
	"d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
	"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
	"bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
	"636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
	"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
	"16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
	"4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
	"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
	"8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
	"14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
	"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
	"abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
	"80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
	"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
	"d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
	"c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
	"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
	"f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
	"10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
	"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
	"06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
	"8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
	"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
	"e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
	"5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
	"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
	"d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
	"6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
	"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
	"a18b2faa745b6fe189cf772a9f84cbfc";

static const uint8_t DCID[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
static const uint8_t DCID2[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static const uint8_t SCID[4] = { 0xc0, 0xff, 0xee, 0x01 };

static void from_hex(struct qbuf *q, const char *s)
{
	for (; s[0] && s[1]; s += 2) {
		unsigned int b;

		assert_int_equal(sscanf(s, "%2x", &b), 1);
		qb_u8(q, b);
	}
}

/* A client's hello: its buffer and state, fed datagram by datagram. */
struct client {
	uint8_t *buf;
	struct quic_hello h;
};

static int client_setup(void **state)
{
	struct client *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->buf = malloc(QUIC_CRYPTO_MAX);
	assert_non_null(c->buf);
	quic_hello_init(&c->h, c->buf);
	*state = c;
	return 0;
}

static int client_teardown(void **state)
{
	struct client *c = *state;

	free(c->buf);
	free(c);
	return 0;
}

/*
 * quic_feed() on a heap copy of exactly len bytes; *out is checked to be
 * written with QUIC_FOUND only.
 */
static enum quic_result feed(struct client *c, const uint8_t *p, size_t len, struct name *out)
{
	struct name sentinel, got;
	enum quic_result r;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	memset(&sentinel, 0xa5, sizeof(sentinel));
	got = sentinel;
	r = quic_feed(&c->h, copy, len, &got);
	free(copy);
	assert_in_range(r, QUIC_NEED_MORE, QUIC_CONFLICT);
	if (r == QUIC_FOUND)
		assert_true(got.len >= 1 && got.len <= NAME_MAX_LEN && got.s[got.len] == '\0');
	else
		assert_memory_equal(&got, &sentinel, sizeof(got));
	if (out)
		*out = got;
	return r;
}

static enum quic_result feed_q(struct client *c, const struct qbuf *q)
{
	return feed(c, q->b, q->len, NULL);
}

static void assert_found(struct client *c, const struct qbuf *q, const char *want)
{
	struct name n;

	assert_int_equal(feed(c, q->b, q->len, &n), QUIC_FOUND);
	assert_int_equal(n.len, strlen(want));
	assert_memory_equal(n.s, want, n.len);
}

/* The default packet: v1 Initial, DCID, packet number pn, padded to 1200. */
static struct quic_seal seal_default(uint32_t version, uint64_t pn)
{
	struct quic_seal s = {
		.version = version,
		.dcid = DCID,
		.dcid_len = sizeof(DCID),
		.scid = SCID,
		.scid_len = sizeof(SCID),
		.pn = pn,
		.pn_len = 2,
		.type = QUIC_SEAL_INITIAL,
		.pad_to = 1200,
	};
	return s;
}

/* Append one sealed packet of the frames in f to dgram. */
static void seal_into(struct qbuf *dgram, const struct quic_seal *s, const struct qbuf *f)
{
	assert_true(quic_seal(dgram, s, f->b, f->len));
}

/* A datagram of one padded v1 Initial with the frames in f. */
static struct qbuf initial_of(uint32_t version, uint64_t pn, const struct qbuf *f)
{
	struct quic_seal s = seal_default(version, pn);
	struct qbuf d = { 0 };

	seal_into(&d, &s, f);
	return d;
}

/* CRYPTO frames with the hello's bytes [from, to). */
static struct qbuf crypto_part(const struct qbuf *hello, size_t from, size_t to)
{
	struct qbuf f = { 0 };

	qb_crypto(&f, from, hello->b + from, to - from);
	return f;
}

static struct qbuf hello_for(const char *sni, size_t min_len)
{
	struct qbuf hello = { 0 };

	qb_client_hello(&hello, sni, sni ? strlen(sni) : 0, min_len);
	return hello;
}

/* --- the RFC samples ------------------------------------------------------ */

/* The sealer gives the RFCs' keys and their packets, byte for byte. */
static void test_sealer_matches_rfc(void **state)
{
	static const struct {
		uint32_t version;
		const char *header, *packet, *key, *iv;
	} v[] = {
		{ QUIC_SEAL_V1, RFC9001_HEADER, RFC9001_PACKET, "1f369613dd76d5467730efcbe3b1a22d",
		  "fa044b2f42a3fd3b46fb255c" },
		{ QUIC_SEAL_V2, RFC9369_HEADER, RFC9369_PACKET, "8b1a0bc121284290a29e0971b5cd045d",
		  "91f73e2351d8fa91660e909f" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct qbuf frames = { 0 }, want = { 0 }, got = { 0 }, key = { 0 }, iv = { 0 };
		struct quic_seal s = {
			.version = v[i].version,
			.dcid = DCID,
			.dcid_len = sizeof(DCID),
			.pn = 2,
			.pn_len = 4,
			.type = QUIC_SEAL_INITIAL,
			.pad_to = 1200,
		};
		struct quic_seal_keys k;

		assert_true(quic_seal_derive(v[i].version, DCID, sizeof(DCID), &k));
		from_hex(&key, v[i].key);
		from_hex(&iv, v[i].iv);
		assert_memory_equal(k.key, key.b, 16);
		assert_memory_equal(k.iv, iv.b, 12);
		if (i == 0) {
			struct qbuf hp = { 0 };

			from_hex(&hp, "9f50449e04a0e810283a1e9933adedd2");
			assert_memory_equal(k.hp, hp.b, 16);
			qb_free(&hp);
		}
		from_hex(&frames, RFC_FRAMES);
		from_hex(&want, v[i].packet);
		assert_int_equal(want.len, 1200);
		seal_into(&got, &s, &frames);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.b, want.b, want.len);
		qb_free(&frames);
		qb_free(&want);
		qb_free(&got);
		qb_free(&key);
		qb_free(&iv);
	}
}

static void test_rfc9001_client_initial(void **state)
{
	struct client *c = *state;
	struct qbuf p = { 0 };

	from_hex(&p, RFC9001_PACKET);
	assert_int_equal(quic_classify(p.b, p.len), QUIC_INITIAL);
	assert_found(c, &p, "example.com");
	assert_int_equal(c->h.initials, 1);
	assert_int_equal(c->h.version, QUIC_V1);
	assert_int_equal(c->h.largest_pn, 2);
	qb_free(&p);
}

static void test_rfc9369_client_initial(void **state)
{
	struct client *c = *state;
	struct qbuf p = { 0 };

	from_hex(&p, RFC9369_PACKET);
	assert_int_equal(quic_classify(p.b, p.len), QUIC_INITIAL);
	assert_found(c, &p, "example.com");
	assert_int_equal(c->h.version, QUIC_V2);
	qb_free(&p);
}

/* A flipped bit anywhere in the sample packet: never a name. */
static void test_rfc9001_any_bit_flipped(void **state)
{
	struct qbuf p = { 0 };
	size_t i;

	(void)state;
	from_hex(&p, RFC9001_PACKET);
	for (i = 0; i < p.len; i += 7) {
		uint8_t buf[QUIC_CRYPTO_MAX];
		struct quic_hello h;
		struct name n;

		quic_hello_init(&h, buf);
		p.b[i] ^= 0x04;
		assert_int_not_equal(quic_feed(&h, p.b, p.len, &n), QUIC_FOUND);
		p.b[i] ^= 0x04;
	}
	qb_free(&p);
}

/* --- sealed Initials ------------------------------------------------------ */

/* A hello of about 3000 bytes over three Initials in three datagrams. */
static void test_hello_over_three_initials(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("cam.example.net", 3000);
	size_t cut[4] = { 0, 1000, 2000, hello.len };
	int i;

	for (i = 0; i < 3; i++) {
		struct qbuf f = crypto_part(&hello, cut[i], cut[i + 1]);
		struct qbuf d = initial_of(QUIC_V1, (uint64_t)i, &f);

		if (i < 2)
			assert_int_equal(feed_q(c, &d), QUIC_NEED_MORE);
		else
			assert_found(c, &d, "cam.example.net");
		qb_free(&f);
		qb_free(&d);
	}
	assert_int_equal(c->h.initials, 3);
	qb_free(&hello);
}

/* The hello's last part first, in one packet frames in reverse. */
static void test_out_of_order(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("late.example.org", 2000);
	struct qbuf f1 = crypto_part(&hello, 1500, hello.len), f2 = { 0 }, d1, d2;

	d1 = initial_of(QUIC_V1, 1, &f1);
	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	qb_crypto(&f2, 700, hello.b + 700, 800);
	qb_crypto(&f2, 0, hello.b, 700);
	d2 = initial_of(QUIC_V1, 0, &f2);
	assert_found(c, &d2, "late.example.org");
	qb_free(&f1);
	qb_free(&f2);
	qb_free(&d1);
	qb_free(&d2);
	qb_free(&hello);
}

/*
 * Two Initials and a 0-RTT packet coalesced in one datagram: the 0-RTT
 * packet is skipped by its length, both Initials are read.
 */
static void test_coalesced(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("two.example.com", 1500);
	struct qbuf f1 = crypto_part(&hello, 0, 800), f2 = crypto_part(&hello, 800, hello.len);
	struct qbuf zrtt = { 0 }, d = { 0 };
	struct quic_seal s = seal_default(QUIC_V1, 0);

	s.pad_to = 0;
	seal_into(&d, &s, &f1);
	s.type = 1;		  /* 0-RTT in v1 */
	qb_fill(&zrtt, 0x08, 40); /* STREAM frames: fine in 0-RTT, unread */
	seal_into(&d, &s, &zrtt);
	s.type = QUIC_SEAL_INITIAL;
	s.pn = 1;
	s.pad_to = 1200 > d.len ? 1200 - d.len : 0;
	seal_into(&d, &s, &f2);
	assert_true(d.len >= 1200);
	assert_found(c, &d, "two.example.com");
	assert_int_equal(c->h.initials, 2);
	qb_free(&f1);
	qb_free(&f2);
	qb_free(&zrtt);
	qb_free(&d);
	qb_free(&hello);
}

/* The same bytes sent twice are fine; other bytes at an offset held are not. */
static void test_crypto_conflict(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("a.example.com", 1500);
	struct qbuf f = crypto_part(&hello, 0, 600), d = initial_of(QUIC_V1, 0, &f), d2, d3;

	assert_int_equal(feed_q(c, &d), QUIC_NEED_MORE);
	d2 = initial_of(QUIC_V1, 1, &f); /* a retransmission */
	assert_int_equal(feed_q(c, &d2), QUIC_NEED_MORE);
	f.b[f.len - 1] ^= 0x20; /* the last byte of the hello's first part */
	d3 = initial_of(QUIC_V1, 2, &f);
	assert_int_equal(feed_q(c, &d3), QUIC_CONFLICT);
	assert_int_equal(feed_q(c, &d), QUIC_CONFLICT); /* final */
	qb_free(&f);
	qb_free(&d);
	qb_free(&d2);
	qb_free(&d3);
	qb_free(&hello);
}

static void test_too_large(void **state)
{
	struct client *c = *state;
	uint8_t junk[40] = { 0 };
	struct qbuf f = { 0 }, d;

	qb_crypto(&f, QUIC_CRYPTO_MAX - 20, junk, sizeof(junk));
	d = initial_of(QUIC_V1, 0, &f);
	assert_int_equal(feed_q(c, &d), QUIC_TOO_LARGE);
	qb_free(&f);
	qb_free(&d);
}

/* A handshake header announcing a ClientHello over TLS_HELLO_MAX. */
static void test_hello_too_large(void **state)
{
	struct client *c = *state;
	const uint8_t hdr[4] = { 1, 0x00, 0x40, 0x01 }; /* 16385 bytes */
	struct qbuf f = { 0 }, d;

	qb_crypto(&f, 0, hdr, sizeof(hdr));
	d = initial_of(QUIC_V1, 0, &f);
	assert_int_equal(feed_q(c, &d), QUIC_TOO_LARGE);
	qb_free(&f);
	qb_free(&d);
}

/*
 * An Initial whose tag fails is ignored and counted, as a server drops it;
 * the same hello sealed right is then read.  A first copy naming another
 * host with a bad tag does not count against it.
 */
static void test_bad_tag_ignored(void **state)
{
	struct client *c = *state;
	struct qbuf evil = hello_for("evil.example.com", 0), good = hello_for("ok.example.com", 0);
	struct qbuf fe = crypto_part(&evil, 0, evil.len), fg = crypto_part(&good, 0, good.len);
	struct quic_seal s = seal_default(QUIC_V1, 0);
	struct qbuf d1 = { 0 }, d2;

	s.bad_tag = true;
	seal_into(&d1, &s, &fe);
	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	assert_int_equal(c->h.bad_packets, 1);
	assert_int_equal(c->h.initials, 0);
	assert_false(c->h.pinned);
	d2 = initial_of(QUIC_V1, 0, &fg);
	assert_found(c, &d2, "ok.example.com");
	qb_free(&evil);
	qb_free(&good);
	qb_free(&fe);
	qb_free(&fg);
	qb_free(&d1);
	qb_free(&d2);
}

/*
 * A datagram under 1200 bytes: a server drops its Initials, so a hello in
 * one does not count, and the full-size one after it does.
 */
static void test_small_datagram_ignored(void **state)
{
	struct client *c = *state;
	struct qbuf a = hello_for("first.example.com", 0), b = hello_for("second.example.com", 0);
	struct qbuf fa = crypto_part(&a, 0, a.len), fb = crypto_part(&b, 0, b.len);
	struct quic_seal s = seal_default(QUIC_V1, 0);
	struct qbuf d1 = { 0 }, d2;

	s.pad_to = 1199;
	seal_into(&d1, &s, &fa);
	assert_int_equal(d1.len, 1199);
	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	assert_int_equal(c->h.small_dgrams, 1);
	d2 = initial_of(QUIC_V1, 0, &fb);
	assert_found(c, &d2, "second.example.com");
	qb_free(&a);
	qb_free(&b);
	qb_free(&fa);
	qb_free(&fb);
	qb_free(&d1);
	qb_free(&d2);
}

/*
 * Frames an Initial must not carry, and frames it may, read correctly.  A
 * frame cut short must end the payload (at_end): the packet is not padded,
 * and a Handshake packet after it fills the datagram.
 */
static void test_frames(void **state)
{
	static const struct {
		const char *what;
		uint8_t bytes[16];
		size_t len;
		bool at_end;
		enum quic_result want;
	} t[] = {
		{ "STREAM", { 0x08, 0x00, 0x41 }, 3, false, QUIC_MALFORMED },
		{ "NEW_TOKEN", { 0x07, 0x01, 0xaa }, 3, false, QUIC_MALFORMED },
		{ "application CONNECTION_CLOSE", { 0x1d, 0x00, 0x00 }, 3, false, QUIC_MALFORMED },
		{ "HANDSHAKE_DONE", { 0x1e }, 1, false, QUIC_MALFORMED },
		{ "CRYPTO, type in two bytes",
		  { 0x40, 0x06, 0x00, 0x00 },
		  4,
		  false,
		  QUIC_MALFORMED },
		{ "PING", { 0x01 }, 1, false, QUIC_FOUND },
		{ "ACK, two ranges",
		  { 0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00 },
		  7,
		  false,
		  QUIC_FOUND },
		{ "ACK_ECN",
		  { 0x03, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03 },
		  8,
		  false,
		  QUIC_FOUND },
		{ "ACK, more ranges than bytes",
		  { 0x02, 0x05, 0x00, 0x80, 0x00, 0x40, 0x00 },
		  7,
		  false,
		  QUIC_MALFORMED },
		{ "ACK, a range missing",
		  { 0x02, 0x05, 0x00, 0x02, 0x00, 0x01, 0x00 },
		  7,
		  true,
		  QUIC_MALFORMED },
		{ "ACK_ECN, counts missing",
		  { 0x03, 0x05, 0x00, 0x00, 0x00, 0x01 },
		  6,
		  true,
		  QUIC_MALFORMED },
		{ "ACK_ECN, exactly to the end",
		  { 0x03, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03 },
		  8,
		  true,
		  QUIC_NEED_MORE },
		{ "CONNECTION_CLOSE", { 0x1c, 0x0a, 0x06, 0x02, 'h', 'i' }, 6, false, QUIC_FOUND },
		{ "CONNECTION_CLOSE, reason cut",
		  { 0x1c, 0x0a, 0x06, 0x09, 'h' },
		  5,
		  true,
		  QUIC_MALFORMED },
		{ "CRYPTO, data cut", { 0x06, 0x00, 0x0a, 0x01, 0x00 }, 5, true, QUIC_MALFORMED },
	};
	struct qbuf hello = hello_for("frames.example.com", 0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t buf[QUIC_CRYPTO_MAX];
		struct quic_seal s = seal_default(QUIC_V1, 0);
		struct qbuf f = { 0 }, d = { 0 }, hs = { 0 };
		struct quic_hello h;
		struct name n;
		enum quic_result r;

		/* the frame first: a trailing one would read into the padding */
		qb_put(&f, t[i].bytes, t[i].len);
		if (t[i].want == QUIC_FOUND || !t[i].at_end)
			qb_crypto(&f, 0, hello.b, hello.len);
		if (t[i].at_end) {
			s.pad_to = 0;
			seal_into(&d, &s, &f);
			s.type = 2; /* v1 Handshake, skipped */
			s.pad_to = 1200 - d.len;
			qb_u8(&hs, 0x01);
			seal_into(&d, &s, &hs);
		} else {
			seal_into(&d, &s, &f);
		}
		assert_true(d.len >= 1200);
		quic_hello_init(&h, buf);
		r = quic_feed(&h, d.b, d.len, &n);
		qb_free(&f);
		qb_free(&d);
		qb_free(&hs);
		if (r != t[i].want)
			fail_msg("%s: %s, wanted %s", t[i].what, quic_result_str(r),
				 quic_result_str(t[i].want));
		assert_int_equal(h.initials, 1);
	}
	qb_free(&hello);
}

/* Reserved bits set under header protection: a protocol violation. */
static void test_reserved_bits(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("r.example.com", 0), f = crypto_part(&hello, 0, hello.len);
	struct quic_seal s = seal_default(QUIC_V1, 0);
	struct qbuf d = { 0 };

	s.reserved = 2;
	seal_into(&d, &s, &f);
	assert_int_equal(feed_q(c, &d), QUIC_MALFORMED);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

/* CRYPTO data past the ClientHello's end: no client sends it. */
static void test_data_past_hello(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("p.example.com", 0), f = { 0 }, d;

	qb_crypto(&f, 0, hello.b, hello.len);
	qb_crypto(&f, hello.len, (const uint8_t *)"\x02\x00", 2);
	d = initial_of(QUIC_V1, 0, &f);
	assert_int_equal(feed_q(c, &d), QUIC_MALFORMED);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

/* The first CRYPTO bytes are not a ClientHello. */
static void test_not_client_hello(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("n.example.com", 0), f = { 0 }, d;

	hello.b[0] = 2; /* ServerHello */
	qb_crypto(&f, 0, hello.b, hello.len);
	d = initial_of(QUIC_V1, 0, &f);
	assert_int_equal(feed_q(c, &d), QUIC_MALFORMED);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

static void test_v2_over_two_initials(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("v2.example.com", 1800);
	struct qbuf f1 = crypto_part(&hello, 0, 900), f2 = crypto_part(&hello, 900, hello.len);
	struct qbuf d1 = initial_of(QUIC_V2, 0, &f1), d2 = initial_of(QUIC_V2, 1, &f2);

	assert_int_equal(quic_classify(d1.b, d1.len), QUIC_INITIAL);
	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	assert_found(c, &d2, "v2.example.com");
	assert_int_equal(c->h.version, QUIC_V2);
	qb_free(&hello);
	qb_free(&f1);
	qb_free(&f2);
	qb_free(&d1);
	qb_free(&d2);
}

/* A v1 Initial then a v2 one of the same client. */
static void test_mixed_versions(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("mix.example.com", 1800);
	struct qbuf f1 = crypto_part(&hello, 0, 900), f2 = crypto_part(&hello, 900, hello.len);
	struct qbuf d1 = initial_of(QUIC_V1, 0, &f1), d2 = initial_of(QUIC_V2, 1, &f2);

	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	assert_int_equal(feed_q(c, &d2), QUIC_CONFLICT);
	qb_free(&hello);
	qb_free(&f1);
	qb_free(&f2);
	qb_free(&d1);
	qb_free(&d2);
}

/* The hello's second part under another DCID (sealed with its own keys). */
static void test_dcid_change(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("dcid.example.com", 1800);
	struct qbuf f1 = crypto_part(&hello, 0, 900), f2 = crypto_part(&hello, 900, hello.len);
	struct quic_seal s = seal_default(QUIC_V1, 1);
	struct qbuf d1 = initial_of(QUIC_V1, 0, &f1), d2 = { 0 };

	s.dcid = DCID2;
	seal_into(&d2, &s, &f2);
	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	assert_int_equal(feed_q(c, &d2), QUIC_CONFLICT);
	qb_free(&hello);
	qb_free(&f1);
	qb_free(&f2);
	qb_free(&d1);
	qb_free(&d2);
}

/* Two Initials with different DCIDs coalesced in one datagram. */
static void test_dcid_change_coalesced(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("co.example.com", 0), f = crypto_part(&hello, 0, hello.len);
	struct qbuf ping = { 0 }, d = { 0 };
	struct quic_seal s = seal_default(QUIC_V1, 0);

	qb_u8(&ping, 0x01);
	s.pad_to = 0;
	s.dcid = DCID2;
	seal_into(&d, &s, &ping);
	s.dcid = DCID;
	s.pad_to = 1200;
	seal_into(&d, &s, &f);
	assert_int_equal(feed_q(c, &d), QUIC_CONFLICT);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&ping);
	qb_free(&d);
}

/* After the first complete hello the answer stays, whatever comes. */
static void test_answer_final(void **state)
{
	struct client *c = *state;
	struct qbuf a = hello_for("first.example.com", 0), b = hello_for("other.example.com", 0);
	struct qbuf fa = crypto_part(&a, 0, a.len), fb = crypto_part(&b, 0, b.len);
	struct qbuf d1 = initial_of(QUIC_V1, 0, &fa), d2 = initial_of(QUIC_V1, 1, &fb);

	assert_found(c, &d1, "first.example.com");
	assert_found(c, &d2, "first.example.com");
	qb_free(&a);
	qb_free(&b);
	qb_free(&fa);
	qb_free(&fb);
	qb_free(&d1);
	qb_free(&d2);
}

static void test_sni_with_nul(void **state)
{
	struct client *c = *state;
	struct qbuf hello = { 0 }, f, d;

	qb_client_hello(&hello, "allowed.example.com\0.evil.net", 29, 0);
	f = crypto_part(&hello, 0, hello.len);
	d = initial_of(QUIC_V1, 0, &f);
	assert_int_equal(feed_q(c, &d), QUIC_MALFORMED);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

static void test_no_sni(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for(NULL, 0), f = crypto_part(&hello, 0, hello.len);
	struct qbuf d = initial_of(QUIC_V1, 0, &f);

	assert_int_equal(feed_q(c, &d), QUIC_NO_SNI);
	assert_int_equal(feed_q(c, &d), QUIC_NO_SNI);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

/* What the first five bytes say, and quic_feed on versions it cannot read. */
static void test_classify(void **state)
{
	static const struct {
		const char *what;
		uint8_t b[8];
		size_t len;
		enum quic_kind want;
	} t[] = {
		{ "empty", { 0 }, 0, QUIC_NOT },
		{ "short header", { 0x41, 0x01, 0x02, 0x03, 0x04, 0x05 }, 6, QUIC_NOT },
		{ "DNS query", { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01 }, 6, QUIC_NOT },
		{ "long header cut", { 0xc0, 0x00, 0x00, 0x00 }, 4, QUIC_NOT },
		{ "v1 Initial", { 0xc3, 0x00, 0x00, 0x00, 0x01 }, 5, QUIC_INITIAL },
		{ "v1 0-RTT", { 0xd3, 0x00, 0x00, 0x00, 0x01 }, 5, QUIC_NOT_INITIAL },
		{ "v1 Handshake", { 0xe3, 0x00, 0x00, 0x00, 0x01 }, 5, QUIC_NOT_INITIAL },
		{ "v1 without fixed bit", { 0x83, 0x00, 0x00, 0x00, 0x01 }, 5, QUIC_NOT },
		{ "v2 Initial", { 0xd0, 0x6b, 0x33, 0x43, 0xcf }, 5, QUIC_INITIAL },
		{ "v2 Retry type", { 0xc0, 0x6b, 0x33, 0x43, 0xcf }, 5, QUIC_NOT_INITIAL },
		{ "version negotiation",
		  { 0x80, 0x00, 0x00, 0x00, 0x00 },
		  5,
		  QUIC_UNREADABLE_VERSION },
		{ "greased version", { 0xc0, 0x1a, 0x2a, 0x3a, 0x4a }, 5, QUIC_UNREADABLE_VERSION },
		{ "draft-29", { 0xc0, 0xff, 0x00, 0x00, 0x1d }, 5, QUIC_UNREADABLE_VERSION },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t *copy = malloc(t[i].len ? t[i].len : 1);
		enum quic_kind k;

		assert_non_null(copy);
		memcpy(copy, t[i].b, t[i].len);
		k = quic_classify(copy, t[i].len);
		free(copy);
		if (k != t[i].want)
			fail_msg("%s: %s, wanted %s", t[i].what, quic_kind_str(k),
				 quic_kind_str(t[i].want));
	}
}

/* An Initial of an unknown version: not readable, so not a name. */
static void test_feed_unreadable_version(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("u.example.com", 0), f = crypto_part(&hello, 0, hello.len);
	struct qbuf d = initial_of(QUIC_V1, 0, &f);

	d.b[1] = 0x1a; /* version 0x1a000001 */
	assert_int_equal(quic_classify(d.b, d.len), QUIC_UNREADABLE_VERSION);
	assert_int_equal(feed_q(c, &d), QUIC_MALFORMED);
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

/* Nothing but short headers and junk: nothing read, nothing final. */
static void test_junk_waits(void **state)
{
	struct client *c = *state;
	struct qbuf d = { 0 };
	int i;

	qb_fill(&d, 0x40, 1300);
	assert_int_equal(feed_q(c, &d), QUIC_NEED_MORE);
	d.len = 0;
	qb_u8(&d, 0xc0); /* v1 Initial whose length runs past the datagram */
	qb_put(&d, "\x00\x00\x00\x01\x08", 5);
	qb_put(&d, DCID, 8);
	qb_put(&d, "\x00\x00\x7f\xff", 4);
	qb_fill(&d, 0, 1200);
	for (i = 0; i < 3; i++)
		assert_int_equal(feed_q(c, &d), QUIC_NEED_MORE);
	assert_int_equal(c->h.bad_packets, 3);
	assert_false(c->h.done);
	qb_free(&d);
}

/*
 * One-byte packet numbers past a wrap (RFC 9000 A.3): 250, then 261 sent
 * as 0x05, which only the decoded number's nonce opens.
 */
static void test_packet_number_window(void **state)
{
	struct client *c = *state;
	struct qbuf hello = hello_for("pn.example.com", 1500);
	struct qbuf f1 = crypto_part(&hello, 0, 700), f2 = crypto_part(&hello, 700, hello.len);
	struct quic_seal s = seal_default(QUIC_V1, 250);
	struct qbuf d1 = { 0 }, d2 = { 0 };

	s.pn_len = 1;
	seal_into(&d1, &s, &f1);
	s.pn = 261;
	seal_into(&d2, &s, &f2);
	assert_int_equal(feed_q(c, &d1), QUIC_NEED_MORE);
	assert_int_equal(c->h.largest_pn, 250);
	assert_found(c, &d2, "pn.example.com");
	assert_int_equal(c->h.largest_pn, 261);
	qb_free(&hello);
	qb_free(&f1);
	qb_free(&f2);
	qb_free(&d1);
	qb_free(&d2);
}

/* Every prefix of a two-part hello: never an answer before its end. */
static void test_truncated_datagrams(void **state)
{
	struct qbuf hello = hello_for("cut.example.com", 0), f = crypto_part(&hello, 0, hello.len);
	struct qbuf d = initial_of(QUIC_V1, 0, &f);
	size_t n;

	(void)state;
	for (n = 0; n < d.len; n += 13) {
		uint8_t buf[QUIC_CRYPTO_MAX];
		struct quic_hello h;
		struct client c = { .buf = buf };

		quic_hello_init(&h, buf);
		c.h = h;
		assert_int_equal(feed(&c, d.b, n, NULL), QUIC_NEED_MORE);
	}
	qb_free(&hello);
	qb_free(&f);
	qb_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sealer_matches_rfc),
		cmocka_unit_test_setup_teardown(test_rfc9001_client_initial, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_rfc9369_client_initial, client_setup,
						client_teardown),
		cmocka_unit_test(test_rfc9001_any_bit_flipped),
		cmocka_unit_test_setup_teardown(test_hello_over_three_initials, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_coalesced, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_crypto_conflict, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_too_large, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_hello_too_large, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_bad_tag_ignored, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_small_datagram_ignored, client_setup,
						client_teardown),
		cmocka_unit_test(test_frames),
		cmocka_unit_test_setup_teardown(test_reserved_bits, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_data_past_hello, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_not_client_hello, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_v2_over_two_initials, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_mixed_versions, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_dcid_change, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_dcid_change_coalesced, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_answer_final, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_sni_with_nul, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_no_sni, client_setup, client_teardown),
		cmocka_unit_test(test_classify),
		cmocka_unit_test_setup_teardown(test_feed_unreadable_version, client_setup,
						client_teardown),
		cmocka_unit_test_setup_teardown(test_junk_waits, client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(test_packet_number_window, client_setup,
						client_teardown),
		cmocka_unit_test(test_truncated_datagrams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
