// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snoop.c - DNS answers on their way to a device, over UDP or TCP, read
 * into the engine's own scratch message and learned into the shared names.
 */
#include <stdlib.h>

#include "engine/internal.h"
#include "engine/shared.h"

/* Is the address a device's: seen sending, or named by a device's ip? */
static bool is_device_addr(struct engine *e, uint8_t family, const uint8_t *addr)
{
	struct device_key dk = { 0 };

	if (shared_seen_has(e->sh, family, addr))
		return true;
	dk.family = family;
	memcpy(dk.addr, addr, 16);
	return policy_identify(e->p, &dk, NULL) != 0;
}

static void snoop_udp(struct engine *e, const struct packet *pkt, uint64_t now)
{
	if (dns_parse(pkt->payload, pkt->payload_len, &e->msg) == DNS_OK)
		shared_learn(e->sh, pkt->family, pkt->dst, &e->msg, now);
}

static void snoop_tcp(struct engine *e, const struct packet *pkt, uint64_t now)
{
	struct engine_flow_key k;
	struct eflow *f;
	size_t used;

	flow_key_of(pkt, false, &k);
	f = flow_find(e, &k);
	if (!f) {
		f = flow_new(e, &k);
		if (!f)
			return;
		f->sniff = SNIFF_DNS;
		f->decided = true; /* nothing to decide: an answer stream */
	}
	if (f->sniff == SNIFF_DNS_OFF)
		return;
	if (pkt->payload_len > 0 && flow_stream_buffer(f))
		return;
	if (!f->st.buf) {
		stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags, NULL, 0);
		return;
	}
	if (stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags, pkt->payload, pkt->payload_len) == 0)
		return;
	for (;;) {
		enum dns_status ds = dns_parse_tcp(f->st.buf, f->st.len, &e->msg, &used);

		if (ds == DNS_NEED_MORE) {
			/*
			 * A message we cannot hold: stop reading this stream.
			 * Reading on from its middle would take its tail for
			 * messages of their own, which a sender could plant.
			 */
			if (f->st.len == f->st.cap) {
				f->sniff = SNIFF_DNS_OFF;
				flow_stream_drop(f);
			}
			break;
		}
		if (ds == DNS_OK)
			shared_learn(e->sh, pkt->family, pkt->dst, &e->msg, now);
		stream_consume(&f->st, used);
	}
}

/*
 * A DNS answer on its way to a device?  Never from a device: a camera must
 * not teach itself names by sending "answers" (to itself, or with a forged
 * source) from port 53.
 */
static bool is_answer_to_device(struct engine *e, const struct packet *pkt,
				const struct device_key *dev)
{
	return pkt->l4 && pkt->sport == DNS_PORT &&
	       (pkt->proto == IPPROTO_NUM_UDP || pkt->proto == IPPROTO_NUM_TCP) &&
	       is_device_addr(e, pkt->family, pkt->dst) && !policy_identify(e->p, dev, NULL);
}

bool engine_snoop(struct engine *e, const struct packet *pkt, const struct device_key *dev,
		  uint64_t now)
{
	if (!is_answer_to_device(e, pkt, dev))
		return false;
	if (pkt->proto == IPPROTO_NUM_UDP)
		snoop_udp(e, pkt, now);
	else
		snoop_tcp(e, pkt, now);
	e->st.snooped++;
	return true;
}
