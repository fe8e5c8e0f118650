/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.c - capture files for inspect and replay (see capture.h). */
#include <string.h>

#include "cli/capture.h"
#include "base/cursor.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

int capture_open(struct capture *c, const char *path, const char *cmd, FILE *err)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	const char *name;

	c->path = path;
	c->pc = pcap_open_offline(path, ebuf);
	if (!c->pc) {
		/* libpcap names the file in some messages only: name it always, once */
		if (strstr(ebuf, "unknown file format"))
			fprintf(err, "nfq-guard: %s: %s: not a pcap or pcapng capture\n", cmd,
				path);
		else if (!strncmp(ebuf, path, strlen(path)))
			fprintf(err, "nfq-guard: %s: %s\n", cmd, ebuf);
		else
			fprintf(err, "nfq-guard: %s: %s: %s\n", cmd, path, ebuf);
		return -1;
	}
	c->dlt = pcap_datalink(c->pc);
	switch (c->dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 0;
	}
	name = pcap_datalink_val_to_name(c->dlt);
	fprintf(err, "nfq-guard: %s: %s: unsupported link type %s (%d)\n", cmd, path,
		name ? name : "?", c->dlt);
	pcap_close(c->pc);
	c->pc = NULL;
	return -1;
}

void capture_close(struct capture *c)
{
	if (c->pc)
		pcap_close(c->pc);
	c->pc = NULL;
}

int capture_next(struct capture *c, struct pcap_pkthdr **hdr, const uint8_t **data, const char *cmd,
		 FILE *err)
{
	const u_char *d;
	int rc = pcap_next_ex(c->pc, hdr, &d);

	if (rc == 1) {
		*data = d;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	fprintf(err, "nfq-guard: %s: %s: %s\n", cmd, c->path, pcap_geterr(c->pc));
	return -1;
}

/* The link layer of one frame: where the IP packet starts, and the source MAC. */
static enum decode_status capture_link(const struct capture *c, const uint8_t *buf, size_t len,
				       struct link *lk)
{
	memset(lk, 0, sizeof(*lk));
	switch (c->dlt) {
	case DLT_EN10MB:
		return decode_ether(buf, len, lk);
	case DLT_LINUX_SLL:
		return decode_sll(buf, len, lk);
	case DLT_LINUX_SLL2:
		return decode_sll2(buf, len, lk);
	default: /* DLT_RAW and friends: the frame is the IP packet */
		if (len < 1)
			return DECODE_TRUNCATED;
		lk->ethertype = (buf[0] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		return DECODE_OK;
	}
}

enum capture_frame capture_decode(const struct capture *c, const uint8_t *buf, size_t len,
				  struct link *lk, struct packet *pkt, enum decode_status *st,
				  const char **why)
{
	enum decode_status s = capture_link(c, buf, len, lk);
	struct cursor cur;

	if (s != DECODE_OK) {
		if (st)
			*st = s;
		return CAPTURE_BAD_LINK;
	}
	if (lk->ethertype != ETHERTYPE_IPV4 && lk->ethertype != ETHERTYPE_IPV6)
		return CAPTURE_NOT_IP;
	cur_init(&cur, buf, len);
	cur_skip(&cur, lk->l3_off);
	s = decode_ip(cur_ptr(&cur), cur_left(&cur), pkt, why);
	if (s != DECODE_OK) {
		if (st)
			*st = s;
		return CAPTURE_BAD_IP;
	}
	return CAPTURE_IP;
}
