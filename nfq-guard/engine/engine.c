/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.c - decisions for device flows (see engine.h).
 *
 * Three bounded tables: flows (decided, or waiting for a name), here, one
 * per engine; device addresses seen (to recognise a DNS answer addressed to
 * a device, which arrives with the resolver's MAC, not the device's) and the
 * learned names, shared by all engines (shared.c).  When a bound is hit the
 * oldest entry goes and a counter says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "engine/shared.h"

/* --- tables ------------------------------------------------------------------ */

/*
 * Two tables of flows, each with its bound: the decided ones, whose oldest
 * goes when a new one comes, and the ones waiting for their name, which no
 * newcomer pushes out (a camera could otherwise open flows until the one
 * it wants undecided is forgotten); past that bound a new flow that would
 * wait is decided at once with an unknown name.
 */
static void flow_free(struct engine *e, struct lru_table *t, struct eflow *f)
{
	lru_remove(t, &f->node);
	flow_stream_drop(e, f);
	free(f);
}

static uint32_t flow_hash(const struct engine_flow_key *k)
{
	return lru_hash(LRU_HASH_INIT, k, sizeof(*k));
}

static void flows_make_room(struct engine *e)
{
	if (lru_full(&e->flows)) {
		flow_free(e, &e->flows, (struct eflow *)lru_victim(&e->flows));
		e->st.flows_evicted++;
	}
}

/* A zeroed decided flow for k, whose hash is h. */
static struct eflow *flow_new_hashed(struct engine *e, const struct engine_flow_key *k, uint32_t h)
{
	struct eflow *f;

	flows_make_room(e);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *k;
	lru_insert(&e->flows, &f->node, h);
	return f;
}

struct eflow *flow_new(struct engine *e, const struct engine_flow_key *k)
{
	return flow_new_hashed(e, k, flow_hash(k));
}

/* A copy of tmpl in the waiting table; NULL when it is full or without memory. */
static struct eflow *flow_new_waiting(struct engine *e, const struct eflow *tmpl, uint32_t h)
{
	struct eflow *f;

	if (lru_full(&e->waiting))
		return NULL;
	f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	*f = *tmpl;
	lru_insert(&e->waiting, &f->node, h);
	return f;
}

/* A waiting flow is decided: over to the decided table. */
void flow_settle(struct engine *e, struct eflow *f)
{
	uint32_t h = f->node.hash;

	lru_remove(&e->waiting, &f->node);
	flows_make_room(e);
	lru_insert(&e->flows, &f->node, h);
}

/* The flow with key k, decided or waiting. */
static inline struct eflow *flow_lookup(struct engine *e, const struct engine_flow_key *k,
					uint32_t h)
{
	struct eflow *f = (struct eflow *)lru_find(&e->flows, h, flow_eq, k);

	if (!f && e->waiting.count > 0)
		f = (struct eflow *)lru_find(&e->waiting, h, flow_eq, k);
	return f;
}

struct engine *engine_new_shared(const struct policy *p, size_t max_flows, struct engine_shared *sh)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->p = p;
	e->sh = sh;
	e->clock = engine_clock_unknown();
	if (lru_init(&e->flows, max_flows ? max_flows : p->max_flows))
		goto out_free;
	if (lru_init(&e->waiting, p->max_pending_flows))
		goto out_flows;
	return e;
out_flows:
	lru_fini(&e->flows);
out_free:
	free(e);
	return NULL;
}

struct engine *engine_new(const struct policy *p, size_t max_flows)
{
	struct engine_shared *sh = engine_shared_new(p);
	struct engine *e = sh ? engine_new_shared(p, max_flows, sh) : NULL;

	if (!e) {
		engine_shared_free(sh);
		return NULL;
	}
	e->own_sh = true;
	return e;
}

void engine_set_clock(struct engine *e, const struct engine_clock *c)
{
	e->clock = *c;
}

void engine_set_exceptions(struct engine *e, const struct exception_set *x)
{
	e->x = x;
}

void engine_free(struct engine *e)
{
	struct lru_node *n;

	if (!e)
		return;
	while ((n = lru_oldest(&e->flows)))
		flow_free(e, &e->flows, (struct eflow *)n);
	while ((n = lru_oldest(&e->waiting)))
		flow_free(e, &e->waiting, (struct eflow *)n);
	lru_fini(&e->flows);
	lru_fini(&e->waiting);
	way_free(e->way);
	if (e->own_sh)
		engine_shared_free(e->sh);
	free(e);
}

