// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snoop.c - DNS answers on their way to a device, over UDP or TCP, read
 * into the engine's own scratch message and learned into the shared names.
 */
#include <stdlib.h>
#include <string.h>

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

/* The question's name, hashed: what a query and its answer must agree on. */
static uint32_t question_hash(const struct dns_msg *m)
{
	uint32_t h = lru_hash(LRU_HASH_INIT, &m->q[0].type, sizeof(m->q[0].type));

	return lru_hash(h, m->q[0].name.s, m->q[0].name.len);
}

/* Query i of the flow is answered, or gives way. */
static void query_forget(struct eflow *f, unsigned int i)
{
	memmove(&f->q[i], &f->q[i + 1], (f->nq - i - 1) * sizeof(f->q[0]));
	f->nq--;
}

void engine_note_query(struct engine *e, const struct packet *pkt, const struct engine_flow_key *k)
{
	struct eflow *f = flow_find(e, k);

	if (!f || dns_parse(pkt->payload, pkt->payload_len, &e->msg) != DNS_OK || e->msg.qr ||
	    e->msg.nquestions != 1)
		return;
	if (f->nq == ENGINE_DNS_PENDING)
		query_forget(f, 0); /* the oldest query not answered gives way */
	f->q[f->nq].id = e->msg.id;
	f->q[f->nq++].qhash = question_hash(&e->msg);
}

/*
 * Does the answer in e->msg answer a query the device sent on this flow
 * (its ports and server, its ID, its question)?  The query is then
 * answered: a second answer to it teaches nothing.
 */
static bool answers_query(struct engine *e, const struct packet *pkt)
{
	struct engine_flow_key k;
	struct eflow *f;
	uint32_t qh;

	if (e->msg.nquestions != 1)
		return false;
	flow_key_of(pkt, true, &k);
	f = flow_find(e, &k);
	if (!f)
		return false;
	qh = question_hash(&e->msg);
	for (unsigned int i = 0; i < f->nq; i++) {
		if (f->q[i].id == e->msg.id && f->q[i].qhash == qh) {
			query_forget(f, i);
			return true;
		}
	}
	return false;
}

/*
 * A DNS answer over UDP teaches names only when it answers a query the
 * device sent: an answer nobody asked for, or sent to another port, or
 * with another ID or question, is what a forger sends.
 */
/* The engine's scratch for following answers, taken at the first one (NULL without memory). */
static struct way *engine_way(struct engine *e)
{
	if (!e->way)
		e->way = way_new();
	return e->way;
}

/*
 * An answer to the device that cannot be read: what it looked up is not
 * known for as long as a name it taught would live (shared_doubt).
 */
static void dns_doubt_at(struct engine *e, uint8_t family, const uint8_t *dev, uint64_t now)
{
	uint64_t life = e->p->name_ttl_floor > 60 ? e->p->name_ttl_floor : 60;

	shared_doubt(e->sh, family, dev, now + life * 1000);
}

static void dns_doubt(struct engine *e, const struct packet *pkt, uint64_t now)
{
	dns_doubt_at(e, pkt->family, pkt->dst, now);
}

static void snoop_udp(struct engine *e, const struct packet *pkt, uint64_t now)
{
	enum dns_status st = dns_parse(pkt->payload, pkt->payload_len, &e->msg);

	if (st != DNS_OK) {
		struct engine_flow_key k;
		struct eflow *f;

		/* to a port the device asked from: perhaps the answer it uses */
		flow_key_of(pkt, true, &k);
		f = flow_find(e, &k);
		if (f && f->nq > 0)
			dns_doubt(e, pkt, now);
		return;
	}
	if (!e->msg.qr)
		return;
	if (!answers_query(e, pkt)) {
		e->st.dns_unmatched++;
		return;
	}
	shared_learn(e->sh, engine_way(e), pkt->family, pkt->dst, &e->msg, now);
}

/*
 * A DNS answer stream's buffer, for the stream f to device pkt->dst: one
 * that holds a whole message of any size, taken only while one is in
 * flight, at most ENGINE_DNS_STREAMS at once and ENGINE_DNS_STREAMS_DEVICE
 * of them for one device, so that a device opening connections to its own
 * DNS server can neither make the router hold 128 KiB for each nor take
 * the others' room.  When all are taken, one held past the grace time
 * gives way (its stream is no longer read).  0, or -1: not read.
 */
