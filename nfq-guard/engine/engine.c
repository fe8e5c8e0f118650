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

#define EVAL_MAX_NAMES (NAMES_PER_ADDR + 1)

/* --- rule evaluation (pure) ------------------------------------------------ */

struct eval {
	uint64_t groups;
	uint8_t family;
	const uint8_t *dst;
	uint8_t proto;
	bool has_port;
	uint16_t dport;
	const struct name *names[EVAL_MAX_NAMES];
	enum name_source sources[EVAL_MAX_NAMES];
	struct name learned[NAMES_PER_ADDR]; /* copies: the shared cache may change */
	size_t nnames;
	bool late_possible; /* an SNI or Host may still arrive */
	/*
	 * The flow's name should be readable but is not (DESIGN.md §6): it
	 * matches every domain rule that drops or rejects, none that allows.
	 */
	bool unknown;
	const char *unknown_why; /* the event's note */
};

static bool rule_to_matches(const struct policy *p, const struct rule *r, const struct eval *ev)
{
	if (r->to_flags & TO_ANY)
		return true;
	if ((r->to_flags & TO_WAN) &&
	    !(p->lan && cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, ev->family, ev->dst)) &&
	    !(p->router &&
	      cidr_list_contains(p->router->cidrs, p->router->ncidrs, ev->family, ev->dst)))
		return true;
	return cidr_list_contains(r->to, r->nto, ev->family, ev->dst);
}

static bool rule_port_matches(const struct rule *r, const struct eval *ev)
{
	size_t i;

	if (r->nports == 0)
		return true;
	if (!ev->has_port)
		return false;
	for (i = 0; i < r->nports; i++)
		if (ev->dport >= r->ports[i].lo && ev->dport <= r->ports[i].hi)
			return true;
	return false;
}

static bool rule_proto_matches(const struct rule *r, const struct eval *ev)
{
	if (r->proto == 0)
		return true;
	if (r->proto == IPPROTO_NUM_ICMP)
		return ev->proto == IPPROTO_NUM_ICMP || ev->proto == IPPROTO_NUM_ICMPV6;
	return r->proto == ev->proto;
}

/*
 * First match wins.  A rule with domains that no known name matches may
 * still match when a name arrives later; if one such rule stands before
 * the rule that matches now and would give another action, the flow waits.
 * Returns the matching rule (NULL: default), *pending, and in *name_idx the
 * name that matched a domain rule (-1 for none).
 */
static const struct rule *evaluate(const struct policy *p, const struct eval *ev, bool *pending,
				   int *name_idx, const char **pattern)
{
	const struct rule *maybe[16];
	size_t nmaybe = 0, i, k;
	enum action act;

	*pending = false;
	*name_idx = -1;
	*pattern = NULL;
	for (i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];

		if (!r->from_any && !(r->from & ev->groups))
			continue;
		if (!rule_proto_matches(r, ev) || !rule_port_matches(r, ev) ||
		    !rule_to_matches(p, r, ev))
			continue;
		if (r->domains) {
			for (k = 0; k < ev->nnames; k++) {
				*pattern = domain_set_match(r->domains, ev->names[k]);
				if (*pattern) {
					*name_idx = (int)k;
					break;
				}
			}
			if (*name_idx < 0) {
				if (ev->late_possible) {
					if (nmaybe < sizeof(maybe) / sizeof(maybe[0]))
						maybe[nmaybe++] = r;
					else
						*pending = true; /* too many to weigh: wait */
				}
				continue;
			}
		}
		act = r->action;
		for (k = 0; k < nmaybe; k++)
			if (maybe[k]->action != act)
				*pending = true;
		return r;
	}
	act = p->dflt;
	for (k = 0; k < nmaybe; k++)
		if (maybe[k]->action != act)
			*pending = true;
	return NULL;
}