const struct engine_stats *engine_stats(const struct engine *e)
{
	return &e->st;
}

const struct names_stats *engine_names_stats(const struct engine *e)
{
	return shared_names_stats(e->sh);
}

void engine_stats_add(struct engine_stats *sum, const struct engine_stats *s)
{
	sum->packets += s->packets;
	sum->decisions += s->decisions;
	sum->pending += s->pending;
	sum->snooped += s->snooped;
	sum->flows_evicted += s->flows_evicted;
	sum->pending_cut += s->pending_cut;
	sum->devices_evicted += s->devices_evicted;
	sum->stream_full += s->stream_full;
	sum->unknown_names += s->unknown_names;
	sum->keepalive_decisions += s->keepalive_decisions;
	sum->dns_unmatched += s->dns_unmatched;
	sum->dns_unread += s->dns_unread;
	sum->waiting_full += s->waiting_full;
}

size_t engine_flow_count(const struct engine *e, size_t *max)
{
	if (max)
		*max = e->flows.max + e->waiting.max;
	return e->flows.count + e->waiting.count;
}

/* Give the flow's stream its buffer the first time it carries bytes.  0 or -ENOMEM. */
int flow_stream_buffer(struct eflow *f, size_t cap)
{
	uint8_t *buf;

	if (f->st.buf)
		return 0;
	buf = malloc(stream_mem(cap));
	if (!buf)
		return -ENOMEM;
	stream_attach(&f->st, buf, cap);
	return 0;
}

void flow_stream_drop(struct engine *e, struct eflow *f)
{
	if (f->st.buf && f->st.cap == ENGINE_DNS_STREAM_CAP) {
		for (unsigned int i = 0; i < ENGINE_DNS_STREAMS; i++)
			if (e->dns_slot[i].f == f)
				e->dns_slot[i].f = NULL;
		e->dns_streams--;
	}
	free(f->st.buf);
	f->st.buf = NULL;
	f->st.cap = f->st.len = 0;
	initial_drop(f);
}

/* --- device flows ------------------------------------------------------------ */

/* In the lan or router networks. */
static bool is_local(const struct policy *p, uint8_t family, const uint8_t *addr)
{
	return (p->lan && cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, family, addr)) ||
	       (p->router && cidr_list_contains(p->router->cidrs, p->router->ncidrs, family, addr));
}

void eval_init(struct engine *e, const struct eflow *f, uint64_t groups, uint64_t now,
	       struct eval *ev)
{
	size_t n, i;

	memset(ev, 0, sizeof(*ev));
	ev->groups = groups;
	ev->mac = f->dev.has_mac ? f->dev.mac : NULL;
	ev->week_min = e->clock.week_min;
	ev->wall = e->clock.wall;
	ev->x = e->x;
	ev->family = f->key.family;
	ev->dst = f->key.dst;
	ev->proto = f->key.proto;
	ev->has_port = f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP;
	ev->dport = f->key.dport;
	n = shared_lookup(e->sh, &f->dev, f->key.family, f->key.dst, now, ev->learned,
			  EVAL_LEARNED);
	for (i = 0; i < n; i++) {
		ev->names[ev->nnames] = &ev->learned[i];
		ev->sources[ev->nnames++] = NAME_DNS;
	}
	ev->doubt = n == 0 && shared_doubted(e->sh, f->key.family, f->key.src, now);
}

/*
 * Just before a decision: a flow to an address with no name learned, from
 * a device a DNS answer to which could not be read lately, may be going to
 * an address that answer gave, whatever name it sends (as a harmless server
 * name does not clear an address the vendor's name was learned for): its
 * name is unknown (DESIGN.md §6).
 */
static void eval_settle(struct eval *ev)
{
	if (ev->doubt && !ev->unknown) {
		ev->unknown = true;
		ev->unknown_why = "a DNS answer to the device could not be read";
	}
}

/*
 * Look for SNI or Host in a waiting flow's stream: the source of the name
 * found, *final when reading is over, *why when the name is unreadable.
 */
static enum name_source flow_sniff(struct eflow *f, struct name *out, bool *final, const char **why)
{
	enum sniff_result r = sniff_name(&f->name_st, f->st.buf, f->st.len, f->st.cap, out);

