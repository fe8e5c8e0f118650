/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.h - one NFQUEUE queue through libnetfilter_queue's libmnl API:
 * bind and configure it, receive packets, answer each with ACCEPT and a
 * packet mark (DESIGN.md §3: verdicts travel as marks).
 */
#ifndef NFQG_QUEUE_H
#define NFQG_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define QUEUE_MAXLEN 4096	/* packets the kernel holds for us */
#define QUEUE_RCVBUF (8u << 20) /* socket receive buffer */

struct queued_packet {
	uint32_t id;
	const uint8_t *data; /* the IP packet */
	size_t len;
	bool has_mac;
	uint8_t mac[6];
	uint32_t mark;	/* the packet's mark as it arrived */
	uint32_t indev; /* ingress interface index, 0 if none */
};

struct queue_stats {
	uint64_t packets;
	uint64_t enobufs; /* the socket overflowed: the kernel dropped or failed open */
	uint64_t verdict_errors;
};

struct queue;

/*
 * queue_open - bind queue num (with the given fail-open setting) on a new
 * netlink socket.  Returns NULL with *err set to a negative errno; -EPERM
 * (or -EBUSY on older kernels) means another process has the queue.
 */
struct queue *queue_open(uint16_t num, bool fail_open, int *err);
void queue_close(struct queue *q);
int queue_fd(const struct queue *q);

/*
 * queue_receive - read what is waiting (without blocking) and call fn for
 * each packet; fn must answer it with queue_verdict.  Returns the number of
 * packets, 0 when nothing was waiting or the socket overflowed (counted),
 * or a negative errno.
 */
int queue_receive(struct queue *q,
		  void (*fn)(struct queue *q, const struct queued_packet *p, void *arg), void *arg);

/* queue_verdict - ACCEPT packet id with mark. 0 or negative errno (counted). */
int queue_verdict(struct queue *q, uint32_t id, uint32_t mark);

const struct queue_stats *queue_stats(const struct queue *q);

#endif