/* Fill d from the evaluation: action, rule, device reported, name. */
static void fill_decision(const struct policy *p, const struct eval *ev, const struct rule *r,
			  int name_idx, const char *pattern, const struct group_match *how,
			  struct decision *d)
{
	uint64_t pick;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->rule = r;
	d->pattern = pattern;
	d->action = r ? r->action : p->dflt;
	d->log = r ? r->log : p->dflt_log;
	d->groups = ev->groups;
	/* the group reported: the first of the rule's groups the device is in */
	pick = r && !r->from_any ? (r->from & ev->groups) : ev->groups;
	d->device = -1;
	for (i = 0; i < p->ndevices; i++) {
		if (pick & (1ull << i)) {
			d->device = (int)i;
			if (how)
				d->how = how[i];
			break;
		}
	}
	if (name_idx < 0) {
		/* no name decided it: report the flow's own name, else the DNS one */
		for (i = 0; i < ev->nnames; i++)
			if (ev->sources[i] != NAME_DNS)
				name_idx = (int)i;
		if (name_idx < 0 && ev->nnames > 0)
			name_idx = 0;
	}
	if (name_idx >= 0) {
		d->has_name = true;
		d->name = *ev->names[name_idx];
		d->name_source = ev->sources[name_idx];
	}
	d->by_address = !r || !r->domains;
}

void engine_decide(const struct policy *p, const struct device_key *dev, uint8_t family,
		   const uint8_t dst[16], uint8_t proto, uint16_t dport, const struct name *name,
		   enum name_source source, struct decision *d)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct eval ev = { 0 };
	const struct rule *r;
	const char *pat;
	bool pending;
	int idx;

	memset(how, 0, sizeof(how));
	ev.groups = policy_identify(p, dev, how);
	ev.family = family;
	ev.dst = dst;
	ev.proto = proto;
	ev.has_port = proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP;
	ev.dport = dport;
	if (name) {
		ev.names[0] = name;
		ev.sources[0] = source;
		ev.nnames = 1;
	}
	r = evaluate(p, &ev, &pending, &idx, &pat);
	fill_decision(p, &ev, r, idx, pat, how, d);
	d->first = true;
}

/* --- tables ------------------------------------------------------------------ */

static void flow_free(struct engine *e, struct eflow *f)
{
	lru_remove(&e->flows, &f->node);
	free(f->st.buf);
	free(f);
}

struct engine *engine_new_shared(const struct policy *p, size_t max_flows, struct engine_shared *sh)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->p = p;
	e->sh = sh;
	if (lru_init(&e->flows, max_flows ? max_flows : p->max_flows)) {
		free(e);
		return NULL;
	}
	return e;
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

void engine_free(struct engine *e)
{
	struct lru_node *n;

	if (!e)
		return;
	while ((n = lru_oldest(&e->flows)))
		flow_free(e, (struct eflow *)n);
	lru_fini(&e->flows);
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
}

size_t engine_flow_count(const struct engine *e, size_t *max)
{
	if (max)
		*max = e->flows.max;
	return e->flows.count;
}

/* In the lan or router networks. */
static bool is_local(const struct policy *p, uint8_t family, const uint8_t *addr)
{
	return (p->lan && cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, family, addr)) ||
	       (p->router && cidr_list_contains(p->router->cidrs, p->router->ncidrs, family, addr));
}

struct eflow *flow_new(struct engine *e, const struct engine_flow_key *k)
{
	struct eflow *f;

	if (lru_full(&e->flows)) {
		flow_free(e, (struct eflow *)lru_victim(&e->flows));
		e->st.flows_evicted++;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *k;
	lru_insert(&e->flows, &f->node, lru_hash(LRU_HASH_INIT, k, sizeof(*k)));
	return f;
}

/* Give the flow's stream its buffer the first time it carries bytes.  0 or -ENOMEM. */
int flow_stream_buffer(struct eflow *f)
{
	uint8_t *buf;

	if (f->st.buf)
		return 0;
	buf = malloc(stream_mem(ENGINE_STREAM_CAP));
	if (!buf)
		return -ENOMEM;
	stream_attach(&f->st, buf, ENGINE_STREAM_CAP);
	return 0;
}

void flow_stream_drop(struct eflow *f)
{
	free(f->st.buf);
	f->st.buf = NULL;
	f->st.cap = f->st.len = 0;
}

/* --- device flows ------------------------------------------------------------ */

static void eval_init(struct engine *e, const struct eflow *f, uint64_t groups, uint64_t now,
		      struct eval *ev)
{
	size_t n, i;