	*final = sniff_final(r);
	if (r == SNIFF_BROKEN || r == SNIFF_FULL)
		*why = f->name_st.why ? f->name_st.why : "unreadable head";
	switch (r) {
	case SNIFF_SNI:
		return NAME_SNI;
	case SNIFF_HOST:
		return NAME_HTTP;
	case SNIFF_SOCKS:
		return NAME_SOCKS;
	default:
		return NAME_NONE;
	}
}

/* Why the stream's bytes cannot be trusted to be what the server reads, or NULL. */
const char *stream_distrust(const struct stream *st)
{
	if (st->conflict)
		return "a retransmission differs from the bytes it repeats";
	if (st->urgent)
		return "urgent data inside the head";
	return NULL;
}

/* A waiting flow's decision in f->d is final: it leaves the waiting table. */
static void flow_commit(struct engine *e, struct eflow *f)
{
	f->confirming = false;
	f->decided = true;
	e->st.decisions++;
	flow_stream_drop(e, f);
	flow_settle(e, f);
}

/*
 * Decide a waiting flow with what is known now: a late name from its
 * stream, or (why) an unknown one.  A decision that lets the flow pass
 * after its stream was read is held until the server acknowledges the
 * bytes read (flow_confirm): a copy the server never got (a short TTL, a
 * bad checksum) must not be the one that was read.
 */
void flow_evaluate(struct engine *e, struct eflow *f, uint64_t now, const struct name *late,
		   enum name_source late_src, const char *why)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct eval ev;
	const struct rule *r;
	uint64_t groups;
	const char *pat;
	bool pending;
	int idx;

	groups = policy_identify(e->p, &f->dev, how);
	eval_init(e, f, groups, now, &ev);
	if (why) {
		ev.unknown = true;
		ev.unknown_why = why;
	} else if (late && ev.nnames < EVAL_MAX_NAMES) {
		ev.names[ev.nnames] = late;
		ev.sources[ev.nnames++] = late_src;
	}
	eval_settle(&ev);
	r = evaluate(e->p, &ev, &pending, &idx, &pat);
	fill_decision(e->p, &ev, r, idx, pat, how, &f->d);
	/*
	 * The flow waited because a name could change its verdict: whatever
	 * came, the verdict is about this flow's name, not its address, which
	 * may serve other names as well.
	 */
	f->d.by_address = false;
	f->d.waited = true;
	f->d.first = true;
}

static void flow_decide(struct engine *e, struct eflow *f, uint64_t now, const struct name *late,
			enum name_source late_src, const char *why)
{
	bool passes;

	flow_evaluate(e, f, now, late, late_src, why);
	passes = !why && !action_blocks(f->d.action) && !f->confirming;
	switch (passes && f->st.len > 0 ? keepalive_begin(e, f, now) : KA_NOT) {
	case KA_WATCHED:
		/* watched: decided, but in the waiting table, every packet queued */
		f->decided = true;
		e->st.decisions++;
		return;
	case KA_NO_ROOM:
		/* its later heads would go unread: unknown from the first */
		why = "too many kept-alive HTTP flows read at once";
		flow_evaluate(e, f, now, NULL, NAME_NONE, why);
		passes = !action_blocks(f->d.action);
		break;
	case KA_NOT:
		break;
	}
	if (passes && (f->st.len > 0 || f->sniff == SNIFF_QUIC)) {
		f->confirming = true;
		f->confirm_seq = f->st.base + f->st.len;
		return;
	}
	if (why)
		e->st.unknown_names++;
	if (why && f->st.full)
		e->st.stream_full++;
	flow_commit(e, f);
}

/* Has a bound on waiting been reached?  Counts as a cut. */
static const char *flow_bound(struct engine *e, const struct eflow *f, uint64_t now)
{
	if (f->packets >= e->p->pending_packets ||
	    (now > f->started && now - f->started >= (uint64_t)e->p->pending_seconds * 1000)) {
		e->st.pending_cut++;
		return f->confirming ?
			       "the server did not acknowledge the head within the wait bound" :
			       "no name within the wait bound";
	}
	return NULL;
}

/* Take a client packet's bytes into a waiting flow's stream; the in-order bytes gained. */
size_t flow_take(struct eflow *f, const struct packet *pkt, const char **why)
{
	if (!pkt->l4)
		return 0;
	if (pkt->payload_len > 0 && flow_stream_buffer(f, ENGINE_STREAM_CAP) != 0) {
		*why = "no memory for the flow's stream";
		return 0;
	}
	return stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags, pkt->payload, pkt->payload_len);
}

