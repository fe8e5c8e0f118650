/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nflog.h - the copies of packets the table's log rules send (nfnetlink_log):
 * what identifies a device by its behaviour, read without holding a packet
 * up.  The socket is nonblocking; an overflow loses copies, counted.
 */
#ifndef NFQG_NFLOG_H
#define NFQG_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct logged_packet {
	const uint8_t *data; /* the IP packet */
	size_t len;
	bool has_mac;
	uint8_t mac[6]; /* the sender's, as the frame says */
	uint32_t indev; /* ingress interface index, 0 if none */
};

struct nflog_stats {
	uint64_t packets;
	uint64_t enobufs; /* copies the kernel could not hand over */
};

struct nflog;

/* nflog_open - bind log group group, whole packets; NULL with *err set. */
struct nflog *nflog_open(uint16_t group, int *err);
void nflog_close(struct nflog *l);
int nflog_fd(const struct nflog *l);

/*
 * nflog_receive - read one datagram of copies (nonblocking), fn called for
 * each; the copies it held, or negative errno.
 */
int nflog_receive(struct nflog *l, void (*fn)(const struct logged_packet *p, void *arg), void *arg);

const struct nflog_stats *nflog_stats(const struct nflog *l);

#endif
