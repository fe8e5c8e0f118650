/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - reading a capture file for inspect and replay: the link
 * types nfq-guard understands, and where each frame's IP packet starts.
 */
#ifndef NFQG_CAPTURE_H
#define NFQG_CAPTURE_H

#include <pcap/pcap.h>
#include <stdio.h>

#include "decode/decode.h"

struct capture {
	pcap_t *pc;
	int dlt;
	const char *path;
};

/*
 * capture_open - open the pcap or pcapng file at path.  Returns 0, or -1
 * after printing "nfq-guard: CMD: reason" to err (missing, unreadable,
 * not a capture, or a link type we do not read).
 */
int capture_open(struct capture *c, const char *path, const char *cmd, FILE *err);
void capture_close(struct capture *c);

/*
 * capture_next - the next frame: 1 with *hdr and *data set, 0 at the end,
 * -1 after printing why the file could not be read further.
 */
int capture_next(struct capture *c, struct pcap_pkthdr **hdr, const uint8_t **data, const char *cmd,
		 FILE *err);

enum capture_frame {
	CAPTURE_IP = 0,	  /* *lk and *pkt hold the frame's link layer and IP packet */
	CAPTURE_BAD_LINK, /* the link header could not be read (*st says why) */
	CAPTURE_NOT_IP,	  /* a frame of another ethertype (in lk->ethertype) */
	CAPTURE_BAD_IP,	  /* the IP packet could not be read (*st, *why) */
};

/*
 * capture_decode - the link layer and the IP packet of one frame.  st and
 * why (may be NULL) receive the decoder's status and reason on failure.
 */
enum capture_frame capture_decode(const struct capture *c, const uint8_t *buf, size_t len,
				  struct link *lk, struct packet *pkt, enum decode_status *st,
				  const char **why);

#endif