	memset(ev, 0, sizeof(*ev));
	ev->groups = groups;
	ev->family = f->key.family;
	ev->dst = f->key.dst;
	ev->proto = f->key.proto;
	ev->has_port = f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP;
	ev->dport = f->key.dport;
	n = shared_lookup(e->sh, f->key.family, f->key.src, f->key.dst, now, ev->learned,
			  NAMES_PER_ADDR);
	for (i = 0; i < n; i++) {
		ev->names[ev->nnames] = &ev->learned[i];
		ev->sources[ev->nnames++] = NAME_DNS;
	}
}

/* Look for SNI or Host in a waiting flow's stream. */
static enum name_source flow_sniff(struct eflow *f, struct name *out, bool *final)
{
	enum sniff_result r = sniff_name(&f->name_st, f->st.buf, f->st.len, f->st.cap, out);

	*final = sniff_final(r);
	return r == SNIFF_SNI ? NAME_SNI : r == SNIFF_HOST ? NAME_HTTP : NAME_NONE;
}

static void flow_decide(struct engine *e, struct eflow *f, uint64_t now, const struct name *late,
			enum name_source late_src, const char *note)
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
	if (late && ev.nnames < EVAL_MAX_NAMES) {
		ev.names[ev.nnames] = late;
		ev.sources[ev.nnames++] = late_src;
	}
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
	f->d.note = note;
	f->decided = true;
	flow_stream_drop(f);
	e->st.decisions++;
}

/* A packet of a waiting flow: read its bytes, decide when a name or a bound says so. */
static enum engine_result flow_wait(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d)
{
	const struct packet *pkt = in->pkt;
	struct name late;
	enum name_source src = NAME_NONE;
	bool final = false;

	f->packets++;
	if (pkt->payload_len > 0 && pkt->l4) {
		if (flow_stream_buffer(f) == 0 && stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags,
							     pkt->payload, pkt->payload_len) > 0)
			src = flow_sniff(f, &late, &final);
	} else if (pkt->l4) {
		stream_add(&f->st, pkt->tcp_seq, pkt->tcp_flags, NULL, 0);
	}
	if (final && f->st.len == f->st.cap && src == NAME_NONE)
		e->st.stream_full++;
	if (!final && (pkt->tcp_flags & (TCPF_FIN | TCPF_RST)))
		final = true; /* the client gave up before naming the server */
	if (!final && (f->packets >= e->p->pending_packets ||
		       (in->now > f->started &&
			in->now - f->started >= (uint64_t)e->p->pending_seconds * 1000))) {
		e->st.pending_cut++;
		flow_decide(e, f, in->now, NULL, NAME_NONE, "no name within the wait bound");
		*d = f->d;
		return ENGINE_DECIDED;
	}
	if (!final) {
		e->st.pending++;
		return ENGINE_PENDING;
	}
	flow_decide(e, f, in->now, src != NAME_NONE ? &late : NULL, src, NULL);
	*d = f->d;
	return ENGINE_DECIDED;
}

/* The device key of the packet's sender. */
static void device_key_of(const struct engine_input *in, struct device_key *dev)
{
	const struct packet *pkt = in->pkt;

	memset(dev, 0, sizeof(*dev));
	dev->has_mac = in->has_mac;
	memcpy(dev->mac, in->mac, 6);
	dev->family = pkt->family;
	memcpy(dev->addr, pkt->src, 16);
	if (in->iface)
		snprintf(dev->iface, sizeof(dev->iface), "%s", in->iface);
}

/* A decided flow's later packet: its decision again. */
static enum engine_result flow_again(const struct eflow *f, struct decision *d)
{
	*d = f->d;
	d->first = false;
	return ENGINE_DECIDED;
}

/*
 * A packet of a flow already known, either way: true, with its result in
 * *res.  False for the first packet of a flow.  Inlined, as flow_first is:
 * engine_packet's steps run for every packet (callgrind counts the calls).
 */
static inline __attribute__((always_inline)) bool
flow_known(struct engine *e, const struct engine_input *in, const struct engine_flow_key *k,
	   struct decision *d, enum engine_result *res)
{
	struct engine_flow_key rk;
	struct eflow *f = flow_find(e, k);

	if (f) {
		if (!f->decided)
			*res = flow_wait(e, f, in, d);
		else if (f->sniff >= SNIFF_DNS)
			*res = ENGINE_NOT_DEVICE;
		else
			*res = flow_again(f, d);
		return true;
	}
	flow_key_of(in->pkt, true, &rk);
	f = flow_find(e, &rk);
	if (!f)
		return false;
	if (f->sniff >= SNIFF_DNS)
		*res = ENGINE_NOT_DEVICE;
	else if (f->decided)
		*res = flow_again(f, d);
	else
		*res = ENGINE_PENDING; /* the server's side of a waiting flow */
	return true;
}