static enum engine_result flow_result(struct eflow *f, struct decision *d)
{
	if (!f->decided)
		return ENGINE_PENDING;
	*d = f->d;
	return ENGINE_DECIDED;
}

/*
 * A waiting flow gained fresh in-order bytes (or none) with a packet of
 * these TCP flags: read on, and decide when a name, a doubt or a bound
 * says so.
 */
static enum engine_result flow_advance(struct engine *e, struct eflow *f, uint64_t now,
				       size_t fresh, uint8_t flags, const char *why,
				       struct decision *d)
{
	enum name_source src = NAME_NONE;
	bool final = false;
	struct name late;

	if (fresh > 0) {
		f->packets++; /* the packet bound counts data that adds to the head */
		if (!f->confirming)
			src = flow_sniff(f, &late, &final, &why);
	}
	if (!why)
		why = stream_distrust(&f->st);
	if (!why && (flags & (TCPF_FIN | TCPF_RST)) && (!final || f->confirming))
		why = (flags & TCPF_RST) ? "reset before its name was read" :
					   "closed before its name was read";
	if (!why && final) {
		flow_decide(e, f, now, src != NAME_NONE ? &late : NULL, src, NULL);
		return flow_result(f, d); /* decided, or confirming */
	}
	if (!why)
		why = flow_bound(e, f, now);
	if (why) {
		flow_decide(e, f, now, NULL, NAME_NONE, why);
		return flow_result(f, d);
	}
	e->st.pending++;
	return ENGINE_PENDING;
}

/*
 * A client datagram of a waiting QUIC flow (initial.c): read on, or, once a
 * verdict waits for the server's answer, an Initial sent again is a doubt.
 */
static enum engine_result quic_wait(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d)
{
	enum name_source src;
	const char *why = NULL;
	struct name late;

	if (f->confirming) {
		if (initial_kind(in->pkt) == QUIC_INITIAL) {
			flow_decide(e, f, in->now, NULL, NAME_NONE,
				    "the client's Initial came again before the server answered");
			return flow_result(f, d);
		}
	} else {
		f->packets++;
		if (initial_read(f, in->pkt, &late, &src, &why)) {
			flow_decide(e, f, in->now, src != NAME_NONE ? &late : NULL, src, why);
			return flow_result(f, d);
		}
	}
	why = flow_bound(e, f, in->now);
	if (why) {
		flow_decide(e, f, in->now, NULL, NAME_NONE, why);
		return flow_result(f, d);
	}
	e->st.pending++;
	return ENGINE_PENDING;
}

/* A client packet of a waiting flow. */
static enum engine_result flow_wait(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d)
{
	const char *why = NULL;
	size_t fresh;

	if (f->sniff == SNIFF_QUIC)
		return quic_wait(e, f, in, d);
	fresh = flow_take(f, in->pkt, &why);

	return flow_advance(e, f, in->now, fresh, in->pkt->tcp_flags, why, d);
}

/*
 * A server packet of a waiting flow: its SYN-ACK tells which SYN data it
 * took; an acknowledgement of every byte read confirms a decision that
 * lets the flow pass (flow_decide).
 */
static enum engine_result flow_server_packet(struct engine *e, struct eflow *f,
					     const struct engine_input *in, struct decision *d);

static enum engine_result flow_server(struct engine *e, struct eflow *f,
				      const struct engine_input *in, struct decision *d)
{
	enum engine_result res = flow_server_packet(e, f, in, d);

	if (res == ENGINE_DECIDED) {
		d->at_reply = true;
		d->dev_has_mac = f->dev.has_mac;
		d->dev_indev = f->indev;
		memcpy(d->dev_mac, f->dev.mac, 6);
	}
	return res;
}

