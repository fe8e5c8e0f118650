// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * initial.c - a device's QUIC flow read for its name: the server name of
 * the ClientHello in the client's Initial packets (decode/quic.h), fed one
 * datagram at a time, as a TCP flow's first bytes are.  engine.c decides
 * with what this reads; a verdict that lets the flow pass waits for the
 * server's first datagram, and a client Initial sent again before it makes
 * the name unknown: a copy that dies past the router must not be the one
 * that was read (the decoder's answer is final at the first hello).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

#define QUIC_PORT 443
#define QUIC_MIN_DGRAM 1200 /* RFC 9000 14.1: a server drops a client's Initial in less */

struct quic_wait {
	struct quic_hello h;
	uint8_t buf[QUIC_CRYPTO_MAX];
};

enum quic_kind initial_kind(const struct packet *pkt)
{
	enum quic_kind k;

	if (!pkt->l4 || pkt->proto != IPPROTO_NUM_UDP || pkt->payload_len == 0)
		return QUIC_NOT;
	k = quic_classify(pkt->payload, pkt->payload_len);
	/*
	 * Any datagram whose first bit is set looks like a long header of
	 * some version (RTP's do): only on QUIC's port is it taken for QUIC.
	 */
	if (k == QUIC_UNREADABLE_VERSION && pkt->dport != QUIC_PORT)
		return QUIC_NOT;
	return k;
}

bool initial_possible(const struct packet *pkt)
{
	return pkt->l4 && pkt->proto == IPPROTO_NUM_UDP &&
	       (pkt->dport == QUIC_PORT || initial_kind(pkt) != QUIC_NOT);
}

const char *initial_unreadable(const struct packet *pkt, enum quic_kind k)
{
	switch (k) {
	case QUIC_NOT:
		/* QUIC's own port: a name could come in a later datagram, unread */
		if (pkt->l4 && pkt->proto == IPPROTO_NUM_UDP && pkt->dport == QUIC_PORT)
			return "UDP to port 443 that does not open with a QUIC Initial";
		return NULL;
	case QUIC_NOT_INITIAL:
		return "QUIC packets without the client's Initial: its name is not read";
	case QUIC_UNREADABLE_VERSION:
		return "a QUIC version whose Initial nfq-guard cannot read";
	default:
		return NULL;
	}
}

int initial_begin(struct eflow *f)
{
	f->quic = malloc(sizeof(*f->quic));
	if (!f->quic)
		return -1;
	quic_hello_init(&f->quic->h, f->quic->buf);
	return 0;
}

void initial_drop(struct eflow *f)
{
	free(f->quic);
	f->quic = NULL;
}

bool initial_read(struct eflow *f, const struct packet *pkt, struct name *late,
		  enum name_source *src, const char **why)
{
	enum quic_result r;

	*src = NAME_NONE;
	if (!f->quic) {
		*why = "no memory for the flow's QUIC state";
		return true;
	}
	if (!pkt->l4 || pkt->payload_len == 0)
		return false;
	r = quic_feed(&f->quic->h, pkt->payload, pkt->payload_len, late);
	switch (r) {
	case QUIC_NEED_MORE:
		return false;
	case QUIC_FOUND:
		*src = NAME_QUIC;
		return true;
	case QUIC_NO_SNI:
		return true;
	case QUIC_MALFORMED:
		*why = "malformed QUIC Initial or ClientHello";
		return true;
	case QUIC_TOO_LARGE:
		*why = "QUIC ClientHello larger than nfq-guard reads";
		return true;
	case QUIC_CONFLICT:
		*why = "QUIC Initials that disagree (bytes, version or connection ID)";
		return true;
	}
	*why = "unreadable QUIC Initial";
	return true;
}

bool initial_retry(struct eflow *f, const struct packet *srv)
{
	if (!f->quic || !srv->l4 || !quic_is_retry(srv->payload, srv->payload_len))
		return false;
	quic_hello_init(&f->quic->h, f->quic->buf);
	return true;
}

void initial_pass(struct eflow *f, const struct packet *srv)
{
	struct quic_cids ids;

	/*
	 * Only the server's ID: an Initial to the client's first one after the
	 * server answered is a retransmission or another connection, and is
	 * read again either way.
	 */
	f->nqcid = 0;
	if (srv->l4 && quic_cids(srv->payload, srv->payload_len, &ids)) {
		f->qcid_len[f->nqcid] = ids.scid_len;
		memcpy(f->qcid[f->nqcid], ids.scid, ids.scid_len);
		f->nqcid++;
	}
}

bool initial_new_connection(const struct eflow *f, const struct packet *pkt)
{
	struct quic_cids ids;

	enum quic_kind k;

	if (!pkt->l4 || pkt->proto != IPPROTO_NUM_UDP || pkt->payload_len < QUIC_MIN_DGRAM)
		return false;
	k = initial_kind(pkt);
	/* a version not read, on QUIC's port: a connection whose name is not read */
	if (k == QUIC_UNREADABLE_VERSION)
		return true;
	if (k != QUIC_INITIAL)
		return false;
	if (!quic_cids(pkt->payload, pkt->payload_len, &ids))
		return true;
	for (unsigned int i = 0; i < f->nqcid; i++)
		if (ids.dcid_len == f->qcid_len[i] && !memcmp(ids.dcid, f->qcid[i], ids.dcid_len))
			return false;
	return true;
}
