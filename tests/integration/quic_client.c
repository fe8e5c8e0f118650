/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_client.c - a QUIC client's first move, for the integration tests:
 * one padded v1 Initial carrying a ClientHello that names SNI, to the
 * Destination Connection ID DCID (hex), sent from SRC:SPORT to DST:DPORT;
 * then wait up to 2 s for the server's answer.  Prints "reply" or "none".
 * Sealed by tests/unit/quic_seal.h (libcrypto), as the unit tests' are.
 *
 *   quic_client SRC SPORT DST DPORT SNI DCID
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "quic_seal.h"

static int hex_cid(const char *s, uint8_t *out, size_t *n)
{
	unsigned int b;

	for (*n = 0; s[0] && s[1] && *n < 20; s += 2) {
		if (sscanf(s, "%2x", &b) != 1)
			return -1;
		out[(*n)++] = (uint8_t)b;
	}
	return *s ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const uint8_t scid[4] = { 0xc1, 0x1e, 0x47, 0x01 };
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	struct qbuf hello = { 0 }, frames = { 0 }, d = { 0 };
	struct quic_seal q = { .version = QUIC_SEAL_V1,
			       .scid = scid,
			       .scid_len = sizeof(scid),
			       .pn_len = 2,
			       .type = QUIC_SEAL_INITIAL,
			       .pad_to = 1200 };
	uint8_t dcid[20], reply[2048];
	struct pollfd p;
	int fd, one = 1;

	if (argc != 7 || inet_pton(AF_INET, argv[1], &src.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &dst.sin_addr) != 1 || hex_cid(argv[6], dcid, &q.dcid_len)) {
		fprintf(stderr, "usage: quic_client SRC SPORT DST DPORT SNI DCID\n");
		return 2;
	}
	src.sin_port = htons((uint16_t)atoi(argv[2]));
	dst.sin_port = htons((uint16_t)atoi(argv[4]));
	q.dcid = dcid;
	qb_client_hello(&hello, argv[5], strlen(argv[5]), 300);
	qb_crypto(&frames, 0, hello.b, hello.len);
	if (!quic_seal(&d, &q, frames.b, frames.len)) {
		fprintf(stderr, "quic_client: libcrypto failed\n");
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
	    sendto(fd, d.b, d.len, 0, (struct sockaddr *)&dst, sizeof(dst)) != (ssize_t)d.len) {
		perror("quic_client");
		return 1;
	}
	p.fd = fd;
	p.events = POLLIN;
	puts(poll(&p, 1, 2000) == 1 && recv(fd, reply, sizeof(reply), 0) > 0 ? "reply" : "none");
	close(fd);
	qb_free(&hello);
	qb_free(&frames);
	qb_free(&d);
	return 0;
}