static enum engine_result flow_server_packet(struct engine *e, struct eflow *f,
					     const struct engine_input *in, struct decision *d)
{
	const struct packet *pkt = in->pkt;
	const char *why;

	if (f->sniff == SNIFF_QUIC && f->confirming) {
		if (initial_retry(f, pkt)) {
			f->confirming = false; /* the hello comes again: read it */
			return ENGINE_PENDING;
		}
		initial_pass(f, pkt);
		flow_commit(e, f); /* the server answered the Initials read */
		return flow_result(f, d);
	}
	if (!pkt->l4 || pkt->proto != IPPROTO_NUM_TCP)
		return ENGINE_PENDING;
	if ((pkt->tcp_flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK)) {
		/* SYN data the server took is read as if it came now */
		size_t fresh = stream_acked(&f->st, pkt->tcp_ack);

		return fresh > 0 ? flow_advance(e, f, in->now, fresh, 0, NULL, d) : ENGINE_PENDING;
	}
	if (f->confirming && (pkt->tcp_flags & TCPF_ACK) &&
	    (int32_t)(pkt->tcp_ack - f->confirm_seq) >= 0) {
		flow_commit(e, f);
		return flow_result(f, d);
	}
	if (pkt->tcp_flags & TCPF_RST) {
		flow_decide(e, f, in->now, NULL, NAME_NONE, "reset before its name was read");
		return flow_result(f, d);
	}
	why = flow_bound(e, f, in->now); /* the time bound, also while the client is silent */
	if (why) {
		flow_decide(e, f, in->now, NULL, NAME_NONE, why);
		return flow_result(f, d);
	}
	return ENGINE_PENDING;
}

void engine_device_found(struct engine *e, struct device_key *dev)
{
	if (e->p->identify)
		shared_found(e->sh, dev);
}

/* The device key of the packet's sender, with what its behaviour showed (identify). */
static void device_key_of(struct engine *e, const struct engine_input *in, struct device_key *dev)
{
	const struct packet *pkt = in->pkt;

	memset(dev, 0, sizeof(*dev));
	dev->has_mac = in->has_mac;
	memcpy(dev->mac, in->mac, 6);
	dev->family = pkt->family;
	memcpy(dev->addr, pkt->src, 16);
	if (in->iface)
		snprintf(dev->iface, sizeof(dev->iface), "%s", in->iface);
	engine_device_found(e, dev);
}

/*
 * A decided flow's later packet (reverse: the server's): its decision
 * again; the first packet of a carried flow reports it as new.
 */
static enum engine_result flow_again(struct eflow *f, bool reverse, struct decision *d)
{
	*d = f->d;
	d->first = f->carried;
	if (f->carried) {
		f->carried = false;
		d->at_reply = reverse;
		/* a block set entry is keyed by the device's side: the server's packet has none */
		d->by_address = d->by_address && !reverse;
		d->dev_has_mac = f->dev.has_mac;
		memcpy(d->dev_mac, f->dev.mac, 6);
		d->dev_indev = f->indev;
	}
	return ENGINE_DECIDED;
}

