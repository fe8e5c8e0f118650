/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_seeds.c - writes fuzz_quic's seeds (tests/fuzz/corpus/quic/) with
 * the test sealer: sealed client Initials as datagrams (mode 0) and
 * plaintext frames for the harness to seal (mode 1).  `make quic-seeds`
 * builds and runs it; the seeds are committed, so this runs only when
 * they should change.  Usage: quic_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/quic_seal.h"

static const uint8_t DCID[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };

static void put_chunk(struct qbuf *in, const struct qbuf *c)
{
	qb_u16(in, (unsigned int)c->len);
	qb_put(in, c->b, c->len);
}

static void write_seed(const char *dir, const char *name, const struct qbuf *in)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(in->b, 1, in->len, f) != in->len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Mode 0: a datagram of one padded Initial per part of the hello. */
static void sealed_seed(const char *dir, const char *name, uint32_t version, const char *sni,
			size_t min_len, size_t parts)
{
	struct qbuf hello = { 0 }, in = { 0 };
	size_t i;

	qb_client_hello(&hello, sni, sni ? strlen(sni) : 0, min_len);
	qb_u8(&in, 0);
	for (i = 0; i < parts; i++) {
		size_t from = hello.len * i / parts, to = hello.len * (i + 1) / parts;
		struct quic_seal s = {
			.version = version,
			.dcid = DCID,
			.dcid_len = sizeof(DCID),
			.pn = i,
			.pn_len = 2,
			.type = QUIC_SEAL_INITIAL,
			.pad_to = 1200,
		};
		struct qbuf f = { 0 }, d = { 0 };

		qb_crypto(&f, from, hello.b + from, to - from);
		if (i == 0)
			qb_u8(&f, 0x01); /* PING */
		if (!quic_seal(&d, &s, f.b, f.len))
			exit(1);
		put_chunk(&in, &d);
		qb_free(&f);
		qb_free(&d);
	}
	write_seed(dir, name, &in);
	qb_free(&hello);
	qb_free(&in);
}

/* Mode 1: the hello's parts as frames, last part first; flags per chunk. */
static void plain_seed(const char *dir, const char *name, uint8_t flags, const char *sni,
		       size_t parts, bool reverse)
{
	struct qbuf hello = { 0 }, in = { 0 };
	size_t i;

	qb_client_hello(&hello, sni, sni ? strlen(sni) : 0, 0);
	qb_u8(&in, 1);
	for (i = 0; i < parts; i++) {
		size_t k = reverse ? parts - 1 - i : i;
		size_t from = hello.len * k / parts, to = hello.len * (k + 1) / parts;
		struct qbuf c = { 0 };

		qb_u8(&c, flags);
		if (i == 0) {
			/* ACK_ECN: largest 0, delay 0, one range, ECN counts */
			qb_put(&c, "\x03\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
		}
		qb_crypto(&c, from, hello.b + from, to - from);
		put_chunk(&in, &c);
		qb_free(&c);
	}
	write_seed(dir, name, &in);
	qb_free(&hello);
	qb_free(&in);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: quic_seeds DIR\n");
		return 2;
	}
	sealed_seed(argv[1], "v1-one-initial", QUIC_SEAL_V1, "example.com", 0, 1);
	sealed_seed(argv[1], "v1-three-initials", QUIC_SEAL_V1, "cam.example.net", 2500, 3);
	sealed_seed(argv[1], "v2-two-initials", QUIC_SEAL_V2, "v2.example.org", 1500, 2);
	sealed_seed(argv[1], "v1-no-sni", QUIC_SEAL_V1, NULL, 0, 1);
	plain_seed(argv[1], "plain-v1", 0x08, "plain.example.com", 1, false);
	plain_seed(argv[1], "plain-v1-reversed", 0x08, "rev.example.com", 3, true);
	plain_seed(argv[1], "plain-v2-coalesced", 0x80 | 0x01 | 0x18, "co.example.com", 2, false);
	return 0;
}
