/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_quic.c - libFuzzer harness for quic_classify() and quic_feed().
 *
 *   input    | mode | len (2) | chunk | len (2) | chunk | ...   (up to 16)
 *   mode 0   each chunk is a datagram, fed as it is
 *   mode 1   each chunk is | flags | frames ... |, sealed here as one
 *            client Initial (tests/unit/quic_seal.h), so that mutations
 *            reach the frames and the CRYPTO stream behind the AEAD:
 *            flags bit 0 v2, 1 another DCID, 2 no padding (a small
 *            datagram), 3-4 PN length - 1, 5 a bad tag, 6 reserved bits
 *            set, 7 coalesced with the next chunk's packet
 *
 * Besides memory safety it checks what the engine relies on: a result in
 * range, *sni written only with QUIC_FOUND and then a host name, and an
 * answer other than QUIC_NEED_MORE never changing (nor its name).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostname.h"
#include "decode/quic.h"
#include "../unit/quic_seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

#define CHUNKS_MAX 16

static const uint8_t DCID_A[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
static const uint8_t DCID_B[5] = { 0x01, 0x02, 0x03, 0x04, 0x05 };

struct run {
	struct quic_hello h;
	bool final;
	enum quic_result answer;
	struct name sni;
};

/* quic_feed() on a copy of exactly len bytes, and the invariants. */
static void feed(struct run *r, const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct name got, before;
	enum quic_result res;
	enum quic_kind k;

	check(copy != NULL);
	if (len)
		memcpy(copy, p, len);
	k = quic_classify(copy, len);
	check(k >= QUIC_NOT && k <= QUIC_UNREADABLE_VERSION);
	check(strcmp(quic_kind_str(k), "unknown") != 0);
	memset(&got, 0x5a, sizeof(got));
	before = got;
	res = quic_feed(&r->h, copy, len, &got);
	free(copy);

	check(res >= QUIC_NEED_MORE && res <= QUIC_CONFLICT);
	check(strcmp(quic_result_str(res), "unknown") != 0);
	if (res == QUIC_FOUND)
		check(got.len >= 1 && got.len <= NAME_MAX_LEN && got.s[got.len] == '\0' &&
		      name_is_hostname(&got));
	else
		check(memcmp(&got, &before, sizeof(got)) == 0);
	check(r->h.held <= r->h.end && r->h.end <= QUIC_CRYPTO_MAX);
	if (r->final) {
		check(res == r->answer);
		if (res == QUIC_FOUND)
			check(name_eq(&got, &r->sni));
	} else if (res != QUIC_NEED_MORE) {
		r->final = true;
		r->answer = res;
		r->sni = got;
	}
}

/* Mode 1: seal one chunk as an Initial, appended to d. */
static void seal_chunk(struct qbuf *d, const uint8_t *c, size_t len, uint64_t pn, bool last)
{
	struct quic_seal s = { 0 };
	uint8_t flags = c[0];

	s.version = flags & 0x01 ? QUIC_SEAL_V2 : QUIC_SEAL_V1;
	s.dcid = flags & 0x02 ? DCID_B : DCID_A;
	s.dcid_len = flags & 0x02 ? sizeof(DCID_B) : sizeof(DCID_A);
	s.pn = pn;
	s.pn_len = (size_t)((flags >> 3) & 3) + 1;
	s.bad_tag = flags & 0x20;
	s.reserved = flags & 0x40 ? 1 : 0;
	s.type = QUIC_SEAL_INITIAL;
	if (last && !(flags & 0x04))
		s.pad_to = d->len < 1200 ? 1200 - d->len : 0;
	check(quic_seal(d, &s, c + 1, len - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[QUIC_CRYPTO_MAX];
	struct qbuf d = { 0 };
	struct run r = { 0 };
	uint8_t mode;
	size_t off = 1, n;
	uint64_t pn = 0;

	if (size < 1)
		return 0;
	mode = data[0] & 1;
	quic_hello_init(&r.h, buf);
	for (n = 0; n < CHUNKS_MAX && off < size; n++) {
		size_t len = size - off;
		const uint8_t *c;

		if (len >= 2) {
			size_t want = (size_t)data[off] << 8 | data[off + 1];

			off += 2;
			len = size - off;
			if (want < len)
				len = want;
		} else {
			off = size; /* a lone byte: no chunk */
			break;
		}
		c = data + off;
		off += len;
		if (mode == 0) {
			feed(&r, c, len);
			continue;
		}
		if (len == 0)
			continue;
		{
			bool coalesce = (c[0] & 0x80) && off < size && n + 1 < CHUNKS_MAX;

			seal_chunk(&d, c, len, pn++, !coalesce);
			if (coalesce)
				continue;
		}
		feed(&r, d.b, d.len);
		d.len = 0;
	}
	if (d.len > 0)
		feed(&r, d.b, d.len);
	qb_free(&d);
	return 0;
}