/*
 * A device answering a connection a local host opened (the NVR pulling
 * RTSP from a camera): not an outbound flow of the device, remembered as
 * such.  A SYN-ACK to anywhere else is decided like any first packet: it
 * may be a camera trying to open a connection the other way round.
 */
static bool is_inbound_reply(struct engine *e, const struct packet *pkt,
			     const struct engine_flow_key *k)
{
	struct eflow *f;

	if (!pkt->l4 || pkt->proto != IPPROTO_NUM_TCP ||
	    (pkt->tcp_flags & (TCPF_SYN | TCPF_ACK)) != (TCPF_SYN | TCPF_ACK) ||
	    !is_local(e->p, pkt->family, pkt->dst))
		return false;
	f = flow_new(e, k);
	if (f) {
		f->sniff = SNIFF_INBOUND;
		f->decided = true;
	}
	return true;
}

/* The first packet of a device's flow: decided now, or waiting for a name. */
static inline __attribute__((always_inline)) enum engine_result
flow_first(struct engine *e, const struct engine_input *in, const struct engine_flow_key *k,
	   const struct device_key *dev, struct decision *d)
{
	struct group_match how[POLICY_MAX_DEVICES];
	const struct packet *pkt = in->pkt;
	struct eflow *f, tmp;
	bool stored;
	struct eval ev;
	const struct rule *r;
	uint64_t groups;
	const char *pat;
	bool pending;
	int idx;

	groups = policy_identify(e->p, dev, how);
	if (!groups)
		return ENGINE_NOT_DEVICE;
	/* device addresses are local ones: a forged source elsewhere teaches nothing */
	if ((!e->p->lan ||
	     cidr_list_contains(e->p->lan->cidrs, e->p->lan->ncidrs, pkt->family, pkt->src)) &&
	    shared_seen_add(e->sh, pkt->family, pkt->src))
		e->st.devices_evicted++;

	/* without memory for flow state: decided now, with what is known, unstored */
	f = flow_new(e, k);
	stored = f != NULL;
	if (!stored) {
		memset(&tmp, 0, sizeof(tmp));
		tmp.key = *k;
		f = &tmp;
	}
	f->dev = *dev;
	eval_init(e, f, groups, in->now, &ev);
	ev.late_possible = stored && pkt->proto == IPPROTO_NUM_TCP && pkt->l4 &&
			   !(pkt->tcp_flags & (TCPF_FIN | TCPF_RST));
	r = evaluate(e->p, &ev, &pending, &idx, &pat);
	if (pending) {
		f->started = in->now;
		f->sniff = SNIFF_NAME;
		return flow_wait(e, f, in, d);
	}
	fill_decision(e->p, &ev, r, idx, pat, how, &f->d);
	f->d.first = true;
	if (stored) {
		f->decided = true;
		e->st.decisions++;
	} else {
		f->d.note = "no memory for flow state";
	}
	*d = f->d;
	return ENGINE_DECIDED;
}

enum engine_result engine_packet(struct engine *e, const struct engine_input *in,
				 struct decision *d)
{
	const struct packet *pkt = in->pkt;
	struct engine_flow_key k;
	struct device_key dev;
	enum engine_result res;

	e->st.packets++;
	device_key_of(in, &dev);
	if (engine_snoop(e, pkt, &dev, in->now))
		return ENGINE_SNOOPED; /* learned from, and let pass */
	flow_key_of(pkt, false, &k);
	if (flow_known(e, in, &k, d, &res))
		return res;
	if (is_inbound_reply(e, pkt, &k))
		return ENGINE_NOT_DEVICE;
	return flow_first(e, in, &k, &dev, d);
}

void engine_finish(struct engine *e, uint64_t now,
		   void (*fn)(const struct decision *d, const struct engine_flow_key *k,
			      const struct device_key *dev, void *arg),
		   void *arg)
{
	struct lru_node *n;

	for (n = e->flows.head; n; n = n->next) {
		struct eflow *f = (struct eflow *)n;

		if (f->decided)
			continue;
		flow_decide(e, f, now, NULL, NAME_NONE, "still waiting when the capture ended");
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
	}
	return NULL;
}