/* A SYN that opens another connection on a flow's 4-tuple (a new ISN). */
static inline bool is_new_syn(const struct eflow *f, const struct packet *pkt)
{
	return pkt->l4 && pkt->proto == IPPROTO_NUM_TCP &&
	       (pkt->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN &&
	       (!f->has_isn || pkt->tcp_seq != f->isn);
}

/*
 * A packet of the server's side of a flow still read that the device sent
 * itself: it has the device's MAC, or, for a server outside, came in where
 * the device's packets come in.  An acknowledgement forged so would
 * confirm bytes the server never got.
 */
static bool forged_reply(const struct engine *e, const struct eflow *f,
			 const struct engine_input *in)
{
	if (in->has_mac && f->dev.has_mac && !memcmp(in->mac, f->dev.mac, 6))
		return true;
	return in->indev && in->indev == f->indev && !is_local(e->p, f->key.family, f->key.dst);
}

/*
 * A flow whose bytes are still read meets a packet that makes them
 * untrustworthy, for why: its name is unknown from now on.  A SYN of
 * another connection (a new ISN) is one: the connection read so far may go
 * on beside it, its later segments out of the new stream's sight.  (A new
 * connection on a 4-tuple that was decided for good starts a decision of
 * its own, flow_known: its packets reach the queue only once conntrack took
 * it for a new connection.)  A reply forged by the device is another.
 */
static enum engine_result flow_resyn(struct engine *e, struct eflow *f,
				     const struct engine_input *in, struct decision *d,
				     const char *why)
{
	if (f->watch)
		return keepalive_doubt(e, f, in->now, why, d);
	flow_decide(e, f, in->now, NULL, NAME_NONE, why);
	return flow_result(f, d);
}

/*
 * A packet of a flow already known, either way: true, with its result in
 * *res.  False for the first packet of a flow (a new SYN on a known 4-tuple
 * is one: the old flow is forgotten).  Inlined, as flow_first is:
 * engine_packet's steps run for every packet (callgrind counts the calls).
 */
static inline __attribute__((always_inline)) bool
flow_known(struct engine *e, const struct engine_input *in, const struct engine_flow_key *k,
	   uint32_t h, struct decision *d, enum engine_result *res)
{
	struct engine_flow_key rk;
	struct eflow *f = flow_lookup(e, k, h);

	if (f) {
		if (f->sniff < SNIFF_DNS && is_new_syn(f, in->pkt)) {
			if (f->has_isn && (!f->decided || f->watch)) {
				*res = flow_resyn(
					e, f, in, d,
					"a SYN of another connection while its bytes were read");
				return true;
			}
			flow_free(e, f->decided && !f->watch ? &e->flows : &e->waiting, f);
			return false;
		}
		/* another QUIC connection on a decided 4-tuple: a new flow */
		if (f->decided && !f->watch && f->sniff < SNIFF_DNS &&
		    initial_new_connection(f, in->pkt)) {
			flow_free(e, &e->flows, f);
			return false;
		}
		if (!f->decided)
			*res = flow_wait(e, f, in, d);
		else if (f->watch)
			*res = keepalive_client(e, f, in, d);
		else if (f->sniff >= SNIFF_DNS)
			*res = ENGINE_NOT_DEVICE;
		else
			*res = flow_again(f, false, d);
		return true;
	}
	flow_key_of(in->pkt, true, &rk);
	f = flow_lookup(e, &rk, flow_hash(&rk));
	if (!f)
		return false;
	if (f->sniff >= SNIFF_DNS)
		*res = ENGINE_NOT_DEVICE;
	else if ((!f->decided || f->watch) && forged_reply(e, f, in))
		*res = flow_resyn(e, f, in, d, "a reply to the device that came from its own side");
	else if (f->watch)
		*res = keepalive_server(e, f, in, d);
	else if (f->decided)
		*res = flow_again(f, true, d);
	else
		*res = flow_server(e, f, in, d);
	return true;
}

/*
 * A device answering a connection a local host opened (the NVR pulling
 * RTSP from a camera): not an outbound flow of the device, remembered as
 * such.  A SYN-ACK to anywhere else is decided like any first packet: it
 * may be a camera trying to open a connection the other way round.
 */
static bool is_inbound_reply(struct engine *e, const struct packet *pkt,
			     const struct engine_flow_key *k, uint32_t h)
{
	struct eflow *f;

	if (!pkt->l4 || pkt->proto != IPPROTO_NUM_TCP ||
	    (pkt->tcp_flags & (TCPF_SYN | TCPF_ACK)) != (TCPF_SYN | TCPF_ACK) ||
	    !is_local(e->p, pkt->family, pkt->dst))
		return false;
	f = flow_new_hashed(e, k, h);
	if (f) {
		f->sniff = SNIFF_INBOUND;
		f->decided = true;
	}
	return true;
}

/* Decide a new flow now, an unknown name's why or NULL; stored when f is in a table. */
static void decide_now(struct engine *e, struct eflow *f, uint64_t groups,
		       const struct group_match *how, uint64_t now, const char *why)
{
	const struct rule *r;
	struct eval ev;
	const char *pat;
	bool pending;
	int idx;

	eval_init(e, f, groups, now, &ev);
	ev.unknown = why != NULL;
	ev.unknown_why = why;
	eval_settle(&ev);
	r = evaluate(e->p, &ev, &pending, &idx, &pat);
	fill_decision(e->p, &ev, r, idx, pat, how, &f->d);
	f->d.first = true;
	if (why)
		e->st.unknown_names++;
}

/* How many of the oldest waiting flows flow_reclaim looks at. */
#define RECLAIM_LOOK 64

/*
 * The waiting table is full: decide the oldest flow past its bound that no
 * packet came to decide (a SYN nobody answered, a kept-alive flow gone
 * quiet), with an unknown name, so that the newcomer can wait.  Its verdict
 * reaches the kernel with its next packet, if one comes.  True when a place
 * was freed.
 */
static bool flow_reclaim(struct engine *e, uint64_t now)
{
	uint64_t bound = (uint64_t)e->p->pending_seconds * 1000;
	struct lru_node *n = lru_oldest(&e->waiting);
	struct decision d;

	for (int i = 0; n && i < RECLAIM_LOOK; i++, n = n->prev) {
		struct eflow *f = (struct eflow *)n;

		if (f->watch && now - f->ka_seen >= bound) {
			keepalive_doubt(e, f, now, "quiet while other flows waited", &d);
			return true;
		}
		if (!f->watch && !f->decided && now - f->started >= bound) {
			e->st.pending_cut++;
			flow_decide(e, f, now, NULL, NAME_NONE, "no name within the wait bound");
			return true;
		}
	}
	return false;
}

/*
 * A first packet whose flow would wait for its name: in the waiting table,
 * or, past its bound, decided now with an unknown name.
 */
static enum engine_result flow_start_wait(struct engine *e, struct eflow *tmp, uint32_t h,
					  uint64_t groups, const struct group_match *how,
					  const struct engine_input *in, struct decision *d)
{
	enum quic_kind qk = initial_kind(in->pkt);
	const char *why = initial_unreadable(in->pkt, qk);
	struct eflow *f = NULL;

	tmp->started = in->now;
	tmp->sniff = qk == QUIC_INITIAL ? SNIFF_QUIC : SNIFF_NAME;
	if (!why) {
		f = flow_new_waiting(e, tmp, h);
		if (!f && flow_reclaim(e, in->now))
			f = flow_new_waiting(e, tmp, h);
	}
	if (f) {
		if (f->sniff == SNIFF_QUIC)
			initial_begin(f); /* without memory: initial_read says so */
		return flow_wait(e, f, in, d);
	}
	if (!why) {
		e->st.waiting_full++;
		why = "too many flows waiting for their names";
	}
	f = flow_new_hashed(e, &tmp->key, h);
	if (f) {
		f->dev = tmp->dev;
		f->has_isn = tmp->has_isn;
		f->isn = tmp->isn;
		f->decided = true;
		e->st.decisions++;
	} else {
		f = tmp;
	}
	decide_now(e, f, groups, how, in->now, why);
	*d = f->d;
	return ENGINE_DECIDED;
}

/* The first packet of a device's flow: decided now, or waiting for a name. */
static inline __attribute__((always_inline)) enum engine_result
flow_first(struct engine *e, const struct engine_input *in, const struct engine_flow_key *k,
	   uint32_t h, const struct device_key *dev, struct decision *d)
{
	struct group_match how[POLICY_MAX_DEVICES];
	const struct packet *pkt = in->pkt;
	struct eflow tmp, *f;
	const struct rule *r;
	struct eval ev;
	uint64_t groups;
	const char *pat;
	bool pending;
	int idx;

	groups = policy_identify(e->p, dev, how);
	if (!groups)
		return ENGINE_NOT_DEVICE;
	/*
	 * Every address a device sends from with its MAC is its own (a global
	 * IPv6 one too); without a MAC only local ones are: a forged source
	 * elsewhere teaches nothing.
	 */
	if ((dev->has_mac || !e->p->lan ||
	     cidr_list_contains(e->p->lan->cidrs, e->p->lan->ncidrs, pkt->family, pkt->src)) &&
	    shared_seen_add(e->sh, pkt->family, pkt->src, dev->has_mac ? dev->mac : NULL))
		e->st.devices_evicted++;

	memset(&tmp, 0, sizeof(tmp));
	tmp.key = *k;
	tmp.dev = *dev;
	tmp.indev = in->indev;
	/* a SYN with FIN or RST opens nothing: the real SYN after it is a new flow */
	if (pkt->l4 && pkt->proto == IPPROTO_NUM_TCP &&
	    (pkt->tcp_flags & (TCPF_SYN | TCPF_FIN | TCPF_RST)) == TCPF_SYN) {
		tmp.has_isn = true;
		tmp.isn = pkt->tcp_seq;
	}
	eval_init(e, &tmp, groups, in->now, &ev);
	if (pkt->proto == IPPROTO_NUM_TCP && pkt->l4 &&
	    (pkt->tcp_flags & (TCPF_SYN | TCPF_FIN | TCPF_RST)) != TCPF_SYN) {
		/*
		 * A connection met in its middle (begun before a restart, or
		 * forgotten), or opened by no plain SYN (SYN|RST, SYN|FIN: what
		 * conntrack's loose pickup may still take for a start): its name
		 * went by unread, whatever its bytes now.
		 */
		ev.unknown = true;
		ev.unknown_why = "a connection begun before nfq-guard saw its start";
	} else {
		ev.late_possible = (pkt->proto == IPPROTO_NUM_TCP && pkt->l4 &&
				    !(pkt->tcp_flags & (TCPF_FIN | TCPF_RST))) ||
				   initial_possible(pkt);
	}
	eval_settle(&ev);
	r = evaluate(e->p, &ev, &pending, &idx, &pat);
	if (pending)
		return flow_start_wait(e, &tmp, h, groups, how, in, d);
	/* without memory for flow state: decided now, with what is known, unstored */
	f = flow_new_hashed(e, k, h);
	if (f) {
		f->dev = tmp.dev;
		f->has_isn = tmp.has_isn;
		f->isn = tmp.isn;
	} else {
		f = &tmp;
	}
	/* no rule wanted its name now; one may later (engine_carry) */
	f->name_unread = ev.late_possible;
	fill_decision(e->p, &ev, r, idx, pat, how, &f->d);
	f->d.first = true;
	if (f != &tmp) {
		f->decided = true;
		e->st.decisions++;
	} else {
		f->d.note = "no memory for flow state";
	}
	*d = f->d;
	return ENGINE_DECIDED;
}

/*
 * A DNS answer over TCP was snooped: on a device's connection that still
 * waits for its verdict, it is that flow's server's packet as well (its
 * acknowledgement of what the device sent), else only let pass.
 */
static enum engine_result snooped_reply(struct engine *e, const struct engine_input *in,
					struct decision *d)
{
	struct engine_flow_key rk;
	struct eflow *f;

	if (in->pkt->proto != IPPROTO_NUM_TCP)
		return ENGINE_SNOOPED;
	flow_key_of(in->pkt, true, &rk);
	f = flow_lookup(e, &rk, flow_hash(&rk));
	if (!f || f->sniff >= SNIFF_DNS || (f->decided && !f->watch))
		return ENGINE_SNOOPED;
	if (forged_reply(e, f, in))
		return flow_resyn(e, f, in, d, "a reply to the device that came from its own side");
	return f->watch ? keepalive_server(e, f, in, d) : flow_server(e, f, in, d);
}

enum engine_result engine_packet(struct engine *e, const struct engine_input *in,
				 struct decision *d)
{
	const struct packet *pkt = in->pkt;
	struct engine_flow_key k;
	struct device_key dev;
	enum engine_result res;
	uint32_t h;

	e->st.packets++;
	device_key_of(e, in, &dev);
	if (engine_snoop(e, pkt, &dev, in->now))
		return snooped_reply(e, in, d); /* learned from, and let pass */
	flow_key_of(pkt, false, &k);
	h = flow_hash(&k);
	if (!flow_known(e, in, &k, h, d, &res)) {
		if (is_inbound_reply(e, pkt, &k, h))
			return ENGINE_NOT_DEVICE;
		res = flow_first(e, in, &k, h, &dev, d);
	}
	if (pkt->proto == IPPROTO_NUM_UDP && pkt->dport == DNS_PORT && pkt->payload_len > 0 &&
	    res != ENGINE_NOT_DEVICE)
		engine_note_query(e, pkt, &k);
	return res;
}

void engine_finish(struct engine *e, uint64_t now,
		   void (*fn)(const struct decision *d, const struct engine_flow_key *k,
			      const struct device_key *dev, void *arg),
		   void *arg)
{
	struct lru_node *n;

	/* each one leaves the waiting table as it is decided */
	while ((n = e->waiting.head)) {
		struct eflow *f = (struct eflow *)n;

		const char *why = f->confirming ? "the server had not acknowledged the head "
						  "when the capture ended" :
						  "still waiting when the capture ended";

		if (f->watch) {
			if (keepalive_finish(e, f, now) && fn)
				fn(&f->d, &f->key, &f->dev, arg);
			continue;
		}
		f->confirming = false;
		flow_decide(e, f, now, NULL, NAME_NONE, why);
		if (fn)
			fn(&f->d, &f->key, &f->dev, arg);
	}
}

const char *name_source_str(enum name_source s)
{
	switch (s) {
	case NAME_NONE:
		return NULL;
	case NAME_DNS:
		return "dns";
	case NAME_SNI:
		return "sni";
	case NAME_HTTP:
		return "http";
	case NAME_SOCKS:
		return "socks";
	case NAME_QUIC:
		return "quic";
	case NAME_UNREADABLE:
		return "unreadable";
	}
	return NULL;
}