static int dns_buffer(struct engine *e, struct eflow *f, const struct packet *pkt, uint64_t now)
{
	unsigned int i, mine = 0, free_at = ENGINE_DNS_STREAMS, old_at = ENGINE_DNS_STREAMS;

	for (i = 0; i < ENGINE_DNS_STREAMS; i++) {
		const struct eflow *o = e->dns_slot[i].f;

		if (!o) {
			free_at = i;
			continue;
		}
		if (o->key.family == pkt->family && !memcmp(o->key.dst, pkt->dst, 16))
			mine++;
		if (now - e->dns_slot[i].since >= ENGINE_DNS_STREAM_GRACE &&
		    (old_at == ENGINE_DNS_STREAMS ||
		     e->dns_slot[i].since < e->dns_slot[old_at].since))
			old_at = i;
	}
	if (mine >= ENGINE_DNS_STREAMS_DEVICE)
		return -1;
	if (free_at == ENGINE_DNS_STREAMS) {
		struct eflow *o;

		if (old_at == ENGINE_DNS_STREAMS)
			return -1;
		o = e->dns_slot[old_at].f;
		e->st.dns_unread++;
		o->sniff = SNIFF_DNS_OFF;
		dns_doubt_at(e, o->key.family, o->key.dst, now);
		flow_stream_drop(e, o);
		free_at = old_at;
	}
	if (flow_stream_buffer(f, ENGINE_DNS_STREAM_CAP))
		return -1;
	e->dns_streams++;
	e->dns_slot[free_at] = (struct dns_slot){ .f = f, .since = now };
	return 0;
}

/*
 * After a segment: a stream with nothing in flight gives its buffer back
 * until its next message; one the server ends (FIN, RST) is read no more.
 */
static void dns_stream_idle(struct engine *e, struct eflow *f, const struct packet *pkt)
{
	if (!f->st.buf)
		return;
	if (pkt->tcp_flags & (TCPF_FIN | TCPF_RST)) {
		f->sniff = SNIFF_DNS_OFF;
		flow_stream_drop(e, f);
		return;
	}
	if (f->st.len == 0 && f->st.end == 0 && f->st.syn_len == 0)
		flow_stream_drop(e, f);
}

static void snoop_tcp(struct engine *e, const struct packet *pkt, uint64_t now)
{
	struct engine_flow_key k;
	struct eflow *f;
	size_t used, off = 0;

	flow_key_of(pkt, false, &k);
	f = flow_find(e, &k);
	if (!f) {
		struct engine_flow_key dk;
		struct eflow *dev;

		/* an answer stream only on a connection the device opened itself */
		flow_key_of(pkt, true, &dk);
		dev = flow_find(e, &dk);
		if (!dev || !dev->has_isn) {
			e->st.dns_unmatched++;
			return;
		}
		f = flow_new(e, &k);
		if (!f)
			return;
		f->sniff = SNIFF_DNS;
		f->decided = true; /* nothing to decide: an answer stream */
	}
	if (f->sniff == SNIFF_DNS_OFF)
		return;
	if (pkt->payload_len > 0 && !f->st.buf && dns_buffer(e, f, pkt, now) < 0) {
		e->st.dns_unread++;
		f->sniff = SNIFF_DNS_OFF;
		dns_doubt(e, pkt, now);
		return;
	}
	if (!f->st.buf) {
		stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags, NULL, 0);
		return;
	}
	if (stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags, pkt->payload, pkt->payload_len) == 0) {
		dns_stream_idle(e, f, pkt);
		return;
	}
	/* every whole message, then what they took consumed at once */
	for (;;) {
		enum dns_status ds =
			dns_parse_tcp(f->st.buf + off, f->st.len - off, &e->msg, &used);

		if (ds == DNS_NEED_MORE) {
			/*
			 * A message we cannot hold (bytes past the buffer were
			 * lost): stop reading this stream.  Reading on from its
			 * middle would take its tail for messages of their
			 * own, which a sender could plant.
			 */
			if (f->st.full) {
				e->st.dns_unread++;
				f->sniff = SNIFF_DNS_OFF;
				flow_stream_drop(e, f);
				dns_doubt(e, pkt, now);
				return;
			}
			break;
		}
		if (ds == DNS_OK)
			shared_learn(e->sh, engine_way(e), pkt->family, pkt->dst, &e->msg, now);
		else
			dns_doubt(e, pkt, now);
		off += used;
	}
	stream_consume(&f->st, off);
	dns_stream_idle(e, f, pkt);
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
